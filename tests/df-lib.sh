# SPDX-License-Identifier: GPL-2.0
#
# Helpers for GRE, gretap and ESP traffic: the DF/ID scenarios
# (tests/netns/2*.sh), the other scenarios that need a gre pair, the bridged
# set-up, the black-hole path or a counter, the demo and the benchmark.
# Sources tests/lib.sh.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RECIPE_BRIDGED="$TUNFIX_ROOT/Documentation/recipes/bridged-gretap.sh"

# ping_df NS DST SIZE [COUNT] - DF ping of SIZE payload bytes; 0 if all
# replied.  Sets PING_RX to the number of replies (from ping's summary,
# read with builtins).
ping_df()
{
	local rc l

	ip netns exec "$1" ping -q -n -c "${4:-3}" -i 0.2 -W 2 -M do -s "$3" "$2" \
		>"$PING_OUT" 2>&1
	rc=$?
	PING_RX=0
	while read -r l; do
		[[ $l =~ ([0-9]+)\ received ]] && PING_RX=${BASH_REMATCH[1]}
	done <"$PING_OUT"
	return $rc
}
PING_OUT=/tmp/ping_df.$$

# counter NS NAME - a tunfix counter of NS
counter()
{
	ip netns exec "$1" awk -v n="$2" '$1 == n { print $2 }' /proc/net/tunfix
}

# counters_are NS NAME=VALUE... - 0 if each named tunfix counter of NS has
# that value (one read of /proc/net/tunfix); says which ones differ
counters_are()
{
	local ns=$1 name val kv rc=0
	local -A have

	shift
	while read -r name val; do
		have[$name]=$val
	done < <(ip netns exec "$ns" cat /proc/net/tunfix)
	for kv; do
		name=${kv%%=*}
		[ "${have[$name]}" = "${kv#*=}" ] && continue
		echo "counter $name: ${have[$name]:-missing}, expected ${kv#*=}"
		rc=1
	done
	return $rc
}

# gre_pair A B DEV - veth DEV from A (198.51.100.1/24) to B (198.51.100.2/24)
# and gre1 in A, a gre tunnel to B (192.0.2.1 -> 192.0.2.2); no IPv6 in A,
# so no router solicitations go over the tunnel
gre_pair()
{
	local a=$1 b=$2 dev=$3

	must ip netns exec "$a" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	must ip link add "$dev" netns "$a" type veth peer name "$dev" netns "$b"
	must ip -n "$a" addr add 198.51.100.1/24 dev "$dev"
	must ip -n "$b" addr add 198.51.100.2/24 dev "$dev"
	must ip -n "$a" link set "$dev" up
	must ip -n "$b" link set "$dev" up
	must ip -n "$a" link add gre1 type gre local 198.51.100.1 remote 198.51.100.2
	must ip -n "$a" addr add 192.0.2.1 peer 192.0.2.2 dev gre1
	must ip -n "$a" link set gre1 up
}

# tcp_listening NS PORT - 0 if a TCP socket in NS listens on PORT
tcp_listening()
{
	[ -n "$(ip netns exec "$1" ss -Hltn "sport = :$2")" ]
}

# tcp_bulk SRC_NS DST_NS DST_IP MBYTES - send random data over TCP and
# compare checksums at both ends; 0 if they match
tcp_bulk()
{
	local src=$1 dst=$2 ip=$3 mb=$4 dir
	local in out srv rc

	dir=$(mktemp -d)
	in=$dir/in
	out=$dir/out
	head -c "$((mb * 1024 * 1024))" /dev/urandom >"$in"
	ip netns exec "$dst" socat -u TCP4-LISTEN:5001,reuseaddr "OPEN:$out,creat,trunc" &
	srv=$!
	slowwait 10 tcp_listening "$dst" 5001 ||
		echo "tcp_bulk: nobody listens on port 5001 in $dst"
	timeout 60 ip netns exec "$src" socat -u "OPEN:$in" "TCP4:$ip:5001"
	rc=$?
	timeout 10 tail --pid="$srv" -f /dev/null
	kill "$srv" 2>/dev/null
	wait "$srv" 2>/dev/null
	if [ "$rc" -eq 0 ] && cmp -s "$in" "$out"; then
		rc=0
	else
		echo "tcp_bulk: sent $(stat -c %s "$in") bytes, got $(stat -c %s "$out" 2>/dev/null || echo 0), socat rc $rc"
		rc=1
	fi
	rm -rf "$dir"
	return "$rc"
}

# bridged_topology [esp] - two LANs bridged over gretap between rA and rB:
#
#   hA eth0 --- vA [br0] gt0 ~~ u0 ====== u0 ~~ gt0 [br0] vB --- eth0 hB
#   192.0.2.1/24      198.51.100.1/24    198.51.100.2/24     192.0.2.2/24
#
# sets hA rA rB hB (namespace names)
bridged_topology()
{
	setup_ns hA rA rB hB
	must ip link add eth0 netns "$hA" type veth peer name vA netns "$rA"
	must ip link add eth0 netns "$hB" type veth peer name vB netns "$rB"
	must ip link add u0 netns "$rA" type veth peer name u0 netns "$rB"
	must ip -n "$hA" addr add 192.0.2.1/24 dev eth0
	must ip -n "$hB" addr add 192.0.2.2/24 dev eth0
	must ip -n "$hA" link set eth0 up
	must ip -n "$hB" link set eth0 up
	must ip -n "$rA" addr add 198.51.100.1/24 dev u0
	must ip -n "$rB" addr add 198.51.100.2/24 dev u0
	must ip -n "$rA" link set u0 up
	must ip -n "$rB" link set u0 up
	must in_recipe "$rA" "$RECIPE_BRIDGED" gretap_bridge_setup vA 198.51.100.1 198.51.100.2
	must in_recipe "$rB" "$RECIPE_BRIDGED" gretap_bridge_setup vB 198.51.100.2 198.51.100.1
	if [ "$1" = esp ]; then
		must in_recipe "$rA" "$RECIPE_BRIDGED" esp_transport_setup \
			198.51.100.1 198.51.100.2 0x100 0x200 "$ESP_KEY"
		must in_recipe "$rB" "$RECIPE_BRIDGED" esp_transport_setup \
			198.51.100.2 198.51.100.1 0x200 0x100 "$ESP_KEY"
	fi
	# the bridges need a moment to reach forwarding state
	slowwait 10 ping_df "$hA" 192.0.2.2 56 1
}

# bridged_scenario esp|plain - two LANs bridged over gretap, end to end:
# fails without tunfix, passes with it, capture checked.
bridged_scenario()
{
	local mode=$1 pcap="$TUNFIX_RESULTS/underlay-$1.pcap"
	local check_args=(--proto 47 --proto 50 --expect-fragments)

	[ "$mode" = esp ] && check_args=(--proto 50 --forbid-proto 47 --expect-fragments)

	bridged_topology "$mode"
	check_result $? "topology up, small pings pass ($mode)"

	! ping_df "$hA" 192.0.2.2 1472 2
	check_result $? "without tunfix: ping -s 1472 -M do fails ($mode)"

	tunfix_load
	! ping_df "$hA" 192.0.2.2 1472 2
	check_result $? "tunfix loaded but off: ping -s 1472 -M do still fails"

	in_recipe "$rA" "$RECIPE_BRIDGED" tunfix_bridged_enable &&
		in_recipe "$rB" "$RECIPE_BRIDGED" tunfix_bridged_enable
	check_result $? "enable tunfix on both routers with the recipe"

	capture_start "$rA" u0 "$pcap" -s 96 ip
	ping_df "$hA" 192.0.2.2 1472 5
	check_result $? "with tunfix: ping -s 1472 -M do passes ($mode)"

	tcp_bulk "$hA" "$hB" 192.0.2.2 3
	check_result $? "with tunfix: 3 MB TCP A->B arrives intact ($mode)"
	tcp_bulk "$hB" "$hA" 192.0.2.1 1
	check_result $? "with tunfix: 1 MB TCP B->A arrives intact ($mode)"
	capture_stop

	python3 "$TUNFIX_ROOT/tests/pcap-check.py" "${check_args[@]}" \
		--min-packets 100 "$pcap"
	check_result $? "capture: DF clear, IDs non-zero and unique, checksums valid ($mode)"

	[ "$(counter "$rA" df_cleared_bridge)" -gt 0 ] &&
		[ "$(counter "$rA" df_cleared_egress)" -gt 0 ] &&
		[ "$(counter "$rB" df_cleared_egress)" -gt 0 ]
	check_result $? "counters: inner DF cleared on rA, outer DF cleared on rA and rB"
	ip netns exec "$rA" cat /proc/net/tunfix | grep -v ' 0$'

	must ip netns exec "$rA" sysctl -q -w net.tunfix.df_bridge=0
	! ping_df "$hA" 192.0.2.2 1472 2
	check_result $? "df_bridge=0 on rA: the big DF ping fails again"

	must ip netns exec "$rA" sysctl -q -w net.tunfix.df_bridge=1
	in_recipe "$rA" "$RECIPE_BRIDGED" native_ignore_df_setup &&
		in_recipe "$rB" "$RECIPE_BRIDGED" native_ignore_df_setup
	check_result $? "switch gt0 to nopmtudisc ignore-df (native alternative)"
	must ip netns exec "$rA" sysctl -q -w net.tunfix.df_bridge=0 net.tunfix.df_egress=0
	must ip netns exec "$rB" sysctl -q -w net.tunfix.df_bridge=0 net.tunfix.df_egress=0
	ping_df "$hA" 192.0.2.2 1472 3
	check_result $? "native ignore-df alone also passes the big DF ping"
}

# capture NS DEV FILE CMD... - capture on DEV of NS while CMD runs, until
# the capture holds the last packet CMD sends (edge-packets.py wait, or
# $CAPTURE_WAIT FILE); 0 if CMD succeeded and the wait ended in time
capture()
{
	local ns=$1 dev=$2 file=$3 kind=ip rc

	shift 3
	[ "$dev" = gt0 ] && kind=eth
	capture_start "$ns" "$dev" "$file" -B 16384
	"$@"
	rc=$?
	if [ -n "$CAPTURE_WAIT" ]; then
		$CAPTURE_WAIT "$file"
	else
		python3 "$TUNFIX_ROOT/tests/edge-packets.py" wait "$file" $kind
	fi || { echo "capture: $file did not get the last packet"; rc=1; }
	capture_stop
	return $rc
}

# edge_topology - the paths for odd packets: IP level S -> M -> R (egress
# hook on S, transit hook on M, capture on R) and Ethernet level B -> G's
# bridge -> gt0 (bridge hook on G, capture on gt0):
#
#   S eth0 ------------ eth0 M eth1 ------------ eth0 R
#   198.51.100.1/24  198.51.100.2  203.0.113.1  203.0.113.2/24
#
#   B eth0 ---- vA [br0] gt0 ~~ u0 ================ u0 P
#                             192.0.2.65/26    192.0.2.66/26
edge_topology()
{
	setup_ns S M R B G P
	veth_link "$S" eth0 198.51.100.1/24 "$M" eth0 198.51.100.2/24
	veth_link "$M" eth1 203.0.113.1/24 "$R" eth0 203.0.113.2/24
	must ip -n "$S" route add default via 198.51.100.2
	must ip -n "$R" route add default via 203.0.113.1
	must ip netns exec "$M" sysctl -q -w net.ipv4.ip_forward=1

	must ip link add eth0 netns "$B" type veth peer name vA netns "$G"
	must ip link add u0 netns "$G" type veth peer name u0 netns "$P"
	must ip -n "$G" addr add 192.0.2.65/26 dev u0
	must ip -n "$P" addr add 192.0.2.66/26 dev u0
	must ip -n "$G" link add gt0 type gretap local 192.0.2.65 remote 192.0.2.66
	must ip -n "$G" link add br0 type bridge
	must ip -n "$G" link set vA master br0
	must ip -n "$G" link set gt0 master br0
	# A kernel with br_netfilter (built in, as in the debug kernel) checks
	# IP headers on bridges and drops malformed frames before any hook of
	# ours: not what the odd-packet tests are about.
	if [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]; then
		must ip netns exec "$G" sysctl -q -w net.bridge.bridge-nf-call-iptables=0
	fi
	for l in "$B eth0" "$G vA" "$G u0" "$G gt0" "$G br0" "$P u0"; do
		set -- $l
		must ip -n "$1" link set "$2" up
	done
	slowwait 10 ip netns exec "$S" ping -c 1 -W 1 203.0.113.2 >/dev/null
}

# blackhole_path L M R - an underlay from L to R through the router M,
# whose link to R has MTU 1400 and which drops ICMP "fragmentation needed"
# (forwarded and its own): a PMTU black hole.
#
#   L u0 ============= u0 M u1 ====(MTU 1400)==== u0 R
#   198.51.100.1/30  .2/30  203.0.113.1/30   203.0.113.2/30
blackhole_path()
{
	local l=$1 m=$2 r=$3

	veth_link "$l" u0 198.51.100.1/30 "$m" u0 198.51.100.2/30
	veth_link "$m" u1 203.0.113.1/30 "$r" u0 203.0.113.2/30
	must ip -n "$m" link set u1 mtu 1400
	must ip -n "$r" link set u0 mtu 1400
	must ip netns exec "$m" sysctl -q -w net.ipv4.ip_forward=1
	must ip -n "$l" route add 203.0.113.0/30 via 198.51.100.2
	must ip -n "$r" route add 198.51.100.0/30 via 203.0.113.1
	must ip netns exec "$m" nft -f - <<-'NFT'
	table ip blackhole {
		chain c_fwd {
			type filter hook forward priority 0;
			icmp type destination-unreachable icmp code frag-needed counter drop
		}
		chain c_out {
			type filter hook output priority 0;
			icmp type destination-unreachable icmp code frag-needed counter drop
		}
	}
	NFT
}

# blackhole_dropped M - 0 if the black hole of blackhole_path dropped ICMP
blackhole_dropped()
{
	ip netns exec "$1" nft list table ip blackhole | grep -q 'packets [1-9]'
}
