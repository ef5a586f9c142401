#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two sites bridged at layer 2 over plain gretap (no IPsec), default gretap
# flags, MTU 1500 everywhere; tunfix only on the routers.
#
#   hA eth0 --- vA [br0] gt0 ~~ u0 ====== u0 ~~ gt0 [br0] vB --- eth0 hB
#   192.0.2.1/24      198.51.100.1/24    198.51.100.2/24     192.0.2.2/24
#
# timeout: 300

source "$TUNFIX_ROOT/tests/df-lib.sh"

require_cmd ip ping socat tcpdump python3
trap 'tunfix_unload; cleanup_all_ns' EXIT

bridged_scenario plain
exit_with_result
