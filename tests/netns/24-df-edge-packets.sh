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

# send_cases ip|eth NAME - the IP cases (S to R, captured on R's eth0) or
# the Ethernet ones (B through G's bridge, captured on gt0), captured into
# $OUT/LEVEL-NAME.pcap
send_cases()
{
	if [ "$1" = ip ]; then
		capture "$R" eth0 "$OUT/ip-$2.pcap" \
			ip netns exec "$S" $EDGE send-ip 203.0.113.2
	else
		capture "$G" gt0 "$OUT/eth-$2.pcap" \
			ip netns exec "$B" $EDGE send-eth eth0
	fi
}

# hook_case ip|eth NAME NS ON OFF TEXT [FIXED...] - send the cases with the
# sysctls ON set in NS (set to OFF after), compare the capture with the one
# taken with tunfix off (edge-packets.py compare: only well-formed DF
# packets, and the FIXED cases, may differ) and check TEXT; then show NS's
# non-zero counters
hook_case()
{
	local level=$1 name=$2 ns=$3 on=$4 off=$5 text=$6

	shift 6
	# shellcheck disable=SC2086 # ON and OFF are lists of settings
	must ip netns exec "$ns" sysctl -q -w $on
	send_cases "$level" "$name"
	# shellcheck disable=SC2086
	must ip netns exec "$ns" sysctl -q -w $off
	$EDGE compare "$OUT/$level-off.pcap" "$OUT/$level-$name.pcap" "$level" "$@"
	check_result $? "$name: $text"
	ip netns exec "$ns" cat /proc/net/tunfix | grep -v ' 0$'
}

edge_topology
check_result $? "IP path S -> M -> R up"

tunfix_load

send_cases ip off
check_result $? "send IP cases with tunfix off"

hook_case ip egress "$S" net.tunfix.df_egress=1 net.tunfix.df_egress=0 \
	"only well-formed DF GRE/ESP changed, all else identical"
counters_are "$S" df_cleared_egress=2 id_rewritten=2 skip_no_df=1 skip_options=1 \
	skip_fragment=2 skip_ah=1 skip_malformed=2
check_result $? "egress: counters account for every case"

hook_case ip transit "$M" net.tunfix.df_transit=1 net.tunfix.df_transit=0 \
	"only well-formed DF GRE/ESP changed, all else identical"
counters_are "$M" df_cleared_transit=2 skip_ah=1 skip_fragment=2
check_result $? "transit: counters account for the cases"

# ESP in UDP only when asked for
hook_case ip espinudp "$S" "net.tunfix.df_egress=1 net.tunfix.df_udp_ports=4500" \
	"net.tunfix.df_egress=0 net.tunfix.df_udp_ports=" \
	"df_udp_ports=4500: UDP 4500 with DF cleared too, all else as with egress alone" \
	udp-4500-df
counters_are "$S" df_cleared_egress=5
check_result $? "espinudp: counters: the UDP 4500 packets with DF cleared too"

# Ethernet level through the bridge hook
send_cases eth off
check_result $? "send Ethernet cases with tunfix off"
hook_case eth bridge "$G" net.tunfix.df_bridge=1 net.tunfix.df_bridge=0 \
	"only the well-formed DF frame changed, all else identical"
counters_are "$G" df_cleared_bridge=1 skip_malformed=6 skip_ah=1 skip_fragment=1 \
	skip_options=1 skip_no_df=1
check_result $? "bridge: counters account for every case"

exit_with_result
