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

struct link_ctx {
	uint32_t df_bridge, df_egress;
	char (*names)[TUNFIX_IFNAMSIZ];	/* every link of the namespace */
	unsigned int n;
};

static bool is_kind(const char *kind, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(kind, *list))
			return true;
	return false;
}

/*
 * A GRE device that copies or checks DF: gre and gretap report pmtudisc
 * and ignore_df (IFLA_GRE_PMTUDISC, IFLA_GRE_IGNORE_DF).  ip6gre and
 * ip6gretap (Linux 6.1) report neither and have no such mode: they are
 * only judged if a kernel reports the attributes.
 */
static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	static const char *const v4[] = { "gre", "gretap", NULL };
	static const char *const v6[] = { "ip6gre", "ip6gretap", NULL };
	static const char *const tap[] = { "gretap", "ip6gretap", NULL };
	struct link_ctx *ctx = data;
	struct nlattr *tb[IFLA_MAX + 1] = {}, *info[IFLA_INFO_MAX + 1] = {};
	struct nlattr *gre[IFLA_GRE_MAX + 1] = {};
	const struct nlattr *a;
	const char *name, *kind;
	char what[256], fix1[160], fix2[160];
	int pmtudisc, ignore_df = 0;

	mnl_attr_for_each(a, nlh, sizeof(struct ifinfomsg))
		if (mnl_attr_get_type(a) <= IFLA_MAX)
			tb[mnl_attr_get_type(a)] = (struct nlattr *)a;
	if (!tb[IFLA_IFNAME] ||
	    mnl_attr_validate(tb[IFLA_IFNAME], MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_OK;
	name = mnl_attr_get_str(tb[IFLA_IFNAME]);
	if (ctx->n < DOCTOR_MAX_LINKS)
		snprintf(ctx->names[ctx->n++], TUNFIX_IFNAMSIZ, "%s", name);
	if (!tb[IFLA_LINKINFO])
		return MNL_CB_OK;
	mnl_attr_for_each_nested(a, tb[IFLA_LINKINFO])
		if (mnl_attr_get_type(a) <= IFLA_INFO_MAX)
			info[mnl_attr_get_type(a)] = (struct nlattr *)a;
	if (!info[IFLA_INFO_KIND] ||
	    mnl_attr_validate(info[IFLA_INFO_KIND], MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_OK;
	kind = mnl_attr_get_str(info[IFLA_INFO_KIND]);
	if (!is_kind(kind, v4) && !is_kind(kind, v6))
		return MNL_CB_OK;
	if (info[IFLA_INFO_DATA]) {
		mnl_attr_for_each_nested(a, info[IFLA_INFO_DATA])
			if (mnl_attr_get_type(a) <= IFLA_GRE_MAX &&
			    mnl_attr_get_payload_len(a) >= 1)
				gre[mnl_attr_get_type(a)] = (struct nlattr *)a;
	}
	if (gre[IFLA_GRE_PMTUDISC])
		pmtudisc = mnl_attr_get_u8(gre[IFLA_GRE_PMTUDISC]);
	else
		pmtudisc = is_kind(kind, v4);	/* the default of gre/gretap */
	if (gre[IFLA_GRE_IGNORE_DF])
		ignore_df = mnl_attr_get_u8(gre[IFLA_GRE_IGNORE_DF]);
	if (!pmtudisc || ignore_df)
		return MNL_CB_OK;

	snprintf(fix2, sizeof(fix2), "ip link set %s type %s nopmtudisc ignore-df",
		 name, kind);
	if (is_kind(kind, tap) && (!ctx->df_bridge || !ctx->df_egress)) {
		snprintf(what, sizeof(what),
			 "%s %s is in pmtudisc mode without ignore-df: bridged full-size frames with DF are dropped, and outer packets get DF",
			 kind, name);
		snprintf(fix1, sizeof(fix1), "tunfixctl set df_bridge=1 df_egress=1");
		finding(what, fix1, fix2);
	} else if (!is_kind(kind, tap) && !ctx->df_egress) {
		snprintf(what, sizeof(what),
			 "%s %s copies DF into its outer packets: a PMTU black hole on the path drops them",
			 kind, name);
		snprintf(fix1, sizeof(fix1), "tunfixctl set df_egress=1");
		finding(what, fix1, fix2);
	}
	return MNL_CB_OK;
}

static bool link_exists(const struct link_ctx *ctx, const char *name)
{
	unsigned int i;

	if (ctx->n >= DOCTOR_MAX_LINKS)
		return true;	/* too many to tell */
	for (i = 0; i < ctx->n; i++)
		if (!strcmp(ctx->names[i], name))
			return true;
	return false;
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
	lctx.names = calloc(DOCTOR_MAX_LINKS, sizeof(*lctx.names));
	if (!lctx.names) {
		fprintf(stderr, "tunfixctl: out of memory\n");
		return EXIT_IO;
	}
	e = dump(RTM_GETLINK, AF_UNSPEC, link_cb, &lctx);
	if (e) {
		rc = dump_failed("links", e);
		goto out;
	}
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
	free(lctx.names);
	if (rc)
		return rc;
	if (!findings)
		printf("no problems found\n");
	if (!loaded)
		return EXIT_NOT_LOADED;
	return findings ? EXIT_FOUND : EXIT_OK;
}
