#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Allocation failures wherever tunfix allocates, with the kernel's
# fault-injection framework (failslab, fail_page_alloc): systematic faults
# with /proc/self/task/TID/fail-nth (tests/fault-sweep.py), so the N-th
# injection point of one system call fails, that one only and only in the
# test's own thread, for N = 1, 2, ... until the call passes fewer points.
# Each step must fail with an error or succeed whole; dmesg must stay
# clean (the harness) and kmemleak find nothing (debug kernels scan at the
# end).  Needs CONFIG_FAULT_INJECTION_DEBUG_FS, CONFIG_FAILSLAB,
# CONFIG_FAIL_PAGE_ALLOC (tests/env/debug.config; make debug-check):
# skipped on kernels without them, Debian's among them.
#
#  1. module load: finit_module() with every feature on and two
#     namespaces besides init_net, each point of tunfix's pernet init
#     (kprobes on tunfix_net_init tell where it starts) and after it
#     failing once;
#  2. namespace creation with the module loaded and features on: the
#     same points of unshare(CLONE_NEWNET);
#  3. sysctl writes (the settings copy, the counters, hook registration),
#     every knob read back after each; module parameters are read-only;
#  4. the rewrite of a cloned skb: a DF broadcast from rA's bridge is
#     flooded to vA and gt0 (one skb_clone() per port but the last), and
#     df_bridge needs its own copy of the header for gt0; the copy fails:
#     the frame passes unchanged and skip_unwritable counts it.
#
#   hA eth0 --- vA [br0] gt0 ~~ u0 ====== u0 ~~ gt0 [br0] vB --- eth0 hB
#   192.0.2.1/24   rA (192.0.2.10)      rB                    192.0.2.2/24
#                  198.51.100.1/24    198.51.100.2/24
#   (capture on hA eth0 and hB eth0: the two copies of each broadcast)
#
# timeout: 1800

source "$TUNFIX_ROOT/tests/df-lib.sh"

D=/sys/kernel/debug
for f in /proc/self/fail-nth $D/failslab $D/fail_page_alloc; do
	if [ ! -e $f ]; then
		echo "SKIP: no $f (a kernel with CONFIG_FAULT_INJECTION_DEBUG_FS," \
			"CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC: make debug-check)"
		exit $ksft_skip
	fi
done
require_cmd ip tcpdump python3

SWEEP="python3 $TUNFIX_ROOT/tests/fault-sweep.py"
ALL_ON="df_egress=1 df_transit=1 df_bridge=1 dhcp_remark=1 df_udp_ports=4500"
ATTRS="probability interval times verbose task-filter ignore-gfp-wait"
# each fault decrements "times": a large start value counts them per kind
TIMES=1000000
declare -A SAVED

# failslab and fail_page_alloc: no random faults (probability 0), only
# fail-nth's; GFP_KERNEL allocations too (ignore-gfp-wait); one line in
# dmesg per fault (verbose 1: the default 2 prints a stack, which the
# harness would take for a kernel complaint)
faults_setup()
{
	local t a

	for t in failslab fail_page_alloc; do
		for a in $ATTRS; do
			SAVED[$t/$a]=$(<$D/$t/$a)
		done
		echo 0 >$D/$t/probability
		echo 1 >$D/$t/interval
		echo $TIMES >$D/$t/times
		echo 1 >$D/$t/verbose
		echo Y >$D/$t/task-filter
		echo N >$D/$t/ignore-gfp-wait
	done
}

faults_restore()
{
	local k

	for k in "${!SAVED[@]}"; do
		echo "${SAVED[$k]}" >"$D/$k"
	done
}

# faults NAME - print how many faults each kind injected since the last
# call (the framework's own count), and add them up in FAULTS
faults()
{
	local t n line=

	FAULTS=0
	for t in failslab fail_page_alloc; do
		n=$((TIMES - $(<$D/$t/times)))
		FAULTS=$((FAULTS + n))
		line="$line $t $n"
		echo $TIMES >$D/$t/times
	done
	echo "$1: faults injected:$line"
}

FB=/proc/sys/net/core/fb_tunnels_only_for_init_net
FB_SAVED=$(<$FB)
trap 'capture_stop; faults_restore; echo "$FB_SAVED" >$FB; tunfix_unload; cleanup_all_ns' EXIT
faults_setup
[ -d /sys/kernel/tracing/events ] || mount -t tracefs tracefs /sys/kernel/tracing
# no fallback tunnel devices (gre0, sit0...) in new namespaces: fewer
# points after tunfix's pernet init in part 2, all of them the kernel's
echo 1 >$FB

setup_ns N1 N2

# 1. module load, with init_net, N1 and N2 to set up
tunfix_unload
# shellcheck disable=SC2086 # a list of parameters
$SWEEP load "$TUNFIX_KO" $ALL_ON
check_result $? "module load: each point of tunfix's pernet init fails once; the load fails with an error and leaves nothing, or loads whole"
faults "module load"
[ "$FAULTS" -gt 0 ]
check_result $? "module load: the framework counted the faults ($FAULTS)"

# shellcheck disable=SC2086
insmod "$TUNFIX_KO" $ALL_ON
check_result $? "module load without faults works"
ok=0
for kv in $ALL_ON; do
	[ "$(ip netns exec "$N1" sysctl -n "net.tunfix.${kv%%=*}")" = "${kv#*=}" ] || ok=1
done
check_result $ok "after the faults: N1's knobs hold the parameters' values"

# 2. namespace creation with every feature on
# shellcheck disable=SC2086
$SWEEP netns $ALL_ON
check_result $? "namespace creation: each point of tunfix's pernet init fails once; unshare fails with an error, or the namespace is whole"
faults "netns creation"
setup_ns N3
ok=0
for kv in $ALL_ON; do
	[ "$(ip netns exec "$N3" sysctl -n "net.tunfix.${kv%%=*}")" = "${kv#*=}" ] || ok=1
done
ip netns del "$N3" || ok=1
check_result $ok "after the faults: ip netns add makes a whole namespace, ip netns del removes it"

# 3. sysctl writes, from all off in N1: hooks on (counters, registration),
# off, lists, names, numbers
must ip netns exec "$N1" sysctl -q -w net.tunfix.df_egress=0 net.tunfix.df_transit=0 \
	net.tunfix.df_bridge=0 net.tunfix.dhcp_remark=0 net.tunfix.df_udp_ports=
ip netns exec "$N1" $SWEEP sysctl df_egress=1 df_transit=1 df_bridge=1 dhcp_remark=1 \
	"df_protocols=50,47,4|4,47,50" "df_udp_ports=4500,1194|1194,4500" df_dev=gre1 \
	df_min_len=1280 "dhcp_mark=0x10|0x10" dhcp_xfrm_bypass=1
check_result $? "sysctl writes: each fails with an error and changes nothing, or takes effect; every knob read back"
must ip netns exec "$N1" sysctl -q -w net.tunfix.df_egress=1
ip netns exec "$N1" $SWEEP sysctl df_egress=0 "df_protocols=|"
check_result $? "sysctl writes that turn a hook off or empty a list: the same"
faults "sysctl writes"

# the hooks follow the knobs after all that: off, nothing seen; on, counted
gre_pair "$N1" "$N2" eth0
must ip netns exec "$N1" sysctl -q -w net.tunfix.df_egress=0
ip netns exec "$N1" sh -c 'echo 0 > /proc/net/tunfix'
ip netns exec "$N1" ping -q -c 2 -i 0.2 -M do -s 1000 192.0.2.2 >/dev/null
c0=$(counter "$N1" df_seen)
must ip netns exec "$N1" sysctl -q -w net.tunfix.df_egress=1
ip netns exec "$N1" ping -q -c 3 -i 0.2 -M do -s 1000 192.0.2.2 >/dev/null
c1=$(counter "$N1" df_cleared_egress)
[ "$c0" = 0 ] && [ "$c1" = 3 ]
check_result $? "after the faults: df_egress off sees nothing ($c0), on clears 3 DF packets ($c1)"

# module parameters cannot be written once loaded, faults or not
ok=0
for kv in $ALL_ON; do
	p=/sys/module/tunfix/parameters/${kv%%=*}
	if (echo 0 >"$p") 2>/dev/null; then
		echo "$p: written"
		ok=1
	fi
	[ "$(<"$p")" = "${kv#*=}" ] || ok=1
done
check_result $ok "module parameters are read-only and keep their values"

# 4. a cloned skb at df_bridge: rA floods a DF broadcast to vA and gt0
bridged_topology
check_result $? "bridged topology up"
must ip -n "$rA" addr add 192.0.2.10/24 dev br0
must ip netns exec "$rA" sysctl -q -w net.tunfix.df_egress=0 net.tunfix.df_transit=0 \
	net.tunfix.dhcp_remark=0 net.tunfix.df_bridge=1
capture_start "$hA" eth0 "$TUNFIX_RESULTS/bcast-a.pcap" udp port 9
capture_start "$hB" eth0 "$TUNFIX_RESULTS/bcast-b.pcap" udp port 9
ip netns exec "$rA" $SWEEP send 192.0.2.255 9 "$TUNFIX_RESULTS/send-steps.txt"
check_result $? "broadcast send: every injection point of sendto() fails once"
capture_stop
faults "cloned skb rewrite"
$SWEEP check-send "$TUNFIX_RESULTS/send-steps.txt" "$TUNFIX_RESULTS/bcast-a.pcap" \
	"$TUNFIX_RESULTS/bcast-b.pcap"
check_result $? "the copy of a cloned skb fails: the frame passes unchanged, skip_unwritable counts it; else DF cleared on gt0 only"

tunfix_unload
! grep -q '^tunfix ' /proc/modules
check_result $? "rmmod after all the faults"

exit_with_result
