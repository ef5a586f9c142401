// SPDX-License-Identifier: GPL-2.0
/*
 * tunfixctl doctor: look at the network namespace for what breaks the
 * scenarios tunfix is for, and print the command that fixes each finding.
 * Links and rules are read over rtnetlink, nftables rules and IPsec
 * SAs over their netlink families, all with libmnl.  With -j, one
 * object: {"version", "netns", "findings": [{"problem", "fix": [...]}]}.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/if_tunnel.h>
#include <linux/ip6_tunnel.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <linux/xfrm.h>
#include <arpa/inet.h>

#include "tunfixctl.h"

static int findings;

/* A problem and one or two commands that fix it. */
static void finding(const char *what, const char *fix1, const char *fix2)
{
	if (json) {
		fputs(findings ? ",{\"problem\":" : "{\"problem\":", stdout);
		json_str(what);
		fputs(",\"fix\":[", stdout);
		json_str(fix1);
		if (fix2) {
			putchar(',');
			json_str(fix2);
		}
		fputs("]}", stdout);
	} else {
		printf("! %s\n", what);
		printf("    fix: %s\n", fix1);
		if (fix2)
			printf("     or: %s\n", fix2);
	}
	findings++;
}

/* Send a dump request and feed every answer to cb. */
static int dump_proto(int proto, int type, int family, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct rtgenmsg *g;
	struct nfgenmsg *nfg;
	unsigned int seq = time(NULL), portid;
	int ret;

	nl = mnl_socket_open(proto);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		mnl_socket_close(nl);
		return ret;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	if (proto == NETLINK_ROUTE) {
		g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
		g->rtgen_family = family;
	} else if (proto == NETLINK_NETFILTER) {
		nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
		nfg->nfgen_family = family;
		nfg->version = NFNETLINK_V0;
	}
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		mnl_socket_close(nl);
		return ret;
	}
	for (;;) {
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret <= 0)
			break;
		ret = mnl_cb_run(buf, ret, seq, portid, cb, data);
		if (ret <= MNL_CB_STOP)
			break;
	}
	ret = ret < 0 ? -errno : 0;
	mnl_socket_close(nl);
	return ret;
}

static int dump(int type, int family, mnl_cb_t cb, void *data)
{
	return dump_proto(NETLINK_ROUTE, type, family, cb, data);
}

#define DOCTOR_MAX_LINKS 4096

/* The GRE device kinds (IFLA_INFO_KIND) and what sets them apart. */
struct gre_kind {
	const char *name;
	bool v6;			/* ip6_gre.c: no pmtudisc mode */
	bool tap;			/* Ethernet frames, can be bridged */
};

static const struct gre_kind gre_kinds[] = {
	{ "gre", false, false },
	{ "gretap", false, true },
	{ "ip6gre", true, false },
	{ "ip6gretap", true, true },
};

/* What doctor needs of one link. */
struct link {
	char name[TUNFIX_IFNAMSIZ];
	char kind[16];			/* IFLA_INFO_KIND, "" if none */
	const struct gre_kind *gre;	/* NULL if not GRE */
	uint32_t ifindex, mtu, master;
	/* gre, gretap, ip6gre, ip6gretap (IFLA_GRE_*) */
	int pmtudisc, ignore_df;
	uint32_t gre_link;		/* underlying device, 0 if none */
	uint16_t oflags;		/* GRE_CSUM, GRE_KEY, GRE_SEQ (__be16) */
	uint32_t ip6_flags;		/* IP6_TNL_F_* */
	struct in6_addr remote6;
};

struct link_ctx {
	uint32_t df_bridge, df_egress;
	struct link *links;		/* every link of the namespace */
	unsigned int n;
};

static const struct gre_kind *gre_kind(const char *kind)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(gre_kinds); i++)
		if (!strcmp(kind, gre_kinds[i].name))
			return &gre_kinds[i];
	return NULL;
}

static void link_gre(struct link *l, const struct nlattr *data)
{
	const struct nlattr *a;

	/* the default of gre/gretap; ip6gre has no such mode */
	l->pmtudisc = !l->gre->v6;
	if (!data)
		return;
	mnl_attr_for_each_nested(a, data) {
		switch (mnl_attr_get_type(a)) {
		case IFLA_GRE_PMTUDISC:
			if (mnl_attr_get_payload_len(a) >= 1)
				l->pmtudisc = mnl_attr_get_u8(a);
			break;
		case IFLA_GRE_IGNORE_DF:
			if (mnl_attr_get_payload_len(a) >= 1)
				l->ignore_df = mnl_attr_get_u8(a);
			break;
		case IFLA_GRE_LINK:
			if (mnl_attr_get_payload_len(a) >= 4)
				l->gre_link = mnl_attr_get_u32(a);
			break;
		case IFLA_GRE_OFLAGS:
			if (mnl_attr_get_payload_len(a) >= 2)
				l->oflags = mnl_attr_get_u16(a);
			break;
		case IFLA_GRE_FLAGS:
			if (mnl_attr_get_payload_len(a) >= 4)
				l->ip6_flags = mnl_attr_get_u32(a);
			break;
		case IFLA_GRE_REMOTE:
			if (mnl_attr_get_payload_len(a) >= sizeof(l->remote6))
				memcpy(&l->remote6, mnl_attr_get_payload(a),
				       sizeof(l->remote6));
			break;
		}
	}
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct nlattr *tb[IFLA_MAX + 1] = {}, *info[IFLA_INFO_MAX + 1] = {};
	struct link_ctx *ctx = data;
	const struct nlattr *a;
	struct link *l;

	if (ctx->n >= DOCTOR_MAX_LINKS)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*ifi))
		if (mnl_attr_get_type(a) <= IFLA_MAX)
			tb[mnl_attr_get_type(a)] = (struct nlattr *)a;
	if (!tb[IFLA_IFNAME] ||
	    mnl_attr_validate(tb[IFLA_IFNAME], MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_OK;
	l = &ctx->links[ctx->n++];
	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	l->ifindex = ifi->ifi_index;
	if (tb[IFLA_MTU] && mnl_attr_get_payload_len(tb[IFLA_MTU]) >= 4)
		l->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_MASTER] && mnl_attr_get_payload_len(tb[IFLA_MASTER]) >= 4)
		l->master = mnl_attr_get_u32(tb[IFLA_MASTER]);
	if (!tb[IFLA_LINKINFO])
		return MNL_CB_OK;
	mnl_attr_for_each_nested(a, tb[IFLA_LINKINFO])
		if (mnl_attr_get_type(a) <= IFLA_INFO_MAX)
			info[mnl_attr_get_type(a)] = (struct nlattr *)a;
	if (!info[IFLA_INFO_KIND] ||
	    mnl_attr_validate(info[IFLA_INFO_KIND], MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_OK;
	snprintf(l->kind, sizeof(l->kind), "%s",
		 mnl_attr_get_str(info[IFLA_INFO_KIND]));
	l->gre = gre_kind(l->kind);
	if (l->gre)
		link_gre(l, info[IFLA_INFO_DATA]);
	return MNL_CB_OK;
}

static const struct link *link_by_index(const struct link_ctx *ctx,
					uint32_t ifindex)
{
	unsigned int i;

	for (i = 0; i < ctx->n; i++)
		if (ctx->links[i].ifindex == ifindex)
			return &ctx->links[i];
	return NULL;
}

static bool link_exists(const struct link_ctx *ctx, const char *name)
{
	unsigned int i;

	if (ctx->n >= DOCTOR_MAX_LINKS)
		return true;	/* too many to tell */
	for (i = 0; i < ctx->n; i++)
		if (!strcmp(ctx->links[i].name, name))
			return true;
	return false;
}

static int route_oif_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct rtmsg))
		if (mnl_attr_get_type(a) == RTA_OIF &&
		    mnl_attr_get_payload_len(a) >= 4)
			*(uint32_t *)data = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

/* The device the IPv6 route to dst leaves through (RTM_GETROUTE), or 0. */
static uint32_t route_oif6(const struct in6_addr *dst)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int seq = time(NULL), portid;
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	uint32_t oif = 0;
	int ret;

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return 0;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto out;
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = 128;
	mnl_attr_put(nlh, RTA_DST, sizeof(*dst), dst);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto out;
	ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (ret > 0)
		mnl_cb_run(buf, ret, seq, portid, route_oif_cb, &oif);
out:
	mnl_socket_close(nl);
	return oif;
}

/*
 * The largest frame an ip6gretap sends whole: its path MTU less the outer
 * IPv6 header, the GRE header (gre_calc_hlen()), the encapsulation limit
 * option unless ignored (RFC 2473) and the inner Ethernet header, as
 * ip6gre_tnl_link_config_route() computes the default MTU.  0 if unknown.
 */
static uint32_t ip6gretap_fit(const struct link_ctx *ctx, const struct link *l)
{
	uint32_t lower = l->gre_link ? l->gre_link : route_oif6(&l->remote6);
	const struct link *dev = lower ? link_by_index(ctx, lower) : NULL;
	uint32_t over = 40 + 4 + 14;

	if (!dev || !dev->mtu)
		return 0;
	over += 4 * !!(l->oflags & GRE_CSUM) + 4 * !!(l->oflags & GRE_KEY) +
		4 * !!(l->oflags & GRE_SEQ);
	if (!(l->ip6_flags & IP6_TNL_F_IGN_ENCAP_LIMIT))
		over += 8;
	return dev->mtu > over ? dev->mtu - over : 0;
}

/*
 * A GRE device that copies or checks DF: gre and gretap report pmtudisc
 * and ignore_df (IFLA_GRE_PMTUDISC, IFLA_GRE_IGNORE_DF).  A bridged gretap
 * in pmtudisc mode drops full-size frames that are not IPv4 in
 * tnl_update_pmtu() (net/ipv4/ip_tunnel.c): no DF to clear there.  An
 * ip6gretap drops every frame larger than its path carries, DF or not
 * (ip6_tnl_xmit() in net/ipv6/ip6_tunnel.c).
 */
static void check_link(const struct link_ctx *ctx, const struct link *l)
{
	char what[300], fix1[160], fix2[160];
	uint32_t fit;

	if (!l->gre)
		return;
	if (l->gre->v6 && l->gre->tap && l->master) {
		fit = ip6gretap_fit(ctx, l);
		if (!fit || l->mtu <= fit)
			return;
		snprintf(what, sizeof(what),
			 "%s %s is bridged with MTU %u, but its path carries frames up to %u: larger frames are dropped, with or without DF, and tunfix cannot help",
			 l->kind, l->name, l->mtu, fit);
		snprintf(fix1, sizeof(fix1),
			 "ip link set %s mtu %u, the same MTU on the LAN's hosts, and clamp TCP MSS (nft: tcp flags syn tcp option maxseg size set rt mtu)",
			 l->name, fit);
		snprintf(fix2, sizeof(fix2), "carry the LAN over gretap on IPv4 (nopmtudisc ignore-df)");
		finding(what, fix1, fix2);
		return;
	}
	if (!l->pmtudisc || l->ignore_df)
		return;

	snprintf(fix2, sizeof(fix2), "ip link set %s type %s nopmtudisc ignore-df",
		 l->name, l->kind);
	if (!l->gre->v6 && l->gre->tap && l->master) {
		snprintf(what, sizeof(what),
			 "%s %s is bridged in pmtudisc mode: full-size IPv6 (and other non-IPv4) frames are dropped by the tunnel, whatever tunfix's settings",
			 l->kind, l->name);
		finding(what, fix2, NULL);
	}
	if (l->gre->tap && (!ctx->df_bridge || !ctx->df_egress)) {
		snprintf(what, sizeof(what),
			 "%s %s is in pmtudisc mode without ignore-df: bridged full-size IPv4 frames with DF are dropped, and outer packets get DF",
			 l->kind, l->name);
		snprintf(fix1, sizeof(fix1), "tunfixctl set %s=1 %s=1",
			 knobs[TUNFIX_KNOB_DF_BRIDGE].name,
			 knobs[TUNFIX_KNOB_DF_EGRESS].name);
		finding(what, fix1, fix2);
	} else if (!l->gre->tap && !ctx->df_egress) {
		snprintf(what, sizeof(what),
			 "%s %s copies DF into its outer packets: a PMTU black hole on the path drops them",
			 l->kind, l->name);
		snprintf(fix1, sizeof(fix1), "tunfixctl set %s=1",
			 knobs[TUNFIX_KNOB_DF_EGRESS].name);
		finding(what, fix1, fix2);
	}
}

struct rule_ctx {
	uint32_t mark;		/* dhcp_mark */
	uint32_t mask;		/* dhcp_mask: the bits tunfix sets */
	int found;
};

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rule_ctx *ctx = data;
	const struct nlattr *a;
	uint32_t mark = 0, mask = 0xffffffff;
	int has_mark = 0;

	mnl_attr_for_each(a, nlh, sizeof(struct fib_rule_hdr)) {
		if (mnl_attr_get_type(a) == FRA_FWMARK) {
			mark = mnl_attr_get_u32(a);
			has_mark = 1;
		} else if (mnl_attr_get_type(a) == FRA_FWMASK) {
			mask = mnl_attr_get_u32(a);
		}
	}
	/*
	 * A re-marked reply carries dhcp_mark in the dhcp_mask bits; the
	 * other bits are what the packet had.  A rule that looks at those
	 * too may or may not match: give it the benefit of the doubt.
	 */
	if (has_mark && mark && (ctx->mark & mask & ctx->mask) ==
				(mark & ctx->mask))
		ctx->found = 1;
	return MNL_CB_OK;
}

/* IPsec policies that capture DHCP replies, and bypasses */
struct xfrm_ctx {
	uint32_t mark;			/* dhcp_mark when re-marking is on */
	int marking;
	uint32_t capture_prio;		/* lowest priority number capturing */
	char capture[160];
	uint32_t bypass_prio;		/* lowest priority number bypassing */
};

static int sel_covers_dhcp(const struct xfrm_selector *sel)
{
	return sel->family == AF_INET &&
	       (sel->proto == 0 || sel->proto == IPPROTO_UDP) &&
	       (sel->sport & sel->sport_mask) ==
	       (htons(TUNFIX_DHCP_SERVER_PORT) & sel->sport_mask) &&
	       (sel->dport & sel->dport_mask) ==
	       (htons(TUNFIX_DHCP_CLIENT_PORT) & sel->dport_mask);
}

static int xfrm_cb(const struct nlmsghdr *nlh, void *data)
{
	struct xfrm_userpolicy_info pol, *p = &pol;
	struct xfrm_ctx *ctx = data;
	struct xfrm_mark mark, *m = NULL;
	const struct nlattr *a;
	char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
	int tmpl = 0;

	/* netlink data is 4-byte aligned, the policy has u64s: copy it */
	if (nlh->nlmsg_type != XFRM_MSG_NEWPOLICY ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(pol))
		return MNL_CB_OK;
	memcpy(&pol, mnl_nlmsg_get_payload(nlh), sizeof(pol));
	if (p->dir != XFRM_POLICY_OUT || p->action != XFRM_POLICY_ALLOW ||
	    !sel_covers_dhcp(&p->sel))
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(pol)) {
		if (mnl_attr_get_type(a) == XFRMA_TMPL) {
			tmpl = 1;
		} else if (mnl_attr_get_type(a) == XFRMA_MARK &&
			   mnl_attr_get_payload_len(a) >= sizeof(mark)) {
			memcpy(&mark, mnl_attr_get_payload(a), sizeof(mark));
			m = &mark;
		}
	}
	if (m && m->m && (!ctx->marking || (ctx->mark & m->m) != m->v))
		return MNL_CB_OK;	/* keyed to a mark DHCP replies lack */
	if (!tmpl) {
		if (p->priority < ctx->bypass_prio)
			ctx->bypass_prio = p->priority;
		return MNL_CB_OK;
	}
	if (p->priority < ctx->capture_prio) {
		ctx->capture_prio = p->priority;
		inet_ntop(AF_INET, &p->sel.saddr.a4, src, sizeof(src));
		inet_ntop(AF_INET, &p->sel.daddr.a4, dst, sizeof(dst));
		snprintf(ctx->capture, sizeof(ctx->capture), "%s/%u -> %s/%u",
			 src, p->sel.prefixlen_s, dst, p->sel.prefixlen_d);
	}
	return MNL_CB_OK;
}

static int check_xfrm(uint32_t mark, uint32_t bypass)
{
	struct xfrm_ctx ctx = {
		.mark = mark, .marking = 1,
		.capture_prio = UINT32_MAX, .bypass_prio = UINT32_MAX,
	};
	char what[300], fix[200], knob[64];
	int e;

	e = dump_proto(NETLINK_XFRM, XFRM_MSG_GETPOLICY, AF_UNSPEC, xfrm_cb, &ctx);
	if (e == -EPROTONOSUPPORT)
		return 0;	/* no xfrm in this kernel: no policies */
	if (e)
		return e;
	if (ctx.capture_prio == UINT32_MAX || bypass ||
	    ctx.bypass_prio < ctx.capture_prio)
		return 0;
	snprintf(what, sizeof(what),
		 "IPsec policy %s (priority %u) captures DHCP replies even after re-marking, and nothing bypasses it",
		 ctx.capture, ctx.capture_prio);
	snprintf(fix, sizeof(fix),
		 "ip xfrm policy add src 0.0.0.0/0 dst 0.0.0.0/0 proto udp sport %d dport %d dir out priority %u action allow",
		 TUNFIX_DHCP_SERVER_PORT, TUNFIX_DHCP_CLIENT_PORT,
		 ctx.capture_prio ? ctx.capture_prio - 1 : 0);
	snprintf(knob, sizeof(knob), "tunfixctl set %s=1",
		 knobs[TUNFIX_KNOB_DHCP_XFRM_BYPASS].name);
	finding(what, fix, knob);
	return 0;
}

static int dump_failed(const char *what, int e)
{
	err("reading %s: %s", what, strerror(-e));
	return exit_status(-e);
}

/* A device knob names a device that is not there while its switch is on. */
static void check_dev_knob(const struct link_ctx *lctx, enum tunfix_knob dev,
			   enum tunfix_knob feature)
{
	char val[KNOB_BUFLEN], what[256], fix[96];
	uint32_t on;

	if (knob_read(&knobs[dev], val, sizeof(val)) || !*val ||
	    !knob_read_u32(feature, &on) || !on || link_exists(lctx, val))
		return;
	snprintf(what, sizeof(what),
		 "%s is on but %s names '%s', and there is no such device here: nothing is handled",
		 knobs[feature].name, knobs[dev].name, val);
	snprintf(fix, sizeof(fix), "tunfixctl set %s=", knobs[dev].name);
	finding(what, fix, NULL);
}

/* df_egress is on but df_protocols is empty. */
static void check_protocols(const struct link_ctx *lctx)
{
	const struct knob *k = &knobs[TUNFIX_KNOB_DF_PROTOCOLS];
	char val[KNOB_BUFLEN], what[256], fix[96];

	if (!lctx->df_egress || knob_read(k, val, sizeof(val)) || *val)
		return;
	snprintf(what, sizeof(what), "%s is on but %s is empty: nothing is handled",
		 knobs[TUNFIX_KNOB_DF_EGRESS].name, k->name);
	snprintf(fix, sizeof(fix), "tunfixctl set %s=%s", k->name, k->def);
	finding(what, fix, NULL);
}

/* DHCP re-marking without an ip rule for the mark, or captured by IPsec. */
static int check_dhcp(void)
{
	struct rule_ctx rctx = {};
	uint32_t remark = 0, bypass = 0, mask = 0xffffffff;
	char what[256], fix[160];
	int e;

	if (!knob_read_u32(TUNFIX_KNOB_DHCP_REMARK, &remark) || !remark ||
	    !knob_read_u32(TUNFIX_KNOB_DHCP_MARK, &rctx.mark))
		return EXIT_OK;
	knob_read_u32(TUNFIX_KNOB_DHCP_MASK, &mask);
	rctx.mask = mask;
	e = dump(RTM_GETRULE, AF_INET, rule_cb, &rctx);
	if (e)
		return dump_failed("ip rules", e);
	if (!rctx.found) {
		snprintf(what, sizeof(what),
			 "%s is on but no ip rule matches mark %#x: re-marked DHCP replies are routed as before",
			 knobs[TUNFIX_KNOB_DHCP_REMARK].name, rctx.mark);
		snprintf(fix, sizeof(fix),
			 "ip rule add fwmark %#x table 20 && ip route add CLIENT_NET dev RAW_DEV table 20",
			 rctx.mark);
		finding(what, fix, NULL);
	}
	if (!knob_read_u32(TUNFIX_KNOB_DHCP_XFRM_BYPASS, &bypass))
		bypass = 0;
	e = check_xfrm(rctx.mark, bypass);
	if (e)
		return dump_failed("IPsec policies", e);
	return EXIT_OK;
}

/*
 * Does anything set a packet mark the fwmark selector could see?  An nft
 * rule "meta mark set" (a meta expression with a source register and key
 * mark), an iptables-nft MARK or CONNMARK target, or an IPsec SA with an
 * output mark (XFRMA_SET_MARK).  tc and SO_MARK cannot be seen from here.
 */
static bool nft_expr_sets_mark(const struct nlattr *expr)
{
	const struct nlattr *a, *name = NULL, *data = NULL;
	uint32_t key = UINT32_MAX;
	bool sreg = false;

	mnl_attr_for_each_nested(a, expr) {
		if (mnl_attr_get_type(a) == NFTA_EXPR_NAME)
			name = a;
		else if (mnl_attr_get_type(a) == NFTA_EXPR_DATA)
			data = a;
	}
	if (!name || !data)
		return false;
	if (!strcmp(mnl_attr_get_str(name), "target")) {
		mnl_attr_for_each_nested(a, data)
			if (mnl_attr_get_type(a) == NFTA_TARGET_NAME)
				return !strcmp(mnl_attr_get_str(a), "MARK") ||
				       !strcmp(mnl_attr_get_str(a), "CONNMARK");
		return false;
	}
	if (strcmp(mnl_attr_get_str(name), "meta"))
		return false;
	mnl_attr_for_each_nested(a, data) {
		if (mnl_attr_get_type(a) == NFTA_META_SREG)
			sreg = true;
		else if (mnl_attr_get_type(a) == NFTA_META_KEY)
			key = ntohl(mnl_attr_get_u32(a));
	}
	return sreg && key == NFT_META_MARK;
}

static int nft_rule_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a, *e;
	bool *found = data;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) != NFTA_RULE_EXPRESSIONS)
			continue;
		mnl_attr_for_each_nested(e, a)
			if (nft_expr_sets_mark(e))
				*found = true;
	}
	return MNL_CB_OK;
}

static int xfrm_sa_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;
	bool *found = data;

	if (nlh->nlmsg_type != XFRM_MSG_NEWSA)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(struct xfrm_usersa_info))
		if (mnl_attr_get_type(a) == XFRMA_SET_MARK &&
		    mnl_attr_get_u32(a))
			*found = true;
	return MNL_CB_OK;
}

/* The fwmark selector of the DF hooks can never match, or nothing marks. */
static int check_mark_selector(const struct link_ctx *lctx)
{
	uint32_t mark, mask, transit = 0;
	char what[300], fix[120], fix2[96];
	bool found = false;
	int e;

	knob_read_u32(TUNFIX_KNOB_DF_TRANSIT, &transit);
	if (!knob_read_u32(TUNFIX_KNOB_DF_MARK, &mark) ||
	    !knob_read_u32(TUNFIX_KNOB_DF_MASK, &mask) || !mask ||
	    !(lctx->df_egress || lctx->df_bridge || transit))
		return EXIT_OK;
	snprintf(fix2, sizeof(fix2), "tunfixctl set %s=0",
		 knobs[TUNFIX_KNOB_DF_MASK].name);
	if (mark & ~mask) {
		snprintf(what, sizeof(what),
			 "%s %#x has bits outside %s %#x: no packet can match, the DF hooks change nothing",
			 knobs[TUNFIX_KNOB_DF_MARK].name, mark,
			 knobs[TUNFIX_KNOB_DF_MASK].name, mask);
		snprintf(fix, sizeof(fix), "tunfixctl set %s=%#x",
			 knobs[TUNFIX_KNOB_DF_MARK].name, mark & mask);
		finding(what, fix, fix2);
		return EXIT_OK;
	}
	e = dump_proto(NETLINK_NETFILTER,
		       NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETRULE,
		       AF_UNSPEC, nft_rule_cb, &found);	/* NFPROTO_UNSPEC */
	if (e && e != -EPROTONOSUPPORT)
		return dump_failed("nftables rules", e);
	if (!found) {
		e = dump_proto(NETLINK_XFRM, XFRM_MSG_GETSA, AF_UNSPEC,
			       xfrm_sa_cb, &found);
		if (e && e != -EPROTONOSUPPORT)
			return dump_failed("IPsec SAs", e);
	}
	if (found)
		return EXIT_OK;
	snprintf(what, sizeof(what),
		 "the fwmark selector is on (%s %#x, %s %#x) but no nft or iptables rule and no IPsec SA sets a mark here: unless tc or a socket's SO_MARK does, the DF hooks change nothing",
		 knobs[TUNFIX_KNOB_DF_MARK].name, mark,
		 knobs[TUNFIX_KNOB_DF_MASK].name, mask);
	snprintf(fix, sizeof(fix),
		 "nft add rule ip TABLE CHAIN ... meta mark set mark or %#x (priority mangle)",
		 mark);
	finding(what, fix, fix2);
	return EXIT_OK;
}

int cmd_doctor(int argc, char **argv)
{
	struct link_ctx lctx = {};
	unsigned int i;
	bool loaded;
	int e, rc = EXIT_OK;

	if (argc > 1) {
		err("doctor: unexpected '%s'", argv[1]);
		return EXIT_USAGE;
	}
	lctx.links = calloc(DOCTOR_MAX_LINKS, sizeof(*lctx.links));
	if (!lctx.links) {
		err("out of memory");
		return EXIT_IO;
	}
	if (json) {
		json_head();
		fputs(",\"findings\":[", stdout);
	}
	loaded = knob_read_u32(TUNFIX_KNOB_DF_BRIDGE, &lctx.df_bridge) &&
		 knob_read_u32(TUNFIX_KNOB_DF_EGRESS, &lctx.df_egress);
	if (!loaded) {
		/* still worth a look at the tunnels: ignore-df needs no module */
		lctx.df_bridge = lctx.df_egress = 0;
		finding("tunfix is not loaded in this network namespace",
			MODPROBE_HINT, NULL);
	}
	e = dump(RTM_GETLINK, AF_UNSPEC, link_cb, &lctx);
	if (e) {
		rc = dump_failed("links", e);
		goto out;
	}
	for (i = 0; i < lctx.n; i++)
		check_link(&lctx, &lctx.links[i]);
	if (!loaded)
		goto out;
	check_protocols(&lctx);
	check_dev_knob(&lctx, TUNFIX_KNOB_DF_DEV, TUNFIX_KNOB_DF_EGRESS);
	check_dev_knob(&lctx, TUNFIX_KNOB_DF_BRIDGE_DEV, TUNFIX_KNOB_DF_BRIDGE);
	check_dev_knob(&lctx, TUNFIX_KNOB_DHCP_DEV, TUNFIX_KNOB_DHCP_REMARK);
	rc = check_mark_selector(&lctx);
	if (rc)
		goto out;
	rc = check_dhcp();
out:
	free(lctx.links);
	if (json)
		fputs("]}\n", stdout);
	if (rc)
		return rc;
	if (!findings && !json)
		printf("no problems found\n");
	if (!loaded)
		return EXIT_NOT_LOADED;
	return findings ? EXIT_FOUND : EXIT_OK;
}
