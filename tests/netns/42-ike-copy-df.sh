#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# strongSwan's copy_df = no against tunfix, in one set-up: when the
# daemon's own setting is the better answer, and when it is not.  Two
# sites rA and rB through M, whose link to rB has MTU 1400 and which drops
# ICMP "fragmentation needed" (a PMTU black hole).  charon on each router
# negotiates two tunnel-mode CHILD_SAs with exactly
# Documentation/recipes/strongswan/swanctl-copy-df.conf: "net" carries
# the routed LANs 10.1.0.0/24 <-> 10.2.0.0/24, "gre" the GRE packets of a
# gretap that bridges the LAN 192.0.2.0/24.  Captures on rA's underlay:
#   1. copy_df = yes (charon's default), no tunfix: a routed ping -M do
#      -s 1380 (a 1464-byte ESP packet, DF copied from the inner packet)
#      dies in M's black hole; a bridged ping -M do -s 1472 fails;
#   2. the same SAs, tunfix's bridged recipe (df_bridge, df_egress) on
#      both routers: both pass, the ESP packets leave with DF clear and
#      fresh IDs (fragmented, for the bridged frames);
#   3. copy_df = no (the recipe as it is), tunfix unloaded: the routed ping
#      passes, its ESP packets without DF and with IDs from the kernel;
#      the bridged ping still fails: rA's gretap drops the frame (its
#      tx_errors grow) and no ESP packet carries it.
#
#            eth1 10.1.0.1/24 -- vR 10.1.0.254                10.2.0.254 vR -- eth1 10.2.0.1/24
#          /                      \                             /                            \
#       hA                         rA u0 ==== u0 M u1 =(1400)= u0 rB                          hB
#          \                      /  198.51.100.1  203.0.113.1  203.0.113.2\                 /
#            eth0 192.0.2.1/24 -- vA [br0] gt0 ~~~~~~~~~~~~~~~~~~~~~~~~ gt0 [br0] vB -- eth0 192.0.2.2/24
#                                 charon (initiator)  drops frag-needed  charon (responder)
#                                 CHILD_SA net: 10.1.0.0/24 <-> 10.2.0.0/24, tunnel
#                                 CHILD_SA gre: GRE 198.51.100.1 <-> 203.0.113.2, tunnel
#
# timeout: 240

source "$TUNFIX_ROOT/tests/copy-df-lib.sh"

require_cmd ip ping nft tcpdump python3 pgrep swanctl "$CHARON"
trap 'capture_stop; ike_stop_all; tunfix_unload; cleanup_all_ns' EXIT

copy_df_topology

# 1. charon's default, no tunfix
sites_up "copy_df = yes" "copy_df = yes"
[ "$NOPMTUDISC" -eq 0 ]
check_result $? "copy_df = yes: no outbound SA of rA has flag nopmtudisc"
! routed_ping default_routed "copy_df = yes, no tunfix"
check_result $? "copy_df = yes, no tunfix: the routed ping dies in M's black hole ($PING_RX of 3)"
pcap_check default_routed --expect-df --min-packets 3
check_result $? "capture: rA's ESP packets of that ping carry DF"
blackhole_dropped "$M"
check_result $? "M really dropped the ICMP frag-needed"
! ping_df "$hA" 192.0.2.2 1472 3
check_result $? "copy_df = yes, no tunfix: bridged ping -M do -s 1472 fails ($PING_RX of 3)"

# 2. the same SAs, with tunfix
tunfix_load
in_recipe "$rA" "$RECIPE_BRIDGED" tunfix_bridged_enable &&
	in_recipe "$rB" "$RECIPE_BRIDGED" tunfix_bridged_enable
check_result $? "tunfix: df_bridge=1 df_egress=1 on both routers with the recipe"
routed_ping tunfix_routed "copy_df = yes, tunfix"
check_result $? "copy_df = yes, tunfix: the routed ping passes ($PING_RX of 3)"
pcap_check tunfix_routed --min-packets 3
check_result $? "capture: DF clear, IDs non-zero and unique, checksums valid"
capture_start "$rA" u0 "$TUNFIX_RESULTS/tunfix_bridged.pcap" -s 96 "$ESP_OUT"
ping_df "$hA" 192.0.2.2 1472 3
check_result $? "copy_df = yes, tunfix: bridged ping -M do -s 1472 passes ($PING_RX of 3)"
capture_stop
# the outer header's DF and ID are the kernel's (tunnel mode copies the DF
# tunfix cleared on the GRE packet)
pcap_check tunfix_bridged --kernel-ids --expect-fragments --min-packets 6
check_result $? "capture: fragmented ESP, DF clear, the kernel's IDs unique, checksums valid"
echo "rA: counters:"
ip netns exec "$rA" grep -v ' 0$' /proc/net/tunfix
[ "$(counter "$rA" df_cleared_bridge)" -ge 3 ] &&
	[ "$(counter "$rA" df_cleared_egress)" -ge 6 ]
check_result $? "counters: rA bridge $(counter "$rA" df_cleared_bridge), egress $(counter "$rA" df_cleared_egress)"

# 3. copy_df = no, tunfix unloaded
tunfix_unload
ike_stop_all
sites_up "copy_df = no"
[ "$NOPMTUDISC" -eq 2 ]
check_result $? "copy_df = no: rA's 2 outbound SAs have flag nopmtudisc (XFRM_STATE_NOPMTUDISC)"
routed_ping nodf_routed "copy_df = no, no tunfix"
check_result $? "copy_df = no, no tunfix: the routed ping passes ($PING_RX of 3)"
pcap_check nodf_routed --kernel-ids --min-packets 3
check_result $? "capture: DF clear, the kernel's IDs unique, checksums valid"

gt0_tx_errors
errors=$TX_ERRORS
capture_start "$rA" u0 "$TUNFIX_RESULTS/nodf_bridged.pcap" -s 96 "$ESP_OUT and greater 1400"
! ping_df "$hA" 192.0.2.2 1472 3
check_result $? "copy_df = no, no tunfix: bridged ping -M do -s 1472 fails ($PING_RX of 3)"
capture_stop
capture_stats "$TUNFIX_RESULTS/nodf_bridged.pcap"
gt0_tx_errors
echo "rA gt0 tx_errors: $errors before, $TX_ERRORS after; ESP packets over 1400 bytes: $CAPTURED"
[ "$CAPTURED" = 0 ] && [ $((TX_ERRORS - errors)) -ge 3 ]
check_result $? "rA's gretap dropped the frames ($((TX_ERRORS - errors)) tx_errors), no ESP packet carried them ($CAPTURED)"

ike_child_up "$rA" net && ike_child_up "$rA" gre
check_result $? "both CHILD_SAs still up"
ike_check_stopped
exit_with_result
