#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Packet fuzzer: thousands of random and mutated IPv4 packets (GRE, ESP,
# AH, UDP 67->68, UDP 4500, TCP, ICMP; options, fragments, DF or not; on
# the bridge path also bad IHL, version, total length, checksum and
# truncation) through the egress, DHCP, transit and bridge hooks.  Each
# batch is captured with tunfix off and on: only what tunfix is meant to
# fix may differ, and only in DF, IP ID and checksum.
#
#   S eth0 ------------ eth0 M eth1 ------------ eth0 R
#   198.51.100.1/24  198.51.100.2  203.0.113.1  203.0.113.2/24
#   (egress + DHCP hooks on S, transit hook on M, capture on R)
#
#   B eth0 ---- vA [br0] gt0 ~~ u0 ================ u0 P
#                (bridge hook on G, capture on gt0)
#
# timeout: 900

source "$TUNFIX_ROOT/tests/df-lib.sh"

require_cmd ip tcpdump python3
trap 'tunfix_unload; cleanup_all_ns' EXIT

FUZZ="python3 $TUNFIX_ROOT/tests/packet-fuzz.py"
OUT=$TUNFIX_RESULTS
N=${TUNFIX_FUZZ_PACKETS:-1500}
[ "${TUNFIX_STRESS:-short}" = long ] && N=10000

# wait_quiet FILE - until the capture file stops growing
wait_quiet()
{
	local last=-1 size

	while true; do
		sleep 1
		size=$(stat -c %s "$1")
		[ "$size" = "$last" ] && return 0
		last=$size
	done
}
CAPTURE_WAIT=wait_quiet

edge_topology
check_result $? "topology up"
tunfix_load

capture "$R" eth0 "$OUT/fuzz-ip-off.pcap" ip netns exec "$S" $FUZZ send-ip 203.0.113.2 "$N" 1
# dhcp_remark_all: every fuzzed DHCP reply takes the re-route path
must ip netns exec "$S" sysctl -q -w net.tunfix.df_egress=1 net.tunfix.dhcp_remark=1 net.tunfix.dhcp_remark_all=1
capture "$R" eth0 "$OUT/fuzz-ip-egress.pcap" ip netns exec "$S" $FUZZ send-ip 203.0.113.2 "$N" 1
must ip netns exec "$S" sysctl -q -w net.tunfix.df_egress=0 net.tunfix.dhcp_remark=0 net.tunfix.dhcp_remark_all=0
$FUZZ compare ip "$OUT/fuzz-ip-off.pcap" "$OUT/fuzz-ip-egress.pcap" "$N" 1
check_result $? "egress + DHCP hooks: $N fuzzed packets, only the intended change"

must ip netns exec "$M" sysctl -q -w net.tunfix.df_transit=1
capture "$R" eth0 "$OUT/fuzz-ip-transit.pcap" ip netns exec "$S" $FUZZ send-ip 203.0.113.2 "$N" 1
$FUZZ compare ip "$OUT/fuzz-ip-off.pcap" "$OUT/fuzz-ip-transit.pcap" "$N" 1
check_result $? "transit hook: $N fuzzed packets, only the intended change"

capture "$G" gt0 "$OUT/fuzz-eth-off.pcap" ip netns exec "$B" $FUZZ send-eth eth0 "$N" 2
must ip netns exec "$G" sysctl -q -w net.tunfix.df_bridge=1
capture "$G" gt0 "$OUT/fuzz-eth-bridge.pcap" ip netns exec "$B" $FUZZ send-eth eth0 "$N" 2
$FUZZ compare eth "$OUT/fuzz-eth-off.pcap" "$OUT/fuzz-eth-bridge.pcap" "$N" 2
check_result $? "bridge hook: $N fuzzed frames, only the intended change"

for ns in "$S" "$M" "$G"; do
	ip netns exec "$ns" awk '$2 != 0' /proc/net/tunfix | tr '\n' ' '
	echo
done
echo "packets fuzzed: $((3 * N)) IP + $N Ethernet, each sent twice"
exit_with_result
