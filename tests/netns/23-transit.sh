#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Transit mode: a router in the middle forwards other hosts' GRE-in-ESP
# onto a link with MTU 1400 and filters ICMP "fragmentation needed" (a PMTU
# black hole).  tunfix (df_transit) runs only on M, the endpoints are plain.
#
#   A u0 ============= u0 M u1 ====(MTU 1400)==== u0 B
#   198.51.100.1/30  .2/30  203.0.113.1/30   203.0.113.2/30
#   gre1 192.0.2.1 <----- GRE in ESP transport -----> gre1 192.0.2.2
#
# timeout: 300

source "$TUNFIX_ROOT/tests/df-lib.sh"

require_cmd ip ping nft tcpdump python3
trap 'tunfix_unload; cleanup_all_ns' EXIT

setup_ns A M B
blackhole_path "$A" "$M" "$B"
must ip -n "$A" link add gre1 type gre local 198.51.100.1 remote 203.0.113.2
must ip -n "$B" link add gre1 type gre local 203.0.113.2 remote 198.51.100.1
must ip -n "$A" addr add 192.0.2.1 peer 192.0.2.2 dev gre1
must ip -n "$B" addr add 192.0.2.2 peer 192.0.2.1 dev gre1
must ip -n "$A" link set gre1 up
must ip -n "$B" link set gre1 up
must in_recipe "$A" "$RECIPE_BRIDGED" esp_transport_setup 198.51.100.1 203.0.113.2 \
	0x300 0x400 "$ESP_KEY"
must in_recipe "$B" "$RECIPE_BRIDGED" esp_transport_setup 203.0.113.2 198.51.100.1 \
	0x400 0x300 "$ESP_KEY"

slowwait 10 ping_df "$A" 192.0.2.2 56 1
check_result $? "small pings through GRE in ESP pass"

# find a size whose ESP packet fits A's 1500 link but not M's 1400 link
! ping_df "$A" 192.0.2.2 1400 2
check_result $? "without tunfix: ping -s 1400 -M do dies at M"
blackhole_dropped "$M"
check_result $? "M really dropped the ICMP frag-needed"

tunfix_load
must ip netns exec "$M" sysctl -q -w net.tunfix.df_transit=1
capture_start "$M" u1 "$TUNFIX_RESULTS/M-u1.pcap" -s 96 ip
ping_df "$A" 192.0.2.2 1400 5
check_result $? "with df_transit on M only: ping -s 1400 -M do passes"
capture_stop
python3 "$TUNFIX_ROOT/tests/pcap-check.py" --proto 50 --forbid-proto 47 \
	--src 198.51.100.1 --expect-fragments --min-packets 5 "$TUNFIX_RESULTS/M-u1.pcap"
check_result $? "capture behind M: ESP fragments, DF clear, unique IDs, valid checksums"
[ "$(counter "$M" df_cleared_transit)" -ge 5 ]
check_result $? "counter: df_cleared_transit on M"

must ip netns exec "$M" sysctl -q -w net.tunfix.df_transit=0
! ping_df "$A" 192.0.2.2 1400 2
check_result $? "df_transit=0: the black hole is back"

must ip netns exec "$M" sysctl -q -w net.tunfix.df_transit=1 net.tunfix.df_mark=0x1 \
	net.tunfix.df_mask=0x1
! ping_df "$A" 192.0.2.2 1400 2
check_result $? "df_transit with df_mark=0x1 df_mask=0x1, nothing marked: black hole"
[ "$(counter "$M" skip_mark)" -ge 2 ]
check_result $? "counter: skip_mark $(counter "$M" skip_mark)"
# priority mangle (-150) runs before tunfix's hook (mangle + 1)
must ip netns exec "$M" nft -f - <<'NFT'
table ip select {
	chain pre {
		type filter hook prerouting priority mangle;
		ip saddr 198.51.100.1 ip protocol esp meta mark set 0x1
	}
}
NFT
capture_start "$M" u1 "$TUNFIX_RESULTS/M-u1-mark.pcap" -s 96 ip
ping_df "$A" 192.0.2.2 1400 5
check_result $? "marked: ping -s 1400 -M do passes again"
capture_stop
python3 "$TUNFIX_ROOT/tests/pcap-check.py" --proto 50 --src 198.51.100.1 \
	--expect-fragments --min-packets 5 "$TUNFIX_RESULTS/M-u1-mark.pcap"
check_result $? "capture behind M: ESP fragments, DF clear, unique IDs, valid checksums"

exit_with_result
