// SPDX-License-Identifier: GPL-2.0
/*
 * tunfixctl: the counters of TUNFIX_COUNTER_LIST
 * (uapi/linux/tunfix_counters.h), read from /proc/net/tunfix.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "tunfixctl.h"

#define COUNTER(id, name, desc) [TUNFIX_CNT_##id] = { #name, desc },
const struct counter counters[__TUNFIX_CNT_MAX] = {
	TUNFIX_COUNTER_LIST(COUNTER)
};

static void path_counters(char *buf, size_t len)
{
	snprintf(buf, len, "%s/net/" TUNFIX_PROC_NAME,
		 path_root("TUNFIXCTL_PROC", "/proc"));
}

static int counters_failed(const char *path, int e)
{
	err("%s: %s", path, strerror(e));
	return exit_status(e);
}

/*
 * Read every counter into c[__TUNFIX_CNT_MAX], by name, so that a module
 * with more or fewer counters still works: one it does not report is 0.
 * Return: EXIT_OK, or after saying why on stderr, an exit status.
 */
int counters_read(uint64_t *c)
{
	char p[PATH_MAX], name[64];
	unsigned long long v;
	FILE *f;
	int i;

	memset(c, 0, sizeof(uint64_t) * __TUNFIX_CNT_MAX);
	path_counters(p, sizeof(p));
	f = fopen(p, "r");
	if (!f)
		return counters_failed(p, errno);
	while (fscanf(f, "%63s %llu", name, &v) == 2) {
		for (i = 0; i < __TUNFIX_CNT_MAX; i++)
			if (!strcmp(name, counters[i].name))
				c[i] = v;
	}
	i = ferror(f) ? counters_failed(p, EIO) : EXIT_OK;
	fclose(f);
	return i;
}

/* Zero the namespace's counters.  Return: as counters_read(). */
int counters_reset(void)
{
	char p[PATH_MAX];
	int e;

	path_counters(p, sizeof(p));
	e = write_file(p, TUNFIX_PROC_RESET);
	return e ? counters_failed(p, -e) : EXIT_OK;
}

/* --list-counters: names one per line, or with -j a JSON array. */
void counters_list(void)
{
	int i;

	if (json)
		putchar('[');
	for (i = 0; i < __TUNFIX_CNT_MAX; i++) {
		if (!json) {
			printf("%s\n", counters[i].name);
			continue;
		}
		printf("%s{\"name\":", i ? "," : "");
		json_str(counters[i].name);
		printf(",\"description\":");
		json_str(counters[i].desc);
		putchar('}');
	}
	if (json)
		printf("]\n");
}
