#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 27-ike-bridged-gretap through a NAT: M masquerades rA's packets, charon
# detects it and puts ESP into UDP 4500 (NAT-T).  The outer packets are
# then UDP, which df_egress leaves alone unless df_udp_ports lists 4500:
# the big DF ping fails without tunfix, and still fails with df_bridge
# and df_egress alone; with df_udp_ports=4500 it passes, and so does a
# 4 MB TCP transfer; the capture on rA's underlay shows UDP 4500
# fragments, DF clear, unique non-zero IDs, valid checksums.
#
#  hA eth0 -- vA [br0] gt0 ~ rA u0 ====== u0 M u1 ==(MTU 1400)== u0 rB gt0 ~ [br0] vB -- eth0 hB
#  192.0.2.1/24      198.51.100.1/30   .2/30  203.0.113.1/30  203.0.113.2/30          192.0.2.2/24
#                    charon (initiator)   masquerade on u1,      charon (responder)
#                                         drops frag-needed
#                    GRE 198.51.100.1 -> 203.0.113.2 and 203.0.113.2 -> 203.0.113.1 (M),
#                    in ESP in UDP 4500, transport mode
#
# timeout: 300

source "$TUNFIX_ROOT/tests/ike-lib.sh"

require_cmd ip ping socat nft tcpdump python3 pgrep swanctl "$CHARON"
trap 'capture_stop; ike_stop_all; tunfix_unload; cleanup_all_ns' EXIT

ike_gretap_scenario nat
ike_check_stopped
exit_with_result
