// SPDX-License-Identifier: GPL-2.0
/*
 * tunfix: mark and re-route locally sent DHCP replies.
 *
 * A DHCP server's unicast replies (renewals) go through its UDP socket and
 * are routed like any other packet: into an IPsec tunnel, if one covers the
 * client.  A client that listens on the raw interface never sees them.  At
 * NF_INET_LOCAL_OUT this hook sets a mark on DHCP replies (UDP 67 to 68)
 * that are about to enter IPsec and routes them again, exactly as the
 * mangle table's OUTPUT chain does, so "ip rule fwmark" and mark-keyed xfrm
 * policies decide where they go.  Every other reply is left as the server
 * sent it: routing again loses the interface a server chose per packet
 * (IP_PKTINFO), as ip_route_me_harder() looks up from the socket alone.
 * dhcp_remark_all handles every reply instead.
 *
 * With dhcp_xfrm_bypass on, the new route is taken without an IPsec policy
 * lookup: these packets, and only these, leave in clear.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ip.h>
#include <linux/netdevice.h>
#include <linux/netfilter_ipv4.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/dst.h>
#include <net/ip.h>
#include <net/rtnetlink.h>

#include "core.h"

/* RFC 2131: op, htype, ..., file[128] (236 bytes), then the magic cookie. */
#define TUNFIX_BOOTP_OP_REPLY	2
#define TUNFIX_BOOTP_COOKIE_OFF	236
#define TUNFIX_BOOTP_MIN_LEN	(TUNFIX_BOOTP_COOKIE_OFF + 4)
#define TUNFIX_DHCP_COOKIE	0x63825363

static bool tunfix_dhcp_wellformed(const struct sk_buff *skb,
				   const struct iphdr *iph,
				   const struct udphdr *uh)
{
	unsigned int ihl = iph->ihl * 4;
	unsigned int tot_len = ntohs(iph->tot_len);
	unsigned int ulen = ntohs(uh->len);
	__be32 _cookie;
	const __be32 *cookie;
	u8 _op;
	const u8 *op;

	if (iph->frag_off & htons(IP_MF) || tot_len > skb->len ||
	    tot_len < ihl || ulen < sizeof(*uh) + TUNFIX_BOOTP_MIN_LEN ||
	    ulen > tot_len - ihl)
		return false;

	op = skb_header_pointer(skb, ihl + sizeof(*uh), sizeof(_op), &_op);
	cookie = skb_header_pointer(skb, ihl + sizeof(*uh) +
				    TUNFIX_BOOTP_COOKIE_OFF,
				    sizeof(_cookie), &_cookie);
	return op && cookie && *op == TUNFIX_BOOTP_OP_REPLY &&
	       *cookie == htonl(TUNFIX_DHCP_COOKIE);
}

/*
 * Is the reply about to enter IPsec?  Its route is an IPsec bundle (an xfrm
 * policy covers it: xfrm_lookup_route() in ip_route_output_flow() put the
 * xfrm state on the dst), or it leaves through a route-based IPsec device:
 * an xfrm interface (net/xfrm/xfrm_interface_core.c) or a vti tunnel
 * (net/ipv4/ip_vti.c), whose xmit encrypts.
 */
static bool tunfix_dhcp_into_ipsec(const struct sk_buff *skb,
				   const struct net_device *out)
{
	const struct rtnl_link_ops *ops = out ? out->rtnl_link_ops : NULL;
	const struct dst_entry *dst = skb_dst(skb);

	if (dst && dst_xfrm(dst))
		return true;
	return ops && (!strcmp(ops->kind, "xfrm") || !strcmp(ops->kind, "vti"));
}

/*
 * ip_route_me_harder() routes the packet again, then looks up IPsec policy
 * unless the packet says it has been transformed already.  Say so for the
 * duration of the call, and the IPsec lookup is skipped.
 */
static int tunfix_route_no_xfrm(struct net *net, struct sock *sk,
				struct sk_buff *skb)
{
	u16 flags = IPCB(skb)->flags;
	int err;

	IPCB(skb)->flags |= IPSKB_XFRM_TRANSFORMED;
	err = ip_route_me_harder(net, sk, skb, RTN_UNSPEC);
	IPCB(skb)->flags = flags;
	return err;
}

unsigned int tunfix_dhcp_hook(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	struct tunfix_net *tn = priv;
	const struct tunfix_cfg *cfg;
	const struct udphdr *uh;
	const struct iphdr *iph;
	struct udphdr _uh;
	struct iphdr _iph;
	const char *dev;
	bool bypass;
	u32 counts;
	u32 mark;
	int err;

	/*
	 * A raw socket with IP_HDRINCL can send any version nibble down the
	 * IPv4 path; only a real IPv4 header has ports where we look.
	 */
	iph = skb_header_pointer(skb, 0, sizeof(_iph), &_iph);
	if (!iph || iph->version != 4 || iph->ihl < 5 ||
	    iph->protocol != IPPROTO_UDP || (iph->frag_off & htons(IP_OFFSET)))
		return NF_ACCEPT;
	uh = skb_header_pointer(skb, iph->ihl * 4, sizeof(_uh), &_uh);
	if (!uh || uh->source != htons(TUNFIX_DHCP_SERVER_PORT) ||
	    uh->dest != htons(TUNFIX_DHCP_CLIENT_PORT))
		return NF_ACCEPT;

	/* what happened to the reply, counted once on the way out */
	counts = TUNFIX_CNT(DHCP_SEEN);
	if (!tunfix_dhcp_wellformed(skb, iph, uh)) {
		counts |= TUNFIX_CNT(DHCP_SKIP_MALFORMED);
		goto out;
	}

	cfg = rcu_dereference(tn->cfg);
	dev = cfg->ifname[TUNFIX_KNOB_DHCP_DEV];
	if (dev[0] && (!state->out || strncmp(state->out->name, dev, IFNAMSIZ)))
		goto out;
	if (!tunfix_cfg_on(cfg, TUNFIX_KNOB_DHCP_REMARK_ALL) &&
	    !tunfix_dhcp_into_ipsec(skb, state->out)) {
		counts |= TUNFIX_CNT(DHCP_SKIP_NOT_IPSEC);
		goto out;
	}

	mark = (skb->mark & ~cfg->val[TUNFIX_KNOB_DHCP_MASK]) ^
	       cfg->val[TUNFIX_KNOB_DHCP_MARK];
	bypass = tunfix_cfg_on(cfg, TUNFIX_KNOB_DHCP_XFRM_BYPASS);
	if (mark == skb->mark && !bypass)
		goto out;
	if (mark != skb->mark) {
		skb->mark = mark;
		counts |= TUNFIX_CNT(DHCP_REMARKED);
	}

	if (bypass)
		err = tunfix_route_no_xfrm(state->net, state->sk, skb);
	else
		err = ip_route_me_harder(state->net, state->sk, skb,
					 RTN_UNSPEC);
	if (err) {
		tunfix_count_set(tn, counts | TUNFIX_CNT(DHCP_ERRORS));
		net_warn_ratelimited("DHCP reply to %pI4: re-routing failed: %d\n",
				     &ip_hdr(skb)->daddr, err);
		return NF_DROP_ERR(err);
	}
	counts |= TUNFIX_CNT(DHCP_REROUTED);
	if (bypass)
		counts |= TUNFIX_CNT(DHCP_BYPASSED);
out:
	tunfix_count_set(tn, counts);
	return NF_ACCEPT;
}
