/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tunfixctl: shared definitions.
 */
#ifndef _TUNFIXCTL_H
#define _TUNFIXCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/tunfix.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define __stringify_1(x) #x
#define __stringify(x) __stringify_1(x)

#define MODPROBE_HINT "modprobe tunfix"
#define LIST_KNOBS_HINT "tunfixctl --list-knobs"

/* Exit codes, documented in tunfixctl(8). */
enum {
	EXIT_OK = 0,
	EXIT_FOUND = 1,		/* doctor found problems */
	EXIT_USAGE = 2,		/* usage, unknown knob, a value the kernel refused */
	EXIT_NOT_LOADED = 3,
	EXIT_NO_NETNS = 4,
	EXIT_PERM = 5,
	EXIT_IO = 6,		/* other errors of the kernel or of I/O */
};

/* Global options (tunfixctl.c). */
extern const char *netns_name;	/* -n NETNS, or NULL */
extern bool json;		/* -j */

/* The commands (tunfixctl.c); each has its own file. */
struct cmd {
	const char *name;
	int (*run)(int argc, char **argv);	/* argv[0] is the name */
	const char *args;			/* synopsis after the name */
	const char *summary;			/* one line */
	const char *help;			/* options and details, or NULL */
};

extern const struct cmd cmds[];
const struct cmd *cmd_find(const char *name);
int cmd_status(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_help(int argc, char **argv);
void usage(FILE *f);
void cmd_usage(const struct cmd *c, FILE *f);

/* util.c */
void err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int exit_status(int e);
const char *path_root(const char *env, const char *def);
void path_sysctl(char *buf, size_t len, const char *knob);
int read_file(const char *path, char *buf, size_t len);
int write_file(const char *path, const char *val);
bool module_loaded(void);
int require_module(void);
int module_version(char *buf, size_t len);

/* json.c */
void json_str(const char *s);
void json_head(void);

/* knobs.c: the knob model */
struct knob_type {
	const char *name;	/* as --list-knobs -j gives it */
	const char *takes;	/* printf format of what it takes, given min, max */
};

struct knob {
	const char *name;
	enum tunfix_knob_type type;
	uint32_t min;
	uint32_t max;
	const char *def;
	const char *desc;
};

/* a buffer for a knob's value, with the newline and the NUL */
#define KNOB_BUFLEN (TUNFIX_KNOB_MAXLEN + 2)

extern const struct knob knobs[__TUNFIX_KNOB_MAX];
const struct knob *knob_find(const char *name);
const struct knob *knob_arg(const char *name);
int knob_read(const struct knob *k, char *buf, size_t len);
uint32_t knob_parse_u32(const char *val);
int knob_write(const struct knob *k, const char *val);
bool knob_is_default(const struct knob *k, const char *val);
void knob_explain(const struct knob *k, char *buf, size_t len);
void knobs_list(void);

/* counters.c */
struct counter {
	const char *name;
	const char *desc;
};

extern const struct counter counters[__TUNFIX_CNT_MAX];
int counters_read(uint64_t *c);
int counters_reset(void);
void counters_list(void);

#endif /* _TUNFIXCTL_H */
