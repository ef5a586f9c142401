// SPDX-License-Identifier: GPL-2.0
/*
 * tunfixctl - show and change tunfix settings and counters.
 *
 * Talks to the module through /proc/sys/net/tunfix/ and /proc/net/tunfix
 * of the current (or -n) network namespace.  Knob and counter names,
 * types, limits and defaults all come from the uapi headers.
 *
 * For tests, TUNFIXCTL_PROC and TUNFIXCTL_SYS replace /proc and /sys.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tunfixctl.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define KNOB(id, name, type, min, max, def, desc)			\
	[TUNFIX_KNOB_##id] = { #name, type, min, max, def, desc },
const struct knob knobs[__TUNFIX_KNOB_MAX] = {
	TUNFIX_KNOB_LIST(KNOB)
};

#define COUNTER_NAME(id, name, desc) [TUNFIX_CNT_##id] = #name,
const char *const counter_names[__TUNFIX_CNT_MAX] = {
	TUNFIX_COUNTER_LIST(COUNTER_NAME)
};

static const char *netns_name;

static void err(const char *fmt, ...)
{
	va_list ap;

	fputs("tunfixctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char *root(const char *env, const char *def)
{
	const char *r = getenv(env);

	return r && *r ? r : def;
}

static void path_sysctl(char *buf, size_t len, const char *knob)
{
	snprintf(buf, len, "%s/sys/" TUNFIX_SYSCTL_PATH "/%s",
		 root("TUNFIXCTL_PROC", "/proc"), knob);
}

static void path_counters(char *buf, size_t len)
{
	snprintf(buf, len, "%s/net/" TUNFIX_PROC_NAME,
		 root("TUNFIXCTL_PROC", "/proc"));
}

static bool module_loaded(void)
{
	char p[PATH_MAX];
	struct stat st;

	path_sysctl(p, sizeof(p), "");
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int require_module(void)
{
	if (module_loaded())
		return EXIT_OK;
	err("tunfix is not loaded%s%s (try: modprobe tunfix)",
	    netns_name ? " in netns " : "", netns_name ? netns_name : "");
	return EXIT_NOT_LOADED;
}

static int errno_exit(int e)
{
	return e == EACCES || e == EPERM ? EXIT_PERM : EXIT_IO;
}

const struct knob *knob_find(const char *name)
{
	int i;

	for (i = 0; i < __TUNFIX_KNOB_MAX; i++)
		if (!strcmp(knobs[i].name, name))
			return &knobs[i];
	return NULL;
}

/* Read a file into buf, without the trailing newline. -errno on error. */
static int read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

int knob_read(const struct knob *k, char *buf, size_t len)
{
	char p[PATH_MAX];

	path_sysctl(p, sizeof(p), k->name);
	return read_file(p, buf, len);
}

bool knob_read_u32(const char *name, uint32_t *val)
{
	const struct knob *k = knob_find(name);
	char buf[TUNFIX_KNOB_MAXLEN + 2];

	if (!k || knob_read(k, buf, sizeof(buf)))
		return false;
	*val = strtoul(buf, NULL, 0);
	return true;
}

/* One write() of the whole value, as the kernel wants it. */
static int knob_write(const struct knob *k, const char *val)
{
	char p[PATH_MAX];
	size_t len = strlen(val);
	ssize_t n;
	int fd, e;

	path_sysctl(p, sizeof(p), k->name);
	fd = open(p, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	e = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	if (close(fd) && !e)
		e = -errno;
	return e;
}

/* Validate as the module does; on error, say why in why. */
static bool knob_valid(const struct knob *k, const char *v, char *why,
		       size_t wlen)
{
	unsigned long long n;
	const char *s;
	char *end;

	if (strlen(v) >= TUNFIX_KNOB_MAXLEN) {
		snprintf(why, wlen, "longer than %d characters",
			 TUNFIX_KNOB_MAXLEN - 1);
		return false;
	}
	switch (k->type) {
	case TUNFIX_KT_BOOL:
	case TUNFIX_KT_U32:
	case TUNFIX_KT_HEX:
		errno = 0;
		n = isdigit((unsigned char)*v) ? strtoull(v, &end, 0) : 0;
		if (!isdigit((unsigned char)*v) || errno || *end) {
			snprintf(why, wlen, k->type == TUNFIX_KT_BOOL ?
				 "not 0 or 1" :
				 "not a number (decimal, or hex with 0x)");
			return false;
		}
		if (n < k->min || n > k->max) {
			if (k->type == TUNFIX_KT_BOOL)
				snprintf(why, wlen, "not 0 or 1");
			else if (k->type == TUNFIX_KT_HEX)
				snprintf(why, wlen, "out of range %#x..%#x",
					 k->min, k->max);
			else
				snprintf(why, wlen, "out of range %u..%u",
					 k->min, k->max);
			return false;
		}
		return true;
	case TUNFIX_KT_PROTOS:
		for (s = v; *s;) {
			while (*s == ',' || *s == ' ')
				s++;
			if (!*s)
				break;
			if (!isdigit((unsigned char)*s)) {
				snprintf(why, wlen, "a list of protocol numbers, e.g. 47,50");
				return false;
			}
			n = strtoull(s, &end, 10);
			if (end - s > 3 || n < 1 || n > 255) {
				snprintf(why, wlen, "protocol numbers are 1..255");
				return false;
			}
			if (n == TUNFIX_PROTO_AH) {
				snprintf(why, wlen, "AH (51) is never rewritten: its ICV covers the IP ID");
				return false;
			}
			if (*end && *end != ',' && *end != ' ') {
				snprintf(why, wlen, "a list of protocol numbers, e.g. 47,50");
				return false;
			}
			s = end;
		}
		return true;
	case TUNFIX_KT_PORTS:
		return true;	/* provisional: the kernel judges */
	case TUNFIX_KT_IFNAME:
		if (strlen(v) >= TUNFIX_IFNAMSIZ) {
			snprintf(why, wlen, "interface names have at most %d characters",
				 TUNFIX_IFNAMSIZ - 1);
			return false;
		}
		if (!strcmp(v, ".") || !strcmp(v, "..")) {
			snprintf(why, wlen, "not a valid interface name");
			return false;
		}
		for (s = v; *s; s++) {
			if (*s < 0x21 || *s > 0x7e || *s == '/' || *s == ':') {
				snprintf(why, wlen, "interface names are printable ASCII without '/', ':' or blanks");
				return false;
			}
		}
		return true;
	}
	snprintf(why, wlen, "unknown knob type");
	return false;
}

static int cmd_get(int argc, char **argv)
{
	char buf[TUNFIX_KNOB_MAXLEN + 2];
	const struct knob *k;
	int i, e, rc;

	if (argc < 1) {
		err("get: which knob? (tunfixctl --list-knobs)");
		return EXIT_USAGE;
	}
	for (i = 0; i < argc; i++) {
		if (!knob_find(argv[i])) {
			err("unknown knob '%s' (tunfixctl --list-knobs)", argv[i]);
			return EXIT_USAGE;
		}
	}
	rc = require_module();
	if (rc)
		return rc;
	for (i = 0; i < argc; i++) {
		k = knob_find(argv[i]);
		e = knob_read(k, buf, sizeof(buf));
		if (e) {
			err("%s: %s", k->name, strerror(-e));
			return errno_exit(-e);
		}
		printf(argc > 1 ? "%s=%s\n" : "%.0s%s\n", k->name, buf);
	}
	return EXIT_OK;
}

static int cmd_set(int argc, char **argv)
{
	char old[__TUNFIX_KNOB_MAX][TUNFIX_KNOB_MAXLEN + 2];
	const struct knob *set[__TUNFIX_KNOB_MAX * 4];
	const char *val[__TUNFIX_KNOB_MAX * 4];
	char why[128], name[64];
	int i, j, e, r, rc, bad, n = 0;
	const char *eq;

	if (argc < 1) {
		err("set: nothing to set (KNOB=VALUE ...)");
		return EXIT_USAGE;
	}
	if (argc > (int)ARRAY_SIZE(set)) {
		err("set: too many settings");
		return EXIT_USAGE;
	}
	for (i = 0; i < argc; i++) {
		eq = strchr(argv[i], '=');
		if (!eq || eq == argv[i] || (size_t)(eq - argv[i]) >= sizeof(name)) {
			err("set: '%s' is not KNOB=VALUE", argv[i]);
			return EXIT_USAGE;
		}
		memcpy(name, argv[i], eq - argv[i]);
		name[eq - argv[i]] = '\0';
		set[n] = knob_find(name);
		if (!set[n]) {
			err("unknown knob '%s' (tunfixctl --list-knobs)", name);
			return EXIT_USAGE;
		}
		val[n] = eq + 1;
		if (!knob_valid(set[n], val[n], why, sizeof(why))) {
			err("%s: bad value '%s': %s", name, val[n], why);
			return EXIT_USAGE;
		}
		n++;
	}
	rc = require_module();
	if (rc)
		return rc;

	/* remember every value first, so a failure can be undone */
	for (i = 0; i < n; i++) {
		e = knob_read(set[i], old[set[i] - knobs], sizeof(old[0]));
		if (e) {
			err("%s: %s", set[i]->name, strerror(-e));
			return errno_exit(-e);
		}
	}
	for (i = 0; i < n; i++) {
		e = knob_write(set[i], val[i]);
		if (!e)
			continue;
		if (e == -EACCES || e == -EPERM)
			err("%s: no permission to change it (%s)",
			    set[i]->name, strerror(-e));
		else
			err("%s: the kernel refused '%s': %s", set[i]->name,
			    val[i], strerror(-e));
		bad = 0;
		for (j = i - 1; j >= 0; j--) {
			r = knob_write(set[j], old[set[j] - knobs]);
			if (r) {
				err("%s: could not restore '%s': %s",
				    set[j]->name, old[set[j] - knobs],
				    strerror(-r));
				bad = 1;
			}
		}
		if (i && !bad)
			err("nothing changed: the settings already written were restored");
		else if (!i)
			err("nothing changed");
		return errno_exit(-e);
	}
	return EXIT_OK;
}

/* Counters by name, so a module with more or fewer counters still works. */
static int counters_read(uint64_t *c)
{
	char p[PATH_MAX], name[64];
	unsigned long long v;
	FILE *f;
	int i;

	memset(c, 0, sizeof(uint64_t) * __TUNFIX_CNT_MAX);
	path_counters(p, sizeof(p));
	f = fopen(p, "r");
	if (!f)
		return -errno;
	while (fscanf(f, "%63s %llu", name, &v) == 2) {
		for (i = 0; i < __TUNFIX_CNT_MAX; i++)
			if (!strcmp(name, counter_names[i]))
				c[i] = v;
	}
	i = ferror(f) ? -EIO : 0;
	fclose(f);
	return i;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

/* rate and interval only in watch mode */
static void stats_print(const uint64_t *c, const double *rate, double interval,
			bool json)
{
	int i;

	if (json) {
		printf("{\"version\":\"%s\",\"netns\":", TUNFIX_VERSION);
		if (netns_name)
			json_str(netns_name);
		else
			printf("null");
		printf(",\"time\":%lld", (long long)time(NULL));
		if (rate)
			printf(",\"interval\":%.3f", interval);
		printf(",\"counters\":{");
		for (i = 0; i < __TUNFIX_CNT_MAX; i++)
			printf("%s\"%s\":%llu", i ? "," : "", counter_names[i],
			       (unsigned long long)c[i]);
		putchar('}');
		if (rate) {
			printf(",\"rates\":{");
			for (i = 0; i < __TUNFIX_CNT_MAX; i++)
				printf("%s\"%s\":%.1f", i ? "," : "",
				       counter_names[i], rate[i]);
			putchar('}');
		}
		printf("}\n");
	} else {
		for (i = 0; i < __TUNFIX_CNT_MAX; i++) {
			printf("%-22s %12llu", counter_names[i],
			       (unsigned long long)c[i]);
			if (rate)
				printf("  %10.1f/s", rate[i]);
			putchar('\n');
		}
	}
	fflush(stdout);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int counters_reset(void)
{
	char p[PATH_MAX];
	ssize_t n;
	int fd, e;

	path_counters(p, sizeof(p));
	fd = open(p, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -errno;
	n = write(fd, TUNFIX_PROC_RESET, strlen(TUNFIX_PROC_RESET));
	e = n < 0 ? -errno : (size_t)n != strlen(TUNFIX_PROC_RESET) ? -EIO : 0;
	if (close(fd) && !e)
		e = -errno;
	return e;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "watch", required_argument, NULL, 'w' },
		{ "count", required_argument, NULL, 'c' },
		{ "reset", no_argument, NULL, 'r' },
		{ }
	};
	uint64_t c[__TUNFIX_CNT_MAX], prev[__TUNFIX_CNT_MAX];
	double rate[__TUNFIX_CNT_MAX], interval = 0, t0, t1, dt;
	long count = -1;
	bool json = false, reset = false;
	struct timespec ts;
	char *end;
	int o, i, e, rc;

	optind = 1;
	while ((o = getopt_long(argc, argv, "jw:c:r", opts, NULL)) != -1) {
		switch (o) {
		case 'j':
			json = true;
			break;
		case 'w':
			errno = 0;
			interval = strtod(optarg, &end);
			/* also refuses nan and inf */
			if (end == optarg || *end || errno ||
			    !(interval >= 0.01 && interval <= 86400)) {
				err("--watch: seconds from 0.01 to 86400, e.g. 1 or 0.5");
				return EXIT_USAGE;
			}
			break;
		case 'c':
			errno = 0;
			count = strtol(optarg, &end, 10);
			if (end == optarg || *end || errno || count < 1) {
				err("--count: a positive number");
				return EXIT_USAGE;
			}
			break;
		case 'r':
			reset = true;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		err("stats: unexpected '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (count > 0 && !interval) {
		err("stats: --count needs --watch");
		return EXIT_USAGE;
	}
	rc = require_module();
	if (rc)
		return rc;
	if (reset) {
		e = counters_reset();
		if (e) {
			err("reset: %s", strerror(-e));
			return errno_exit(-e);
		}
	}
	e = counters_read(c);
	if (e) {
		err("/proc/net/%s: %s", TUNFIX_PROC_NAME, strerror(-e));
		return errno_exit(-e);
	}
	if (!interval) {
		stats_print(c, NULL, 0, json);
		return EXIT_OK;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	ts.tv_sec = (time_t)interval;
	ts.tv_nsec = (long)((interval - ts.tv_sec) * 1e9);
	t0 = now();
	while (!stop && count != 0) {
		memcpy(prev, c, sizeof(c));
		nanosleep(&ts, NULL);
		if (stop)
			break;
		e = counters_read(c);
		t1 = now();
		if (e) {
			err("/proc/net/%s: %s", TUNFIX_PROC_NAME, strerror(-e));
			return errno_exit(-e);
		}
		/* rates over the time that really passed */
		dt = t1 - t0 > 0 ? t1 - t0 : interval;
		t0 = t1;
		for (i = 0; i < __TUNFIX_CNT_MAX; i++)
			rate[i] = (c[i] >= prev[i] ? c[i] - prev[i] : 0) / dt;
		if (!json) {
			time_t t = time(NULL);
			char tbuf[32];

			strftime(tbuf, sizeof(tbuf), "%H:%M:%S", localtime(&t));
			printf("--- %s%s%s, rates over %.2f s\n", tbuf,
			       netns_name ? ", netns " : "",
			       netns_name ? netns_name : "", dt);
		}
		stats_print(c, rate, dt, json);
		if (count > 0)
			count--;
	}
	return EXIT_OK;
}

static int cmd_status(void)
{
	char buf[TUNFIX_KNOB_MAXLEN + 2], ver[64], p[PATH_MAX];
	uint64_t c[__TUNFIX_CNT_MAX];
	int i, e, shown = 0;

	printf("tunfixctl %s", TUNFIX_VERSION);
	if (netns_name)
		printf(", netns %s", netns_name);
	putchar('\n');
	if (!module_loaded()) {
		printf("module:   not loaded\n");
		return require_module();
	}
	snprintf(p, sizeof(p), "%s/module/tunfix/version",
		 root("TUNFIXCTL_SYS", "/sys"));
	if (read_file(p, ver, sizeof(ver)))
		snprintf(ver, sizeof(ver), "unknown version");
	printf("module:   loaded, version %s\n\nsettings (* = not the default):\n",
	       ver);
	for (i = 0; i < __TUNFIX_KNOB_MAX; i++) {
		e = knob_read(&knobs[i], buf, sizeof(buf));
		if (e) {
			err("%s: %s", knobs[i].name, strerror(-e));
			return errno_exit(-e);
		}
		printf("  %c %-18s %-12s %s\n",
		       strcmp(buf, knobs[i].def) &&
		       !(knobs[i].type == TUNFIX_KT_HEX &&
			 strtoul(buf, NULL, 0) == strtoul(knobs[i].def, NULL, 0)) ?
		       '*' : ' ', knobs[i].name, *buf ? buf : "\"\"",
		       knobs[i].desc);
	}
	e = counters_read(c);
	if (e) {
		err("/proc/net/%s: %s", TUNFIX_PROC_NAME, strerror(-e));
		return errno_exit(-e);
	}
	printf("\ncounters (non-zero):\n");
	for (i = 0; i < __TUNFIX_CNT_MAX; i++) {
		if (!c[i])
			continue;
		printf("    %-20s %llu\n", counter_names[i],
		       (unsigned long long)c[i]);
		shown++;
	}
	if (!shown)
		printf("    (all zero)\n");
	return EXIT_OK;
}

static int enter_netns(const char *name)
{
	char p[PATH_MAX];
	int fd;

	if (!*name || strchr(name, '/')) {
		err("bad netns name '%s'", name);
		return EXIT_USAGE;
	}
	snprintf(p, sizeof(p), "%s/%s", root("TUNFIXCTL_NETNS_DIR", "/run/netns"),
		 name);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err("netns '%s': %s", name, strerror(errno));
		return errno == ENOENT ? EXIT_NO_NETNS : errno_exit(errno);
	}
	if (setns(fd, CLONE_NEWNET)) {
		err("netns '%s': %s", name, strerror(errno));
		close(fd);
		return errno_exit(errno);
	}
	close(fd);
	netns_name = name;
	return EXIT_OK;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tunfixctl [-n NETNS] COMMAND [ARGS]\n"
		"\n"
		"  status                   module, settings and counters\n"
		"  get KNOB...              print settings\n"
		"  set KNOB=VALUE...        change settings (all or nothing)\n"
		"  stats [--json] [--watch SECONDS [--count N]] [--reset]\n"
		"                           counters, rates in watch mode\n"
		"  doctor                   find what would break tunnels or DHCP\n"
		"\n"
		"  -n, --netns NETNS        act in network namespace NETNS\n"
		"  --list-knobs             knob names, one per line\n"
		"  -h, --help, -V, --version\n"
		"\n"
		"See tunfixctl(8).\n");
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "netns", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "list-knobs", no_argument, NULL, 'L' },
		{ }
	};
	char ver[64], p[PATH_MAX];
	const char *cmd;
	int o, i, rc;

	while ((o = getopt_long(argc, argv, "+n:hV", opts, NULL)) != -1) {
		switch (o) {
		case 'n':
			rc = enter_netns(optarg);
			if (rc)
				return rc;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("tunfixctl %s\n", TUNFIX_VERSION);
			snprintf(p, sizeof(p), "%s/module/tunfix/version",
				 root("TUNFIXCTL_SYS", "/sys"));
			if (!read_file(p, ver, sizeof(ver)))
				printf("module %s\n", ver);
			return EXIT_OK;
		case 'L':
			for (i = 0; i < __TUNFIX_KNOB_MAX; i++)
				printf("%s\n", knobs[i].name);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[optind];
	argc -= optind + 1;
	argv += optind + 1;
	if (!strcmp(cmd, "status")) {
		if (argc) {
			err("status: unexpected '%s'", argv[0]);
			return EXIT_USAGE;
		}
		return cmd_status();
	}
	if (!strcmp(cmd, "get"))
		return cmd_get(argc, argv);
	if (!strcmp(cmd, "set"))
		return cmd_set(argc, argv);
	if (!strcmp(cmd, "stats"))
		return cmd_stats(argc + 1, argv - 1);
	if (!strcmp(cmd, "doctor")) {
		if (argc) {
			err("doctor: unexpected '%s'", argv[0]);
			return EXIT_USAGE;
		}
		return doctor();
	}
	err("unknown command '%s'", cmd);
	usage(stderr);
	return EXIT_USAGE;
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
