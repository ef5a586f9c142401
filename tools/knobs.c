// SPDX-License-Identifier: GPL-2.0
/*
 * tunfixctl: the knob model.  The knobs are TUNFIX_KNOB_LIST
 * (uapi/linux/tunfix_knobs.h); each is /proc/sys/net/tunfix/<name>.  The
 * module judges every value; the type table here only says what a type
 * takes, for when the module refuses one.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tunfixctl.h"

#define KNOB(id, name, type, min, max, def, desc)			\
	[TUNFIX_KNOB_##id] = { #name, type, min, max, def, desc },
const struct knob knobs[__TUNFIX_KNOB_MAX] = {
	TUNFIX_KNOB_LIST(KNOB)
};

/*
 * What each knob type takes, as uapi/linux/tunfix.h defines it: the name
 * tunfixctl gives the type, and a printf format given the knob's min and
 * max.
 */
static const struct knob_type knob_types[] = {
	[TUNFIX_KT_BOOL] = { "bool", "0 or 1" },
	[TUNFIX_KT_U32] = { "u32",
		"a number from %u to %u (decimal, 0x hex or 0 octal)" },
	[TUNFIX_KT_HEX] = { "hex",
		"a number from %#x to %#x (decimal, 0x hex or 0 octal)" },
	[TUNFIX_KT_PROTOS] = { "protos",
		"IP protocol numbers from 1 to 255 except " __stringify(TUNFIX_PROTO_AH)
		" (AH), separated by commas (e.g. 47,50), or \"\" for none" },
	[TUNFIX_KT_IFNAME] = { "ifname",
		"an interface name (printable ASCII without '/', ':' or blanks, shorter than "
		__stringify(TUNFIX_IFNAMSIZ) " bytes), or \"\" for any" },
	[TUNFIX_KT_PORTS] = { "ports",
		"UDP ports from 1 to 65535, at most " __stringify(TUNFIX_PORTS_MAX)
		", separated by commas (e.g. 1194,4500), or \"\" for none" },
};

/* every type in the knob list has an entry */
#define KNOB_TYPE_KNOWN(id, name, type, min, max, def, desc)		\
	_Static_assert(type < ARRAY_SIZE(knob_types), "no knob_types[] entry for " #type);
TUNFIX_KNOB_LIST(KNOB_TYPE_KNOWN)

const struct knob *knob_find(const char *name)
{
	int i;

	for (i = 0; i < __TUNFIX_KNOB_MAX; i++)
		if (!strcmp(knobs[i].name, name))
			return &knobs[i];
	return NULL;
}

/* knob_find() of a command's argument: if there is no such knob, says so. */
const struct knob *knob_arg(const char *name)
{
	const struct knob *k = knob_find(name);

	if (!k)
		err("unknown knob '%s' (" LIST_KNOBS_HINT ")", name);
	return k;
}

/* The value of k, without the newline.  Return: 0, or -errno. */
int knob_read(const struct knob *k, char *buf, size_t len)
{
	char p[PATH_MAX];

	path_sysctl(p, sizeof(p), k->name);
	return read_file(p, buf, len);
}

/* A numeric knob's value as read (decimal, 0x hex or 0 octal). */
uint32_t knob_parse_u32(const char *val)
{
	return strtoul(val, NULL, 0);
}

/*
 * Write val to k; the module takes it whole or fails with EINVAL and
 * keeps the old value.  Return: 0, or -errno.
 */
int knob_write(const struct knob *k, const char *val)
{
	char p[PATH_MAX];

	path_sysctl(p, sizeof(p), k->name);
	return write_file(p, val);
}

/* val, as read back, is k's default (hex is read back as 0x...). */
bool knob_is_default(const struct knob *k, const char *val)
{
	if (k->type == TUNFIX_KT_HEX)
		return strtoul(val, NULL, 0) == strtoul(k->def, NULL, 0);
	return !strcmp(val, k->def);
}

/* "KNOB takes ...": what k takes, for a value the module refused. */
void knob_explain(const struct knob *k, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s takes ", k->name);

	if (n > 0 && (size_t)n < len)
		snprintf(buf + n, len - n, knob_types[k->type].takes,
			 k->min, k->max);
}

/* --list-knobs: names one per line, or with -j a JSON array. */
void knobs_list(void)
{
	const struct knob *k;
	int i;

	if (json)
		putchar('[');
	for (i = 0; i < __TUNFIX_KNOB_MAX; i++) {
		k = &knobs[i];
		if (!json) {
			printf("%s\n", k->name);
			continue;
		}
		printf("%s{\"name\":", i ? "," : "");
		json_str(k->name);
		printf(",\"type\":");
		json_str(knob_types[k->type].name);
		printf(",\"min\":%u,\"max\":%u,\"default\":", k->min, k->max);
		json_str(k->def);
		printf(",\"description\":");
		json_str(k->desc);
		putchar('}');
	}
	if (json)
		printf("]\n");
}
