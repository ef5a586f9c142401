// SPDX-License-Identifier: GPL-2.0
/*
 * tunfixctl doctor: DHCP re-marking around IPsec.  No ip rule for the
 * mark, or an IPsec policy that captures the re-marked replies with
 * nothing to bypass it.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "doctor.h"

/* dhcp_remark is on (and dhcp_mark readable): gives dhcp_mark. */
static bool dhcp_on(const struct doctor_state *st, uint32_t *mark)
{
	uint32_t remark;

	return doctor_knob_u32(st, TUNFIX_KNOB_DHCP_REMARK, &remark) && remark &&
	       doctor_knob_u32(st, TUNFIX_KNOB_DHCP_MARK, mark);
}

/* DHCP replies are re-marked: the ip rules and IPsec policies matter. */
bool doctor_dhcp_on(const struct doctor_state *st)
{
	uint32_t mark;

	return dhcp_on(st, &mark);
}

/*
 * A re-marked reply carries dhcp_mark in the dhcp_mask bits; the other
 * bits are what the packet had.  A rule that looks at those too may or
 * may not match: give it the benefit of the doubt.
 */
static bool rule_matches(const struct doctor_rule *r, uint32_t mark,
			 uint32_t mask)
{
	return r->has_mark && r->mark &&
	       (mark & r->mask & mask) == (r->mark & mask);
}

/* An IPsec interface: routes into it lead to ESP (xfrm interface, vti). */
static bool link_is_ipsec(const struct doctor_link *l)
{
	return !strcmp(l->kind, "xfrm") || !strcmp(l->kind, "vti");
}

/*
 * The replies already leave through a raw interface, and the re-route has
 * only to skip the IPsec policy lookup (dhcp_xfrm_bypass): the policy-based
 * case of recipes/dhcp-policy-based.sh, tunfix_xfrm_bypass_setup, which
 * needs no ip rule.  So when dhcp_xfrm_bypass is on and no IPsec interface
 * can carry them: dhcp_dev names a device that is not one, or dhcp_dev is
 * empty and the namespace has none.
 */
static bool dhcp_needs_no_rule(const struct doctor_state *st)
{
	const char *dev = st->knob[TUNFIX_KNOB_DHCP_DEV];
	uint32_t bypass = 0;
	bool found = false;
	unsigned int i;

	if (!doctor_knob_u32(st, TUNFIX_KNOB_DHCP_XFRM_BYPASS, &bypass) ||
	    !bypass || !st->have[TUNFIX_KNOB_DHCP_DEV])
		return false;
	for (i = 0; i < st->nlinks; i++) {
		if (dev[0] && strcmp(st->links[i].name, dev))
			continue;
		if (link_is_ipsec(&st->links[i]))
			return false;
		found = true;
	}
	return !dev[0] || found;
}

/* No ip rule matches the DHCP mark.  Needs the knobs and the rules. */
void doctor_check_dhcp_rule(const struct doctor_state *st,
			    struct doctor_findings *f)
{
	uint32_t mark, mask = 0xffffffff;
	char what[256], fix[160];
	unsigned int i;

	if (!dhcp_on(st, &mark) || dhcp_needs_no_rule(st))
		return;
	doctor_knob_u32(st, TUNFIX_KNOB_DHCP_MASK, &mask);
	for (i = 0; i < st->nrules; i++)
		if (rule_matches(&st->rules[i], mark, mask))
			return;
	snprintf(what, sizeof(what),
		 "%s is on but no ip rule matches mark %#x: re-marked DHCP replies are routed as before",
		 knobs[TUNFIX_KNOB_DHCP_REMARK].name, mark);
	snprintf(fix, sizeof(fix),
		 "ip rule add fwmark %#x table 20 && ip route add CLIENT_NET dev RAW_DEV table 20",
		 mark);
	doctor_finding(f, what, fix, NULL);
}

static bool sel_covers_dhcp(const struct xfrm_selector *sel)
{
	return sel->family == AF_INET &&
	       (sel->proto == 0 || sel->proto == IPPROTO_UDP) &&
	       (sel->sport & sel->sport_mask) ==
	       (htons(TUNFIX_DHCP_SERVER_PORT) & sel->sport_mask) &&
	       (sel->dport & sel->dport_mask) ==
	       (htons(TUNFIX_DHCP_CLIENT_PORT) & sel->dport_mask);
}

/*
 * An outgoing policy a re-marked DHCP reply meets: its selector covers UDP
 * 67 to 68 and it is not keyed to a mark the reply lacks.
 */
static bool policy_meets_dhcp(const struct doctor_policy *p, uint32_t mark)
{
	return p->dir == XFRM_POLICY_OUT && p->action == XFRM_POLICY_ALLOW &&
	       sel_covers_dhcp(&p->sel) &&
	       (!p->mark.m || (mark & p->mark.m) == p->mark.v);
}

/* prefix a/alen contains prefix b/blen (IPv4, network byte order) */
static bool prefix_covers(uint32_t a, uint8_t alen, uint32_t b, uint8_t blen)
{
	uint32_t m = alen ? htonl(~0U << (32 - (alen > 32 ? 32 : alen))) : 0;

	return alen <= blen && !((a ^ b) & m);
}

/*
 * A passthrough: no templates, every protocol and port, and it covers
 * every address pair the IPsec policy capture covers.  strongSwan's
 * bypass-lan plugin installs one for each local subnet.
 */
static bool passthrough_covers(const struct doctor_policy *p,
			       const struct doctor_policy *capture)
{
	return !p->tmpl && !p->sel.proto && !p->sel.sport_mask &&
	       !p->sel.dport_mask &&
	       prefix_covers(p->sel.saddr.a4, p->sel.prefixlen_s,
			     capture->sel.saddr.a4, capture->sel.prefixlen_s) &&
	       prefix_covers(p->sel.daddr.a4, p->sel.prefixlen_d,
			     capture->sel.daddr.a4, capture->sel.prefixlen_d);
}

/*
 * A passthrough outranks the IPsec policy capture: DHCP replies leave in
 * clear without tunfix, and so does everything else between the two.
 */
static void dhcp_not_needed(const struct doctor_policy *pass,
			    const struct doctor_policy *capture,
			    struct doctor_findings *f)
{
	char what[300], fix[64];
	char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &pass->sel.saddr.a4, src, sizeof(src));
	inet_ntop(AF_INET, &pass->sel.daddr.a4, dst, sizeof(dst));
	snprintf(what, sizeof(what),
		 "%s is not needed: passthrough policy %s/%u -> %s/%u (priority %u, before the IPsec policy's %u) lets DHCP replies out in clear, and all other traffic to that network too",
		 knobs[TUNFIX_KNOB_DHCP_REMARK].name, src, pass->sel.prefixlen_s,
		 dst, pass->sel.prefixlen_d, pass->priority, capture->priority);
	snprintf(fix, sizeof(fix), "tunfixctl set %s=0",
		 knobs[TUNFIX_KNOB_DHCP_REMARK].name);
	doctor_finding(f, what, fix,
		       "to keep IPsec on that network, remove the passthrough (strongSwan bypass-lan: interfaces_ignore = LAN_DEV)");
}

/*
 * The IPsec policy that captures re-marked DHCP replies (the lowest
 * priority number with templates) wins over every bypass (without
 * templates), and dhcp_xfrm_bypass is off.  Or a passthrough wins over
 * it: then tunfix is not needed.  Needs the knobs and the policies.
 */
void doctor_check_dhcp_xfrm(const struct doctor_state *st,
			    struct doctor_findings *f)
{
	const struct doctor_policy *p, *capture = NULL;
	uint32_t mark, bypass = 0, bypass_prio = UINT32_MAX;
	char what[300], fix[200], knob[64];
	char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
	unsigned int i;

	if (!dhcp_on(st, &mark))
		return;
	doctor_knob_u32(st, TUNFIX_KNOB_DHCP_XFRM_BYPASS, &bypass);
	for (i = 0; i < st->npolicies; i++) {
		p = &st->policies[i];
		if (!policy_meets_dhcp(p, mark))
			continue;
		if (!p->tmpl) {
			if (p->priority < bypass_prio)
				bypass_prio = p->priority;
		} else if (p->priority < (capture ? capture->priority : UINT32_MAX)) {
			capture = p;
		}
	}
	if (!capture)
		return;
	for (i = 0; i < st->npolicies; i++) {
		p = &st->policies[i];
		if (policy_meets_dhcp(p, mark) && p->priority < capture->priority &&
		    passthrough_covers(p, capture)) {
			dhcp_not_needed(p, capture, f);
			return;
		}
	}
	if (bypass || bypass_prio < capture->priority)
		return;
	inet_ntop(AF_INET, &capture->sel.saddr.a4, src, sizeof(src));
	inet_ntop(AF_INET, &capture->sel.daddr.a4, dst, sizeof(dst));
	snprintf(what, sizeof(what),
		 "IPsec policy %s/%u -> %s/%u (priority %u) captures DHCP replies even after re-marking, and nothing bypasses it",
		 src, capture->sel.prefixlen_s, dst, capture->sel.prefixlen_d,
		 capture->priority);
	snprintf(fix, sizeof(fix),
		 "ip xfrm policy add src 0.0.0.0/0 dst 0.0.0.0/0 proto udp sport %d dport %d dir out priority %u action allow",
		 TUNFIX_DHCP_SERVER_PORT, TUNFIX_DHCP_CLIENT_PORT,
		 capture->priority ? capture->priority - 1 : 0);
	snprintf(knob, sizeof(knob), "tunfixctl set %s=1",
		 knobs[TUNFIX_KNOB_DHCP_XFRM_BYPASS].name);
	doctor_finding(f, what, fix, knob);
}
