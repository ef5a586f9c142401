#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The case tunfix is for: two sites bridged at layer 2 over gretap, with ESP
# transport mode protecting the GRE packets.  Hosts and underlay have MTU
# 1500; hosts are not changed.  `ping -s 1472 -M do` and bulk TCP must pass
# with tunfix on the routers, fail without; the underlay capture must show
# only ESP, fragments, DF clear, unique non-zero IDs, valid checksums.
#
#   hA eth0 --- vA [br0] gt0 ~~ u0 ====== u0 ~~ gt0 [br0] vB --- eth0 hB
#   192.0.2.1/24      198.51.100.1/24    198.51.100.2/24     192.0.2.2/24
#                     (GRE in ESP transport mode on the underlay)
#
# timeout: 300

source "$TUNFIX_ROOT/tests/df-lib.sh"

require_cmd ip ping socat tcpdump python3
trap 'tunfix_unload; cleanup_all_ns' EXIT

bridged_scenario esp
exit_with_result
