// SPDX-License-Identifier: GPL-2.0
/*
 * tunfixctl set KNOB=VALUE...: all or nothing.  The tool checks only the
 * KNOB=VALUE shape and leaves the values to the module, which refuses a
 * bad one with EINVAL; then the knobs already written get their old values
 * back, and the refusal is explained from the knob's type and range.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tunfixctl.h"

/* Put back the n knobs of set[] already written; false if one failed. */
static bool restore(const struct knob *const *set, int n,
		    char (*old)[KNOB_BUFLEN])
{
	bool ok = true;
	int j, r;

	for (j = n - 1; j >= 0; j--) {
		r = knob_write(set[j], old[set[j] - knobs]);
		if (r) {
			err("%s: could not restore '%s': %s", set[j]->name,
			    old[set[j] - knobs], strerror(-r));
			ok = false;
		}
	}
	return ok;
}

/* Say why the kernel refused val for k (e: -errno). */
static void refused(const struct knob *k, const char *val, int e)
{
	char why[256];

	if (e == -EACCES || e == -EPERM) {
		err("%s: no permission to change it (%s)", k->name, strerror(-e));
		return;
	}
	if (e == -EINVAL)
		knob_explain(k, why, sizeof(why));
	else
		snprintf(why, sizeof(why), "%s", strerror(-e));
	err("%s: the kernel refused '%s': %s", k->name, val, why);
}

int cmd_set(int argc, char **argv)
{
	char old[__TUNFIX_KNOB_MAX][KNOB_BUFLEN];
	const struct knob *set[__TUNFIX_KNOB_MAX * 4];
	const char *val[__TUNFIX_KNOB_MAX * 4], *eq;
	int i, e, rc, n = 0;
	char name[64];

	if (argc < 2) {
		err("set: nothing to set (KNOB=VALUE ...)");
		return EXIT_USAGE;
	}
	if (argc - 1 > (int)ARRAY_SIZE(set)) {
		err("set: too many settings");
		return EXIT_USAGE;
	}
	for (i = 1; i < argc; i++) {
		eq = strchr(argv[i], '=');
		if (!eq || eq == argv[i] || (size_t)(eq - argv[i]) >= sizeof(name)) {
			err("set: '%s' is not KNOB=VALUE", argv[i]);
			return EXIT_USAGE;
		}
		memcpy(name, argv[i], eq - argv[i]);
		name[eq - argv[i]] = '\0';
		set[n] = knob_arg(name);
		if (!set[n])
			return EXIT_USAGE;
		val[n++] = eq + 1;
	}
	rc = require_module();
	if (rc)
		return rc;

	/* remember every value first, so a failure can be undone */
	for (i = 0; i < n; i++) {
		e = knob_read(set[i], old[set[i] - knobs], sizeof(old[0]));
		if (e) {
			err("%s: %s", set[i]->name, strerror(-e));
			return exit_status(-e);
		}
	}
	for (i = 0; i < n; i++) {
		e = knob_write(set[i], val[i]);
		if (!e)
			continue;
		refused(set[i], val[i], e);
		if (!i)
			err("nothing changed");
		else if (restore(set, i, old))
			err("nothing changed: the settings already written were restored");
		return exit_status(-e);
	}
	return EXIT_OK;
}
