// SPDX-License-Identifier: GPL-2.0
/*
 * tunfixctl: JSON output (-j), printed directly to stdout.  Keys and
 * numbers are printed by the callers; every string goes through
 * json_str().
 */
#include <stdio.h>

#include "tunfixctl.h"

/*
 * Length of the UTF-8 sequence at s if it is well-formed (RFC 3629,
 * section 4: no overlong forms, no surrogates, nothing above U+10FFFF),
 * else 0.  A NUL ends a sequence early, as it is not a continuation byte.
 */
static int utf8_len(const unsigned char *s)
{
	uint32_t c;
	int n, i;

	if (*s < 0x80)
		return 1;
	if (*s >= 0xc2 && *s <= 0xdf)
		n = 2;
	else if (*s >= 0xe0 && *s <= 0xef)
		n = 3;
	else if (*s >= 0xf0 && *s <= 0xf4)
		n = 4;
	else
		return 0;
	c = *s & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (n == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	return n;
}

/*
 * Print s as a JSON string (RFC 8259, section 7): '"' and '\' escaped,
 * control characters as \u00XX, and each byte that is not part of valid
 * UTF-8 (an interface or netns name can hold any byte) as U+FFFD.
 */
void json_str(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n;

	putchar('"');
	while (*p) {
		n = utf8_len(p);
		if (!n) {
			fputs("\\ufffd", stdout);
			p++;
		} else if (*p == '"' || *p == '\\') {
			printf("\\%c", *p++);
		} else if (*p < 0x20) {
			printf("\\u%04x", *p++);
		} else {
			fwrite(p, 1, n, stdout);
			p += n;
		}
	}
	putchar('"');
}

/* The members every JSON object of a command starts with; not closed. */
void json_head(void)
{
	printf("{\"version\":\"%s\",\"netns\":", TUNFIX_VERSION);
	if (netns_name)
		json_str(netns_name);
	else
		fputs("null", stdout);
}
