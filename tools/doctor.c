// SPDX-License-Identifier: GPL-2.0
/*
 * tunfixctl doctor: look at the network namespace for what breaks the
 * scenarios tunfix is for, and print the command that fixes each finding.
 * Links and rules are read over rtnetlink with libmnl.
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
#include <linux/rtnetlink.h>
#include <linux/xfrm.h>
#include <arpa/inet.h>

#include "tunfixctl.h"

static int findings;

static void finding(const char *what, const char *fix1, const char *fix2)
{
	findings++;
	printf("! %s\n", what);
	printf("    fix: %s\n", fix1);
	if (fix2)
		printf("     or: %s\n", fix2);
}

/* Send a dump request and feed every answer to cb. */
static int dump_proto(int proto, int type, int family, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct rtgenmsg *g;
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

/* What doctor needs of one link. */
struct link {
	char name[TUNFIX_IFNAMSIZ];
	char kind[16];			/* IFLA_INFO_KIND, "" if none */
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

static bool is_kind(const char *kind, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(kind, *list))
			return true;
	return false;
}

static const char *const gre_v4[] = { "gre", "gretap", NULL };
static const char *const gre_v6[] = { "ip6gre", "ip6gretap", NULL };

static void link_gre(struct link *l, const struct nlattr *data)
{
	const struct nlattr *a;

	/* the default of gre/gretap; ip6gre has no such mode */
	l->pmtudisc = is_kind(l->kind, gre_v4);
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
	if (is_kind(l->kind, gre_v4) || is_kind(l->kind, gre_v6))
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
	static const char *const tap[] = { "gretap", "ip6gretap", NULL };
	char what[300], fix1[160], fix2[160];
	uint32_t fit;

	if (!strcmp(l->kind, "ip6gretap") && l->master) {
		fit = ip6gretap_fit(ctx, l);
		if (!fit || l->mtu <= fit)
			return;
		snprintf(what, sizeof(what),
			 "ip6gretap %s is bridged with MTU %u, but its path carries frames up to %u: larger frames are dropped, with or without DF, and tunfix cannot help",
			 l->name, l->mtu, fit);
		snprintf(fix1, sizeof(fix1),
			 "ip link set %s mtu %u, the same MTU on the LAN's hosts, and clamp TCP MSS (nft: tcp flags syn tcp option maxseg size set rt mtu)",
			 l->name, fit);
		snprintf(fix2, sizeof(fix2), "carry the LAN over gretap on IPv4 (nopmtudisc ignore-df)");
		finding(what, fix1, fix2);
		return;
	}
	if (!is_kind(l->kind, gre_v4) && !is_kind(l->kind, gre_v6))
		return;
	if (!l->pmtudisc || l->ignore_df)
		return;

	snprintf(fix2, sizeof(fix2), "ip link set %s type %s nopmtudisc ignore-df",
		 l->name, l->kind);
	if (!strcmp(l->kind, "gretap") && l->master) {
		snprintf(what, sizeof(what),
			 "gretap %s is bridged in pmtudisc mode: full-size IPv6 (and other non-IPv4) frames are dropped by the tunnel, whatever tunfix's settings",
			 l->name);
		finding(what, fix2, NULL);
	}
	if (is_kind(l->kind, tap) && (!ctx->df_bridge || !ctx->df_egress)) {
		snprintf(what, sizeof(what),
			 "%s %s is in pmtudisc mode without ignore-df: bridged full-size IPv4 frames with DF are dropped, and outer packets get DF",
			 l->kind, l->name);
		snprintf(fix1, sizeof(fix1), "tunfixctl set df_bridge=1 df_egress=1");
		finding(what, fix1, fix2);
	} else if (!is_kind(l->kind, tap) && !ctx->df_egress) {
		snprintf(what, sizeof(what),
			 "%s %s copies DF into its outer packets: a PMTU black hole on the path drops them",
			 l->kind, l->name);
		snprintf(fix1, sizeof(fix1), "tunfixctl set df_egress=1");
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

/* IPsec policies that capture DHCP replies (UDP 67 -> 68), and bypasses */
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
	       (sel->sport & sel->sport_mask) == (htons(67) & sel->sport_mask) &&
	       (sel->dport & sel->dport_mask) == (htons(68) & sel->dport_mask);
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
	char what[300], fix[200];
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
	finding(what, fix, "tunfixctl set dhcp_xfrm_bypass=1");
	return 0;
}

static int dump_failed(const char *what, int e)
{
	fprintf(stderr, "tunfixctl: reading %s: %s\n", what, strerror(-e));
	return e == -EPERM || e == -EACCES ? EXIT_PERM : EXIT_IO;
}

/* A device knob names a device that is not there while its switch is on. */
static void check_dev_knob(const struct link_ctx *lctx, const char *knob,
			   const char *feature)
{
	const struct knob *k = knob_find(knob);
	char val[TUNFIX_KNOB_MAXLEN + 2], what[256], fix[96];
	uint32_t on;

	if (!k || knob_read(k, val, sizeof(val)) || !*val ||
	    !knob_read_u32(feature, &on) || !on || link_exists(lctx, val))
		return;
	snprintf(what, sizeof(what),
		 "%s is on but %s names '%s', and there is no such device here: nothing is handled",
		 feature, knob, val);
	snprintf(fix, sizeof(fix), "tunfixctl set %s=", knob);
	finding(what, fix, NULL);
}

int doctor(void)
{
	struct link_ctx lctx = {};
	struct rule_ctx rctx = {};
	uint32_t remark = 0, bypass = 0, mask = 0xffffffff;
	char what[256], fix[160], protos[TUNFIX_KNOB_MAXLEN + 2];
	unsigned int i;
	bool loaded;
	int e, rc = EXIT_OK;

	loaded = knob_read_u32("df_bridge", &lctx.df_bridge) &&
		 knob_read_u32("df_egress", &lctx.df_egress);
	if (!loaded) {
		/* still worth a look at the tunnels: ignore-df needs no module */
		lctx.df_bridge = lctx.df_egress = 0;
		finding("tunfix is not loaded in this network namespace",
			"modprobe tunfix", NULL);
	}
	lctx.links = calloc(DOCTOR_MAX_LINKS, sizeof(*lctx.links));
	if (!lctx.links) {
		fprintf(stderr, "tunfixctl: out of memory\n");
		return EXIT_IO;
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

	if (lctx.df_egress &&
	    !knob_read(knob_find("df_protocols"), protos, sizeof(protos)) &&
	    !*protos)
		finding("df_egress is on but df_protocols is empty: nothing is handled",
			"tunfixctl set df_protocols=47,50", NULL);
	check_dev_knob(&lctx, "df_dev", "df_egress");
	check_dev_knob(&lctx, "df_bridge_dev", "df_bridge");
	check_dev_knob(&lctx, "dhcp_dev", "dhcp_remark");

	if (knob_read_u32("dhcp_remark", &remark) && remark &&
	    knob_read_u32("dhcp_mark", &rctx.mark)) {
		knob_read_u32("dhcp_mask", &mask);
		rctx.mask = mask;
		e = dump(RTM_GETRULE, AF_INET, rule_cb, &rctx);
		if (e) {
			rc = dump_failed("ip rules", e);
			goto out;
		}
		if (!rctx.found) {
			snprintf(what, sizeof(what),
				 "dhcp_remark is on but no ip rule matches mark %#x: re-marked DHCP replies are routed as before",
				 rctx.mark);
			snprintf(fix, sizeof(fix),
				 "ip rule add fwmark %#x table 20 && ip route add CLIENT_NET dev RAW_DEV table 20",
				 rctx.mark);
			finding(what, fix, NULL);
		}
		if (!knob_read_u32("dhcp_xfrm_bypass", &bypass))
			bypass = 0;
		e = check_xfrm(rctx.mark, bypass);
		if (e) {
			rc = dump_failed("IPsec policies", e);
			goto out;
		}
	}
out:
	free(lctx.links);
	if (rc)
		return rc;
	if (!findings)
		printf("no problems found\n");
	if (!loaded)
		return EXIT_NOT_LOADED;
	return findings ? EXIT_FOUND : EXIT_OK;
}
