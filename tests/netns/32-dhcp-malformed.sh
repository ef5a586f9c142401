#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The DHCP hook and odd packets: UDP 67 -> 68 sent from a raw socket
# (IP_HDRINCL) in A, with dhcp_remark on: well-formed DHCP replies (with
# and without IP options) and malformed ones (DHCP payload too short, UDP
# length beyond the packet or below the header, first, middle and last
# fragments, BOOTREQUEST op, no magic cookie, text on port 67, truncated
# UDP header, IP version 6 in the header, UDP-Lite).  Every packet must
# arrive in B byte for byte as sent (packet socket in B); the skb mark at
# A's postrouting (an nft set of "ip id . meta mark") must be changed on
# the well-formed replies only, with value/mask semantics and dhcp_dev
# honoured; the counters must add up.  Then bad values of the DHCP knobs
# must fail with EINVAL and change nothing.
#
#   A eth0 192.0.2.1/24 ---------------------------- eth0 192.0.2.2/24 B
#   raw socket, tunfix, nft postrouting                   packet socket
#
# timeout: 300

source "$TUNFIX_ROOT/tests/lib.sh"

require_cmd ip nft python3
trap 'tunfix_unload; cleanup_all_ns' EXIT

tunfix_load
setup_ns A B
must ip link add eth0 netns "$A" type veth peer name eth0 netns "$B"
must ip -n "$A" addr add 192.0.2.1/24 dev eth0
must ip -n "$B" addr add 192.0.2.2/24 dev eth0
must ip -n "$A" link set eth0 up
must ip -n "$B" link set eth0 up
must ip netns exec "$A" nft -f - <<'EOF'
table ip tunfix_t32 {
	set marks {
		typeof ip id . meta mark
		flags dynamic
		size 1024
	}
	chain post {
		type filter hook postrouting priority 0; policy accept;
		ip daddr 192.0.2.2 add @marks { ip id . meta mark }
	}
}
EOF

out=$TUNFIX_RESULTS/edge.txt
ip netns exec "$A" python3 -S "$TUNFIX_ROOT/tests/dhcp-packets.py" edge \
	--peer-netns "/run/netns/$B" --src 192.0.2.1 --dst 192.0.2.2 \
	--dev eth0 >"$out" 2>&1
rc=$?
while read -r status text; do
	case $status in
	ok|not)
		# one line of dhcp-packets.py's verdicts: "ok TEXT" or "not ok TEXT"
		[ "$status" = ok ]
		check_result $? "${text#ok }"
		;;
	*) echo "$status $text" ;;
	esac
done <"$out"
check_result $rc "dhcp-packets.py edge ran to the end (exit $rc)"

ip netns exec "$A" cat /proc/net/tunfix | grep '^dhcp_'

# the module is still healthy: the packets of the last pass went out
ip netns exec "$A" ping -q -c 1 -W 2 192.0.2.2 >/dev/null
check_result $? "A still reaches B after all of it"

exit_with_result
