// SPDX-License-Identifier: GPL-2.0
/*
 * tunfixctl - show and change tunfix settings and counters.
 *
 * Talks to the module through /proc/sys/net/tunfix/ and /proc/net/tunfix
 * of the current (or -n) network namespace.  Knob and counter names,
 * types, limits and defaults all come from the uapi headers.  This file
 * has the global options and the command table; each command has a file
 * of its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tunfixctl.h"

const char *netns_name;
bool json;

const struct cmd cmds[] = {
	{ "status", cmd_status, "", "module, settings and counters",
	  "A * marks the settings that are not the default; the text shows the\n"
	  "non-zero counters, JSON (-j) every counter.\n" },
	{ "get", cmd_get, "KNOB...", "print settings",
	  "The value alone for one knob, KNOB=VALUE lines for several; JSON (-j)\n"
	  "is one object of KNOB: VALUE strings.  The knobs: tunfixctl --list-knobs.\n" },
	{ "set", cmd_set, "KNOB=VALUE...", "change settings (all or nothing)",
	  "The kernel judges each value.  If it refuses one, the settings already\n"
	  "written are restored and the refusal is explained.\n" },
	{ "stats", cmd_stats, "[--watch SECONDS [--count N]] [--reset]",
	  "counters, rates in watch mode",
	  "  --watch SECONDS   the counters and their rates per second, every\n"
	  "                    SECONDS (0.01 to 86400) until interrupted\n"
	  "  --count N         with --watch: N times\n"
	  "  --reset           zero the counters first\n"
	  "  --json            the same as tunfixctl -j\n" },
	{ "doctor", cmd_doctor, "[--probe [--timeout SECONDS] [TUNNEL...]]",
	  "find what would break tunnels or DHCP",
	  "Each problem with the commands that fix it; exit status 1 if there\n"
	  "are any, 3 if tunfix is not loaded.\n"
	  "  --probe           also probe the path of each GRE tunnel (or of each\n"
	  "                    TUNNEL) with ICMP echo: its path MTU, a black hole\n"
	  "                    or not, the largest inner packet that fits\n"
	  "  --timeout SECONDS the most time for one tunnel's probes (0.1 to 60,\n"
	  "                    default 3)\n" },
	{ "help", cmd_help, "[COMMAND]", "this text, or a command's", NULL },
	{ }
};

const struct cmd *cmd_find(const char *name)
{
	const struct cmd *c;

	for (c = cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/* -n: enter network namespace /run/netns/<name>, as ip -n does. */
static int enter_netns(const char *name)
{
	char p[PATH_MAX];
	int fd, e;

	if (!*name || strchr(name, '/')) {
		err("bad netns name '%s'", name);
		return EXIT_USAGE;
	}
	snprintf(p, sizeof(p), "%s/%s",
		 path_root("TUNFIXCTL_NETNS_DIR", "/run/netns"), name);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		err("netns '%s': %s", name, strerror(e));
		return e == ENOENT ? EXIT_NO_NETNS : exit_status(e);
	}
	if (setns(fd, CLONE_NEWNET)) {
		e = errno;
		err("netns '%s': %s", name, strerror(e));
		close(fd);
		return exit_status(e);
	}
	close(fd);
	netns_name = name;
	return EXIT_OK;
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "netns", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "list-knobs", no_argument, NULL, 'K' },
		{ "list-counters", no_argument, NULL, 'C' },
		{ }
	};
	const struct cmd *c;
	int o, i, rc, list = 0;
	char ver[64];

	while ((o = getopt_long(argc, argv, "+n:jhV", opts, NULL)) != -1) {
		switch (o) {
		case 'n':
			rc = enter_netns(optarg);
			if (rc)
				return rc;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("tunfixctl %s\n", TUNFIX_VERSION);
			if (!module_version(ver, sizeof(ver)))
				printf("module %s\n", ver);
			return EXIT_OK;
		case 'K':
		case 'C':
			list = o;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (list && optind < argc) {
		err("unexpected '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (list == 'K')
		knobs_list();
	if (list == 'C')
		counters_list();
	if (list)
		return EXIT_OK;
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	c = cmd_find(argv[optind]);
	if (!c) {
		err("unknown command '%s'", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	argc -= optind;
	argv += optind;
	/* every command takes --help; no operand of any looks like it */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			cmd_usage(c, stdout);
			return EXIT_OK;
		}
	}
	return c->run(argc, argv);
}

int main(int argc, char **argv)
{
	int rc = run(argc, argv);

	if (fflush(stdout) || ferror(stdout)) {
		err("writing the output: %s", strerror(errno ? errno : EIO));
		if (rc == EXIT_OK || rc == EXIT_FOUND)
			rc = EXIT_IO;
	}
	return rc;
}
