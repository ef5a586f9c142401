#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of the namespace part of `make bench`: the cost of creating
# a network namespace (bench/netns-cost.py; every namespace stays alive
# until the end), for each variant (names as in bench/report.py):
#   nomod    tunfix not loaded
#   off      tunfix loaded, every feature off (a namespace still gets its
#            settings, counters, sysctl table and /proc file)
#   on       tunfix loaded with every feature on by module parameters, so
#            each new namespace registers all four hooks
# Two phases, one line per measurement in netns-raw.txt:
#   mem   NETNS_COUNT namespaces per variant, nomod, off, on: the memory
#         figures.  Only fresh memory counts: loading tunfix gives every
#         namespace alive its state and unloading frees it, to be reused.
#   time  NETNS_ROUNDS rounds of NETNS_COUNT / 10 namespaces per variant,
#         in the order nomod off on, then on off nomod (so that the
#         creation time's drift, which grows with the namespaces alive,
#         cancels out in the mean): the creation times.

source "$TUNFIX_ROOT/tests/lib.sh"
ROUNDS=${NETNS_ROUNDS:-10}
N=${NETNS_COUNT:-1000}
OUT=$TUNFIX_RESULTS/netns-raw.txt
trap 'tunfix_unload' EXIT

# the bridge hook needs the bridge's netfilter family: loaded for every
# variant alike
modprobe bridge || exit 1

coproc COST { python3 "$TUNFIX_ROOT/bench/netns-cost.py"; }
# measure PHASE VARIANT N - set the variant up, make N namespaces, append
# the line to $OUT
measure()
{
	local line

	case $2 in
	nomod) tunfix_unload ;;
	off) tunfix_load ;;
	on) tunfix_load df_egress=1 df_transit=1 df_bridge=1 dhcp_remark=1 ;;
	esac
	echo "$2 $3" >&"${COST[1]}"
	if ! read -r -t 600 line <&"${COST[0]}"; then
		echo "FAIL variant $2: no measurement"
		exit 1
	fi
	echo "$1 $line" >>"$OUT"
	# the namespaces of "on" really started with the features on
	if [ "$2" = on ] &&
	   [ "$(unshare -n cat /proc/sys/net/tunfix/df_bridge)" != 1 ]; then
		echo "FAIL variant on: a new namespace has df_bridge off"
		rc=1
	fi
}

rc=0
: >"$OUT"
for v in nomod off on; do
	measure mem $v "$N"
done
echo "namespace memory done"
for r in $(seq "$ROUNDS"); do
	order="nomod off on"
	[ $((r % 2)) = 0 ] && order="on off nomod"
	for v in $order; do
		measure time $v $((N / 10))
	done
done
echo "namespace creation times done"
exec {COST[1]}>&-
wait "$COST_PID"
exit $rc
