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
	struct in6_addr remote6;
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
};

struct doctor_finding {
	char problem[300];
	char fix[2][200];		/* fix[1] is "" if there is one fix */
};

struct doctor_findings {
	struct doctor_finding *v;
	unsigned int n;
	bool oom;			/* a finding was lost: out of memory */
};

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

/* doctor-output.c */
void doctor_finding(struct doctor_findings *f, const char *problem,
		    const char *fix1, const char *fix2);
void doctor_print(const struct doctor_findings *f, int status);
void doctor_findings_free(struct doctor_findings *f);

#endif /* _DOCTOR_H */
