// SPDX-License-Identifier: GPL-2.0
/*
 * doctor-record DIR: record what tunfixctl doctor reads in the current
 * network namespace, for its unit tests (tests/record.sh runs it in the
 * guest).  Every part of enum doctor_part, whatever the knobs say, as the
 * kernel answered doctor_dump()'s requests: DIR/PART.nl, the raw netlink
 * messages one after another.  The knobs that can be read: DIR/knobs,
 * NAME=VALUE lines.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../doctor.h"

const char *netns_name;
bool json;

static int record_knobs(const char *dir, const struct doctor_state *st)
{
	char path[4096];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/knobs", dir);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	for (i = 0; i < __TUNFIX_KNOB_MAX; i++)
		if (st->have[i])
			fprintf(f, "%s=%s\n", knobs[i].name, st->knob[i]);
	return fclose(f) ? -errno : 0;
}

int main(int argc, char **argv)
{
	struct doctor_state st = {};
	char path[4096];
	int part, e;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: doctor-record DIR\n");
		return 2;
	}
	doctor_read_knobs(&st);
	e = record_knobs(argv[1], &st);
	if (e) {
		fprintf(stderr, "doctor-record: %s/knobs: %s\n", argv[1], strerror(-e));
		return 1;
	}
	for (part = 0; part < __DOCTOR_PART_MAX; part++) {
		snprintf(path, sizeof(path), "%s/%s.nl", argv[1],
			 doctor_parts[part].file);
		f = fopen(path, "w");
		if (!f) {
			fprintf(stderr, "doctor-record: %s: %s\n", path, strerror(errno));
			return 1;
		}
		doctor_record(f);
		e = doctor_dump(&st, part);
		doctor_record(NULL);
		/* an error the kernel answered is in the recording too */
		if (e)
			fprintf(stderr, "doctor-record: %s: %s (recorded)\n",
				doctor_parts[part].what, strerror(-e));
		if (fclose(f)) {
			fprintf(stderr, "doctor-record: %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	doctor_state_free(&st);
	return 0;
}
