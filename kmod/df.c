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

/* ESP in UDP (RFC 3948): port 4500 at either end. */
static bool tunfix_df_espinudp(const struct sk_buff *skb, unsigned int nhoff,
			       const struct iphdr *iph)
{
	const struct udphdr *uh;
	struct udphdr _uh;

	if (iph->ihl < 5 || (iph->frag_off & htons(IP_OFFSET)))
		return false;
	uh = skb_header_pointer(skb, nhoff + iph->ihl * 4, sizeof(_uh), &_uh);
	return uh && (uh->source == htons(TUNFIX_ESPINUDP_PORT) ||
		      uh->dest == htons(TUNFIX_ESPINUDP_PORT));
}

static inline bool tunfix_df_selected(const struct tunfix_cfg *cfg,
				      const struct sk_buff *skb,
				      unsigned int nhoff,
				      const struct iphdr *iph)
{
	if (test_bit(iph->protocol, cfg->protos))
		return true;
	return iph->protocol == IPPROTO_UDP &&
	       tunfix_cfg_on(cfg, TUNFIX_KNOB_DF_ESP_IN_UDP) &&
	       tunfix_df_espinudp(skb, nhoff, iph);
}

static bool tunfix_dev_is(const struct net_device *dev, const char *name)
{
	return dev && !strncmp(dev->name, name, IFNAMSIZ);
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

/*
 * Look at the IPv4 header at the network offset of @skb and, if it
 * qualifies, clear DF and write a new ID.  @all: every protocol but AH
 * (bridge) rather than the configured ones.  @only_dev: if not empty, only
 * packets going out through @out of that name.  @cleared: counter for a
 * change.  Inlined into each hook, so that the packet path makes no calls
 * of its own besides the ID generator's.
 */
static __always_inline void tunfix_df_fix(struct tunfix_net *tn,
					  const struct tunfix_cfg *cfg,
					  struct sk_buff *skb,
					  const struct nf_hook_state *st,
					  bool all, const char *only_dev,
					  enum tunfix_counter cleared)
{
	unsigned int nhoff = skb_network_offset(skb);
	unsigned int len, ihl, tot_len;
	const struct iphdr *iph;
	struct iphdr *wiph;
	__be32 old;

	if (unlikely(!pskb_may_pull(skb, nhoff + sizeof(*iph)))) {
		tunfix_count(tn, TUNFIX_CNT_SKIP_MALFORMED);
		return;
	}
	iph = (const struct iphdr *)(skb->data + nhoff);
	if (unlikely(iph->protocol == IPPROTO_AH)) {
		tunfix_count(tn, TUNFIX_CNT_SKIP_AH);
		return;
	}
	if (!all && !tunfix_df_selected(cfg, skb, nhoff, iph))
		return;
	if (only_dev[0] && !tunfix_dev_is(st->out, only_dev))
		return;

	tunfix_count(tn, TUNFIX_CNT_DF_SEEN);

	len = skb->len - nhoff;
	ihl = iph->ihl * 4;
	tot_len = ntohs(iph->tot_len);
	if (iph->version != 4 || ihl < sizeof(*iph) || ihl > len ||
	    (!skb_is_gso(skb) &&
	     (tot_len > len || tot_len < ihl + TUNFIX_DF_MIN_PAYLOAD))) {
		tunfix_count(tn, TUNFIX_CNT_SKIP_MALFORMED);
		return;
	}
	if (ihl > sizeof(*iph)) {
		tunfix_count(tn, TUNFIX_CNT_SKIP_OPTIONS);
		return;
	}
	/* Only the bridge path sees headers the IP stack has not checked. */
	if (all && ip_fast_csum(iph, iph->ihl)) {
		tunfix_count(tn, TUNFIX_CNT_SKIP_MALFORMED);
		return;
	}
	if (iph->frag_off & htons(IP_MF | IP_OFFSET)) {
		tunfix_count(tn, TUNFIX_CNT_SKIP_FRAGMENT);
		return;
	}
	if (!(iph->frag_off & htons(IP_DF))) {
		tunfix_count(tn, TUNFIX_CNT_SKIP_NO_DF);
		return;
	}
	if (tot_len < cfg->val[TUNFIX_KNOB_DF_MIN_LEN]) {
		tunfix_count(tn, TUNFIX_CNT_SKIP_SHORT);
		return;
	}
	/* The header is in the head already: pulled above. */
	if (skb_try_make_writable(skb, nhoff + sizeof(*iph))) {
		tunfix_count(tn, TUNFIX_CNT_SKIP_UNWRITABLE);
		return;
	}

	/* id and frag_off are one 32-bit word: one checksum update. */
	wiph = (struct iphdr *)(skb->data + nhoff);
	old = *(__be32 *)&wiph->id;
	wiph->frag_off &= ~htons(IP_DF);
	tunfix_select_ident(st->net, wiph, skb_shinfo(skb)->gso_segs ?: 1);
	csum_replace4(&wiph->check, old, *(__be32 *)&wiph->id);
	tunfix_count(tn, cleared);
	tunfix_count(tn, TUNFIX_CNT_ID_REWRITTEN);

	/*
	 * GRO marks packets whose segments all carried one ID; without DF
	 * they may be fragmented, so let the segments count up from the new
	 * ID instead.  The skb head, shared info included, is ours now.
	 */
	if (skb_is_gso(skb))
		skb_shinfo(skb)->gso_type &= ~SKB_GSO_TCP_FIXEDID;
}

unsigned int tunfix_df_egress_hook(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	struct tunfix_net *tn = priv;
	const struct tunfix_cfg *cfg = rcu_dereference(tn->cfg);

	tunfix_df_fix(tn, cfg, skb, state, false,
		      cfg->ifname[TUNFIX_KNOB_DF_DEV],
		      TUNFIX_CNT_DF_CLEARED_EGRESS);
	return NF_ACCEPT;
}

unsigned int tunfix_df_transit_hook(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	struct tunfix_net *tn = priv;

	/* The output device is not known before routing: no df_dev here. */
	tunfix_df_fix(tn, rcu_dereference(tn->cfg), skb, state, false, "",
		      TUNFIX_CNT_DF_CLEARED_TRANSIT);
	return NF_ACCEPT;
}

/* The ports clearing the inner DF helps: see df_bridge above. */
static bool tunfix_is_tunnel_port(const struct net_device *dev)
{
	return netif_is_gretap(dev);
}

unsigned int tunfix_df_bridge_hook(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	struct tunfix_net *tn = priv;
	const struct tunfix_cfg *cfg;
	const char *port;

	if (skb->protocol != htons(ETH_P_IP) || !state->out)
		return NF_ACCEPT;

	cfg = rcu_dereference(tn->cfg);
	port = cfg->ifname[TUNFIX_KNOB_DF_BRIDGE_DEV];
	if (port[0] ? !tunfix_dev_is(state->out, port) :
		      !tunfix_is_tunnel_port(state->out))
		return NF_ACCEPT;

	tunfix_df_fix(tn, cfg, skb, state, true, "",
		      TUNFIX_CNT_DF_CLEARED_BRIDGE);
	return NF_ACCEPT;
}
