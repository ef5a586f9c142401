#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make stress` inside the guest: the stress and packet fuzz scenarios with
# TUNFIX_STRESS=long (100 loads, 200 namespaces, 60 s of knob flips and of
# concurrency, 3000 sysctl writes, 10000 fuzzed packets per path).
cd "$TUNFIX_ROOT" || exit 1
rc=0
for t in tests/netns/60-stress.sh tests/netns/61-packet-fuzz.sh; do
	TUNFIX_RESULTS=$TUNFIX_RESULTS/$(basename "$t" .sh) bash "$t" || rc=1
	echo "== $t: exit $rc"
done
exit $rc
