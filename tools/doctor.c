// SPDX-License-Identifier: GPL-2.0
/*
 * tunfixctl doctor: look at the network namespace for what breaks the
 * scenarios tunfix is for, and print the command that fixes each finding.
 * This file runs the steps, each reading a part of the namespace and
 * running the checks that need it; doctor.h says where the rest is.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"

/* A numeric knob of st.  Return: false if it could not be read. */
bool doctor_knob_u32(const struct doctor_state *st, enum tunfix_knob id,
		     uint32_t *val)
{
	if (!st->have[id])
		return false;
	*val = knob_parse_u32(st->knob[id]);
	return true;
}

/* tunfix is loaded: its DF switches can be read. */
bool doctor_loaded(const struct doctor_state *st)
{
	return st->have[TUNFIX_KNOB_DF_BRIDGE] && st->have[TUNFIX_KNOB_DF_EGRESS];
}

/* Every knob of the namespace into st; one that cannot be read is not had. */
void doctor_read_knobs(struct doctor_state *st)
{
	int i;

	for (i = 0; i < __TUNFIX_KNOB_MAX; i++)
		st->have[i] = !knob_read(&knobs[i], st->knob[i], sizeof(st->knob[i]));
}

static int read_part(struct doctor_state *st, enum doctor_part part,
		     doctor_read_t read)
{
	int e = read(st, part);

	if (e)
		err("reading %s: %s", doctor_parts[part].what, strerror(-e));
	else if (part == DOCTOR_SAS)
		st->sas_read = true;
	return e;
}

/*
 * Look at the namespace: the links (and their routes) and the tunnels; if
 * tunfix is loaded, its settings, what sets marks if the fwmark selector
 * is live (the IPsec SAs only if no nft rule does), and the ip rules and
 * IPsec policies if DHCP replies are re-marked.  read() reads each part
 * into st (doctor_dump(), or recorded replies); st has the knobs.
 * Return: the exit status: EXIT_FOUND, EXIT_NOT_LOADED or EXIT_OK, or, if
 * a part could not be read (said on stderr), its error's; f has the
 * findings until then.
 */
int doctor_run(struct doctor_state *st, struct doctor_findings *f,
	       doctor_read_t read)
{
	bool loaded = doctor_loaded(st);
	int e;

	if (!loaded)
		/* still worth a look at the tunnels: ignore-df needs no module */
		doctor_finding(f, "tunfix is not loaded in this network namespace",
			       MODPROBE_HINT, NULL);
	e = read_part(st, DOCTOR_LINKS, read);
	if (!e)
		e = read_part(st, DOCTOR_ROUTES, read);
	if (e)
		goto out;
	doctor_check_tunnels(st, f);
	if (!loaded)
		goto out;
	doctor_check_settings(st, f);
	if (doctor_selector_live(st)) {
		e = read_part(st, DOCTOR_NFT, read);
		if (!e && !st->nft_marks)
			e = read_part(st, DOCTOR_SAS, read);
		if (e)
			goto out;
		doctor_check_selector(st, f);
	}
	if (!doctor_dhcp_on(st))
		goto out;
	e = read_part(st, DOCTOR_RULES, read);
	if (e)
		goto out;
	doctor_check_dhcp_rule(st, f);
	e = read_part(st, DOCTOR_POLICIES, read);
	if (e)
		goto out;
	doctor_check_dhcp_xfrm(st, f);
out:
	if (!e && f->oom) {
		err("out of memory");
		e = -ENOMEM;
	}
	if (e)
		return exit_status(-e);
	if (!loaded)
		return EXIT_NOT_LOADED;
	return f->n ? EXIT_FOUND : EXIT_OK;
}

void doctor_state_free(struct doctor_state *st)
{
	free(st->links);
	free(st->routes);
	free(st->rules);
	free(st->policies);
	free(st->sas);
}

/* --timeout SECONDS: from 0.1 to 60 */
static bool parse_timeout(const char *s, double *t)
{
	char *end;

	errno = 0;
	*t = strtod(s, &end);
	return !errno && end != s && !*end && *t >= 0.1 && *t <= 60;
}

int cmd_doctor(int argc, char **argv)
{
	struct probe_opts o = { .timeout = 3 };
	struct doctor_findings f = {};
	struct doctor_probes res = {};
	struct doctor_state *st;
	bool probe = false, timeout = false;
	int rc, e, i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--probe")) {
			probe = true;
		} else if (!strcmp(argv[i], "--timeout")) {
			timeout = true;
			if (i + 1 >= argc || !parse_timeout(argv[++i], &o.timeout)) {
				err("doctor: --timeout takes seconds, from 0.1 to 60");
				return EXIT_USAGE;
			}
		} else if (argv[i][0] == '-') {
			err("doctor: unknown option '%s'", argv[i]);
			return EXIT_USAGE;
		} else {
			o.names = &argv[i];
			o.nnames = argc - i;
			break;
		}
	}
	if (!probe && (o.nnames || timeout)) {
		err("doctor: '%s' needs --probe", o.nnames ? o.names[0] : "--timeout");
		return EXIT_USAGE;
	}
	for (i = 0; i < o.nnames; i++) {
		if (o.names[i][0] == '-') {
			err("doctor: options come before the tunnels: '%s'", o.names[i]);
			return EXIT_USAGE;
		}
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		err("out of memory");
		return EXIT_IO;
	}
	doctor_read_knobs(st);
	if (probe)
		st->probe = &o;
	rc = doctor_run(st, &f, doctor_dump);
	if (probe && (rc == EXIT_OK || rc == EXIT_FOUND || rc == EXIT_NOT_LOADED)) {
		e = doctor_probe_all(st, &o, &res, &f);
		if (e == -ENODEV)
			rc = EXIT_USAGE;
		else if (e)
			rc = exit_status(-e);
		else if (f.oom)
			rc = exit_status(ENOMEM);
		else if (rc == EXIT_OK && f.n)
			rc = EXIT_FOUND;
	}
	if (rc != EXIT_USAGE)
		doctor_print(&f, rc);
	doctor_findings_free(&f);
	doctor_probes_free(&res);
	doctor_state_free(st);
	free(st);
	return rc;
}
