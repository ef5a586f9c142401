# SPDX-License-Identifier: GPL-2.0
#
# Helpers for GRE, gretap and ESP traffic: the DF/ID scenarios
# (tests/netns/2*.sh), the other scenarios that need a gre pair, the bridged
# set-up, a capture or a counter, the demo and the benchmark.  Sourced after
# tests/lib.sh.

RECIPE_BRIDGED="$TUNFIX_ROOT/Documentation/recipes/bridged-gretap.sh"
ESP_KEY=0x0123456789abcdef0123456789abcdef01234567

# in_ns NS 'shell code' - run code in NS with the bridged recipe loaded
in_ns()
{
	local ns=$1

	shift
	ip netns exec "$ns" bash -c ". '$RECIPE_BRIDGED'; $*"
}

# ping_df NS DST SIZE [COUNT] - DF ping of SIZE payload bytes; 0 if all replied
ping_df()
{
	ip netns exec "$1" ping -q -n -c "${4:-3}" -i 0.2 -W 2 -M do -s "$3" "$2" \
		>/dev/null 2>&1
}

# counter NS NAME - a tunfix counter of NS
counter()
{
	ip netns exec "$1" awk -v n="$2" '$1 == n { print $2 }' /proc/net/tunfix
}

# capture_start NS DEV FILE - tcpdump on DEV in NS (a device, or nflog:GROUP
# for what an nft "log group GROUP" rule logs) into FILE, waits until ready;
# several captures may run at once, capture_stop ends them all
capture_start()
{
	local ns=$1 dev=$2 file=$3 snap=96 filter=ip

	case $dev in nflog:*) snap=0 filter= ;; esac
	# shellcheck disable=SC2086 # no filter for nflog: libpcap has none
	ip netns exec "$ns" tcpdump -i "$dev" -n -U -s $snap -w "$file" $filter \
		2>"$file.log" &
	CAPTURE_PIDS="${CAPTURE_PIDS:-} $!"
	slowwait 10 grep -q "listening on" "$file.log"
}

capture_stop()
{
	sleep 0.5
	# shellcheck disable=SC2086 # a list of pids
	kill $CAPTURE_PIDS 2>/dev/null
	# shellcheck disable=SC2086
	wait $CAPTURE_PIDS 2>/dev/null
	CAPTURE_PIDS=
}

# gre_pair A B DEV - veth DEV from A (198.51.100.1/24) to B (198.51.100.2/24)
# and gre1 in A, a gre tunnel to B (192.0.2.1 -> 192.0.2.2); no IPv6 in A,
# so no router solicitations go over the tunnel
gre_pair()
{
	local a=$1 b=$2 dev=$3

	ip netns exec "$a" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip link add "$dev" netns "$a" type veth peer name "$dev" netns "$b"
	ip -n "$a" addr add 198.51.100.1/24 dev "$dev"
	ip -n "$b" addr add 198.51.100.2/24 dev "$dev"
	ip -n "$a" link set "$dev" up
	ip -n "$b" link set "$dev" up
	ip -n "$a" link add gre1 type gre local 198.51.100.1 remote 198.51.100.2
	ip -n "$a" addr add 192.0.2.1 peer 192.0.2.2 dev gre1
	ip -n "$a" link set gre1 up
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
	slowwait 10 ip netns exec "$dst" ss -Hltn 'sport = :5001' | grep -q 5001
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
	setup_ns hA rA rB hB || return 1
	ip link add eth0 netns "$hA" type veth peer name vA netns "$rA"
	ip link add eth0 netns "$hB" type veth peer name vB netns "$rB"
	ip link add u0 netns "$rA" type veth peer name u0 netns "$rB"
	ip -n "$hA" addr add 192.0.2.1/24 dev eth0
	ip -n "$hB" addr add 192.0.2.2/24 dev eth0
	ip -n "$hA" link set eth0 up
	ip -n "$hB" link set eth0 up
	ip -n "$rA" addr add 198.51.100.1/24 dev u0
	ip -n "$rB" addr add 198.51.100.2/24 dev u0
	ip -n "$rA" link set u0 up
	ip -n "$rB" link set u0 up
	in_ns "$rA" gretap_bridge_setup vA 198.51.100.1 198.51.100.2 || return 1
	in_ns "$rB" gretap_bridge_setup vB 198.51.100.2 198.51.100.1 || return 1
	if [ "$1" = esp ]; then
		in_ns "$rA" esp_transport_setup 198.51.100.1 198.51.100.2 \
			0x100 0x200 $ESP_KEY || return 1
		in_ns "$rB" esp_transport_setup 198.51.100.2 198.51.100.1 \
			0x200 0x100 $ESP_KEY || return 1
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

	in_ns "$rA" tunfix_bridged_enable && in_ns "$rB" tunfix_bridged_enable
	check_result $? "enable tunfix on both routers with the recipe"

	capture_start "$rA" u0 "$pcap"
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

	ip netns exec "$rA" sysctl -q -w net.tunfix.df_bridge=0
	! ping_df "$hA" 192.0.2.2 1472 2
	check_result $? "df_bridge=0 on rA: the big DF ping fails again"

	ip netns exec "$rA" sysctl -q -w net.tunfix.df_bridge=1
	in_ns "$rA" native_ignore_df_setup && in_ns "$rB" native_ignore_df_setup
	check_result $? "switch gt0 to nopmtudisc ignore-df (native alternative)"
	ip netns exec "$rA" sysctl -q -w net.tunfix.df_bridge=0 net.tunfix.df_egress=0
	ip netns exec "$rB" sysctl -q -w net.tunfix.df_bridge=0 net.tunfix.df_egress=0
	ping_df "$hA" 192.0.2.2 1472 3
	check_result $? "native ignore-df alone also passes the big DF ping"
}

# capture NS DEV FILE CMD... - capture while CMD runs, until the capture
# holds the last packet CMD sends (edge-packets.py wait, or a fixed pause)
capture()
{
	local ns=$1 dev=$2 file=$3 pid kind=ip

	shift 3
	[ "$dev" = gt0 ] && kind=eth
	ip netns exec "$ns" tcpdump -i "$dev" -n -U -B 16384 -w "$file" 2>"$file.log" &
	pid=$!
	slowwait 10 grep -q "listening on" "$file.log"
	"$@"
	if [ -n "$CAPTURE_WAIT" ]; then
		$CAPTURE_WAIT "$file"
	else
		python3 "$TUNFIX_ROOT/tests/edge-packets.py" wait "$file" $kind
	fi
	kill "$pid"
	wait "$pid" 2>/dev/null
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
	ip link add eth0 netns "$S" type veth peer name eth0 netns "$M"
	ip link add eth1 netns "$M" type veth peer name eth0 netns "$R"
	ip -n "$S" addr add 198.51.100.1/24 dev eth0
	ip -n "$M" addr add 198.51.100.2/24 dev eth0
	ip -n "$M" addr add 203.0.113.1/24 dev eth1
	ip -n "$R" addr add 203.0.113.2/24 dev eth0
	for l in "$S eth0" "$M eth0" "$M eth1" "$R eth0"; do
		set -- $l
		ip -n "$1" link set "$2" up
	done
	ip -n "$S" route add default via 198.51.100.2
	ip -n "$R" route add default via 203.0.113.1
	ip netns exec "$M" sysctl -q -w net.ipv4.ip_forward=1

	ip link add eth0 netns "$B" type veth peer name vA netns "$G"
	ip link add u0 netns "$G" type veth peer name u0 netns "$P"
	ip -n "$G" addr add 192.0.2.65/26 dev u0
	ip -n "$P" addr add 192.0.2.66/26 dev u0
	ip -n "$G" link add gt0 type gretap local 192.0.2.65 remote 192.0.2.66
	ip -n "$G" link add br0 type bridge
	ip -n "$G" link set vA master br0
	ip -n "$G" link set gt0 master br0
	# A kernel with br_netfilter (built in, as in the debug kernel) checks
	# IP headers on bridges and drops malformed frames before any hook of
	# ours: not what the odd-packet tests are about.
	if [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]; then
		ip netns exec "$G" sysctl -q -w net.bridge.bridge-nf-call-iptables=0
	fi
	for l in "$B eth0" "$G vA" "$G u0" "$G gt0" "$G br0" "$P u0"; do
		set -- $l
		ip -n "$1" link set "$2" up
	done
	slowwait 10 ip netns exec "$S" ping -c 1 -W 1 203.0.113.2 >/dev/null
}

# blackhole_router A M B - A and B on either side of the router M, whose
# link to B has MTU 1400 and which drops ICMP "fragmentation needed" (its
# own and forwarded ones): a PMTU black hole.
#   A u0 198.51.100.1/30 = u0 M u1 = (MTU 1400) = u0 B 203.0.113.2/30
# A and B route the far /30 through M.  Fails at the first command that
# fails.
blackhole_router()
{
	local a=$1 m=$2 b=$3 l

	ip link add u0 netns "$a" type veth peer name u0 netns "$m" &&
	ip link add u1 netns "$m" type veth peer name u0 netns "$b" &&
	ip -n "$m" link set u1 mtu 1400 &&
	ip -n "$b" link set u0 mtu 1400 &&
	ip -n "$a" addr add 198.51.100.1/30 dev u0 &&
	ip -n "$m" addr add 198.51.100.2/30 dev u0 &&
	ip -n "$m" addr add 203.0.113.1/30 dev u1 &&
	ip -n "$b" addr add 203.0.113.2/30 dev u0 || return 1
	for l in "$a u0" "$m u0" "$m u1" "$b u0"; do
		# shellcheck disable=SC2086 # "NS DEV"
		ip -n ${l% *} link set "${l#* }" up || return 1
	done
	ip netns exec "$m" sysctl -q -w net.ipv4.ip_forward=1 &&
	ip -n "$a" route add 203.0.113.0/30 via 198.51.100.2 &&
	ip -n "$b" route add 198.51.100.0/30 via 203.0.113.1 &&
	ip netns exec "$m" nft -f - <<-'NFT'
	table ip blackhole {
		chain c_out {
			type filter hook output priority 0;
			icmp type destination-unreachable icmp code frag-needed counter drop
		}
		chain c_fwd {
			type filter hook forward priority 0;
			icmp type destination-unreachable icmp code frag-needed counter drop
		}
	}
	NFT
}
