#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Odd and malformed packets through every DF hook: each case is sent once
# with tunfix off and once on, both captured; tunfix may change only the
# well-formed DF packets it is meant to (DF, ID, checksum) and must pass
# everything else byte for byte, dropping nothing.  Counters must say why.
#
# IP level (raw socket, IP_HDRINCL), egress hook on S, transit hook on M:
#
#   S eth0 ------------ eth0 M eth1 ------------ eth0 R
#   198.51.100.1/24  198.51.100.2  203.0.113.1  203.0.113.2/24
#                                                (capture here)
#
# Ethernet level (packet socket), bridge hook on G:
#
#   B eth0 ---- vA [br0] gt0 ~~ u0 ================ u0 P
#                   (capture on gt0)  192.0.2.65/26    192.0.2.66/26
#
# timeout: 300

source "$TUNFIX_ROOT/tests/df-lib.sh"

require_cmd ip tcpdump python3
trap 'tunfix_unload; cleanup_all_ns' EXIT

EDGE="python3 $TUNFIX_ROOT/tests/edge-packets.py"
OUT=$TUNFIX_RESULTS

edge_topology
check_result $? "IP path S -> M -> R up"

tunfix_load

# IP level, all off
capture "$R" eth0 "$OUT/ip-off.pcap" ip netns exec "$S" $EDGE send-ip 203.0.113.2
check_result $? "send IP cases with tunfix off"

# egress hook on S
must ip netns exec "$S" sysctl -q -w net.tunfix.df_egress=1
capture "$R" eth0 "$OUT/ip-egress.pcap" ip netns exec "$S" $EDGE send-ip 203.0.113.2
must ip netns exec "$S" sysctl -q -w net.tunfix.df_egress=0
$EDGE compare "$OUT/ip-off.pcap" "$OUT/ip-egress.pcap" ip
check_result $? "egress: only well-formed DF GRE/ESP changed, all else identical"
ip netns exec "$S" cat /proc/net/tunfix | grep -v ' 0$'
[ "$(counter "$S" df_cleared_egress)" = 2 ] && [ "$(counter "$S" id_rewritten)" = 2 ] &&
	[ "$(counter "$S" skip_no_df)" = 1 ] && [ "$(counter "$S" skip_options)" = 1 ] &&
	[ "$(counter "$S" skip_fragment)" = 2 ] && [ "$(counter "$S" skip_ah)" = 1 ] &&
	[ "$(counter "$S" skip_malformed)" = 2 ]
check_result $? "egress: counters account for every case"

# transit hook on M
must ip netns exec "$M" sysctl -q -w net.tunfix.df_transit=1
capture "$R" eth0 "$OUT/ip-transit.pcap" ip netns exec "$S" $EDGE send-ip 203.0.113.2
must ip netns exec "$M" sysctl -q -w net.tunfix.df_transit=0
$EDGE compare "$OUT/ip-off.pcap" "$OUT/ip-transit.pcap" ip
check_result $? "transit: only well-formed DF GRE/ESP changed, all else identical"
ip netns exec "$M" cat /proc/net/tunfix | grep -v ' 0$'
[ "$(counter "$M" df_cleared_transit)" = 2 ] && [ "$(counter "$M" skip_ah)" = 1 ] &&
	[ "$(counter "$M" skip_fragment)" = 2 ]
check_result $? "transit: counters account for the cases"

# ESP in UDP only when asked for
must ip netns exec "$S" sysctl -q -w net.tunfix.df_egress=1 net.tunfix.df_udp_ports=4500
capture "$R" eth0 "$OUT/ip-espinudp.pcap" ip netns exec "$S" $EDGE send-ip 203.0.113.2
must ip netns exec "$S" sysctl -q -w net.tunfix.df_egress=0 net.tunfix.df_udp_ports=
$EDGE compare "$OUT/ip-off.pcap" "$OUT/ip-espinudp.pcap" ip udp-4500-df &&
	[ "$(counter "$S" df_cleared_egress)" = 5 ]
check_result $? "df_udp_ports=4500: UDP 4500 with DF cleared too, all else as with egress alone"

# Ethernet level through the bridge hook
capture "$G" gt0 "$OUT/eth-off.pcap" ip netns exec "$B" $EDGE send-eth eth0
check_result $? "send Ethernet cases with tunfix off"
must ip netns exec "$G" sysctl -q -w net.tunfix.df_bridge=1
capture "$G" gt0 "$OUT/eth-bridge.pcap" ip netns exec "$B" $EDGE send-eth eth0
$EDGE compare "$OUT/eth-off.pcap" "$OUT/eth-bridge.pcap" eth
check_result $? "bridge: only the well-formed DF frame changed, all else identical"
ip netns exec "$G" cat /proc/net/tunfix | grep -v ' 0$'
[ "$(counter "$G" df_cleared_bridge)" = 1 ] && [ "$(counter "$G" skip_malformed)" = 6 ] &&
	[ "$(counter "$G" skip_ah)" = 1 ] && [ "$(counter "$G" skip_fragment)" = 1 ] &&
	[ "$(counter "$G" skip_options)" = 1 ] && [ "$(counter "$G" skip_no_df)" = 1 ]
check_result $? "bridge: counters account for every case"

exit_with_result
