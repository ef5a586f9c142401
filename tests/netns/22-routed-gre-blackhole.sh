#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Routed GRE (type gre) across a middle router whose next link has MTU 1400
# and which filters ICMP "fragmentation needed": a PMTU black hole.  tunfix
# (df_egress) runs only on the tunnel endpoints rA and rB.
#
#  hA ---- rA u0 ========== u0 M u1 ===(MTU 1400)=== u0 rB ---- hB
#   .1/25  .126  .1/30          .2/30  .1/30           .2/30  .254  .129/25
#  192.0.2.0/25  198.51.100.0/30       203.0.113.0/30        192.0.2.128/25
#              gre1: 198.51.100.1 <---------------------> 203.0.113.2
#                    M drops ICMP type 3 code 4 (forwarded and its own)
#
# timeout: 300

source "$TUNFIX_ROOT/tests/df-lib.sh"

require_cmd ip ping socat nft tcpdump python3
trap 'tunfix_unload; cleanup_all_ns' EXIT

setup_ns hA rA M rB hB
blackhole_path "$rA" "$M" "$rB"
veth_link "$hA" eth0 192.0.2.1/25 "$rA" eth1 192.0.2.126/25
veth_link "$hB" eth0 192.0.2.129/25 "$rB" eth1 192.0.2.254/25
for ns in "$rA" "$rB"; do
	must ip netns exec "$ns" sysctl -q -w net.ipv4.ip_forward=1
done
must ip -n "$hA" route add default via 192.0.2.126
must ip -n "$hB" route add default via 192.0.2.254
must ip -n "$rA" link add gre1 type gre local 198.51.100.1 remote 203.0.113.2
must ip -n "$rB" link add gre1 type gre local 203.0.113.2 remote 198.51.100.1
must ip -n "$rA" link set gre1 up
must ip -n "$rB" link set gre1 up
must ip -n "$rA" route add 192.0.2.128/25 dev gre1
must ip -n "$rB" route add 192.0.2.0/25 dev gre1

slowwait 10 ping_df "$hA" 192.0.2.129 56 1
check_result $? "small pings through the tunnel pass"

# 1448 + 28 = 1476 = gre1 MTU: fits the tunnel, not the 1400 link
! ping_df "$hA" 192.0.2.129 1448 2
check_result $? "without tunfix: ping -s 1448 -M do dies in the black hole"
blackhole_dropped "$M"
check_result $? "M really dropped the ICMP frag-needed"

tunfix_load
for ns in "$rA" "$rB"; do
	must ip netns exec "$ns" sysctl -q -w net.tunfix.df_egress=1
done

capture_start "$rA" u0 "$TUNFIX_RESULTS/rA-u0.pcap" -s 96 ip
ping_df "$hA" 192.0.2.129 1448 5
check_result $? "with tunfix on rA and rB: ping -s 1448 -M do passes"
tcp_bulk "$hA" "$hB" 192.0.2.129 2
check_result $? "with tunfix: 2 MB TCP A->B arrives intact"
capture_stop
python3 "$TUNFIX_ROOT/tests/pcap-check.py" --proto 47 --min-packets 10 \
	"$TUNFIX_RESULTS/rA-u0.pcap"
check_result $? "capture on rA: GRE with DF clear, unique non-zero IDs, valid checksums"

[ "$(counter "$rA" df_cleared_egress)" -gt 0 ] &&
	[ "$(counter "$rB" df_cleared_egress)" -gt 0 ]
check_result $? "counters: DF cleared on both endpoints"

must ip netns exec "$rA" sysctl -q -w net.tunfix.df_egress=0
! ping_df "$hA" 192.0.2.129 1448 2
check_result $? "df_egress=0 on rA: the black hole is back"

exit_with_result
