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
	fputs("]}\n", stdout);
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
