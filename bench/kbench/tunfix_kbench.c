// SPDX-License-Identifier: GPL-2.0
/*
 * tunfix_kbench: a test-only module that times the IPv4 LOCAL_OUT
 * netfilter hooks of a network namespace on one prepared skb.
 *
 * Reading /proc/net/tunfix_kbench in a namespace builds an IPv4 packet
 * (protocol @proto, @payload bytes, DF set, ID 0x1234) and passes it
 * @iterations times through nf_hook(NFPROTO_IPV4, NF_INET_LOCAL_OUT), the
 * call ip_local_out() makes, restoring the IP header before each pass.
 * Whatever is registered there in that namespace runs: nothing, tunfix's
 * df_egress hook, an nftables chain.  It prints the time per pass and
 * what the hooks did to the last copy of the header, so a benchmark can
 * check that a variant really cleared DF, wrote an ID and kept the
 * checksum valid.  Emulated or not, the loop has none of the noise of
 * sending packets through real devices.  It also times the kernel's IP ID
 * generator alone (__ip_select_ident()), the part of tunfix's work that
 * tunfix cannot make cheaper.
 *
 * Writing "1" to the file registers an empty hook at LOCAL_OUT in that
 * namespace (it returns NF_ACCEPT and touches nothing, at tunfix's
 * priority), "0" removes it: what running any hook at all costs, the floor
 * of a hook-based design.  "2" registers instead a hook whose only work is
 * the kernel's ID generator on the packet's header (__ip_select_ident()):
 * the floor of any hook that writes a fresh ID, the generator timed where
 * tunfix calls it rather than alone in a tight loop.  "3" registers the
 * least a correct hook that clears DF does, without settings or selectors:
 * the header checks (RFC 791: IPv4, no options, whole, not a fragment, DF
 * set), the fixed header made writable, DF cleared, a fresh ID, the
 * checksum updated incrementally, and three counts in one per-CPU section.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ip.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/skbuff.h>
#include <linux/string.h>
#include <linux/u64_stats_sync.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

static unsigned int iterations = 100000;
module_param(iterations, uint, 0644);
MODULE_PARM_DESC(iterations, "passes through the hooks per read (default 100000)");

static unsigned int proto = IPPROTO_GRE;
module_param(proto, uint, 0644);
MODULE_PARM_DESC(proto, "IP protocol of the packet (default 47, GRE)");

static unsigned int payload = 64;
module_param(payload, uint, 0644);
MODULE_PARM_DESC(payload, "bytes after the IP header (default 64)");

/* The floor hooks, by what is written to the file to register them. */
enum tunfix_kbench_floor {
	TUNFIX_KBENCH_NONE,
	TUNFIX_KBENCH_EMPTY,
	TUNFIX_KBENCH_IDENT,
	TUNFIX_KBENCH_REWRITE,
	__TUNFIX_KBENCH_MAX
};

/* The floor hooks of one namespace; ops[@on] is registered, if any. */
struct tunfix_kbench_net {
	struct nf_hook_ops ops[__TUNFIX_KBENCH_MAX];
	enum tunfix_kbench_floor on;
};

static unsigned int tunfix_kbench_net_id __read_mostly;
static DEFINE_MUTEX(tunfix_kbench_lock);	/* every namespace's @on */

/* Passes between two chances to reschedule. */
#define TUNFIX_KBENCH_CHUNK	1000

static int tunfix_kbench_okfn(struct net *net, struct sock *sk,
			      struct sk_buff *skb)
{
	return 0;
}

static struct sk_buff *tunfix_kbench_skb(struct net *net, struct iphdr *tmpl)
{
	struct sk_buff *skb;
	struct iphdr *iph;

	skb = alloc_skb(LL_MAX_HEADER + sizeof(*iph) + payload, GFP_KERNEL);
	if (!skb)
		return NULL;
	skb_reserve(skb, LL_MAX_HEADER);
	skb_reset_network_header(skb);
	iph = skb_put_zero(skb, sizeof(*iph) + payload);
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = proto;
	iph->tot_len = htons(sizeof(*iph) + payload);
	iph->frag_off = htons(IP_DF);
	iph->id = htons(0x1234);
	iph->saddr = htonl(0xc0000201);	/* 192.0.2.1 */
	iph->daddr = htonl(0xc0000202);
	ip_send_check(iph);
	*tmpl = *iph;
	skb->protocol = htons(ETH_P_IP);
	skb->dev = net->loopback_dev;
	return skb;
}

/* Time per call of __ip_select_ident() on @iph, in picoseconds. */
static u64 tunfix_kbench_ident(struct net *net, struct iphdr *iph,
			       unsigned int n)
{
	unsigned int done = 0, i;
	u64 ns = 0, t0;

	while (done < n) {
		unsigned int chunk = min(n - done, TUNFIX_KBENCH_CHUNK);

		local_bh_disable();
		t0 = ktime_get_ns();
		for (i = 0; i < chunk; i++)
			__ip_select_ident(net, iph, 1);
		ns += ktime_get_ns() - t0;
		local_bh_enable();
		done += chunk;
		cond_resched();
	}
	return div_u64(ns * 1000, n);
}

static int tunfix_kbench_show(struct seq_file *seq, void *v)
{
	struct net *net = seq_file_single_net(seq);
	unsigned int n = READ_ONCE(iterations), done = 0, i;
	struct iphdr tmpl, *iph;
	struct sk_buff *skb;
	u64 ns = 0, t0;
	int ret = 1;

	if (proto > 255 || payload > 65535 - sizeof(tmpl) || !n)
		return -EINVAL;
	skb = tunfix_kbench_skb(net, &tmpl);
	if (!skb)
		return -ENOMEM;
	iph = ip_hdr(skb);

	while (done < n && ret == 1) {
		unsigned int chunk = min(n - done, TUNFIX_KBENCH_CHUNK);

		local_bh_disable();
		t0 = ktime_get_ns();
		for (i = 0; i < chunk; i++) {
			*iph = tmpl;
			ret = nf_hook(NFPROTO_IPV4, NF_INET_LOCAL_OUT, net, NULL,
				      skb, NULL, net->loopback_dev,
				      tunfix_kbench_okfn);
			if (ret != 1)
				break;
		}
		ns += ktime_get_ns() - t0;
		local_bh_enable();
		done += i;
		cond_resched();
	}
	if (ret != 1) {
		/* a hook dropped or stole the packet: it is not ours now */
		seq_printf(seq, "error verdict %d after %u passes\n", ret, done);
		return 0;
	}

	seq_printf(seq, "passes %u\nns %llu\nps_per_pass %llu\n", done, ns,
		   div_u64(ns * 1000, done));
	seq_printf(seq, "df %u\nid_changed %u\nid %u\ncsum_ok %u\n",
		   !!(iph->frag_off & htons(IP_DF)), iph->id != tmpl.id,
		   ntohs(iph->id), !ip_fast_csum(iph, iph->ihl));
	seq_printf(seq, "ident_ps_per_call %llu\n",
		   tunfix_kbench_ident(net, &tmpl, n));
	kfree_skb(skb);
	return 0;
}

static unsigned int tunfix_kbench_empty_hook(void *priv, struct sk_buff *skb,
					     const struct nf_hook_state *state)
{
	return NF_ACCEPT;
}

/* A fresh ID in the header kbench passes, and nothing else. */
static unsigned int tunfix_kbench_ident_hook(void *priv, struct sk_buff *skb,
					     const struct nf_hook_state *state)
{
	__ip_select_ident(state->net, ip_hdr(skb), 1);
	return NF_ACCEPT;
}

/* The rewrite hook's counters: seen, cleared, ID written, as tunfix's. */
struct tunfix_kbench_stats {
	u64_stats_t cnt[3];
	struct u64_stats_sync syncp;
};

static DEFINE_PER_CPU(struct tunfix_kbench_stats, tunfix_kbench_stats);

/* The least a correct DF-clearing hook does: see the comment on top. */
static unsigned int tunfix_kbench_rewrite_hook(void *priv, struct sk_buff *skb,
					       const struct nf_hook_state *state)
{
	unsigned int nhoff = skb_network_offset(skb), len, tot_len;
	struct tunfix_kbench_stats *s;
	unsigned long flags;
	struct iphdr *iph;
	__be32 old;

	if (!pskb_may_pull(skb, nhoff + sizeof(*iph)))
		return NF_ACCEPT;
	iph = ip_hdr(skb);
	len = skb->len - nhoff;
	tot_len = ntohs(iph->tot_len);
	if (iph->version != 4 || iph->ihl != 5 || tot_len > len ||
	    tot_len < sizeof(*iph) + 8 ||
	    (iph->frag_off & htons(IP_MF | IP_OFFSET | IP_DF)) != htons(IP_DF) ||
	    skb_try_make_writable(skb, nhoff + sizeof(*iph)))
		return NF_ACCEPT;

	iph = ip_hdr(skb);
	old = *(__be32 *)&iph->id;
	iph->frag_off &= ~htons(IP_DF);
	__ip_select_ident(state->net, iph, 1);
	csum_replace4(&iph->check, old, *(__be32 *)&iph->id);

	s = get_cpu_ptr(&tunfix_kbench_stats);
	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_inc(&s->cnt[0]);
	u64_stats_inc(&s->cnt[1]);
	u64_stats_inc(&s->cnt[2]);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(&tunfix_kbench_stats);
	return NF_ACCEPT;
}

static nf_hookfn *const tunfix_kbench_hooks[__TUNFIX_KBENCH_MAX] = {
	[TUNFIX_KBENCH_EMPTY] = tunfix_kbench_empty_hook,
	[TUNFIX_KBENCH_IDENT] = tunfix_kbench_ident_hook,
	[TUNFIX_KBENCH_REWRITE] = tunfix_kbench_rewrite_hook,
};

/*
 * "1": register the empty hook in this namespace, "2": the ID generator's
 * hook, "3": the least rewrite, "0": none.  Return: 0, -EINVAL for
 * anything else, or the error of nf_register_net_hook().
 */
static int tunfix_kbench_write(struct file *file, char *buf, size_t size)
{
	struct net *net = seq_file_single_net(file->private_data);
	struct tunfix_kbench_net *kn = net_generic(net, tunfix_kbench_net_id);
	unsigned int on;
	int err;

	err = kstrtouint(strim(buf), 10, &on);
	if (err)
		return err;
	if (on >= __TUNFIX_KBENCH_MAX)
		return -EINVAL;
	mutex_lock(&tunfix_kbench_lock);
	if (on != kn->on) {
		if (on)
			err = nf_register_net_hook(net, &kn->ops[on]);
		if (!err && kn->on)
			nf_unregister_net_hook(net, &kn->ops[kn->on]);
		if (!err)
			kn->on = on;
	}
	mutex_unlock(&tunfix_kbench_lock);
	return err;
}

static int __net_init tunfix_kbench_net_init(struct net *net)
{
	struct tunfix_kbench_net *kn = net_generic(net, tunfix_kbench_net_id);
	unsigned int i;

	for (i = TUNFIX_KBENCH_EMPTY; i < __TUNFIX_KBENCH_MAX; i++)
		kn->ops[i] = (struct nf_hook_ops) {
			.hook		= tunfix_kbench_hooks[i],
			.pf		= NFPROTO_IPV4,
			.hooknum	= NF_INET_LOCAL_OUT,
			.priority	= NF_IP_PRI_MANGLE + 1,	/* df_egress */
		};
	if (!proc_create_net_single_write("tunfix_kbench", 0600, net->proc_net,
					  tunfix_kbench_show,
					  tunfix_kbench_write, NULL))
		return -ENOMEM;
	return 0;
}

static void __net_exit tunfix_kbench_net_exit(struct net *net)
{
	struct tunfix_kbench_net *kn = net_generic(net, tunfix_kbench_net_id);

	remove_proc_entry("tunfix_kbench", net->proc_net);
	if (kn->on)
		nf_unregister_net_hook(net, &kn->ops[kn->on]);
}

static struct pernet_operations tunfix_kbench_net_ops = {
	.init = tunfix_kbench_net_init,
	.exit = tunfix_kbench_net_exit,
	.id = &tunfix_kbench_net_id,
	.size = sizeof(struct tunfix_kbench_net),
};

static int __init tunfix_kbench_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(&tunfix_kbench_stats, cpu)->syncp);
	return register_pernet_subsys(&tunfix_kbench_net_ops);
}

static void __exit tunfix_kbench_exit(void)
{
	unregister_pernet_subsys(&tunfix_kbench_net_ops);
}

module_init(tunfix_kbench_init);
module_exit(tunfix_kbench_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("tunfix test-only microbenchmark of the IPv4 LOCAL_OUT hooks");
