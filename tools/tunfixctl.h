/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tunfixctl: shared definitions.
 */
#ifndef _TUNFIXCTL_H
#define _TUNFIXCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/tunfix.h>

/* Exit codes, documented in tunfixctl(8). */
enum {
	EXIT_OK = 0,
	EXIT_FOUND = 1,		/* doctor found problems */
	EXIT_USAGE = 2,		/* usage, unknown knob, bad value */
	EXIT_NOT_LOADED = 3,
	EXIT_NO_NETNS = 4,
	EXIT_PERM = 5,
	EXIT_IO = 6,		/* the kernel rejected a write, other I/O */
};

struct knob {
	const char *name;
	enum tunfix_knob_type type;
	uint32_t min;
	uint32_t max;
	const char *def;
	const char *desc;
};

extern const struct knob knobs[__TUNFIX_KNOB_MAX];
extern const char *const counter_names[__TUNFIX_CNT_MAX];

const struct knob *knob_find(const char *name);
int knob_read(const struct knob *k, char *buf, size_t len);
bool knob_read_u32(const char *name, uint32_t *val);
int doctor(void);

#endif /* _TUNFIXCTL_H */
