// SPDX-License-Identifier: GPL-2.0
/*
 * tunfix: module parameters - one per knob, of the same name, generated
 * from TUNFIX_KNOB_LIST.  They hold the values every new network namespace
 * starts with.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "core.h"

/*
 * The parameters are read-only once the module is loaded.  Each value is
 * checked by tunfix_knob_parse(), numbers as param_set_uint() takes them,
 * so a bad one makes the load fail with EINVAL.
 */
#define TUNFIX_KNOB_DEFAULT(id, name, type, min, max, def, desc)	\
	[TUNFIX_KNOB_##id] = def,
static char tunfix_param_val[__TUNFIX_KNOB_MAX][TUNFIX_KNOB_MAXLEN] = {
	TUNFIX_KNOB_LIST(TUNFIX_KNOB_DEFAULT)
};

static int tunfix_param_set(const char *val, const struct kernel_param *kp)
{
	const struct tunfix_knob_desc *desc = kp->arg;
	enum tunfix_knob knob = desc - tunfix_knobs;
	char buf[TUNFIX_KNOB_MAXLEN];
	struct tunfix_cfg *scratch;
	int err;

	err = tunfix_knob_copy(buf, val, strlen(val));
	if (err)
		return err;
	scratch = kzalloc(sizeof(*scratch), GFP_KERNEL);
	if (!scratch)
		return -ENOMEM;
	err = tunfix_knob_parse(knob, buf, scratch);
	kfree(scratch);
	if (err) {
		pr_err("invalid value \"%s\" for parameter %s\n", buf,
		       desc->name);
		return err;
	}
	strscpy(tunfix_param_val[knob], buf, TUNFIX_KNOB_MAXLEN);
	return 0;
}

static int tunfix_param_get(char *buffer, const struct kernel_param *kp)
{
	const struct tunfix_knob_desc *desc = kp->arg;

	return sysfs_emit(buffer, "%s\n",
			  tunfix_param_val[desc - tunfix_knobs]);
}

static const struct kernel_param_ops tunfix_param_ops = {
	.set = tunfix_param_set,
	.get = tunfix_param_get,
};

/* One parameter per knob, of the same name and description. */
#define TUNFIX_PARAM(id, name, type, min, max, def, desc)		\
	module_param_cb(name, &tunfix_param_ops,			\
			(void *)&tunfix_knobs[TUNFIX_KNOB_##id], 0444);	\
	MODULE_PARM_DESC(name, "Default of net.tunfix." #name ": " desc);
TUNFIX_KNOB_LIST(TUNFIX_PARAM)

/**
 * tunfix_cfg_new_default - settings for a new network namespace
 *
 * Return: a new settings block from the module parameters, or NULL.
 */
struct tunfix_cfg *tunfix_cfg_new_default(void)
{
	struct tunfix_cfg *cfg;
	int knob;

	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL);
	if (!cfg)
		return NULL;
	for (knob = 0; knob < __TUNFIX_KNOB_MAX; knob++) {
		if (tunfix_knob_parse(knob, tunfix_param_val[knob], cfg)) {
			/* only if a default in the uapi header is wrong */
			pr_err("bad default for %s\n", tunfix_knobs[knob].name);
			kfree(cfg);
			return NULL;
		}
	}
	return cfg;
}
