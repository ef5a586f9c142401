// SPDX-License-Identifier: GPL-2.0
/*
 * tunfix: the per-netns sysctl table, /proc/sys/net/tunfix/<knob>, one
 * file per knob of TUNFIX_KNOB_LIST.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysctl.h>

#include "core.h"

static bool tunfix_knob_numeric(enum tunfix_knob_type type)
{
	return type == TUNFIX_KT_BOOL || type == TUNFIX_KT_U32 ||
	       type == TUNFIX_KT_HEX;
}

/*
 * A number, parsed as every other sysctl parses one: the kernel's own
 * proc_doulongvec_minmax() on a temporary table, as nf_hooks_lwtunnel.c
 * does (decimal, 0x hex or 0 octal; out of range or not a number: EINVAL).
 */
static int tunfix_sysctl_write_num(const struct tunfix_knob_desc *desc,
				   u32 *val, void *buffer, size_t *lenp,
				   loff_t *ppos)
{
	unsigned long v = *val, min = desc->min, max = desc->max;
	struct ctl_table tmp = {
		.data = &v,
		.maxlen = sizeof(v),
		.extra1 = &min,
		.extra2 = &max,
	};
	int err;

	err = proc_doulongvec_minmax(&tmp, 1, buffer, lenp, ppos);
	if (!err)
		*val = v;
	return err;
}

/* A list or a name: written whole or not at all. */
static int tunfix_sysctl_write_str(enum tunfix_knob knob,
				   struct tunfix_cfg *cfg, const char *buffer,
				   size_t *lenp, loff_t *ppos)
{
	char buf[TUNFIX_KNOB_MAXLEN];
	int err;

	err = tunfix_knob_copy(buf, buffer, *lenp);
	if (err)
		return err;
	err = tunfix_knob_parse(knob, buf, cfg);
	if (!err)
		*ppos += *lenp;
	return err;
}

static int tunfix_sysctl_handler(TUNFIX_CTL_TABLE *table, int write,
				 void *buffer, size_t *lenp, loff_t *ppos)
{
	const struct tunfix_knob_desc *desc = table->extra1;
	enum tunfix_knob knob = desc - tunfix_knobs;
	struct tunfix_net *tn = table->data;
	char buf[TUNFIX_KNOB_MAXLEN];
	struct ctl_table tmp = {
		.data = buf,
		.maxlen = sizeof(buf),
	};
	struct tunfix_cfg *new;
	int err;

	if (!write) {
		rcu_read_lock();
		tunfix_knob_format(knob, rcu_dereference(tn->cfg), buf,
				   sizeof(buf));
		rcu_read_unlock();
		return proc_dostring(&tmp, 0, buffer, lenp, ppos);
	}

	/* A value is written at offset 0 or not at all, whatever its type. */
	if (*ppos)
		return -EINVAL;

	mutex_lock(&tn->lock);
	new = kmemdup(rcu_dereference_protected(tn->cfg,
						lockdep_is_held(&tn->lock)),
		      sizeof(*new), GFP_KERNEL);
	if (!new) {
		err = -ENOMEM;
		goto out;
	}
	if (tunfix_knob_numeric(desc->type))
		err = tunfix_sysctl_write_num(desc, &new->val[knob], buffer,
					      lenp, ppos);
	else
		err = tunfix_sysctl_write_str(knob, new, buffer, lenp, ppos);
	if (err)
		kfree(new);
	else
		err = tunfix_cfg_set(tn, new);
out:
	mutex_unlock(&tn->lock);
	return err;
}

#define TUNFIX_SYSCTL(id, name_, type, min, max, def, desc)		\
	{								\
		.procname = #name_,					\
		.maxlen = TUNFIX_KNOB_MAXLEN,				\
		.mode = 0644,						\
		.proc_handler = tunfix_sysctl_handler,			\
		.extra1 = (void *)&tunfix_knobs[TUNFIX_KNOB_##id],	\
	},
static const struct ctl_table tunfix_sysctl_template[] = {
	TUNFIX_KNOB_LIST(TUNFIX_SYSCTL)
	{ }
};

/*
 * Each namespace's copy of the template, in a cache of its exact size: a
 * kmalloc() of it (18 struct ctl_table, 1152 bytes on 6.1) would take a
 * 2 KiB object, most of what a namespace costs (make bench, netns.txt).
 */
static struct kmem_cache *tunfix_sysctl_cache __read_mostly;

/**
 * tunfix_sysctl_init - create the cache of the namespaces' sysctl tables
 *
 * Return: 0, or -ENOMEM.
 */
int __init tunfix_sysctl_init(void)
{
	tunfix_sysctl_cache = kmem_cache_create("tunfix_sysctl",
						sizeof(tunfix_sysctl_template),
						0, 0, NULL);
	return tunfix_sysctl_cache ? 0 : -ENOMEM;
}

/* After the last namespace's table is gone (unregister_pernet_subsys()). */
void tunfix_sysctl_exit(void)
{
	kmem_cache_destroy(tunfix_sysctl_cache);
}

int tunfix_sysctl_register(struct tunfix_net *tn)
{
	struct ctl_table *table;
	int i;

	table = kmem_cache_alloc(tunfix_sysctl_cache, GFP_KERNEL);
	if (!table)
		return -ENOMEM;
	memcpy(table, tunfix_sysctl_template, sizeof(tunfix_sysctl_template));
	for (i = 0; i < __TUNFIX_KNOB_MAX; i++) {
		table[i].data = tn;
		/* Only the initial user namespace may change settings. */
		if (tn->net->user_ns != &init_user_ns)
			table[i].mode &= ~0222;
	}

	tn->sysctl_hdr = tunfix_register_net_sysctl(tn->net,
						    TUNFIX_SYSCTL_PATH, table,
						    __TUNFIX_KNOB_MAX);
	if (!tn->sysctl_hdr) {
		kmem_cache_free(tunfix_sysctl_cache, table);
		return -ENOMEM;
	}
	return 0;
}

void tunfix_sysctl_unregister(struct tunfix_net *tn)
{
	const struct ctl_table *table = tn->sysctl_hdr->ctl_table_arg;

	unregister_net_sysctl_table(tn->sysctl_hdr);
	kmem_cache_free(tunfix_sysctl_cache, (struct ctl_table *)table);
}
