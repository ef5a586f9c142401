/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tunfixctl doctor: what it knows of a network namespace, the checks, and
 * their findings.
 *
 * doctor.c runs the steps: read a part of the namespace into struct
 * doctor_state (the knobs from /proc/sys/net/tunfix, the rest over netlink
 * with doctor-dump.c), then the checks that need it.  Each check is a
 * function of the state alone that adds findings: doctor-tunnels.c (GRE
 * devices and their MTU), doctor-settings.c (tunfix's settings against the
 * namespace: protocols, device names, the fwmark selector), doctor-dhcp.c
 * (DHCP re-marking: ip rules and IPsec policies).  doctor-output.c prints
 * the findings.  tests/doctor-test.c runs the same steps on netlink
 * replies recorded in a guest.
 */
#ifndef _DOCTOR_H
#define _DOCTOR_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <libmnl/libmnl.h>
#include <linux/xfrm.h>

#include "tunfixctl.h"

/* links beyond this many are not read; a device name is then never missing */
#define DOCTOR_MAX_LINKS 4096

/* The GRE device kinds (IFLA_INFO_KIND) and what sets them apart. */
struct gre_kind {
	const char *name;
	bool v6;			/* ip6_gre.c: no pmtudisc mode */
	bool tap;			/* Ethernet frames, can be bridged */
};

/* A link (RTM_NEWLINK), with its tunnel attributes if it is GRE. */
struct doctor_link {
	char name[TUNFIX_IFNAMSIZ];
	char kind[16];			/* IFLA_INFO_KIND, "" if none */
	const struct gre_kind *gre;	/* NULL if not GRE */
	uint32_t ifindex, mtu, master;
	/* gre, gretap, ip6gre, ip6gretap (IFLA_GRE_*) */
	int pmtudisc, ignore_df;
	uint32_t gre_link;		/* underlying device, 0 if none */
	uint16_t oflags;		/* GRE_CSUM, GRE_KEY, GRE_SEQ (__be16) */
	uint32_t ip6_flags;		/* IP6_TNL_F_* */
	uint32_t fwmark;		/* IFLA_GRE_FWMARK, 0 if none */
	struct in6_addr remote6;	/* of an IPv6 GRE device */
	struct in6_addr local6;
	struct in_addr remote4, local4;	/* of an IPv4 one */
};

/* The answer to an IPv6 route lookup (RTM_GETROUTE of one address). */
struct doctor_route {
	struct in6_addr dst;
	uint32_t oif;			/* the device it leaves through, 0 if none */
};

/* An IPv4 ip rule (RTM_NEWRULE): only its fwmark matters here. */
struct doctor_rule {
	bool has_mark;			/* FRA_FWMARK given */
	uint32_t mark, mask;		/* mask 0xffffffff if not given */
};

/* An xfrm policy (XFRM_MSG_NEWPOLICY). */
struct doctor_policy {
	struct xfrm_selector sel;
	uint32_t priority;		/* the lower number wins */
	uint8_t dir, action;		/* XFRM_POLICY_OUT..., XFRM_POLICY_ALLOW... */
	bool tmpl;			/* has templates: IPsec, else a bypass */
	struct xfrm_mark mark;		/* { 0, 0 } if none */
};

/*
 * An ESP SA (XFRM_MSG_NEWSA), with what it adds to a packet: the ESP
 * header (8), the IV, the trailer (2) after padding to blk, the ICV, and
 * in tunnel mode an outer IP header.
 */
struct doctor_sa {
	uint16_t family;
	xfrm_address_t src, dst;
	uint8_t mode;			/* XFRM_MODE_TRANSPORT, _TUNNEL... */
	uint32_t iv, blk, icv;		/* bytes */
};

/* The parts of the dump helpers (doctor-dump.c); each is a file when recorded. */
enum doctor_part {
	DOCTOR_LINKS,		/* every link */
	DOCTOR_ROUTES,		/* the path to each IPv6 GRE device's remote */
	DOCTOR_RULES,		/* IPv4 ip rules */
	DOCTOR_POLICIES,	/* xfrm policies */
	DOCTOR_SAS,		/* xfrm states */
	DOCTOR_NFT,		/* nftables rules, every family */
	__DOCTOR_PART_MAX
};

struct doctor_state {
	/* the knobs as read; have[id] is false if knob id could not be read */
	char knob[__TUNFIX_KNOB_MAX][KNOB_BUFLEN];
	bool have[__TUNFIX_KNOB_MAX];
	struct doctor_link *links;
	unsigned int nlinks;
	struct doctor_route *routes;
	unsigned int nroutes;
	struct doctor_rule *rules;
	unsigned int nrules;
	struct doctor_policy *policies;
	unsigned int npolicies;
	unsigned int nft_marks;		/* nft rules that set a packet mark */
	unsigned int sa_marks;		/* IPsec SAs with an output mark */
	struct doctor_sa *sas;		/* the ESP SAs */
	unsigned int nsas;
	bool sas_read;
	const struct probe_opts *probe;	/* --probe, else NULL */
};

struct doctor_finding {
	char problem[300];
	char fix[2][200];		/* fix[1] is "" if there is one fix */
};

struct doctor_findings {
	struct doctor_finding *v;
	unsigned int n;
	bool oom;			/* a finding was lost: out of memory */
	const struct doctor_probes *probes;	/* --probe: printed too */
};

/*
 * What the probe of one tunnel's underlay path found (doctor-probe.c).
 * Sizes are whole IP packets, header included.
 */
enum probe_source {
	PROBE_NONE,		/* nothing known of the path */
	PROBE_ECHO,		/* echo probes */
	PROBE_KERNEL,		/* echo filtered: the PMTU the kernel learned */
	PROBE_CACHED,		/* IPv6: the kernel had learned it already */
};

struct doctor_probe {
	char tunnel[TUNFIX_IFNAMSIZ];
	char remote[48];		/* the remote address, as text */
	char dev[TUNFIX_IFNAMSIZ];	/* the device the path leaves by */
	uint32_t dev_mtu;		/* the MTU of the device the path leaves by */
	uint32_t pmtu;			/* the path MTU, 0 if unknown */
	enum probe_source source;
	bool too_big;			/* a too-big answer came back */
	bool silent;			/* a probe larger than pmtu got no answer */
	unsigned int sent;		/* probes sent */
	char why[120];			/* not probed: why, else "" */
};

/* The verdict on a probed tunnel (doctor_probe_verdict()). */
struct doctor_verdict {
	uint32_t overhead;		/* tunnel headers on each inner packet */
	uint32_t fit;			/* largest inner packet that fits, 0 if unknown */
	uint32_t mtu;			/* the tunnel's MTU */
	bool esp;			/* its packets go through ESP */
	bool black_hole;		/* larger packets vanish without an answer */
	bool covered;			/* tunfix's settings already fix it */
	bool problem;			/* a finding was added */
};

struct doctor_probes {
	struct doctor_probe *p;
	struct doctor_verdict *v;
	unsigned int n;
};

struct probe_opts;

/* doctor.c */
typedef int (*doctor_read_t)(struct doctor_state *st, enum doctor_part part);
bool doctor_knob_u32(const struct doctor_state *st, enum tunfix_knob id,
		     uint32_t *val);
bool doctor_loaded(const struct doctor_state *st);
void doctor_read_knobs(struct doctor_state *st);
int doctor_run(struct doctor_state *st, struct doctor_findings *f,
	       doctor_read_t read);
void doctor_state_free(struct doctor_state *st);

/* doctor-dump.c */
struct doctor_part_info {
	const char *file;	/* the recording's name: FILE.nl */
	const char *what;	/* in "reading WHAT: ..." */
	mnl_cb_t parse;		/* one reply message into the state */
	bool dump;		/* one dump; else one reply per lookup */
};

extern const struct doctor_part_info doctor_parts[__DOCTOR_PART_MAX];
int doctor_dump(struct doctor_state *st, enum doctor_part part);
void doctor_record(FILE *f);

/* doctor-tunnels.c */
void doctor_check_tunnels(const struct doctor_state *st,
			  struct doctor_findings *f);

/* doctor-settings.c */
void doctor_check_settings(const struct doctor_state *st,
			   struct doctor_findings *f);
bool doctor_selector_live(const struct doctor_state *st);
void doctor_check_selector(const struct doctor_state *st,
			   struct doctor_findings *f);

/* doctor-dhcp.c */
bool doctor_dhcp_on(const struct doctor_state *st);
void doctor_check_dhcp_rule(const struct doctor_state *st,
			    struct doctor_findings *f);
void doctor_check_dhcp_xfrm(const struct doctor_state *st,
			    struct doctor_findings *f);

/* doctor-tunnels.c: the headers a GRE device puts on an inner packet */
uint32_t doctor_gre_overhead(const struct doctor_link *l);
const struct doctor_link *doctor_link_by_index(const struct doctor_state *st,
					       uint32_t ifindex);

/* doctor-verdict.c */
const struct doctor_sa *doctor_esp_sa(const struct doctor_state *st,
				      const struct doctor_link *l);
uint32_t doctor_esp_fit(const struct doctor_sa *sa, uint32_t room);
bool doctor_probe_covered(const struct doctor_state *st,
			  const struct doctor_link *l, const char *dev, bool esp);
void doctor_probe_verdict(const struct doctor_state *st,
			  const struct doctor_link *l, const char *dev,
			  const struct doctor_probe *p, struct doctor_verdict *v,
			  struct doctor_findings *f);

/* doctor-probe.c */
struct probe_opts {
	char **names;			/* the tunnels to probe, NULL: every one */
	int nnames;
	double timeout;			/* seconds per tunnel */
};

bool doctor_probing(const struct doctor_state *st, const struct doctor_link *l);
int doctor_probe_all(struct doctor_state *st, const struct probe_opts *o,
		     struct doctor_probes *res, struct doctor_findings *f);
void doctor_probes_free(struct doctor_probes *res);

/* doctor-output.c */
void doctor_finding(struct doctor_findings *f, const char *problem,
		    const char *fix1, const char *fix2);
void doctor_print(const struct doctor_findings *f, int status);
void doctor_findings_free(struct doctor_findings *f);

#endif /* _DOCTOR_H */
