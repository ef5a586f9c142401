#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The fwmark selector on df_egress: one host, two GRE tunnels, an nft rule
# (output, priority mangle: before tunfix) marks the outer packets of gre1
# only.  With df_mark/df_mask matching that mark, gre1's outer packets lose
# DF and get new IDs; gre2's leave byte for byte as the tunnel made them.
# NFLOG at priority raw logs the outer packets before tunfix; the capture
# on P's side shows them after.
#
#   S u0 ======================= u0 P
#     198.51.100.1/24           198.51.100.2/24, 198.51.100.3/24
#   gre1 192.0.2.1 -> 192.0.2.2   outer 198.51.100.1 -> 198.51.100.2
#   gre2 192.0.2.5 -> 192.0.2.6   outer 198.51.100.1 -> 198.51.100.3
#
# timeout: 240

source "$TUNFIX_ROOT/tests/lib.sh"
source "$TUNFIX_ROOT/tests/df-lib.sh"

require_cmd ip ping nft tcpdump python3 "$TUNFIXCTL"
trap 'capture_stop; tunfix_unload; cleanup_all_ns' EXIT

setup_ns S P
gre_pair "$S" "$P" u0
must ip -n "$P" addr add 198.51.100.3/24 dev u0
must ip -n "$S" link add gre2 type gre local 198.51.100.1 remote 198.51.100.3
must ip -n "$S" addr add 192.0.2.5 peer 192.0.2.6 dev gre2
must ip -n "$S" link set gre2 up
must ip netns exec "$S" nft -f - <<'NFT'
table ip t25 {
	chain before {
		type filter hook output priority raw;
		ip protocol gre log group 1 queue-threshold 1
	}
	chain select {
		type filter hook output priority mangle;
		ip daddr 198.51.100.2 ip protocol gre meta mark set 0x10
	}
}
NFT

tunfix_load
must ip netns exec "$S" sysctl -q -w net.tunfix.df_egress=1 net.tunfix.df_mark=0x10 \
	net.tunfix.df_mask=0xff

# gre is not terminated on P: only the outer packets matter, no replies
send_df_pings()
{
	ip netns exec "$S" ping -q -n -c 5 -i 0.2 -W 1 -M do -s 1000 "$1" \
		>/dev/null 2>&1
	:
}

capture_start "$S" nflog:1 "$TUNFIX_RESULTS/before.pcap" -s 0
capture_start "$P" u0 "$TUNFIX_RESULTS/after.pcap" -s 96 ip
send_df_pings 192.0.2.2
send_df_pings 192.0.2.6
capture_stop

python3 "$TUNFIX_ROOT/tests/pcap-compare.py" --df-cleared --min-packets 5 \
	--dst 198.51.100.2 "$TUNFIX_RESULTS/before.pcap" "$TUNFIX_RESULTS/after.pcap"
check_result $? "gre1 (marked): DF cleared, new IDs, valid checksums"
python3 "$TUNFIX_ROOT/tests/pcap-compare.py" --identical --min-packets 5 \
	--dst 198.51.100.3 "$TUNFIX_RESULTS/before.pcap" "$TUNFIX_RESULTS/after.pcap"
check_result $? "gre2 (not marked): byte-identical, DF kept"
[ "$(counter "$S" skip_mark)" -ge 5 ] && [ "$(counter "$S" df_cleared_egress)" -ge 5 ]
check_result $? "counters: skip_mark $(counter "$S" skip_mark), df_cleared_egress $(counter "$S" df_cleared_egress)"

# the selector off again (df_mask=0): both tunnels are changed
must ip netns exec "$S" sysctl -q -w net.tunfix.df_mask=0
capture_start "$S" nflog:1 "$TUNFIX_RESULTS/before-off.pcap" -s 0
capture_start "$P" u0 "$TUNFIX_RESULTS/after-off.pcap" -s 96 ip
send_df_pings 192.0.2.6
capture_stop
python3 "$TUNFIX_ROOT/tests/pcap-compare.py" --df-cleared --min-packets 5 \
	--dst 198.51.100.3 "$TUNFIX_RESULTS/before-off.pcap" "$TUNFIX_RESULTS/after-off.pcap"
check_result $? "df_mask=0: the selector is off, gre2 is changed too"

# tunfixctl doctor: a selector the nft rule can satisfy is fine; a mark
# outside the mask, or no rule that marks at all, is flagged
must ip netns exec "$S" sysctl -q -w net.tunfix.df_mask=0xff
doctor "$S" ok
[ -n "$DOCTOR" ] && ! grep -q "df_mark" <<<"$DOCTOR"
check_result $? "doctor: the nft rule marks, no finding about the selector"
must ip netns exec "$S" sysctl -q -w net.tunfix.df_mark=0x100
doctor "$S" outside
grep -q "df_mark 0x100 has bits outside df_mask 0xff" <<<"$DOCTOR"
check_result $? "doctor: df_mark 0x100 outside df_mask 0xff is flagged"
must ip netns exec "$S" sysctl -q -w net.tunfix.df_mark=0x10
must ip netns exec "$S" nft delete table ip t25
doctor "$S" norule
grep -q "no nft or iptables rule and no IPsec SA sets a mark" <<<"$DOCTOR"
check_result $? "doctor: no rule sets a mark, flagged"

exit_with_result
