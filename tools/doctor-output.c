// SPDX-License-Identifier: GPL-2.0
/*
 * tunfixctl doctor: the findings, and how they are printed.  Text: "! "
 * and the problem, then "    fix: " and "     or: " lines.  With -j, one
 * object: {"version", "netns", "findings": [{"problem", "fix": [...]}]}.
 */
#include <stdio.h>
#include <stdlib.h>

#include "doctor.h"

/*
 * Add a problem and one or two commands that fix it (fix2 may be NULL).
 * Out of memory, the finding is lost and f->oom says so.
 */
void doctor_finding(struct doctor_findings *f, const char *problem,
		    const char *fix1, const char *fix2)
{
	struct doctor_finding *v;

	v = realloc(f->v, (f->n + 1) * sizeof(*v));
	if (!v) {
		f->oom = true;
		return;
	}
	f->v = v;
	v = &f->v[f->n++];
	snprintf(v->problem, sizeof(v->problem), "%s", problem);
	snprintf(v->fix[0], sizeof(v->fix[0]), "%s", fix1);
	snprintf(v->fix[1], sizeof(v->fix[1]), "%s", fix2 ? fix2 : "");
}

static const char *const source_name[] = {
	[PROBE_NONE] = "none", [PROBE_ECHO] = "probe",
	[PROBE_KERNEL] = "kernel", [PROBE_CACHED] = "kernel",
};

/* "probes":[...]: what --probe found of each tunnel */
static void print_probes_json(const struct doctor_probes *r)
{
	const struct doctor_probe *p;
	const struct doctor_verdict *v;
	unsigned int i;

	fputs(",\"probes\":[", stdout);
	for (i = 0; i < r->n; i++) {
		p = &r->p[i];
		v = &r->v[i];
		fputs(i ? ",{\"tunnel\":" : "{\"tunnel\":", stdout);
		json_str(p->tunnel);
		fputs(",\"remote\":", stdout);
		json_str(p->remote);
		fputs(",\"dev\":", stdout);
		json_str(p->dev);
		printf(",\"path_mtu\":%u,\"source\":\"%s\",\"sent\":%u,\"too_big\":%s,\"black_hole\":%s,\"esp\":%s,\"largest_inner\":%u,\"tunnel_mtu\":%u,\"covered\":%s,\"problem\":%s,\"error\":",
		       p->pmtu, source_name[p->source], p->sent,
		       p->too_big ? "true" : "false", v->black_hole ? "true" : "false",
		       v->esp ? "true" : "false", v->fit, v->mtu,
		       v->covered ? "true" : "false", v->problem ? "true" : "false");
		json_str(p->why);
		putchar('}');
	}
	putchar(']');
}

/*
 * One line a tunnel: "probe gre1 -> 203.0.113.2 (u0, MTU 1500): path MTU
 * 1400 (12 probes), black hole: yes; largest inner packet 1376, tunnel MTU
 * 1476; tunfix covers it: no".
 */
static void print_probes(const struct doctor_probes *r)
{
	static const char *const how[] = {
		[PROBE_NONE] = "unknown", [PROBE_ECHO] = "probed",
		[PROBE_KERNEL] = "learned by the kernel, echo filtered",
		[PROBE_CACHED] = "learned by the kernel",
	};
	const struct doctor_probe *p;
	const struct doctor_verdict *v;
	unsigned int i;

	for (i = 0; i < r->n; i++) {
		p = &r->p[i];
		v = &r->v[i];
		if (!p->pmtu) {
			printf("probe %s -> %s: not judged: %s\n", p->tunnel,
			       p->remote, p->why);
			continue;
		}
		printf("probe %s -> %s (%s, MTU %u): path MTU %u (%s, %u probe%s), %s; largest inner packet %u%s, tunnel MTU %u; tunfix covers it: %s\n",
		       p->tunnel, p->remote, p->dev, p->dev_mtu, p->pmtu,
		       how[p->source], p->sent, p->sent == 1 ? "" : "s",
		       v->black_hole ? "black hole: yes, larger packets vanish" :
		       p->too_big ? "black hole: no, too-big answers come back" :
		       p->silent ? "black hole: unknown" : "black hole: no",
		       v->fit, v->esp ? " (after ESP)" : "", v->mtu,
		       v->covered ? "yes" : "no");
	}
}

static void print_json(const struct doctor_findings *f)
{
	const struct doctor_finding *v;
	unsigned int i;

	json_head();
	fputs(",\"findings\":[", stdout);
	for (i = 0; i < f->n; i++) {
		v = &f->v[i];
		fputs(i ? ",{\"problem\":" : "{\"problem\":", stdout);
		json_str(v->problem);
		fputs(",\"fix\":[", stdout);
		json_str(v->fix[0]);
		if (*v->fix[1]) {
			putchar(',');
			json_str(v->fix[1]);
		}
		fputs("]}", stdout);
	}
	putchar(']');
	if (f->probes)
		print_probes_json(f->probes);
	fputs("}\n", stdout);
}

/*
 * Print the findings on stdout, as JSON with -j; as text, "no problems
 * found" if there are none and doctor's exit status is EXIT_OK (an error
 * may have cut the look short).
 */
void doctor_print(const struct doctor_findings *f, int status)
{
	const struct doctor_finding *v;
	unsigned int i;

	if (json) {
		print_json(f);
		return;
	}
	if (f->probes)
		print_probes(f->probes);
	for (i = 0; i < f->n; i++) {
		v = &f->v[i];
		printf("! %s\n", v->problem);
		printf("    fix: %s\n", v->fix[0]);
		if (*v->fix[1])
			printf("     or: %s\n", v->fix[1]);
	}
	if (status == EXIT_OK)
		printf("no problems found\n");
}

void doctor_findings_free(struct doctor_findings *f)
{
	free(f->v);
	f->v = NULL;
	f->n = 0;
}
