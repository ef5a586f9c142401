// SPDX-License-Identifier: GPL-2.0
/*
 * tunfixctl doctor: the GRE devices.  A gre or gretap that copies or
 * checks DF, a bridged gretap that drops full-size IPv6 frames, a bridged
 * ip6gretap wider than its path.
 */
#include <stdio.h>
#include <string.h>
#include <linux/if_tunnel.h>
#include <linux/ip6_tunnel.h>

#include "doctor.h"

const struct doctor_link *doctor_link_by_index(const struct doctor_state *st,
					       uint32_t ifindex)
{
	unsigned int i;

	for (i = 0; i < st->nlinks; i++)
		if (st->links[i].ifindex == ifindex)
			return &st->links[i];
	return NULL;
}

/* The device the IPv6 route to dst leaves through, 0 if unknown. */
static uint32_t route_oif6(const struct doctor_state *st,
			   const struct in6_addr *dst)
{
	unsigned int i;

	for (i = 0; i < st->nroutes; i++)
		if (!memcmp(&st->routes[i].dst, dst, sizeof(*dst)))
			return st->routes[i].oif;
	return 0;
}

/*
 * The largest frame an ip6gretap sends whole: its path MTU less its
 * overhead, as ip6gre_tnl_link_config_route() computes the default MTU.
 * 0 if unknown.
 */
static uint32_t ip6gretap_fit(const struct doctor_state *st,
			      const struct doctor_link *l)
{
	uint32_t lower = l->gre_link ? l->gre_link : route_oif6(st, &l->remote6);
	const struct doctor_link *dev = lower ? doctor_link_by_index(st, lower) : NULL;
	uint32_t over = doctor_gre_overhead(l);

	if (!dev || !dev->mtu)
		return 0;
	return dev->mtu > over ? dev->mtu - over : 0;
}

/*
 * What a GRE device l puts before an inner packet: the outer IP header,
 * the GRE header (gre_calc_hlen()), for ip6gre the encapsulation limit
 * option unless ignored (RFC 2473), for a tap the inner Ethernet header.
 */
uint32_t doctor_gre_overhead(const struct doctor_link *l)
{
	uint32_t over = (l->gre->v6 ? 40 : 20) + 4 + 14 * l->gre->tap;

	over += 4 * !!(l->oflags & GRE_CSUM) + 4 * !!(l->oflags & GRE_KEY) +
		4 * !!(l->oflags & GRE_SEQ);
	if (l->gre->v6 && !(l->ip6_flags & IP6_TNL_F_IGN_ENCAP_LIMIT))
		over += 8;
	return over;
}

/*
 * A GRE device that copies or checks DF: gre and gretap report pmtudisc
 * and ignore_df (IFLA_GRE_PMTUDISC, IFLA_GRE_IGNORE_DF).  A bridged gretap
 * in pmtudisc mode drops full-size frames that are not IPv4 in
 * tnl_update_pmtu() (net/ipv4/ip_tunnel.c): no DF to clear there.  An
 * ip6gretap drops every frame larger than its path carries, DF or not
 * (ip6_tnl_xmit() in net/ipv6/ip6_tunnel.c).  With --probe, a routed gre
 * and a bridged ip6gretap are judged by their path (doctor-verdict.c).
 */
static void check_link(const struct doctor_state *st,
		       const struct doctor_link *l, uint32_t df_bridge,
		       uint32_t df_egress, struct doctor_findings *f)
{
	char what[300], fix1[160], fix2[160];
	uint32_t fit;

	if (!l->gre)
		return;
	if (l->gre->v6 && l->gre->tap && l->master) {
		if (doctor_probing(st, l))
			return;	/* the probe judges it by the path itself */
		fit = ip6gretap_fit(st, l);
		if (!fit || l->mtu <= fit)
			return;
		snprintf(what, sizeof(what),
			 "%s %s is bridged with MTU %u, but its path carries frames up to %u: larger frames are dropped, with or without DF, and tunfix cannot help",
			 l->kind, l->name, l->mtu, fit);
		snprintf(fix1, sizeof(fix1),
			 "ip link set %s mtu %u, the same MTU on the LAN's hosts, and clamp TCP MSS (nft: tcp flags syn tcp option maxseg size set rt mtu)",
			 l->name, fit);
		snprintf(fix2, sizeof(fix2), "carry the LAN over gretap on IPv4 (nopmtudisc ignore-df)");
		doctor_finding(f, what, fix1, fix2);
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
		doctor_finding(f, what, fix2, NULL);
	}
	if (l->gre->tap && (!df_bridge || !df_egress)) {
		snprintf(what, sizeof(what),
			 "%s %s is in pmtudisc mode without ignore-df: bridged full-size IPv4 frames with DF are dropped, and outer packets get DF",
			 l->kind, l->name);
		snprintf(fix1, sizeof(fix1), "tunfixctl set %s=1 %s=1",
			 knobs[TUNFIX_KNOB_DF_BRIDGE].name,
			 knobs[TUNFIX_KNOB_DF_EGRESS].name);
		doctor_finding(f, what, fix1, fix2);
	} else if (!l->gre->tap && !df_egress && !doctor_probing(st, l)) {
		snprintf(what, sizeof(what),
			 "%s %s copies DF into its outer packets: a PMTU black hole on the path drops them",
			 l->kind, l->name);
		snprintf(fix1, sizeof(fix1), "tunfixctl set %s=1",
			 knobs[TUNFIX_KNOB_DF_EGRESS].name);
		doctor_finding(f, what, fix1, fix2);
	}
}

/*
 * Every GRE device of st->links, against df_bridge and df_egress (off
 * where tunfix is not loaded: ignore-df needs no module).  Needs the links
 * and the routes.
 */
void doctor_check_tunnels(const struct doctor_state *st,
			  struct doctor_findings *f)
{
	uint32_t df_bridge = 0, df_egress = 0;
	unsigned int i;

	if (doctor_loaded(st)) {
		doctor_knob_u32(st, TUNFIX_KNOB_DF_BRIDGE, &df_bridge);
		doctor_knob_u32(st, TUNFIX_KNOB_DF_EGRESS, &df_egress);
	}
	for (i = 0; i < st->nlinks; i++)
		check_link(st, &st->links[i], df_bridge, df_egress, f);
}
