// SPDX-License-Identifier: GPL-2.0
/*
 * tunfixctl doctor --probe: the verdict on a tunnel from what the probe of
 * its path found (struct doctor_probe) and the namespace's state: the
 * largest inner packet that fits, whether the path is a black hole,
 * whether tunfix's settings already cover the tunnel, and the fix.  No
 * I/O: tests/doctor-test.c runs it on made-up probe results.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "doctor.h"

/* An ESP SA from l's local to its remote address (local any: any), or NULL. */
const struct doctor_sa *doctor_esp_sa(const struct doctor_state *st,
				      const struct doctor_link *l)
{
	uint16_t family = l->gre->v6 ? AF_INET6 : AF_INET;
	const void *local = l->gre->v6 ? (const void *)&l->local6 : (const void *)&l->local4;
	const void *remote = l->gre->v6 ? (const void *)&l->remote6 : (const void *)&l->remote4;
	size_t len = l->gre->v6 ? 16 : 4;
	static const uint8_t any[16];
	unsigned int i;

	for (i = 0; i < st->nsas; i++) {
		const struct doctor_sa *sa = &st->sas[i];

		if (sa->family == family && !memcmp(&sa->dst, remote, len) &&
		    (!memcmp(local, any, len) || !memcmp(&sa->src, local, len)))
			return sa;
	}
	return NULL;
}

/*
 * The largest payload ESP (sa) carries in room bytes (the path MTU less
 * the outer IP header): esp_output() adds the ESP header (8), the IV, the
 * trailer (2) after padding to the block size, and the ICV.  0 if none.
 */
uint32_t doctor_esp_fit(const struct doctor_sa *sa, uint32_t room)
{
	uint32_t blk = sa->blk < 4 ? 4 : sa->blk, over = 8 + sa->iv + sa->icv;

	if (room < over + blk)
		return 0;
	return (room - over) / blk * blk - 2;
}

/* Is n in the comma-separated protocol list s? */
static bool proto_listed(const char *s, unsigned int n)
{
	unsigned int v;
	int used;

	while (sscanf(s, "%u%n", &v, &used) == 1) {
		if (v == n)
			return true;
		s += used;
		if (*s != ',')
			break;
		s++;
	}
	return false;
}

/*
 * The knob settings tunfix still needs to clear DF on the outer packets
 * of l (and, bridged, on its inner IPv4 frames) leaving by device dev,
 * into buf as "KNOB=VALUE ..."; "" if its settings cover it.
 */
static void knobs_missing(const struct doctor_state *st,
			  const struct doctor_link *l, const char *dev,
			  bool esp, char *buf, size_t len)
{
	uint32_t egress = 0, bridge = 0, mark = 0, mask = 0;
	const char *protos = st->knob[TUNFIX_KNOB_DF_PROTOCOLS];
	const char *df_dev = st->knob[TUNFIX_KNOB_DF_DEV];
	const char *bdev = st->knob[TUNFIX_KNOB_DF_BRIDGE_DEV];
	size_t n = 0;

	*buf = '\0';
	doctor_knob_u32(st, TUNFIX_KNOB_DF_EGRESS, &egress);
	doctor_knob_u32(st, TUNFIX_KNOB_DF_BRIDGE, &bridge);
	doctor_knob_u32(st, TUNFIX_KNOB_DF_MARK, &mark);
	doctor_knob_u32(st, TUNFIX_KNOB_DF_MASK, &mask);
#define ADD(...) (n += snprintf(buf + n, n < len ? len - n : 0, __VA_ARGS__))
	if (!egress)
		ADD(" %s=1", knobs[TUNFIX_KNOB_DF_EGRESS].name);
	if (st->have[TUNFIX_KNOB_DF_PROTOCOLS] && !proto_listed(protos, IPPROTO_GRE) &&
	    !(esp && proto_listed(protos, IPPROTO_ESP)))
		ADD(" %s=%s", knobs[TUNFIX_KNOB_DF_PROTOCOLS].name,
		    knobs[TUNFIX_KNOB_DF_PROTOCOLS].def);
	if (st->have[TUNFIX_KNOB_DF_DEV] && *df_dev && strcmp(df_dev, dev))
		ADD(" %s=%s", knobs[TUNFIX_KNOB_DF_DEV].name, dev);
	if (mask && (l->fwmark & mask) != mark)
		ADD(" %s=0", knobs[TUNFIX_KNOB_DF_MASK].name);
	if (l->gre->tap && l->master) {
		if (!bridge)
			ADD(" %s=1", knobs[TUNFIX_KNOB_DF_BRIDGE].name);
		if (st->have[TUNFIX_KNOB_DF_BRIDGE_DEV] && *bdev && strcmp(bdev, l->name))
			ADD(" %s=", knobs[TUNFIX_KNOB_DF_BRIDGE_DEV].name);
	}
#undef ADD
	if (n)
		memmove(buf, buf + 1, strlen(buf));	/* the first blank */
}

/*
 * tunfix's settings cover l: an IPv4 GRE device whose outer packets leave
 * by dev get DF cleared (df_egress, the protocol, df_dev, the fwmark
 * selector against the tunnel's mark; bridged, df_bridge too).  Never an
 * IPv6 one: no router fragments IPv6, no DF to clear.
 */
bool doctor_probe_covered(const struct doctor_state *st,
			  const struct doctor_link *l, const char *dev, bool esp)
{
	char buf[200];

	if (l->gre->v6 || !doctor_loaded(st))
		return false;
	knobs_missing(st, l, dev, esp, buf, sizeof(buf));
	return !*buf;
}

/*
 * The verdict on l from p, the probe of its path (leaving by device dev),
 * into v, and a finding if l sends inner packets its path cannot carry
 * and nothing tells the senders: a black hole (no too-big answer), or l
 * is bridged (bridged hosts learn no PMTU; an ip6gretap drops what does
 * not fit, DF or not).  Not a problem: the path carries l's MTU, tunfix
 * covers it, or it fragments its outer packets itself (nopmtudisc
 * ignore-df).  A path of unknown MTU is not judged.
 */
void doctor_probe_verdict(const struct doctor_state *st,
			  const struct doctor_link *l, const char *dev,
			  const struct doctor_probe *p, struct doctor_verdict *v,
			  struct doctor_findings *f)
{
	const struct doctor_sa *sa = doctor_esp_sa(st, l);
	uint32_t ip = l->gre->v6 ? 40 : 20, over = doctor_gre_overhead(l);
	char what[300], fix1[200], fix2[200], missing[160];
	bool bridged = l->gre->tap && l->master;
	uint32_t esp;

	memset(v, 0, sizeof(*v));
	v->esp = sa;
	v->mtu = l->mtu;
	v->overhead = over;
	v->black_hole = p->silent && !p->too_big;
	v->covered = doctor_probe_covered(st, l, dev, !!sa);
	if (!p->pmtu || p->pmtu <= ip)
		return;
	if (sa) {
		/* transport mode: GRE's IP header is the outer one */
		esp = doctor_esp_fit(sa, p->pmtu - (sa->family == AF_INET6 ? 40 : 20));
		if (sa->mode == XFRM_MODE_TRANSPORT)
			over -= ip;
		v->fit = esp > over ? esp - over : 0;
		v->overhead = p->pmtu - v->fit;
	} else {
		v->fit = p->pmtu > over ? p->pmtu - over : 0;
	}
	if (!v->fit || l->mtu <= v->fit || v->covered)
		return;
	if (!bridged && !v->black_hole)
		return;		/* PMTUD works: the senders are told */
	if (!l->gre->v6 && !l->pmtudisc && l->ignore_df)
		return;		/* it fragments the outer packets itself */
	v->problem = true;
	if (v->black_hole)
		snprintf(what, sizeof(what),
			 "%s %s (MTU %u): its path to %s carries packets up to %u bytes and drops larger ones without an answer, a PMTU black hole: inner packets above %u bytes are lost%s",
			 l->kind, l->name, l->mtu, p->remote, p->pmtu, v->fit,
			 l->gre->v6 ? ", and tunfix cannot help (IPv6)" : "");
	else
		snprintf(what, sizeof(what),
			 "%s %s is bridged with MTU %u, but its path to %s carries packets up to %u bytes: inner packets above %u bytes are dropped and the bridged hosts are not told%s",
			 l->kind, l->name, l->mtu, p->remote, p->pmtu, v->fit,
			 l->gre->v6 ? ", and tunfix cannot help (IPv6)" : "");
	if (l->gre->v6) {
		snprintf(fix1, sizeof(fix1), "ip link set %s mtu %u%s", l->name, v->fit,
			 bridged ? ", the same MTU on the LAN's hosts, and clamp TCP MSS" : "");
		snprintf(fix2, sizeof(fix2), "%s",
			 bridged ? "carry the LAN over gretap on IPv4 (nopmtudisc ignore-df)" : "");
	} else {
		knobs_missing(st, l, dev, !!sa, missing, sizeof(missing));
		snprintf(fix1, sizeof(fix1), "%stunfixctl set %s",
			 doctor_loaded(st) ? "" : MODPROBE_HINT " && ", missing);
		if (bridged)
			snprintf(fix2, sizeof(fix2), "ip link set %s type %s nopmtudisc ignore-df",
				 l->name, l->kind);
		else
			snprintf(fix2, sizeof(fix2), "ip link set %s mtu %u", l->name, v->fit);
	}
	doctor_finding(f, what, fix1, *fix2 ? fix2 : NULL);
}
