// SPDX-License-Identifier: GPL-2.0
/*
 * tunfixctl doctor --probe: probe the underlay path of each GRE tunnel
 * with ICMP echo requests of chosen sizes to its remote address, from its
 * local address and with its fwmark, and tell a path that answers "too
 * big" (PMTUD works) from one that drops them without a word (a black
 * hole).  doctor-verdict.c judges the result.
 *
 * The probe must not change the namespace, its PMTU cache included:
 *
 * IPv4.  A "fragmentation needed" reaches icmp_unreach() and
 * icmp_socket_deliver() (net/ipv4/icmp.c), which hands it to
 * raw_icmp_error() (net/ipv4/raw.c: raw_err() of every raw socket of the
 * quoted packet's protocol, ICMP here) and to icmp_err(), which passes an
 * error about an echo request to ping_err() (net/ipv4/ping.c: only a ping
 * socket of that identifier).  Each of these calls ipv4_sk_update_pmtu()
 * and so makes a route exception; nothing else does.  So the requests go
 * out on an IPPROTO_RAW socket (IP_HDRINCL, our own header with DF): its
 * protocol is not ICMP, raw_err() never sees the error, and there is no
 * ping socket.  IP_PMTUDISC_PROBE makes ip_skb_dst_mtu()
 * (include/net/ip.h) use the device MTU, not a PMTU the kernel learned;
 * raw_send_hdrinc() refuses only what exceeds the device MTU.  Replies
 * and errors are read on an AF_PACKET socket (a BPF filter lets ICMP
 * through), which no error handler knows of.
 *
 * IPv6.  icmpv6_notify() calls icmpv6_err() (net/ipv6/icmp.c) for every
 * Packet Too Big about an ICMPv6 packet, and it updates the PMTU whatever
 * the sockets: a route exception (RTF_CACHE) appears.  So the probe
 * notes whether the route to the remote had one before; if it had, the
 * kernel's PMTU is the answer and nothing is sent; if not, the exception
 * the probe made is deleted after it (RTM_DELROUTE with RTM_F_CLONED:
 * ip6_route_del() in net/ipv6/route.c removes one cached route).
 * IPV6_PMTUDISC_PROBE again makes ip6_skb_dst_mtu() use the device MTU.
 *
 * Routers rate-limit ICMP errors (icmpv4_xrlim_allow(): a token bucket of
 * about 6, then one a second): the first probe has the device's full
 * size, whose "too big" names the next-hop MTU at once; else a search
 * between a size that passes and one that does not, at most PROBE_MAX
 * probes and the --timeout.  Where echo is filtered, the PMTU the kernel
 * learned (the route's mtu) is all there is.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "doctor.h"

#define PROBE_MAX 20		/* probes per tunnel */
#define MIN4 576		/* sizes every path carries */
#define MIN6 1280

/* The route to a tunnel's remote address, as the probe sends along it. */
struct path {
	int family;
	uint8_t src[16], dst[16];
	size_t alen;
	uint32_t mark, oif, table;
	uint32_t learned;	/* the PMTU the kernel learned (RTAX_MTU), or 0 */
	bool cached;		/* IPv6: a route exception (RTM_F_CLONED) */
};

bool doctor_probing(const struct doctor_state *st, const struct doctor_link *l)
{
	const struct probe_opts *o = st->probe;
	int i;

	if (!o || !l->gre)
		return false;
	if (!o->nnames)
		return true;
	for (i = 0; i < o->nnames; i++)
		if (!strcmp(o->names[i], l->name))
			return true;
	return false;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --- the route to the remote, and an IPv6 exception removed */

static int parse_path(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct path *r = data;
	const struct nlattr *a, *m;
	static const uint8_t any[16];

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return MNL_CB_OK;
	r->table = rtm->rtm_table;
	r->cached = r->family == AF_INET6 && (rtm->rtm_flags & RTM_F_CLONED);
	mnl_attr_for_each(a, nlh, sizeof(*rtm)) {
		switch (mnl_attr_get_type(a)) {
		case RTA_OIF:
			r->oif = mnl_attr_get_u32(a);
			break;
		case RTA_TABLE:
			r->table = mnl_attr_get_u32(a);
			break;
		case RTA_PREFSRC:
			if (mnl_attr_get_payload_len(a) >= r->alen &&
			    !memcmp(r->src, any, r->alen))
				memcpy(r->src, mnl_attr_get_payload(a), r->alen);
			break;
		case RTA_METRICS:
			mnl_attr_for_each_nested(m, a)
				if (mnl_attr_get_type(m) == RTAX_MTU)
					r->learned = mnl_attr_get_u32(m);
			break;
		}
	}
	return MNL_CB_OK;
}

/*
 * A request about the route to r->dst: RTM_GETROUTE (the answer into r)
 * or RTM_DELROUTE of its IPv6 exception.  Return: 0 or -errno.
 */
static int path_talk(struct path *r, int type)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	static const uint8_t any[16];
	struct mnl_socket *nl;
	unsigned int portid;
	struct rtmsg *rtm;
	int ret;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = time(NULL);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = r->family;
	rtm->rtm_dst_len = r->alen * 8;
	mnl_attr_put(nlh, RTA_DST, r->alen, r->dst);
	if (type == RTM_DELROUTE) {
		rtm->rtm_flags = RTM_F_CLONED;	/* RTF_CACHE: the exception */
		rtm->rtm_table = r->table < 256 ? r->table : RT_TABLE_UNSPEC;
		mnl_attr_put_u32(nlh, RTA_TABLE, r->table);
	} else {
		if (memcmp(r->src, any, r->alen)) {
			rtm->rtm_src_len = r->alen * 8;
			mnl_attr_put(nlh, RTA_SRC, r->alen, r->src);
		}
		if (r->mark)
			mnl_attr_put_u32(nlh, RTA_MARK, r->mark);
		r->oif = 0;
		r->learned = 0;
		r->cached = false;
	}
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	ret = mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID);
	portid = mnl_socket_get_portid(nl);
	if (!ret)
		ret = mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ? -1 : 0;
	while (!ret) {
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret <= 0) {
			ret = -1;
			break;
		}
		ret = mnl_cb_run(buf, ret, nlh->nlmsg_seq, portid, parse_path, r);
		if (ret == MNL_CB_STOP) {	/* the ACK */
			ret = 0;
			break;
		}
		ret = ret < 0 ? -1 : 0;
	}
	ret = ret < 0 ? -errno : 0;
	mnl_socket_close(nl);
	return ret;
}

/* --- the probes */

struct prober {
	const struct path *r;
	int snd, rcv;
	uint16_t id;
	uint32_t size[PROBE_MAX];	/* by sequence number */
	unsigned int sent;
	double wait;			/* for each answer, seconds */
	uint32_t ok;			/* the largest size answered */
	uint32_t tb_mtu;		/* the MTU the last too-big named */
	bool too_big, silent;
};

static uint16_t csum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum);
}

static int prober_open(struct prober *pr)
{
	struct sock_filter code4[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, offsetof(struct iphdr, protocol)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMP, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_filter code6[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, offsetof(struct ipv6hdr, nexthdr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMPV6, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	bool v6 = pr->r->family == AF_INET6;
	struct sock_fprog prog = { 4, v6 ? code6 : code4 };
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(v6 ? ETH_P_IPV6 : ETH_P_IP),
	};
	struct icmp6_filter { uint32_t data[8]; } none;
	int probe = v6 ? IPV6_PMTUDISC_PROBE : IP_PMTUDISC_PROBE, one = 1;

	pr->snd = pr->rcv = -1;
	/* IPv6: the kernel's checksum and source; never read (all filtered) */
	pr->snd = v6 ? socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6) :
		       socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (pr->snd < 0)
		return -errno;
	memset(&none, 0xff, sizeof(none));
	if ((pr->r->mark &&
	     setsockopt(pr->snd, SOL_SOCKET, SO_MARK, &pr->r->mark, sizeof(pr->r->mark))) ||
	    (v6 ? setsockopt(pr->snd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &probe, sizeof(probe)) ||
		  setsockopt(pr->snd, IPPROTO_IPV6, IPV6_DONTFRAG, &one, sizeof(one)) ||
		  setsockopt(pr->snd, IPPROTO_ICMPV6, ICMPV6_FILTER, &none, sizeof(none)) :
		  setsockopt(pr->snd, IPPROTO_IP, IP_MTU_DISCOVER, &probe, sizeof(probe))))
		return -errno;
	if (v6) {
		struct sockaddr_in6 src = { .sin6_family = AF_INET6 };

		memcpy(&src.sin6_addr, pr->r->src, 16);
		if (bind(pr->snd, (struct sockaddr *)&src, sizeof(src)))
			return -errno;
	}
	/* bound before the protocol is given: nothing unfiltered is queued */
	pr->rcv = socket(AF_PACKET, SOCK_DGRAM, 0);
	if (pr->rcv < 0 ||
	    setsockopt(pr->rcv, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) ||
	    bind(pr->rcv, (struct sockaddr *)&sll, sizeof(sll)))
		return -errno;
	return 0;
}

static void prober_close(struct prober *pr)
{
	if (pr->snd >= 0)
		close(pr->snd);
	if (pr->rcv >= 0)
		close(pr->rcv);
}

/* Send echo request seq of size bytes (the whole IP packet). */
static int probe_send(struct prober *pr, unsigned int seq, uint32_t size)
{
	const struct path *r = pr->r;
	union {
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} to = {};
	uint8_t pkt[65536] = {};
	struct icmphdr *icmp;
	size_t hl = 0, len;
	ssize_t n;

	if (r->family == AF_INET) {
		struct iphdr *ip = (struct iphdr *)pkt;

		hl = sizeof(*ip);
		ip->version = 4;
		ip->ihl = 5;
		ip->tot_len = htons(size);
		ip->frag_off = htons(0x4000);	/* DF */
		ip->ttl = 64;
		ip->protocol = IPPROTO_ICMP;
		memcpy(&ip->saddr, r->src, 4);
		memcpy(&ip->daddr, r->dst, 4);
		to.in.sin_family = AF_INET;
		memcpy(&to.in.sin_addr, r->dst, 4);
		len = size;
	} else {
		to.in6.sin6_family = AF_INET6;
		memcpy(&to.in6.sin6_addr, r->dst, 16);
		len = size - sizeof(struct ipv6hdr);
	}
	/* echo request and echo reply share their layout in ICMPv6 */
	icmp = (struct icmphdr *)(pkt + hl);
	icmp->type = r->family == AF_INET ? ICMP_ECHO : ICMPV6_ECHO_REQUEST;
	icmp->un.echo.id = htons(pr->id);
	icmp->un.echo.sequence = htons(seq);
	if (r->family == AF_INET)
		icmp->checksum = csum(icmp, len - hl);
	n = sendto(pr->snd, pkt, len, 0, (struct sockaddr *)&to,
		   r->family == AF_INET ? sizeof(to.in) : sizeof(to.in6));
	return n < 0 ? -errno : 0;
}

/*
 * One packet from the AF_PACKET socket: an echo reply of ours (its size
 * answered) or a too-big about one of our requests.  Return: the sequence
 * number it is about, or -1 if not ours.
 */
static int probe_parse(struct prober *pr, const uint8_t *b, size_t n)
{
	const struct path *r = pr->r;
	const struct icmphdr *icmp, *in;
	size_t hl, ihl;
	uint32_t mtu;
	bool v6 = r->family == AF_INET6;
	bool reply, tb;

	if (v6) {
		const struct ipv6hdr *ip = (const void *)b;

		hl = sizeof(*ip);
		if (n < hl + 8)
			return -1;
		if (ip->nexthdr != IPPROTO_ICMPV6 || memcmp(&ip->daddr, r->src, 16))
			return -1;
		icmp = (const void *)(b + hl);
		reply = icmp->type == ICMPV6_ECHO_REPLY && !memcmp(&ip->saddr, r->dst, 16);
		tb = icmp->type == ICMPV6_PKT_TOOBIG;
		mtu = ntohl(((const struct icmp6hdr *)icmp)->icmp6_mtu);
		ihl = 40;
	} else {
		const struct iphdr *ip = (const void *)b;

		hl = ip->ihl * 4;
		if (n < hl + 8 || ip->protocol != IPPROTO_ICMP ||
		    (ntohs(ip->frag_off) & 0x1fff) || memcmp(&ip->daddr, r->src, 4))
			return -1;
		icmp = (const void *)(b + hl);
		reply = icmp->type == ICMP_ECHOREPLY && !memcmp(&ip->saddr, r->dst, 4);
		tb = icmp->type == ICMP_DEST_UNREACH && icmp->code == ICMP_FRAG_NEEDED;
		mtu = ntohs(icmp->un.frag.mtu);
		ihl = n >= hl + 8 + 1 ? (b[hl + 8] & 0xf) * 4 : 0;
	}
	if (reply) {
		in = icmp;
	} else if (tb) {
		/* the request it quotes: header, then ICMP */
		if (n < hl + 8 + ihl + 8 || !ihl)
			return -1;
		if (memcmp(b + hl + 8 + (v6 ? 24 : 16), r->dst, r->alen))
			return -1;
		in = (const void *)(b + hl + 8 + ihl);
		if (in->type != (v6 ? ICMPV6_ECHO_REQUEST : ICMP_ECHO))
			return -1;
	} else {
		return -1;
	}
	if (ntohs(in->un.echo.id) != pr->id || ntohs(in->un.echo.sequence) >= pr->sent)
		return -1;
	if (reply) {
		if (pr->size[ntohs(in->un.echo.sequence)] > pr->ok)
			pr->ok = pr->size[ntohs(in->un.echo.sequence)];
	} else {
		pr->too_big = true;
		pr->tb_mtu = mtu;
	}
	return ntohs(in->un.echo.sequence) | (reply ? 0x10000 : 0x20000);
}

enum { PROBE_LOST, PROBE_OK, PROBE_TOO_BIG };

/*
 * Send one probe of size bytes and wait for its answer; every packet that
 * comes meanwhile counts (late replies too).  Return: PROBE_OK,
 * PROBE_TOO_BIG (pr->tb_mtu), PROBE_LOST, or -errno.
 */
static int probe_one(struct prober *pr, uint32_t size, double deadline)
{
	unsigned int seq = pr->sent;
	struct sockaddr_ll from;
	socklen_t flen;
	uint8_t buf[2048];
	double end = now() + pr->wait;
	struct pollfd pfd = { pr->rcv, POLLIN, 0 };
	ssize_t n;
	int e, got;

	if (end > deadline)
		end = deadline;
	pr->size[seq] = size;
	pr->sent++;
	e = probe_send(pr, seq, size);
	if (e)
		return e;
	while (now() < end) {
		if (poll(&pfd, 1, (end - now()) * 1000 + 1) <= 0)
			continue;
		flen = sizeof(from);
		n = recvfrom(pr->rcv, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&from, &flen);
		if (n <= 0 || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		got = probe_parse(pr, buf, n);
		if (got < 0 || (got & 0xffff) != (int)seq)
			continue;
		return got & 0x10000 ? PROBE_OK : PROBE_TOO_BIG;
	}
	pr->silent = true;
	return PROBE_LOST;
}

/*
 * Probe r, whose device has MTU dev_mtu, into p: the full size first,
 * then a size every path carries, then a search between them.
 */
static int probe_path(const struct path *r, struct doctor_probe *p,
		      double timeout)
{
	uint32_t lo, hi = p->dev_mtu, min = r->family == AF_INET6 ? MIN6 : MIN4;
	double deadline = now() + timeout;
	struct prober pr = { .r = r };
	bool tb_said = false;
	int e;

	pr.wait = timeout / 10 < 0.05 ? 0.05 : timeout / 10;
	pr.id = (getpid() ^ p->dev_mtu ^ (uintptr_t)p) & 0xffff;
	e = prober_open(&pr);
	if (e)
		goto out;
	e = probe_one(&pr, hi, deadline);
	if (e == PROBE_TOO_BIG && pr.tb_mtu >= min && pr.tb_mtu < hi)
		e = probe_one(&pr, hi = pr.tb_mtu, deadline);
	if (e < 0)
		goto out;
	if (e == PROBE_OK) {
		lo = hi;
		hi++;
	} else {
		lo = min < hi ? min : hi;
		e = probe_one(&pr, lo, deadline);
		if (e < 0)
			goto out;
		if (e != PROBE_OK && !pr.ok) {
			lo = 0;		/* echo filtered */
			hi = 0;
		}
	}
	e = 0;
	while (hi > lo + 1 && pr.sent < PROBE_MAX && now() < deadline) {
		uint32_t next = lo + (hi - lo) / 2;

		if (pr.tb_mtu > lo && pr.tb_mtu < hi && !tb_said)
			next = pr.tb_mtu;	/* what the router said */
		tb_said = next == pr.tb_mtu;
		e = probe_one(&pr, next, deadline);
		if (e < 0)
			goto out;
		if (e == PROBE_OK)
			lo = next;
		else
			hi = next;
		if (pr.ok > lo)
			lo = pr.ok;
		e = 0;
	}
	p->pmtu = lo;
	p->source = lo ? PROBE_ECHO : PROBE_NONE;
	p->too_big = pr.too_big;
	p->silent = pr.silent && lo;
out:
	p->sent = pr.sent;
	prober_close(&pr);
	return e < 0 ? e : 0;
}

/* --- each tunnel */

static void probe_tunnel(struct doctor_state *st, const struct doctor_link *l,
			 const struct probe_opts *o, struct doctor_probe *p)
{
	static const uint8_t any[16];
	struct path r = { .mark = l->fwmark };
	const struct doctor_link *dev;
	bool had_cache;
	int e;

	snprintf(p->tunnel, sizeof(p->tunnel), "%s", l->name);
	r.family = l->gre->v6 ? AF_INET6 : AF_INET;
	r.alen = l->gre->v6 ? 16 : 4;
	memcpy(r.dst, l->gre->v6 ? (void *)&l->remote6 : (void *)&l->remote4, r.alen);
	memcpy(r.src, l->gre->v6 ? (void *)&l->local6 : (void *)&l->local4, r.alen);
	inet_ntop(r.family, r.dst, p->remote, sizeof(p->remote));
	if (!memcmp(r.dst, any, r.alen)) {
		snprintf(p->why, sizeof(p->why), "no remote address");
		return;
	}
	e = path_talk(&r, RTM_GETROUTE);
	dev = r.oif ? doctor_link_by_index(st, r.oif) : NULL;
	if (e || !dev || !dev->mtu) {
		snprintf(p->why, sizeof(p->why), "no route to %s%s%s", p->remote,
			 e ? ": " : "", e ? strerror(-e) : "");
		return;
	}
	snprintf(p->dev, sizeof(p->dev), "%s", dev->name);
	p->dev_mtu = dev->mtu;
	if (r.cached && r.learned) {
		/* learned from a Packet Too Big: PMTUD works; send nothing */
		p->pmtu = r.learned;
		p->source = PROBE_CACHED;
		p->too_big = true;
		return;
	}
	had_cache = r.cached || r.learned;
	e = probe_path(&r, p, o->timeout);
	if (e)
		snprintf(p->why, sizeof(p->why), "probing %s: %s", p->remote, strerror(-e));
	if (!e && !p->pmtu && r.learned) {
		p->pmtu = r.learned;
		p->source = PROBE_KERNEL;
	} else if (!e && !p->pmtu) {
		snprintf(p->why, sizeof(p->why),
			 "no echo reply from %s, and the kernel learned no PMTU", p->remote);
	}
	if (had_cache || path_talk(&r, RTM_GETROUTE) || !(r.cached || r.learned))
		return;
	/* the probe made a route exception (IPv6): remove it */
	if (r.family != AF_INET6 || path_talk(&r, RTM_DELROUTE))
		err("doctor: probing %s changed the route to %s: PMTU %u learned",
		    l->name, p->remote, r.learned);
}

static bool no_remote(const struct doctor_link *l)
{
	return l->gre->v6 ? IN6_IS_ADDR_UNSPECIFIED(&l->remote6) : !l->remote4.s_addr;
}

void doctor_probes_free(struct doctor_probes *res)
{
	free(res->p);
	free(res->v);
	res->p = NULL;
	res->v = NULL;
	res->n = 0;
}

/*
 * Probe every GRE device of st (or those o names), judge each, and add the
 * findings to f; res has what was found, f->probes points to it.  Needs
 * the links; reads the IPsec SAs.  Return: 0, -ENODEV if a name is no GRE
 * device here (said on stderr), or -errno.
 */
int doctor_probe_all(struct doctor_state *st, const struct probe_opts *o,
		     struct doctor_probes *res, struct doctor_findings *f)
{
	const struct doctor_link *l;
	unsigned int i, n = 0;
	int j, e;

	for (j = 0; j < o->nnames; j++) {
		for (i = 0; i < st->nlinks; i++)
			if (st->links[i].gre && !strcmp(st->links[i].name, o->names[j]))
				break;
		if (i == st->nlinks) {
			err("doctor: no GRE tunnel '%s' here (gre, gretap, ip6gre, ip6gretap)",
			    o->names[j]);
			return -ENODEV;
		}
	}
	if (!st->sas_read) {
		e = doctor_dump(st, DOCTOR_SAS);
		if (e) {
			err("reading %s: %s", doctor_parts[DOCTOR_SAS].what, strerror(-e));
			return e;
		}
		st->sas_read = true;
	}
	res->p = calloc(st->nlinks + 1, sizeof(*res->p));
	res->v = calloc(st->nlinks + 1, sizeof(*res->v));
	if (!res->p || !res->v)
		return -ENOMEM;
	for (i = 0; i < st->nlinks; i++) {
		l = &st->links[i];
		if (!doctor_probing(st, l) || (!o->nnames && no_remote(l)))
			continue;	/* gre0, gretap0...: not unless named */
		probe_tunnel(st, l, o, &res->p[n]);
		doctor_probe_verdict(st, l, res->p[n].dev, &res->p[n], &res->v[n], f);
		n++;
	}
	res->n = n;
	f->probes = res;
	return 0;
}
