/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal definitions shared by the source files of the tunfix module.
 */
#ifndef _TUNFIX_CORE_H
#define _TUNFIX_CORE_H

#include <linux/types.h>
#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/build_bug.h>
#include <linux/if.h>
#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/u64_stats_sync.h>
#include <net/net_namespace.h>
#include <linux/tunfix.h>

#include "compat.h"

/* One knob of TUNFIX_KNOB_LIST, as the module sees it. */
struct tunfix_knob_desc {
	const char *name;
	const char *def;		/* default, as a string */
	enum tunfix_knob_type type;
	u32 min;
	u32 max;
};

extern const struct tunfix_knob_desc tunfix_knobs[__TUNFIX_KNOB_MAX];

/*
 * The settings of one network namespace.  Never changed in place: a write
 * builds a new copy and publishes it with RCU, so packet hooks always see
 * one consistent set.
 */
struct tunfix_cfg {
	u32 val[__TUNFIX_KNOB_MAX];		/* BOOL, U32 and HEX knobs */
	char ifname[__TUNFIX_KNOB_MAX][IFNAMSIZ]; /* IFNAME knobs */
	DECLARE_BITMAP(protos, 256);		/* df_protocols */
	__be16 ports[TUNFIX_PORTS_MAX];		/* df_udp_ports, sorted */
	unsigned int nports;
	struct rcu_head rcu;
};

enum tunfix_hook {
	TUNFIX_HOOK_DF_EGRESS,
	TUNFIX_HOOK_DF_TRANSIT,
	TUNFIX_HOOK_DF_BRIDGE,
	TUNFIX_HOOK_DHCP,
	__TUNFIX_HOOK_MAX
};

/* Per CPU; u64_stats so that 32-bit kernels read whole values. */
struct tunfix_stats {
	u64_stats_t cnt[__TUNFIX_CNT_MAX];
	struct u64_stats_sync syncp;
};

struct tunfix_net {
	struct tunfix_cfg __rcu *cfg;
	struct tunfix_stats __percpu *stats;
	u64 stats_base[__TUNFIX_CNT_MAX];	/* sums at the last reset */
	struct mutex lock;			/* cfg, hooks, stats_base */
	unsigned long hooks_on;			/* bit per enum tunfix_hook */
	struct nf_hook_ops ops[__TUNFIX_HOOK_MAX];
	struct ctl_table_header *sysctl_hdr;
	struct net *net;
};

/* A set of counters, one bit per enum tunfix_counter. */
static_assert(__TUNFIX_CNT_MAX <= 32);
#define TUNFIX_CNT(c)	BIT(TUNFIX_CNT_##c)

/*
 * Add one to every counter of @set, in one update section: a packet pays
 * for one, whatever it is counted in.  Hooks run with preemption and
 * interrupts enabled (LOCAL_OUT from a socket's sendmsg): pin the CPU, and
 * on 32-bit kernels keep an interrupt from nesting inside the update
 * (u64_stats_update_begin_irqsave() is a no-op on 64-bit ones).
 */
static __always_inline void tunfix_count_set(struct tunfix_net *tn, u32 set)
{
	struct tunfix_stats *s = get_cpu_ptr(tn->stats);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	for (; set; set &= set - 1)
		u64_stats_inc(&s->cnt[__ffs(set)]);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(tn->stats);
}

static inline void tunfix_count(struct tunfix_net *tn, enum tunfix_counter c)
{
	tunfix_count_set(tn, BIT(c));
}

static inline bool tunfix_cfg_on(const struct tunfix_cfg *cfg,
				 enum tunfix_knob knob)
{
	return cfg->val[knob] != 0;
}

/* knobs.c */
int tunfix_knob_copy(char *buf, const char *val, size_t len);
int tunfix_knob_parse(enum tunfix_knob knob, const char *str,
		      struct tunfix_cfg *cfg);
int tunfix_knob_format(enum tunfix_knob knob, const struct tunfix_cfg *cfg,
		       char *buf, size_t len);

/* params.c */
struct tunfix_cfg *tunfix_cfg_new_default(void);

/* sysctl.c */
int tunfix_sysctl_init(void);
void tunfix_sysctl_exit(void);
int tunfix_sysctl_register(struct tunfix_net *tn);
void tunfix_sysctl_unregister(struct tunfix_net *tn);

/* main.c */
int tunfix_cfg_set(struct tunfix_net *tn, struct tunfix_cfg *new);

/* stats.c */
int tunfix_stats_init(struct tunfix_net *tn);
int tunfix_proc_init(struct tunfix_net *tn);
void tunfix_proc_exit(struct tunfix_net *tn);

/* df.c */
unsigned int tunfix_df_egress_hook(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state);
unsigned int tunfix_df_transit_hook(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state);
unsigned int tunfix_df_bridge_hook(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state);

/* dhcp.c */
unsigned int tunfix_dhcp_hook(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state);

#endif /* _TUNFIX_CORE_H */
