// SPDX-License-Identifier: GPL-2.0
/*
 * tunfix: clear DF and write a fresh IP ID on tunnel packets.
 *
 * Three places, each its own hook, each registered only while its knob is
 * on:
 *
 * df_egress	NF_INET_LOCAL_OUT: GRE/ESP packets this host sends.  The GRE
 *		packet of a gretap passes here before IPsec, and the ESP
 *		packet made from it passes here again.
 * df_transit	NF_INET_PRE_ROUTING: GRE/ESP packets this host forwards.
 *		ip_forward() checks the MTU before the FORWARD hook, so this
 *		is the last place where DF can still be cleared.
 * df_bridge	NF_BR_POST_ROUTING: IPv4 frames leaving a bridge through a
 *		gretap port.  With DF set in the inner header, the tunnel
 *		driver drops a frame that does not fit before any outer
 *		packet exists (tnl_update_pmtu()), so the inner DF goes.
 *		ip6gretap ports are left alone by default: ip6_tnl_xmit()
 *		drops every frame larger than the path allows, DF or not.
 *
 * A packet is changed only if it is a well-formed, unfragmented IPv4
 * packet with DF set and no IP options.  AH is never changed: its ICV
 * covers the IP ID.  Only the fixed IP header is made writable, and the
 * header checksum is updated incrementally.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ip.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/gre.h>
#include <net/ip.h>

#include "core.h"

/* Smallest payload worth the name: a GRE header and more, an ESP header. */
#define TUNFIX_DF_MIN_PAYLOAD	8

/* tunfix_df_check()'s answer when DF may be cleared: not a counter. */
#define TUNFIX_DF_OK		__TUNFIX_CNT_MAX

/*
 * A UDP packet to or from a port of df_udp_ports (ESP in UDP on 4500, RFC
 * 3948; OpenVPN, fastd, tinc, ...).  Only a first fragment has the ports.
 */
static bool tunfix_df_udp_port(const struct tunfix_cfg *cfg,
			       const struct sk_buff *skb,
			       const struct iphdr *iph)
{
	const struct udphdr *uh;
	struct udphdr _uh;
	unsigned int i;

	if (iph->ihl < 5 || (iph->frag_off & htons(IP_OFFSET)))
		return false;
	uh = skb_header_pointer(skb, skb_network_offset(skb) + iph->ihl * 4,
				sizeof(_uh), &_uh);
	if (!uh)
		return false;
	for (i = 0; i < cfg->nports; i++)
		if (uh->source == cfg->ports[i] || uh->dest == cfg->ports[i])
			return true;
	return false;
}

/*
 * The IPv4 header at the network offset, pulled into the head, or NULL
 * (counted as malformed) if the packet is shorter than one.
 */
static __always_inline const struct iphdr *
tunfix_df_iph(struct tunfix_net *tn, struct sk_buff *skb)
{
	if (unlikely(!pskb_may_pull(skb, skb_network_offset(skb) +
				    sizeof(struct iphdr)))) {
		tunfix_count(tn, TUNFIX_CNT_SKIP_MALFORMED);
		return NULL;
	}
	return ip_hdr(skb);
}

/*
 * The protocol policy of df_egress and df_transit: a protocol of
 * df_protocols, or UDP to or from a port of df_udp_ports.  AH never (its
 * ICV covers the IP ID, RFC 4302 section 3.3.3.1.1.1).
 */
static __always_inline bool tunfix_df_selected(struct tunfix_net *tn,
					       const struct tunfix_cfg *cfg,
					       const struct sk_buff *skb,
					       const struct iphdr *iph)
{
	if (unlikely(iph->protocol == IPPROTO_AH)) {
		tunfix_count(tn, TUNFIX_CNT_SKIP_AH);
		return false;
	}
	if (test_bit(iph->protocol, cfg->protos))
		return true;
	if (iph->protocol != IPPROTO_UDP || !cfg->nports)
		return false;
	if (tunfix_df_udp_port(cfg, skb, iph))
		return true;
	tunfix_count(tn, TUNFIX_CNT_SKIP_UDP_PORT);
	return false;
}

/*
 * The fwmark selector of every DF hook: off while df_mask is 0, else only
 * packets with (mark & df_mask) == df_mark.
 */
static __always_inline bool tunfix_df_mark_selected(struct tunfix_net *tn,
						    const struct tunfix_cfg *cfg,
						    const struct sk_buff *skb)
{
	u32 mask = cfg->val[TUNFIX_KNOB_DF_MASK];

	if (likely(!mask) || (skb->mark & mask) == cfg->val[TUNFIX_KNOB_DF_MARK])
		return true;
	tunfix_count(tn, TUNFIX_CNT_SKIP_MARK);
	return false;
}

/**
 * tunfix_df_check - may DF be cleared in this IPv4 header?
 * @skb: the packet, its IPv4 header pulled into the head
 * @iph: that header
 * @verify_csum: check the header checksum too (headers the IP stack has
 *	not checked: bridged frames)
 * @min_len: df_min_len, in bytes of the whole IP packet
 *
 * Only a well-formed, unfragmented packet with DF set and no IP options
 * qualifies (RFC 791; a fragment's ID must stay that of its siblings).
 *
 * Return: TUNFIX_DF_OK, or the TUNFIX_CNT_SKIP_* counter of the reason.
 */
static __always_inline unsigned int
tunfix_df_check(const struct sk_buff *skb, const struct iphdr *iph,
		bool verify_csum, u32 min_len)
{
	unsigned int len = skb->len - skb_network_offset(skb);
	unsigned int ihl = iph->ihl * 4;
	unsigned int tot_len = ntohs(iph->tot_len);

	if (iph->version != 4 || ihl < sizeof(*iph) || ihl > len ||
	    (!skb_is_gso(skb) &&
	     (tot_len > len || tot_len < ihl + TUNFIX_DF_MIN_PAYLOAD)))
		return TUNFIX_CNT_SKIP_MALFORMED;
	if (ihl > sizeof(*iph))
		return TUNFIX_CNT_SKIP_OPTIONS;
	if (verify_csum && ip_fast_csum(iph, iph->ihl))
		return TUNFIX_CNT_SKIP_MALFORMED;
	if (iph->frag_off & htons(IP_MF | IP_OFFSET))
		return TUNFIX_CNT_SKIP_FRAGMENT;
	if (!(iph->frag_off & htons(IP_DF)))
		return TUNFIX_CNT_SKIP_NO_DF;
	if (tot_len < min_len)
		return TUNFIX_CNT_SKIP_SHORT;
	return TUNFIX_DF_OK;
}

/*
 * A fresh ID from the kernel's generator for @segs segments.  ID 0 is what
 * Linux gives DF packets that are never to be fragmented, so a fragmented
 * packet should not carry it: if the range of IDs the segments will use
 * contains 0, take the next range instead.
 */
static void tunfix_select_ident(struct net *net, struct iphdr *iph, int segs)
{
	__ip_select_ident(net, iph, segs);
	if (unlikely(!iph->id || ntohs(iph->id) + segs > 0x10000))
		__ip_select_ident(net, iph, segs);
}

/**
 * tunfix_df_rewrite - clear DF and write a new IP ID
 * @net: the namespace whose ID generator to use
 * @skb: a packet tunfix_df_check() accepted
 *
 * Makes only the fixed IPv4 header writable (as xt_TCPMSS.c does for the
 * bytes it changes) and updates the header checksum incrementally.
 *
 * Return: 0, or -ENOMEM if the header could not be made writable.
 */
static __always_inline int tunfix_df_rewrite(struct net *net,
					     struct sk_buff *skb)
{
	unsigned int nhoff = skb_network_offset(skb);
	struct iphdr *iph;
	__be32 old;

	/* The header is in the head already: pulled by tunfix_df_iph(). */
	if (skb_try_make_writable(skb, nhoff + sizeof(*iph)))
		return -ENOMEM;

	/* id and frag_off are one 32-bit word: one checksum update. */
	iph = ip_hdr(skb);
	old = *(__be32 *)&iph->id;
	iph->frag_off &= ~htons(IP_DF);
	tunfix_select_ident(net, iph, skb_shinfo(skb)->gso_segs ?: 1);
	csum_replace4(&iph->check, old, *(__be32 *)&iph->id);

	/*
	 * GRO marks packets whose segments all carried one ID; without DF
	 * they may be fragmented, so let the segments count up from the new
	 * ID instead.  The skb head, shared info included, is ours now.
	 */
	if (skb_is_gso(skb))
		skb_shinfo(skb)->gso_type &= ~SKB_GSO_TCP_FIXEDID;
	return 0;
}

/*
 * Check and rewrite a packet a hook's policy selected, if the fwmark
 * selector takes it too, and count what happened (one update of the
 * counters): @cleared names the hook.
 */
static __always_inline void tunfix_df_apply(struct tunfix_net *tn,
					    const struct tunfix_cfg *cfg,
					    struct sk_buff *skb,
					    const struct nf_hook_state *st,
					    bool verify_csum,
					    enum tunfix_counter cleared)
{
	u32 counts = TUNFIX_CNT(DF_SEEN);
	unsigned int why;

	if (!tunfix_df_mark_selected(tn, cfg, skb))
		return;
	why = tunfix_df_check(skb, ip_hdr(skb), verify_csum,
			      cfg->val[TUNFIX_KNOB_DF_MIN_LEN]);
	if (likely(why == TUNFIX_DF_OK && !tunfix_df_rewrite(st->net, skb))) {
		tunfix_count_set(tn, counts | BIT(cleared) |
				 TUNFIX_CNT(ID_REWRITTEN));
		return;
	}
	if (why != TUNFIX_DF_OK)
		counts |= BIT(why);
	else	/* the header could not be made writable */
		counts |= TUNFIX_CNT(SKIP_UNWRITABLE);
	tunfix_count_set(tn, counts);
}

static bool tunfix_dev_is(const struct net_device *dev, const char *name)
{
	return dev && !strncmp(dev->name, name, IFNAMSIZ);
}

/*
 * The fast path of df_egress and df_transit: true for a packet their
 * protocol policy cannot select (not in df_protocols, not UDP while
 * df_udp_ports is set, not AH, which is counted), its IPv4 header in the
 * head.  It makes no call, so a packet that does not match leaves the
 * hook without the cost of a stack frame; every other packet takes the
 * full checks below.
 */
static __always_inline bool tunfix_df_unselected(const struct tunfix_cfg *cfg,
						 const struct sk_buff *skb)
{
	u8 proto;

	if (unlikely(skb_headlen(skb) <
		     skb_network_offset(skb) + sizeof(struct iphdr)))
		return false;
	proto = ip_hdr(skb)->protocol;
	if (test_bit(proto, cfg->protos))
		return false;
	if (proto == IPPROTO_UDP)
		return !cfg->nports;
	return proto != IPPROTO_AH;
}

/*
 * df_egress's full checks: the protocol policy, and df_dev if set.  It
 * returns the hook's verdict, so that the hook ends in a jump, not a call
 * and a return (Documentation/benchmark.rst, "Where the time goes").
 */
static noinline unsigned int tunfix_df_egress(struct tunfix_net *tn,
					      const struct tunfix_cfg *cfg,
					      struct sk_buff *skb,
					      const struct nf_hook_state *state)
{
	const char *dev = cfg->ifname[TUNFIX_KNOB_DF_DEV];
	const struct iphdr *iph = tunfix_df_iph(tn, skb);

	if (!iph || !tunfix_df_selected(tn, cfg, skb, iph))
		return NF_ACCEPT;
	if (dev[0] && !tunfix_dev_is(state->out, dev))
		return NF_ACCEPT;
	tunfix_df_apply(tn, cfg, skb, state, false,
			TUNFIX_CNT_DF_CLEARED_EGRESS);
	return NF_ACCEPT;
}

unsigned int tunfix_df_egress_hook(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	struct tunfix_net *tn = priv;
	const struct tunfix_cfg *cfg = rcu_dereference(tn->cfg);

	if (likely(tunfix_df_unselected(cfg, skb)))
		return NF_ACCEPT;
	return tunfix_df_egress(tn, cfg, skb, state);
}

/*
 * df_transit's full checks: the protocol policy (no output device yet).
 * It returns the hook's verdict, as tunfix_df_egress() does.
 */
static noinline unsigned int tunfix_df_transit(struct tunfix_net *tn,
					       const struct tunfix_cfg *cfg,
					       struct sk_buff *skb,
					       const struct nf_hook_state *state)
{
	const struct iphdr *iph = tunfix_df_iph(tn, skb);

	if (!iph || !tunfix_df_selected(tn, cfg, skb, iph))
		return NF_ACCEPT;
	tunfix_df_apply(tn, cfg, skb, state, false,
			TUNFIX_CNT_DF_CLEARED_TRANSIT);
	return NF_ACCEPT;
}

unsigned int tunfix_df_transit_hook(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	struct tunfix_net *tn = priv;
	const struct tunfix_cfg *cfg = rcu_dereference(tn->cfg);

	if (likely(tunfix_df_unselected(cfg, skb)))
		return NF_ACCEPT;
	return tunfix_df_transit(tn, cfg, skb, state);
}

/* The ports clearing the inner DF helps: see df_bridge above. */
static bool tunfix_is_tunnel_port(const struct net_device *dev)
{
	return netif_is_gretap(dev);
}

/*
 * df_bridge: IPv4 frames leaving through a gretap port (or df_bridge_dev),
 * whatever they carry but AH; their headers are checked in full.
 */
unsigned int tunfix_df_bridge_hook(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	struct tunfix_net *tn = priv;
	const struct tunfix_cfg *cfg;
	const struct iphdr *iph;
	const char *port;

	if (skb->protocol != htons(ETH_P_IP) || !state->out)
		return NF_ACCEPT;

	cfg = rcu_dereference(tn->cfg);
	port = cfg->ifname[TUNFIX_KNOB_DF_BRIDGE_DEV];
	if (port[0] ? !tunfix_dev_is(state->out, port) :
		      !tunfix_is_tunnel_port(state->out))
		return NF_ACCEPT;

	iph = tunfix_df_iph(tn, skb);
	if (!iph)
		return NF_ACCEPT;
	if (unlikely(iph->protocol == IPPROTO_AH)) {
		tunfix_count(tn, TUNFIX_CNT_SKIP_AH);
		return NF_ACCEPT;
	}
	tunfix_df_apply(tn, cfg, skb, state, true,
			TUNFIX_CNT_DF_CLEARED_BRIDGE);
	return NF_ACCEPT;
}
