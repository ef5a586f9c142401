// SPDX-License-Identifier: GPL-2.0
/*
 * tunfixctl doctor: the netlink dump helpers.  Each part of the namespace
 * doctor looks at (enum doctor_part) is one request to the kernel (the
 * routes: one per IPv6 GRE device) and a parser that adds what each reply
 * message says to struct doctor_state.  The unit tests feed the same
 * parsers with recorded replies (doctor_record()).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/if_tunnel.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>

#include "doctor.h"

static const struct gre_kind gre_kinds[] = {
	{ "gre", false, false },
	{ "gretap", false, true },
	{ "ip6gre", true, false },
	{ "ip6gretap", true, true },
};

static FILE *record;

/*
 * Write every netlink reply read from now on to f as well, as the kernel
 * sent it (tests/doctor-record); NULL stops.
 */
void doctor_record(FILE *f)
{
	record = f;
}

/*
 * Room for element n of an array of size-byte elements that doubles when
 * full.  Return: the array, moved or not, or NULL (errno ENOMEM).
 */
static void *grow(void *v, unsigned int n, size_t size)
{
	if (n && (n < 8 || (n & (n - 1))))
		return v;
	return realloc(v, (n ? 2 * n : 8) * size);
}

static const struct gre_kind *gre_kind(const char *kind)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(gre_kinds); i++)
		if (!strcmp(kind, gre_kinds[i].name))
			return &gre_kinds[i];
	return NULL;
}

/* IFLA_GRE_LOCAL or IFLA_GRE_REMOTE: 4 bytes for gre, 16 for ip6gre. */
static void link_addr(struct doctor_link *l, const struct nlattr *a)
{
	bool remote = mnl_attr_get_type(a) == IFLA_GRE_REMOTE;
	size_t len = l->gre->v6 ? sizeof(struct in6_addr) : sizeof(struct in_addr);
	void *to;

	if (mnl_attr_get_payload_len(a) < len)
		return;
	if (l->gre->v6)
		to = remote ? (void *)&l->remote6 : (void *)&l->local6;
	else
		to = remote ? (void *)&l->remote4 : (void *)&l->local4;
	memcpy(to, mnl_attr_get_payload(a), len);
}

static void link_gre(struct doctor_link *l, const struct nlattr *data)
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
		case IFLA_GRE_LOCAL:
			link_addr(l, a);
			break;
		case IFLA_GRE_FWMARK:
			if (mnl_attr_get_payload_len(a) >= 4)
				l->fwmark = mnl_attr_get_u32(a);
			break;
		}
	}
}

/* RTM_NEWLINK: the first DOCTOR_MAX_LINKS links that have a name. */
static int parse_link(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct nlattr *tb[IFLA_MAX + 1] = {}, *info[IFLA_INFO_MAX + 1] = {};
	struct doctor_state *st = data;
	const struct nlattr *a;
	struct doctor_link *l;

	if (st->nlinks >= DOCTOR_MAX_LINKS)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*ifi))
		if (mnl_attr_get_type(a) <= IFLA_MAX)
			tb[mnl_attr_get_type(a)] = (struct nlattr *)a;
	if (!tb[IFLA_IFNAME] ||
	    mnl_attr_validate(tb[IFLA_IFNAME], MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_OK;
	l = grow(st->links, st->nlinks, sizeof(*l));
	if (!l)
		return MNL_CB_ERROR;
	st->links = l;
	l = &st->links[st->nlinks++];
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

/* RTM_NEWROUTE, the answer to one lookup: its address and device. */
static int parse_route(const struct nlmsghdr *nlh, void *data)
{
	struct doctor_state *st = data;
	struct doctor_route r = {}, *v;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct rtmsg)) {
		if (mnl_attr_get_type(a) == RTA_OIF &&
		    mnl_attr_get_payload_len(a) >= 4)
			r.oif = mnl_attr_get_u32(a);
		else if (mnl_attr_get_type(a) == RTA_DST &&
			 mnl_attr_get_payload_len(a) >= sizeof(r.dst))
			memcpy(&r.dst, mnl_attr_get_payload(a), sizeof(r.dst));
	}
	v = grow(st->routes, st->nroutes, sizeof(*v));
	if (!v)
		return MNL_CB_ERROR;
	st->routes = v;
	st->routes[st->nroutes++] = r;
	return MNL_CB_OK;
}

/* RTM_NEWRULE: its fwmark and mask. */
static int parse_rule(const struct nlmsghdr *nlh, void *data)
{
	struct doctor_rule r = { .mask = 0xffffffff }, *v;
	struct doctor_state *st = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct fib_rule_hdr)) {
		if (mnl_attr_get_type(a) == FRA_FWMARK) {
			r.mark = mnl_attr_get_u32(a);
			r.has_mark = true;
		} else if (mnl_attr_get_type(a) == FRA_FWMASK) {
			r.mask = mnl_attr_get_u32(a);
		}
	}
	v = grow(st->rules, st->nrules, sizeof(*v));
	if (!v)
		return MNL_CB_ERROR;
	st->rules = v;
	st->rules[st->nrules++] = r;
	return MNL_CB_OK;
}

/* XFRM_MSG_NEWPOLICY: selector, direction, action, priority, mark. */
static int parse_policy(const struct nlmsghdr *nlh, void *data)
{
	struct doctor_state *st = data;
	struct xfrm_userpolicy_info pol;
	struct doctor_policy *p;
	const struct nlattr *a;

	/* netlink data is 4-byte aligned, the policy has u64s: copy it */
	if (nlh->nlmsg_type != XFRM_MSG_NEWPOLICY ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(pol))
		return MNL_CB_OK;
	memcpy(&pol, mnl_nlmsg_get_payload(nlh), sizeof(pol));
	p = grow(st->policies, st->npolicies, sizeof(*p));
	if (!p)
		return MNL_CB_ERROR;
	st->policies = p;
	p = &st->policies[st->npolicies++];
	memset(p, 0, sizeof(*p));
	p->sel = pol.sel;
	p->priority = pol.priority;
	p->dir = pol.dir;
	p->action = pol.action;
	mnl_attr_for_each(a, nlh, sizeof(pol)) {
		if (mnl_attr_get_type(a) == XFRMA_TMPL)
			p->tmpl = true;
		else if (mnl_attr_get_type(a) == XFRMA_MARK &&
			 mnl_attr_get_payload_len(a) >= sizeof(p->mark))
			memcpy(&p->mark, mnl_attr_get_payload(a), sizeof(p->mark));
	}
	return MNL_CB_OK;
}

/*
 * The IV and block size of an ESP cipher, by its kernel name (the
 * ivsize and the block size esp_output() pads to, at least 4).
 * Unknown: the largest of these (cbc(aes)), so no fit is too large.
 */
static void esp_cipher(struct doctor_sa *sa, const char *name)
{
	static const struct { const char *name; uint8_t iv, blk; } c[] = {
		{ "rfc4106(gcm(aes))", 8, 4 }, { "rfc4309(ccm(aes))", 8, 4 },
		{ "rfc4543(gcm(aes))", 8, 4 }, { "rfc7539esp(chacha20,poly1305)", 8, 4 },
		{ "rfc3686(ctr(aes))", 8, 4 }, { "ecb(cipher_null)", 0, 4 },
		{ "cbc(des3_ede)", 8, 8 }, { "cbc(des)", 8, 8 },
	};
	unsigned int i;

	sa->iv = 16;
	sa->blk = 16;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		if (!strcmp(name, c[i].name)) {
			sa->iv = c[i].iv;
			sa->blk = c[i].blk;
		}
	}
}

/*
 * XFRM_MSG_NEWSA: does it set an output mark (XFRMA_SET_MARK)?  An ESP
 * SA is kept, with what ESP adds: cipher (XFRMA_ALG_CRYPT or
 * XFRMA_ALG_AEAD) and ICV (the AEAD's, or XFRMA_ALG_AUTH_TRUNC's).
 */
static int parse_sa(const struct nlmsghdr *nlh, void *data)
{
	struct doctor_state *st = data;
	struct xfrm_usersa_info info;
	const struct xfrm_algo_aead *aead;
	const struct xfrm_algo_auth *auth;
	const struct xfrm_algo *alg;
	struct doctor_sa sa = {}, *v;
	const struct nlattr *a;

	if (nlh->nlmsg_type != XFRM_MSG_NEWSA ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(info))
		return MNL_CB_OK;
	memcpy(&info, mnl_nlmsg_get_payload(nlh), sizeof(info));
	sa.family = info.family;
	sa.src = info.saddr;
	sa.dst = info.id.daddr;
	sa.mode = info.mode;
	sa.iv = 16;
	sa.blk = 16;
	mnl_attr_for_each(a, nlh, sizeof(info)) {
		switch (mnl_attr_get_type(a)) {
		case XFRMA_SET_MARK:
			if (mnl_attr_get_payload_len(a) >= 4 && mnl_attr_get_u32(a))
				st->sa_marks++;
			break;
		case XFRMA_ALG_CRYPT:
			alg = mnl_attr_get_payload(a);
			if (mnl_attr_get_payload_len(a) >= sizeof(*alg))
				esp_cipher(&sa, strndupa(alg->alg_name, sizeof(alg->alg_name)));
			break;
		case XFRMA_ALG_AEAD:
			aead = mnl_attr_get_payload(a);
			if (mnl_attr_get_payload_len(a) < sizeof(*aead))
				break;
			esp_cipher(&sa, strndupa(aead->alg_name, sizeof(aead->alg_name)));
			sa.icv = aead->alg_icv_len / 8;
			break;
		case XFRMA_ALG_AUTH_TRUNC:
			auth = mnl_attr_get_payload(a);
			if (mnl_attr_get_payload_len(a) >= sizeof(*auth))
				sa.icv = auth->alg_trunc_len / 8;
			break;
		}
	}
	if (info.id.proto != IPPROTO_ESP)
		return MNL_CB_OK;
	v = grow(st->sas, st->nsas, sizeof(*v));
	if (!v)
		return MNL_CB_ERROR;
	st->sas = v;
	st->sas[st->nsas++] = sa;
	return MNL_CB_OK;
}

/*
 * Does an nft expression set the packet mark?  "meta mark set" (a meta
 * expression with a source register and key mark), or an iptables-nft
 * MARK or CONNMARK target.
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

/* NFT_MSG_NEWRULE: does one of its expressions set the packet mark? */
static int parse_nft_rule(const struct nlmsghdr *nlh, void *data)
{
	struct doctor_state *st = data;
	const struct nlattr *a, *e;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) != NFTA_RULE_EXPRESSIONS)
			continue;
		mnl_attr_for_each_nested(e, a) {
			if (nft_expr_sets_mark(e)) {
				st->nft_marks++;
				return MNL_CB_OK;
			}
		}
	}
	return MNL_CB_OK;
}

const struct doctor_part_info doctor_parts[__DOCTOR_PART_MAX] = {
	[DOCTOR_LINKS] = { "links", "links", parse_link, true },
	[DOCTOR_ROUTES] = { "routes", "routes", parse_route, false },
	[DOCTOR_RULES] = { "rules", "ip rules", parse_rule, true },
	[DOCTOR_POLICIES] = { "policies", "IPsec policies", parse_policy, true },
	[DOCTOR_SAS] = { "sas", "IPsec SAs", parse_sa, true },
	[DOCTOR_NFT] = { "nft", "nftables rules", parse_nft_rule, true },
};

/*
 * Send the request nlh on a socket of protocol proto and feed the replies
 * to the part's parser: of a dump, every message up to NLMSG_DONE; else
 * the one reply.  Return: 0, also if the kernel lacks the protocol
 * (EPROTONOSUPPORT: nothing there to read), or -errno, an error the
 * kernel answered included.
 */
static int nl_talk(int proto, struct nlmsghdr *nlh, struct doctor_state *st,
		   enum doctor_part part)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	bool dump = nlh->nlmsg_flags & NLM_F_DUMP;
	unsigned int seq = time(NULL), portid;
	struct mnl_socket *nl;
	int ret;

	nl = mnl_socket_open(proto);
	if (!nl)
		return errno == EPROTONOSUPPORT ? 0 : -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto out;
	portid = mnl_socket_get_portid(nl);
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto out;
	do {
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret <= 0)
			break;
		if (record)
			fwrite(buf, 1, ret, record);
		ret = mnl_cb_run(buf, ret, seq, portid,
				 doctor_parts[part].parse, st);
	} while (dump && ret > MNL_CB_STOP);
	if (ret >= 0) {
		mnl_socket_close(nl);
		return 0;
	}
out:
	ret = errno == EPROTONOSUPPORT ? 0 : -errno;
	mnl_socket_close(nl);
	return ret;
}

/* The IPv6 route to dst (RTM_GETROUTE), for its device. */
static int route_get6(struct doctor_state *st, const struct in6_addr *dst)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = 128;
	mnl_attr_put(nlh, RTA_DST, sizeof(*dst), dst);
	return nl_talk(NETLINK_ROUTE, nlh, st, DOCTOR_ROUTES);
}

/*
 * Read one part of the namespace into st (the routes after the links:
 * they are the paths of its IPv6 GRE devices).  A route lookup that fails
 * adds nothing.  Return: 0, or -errno (ENOMEM included); a part the kernel
 * has no netlink protocol for is empty.
 */
int doctor_dump(struct doctor_state *st, enum doctor_part part)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtgenmsg *g;
	struct nfgenmsg *nfg;
	unsigned int i;
	int proto = NETLINK_ROUTE;

	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	switch (part) {
	case DOCTOR_LINKS:
	case DOCTOR_RULES:
		nlh->nlmsg_type = part == DOCTOR_LINKS ? RTM_GETLINK : RTM_GETRULE;
		g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
		g->rtgen_family = part == DOCTOR_LINKS ? AF_UNSPEC : AF_INET;
		break;
	case DOCTOR_ROUTES:
		for (i = 0; i < st->nlinks; i++) {
			const struct doctor_link *l = &st->links[i];

			if (l->gre && l->gre->v6 && !l->gre_link &&
			    route_get6(st, &l->remote6) == -ENOMEM)
				return -ENOMEM;
		}
		return 0;
	case DOCTOR_POLICIES:
	case DOCTOR_SAS:
		proto = NETLINK_XFRM;
		nlh->nlmsg_type = part == DOCTOR_SAS ? XFRM_MSG_GETSA :
						       XFRM_MSG_GETPOLICY;
		break;
	case DOCTOR_NFT:
		proto = NETLINK_NETFILTER;
		nlh->nlmsg_type = NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETRULE;
		nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
		nfg->nfgen_family = AF_UNSPEC;	/* NFPROTO_UNSPEC: every family */
		nfg->version = NFNETLINK_V0;
		break;
	default:
		return -EINVAL;
	}
	return nl_talk(proto, nlh, st, part);
}
