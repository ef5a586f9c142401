#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# An IPsec gateway whose own DHCP client asks a server on the same host (as
# strongSwan's dhcp plugin does): dnsmasq serves 10.8.0.0/24 on s1, busybox
# udhcpc runs on s1c, the two ends of one veth pair in one namespace.  No
# reply here is headed into IPsec, so tunfix must leave them all alone:
# the same outcome with dhcp_remark=1 as without tunfix.  Renewals, unicast
# between two local addresses, go over lo and fail either way; the client
# then binds again, dnsmasq answering out s1 as it chose (IP_PKTINFO).
# With every reply handled (dhcp_remark_all=1) the re-route loses that
# choice and sends replies out lan2 (fwmark 0x800 -> table 20): the client
# gets fewer leases than without tunfix.
#
#   L: one namespace
#   s1 10.8.0.1/24 (dnsmasq) ----veth---- s1c (udhcpc: 10.8.0.10)
#   lan2 10.9.0.1/24 (dummy): table 20 "default dev lan2", fwmark 0x800 -> 20
#   tunfix: dhcp_remark=1 dhcp_xfrm_bypass=1
#
# timeout: 300

source "$TUNFIX_ROOT/tests/dhcp-lib.sh"

require_cmd ip busybox dnsmasq
trap 'dhcp_cleanup; tunfix_unload; cleanup_all_ns' EXIT

# phase NAME - from no address on s1c: a fresh udhcpc and its first lease,
# two forced renewals, then up to 30 s for the client to bind again.  Sets
# BOUND (bound events) and LEASES (bound and renew events).
phase()
{
	local i

	SRV_NAME=$1
	ip -n "$L" addr flush dev s1c
	if client_start "$L" s1c; then
		for i in 1 2; do
			kill -USR1 "$CLI_PID"
			nap 4
		done
		wait_matches "$DHCP_EVENTS" bound 2 30
	fi
	count_matches "$DHCP_EVENTS" bound
	BOUND=$MATCHES
	count_matches "$DHCP_EVENTS" renew
	LEASES=$((BOUND + MATCHES))
	client_stop
	echo "$1: bound $BOUND times, $LEASES leases in all"
}

dhcp_init
tunfix_load
setup_ns L
must ip -n "$L" -batch - <<EOF
link add s1 type veth peer name s1c
link set s1c address $CLI_MAC
addr add 10.8.0.1/24 dev s1
link set s1 up
link set s1c up
link add lan2 type dummy
addr add 10.9.0.1/24 dev lan2
link set lan2 up
route add default dev lan2 table 20
rule add fwmark 0x800 table 20
EOF
ip netns exec "$L" dnsmasq --keep-in-foreground --conf-file=/dev/null \
	--port=0 --user=root --no-ping --dhcp-authoritative \
	--dhcp-range=10.8.0.10,10.8.0.10,255.255.255.0,1h \
	--dhcp-leasefile="$DHCP_DIR/dnsmasq.leases" \
	--pid-file="$DHCP_DIR/dnsmasq.pid" --log-facility="$DHCP_DIR/dnsmasq.log" &
SRV_PID=$! SRV_LOG=$DHCP_DIR/dnsmasq.log
wait_matches "$SRV_LOG" "DHCP, IP range" 1 10
check_result $? "dnsmasq serves 10.8.0.0/24 on s1"

phase without
without_bound=$BOUND without_leases=$LEASES
[ "$without_bound" -ge 2 ]
check_result $? "without tunfix the client binds again after the failed renewals ($without_bound)"

must ip netns exec "$L" sysctl -q -w net.tunfix.dhcp_remark=1 net.tunfix.dhcp_xfrm_bypass=1
tunfix_counters_reset
phase with
[ "$BOUND" -ge 2 ] && [ "$LEASES" -ge $((without_leases - 1)) ] &&
	[ "$LEASES" -le $((without_leases + 1)) ]
check_result $? "with dhcp_remark=1 the same: bound $BOUND times, $LEASES leases (without: $without_bound, $without_leases)"

tunfix_counters
echo "counters: seen $TF_dhcp_seen not-ipsec $TF_dhcp_skip_not_ipsec remarked $TF_dhcp_remarked rerouted $TF_dhcp_rerouted"
[ "$TF_dhcp_seen" -ge 2 ] && [ "$TF_dhcp_skip_not_ipsec" -eq "$TF_dhcp_seen" ] &&
	[ "$TF_dhcp_remarked" -eq 0 ] && [ "$TF_dhcp_rerouted" -eq 0 ]
check_result $? "counters: every reply left alone as not headed into IPsec"

must ip netns exec "$L" sysctl -q -w net.tunfix.dhcp_remark_all=1
phase all
[ "$LEASES" -lt "$without_leases" ]
check_result $? "with dhcp_remark_all=1 replies are re-routed out lan2: fewer leases ($LEASES) than without tunfix ($without_leases)"

exit_with_result
