#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make stress` inside the guest: the stress, packet fuzz and churn
# scenarios with TUNFIX_STRESS=long (100 loads, 200 namespaces, 60 s of
# knob flips and of concurrency, 3000 sysctl writes, 10000 fuzzed packets
# per path; 10000 namespaces made and freed without and with tunfix, 20
# loads and unloads with 1000 namespaces alive under churn and traffic).
cd "$TUNFIX_ROOT" || exit 1
rc=0
for t in tests/netns/60-stress.sh tests/netns/61-packet-fuzz.sh \
	tests/netns/63-netns-churn.sh; do
	TUNFIX_RESULTS=$TUNFIX_RESULTS/$(basename "$t" .sh) bash "$t" || rc=1
	echo "== $t: exit $rc"
done
exit $rc
