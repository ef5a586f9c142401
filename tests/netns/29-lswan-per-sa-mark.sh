#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 29-ike-per-sa-mark with Libreswan instead of strongSwan: two
# transport-mode IPsec SAs between rA and rB that pluto negotiates with
# exactly Documentation/recipes/libreswan/ipsec-per-sa-mark.conf and
# ipsec.secrets: "marked" (ICMP) has mark-out=0x10/0xff, "plain" (UDP)
# none; recipes/libreswan/per-sa-mark.sh marks the ICMP packets that go
# into "marked" (its outbound policy and SA match the mark).  rA sends DF
# pings and DF UDP datagrams; captures on rB, one per SA (by SPI), show:
#   - tunfix's df_egress off: the ESP packets of both SAs keep DF;
#   - with recipes/strongswan/per-sa-mark.sh (df_egress, df_mark=0x10,
#     df_mask=0xff): those of "marked" have DF clear, new non-zero IDs and
#     valid checksums, those of "plain" keep DF.
#
#   rA u0 198.51.100.1/24 ======================= u0 rB 198.51.100.2/24
#   pluto (initiator)                                pluto (responder)
#   nft: ICMP to rB -> mark 0x10                     nft: ICMP to rA -> mark 0x10
#   SA marked: ICMP, ESP transport, mark 0x10/0xff
#   SA plain:  UDP,  ESP transport
#
# timeout: 240

source "$TUNFIX_ROOT/tests/ike-lib.sh"

require_cmd ip ping nft tcpdump python3 pgrep
pluto_require
trap 'capture_stop; ike_stop_all; tunfix_unload; cleanup_all_ns' EXIT

per_sa_mark_scenario pluto
ike_check_stopped
exit_with_result
