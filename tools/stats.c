// SPDX-License-Identifier: GPL-2.0
/*
 * tunfixctl stats: the counters of /proc/net/tunfix, once or in watch mode
 * with per-second rates; text or JSON (-j, or stats --json).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tunfixctl.h"

/* rate and interval only in watch mode */
static void stats_print(const uint64_t *c, const double *rate, double interval)
{
	int i;

	if (json) {
		json_head();
		printf(",\"time\":%lld", (long long)time(NULL));
		if (rate)
			printf(",\"interval\":%.3f", interval);
		printf(",\"counters\":{");
		for (i = 0; i < __TUNFIX_CNT_MAX; i++)
			printf("%s\"%s\":%llu", i ? "," : "", counters[i].name,
			       (unsigned long long)c[i]);
		putchar('}');
		if (rate) {
			printf(",\"rates\":{");
			for (i = 0; i < __TUNFIX_CNT_MAX; i++)
				printf("%s\"%s\":%.1f", i ? "," : "",
				       counters[i].name, rate[i]);
			putchar('}');
		}
		printf("}\n");
	} else {
		for (i = 0; i < __TUNFIX_CNT_MAX; i++) {
			printf("%-22s %12llu", counters[i].name,
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

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Print c every interval seconds, count times (-1: until a signal). */
static int watch(uint64_t *c, double interval, long count)
{
	uint64_t prev[__TUNFIX_CNT_MAX];
	double rate[__TUNFIX_CNT_MAX], t0, t1, dt;
	struct timespec ts;
	int i, rc;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	ts.tv_sec = (time_t)interval;
	ts.tv_nsec = (long)((interval - ts.tv_sec) * 1e9);
	t0 = now();
	while (!stop && count != 0) {
		memcpy(prev, c, sizeof(prev));
		nanosleep(&ts, NULL);
		if (stop)
			break;
		rc = counters_read(c);
		t1 = now();
		if (rc)
			return rc;
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
		stats_print(c, rate, dt);
		if (count > 0)
			count--;
	}
	return EXIT_OK;
}

int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },	/* the same as -j */
		{ "watch", required_argument, NULL, 'w' },
		{ "count", required_argument, NULL, 'c' },
		{ "reset", no_argument, NULL, 'r' },
		{ }
	};
	uint64_t c[__TUNFIX_CNT_MAX];
	double interval = 0;
	bool reset = false;
	long count = -1;
	char *end;
	int o, rc;

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
	rc = reset ? counters_reset() : EXIT_OK;
	if (!rc)
		rc = counters_read(c);
	if (rc)
		return rc;
	if (interval)
		return watch(c, interval, count);
	stats_print(c, NULL, 0);
	return EXIT_OK;
}
