// SPDX-License-Identifier: GPL-2.0
/*
 * tunfix: module setup, per network namespace state and hook management.
 *
 * Each namespace has its own settings and counters.  A packet hook is
 * registered in a namespace only while the feature that needs it is on,
 * so a namespace with everything off pays nothing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/netfilter_bridge.h>
#include <linux/netfilter_ipv4.h>
#include <linux/slab.h>
#include <net/netns/generic.h>

#include "core.h"

static unsigned int tunfix_net_id __read_mostly;

static const struct nf_hook_ops tunfix_hook_template[__TUNFIX_HOOK_MAX] = {
	[TUNFIX_HOOK_DF_EGRESS] = {
		.hook		= tunfix_df_egress_hook,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= NF_IP_PRI_MANGLE + 1,
	},
	[TUNFIX_HOOK_DF_TRANSIT] = {
		.hook		= tunfix_df_transit_hook,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_MANGLE + 1,
	},
	[TUNFIX_HOOK_DF_BRIDGE] = {
		.hook		= tunfix_df_bridge_hook,
		.pf		= NFPROTO_BRIDGE,
		.hooknum	= NF_BR_POST_ROUTING,
		.priority	= NF_BR_PRI_FILTER_OTHER,
	},
	[TUNFIX_HOOK_DHCP] = {
		.hook		= tunfix_dhcp_hook,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= NF_IP_PRI_MANGLE + 1,
	},
};

/* The knob that turns each hook on. */
static const enum tunfix_knob tunfix_hook_knob[__TUNFIX_HOOK_MAX] = {
	[TUNFIX_HOOK_DF_EGRESS]		= TUNFIX_KNOB_DF_EGRESS,
	[TUNFIX_HOOK_DF_TRANSIT]	= TUNFIX_KNOB_DF_TRANSIT,
	[TUNFIX_HOOK_DF_BRIDGE]		= TUNFIX_KNOB_DF_BRIDGE,
	[TUNFIX_HOOK_DHCP]		= TUNFIX_KNOB_DHCP_REMARK,
};

static struct tunfix_net *tunfix_pernet(const struct net *net)
{
	return net_generic(net, tunfix_net_id);
}

static unsigned long tunfix_hooks_wanted(const struct tunfix_cfg *cfg)
{
	unsigned long wanted = 0;
	int i;

	for (i = 0; i < __TUNFIX_HOOK_MAX; i++)
		if (tunfix_cfg_on(cfg, tunfix_hook_knob[i]))
			__set_bit(i, &wanted);
	return wanted;
}

static void tunfix_hooks_off(struct tunfix_net *tn, unsigned long which)
{
	int i;

	for_each_set_bit(i, &which, __TUNFIX_HOOK_MAX) {
		nf_unregister_net_hook(tn->net, &tn->ops[i]);
		__clear_bit(i, &tn->hooks_on);
	}
}

/**
 * tunfix_cfg_set - publish new settings and (un)register hooks to match
 * @tn: the namespace
 * @new: the new settings; owned by this function from now on
 *
 * Called with @tn->lock held.  The settings are published before a hook is
 * added, so a hook never runs without settings: when a namespace gets its
 * first settings (module load, new namespace), packets may already be
 * flowing through it.  The counters are allocated when a hook is first
 * wanted, before it is added.  On failure the old settings and hooks
 * stay; if there were none and a hook failed, @new stays published and
 * the caller frees it after a grace period.
 *
 * The one call back up into this file: a sysctl write (sysctl.c) builds
 * the new settings and hands them here.  Applying them stays next to
 * namespace init, which applies the first settings the same way; a
 * function pointer passed down to sysctl.c would only hide the call.
 *
 * Return: 0, -ENOMEM if the counters could not be allocated,
 * -EOPNOTSUPP for a bridge hook without bridge netfilter, or a negative
 * error from hook registration.
 */
int tunfix_cfg_set(struct tunfix_net *tn, struct tunfix_cfg *new)
{
	unsigned long wanted = tunfix_hooks_wanted(new);
	unsigned long add = wanted & ~tn->hooks_on;
	unsigned long del = tn->hooks_on & ~wanted;
	struct tunfix_cfg *old;
	int i, err;

	lockdep_assert_held(&tn->lock);

	/* Bridge hooks exist only with CONFIG_NETFILTER_FAMILY_BRIDGE. */
	if (!IS_ENABLED(CONFIG_NETFILTER_FAMILY_BRIDGE) &&
	    (add & BIT(TUNFIX_HOOK_DF_BRIDGE))) {
		kfree(new);
		return -EOPNOTSUPP;
	}

	/* Counters only once a hook may count: most namespaces never need them. */
	if (wanted && !tn->stats) {
		err = tunfix_stats_init(tn);
		if (err) {
			kfree(new);
			return err;
		}
	}

	old = rcu_replace_pointer(tn->cfg, new, lockdep_is_held(&tn->lock));
	for_each_set_bit(i, &add, __TUNFIX_HOOK_MAX) {
		err = nf_register_net_hook(tn->net, &tn->ops[i]);
		if (err) {
			tunfix_hooks_off(tn, add & tn->hooks_on);
			if (old) {
				rcu_assign_pointer(tn->cfg, old);
				kfree_rcu(new, rcu);
			}
			return err;
		}
		__set_bit(i, &tn->hooks_on);
	}

	tunfix_hooks_off(tn, del);
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

static int __net_init tunfix_net_init(struct net *net)
{
	struct tunfix_net *tn = tunfix_pernet(net);
	struct tunfix_cfg *cfg;
	int i, err;

	tn->net = net;
	mutex_init(&tn->lock);
	memcpy(tn->ops, tunfix_hook_template, sizeof(tn->ops));
	for (i = 0; i < __TUNFIX_HOOK_MAX; i++)
		tn->ops[i].priv = tn;

	cfg = tunfix_cfg_new_default();
	if (!cfg)
		return -ENOMEM;
	mutex_lock(&tn->lock);
	err = tunfix_cfg_set(tn, cfg);
	mutex_unlock(&tn->lock);
	if (err)
		goto err_cfg;

	err = tunfix_sysctl_register(tn);
	if (err)
		goto err_hooks;
	err = tunfix_proc_init(tn);
	if (err)
		goto err_sysctl;
	return 0;

err_sysctl:
	tunfix_sysctl_unregister(tn);
err_hooks:
	tunfix_hooks_off(tn, tn->hooks_on);
err_cfg:
	synchronize_net();	/* hooks may have run with these settings */
	kfree(rcu_dereference_protected(tn->cfg, true));
	free_percpu(tn->stats);
	return err;
}

static void __net_exit tunfix_net_pre_exit(struct net *net)
{
	struct tunfix_net *tn = tunfix_pernet(net);

	/* No more setting changes, then no more packets. */
	tunfix_proc_exit(tn);
	tunfix_sysctl_unregister(tn);
	tunfix_hooks_off(tn, tn->hooks_on);
}

static void __net_exit tunfix_net_exit(struct net *net)
{
	struct tunfix_net *tn = tunfix_pernet(net);

	/* pre_exit ran and an RCU grace period has passed since. */
	kfree(rcu_dereference_protected(tn->cfg, true));
	free_percpu(tn->stats);
}

static struct pernet_operations tunfix_net_ops = {
	.init		= tunfix_net_init,
	.pre_exit	= tunfix_net_pre_exit,
	.exit		= tunfix_net_exit,
	.id		= &tunfix_net_id,
	.size		= sizeof(struct tunfix_net),
};

static int __init tunfix_init(void)
{
	int err;

	err = tunfix_sysctl_init();
	if (err)
		return err;
	err = register_pernet_subsys(&tunfix_net_ops);
	if (err) {
		tunfix_sysctl_exit();
		return err;
	}
	pr_info("version " TUNFIX_VERSION " loaded\n");
	return 0;
}

static void __exit tunfix_exit(void)
{
	unregister_pernet_subsys(&tunfix_net_ops);
	tunfix_sysctl_exit();
	pr_info("unloaded\n");
}

module_init(tunfix_init);
module_exit(tunfix_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The tunfix authors");
MODULE_DESCRIPTION("DF clearing and IP ID regeneration on tunnel egress, DHCP reply re-marking");
MODULE_VERSION(TUNFIX_VERSION);
