#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# IP-TFS (RFC 9347 AGGFRAG: the kernel's xfrm "mode iptfs", strongSwan's
# mode = iptfs) in the set-up where 42-ike-copy-df.sh measures copy_df = no
# and tunfix: two sites rA and rB through M, whose link to rB has MTU
# 1400 and which drops ICMP "fragmentation needed" (a PMTU black hole).
# charon on each router negotiates the CHILD_SAs "net" (routed LANs) and
# "gre" (the gretap that bridges a LAN) with exactly
# Documentation/recipes/strongswan/swanctl-iptfs.conf; no tunfix.  The
# same pings as 42: a routed ping -M do -s 1380 and a bridged ping -M do
# -s 1472, with captures of the ESP packets rA sends (on its underlay) and
# of those that reach rB (on rB's):
#   1. charon.iptfs.packet_size = 0 (strongSwan's default: the kernel
#      sizes the ESP packets to the PMTU it knows, rA's 1500): the routed
#      ping leaves in one 1468-byte ESP packet with DF and dies in M's
#      black hole;
#   2. packet_size = 1400: the kernel splits it in two, but the larger
#      ESP packet is 1420 bytes (packet_size leaves ESP's trailer out)
#      and still dies;
#   3. strongswan-iptfs.conf, packet_size = 1376: both fit, the ping
#      passes.
# IP-TFS sets DF on every ESP packet and splits inner packets across
# several ESP packets whatever their own DF.  The bridged ping fails in
# each case: rA's gretap drops the frame before any ESP packet exists.
#
# Skips (4) without xfrm_iptfs (Linux 6.14+ built with CONFIG_XFRM_IPTFS:
# no Debian kernel is) or strongSwan older than 6.0.2: make iptfs-check
# runs it on a kernel built with it and a sid root (strongSwan 6.1).
#
#            eth1 10.1.0.1/24 -- vR 10.1.0.254                10.2.0.254 vR -- eth1 10.2.0.1/24
#          /                      \                             /                            \
#       hA                         rA u0 ==== u0 M u1 =(1400)= u0 rB                          hB
#          \                      /  198.51.100.1  203.0.113.1  203.0.113.2\                 /
#            eth0 192.0.2.1/24 -- vA [br0] gt0 ~~~~~~~~~~~~~~~~~~~~~~~~ gt0 [br0] vB -- eth0 192.0.2.2/24
#                                 charon (initiator)  drops frag-needed  charon (responder)
#                                 CHILD_SA net: 10.1.0.0/24 <-> 10.2.0.0/24, iptfs
#                                 CHILD_SA gre: GRE 198.51.100.1 <-> 203.0.113.2, iptfs
#
# timeout: 300

source "$TUNFIX_ROOT/tests/copy-df-lib.sh"

require_cmd ip ping nft tcpdump python3 pgrep swanctl "$CHARON"
modprobe -q xfrm_iptfs 2>/dev/null
if [ ! -d /sys/module/xfrm_iptfs ]; then
	echo "SKIP: no xfrm_iptfs in $(uname -r) (CONFIG_XFRM_IPTFS, Linux 6.14+)"
	exit "$ksft_skip"
fi
# swanctl's usage names its version ("strongSwan 6.1.0 swanctl")
swver=$(swanctl --help 2>&1 | sed -n 's/^strongSwan \([0-9][0-9.]*\) swanctl.*/\1/p' | head -n 1)
if [ -z "$swver" ] || [ "$(printf '%s\n' 6.0.2 "$swver" | sort -V | head -n 1)" != 6.0.2 ]; then
	echo "SKIP: strongSwan ${swver:-?} has no mode = iptfs (6.0.2 or later)"
	exit "$ksft_skip"
fi
echo "kernel $(uname -r), strongSwan $swver"
trap 'capture_stop; ike_stop_all; cleanup_all_ns' EXIT

SWANCTL_SITES="$SWAN_RECIPES/swanctl-iptfs.conf"

# iptfs_states TEXT - 0 if rA's 4 SAs (net and gre, in and out) are in
# mode iptfs, not the tunnel mode charon falls back to (iproute2 7.3
# has no name for it: "mode 5", XFRM_MODE_IPTFS)
iptfs_states()
{
	local n

	n=$(ip -n "$rA" xfrm state list | grep -cE 'mode (iptfs|5)( |$)')
	echo "$1: rA's SAs in mode iptfs: $n"
	[ "$n" -eq 4 ]
}

# iptfs_ping NAME TEXT DST SIZE - ping -M do -s SIZE from hA to DST (3),
# rA's ESP packets captured in NAME-rA.pcap, those rB receives in
# NAME-rB.pcap; prints both captures' summaries (PCAP_RA, PCAP_RB: the
# pcap-check lines); 0 if 3 of 3 replied
iptfs_ping()
{
	local rc

	capture_start "$rA" u0 "$TUNFIX_RESULTS/$1-rA.pcap" -s 96 "$ESP_OUT"
	capture_start "$rB" u0 "$TUNFIX_RESULTS/$1-rB.pcap" -s 96 "$ESP_OUT"
	ping_df "$hA" "$3" "$4" 3
	rc=$?
	capture_stop
	echo "$2: ping -M do -s $4 to $3: $PING_RX of 3 replies"
	PCAP_RA=$(python3 "$TUNFIX_ROOT/tests/pcap-check.py" --proto 50 --expect-df \
		--min-packets 0 "$TUNFIX_RESULTS/$1-rA.pcap" | head -n 1)
	PCAP_RB=$(python3 "$TUNFIX_ROOT/tests/pcap-check.py" --proto 50 --expect-df \
		--min-packets 0 "$TUNFIX_RESULTS/$1-rB.pcap" | head -n 1)
	echo "  sent by rA:     $PCAP_RA"
	echo "  received by rB: $PCAP_RB"
	return $rc
}

# pcap_esp NAME SIDE [ARG...] - tests/pcap-check.py on NAME-SIDE.pcap:
# ESP packets, DF set (IDs not checked), ARG... added
pcap_esp()
{
	python3 "$TUNFIX_ROOT/tests/pcap-check.py" --proto 50 --expect-df "${@:3}" \
		"$TUNFIX_RESULTS/$1-$2.pcap"
}

# esp_count NAME SIDE - the number of ESP packets in NAME-SIDE.pcap
esp_count()
{
	capture_stats "$TUNFIX_RESULTS/$1-$2.pcap"
	echo "${CAPTURED:-0}"
}

copy_df_topology

# bridged_fails TEXT NAME - the bridged ping fails: rA's gretap drops the
# frames (tx_errors), rA sends no ESP packet at all
bridged_fails()
{
	local errors

	gt0_tx_errors
	errors=$TX_ERRORS
	! iptfs_ping "$2" "$1, bridged" 192.0.2.2 1472
	check_result $? "$1: the bridged ping fails ($PING_RX of 3)"
	gt0_tx_errors
	echo "rA gt0 tx_errors: $errors before, $TX_ERRORS after"
	[ "$(esp_count "$2" rA)" = 0 ] && [ $((TX_ERRORS - errors)) -ge 3 ]
	check_result $? "$1: rA's gretap dropped the frames ($((TX_ERRORS - errors)) tx_errors), no ESP packet left ($(esp_count "$2" rA))"
}

# 1. packet_size = 0: ESP packets sized to what rA knows of the path
sites_up "iptfs, packet_size 0"
iptfs_states "iptfs, packet_size 0"
check_result $? "iptfs, packet_size 0: rA's 4 SAs are in mode iptfs"
! iptfs_ping ps0_routed "iptfs, packet_size 0, routed" 10.2.0.1 1380
check_result $? "iptfs, packet_size 0: the routed ping dies in M's black hole ($PING_RX of 3)"
pcap_esp ps0_routed rA --min-packets 3 --max-len 1500
check_result $? "capture: rA sent each inner packet in one ESP packet with DF, up to 1500 bytes"
! pcap_esp ps0_routed rA --max-len 1400 >/dev/null
check_result $? "capture: longer than M's 1400-byte link"
[ "$(esp_count ps0_routed rB)" = 0 ]
check_result $? "capture: none reached rB"
blackhole_dropped "$M"
check_result $? "M really dropped the ICMP frag-needed"
bridged_fails "iptfs, packet_size 0" ps0_bridged

# 2. packet_size = 1400, M's MTU: the kernel leaves ESP's trailer out of it
ike_stop_all
IKE_STRONGSWAN_EXTRA=$TUNFIX_RESULTS/strongswan-iptfs-1400.conf
printf 'charon {\n\tiptfs {\n\t\tpacket_size = 1400\n\t}\n}\n' >"$IKE_STRONGSWAN_EXTRA"
sites_up "iptfs, packet_size 1400"
iptfs_states "iptfs, packet_size 1400"
check_result $? "iptfs, packet_size 1400: rA's 4 SAs are in mode iptfs"
! iptfs_ping ps1400_routed "iptfs, packet_size 1400, routed" 10.2.0.1 1380
check_result $? "iptfs, packet_size 1400: the routed ping still dies ($PING_RX of 3)"
pcap_esp ps1400_routed rA --min-packets 6 --max-len 1430
check_result $? "capture: rA split each inner packet in 2 ESP packets with DF"
! pcap_esp ps1400_routed rA --max-len 1400 >/dev/null
check_result $? "capture: the larger ones exceed 1400 bytes (the ESP trailer)"
pcap_esp ps1400_routed rB --max-len 1400 >/dev/null
check_result $? "capture: rB received only the smaller ones ($(esp_count ps1400_routed rB))"

# 3. strongswan-iptfs.conf: packet_size = 1376, ESP packets that fit 1400
ike_stop_all
IKE_STRONGSWAN_EXTRA="$SWAN_RECIPES/strongswan-iptfs.conf"
sites_up "iptfs, packet_size 1376"
iptfs_states "iptfs, packet_size 1376"
check_result $? "iptfs, packet_size 1376: rA's 4 SAs are in mode iptfs"
iptfs_ping ps1376_routed "iptfs, packet_size 1376, routed" 10.2.0.1 1380
check_result $? "iptfs, packet_size 1376: the routed ping passes ($PING_RX of 3)"
pcap_esp ps1376_routed rA --min-packets 6 --max-len 1400
check_result $? "capture: rA split each inner packet in 2 ESP packets with DF, none over 1400 bytes"
[ "$(esp_count ps1376_routed rB)" -ge 6 ]
check_result $? "capture: rB received them ($(esp_count ps1376_routed rB) ESP packets)"
bridged_fails "iptfs, packet_size 1376" ps1376_bridged

ike_child_up "$rA" net && ike_child_up "$rA" gre
check_result $? "both CHILD_SAs still up"
ike_check_stopped
exit_with_result
