#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 28-ike-nat-gretap with Libreswan instead of strongSwan: M masquerades
# rA's packets, pluto (one per router, configured with exactly
# Documentation/recipes/libreswan/ipsec-gretap-nat.conf and ipsec.secrets)
# detects the NAT and puts ESP into UDP 4500.  The SA is in tunnel mode:
# Libreswan's IKEv2 keeps rA's own address in the traffic selectors of a
# transport-mode SA behind a NAT, which rB cannot use (the recipe says
# why), so rB's gretap has rA's own address as remote, routed via M.
# The big DF pings (-s 1360, the tunnel header taken into account, and
# -s 1472) fail without tunfix and pass with the bridged recipe
# (df_bridge, df_egress): df_egress clears DF on the GRE packet and the
# tunnel-mode outer header copies it.  With GRE out of df_protocols they
# fail, with df_udp_ports=4500 too (unlike 28-ike's transport mode: the
# SA refuses the GRE packet with DF before it is ESP in UDP).  With GRE
# back, a 4 MB TCP transfer arrives intact; the capture on rA's underlay
# shows UDP 4500 fragments, DF clear, unique non-zero IDs, valid checksums.
#
#  hA eth0 -- vA [br0] gt0 ~ rA u0 ====== u0 M u1 ==(MTU 1400)== u0 rB gt0 ~ [br0] vB -- eth0 hB
#  192.0.2.1/24      198.51.100.1/30   .2/30  203.0.113.1/30  203.0.113.2/30          192.0.2.2/24
#                    pluto (initiator,    masquerade on u1,      pluto (responder,
#                    conn gre)            drops frag-needed      conn gre-any)
#                    GRE 198.51.100.1 <-> 203.0.113.2 in ESP in UDP 4500,
#                    tunnel mode (outer 198.51.100.1 -> M -> 203.0.113.1)
#
# timeout: 300

source "$TUNFIX_ROOT/tests/ike-lib.sh"

require_cmd ip ping socat nft tcpdump python3 pgrep
pluto_require
trap 'capture_stop; ike_stop_all; tunfix_unload; cleanup_all_ns' EXIT

ike_gretap_scenario nat pluto
ike_check_stopped
exit_with_result
