// SPDX-License-Identifier: GPL-2.0
/*
 * tunfixctl help [COMMAND], tunfixctl --help, tunfixctl COMMAND --help:
 * all from the command table.
 */
#include <stdio.h>

#include "tunfixctl.h"

#define SUMMARY_COL 27

/* The usage of the whole tool: every command, the global options. */
void usage(FILE *f)
{
	const struct cmd *c;
	int n;

	fprintf(f, "usage: tunfixctl [-j] [-n NETNS] COMMAND [ARGS]\n\n");
	for (c = cmds; c->name; c++) {
		n = fprintf(f, "  %s%s%s", c->name, *c->args ? " " : "", c->args);
		if (n >= SUMMARY_COL)
			n = fprintf(f, "\n") - 1;
		fprintf(f, "%*s%s\n", SUMMARY_COL - n, "", c->summary);
	}
	fprintf(f,
		"\n"
		"  -j, --json               JSON output (status, get, stats, doctor, lists)\n"
		"  -n, --netns NETNS        act in network namespace NETNS\n"
		"  --list-knobs             knob names, one per line\n"
		"  --list-counters          counter names, one per line\n"
		"  -h, --help, -V, --version\n"
		"\n"
		"tunfixctl COMMAND --help for one command; see tunfixctl(8).\n");
}

/* The usage of one command. */
void cmd_usage(const struct cmd *c, FILE *f)
{
	fprintf(f, "usage: tunfixctl [-j] [-n NETNS] %s%s%s\n\n%s: %s\n",
		c->name, *c->args ? " " : "", c->args, c->name, c->summary);
	if (c->help)
		fprintf(f, "\n%s", c->help);
}

int cmd_help(int argc, char **argv)
{
	const struct cmd *c;

	if (argc > 2) {
		err("help: unexpected '%s'", argv[2]);
		return EXIT_USAGE;
	}
	if (argc == 1) {
		usage(stdout);
		return EXIT_OK;
	}
	c = cmd_find(argv[1]);
	if (!c) {
		err("unknown command '%s'", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd_usage(c, stdout);
	return EXIT_OK;
}
