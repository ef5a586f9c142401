#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Per-SA selection under strongSwan: two transport-mode CHILD_SAs between
# rA and rB that charon negotiates with exactly
# Documentation/recipes/strongswan/swanctl-per-sa-mark.conf: "marked"
# (ICMP) has set_mark_out = 0x10, "plain" (UDP) none.  rA sends DF pings
# and DF UDP datagrams; captures on rB, one per SA (by SPI), show:
#   - tunfix's df_egress off: the ESP packets of both SAs keep DF;
#   - with recipes/strongswan/per-sa-mark.sh (df_egress, df_mark=0x10,
#     df_mask=0xff): those of "marked" have DF clear, new non-zero IDs and
#     valid checksums, those of "plain" keep DF.
#
#   rA u0 198.51.100.1/24 ======================= u0 rB 198.51.100.2/24
#   charon (initiator)                               charon (responder)
#   CHILD_SA marked: ICMP, ESP transport, output mark 0x10
#   CHILD_SA plain:  UDP,  ESP transport
#
# timeout: 240

source "$TUNFIX_ROOT/tests/ike-lib.sh"

require_cmd ip ping nft tcpdump python3 pgrep swanctl "$CHARON"
trap 'capture_stop; ike_stop_all; tunfix_unload; cleanup_all_ns' EXIT

per_sa_mark_scenario charon
ike_check_stopped
exit_with_result
