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

A=198.51.100.1
B=198.51.100.2
SWANCTL_PER_SA="$SWAN_RECIPES/swanctl-per-sa-mark.conf"

# send_both_sas - from rA to rB: 5 DF pings (ICMP: "marked") and 5 DF datagrams on
# a connected UDP socket ("plain"), 1000 bytes each
send_both_sas()
{
	ip netns exec "$rA" ping -q -n -c 5 -i 0.2 -W 1 -M do -s 1000 "$B" >/dev/null
	ip netns exec "$rA" bash -c "exec 3>/dev/udp/$B/9
		for i in 1 2 3 4 5; do printf '%1000s' x >&3; done"
}

# capture_sas NAME - capture rB's u0 into NAME-marked.pcap and
# NAME-plain.pcap, each the ESP packets of one SA from rA (by SPI)
capture_sas()
{
	capture_start "$rB" u0 "$TUNFIX_RESULTS/$1-marked.pcap" -s 96 \
		"src $A and ip proto 50 and ip[20:4] = $SPI_MARKED"
	capture_start "$rB" u0 "$TUNFIX_RESULTS/$1-plain.pcap" -s 96 \
		"src $A and ip proto 50 and ip[20:4] = $SPI_PLAIN"
}

# pcap_check NAME SA [ARG...] - tests/pcap-check.py on NAME-SA.pcap (ESP)
pcap_check()
{
	python3 "$TUNFIX_ROOT/tests/pcap-check.py" --proto 50 --min-packets 5 \
		"${@:3}" "$TUNFIX_RESULTS/$1-$2.pcap"
}

setup_ns rA rB
veth_link "$rA" u0 "$A/24" "$rB" u0 "$B/24"
# rB drops the datagrams: no "port unreachable" that would make rA's
# connected socket fail the next send
must ip netns exec "$rB" nft add table ip t29 '{ chain in { type filter hook input priority 0; udp dport 9 drop; }; }'
tunfix_load

ike_start "$rB" "$SWANCTL_PER_SA"
ike_start "$rA" "$SWANCTL_PER_SA" "connections { per-sa { remote_addrs = $B } }"
ike_load "$rB"
ike_load "$rA"
ike_initiate "$rA" marked && ike_initiate "$rA" plain &&
	ike_child_up "$rB" marked && ike_child_up "$rB" plain
check_result $? "charon: CHILD_SAs marked and plain installed on rA and rB"

# rA's outgoing SAs: the one with an output mark is "marked"
read -r SPI_MARKED SPI_PLAIN < <(ip -n "$rA" xfrm state list src "$A" dst "$B" |
	awk '/proto esp spi/ { spi = $4; m[spi] = 0 } /output-mark/ { m[spi] = 1 }
	     END { for (s in m) if (m[s]) a = s; else b = s; print a, b }')
echo "rA's SAs: marked $SPI_MARKED, plain $SPI_PLAIN"
[ -n "$SPI_MARKED" ] && [ -n "$SPI_PLAIN" ]
check_result $? "rA has one SA with an output mark and one without"

capture_sas off
send_both_sas
capture_stop
pcap_check off marked --expect-df
check_result $? "df_egress off: marked SA's ESP packets keep DF"
pcap_check off plain --expect-df
check_result $? "df_egress off: plain SA's ESP packets keep DF"

in_recipe "$rA" "$SWAN_RECIPES/per-sa-mark.sh" tunfix_per_sa_enable >/dev/null
check_result $? "recipe: df_egress=1 df_protocols=50 df_mark=0x10 df_mask=0xff on rA"
capture_sas on
send_both_sas
capture_stop
pcap_check on marked
check_result $? "with tunfix: marked SA's ESP packets: DF clear, new IDs, valid checksums"
pcap_check on plain --expect-df
check_result $? "with tunfix: plain SA's ESP packets keep DF"
[ "$(counter "$rA" df_cleared_egress)" -ge 5 ] && [ "$(counter "$rA" skip_mark)" -ge 5 ]
check_result $? "counters: df_cleared_egress $(counter "$rA" df_cleared_egress), skip_mark $(counter "$rA" skip_mark)"

ike_child_up "$rA" marked && ike_child_up "$rA" plain
check_result $? "both CHILD_SAs still up"
ike_check_stopped
exit_with_result
