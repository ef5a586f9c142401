// SPDX-License-Identifier: GPL-2.0
/*
 * doctor's unit tests, without a kernel: doctor_run() on the state that
 * doctor's own parsers make of netlink replies recorded in the guest
 * (tests/record.sh, tests/data/CASE/).
 *
 *   doctor-test [-j] --print CASE   what tunfixctl [-j] doctor would print
 *                                   and its exit status, from the recording
 *   doctor-test DATA                the expectations of each case of
 *                                   tests[] (DATA/NAME); one PASS or FAIL
 *                                   line each
 *
 * The expectations come from the topology tests/record.sh builds and from
 * the recorded state itself (an MTU the kernel chose, a policy's
 * priority), not from doctor's output.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "../doctor.h"

const char *netns_name;
bool json;

static const char *case_dir;

/* The whole of DIR/NAME into a new buffer.  Return: its length, or -errno. */
static ssize_t slurp(const char *dir, const char *name, char **buf)
{
	char path[PATH_MAX];
	size_t len = 0, size = 4096;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	*buf = NULL;
	do {
		char *p = realloc(*buf, size *= 2);

		if (!p) {
			n = -ENOMEM;
			break;
		}
		*buf = p;
		n = read(fd, *buf + len, size - len - 1);
		if (n < 0)
			n = -errno;
		else
			len += n;
	} while (n > 0);
	close(fd);
	if (n < 0) {
		free(*buf);
		return n;
	}
	(*buf)[len] = '\0';
	return len;
}

/*
 * The read function doctor_run() is given: the recording of the part,
 * fed to its parser as doctor_dump() feeds the kernel's replies.  A dump
 * ends at NLMSG_DONE or at an error, which is returned (-errno); the
 * replies to lookups are one each, their errors skipped.
 */
static int replay(struct doctor_state *st, enum doctor_part part)
{
	const struct doctor_part_info *p = &doctor_parts[part];
	const struct nlmsghdr *nlh;
	char name[64], *buf;
	ssize_t len;
	int ret = 0, left;

	snprintf(name, sizeof(name), "%s.nl", p->file);
	len = slurp(case_dir, name, &buf);
	if (len < 0)
		return len;
	if (p->dump) {
		ret = mnl_cb_run(buf, len, 0, 0, p->parse, st);
		ret = ret < 0 ? -errno : 0;
	} else {
		left = len;
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left)) {
			if (mnl_cb_run(nlh, nlh->nlmsg_len, 0, 0, p->parse, st) < 0 &&
			    errno == ENOMEM) {
				ret = -ENOMEM;
				break;
			}
		}
	}
	free(buf);
	return ret;
}

/* The recorded knobs (NAME=VALUE lines) into st; none: not loaded. */
static int load_knobs(struct doctor_state *st)
{
	char *buf, *line, *eq, *save;
	const struct knob *k;
	ssize_t len;

	len = slurp(case_dir, "knobs", &buf);
	if (len < 0)
		return len;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq = '\0';
		k = knob_find(line);
		if (!k)
			continue;
		snprintf(st->knob[k - knobs], sizeof(st->knob[0]), "%s", eq + 1);
		st->have[k - knobs] = true;
	}
	free(buf);
	return 0;
}

/* One case run: the state doctor made of the recording, and its answer. */
struct run {
	struct doctor_state st;
	struct doctor_findings f;
	int status;
	int failed;
};

static int run_case(const char *dir, struct run *r)
{
	int e;

	memset(r, 0, sizeof(*r));
	case_dir = dir;
	e = load_knobs(&r->st);
	if (e) {
		fprintf(stderr, "%s/knobs: %s\n", dir, strerror(-e));
		return e;
	}
	r->status = doctor_run(&r->st, &r->f, replay);
	return 0;
}

static void run_free(struct run *r)
{
	doctor_findings_free(&r->f);
	doctor_state_free(&r->st);
}

/* expect(r, cond, "what was expected", ...): a failed one is printed */
static void expect(struct run *r, bool cond, const char *fmt, ...)
{
	va_list ap;

	if (cond)
		return;
	fputs("  expected: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	r->failed++;
}

static const struct doctor_link *link_named(const struct run *r, const char *name)
{
	unsigned int i;

	for (i = 0; i < r->st.nlinks; i++)
		if (!strcmp(r->st.links[i].name, name))
			return &r->st.links[i];
	return NULL;
}

/* The finding whose problem or fixes contain text, or NULL. */
static const struct doctor_finding *finding_with(const struct run *r,
						 const char *text)
{
	const struct doctor_finding *v;
	unsigned int i;

	for (i = 0; i < r->f.n; i++) {
		v = &r->f.v[i];
		if (strstr(v->problem, text) || strstr(v->fix[0], text) ||
		    strstr(v->fix[1], text))
			return v;
	}
	return NULL;
}

static uint32_t knob_u32(const struct run *r, enum tunfix_knob id)
{
	uint32_t v = 0;

	doctor_knob_u32(&r->st, id, &v);
	return v;
}

/* the module absent: that finding first, and the tunnels judged with tunfix off */
static void test_notloaded(struct run *r)
{
	const struct doctor_finding *v = finding_with(r, "gre1");

	expect(r, r->status == EXIT_NOT_LOADED, "exit status %d, got %d",
	       EXIT_NOT_LOADED, r->status);
	expect(r, r->f.n == 2 && !strcmp(r->f.v[0].fix[0], MODPROBE_HINT),
	       "2 findings, the first '%s'", MODPROBE_HINT);
	expect(r, v && strstr(v->fix[0], "df_egress=1") &&
	       strstr(v->fix[1], "ip link set gre1 type gre nopmtudisc ignore-df"),
	       "gre1 flagged, fixed by df_egress=1 or ignore-df");
}

/*
 * gt6 (path by route) and gt6k (path by device, key and csum) bridged at
 * MTU 1500: each flagged with the MTU the kernel gave its unbridged twin
 * (gt6ref, gt6kref), which ip6gre computes from the same path and flags.
 */
static void test_ip6gretap_wide(struct run *r)
{
	static const char *const pairs[][2] = {
		{ "gt6", "gt6ref" }, { "gt6k", "gt6kref" },
	};
	const struct doctor_link *l, *ref;
	const struct doctor_finding *v;
	char fix[64];
	unsigned int i;

	expect(r, r->status == EXIT_FOUND && r->f.n == 2,
	       "exit status 1 and 2 findings, got %d and %u", r->status, r->f.n);
	for (i = 0; i < ARRAY_SIZE(pairs); i++) {
		l = link_named(r, pairs[i][0]);
		ref = link_named(r, pairs[i][1]);
		expect(r, l && ref && l->master && !ref->master && l->mtu > ref->mtu,
		       "%s bridged, wider than %s", pairs[i][0], pairs[i][1]);
		if (!l || !ref)
			continue;
		snprintf(fix, sizeof(fix), "ip link set %s mtu %u,", l->name, ref->mtu);
		v = finding_with(r, fix);
		expect(r, v != NULL, "a finding with '%s'", fix);
		expect(r, !finding_with(r, ref->name), "%s not flagged", ref->name);
	}
	l = link_named(r, "gt6");
	expect(r, l && !l->gre_link, "gt6 has no device: its path is a route");
	l = link_named(r, "gt6k");
	expect(r, l && l->gre_link && l->oflags, "gt6k has a device and flags");
}

/* df_bridge and df_egress on: only what tunfix cannot fix, IPv6 over gt0 */
static void test_gretap_ipv6(struct run *r)
{
	const struct doctor_link *l = link_named(r, "gt0");

	expect(r, knob_u32(r, TUNFIX_KNOB_DF_BRIDGE) && knob_u32(r, TUNFIX_KNOB_DF_EGRESS),
	       "df_bridge and df_egress on");
	expect(r, l && l->master && l->pmtudisc && !l->ignore_df,
	       "gt0 bridged, pmtudisc, no ignore-df");
	expect(r, r->status == EXIT_FOUND && r->f.n == 1, "exit status 1, one finding");
	expect(r, r->f.n && strstr(r->f.v[0].problem, "gt0") &&
	       strstr(r->f.v[0].problem, "IPv6") && !*r->f.v[0].fix[1] &&
	       !strcmp(r->f.v[0].fix[0], "ip link set gt0 type gretap nopmtudisc ignore-df"),
	       "the finding: gt0, IPv6, the ip link command alone");
}

static void expect_selector_flagged(struct run *r, bool flagged)
{
	char fix[64];

	snprintf(fix, sizeof(fix), "meta mark set mark or %#x",
		 knob_u32(r, TUNFIX_KNOB_DF_MARK));
	if (flagged)
		expect(r, r->status == EXIT_FOUND && r->f.n == 1 && finding_with(r, fix) &&
		       !strcmp(r->f.v[0].fix[1], "tunfixctl set df_mask=0"),
		       "one finding, with '%s' or df_mask=0", fix);
	else
		expect(r, r->status == EXIT_OK && !r->f.n, "no finding, got %u", r->f.n);
}

/* the selector on, nothing marks */
static void test_selector_unmarked(struct run *r)
{
	expect(r, !r->st.nft_marks && !r->st.sa_marks, "no nft rule, no SA marks");
	expect_selector_flagged(r, true);
}

/* "meta mark set" in an nft rule; an iptables-nft MARK target */
static void test_selector_nft(struct run *r)
{
	expect(r, r->st.nft_marks == 1, "one nft rule marks, got %u", r->st.nft_marks);
	expect_selector_flagged(r, false);
}

/* an SA output mark, no nft rule (so the SAs were read) */
static void test_selector_sa(struct run *r)
{
	expect(r, !r->st.nft_marks && r->st.sa_marks == 1, "no nft rule marks, an SA does");
	expect_selector_flagged(r, false);
}

/* df_mark with bits outside df_mask: the fix keeps the bits inside */
static void test_mark_outside(struct run *r)
{
	uint32_t mark = knob_u32(r, TUNFIX_KNOB_DF_MARK);
	uint32_t mask = knob_u32(r, TUNFIX_KNOB_DF_MASK);
	char fix[64];

	snprintf(fix, sizeof(fix), "tunfixctl set df_mark=%#x", mark & mask);
	expect(r, mark & ~mask, "df_mark %#x with bits outside df_mask %#x", mark, mask);
	expect(r, r->status == EXIT_FOUND && r->f.n == 1 &&
	       !strcmp(r->f.v[0].fix[0], fix), "one finding, fixed by '%s'", fix);
}

/* the covering policy captures the reply; a bypass one number lower */
static void test_dhcp_policy(struct run *r)
{
	const struct doctor_policy *p = NULL;
	char fix[96];
	unsigned int i;

	for (i = 0; i < r->st.npolicies; i++)
		if (r->st.policies[i].tmpl && r->st.policies[i].dir == XFRM_POLICY_OUT)
			p = &r->st.policies[i];
	expect(r, p && p->priority, "an outgoing IPsec policy");
	if (!p)
		return;
	snprintf(fix, sizeof(fix), "dir out priority %u action allow", p->priority - 1);
	expect(r, r->status == EXIT_FOUND && r->f.n == 1 && finding_with(r, fix) &&
	       !strcmp(r->f.v[0].fix[1], "tunfixctl set dhcp_xfrm_bypass=1"),
	       "one finding, with '%s' or dhcp_xfrm_bypass=1", fix);
}

/*
 * dhcp_mark has a bit (0x100) the rule does not look at, the rule's own
 * bit (0x800) is set: it matches, no finding
 */
static void test_dhcp_rule_masked(struct run *r)
{
	uint32_t mark = knob_u32(r, TUNFIX_KNOB_DHCP_MARK);
	const struct doctor_rule *rule = NULL;
	unsigned int i;

	for (i = 0; i < r->st.nrules; i++)
		if (r->st.rules[i].has_mark)
			rule = &r->st.rules[i];
	expect(r, rule && rule->mask != 0xffffffff && (mark & ~rule->mask) &&
	       (mark & rule->mask) == rule->mark,
	       "a fwmark rule with a mask, matching dhcp_mark %#x in its bits only", mark);
	expect(r, r->status == EXIT_OK && !r->f.n, "no finding, got %u", r->f.n);
}

/*
 * bypass-lan's passthrough for the LAN outranks the IPsec policy that
 * covers a client: one finding, tunfix is not needed
 */
static void test_dhcp_bypass_lan(struct run *r)
{
	expect(r, r->st.npolicies == 2, "2 policies, got %u", r->st.npolicies);
	expect(r, r->status == EXIT_FOUND && r->f.n == 1 &&
	       finding_with(r, "passthrough policy 198.51.100.0/24 -> 198.51.100.0/24") &&
	       !strcmp(r->f.v[0].fix[0], "tunfixctl set dhcp_remark=0"),
	       "one finding: not needed, with 'tunfixctl set dhcp_remark=0'");
}

/* no finding, with something to look at in every area */
static void test_clean(struct run *r)
{
	const struct doctor_link *gt0 = link_named(r, "gt0"), *gt6 = link_named(r, "gt6");

	expect(r, r->status == EXIT_OK && !r->f.n, "no finding, got %u", r->f.n);
	expect(r, gt0 && gt0->master && gt6 && gt6->master && link_named(r, "gre1"),
	       "bridged gt0 and gt6, gre1");
	expect(r, r->st.nrules && r->st.npolicies >= 2 && r->st.nft_marks,
	       "ip rules, 2 policies, an nft rule that marks");
}

static const struct {
	const char *name;
	void (*test)(struct run *r);
} tests[] = {
	{ "notloaded", test_notloaded },
	{ "ip6gretap-wide", test_ip6gretap_wide },
	{ "gretap-ipv6", test_gretap_ipv6 },
	{ "selector-unmarked", test_selector_unmarked },
	{ "selector-nft", test_selector_nft },
	{ "selector-iptables", test_selector_nft },
	{ "selector-sa", test_selector_sa },
	{ "mark-outside", test_mark_outside },
	{ "dhcp-policy", test_dhcp_policy },
	{ "dhcp-rule-masked", test_dhcp_rule_masked },
	{ "dhcp-bypass-lan", test_dhcp_bypass_lan },
	{ "clean", test_clean },
};

/*
 * doctor --probe's verdict (doctor_probe_verdict()) on made-up probe
 * results: the tunnels and knobs are written here, no recording needed.
 */
static const struct gre_kind k_gre = { "gre", false, false };
static const struct gre_kind k_gretap = { "gretap", false, true };
static const struct gre_kind k_ip6gretap = { "ip6gretap", true, true };

static void set_knob(struct doctor_state *st, enum tunfix_knob id, const char *v)
{
	snprintf(st->knob[id], sizeof(st->knob[id]), "%s", v);
	st->have[id] = true;
}

/* st with tunfix loaded and every knob at its default */
static void knobs_default(struct doctor_state *st)
{
	int i;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < __TUNFIX_KNOB_MAX; i++)
		set_knob(st, i, knobs[i].def);
}

static struct doctor_link mklink(const struct gre_kind *k, const char *name,
				 uint32_t mtu, uint32_t master)
{
	struct doctor_link l = { .gre = k, .mtu = mtu, .master = master,
				 .pmtudisc = !k->v6 };

	snprintf(l.name, sizeof(l.name), "%s", name);
	snprintf(l.kind, sizeof(l.kind), "%s", k->name);
	inet_pton(AF_INET, "198.51.100.1", &l.local4);
	inet_pton(AF_INET, "203.0.113.2", &l.remote4);
	inet_pton(AF_INET6, "2001:db8:1::1", &l.local6);
	inet_pton(AF_INET6, "2001:db8:2::2", &l.remote6);
	return l;
}

static struct doctor_probe mkprobe(uint32_t pmtu, bool too_big, bool silent)
{
	struct doctor_probe p = { .pmtu = pmtu, .source = PROBE_ECHO,
				  .too_big = too_big, .silent = silent,
				  .dev_mtu = 1500 };

	snprintf(p.remote, sizeof(p.remote), "203.0.113.2");
	return p;
}

/* one verdict: its findings into r->f (freed first) */
static void judge(struct run *r, const struct doctor_link *l,
		  const struct doctor_probe *p, struct doctor_verdict *v)
{
	doctor_findings_free(&r->f);
	doctor_probe_verdict(&r->st, l, "u0", p, v, &r->f);
}

static void test_verdict(struct run *r)
{
	struct doctor_link gre1 = mklink(&k_gre, "gre1", 1476, 0);
	struct doctor_link gt0 = mklink(&k_gretap, "gt0", 1462, 7);
	struct doctor_link gt6 = mklink(&k_ip6gretap, "gt6", 1434, 7);
	struct doctor_probe hole = mkprobe(1400, false, true);
	struct doctor_probe pmtud = mkprobe(1400, true, true);
	struct doctor_sa sa = { .family = AF_INET, .mode = XFRM_MODE_TRANSPORT,
				.iv = 8, .blk = 4, .icv = 16 };
	struct doctor_verdict v;

	/* not loaded: a black hole, fixed by the module and df_egress or the MTU */
	memset(&r->st, 0, sizeof(r->st));
	judge(r, &gre1, &hole, &v);
	expect(r, v.black_hole && v.fit == 1376 && v.problem && !v.covered && r->f.n == 1,
	       "black hole at 1400: largest inner packet 1376, one finding");
	expect(r, r->f.n && !strcmp(r->f.v[0].fix[0], "modprobe tunfix && tunfixctl set df_egress=1") &&
	       !strcmp(r->f.v[0].fix[1], "ip link set gre1 mtu 1376"),
	       "fixed by modprobe and df_egress=1, or MTU 1376");
	/* the defaults: df_egress=1 alone */
	knobs_default(&r->st);
	judge(r, &gre1, &hole, &v);
	expect(r, r->f.n == 1 && !strcmp(r->f.v[0].fix[0], "tunfixctl set df_egress=1"),
	       "loaded: tunfixctl set df_egress=1");
	/* what else keeps tunfix from covering it: protocol, device, selector */
	set_knob(&r->st, TUNFIX_KNOB_DF_EGRESS, "1");
	judge(r, &gre1, &hole, &v);
	expect(r, v.covered && v.black_hole && !v.problem && !r->f.n,
	       "df_egress=1: covered, the black hole no problem");
	set_knob(&r->st, TUNFIX_KNOB_DF_PROTOCOLS, "50");
	set_knob(&r->st, TUNFIX_KNOB_DF_DEV, "eth9");
	set_knob(&r->st, TUNFIX_KNOB_DF_MARK, "0x1");
	set_knob(&r->st, TUNFIX_KNOB_DF_MASK, "0xff");
	judge(r, &gre1, &hole, &v);
	expect(r, r->f.n == 1 && !v.covered &&
	       !strcmp(r->f.v[0].fix[0], "tunfixctl set df_protocols=47,50 df_dev=u0 df_mask=0"),
	       "df_protocols=50, df_dev=eth9, a selector gre1's mark misses: all three named");
	gre1.fwmark = 0x101;
	set_knob(&r->st, TUNFIX_KNOB_DF_PROTOCOLS, "1,47");
	set_knob(&r->st, TUNFIX_KNOB_DF_DEV, "u0");
	judge(r, &gre1, &hole, &v);
	expect(r, v.covered, "protocol 47 listed, df_dev u0, the mark matching: covered");
	/* PMTUD works, or the path carries it all: no problem */
	knobs_default(&r->st);
	judge(r, &gre1, &pmtud, &v);
	expect(r, !v.black_hole && v.fit == 1376 && !v.problem && !r->f.n,
	       "too-big answers: no black hole, no finding");
	hole.pmtu = 1500;
	judge(r, &gre1, &hole, &v);
	expect(r, v.fit == 1476 && !v.problem, "a path of 1500: gre1 fits");
	hole.pmtu = 0;
	judge(r, &gre1, &hole, &v);
	expect(r, !v.fit && !v.problem, "a path of unknown MTU is not judged");
	hole.pmtu = 1400;
	/* bridged: a problem even where PMTUD works; ignore-df fixes gretap */
	judge(r, &gt0, &pmtud, &v);
	expect(r, v.problem && v.fit == 1362 && r->f.n == 1 &&
	       !strcmp(r->f.v[0].fix[0], "tunfixctl set df_egress=1 df_bridge=1") &&
	       !strcmp(r->f.v[0].fix[1], "ip link set gt0 type gretap nopmtudisc ignore-df"),
	       "bridged gretap: df_egress and df_bridge, or ignore-df");
	gt0.pmtudisc = 0;
	gt0.ignore_df = 1;
	judge(r, &gt0, &pmtud, &v);
	expect(r, !v.problem, "gretap nopmtudisc ignore-df: fragments itself, no problem");
	set_knob(&r->st, TUNFIX_KNOB_DF_EGRESS, "1");
	judge(r, &gt6, &pmtud, &v);
	expect(r, v.problem && v.fit == 1334 && !v.covered && r->f.n == 1 &&
	       !strncmp(r->f.v[0].fix[0], "ip link set gt6 mtu 1334,", 25),
	       "ip6gretap bridged over a 1400 path: MTU 1334, tunfix never covers it");
	gt6.mtu = 1334;
	judge(r, &gt6, &pmtud, &v);
	expect(r, !v.problem, "ip6gretap at MTU 1334: no problem");
	/* ESP: rfc4106(gcm(aes)) transport, cbc(aes) with a 96-bit ICV, tunnel mode */
	r->st.sas = &sa;
	r->st.nsas = 1;
	memcpy(&sa.src, &gre1.local4, 4);
	memcpy(&sa.dst, &gre1.remote4, 4);
	judge(r, &gre1, &pmtud, &v);
	expect(r, v.esp && v.fit == 1342, "GRE in ESP (gcm, transport): 1342, got %u", v.fit);
	sa.iv = 16;
	sa.blk = 16;
	sa.icv = 12;
	judge(r, &gre1, &pmtud, &v);
	expect(r, v.fit == 1338, "GRE in ESP (cbc(aes), sha1): 1338, got %u", v.fit);
	sa.iv = 8;
	sa.blk = 4;
	sa.icv = 16;
	sa.mode = XFRM_MODE_TUNNEL;
	judge(r, &gre1, &pmtud, &v);
	expect(r, v.fit == 1322, "GRE in ESP (gcm, tunnel): 1322, got %u", v.fit);
	memset(&sa.dst, 0, sizeof(sa.dst));
	judge(r, &gre1, &pmtud, &v);
	expect(r, !v.esp && v.fit == 1376, "an SA to another address: not counted");
	r->st.sas = NULL;
	r->st.nsas = 0;
	doctor_findings_free(&r->f);
}

/* Every test of tests[] on its case in data; one PASS or FAIL line each. */
static int test_all(const char *data)
{
	char dir[PATH_MAX];
	unsigned int i, failed = 0;
	struct run r;

	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		snprintf(dir, sizeof(dir), "%s/%s", data, tests[i].name);
		if (run_case(dir, &r)) {
			printf("FAIL doctor %s: no recording\n", tests[i].name);
			failed++;
			continue;
		}
		tests[i].test(&r);
		printf("%s doctor %s\n", r.failed ? "FAIL" : "PASS", tests[i].name);
		failed += !!r.failed;
		run_free(&r);
	}
	memset(&r, 0, sizeof(r));
	test_verdict(&r);
	printf("%s doctor --probe verdicts\n", r.failed ? "FAIL" : "PASS");
	failed += !!r.failed;
	return !!failed;
}

int main(int argc, char **argv)
{
	struct run r;

	if (argc > 1 && !strcmp(argv[1], "-j")) {
		json = true;
		argc--;
		argv++;
	}
	if (argc == 3 && !strcmp(argv[1], "--print")) {
		if (run_case(argv[2], &r))
			return EXIT_IO;
		doctor_print(&r.f, r.status);
		run_free(&r);
		return r.status;
	}
	if (argc != 2 || json) {
		fprintf(stderr, "usage: doctor-test [-j] --print CASE | doctor-test DATA\n");
		return 2;
	}
	return test_all(argv[1]);
}
