// SPDX-License-Identifier: GPL-2.0
/*
 * tunfixctl doctor: look at the network namespace for what breaks the
 * scenarios tunfix is for, and print the command that fixes each finding.
 * Links and rules are read over rtnetlink with libmnl.
 */
#define _GNU_SOURCE
#include <errno.h>
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
static int dump(int type, int family, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct rtgenmsg *g;
	unsigned int seq = time(NULL), portid;
	int ret;

	nl = mnl_socket_open(NETLINK_ROUTE);
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
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->rtgen_family = family;
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

struct link_ctx {
	uint32_t df_bridge, df_egress;
};

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct link_ctx *ctx = data;
	struct nlattr *tb[IFLA_MAX + 1] = {}, *info[IFLA_INFO_MAX + 1] = {};
	struct nlattr *gre[IFLA_GRE_MAX + 1] = {};
	const struct nlattr *a;
	const char *name, *kind;
	char what[256], fix1[160], fix2[160];
	int pmtudisc = 1, ignore_df = 0;

	mnl_attr_for_each(a, nlh, sizeof(struct ifinfomsg))
		if (mnl_attr_get_type(a) <= IFLA_MAX)
			tb[mnl_attr_get_type(a)] = (struct nlattr *)a;
	if (!tb[IFLA_IFNAME] || !tb[IFLA_LINKINFO])
		return MNL_CB_OK;
	name = mnl_attr_get_str(tb[IFLA_IFNAME]);
	mnl_attr_for_each_nested(a, tb[IFLA_LINKINFO])
		if (mnl_attr_get_type(a) <= IFLA_INFO_MAX)
			info[mnl_attr_get_type(a)] = (struct nlattr *)a;
	if (!info[IFLA_INFO_KIND])
		return MNL_CB_OK;
	kind = mnl_attr_get_str(info[IFLA_INFO_KIND]);
	if (strcmp(kind, "gre") && strcmp(kind, "gretap"))
		return MNL_CB_OK;
	if (info[IFLA_INFO_DATA]) {
		mnl_attr_for_each_nested(a, info[IFLA_INFO_DATA])
			if (mnl_attr_get_type(a) <= IFLA_GRE_MAX)
				gre[mnl_attr_get_type(a)] = (struct nlattr *)a;
	}
	if (gre[IFLA_GRE_PMTUDISC])
		pmtudisc = mnl_attr_get_u8(gre[IFLA_GRE_PMTUDISC]);
	if (gre[IFLA_GRE_IGNORE_DF])
		ignore_df = mnl_attr_get_u8(gre[IFLA_GRE_IGNORE_DF]);
	if (!pmtudisc || ignore_df)
		return MNL_CB_OK;

	snprintf(fix2, sizeof(fix2), "ip link set %s type %s nopmtudisc ignore-df",
		 name, kind);
	if (!strcmp(kind, "gretap") && (!ctx->df_bridge || !ctx->df_egress)) {
		snprintf(what, sizeof(what),
			 "gretap %s is in pmtudisc mode: bridged full-size frames with DF are dropped, and outer packets get DF",
			 name);
		snprintf(fix1, sizeof(fix1), "tunfixctl set df_bridge=1 df_egress=1");
		finding(what, fix1, fix2);
	} else if (!strcmp(kind, "gre") && !ctx->df_egress) {
		snprintf(what, sizeof(what),
			 "gre %s copies DF into its outer packets: a PMTU black hole on the path drops them",
			 name);
		snprintf(fix1, sizeof(fix1), "tunfixctl set df_egress=1");
		finding(what, fix1, fix2);
	}
	return MNL_CB_OK;
}

struct rule_ctx {
	uint32_t mark;
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
	if (has_mark && mark && (ctx->mark & mask) == mark)
		ctx->found = 1;
	return MNL_CB_OK;
}

int doctor(void)
{
	struct link_ctx lctx = {};
	struct rule_ctx rctx = {};
	uint32_t remark = 0;
	char what[200], fix[160];
	int e;

	if (!knob_read_u32("df_bridge", &lctx.df_bridge) ||
	    !knob_read_u32("df_egress", &lctx.df_egress)) {
		finding("tunfix is not loaded in this network namespace",
			"modprobe tunfix", NULL);
		return 1;
	}
	e = dump(RTM_GETLINK, AF_UNSPEC, link_cb, &lctx);
	if (e) {
		fprintf(stderr, "tunfixctl: reading links: %s\n", strerror(-e));
		return EXIT_IO;
	}
	if (knob_read_u32("dhcp_remark", &remark) && remark &&
	    knob_read_u32("dhcp_mark", &rctx.mark)) {
		e = dump(RTM_GETRULE, AF_INET, rule_cb, &rctx);
		if (e) {
			fprintf(stderr, "tunfixctl: reading rules: %s\n", strerror(-e));
			return EXIT_IO;
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
	}
	if (!findings)
		printf("no problems found\n");
	return findings ? EXIT_FOUND : EXIT_OK;
}
