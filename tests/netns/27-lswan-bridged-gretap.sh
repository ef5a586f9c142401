#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 27-ike-bridged-gretap with Libreswan instead of strongSwan: two sites
# bridged at layer 2 over gretap, the GRE packets protected by an IKEv2
# (PSK) transport-mode IPsec SA that Libreswan's pluto negotiates, one
# pluto per router, configured with exactly
# Documentation/recipes/libreswan/ipsec-gretap.conf and ipsec.secrets.
# Between the routers, M's link to rB has MTU 1400 and M drops ICMP
# "fragmentation needed".  `ping -s 1472 -M do` across the bridge fails
# without tunfix and passes with it on both routers; so does a 4 MB TCP
# transfer; the capture on rA's underlay shows only ESP, fragmented, DF
# clear, unique non-zero IDs, valid checksums.  (27: no free number among
# the DF scenarios; this is 27-ike-bridged-gretap's twin.)
#
#  hA eth0 -- vA [br0] gt0 ~ rA u0 ====== u0 M u1 ==(MTU 1400)== u0 rB gt0 ~ [br0] vB -- eth0 hB
#  192.0.2.1/24      198.51.100.1/30   .2/30  203.0.113.1/30  203.0.113.2/30          192.0.2.2/24
#                    pluto (initiator)    drops frag-needed      pluto (responder)
#                    GRE 198.51.100.1 <-> 203.0.113.2, in ESP transport mode
#
# timeout: 300

source "$TUNFIX_ROOT/tests/ike-lib.sh"

require_cmd ip ping socat nft tcpdump python3 pgrep
pluto_require
trap 'capture_stop; ike_stop_all; tunfix_unload; cleanup_all_ns' EXIT

ike_gretap_scenario direct pluto
ike_check_stopped
exit_with_result
