// SPDX-License-Identifier: GPL-2.0
/*
 * tunfixctl doctor: tunfix's settings against the namespace.  df_egress
 * with no protocol, a device knob naming a device that is not there, and
 * the fwmark selector of the DF hooks: a df_mark no packet can match, or
 * nothing here that sets a mark.
 */
#include <stdio.h>
#include <string.h>

#include "doctor.h"

static bool link_exists(const struct doctor_state *st, const char *name)
{
	unsigned int i;

	if (st->nlinks >= DOCTOR_MAX_LINKS)
		return true;	/* too many to tell */
	for (i = 0; i < st->nlinks; i++)
		if (!strcmp(st->links[i].name, name))
			return true;
	return false;
}

/* A device knob names a device that is not there while its switch is on. */
static void check_dev_knob(const struct doctor_state *st, enum tunfix_knob dev,
			   enum tunfix_knob feature, struct doctor_findings *f)
{
	const char *val = st->knob[dev];
	char what[256], fix[96];
	uint32_t on;

	if (!st->have[dev] || !*val || !doctor_knob_u32(st, feature, &on) ||
	    !on || link_exists(st, val))
		return;
	snprintf(what, sizeof(what),
		 "%s is on but %s names '%s', and there is no such device here: nothing is handled",
		 knobs[feature].name, knobs[dev].name, val);
	snprintf(fix, sizeof(fix), "tunfixctl set %s=", knobs[dev].name);
	doctor_finding(f, what, fix, NULL);
}

/* df_egress is on but df_protocols is empty. */
static void check_protocols(const struct doctor_state *st,
			    struct doctor_findings *f)
{
	const struct knob *k = &knobs[TUNFIX_KNOB_DF_PROTOCOLS];
	char what[256], fix[96];
	uint32_t df_egress = 0;

	doctor_knob_u32(st, TUNFIX_KNOB_DF_EGRESS, &df_egress);
	if (!df_egress || !st->have[TUNFIX_KNOB_DF_PROTOCOLS] ||
	    *st->knob[TUNFIX_KNOB_DF_PROTOCOLS])
		return;
	snprintf(what, sizeof(what), "%s is on but %s is empty: nothing is handled",
		 knobs[TUNFIX_KNOB_DF_EGRESS].name, k->name);
	snprintf(fix, sizeof(fix), "tunfixctl set %s=%s", k->name, k->def);
	doctor_finding(f, what, fix, NULL);
}

/*
 * The fwmark selector is on: df_mark and a non-zero df_mask, and a DF hook
 * on to use them.
 */
static bool selector_on(const struct doctor_state *st, uint32_t *mark,
			uint32_t *mask)
{
	uint32_t egress = 0, bridge = 0, transit = 0;

	doctor_knob_u32(st, TUNFIX_KNOB_DF_EGRESS, &egress);
	doctor_knob_u32(st, TUNFIX_KNOB_DF_BRIDGE, &bridge);
	doctor_knob_u32(st, TUNFIX_KNOB_DF_TRANSIT, &transit);
	return doctor_knob_u32(st, TUNFIX_KNOB_DF_MARK, mark) &&
	       doctor_knob_u32(st, TUNFIX_KNOB_DF_MASK, mask) && *mask &&
	       (egress || bridge || transit);
}

static void selector_fix(char *buf, size_t len)
{
	snprintf(buf, len, "tunfixctl set %s=0", knobs[TUNFIX_KNOB_DF_MASK].name);
}

/*
 * The fwmark selector is on and some mark can match it: then what sets
 * marks here matters (doctor_check_selector(), which needs the nft rules
 * and, if none marks, the IPsec SAs).
 */
bool doctor_selector_live(const struct doctor_state *st)
{
	uint32_t mark, mask;

	return selector_on(st, &mark, &mask) && !(mark & ~mask);
}

/*
 * df_egress without protocols, device knobs naming no device here, and a
 * df_mark with bits outside df_mask.  Needs the knobs and the links.
 */
void doctor_check_settings(const struct doctor_state *st,
			   struct doctor_findings *f)
{
	char what[300], fix[120], fix2[96];
	uint32_t mark, mask;

	check_protocols(st, f);
	check_dev_knob(st, TUNFIX_KNOB_DF_DEV, TUNFIX_KNOB_DF_EGRESS, f);
	check_dev_knob(st, TUNFIX_KNOB_DF_BRIDGE_DEV, TUNFIX_KNOB_DF_BRIDGE, f);
	check_dev_knob(st, TUNFIX_KNOB_DHCP_DEV, TUNFIX_KNOB_DHCP_REMARK, f);
	if (!selector_on(st, &mark, &mask) || !(mark & ~mask))
		return;
	snprintf(what, sizeof(what),
		 "%s %#x has bits outside %s %#x: no packet can match, the DF hooks change nothing",
		 knobs[TUNFIX_KNOB_DF_MARK].name, mark,
		 knobs[TUNFIX_KNOB_DF_MASK].name, mask);
	snprintf(fix, sizeof(fix), "tunfixctl set %s=%#x",
		 knobs[TUNFIX_KNOB_DF_MARK].name, mark & mask);
	selector_fix(fix2, sizeof(fix2));
	doctor_finding(f, what, fix, fix2);
}

/*
 * The selector is live but nothing sets a mark it could see: no nft rule
 * "meta mark set", no iptables-nft MARK or CONNMARK, no IPsec SA output
 * mark.  tc and SO_MARK cannot be seen from here.
 */
void doctor_check_selector(const struct doctor_state *st,
			   struct doctor_findings *f)
{
	char what[300], fix[120], fix2[96];
	uint32_t mark, mask;

	if (!doctor_selector_live(st) || st->nft_marks || st->sa_marks)
		return;
	selector_on(st, &mark, &mask);
	snprintf(what, sizeof(what),
		 "the fwmark selector is on (%s %#x, %s %#x) but no nft or iptables rule and no IPsec SA sets a mark here: unless tc or a socket's SO_MARK does, the DF hooks change nothing",
		 knobs[TUNFIX_KNOB_DF_MARK].name, mark,
		 knobs[TUNFIX_KNOB_DF_MASK].name, mask);
	snprintf(fix, sizeof(fix),
		 "nft add rule ip TABLE CHAIN ... meta mark set mark or %#x (priority mangle)",
		 mark);
	selector_fix(fix2, sizeof(fix2));
	doctor_finding(f, what, fix, fix2);
}
