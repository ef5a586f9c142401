// SPDX-License-Identifier: GPL-2.0
/*
 * tunfixctl get KNOB...: the value alone for one knob, KNOB=VALUE lines for
 * several; with -j one object of name: value (strings, as read).
 */
#include <stdio.h>
#include <string.h>

#include "tunfixctl.h"

int cmd_get(int argc, char **argv)
{
	char buf[KNOB_BUFLEN];
	const struct knob *k;
	int i, e, rc;

	if (argc < 2) {
		err("get: which knob? (" LIST_KNOBS_HINT ")");
		return EXIT_USAGE;
	}
	for (i = 1; i < argc; i++)
		if (!knob_arg(argv[i]))
			return EXIT_USAGE;
	rc = require_module();
	if (rc)
		return rc;
	for (i = 1; i < argc; i++) {
		k = knob_find(argv[i]);
		e = knob_read(k, buf, sizeof(buf));
		if (e) {
			if (json && i > 1)
				printf("}\n");
			err("%s: %s", k->name, strerror(-e));
			return exit_status(-e);
		}
		if (json) {
			fputs(i > 1 ? "," : "{", stdout);
			json_str(k->name);
			putchar(':');
			json_str(buf);
		} else {
			printf(argc > 2 ? "%s=%s\n" : "%.0s%s\n", k->name, buf);
		}
	}
	if (json)
		printf("}\n");
	return EXIT_OK;
}
