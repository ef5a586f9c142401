# SPDX-License-Identifier: GPL-2.0
#
# The set-up of tests/netns/42-ike-copy-df.sh (copy_df = no against tunfix)
# and tests/netns/43-ike-iptfs.sh (IP-TFS in the same place): two sites rA
# and rB through a PMTU black hole (M), charon on each router with
# Documentation/recipes/strongswan/swanctl-copy-df.conf, CHILD_SA "net"
# for the routed LANs and "gre" for the gretap that bridges a third one.
# The topology is drawn in 42-ike-copy-df.sh.  Sources tests/ike-lib.sh.

source "$(dirname "${BASH_SOURCE[0]}")/ike-lib.sh"

SWANCTL_COPY_DF="$SWAN_RECIPES/swanctl-copy-df.conf"
# the recipe sites_up loads on both routers
SWANCTL_SITES=$SWANCTL_COPY_DF
# rA's ESP packets on its underlay ("and greater 1400" below: those of
# the big pings only, not the ARP frames the gretap also carries)
ESP_OUT="src 198.51.100.1 and ip proto 50"

# sites_up TEXT [SETTING] - charon on rB and rA with SWANCTL_SITES,
# CHILD_SAs net and gre up; SETTING (swanctl.conf text) is added to both
# CHILD_SAs on both ends
sites_up()
{
	ike_start "$rB" "$SWANCTL_SITES" "connections {
	sites {
		children {
			net {
				local_ts = 10.2.0.0/24
				remote_ts = 10.1.0.0/24
				${2:-}
			}
			gre {
				${2:-}
			}
		}
	}
}"
	ike_start "$rA" "$SWANCTL_SITES" "connections {
	sites {
		remote_addrs = 203.0.113.2
		children {
			net {
				${2:-}
			}
			gre {
				${2:-}
			}
		}
	}
}"
	ike_load "$rB"
	ike_load "$rA"
	ike_initiate "$rA" net && ike_initiate "$rA" gre &&
		ike_child_up "$rB" net && ike_child_up "$rB" gre
	check_result $? "$1: charon: CHILD_SAs net and gre installed on rA and rB"
	# outbound: strongSwan 6 sets the flag on those only, 5.9 on all
	NOPMTUDISC=$(ip -n "$rA" xfrm state list src 198.51.100.1 | grep -c 'flag.*nopmtudisc')
	echo "$1: rA's outbound SAs with flag nopmtudisc: $NOPMTUDISC"
	slowwait 10 ping_df "$hA" 10.2.0.1 56 1 &&
		slowwait 10 ping_df "$hA" 192.0.2.2 56 1
	check_result $? "$1: small pings pass, routed and bridged"
}

# routed_ping NAME TEXT - ping -M do -s 1380 from hA to hB over net,
# rA's ESP packets captured in NAME.pcap; 0 if 3 of 3 replied
routed_ping()
{
	local rc

	capture_start "$rA" u0 "$TUNFIX_RESULTS/$1.pcap" -s 96 "$ESP_OUT and greater 1400"
	ping_df "$hA" 10.2.0.1 1380 3
	rc=$?
	capture_stop
	echo "$2: routed ping -M do -s 1380: $PING_RX of 3 replies"
	return $rc
}

# pcap_check NAME [ARG...] - tests/pcap-check.py on NAME.pcap (ESP)
pcap_check()
{
	python3 "$TUNFIX_ROOT/tests/pcap-check.py" --proto 50 "${@:2}" \
		"$TUNFIX_RESULTS/$1.pcap"
}

# gt0_tx_errors - set TX_ERRORS to the tx_errors of rA's gretap
gt0_tx_errors()
{
	TX_ERRORS=$(ip netns exec "$rA" cat /sys/class/net/gt0/statistics/tx_errors)
}

# copy_df_topology - the namespaces, links, routes and the bridged gretap
# (tunfix's recipe, gretap_bridge_setup) of the scenario; no charon yet
copy_df_topology()
{
	setup_ns hA rA M rB hB
	for ns in "$hA" "$rA" "$rB" "$hB"; do
		# nothing but the test's pings on the bridged LAN
		must ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	done
	blackhole_path "$rA" "$M" "$rB"
	veth_link "$hA" eth0 192.0.2.1/24 "$rA" vA ""
	veth_link "$hB" eth0 192.0.2.2/24 "$rB" vB ""
	veth_link "$hA" eth1 10.1.0.1/24 "$rA" vR 10.1.0.254/24
	veth_link "$hB" eth1 10.2.0.1/24 "$rB" vR 10.2.0.254/24
	must ip -n "$hA" route add 10.2.0.0/24 via 10.1.0.254
	must ip -n "$hB" route add 10.1.0.0/24 via 10.2.0.254
	# charon installs no routes (install_routes = no): the LANs' routes lead
	# to the underlay, where the CHILD_SA's policies take the packets
	must ip -n "$rA" route add 10.2.0.0/24 via 198.51.100.2
	must ip -n "$rB" route add 10.1.0.0/24 via 203.0.113.1
	must ip netns exec "$rA" sysctl -q -w net.ipv4.ip_forward=1
	must ip netns exec "$rB" sysctl -q -w net.ipv4.ip_forward=1
	must in_recipe "$rA" "$RECIPE_BRIDGED" gretap_bridge_setup vA 198.51.100.1 203.0.113.2
	must in_recipe "$rB" "$RECIPE_BRIDGED" gretap_bridge_setup vB 203.0.113.2 198.51.100.1
}
