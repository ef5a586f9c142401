// SPDX-License-Identifier: GPL-2.0
/*
 * tunfixctl status: the module, every knob (marked where it is not the
 * default) and the counters of the namespace.
 */
#include <stdio.h>
#include <string.h>

#include "tunfixctl.h"

static void status_json(char (*val)[KNOB_BUFLEN], const char *ver,
			const uint64_t *c)
{
	int i, n;

	json_head();
	printf(",\"loaded\":true,\"module_version\":");
	if (ver)
		json_str(ver);
	else
		fputs("null", stdout);
	printf(",\"knobs\":{");
	for (i = 0; i < __TUNFIX_KNOB_MAX; i++) {
		fputs(i ? "," : "", stdout);
		json_str(knobs[i].name);
		putchar(':');
		json_str(val[i]);
	}
	printf("},\"not_default\":[");
	for (i = n = 0; i < __TUNFIX_KNOB_MAX; i++) {
		if (knob_is_default(&knobs[i], val[i]))
			continue;
		fputs(n++ ? "," : "", stdout);
		json_str(knobs[i].name);
	}
	printf("],\"counters\":{");
	for (i = 0; i < __TUNFIX_CNT_MAX; i++) {
		fputs(i ? "," : "", stdout);
		json_str(counters[i].name);
		printf(":%llu", (unsigned long long)c[i]);
	}
	printf("}}\n");
}

static void status_text(char (*val)[KNOB_BUFLEN], const char *ver,
			const uint64_t *c)
{
	int i, shown = 0;

	printf("module:   loaded, version %s\n\nsettings (* = not the default):\n",
	       ver ? ver : "unknown");
	for (i = 0; i < __TUNFIX_KNOB_MAX; i++)
		printf("  %c %-18s %-12s %s\n",
		       knob_is_default(&knobs[i], val[i]) ? ' ' : '*',
		       knobs[i].name, *val[i] ? val[i] : "\"\"", knobs[i].desc);
	printf("\ncounters (non-zero):\n");
	for (i = 0; i < __TUNFIX_CNT_MAX; i++) {
		if (!c[i])
			continue;
		printf("    %-20s %llu\n", counters[i].name,
		       (unsigned long long)c[i]);
		shown++;
	}
	if (!shown)
		printf("    (all zero)\n");
}

int cmd_status(int argc, char **argv)
{
	char val[__TUNFIX_KNOB_MAX][KNOB_BUFLEN], ver[64];
	uint64_t c[__TUNFIX_CNT_MAX];
	bool known;
	int i, e, rc;

	if (argc > 1) {
		err("status: unexpected '%s'", argv[1]);
		return EXIT_USAGE;
	}
	if (!json) {
		printf("tunfixctl %s", TUNFIX_VERSION);
		if (netns_name)
			printf(", netns %s", netns_name);
		putchar('\n');
	}
	if (!module_loaded()) {
		if (json) {
			json_head();
			printf(",\"loaded\":false}\n");
		} else {
			printf("module:   not loaded\n");
		}
		return require_module();
	}
	for (i = 0; i < __TUNFIX_KNOB_MAX; i++) {
		e = knob_read(&knobs[i], val[i], sizeof(val[i]));
		if (e) {
			err("%s: %s", knobs[i].name, strerror(-e));
			return exit_status(-e);
		}
	}
	rc = counters_read(c);
	if (rc)
		return rc;
	known = !module_version(ver, sizeof(ver));
	if (json)
		status_json(val, known ? ver : NULL, c);
	else
		status_text(val, known ? ver : NULL, c);
	return EXIT_OK;
}
