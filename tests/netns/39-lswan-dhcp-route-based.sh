#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DHCP renewals over route-based IPsec that Libreswan's pluto negotiates
# (IKEv2, PSK; ipsec-interface=1: pluto makes the xfrm interface ipsec1,
# interface ID 1, at both ends), configured with exactly
# Documentation/recipes/libreswan/ipsec-dhcp-route.conf and ipsec.secrets
# and the functions of Documentation/recipes/dhcp-route-based.sh.  The
# same checks as 37-ike-dhcp-route-based (strongSwan): a real server
# (dnsmasq in its default mode) and a real client (busybox udhcpc on the
# raw interface, renewing on SIGUSR1).  Once the server's route to the
# client goes through ipsec1, a renewal fails without tunfix (the DHCPACK
# leaves as ESP, and arrives on the client's ipsec1); with tunfix 3 of 3
# renewals succeed, the capture on the raw link shows the DHCPACKs in
# clear and a ping to the client still as ESP only.
#
#   S: DHCP server, pluto (responder)              C: udhcpc -i eth0, pluto
#   eth0 192.0.2.1/24 ------------------------------ eth0 192.0.2.10 (lease)
#   ipsec1 xfrm if_id 1 (pluto's)                    ipsec1 xfrm if_id 1
#     route 192.0.2.10/32 dev ipsec1                   (pluto's; decrypts,
#     IPsec SA 0/0 <-> 0/0, tunnel, if_id 1            udhcpc, bound to
#     output mark 0x1 (pluto: = if_id) -> table 30     eth0, never sees
#       -> eth0                                        what comes here)
#   tunfix: DHCP replies routed via ipsec1 get mark 0x800 -> table 20 -> eth0
#
# timeout: 300

source "$TUNFIX_ROOT/tests/dhcp-lib.sh"
source "$TUNFIX_ROOT/tests/ike-lib.sh"

require_cmd ip tcpdump python3 busybox dnsmasq pgrep
pluto_require
trap 'dhcp_cleanup; ike_stop_all; tunfix_unload; cleanup_all_ns' EXIT

LSW_ROUTE="$LSW_RECIPES/ipsec-dhcp-route.conf"
XFRM_DEV=ipsec1

# scenario dnsmasq
scenario()
{
	local srv=$1

	dhcp_topology && server_start "$srv" && client_start
	check_result $? "$srv: the client gets its lease on the plain LAN"

	pluto_start "$S" "$LSW_ROUTE"
	pluto_start "$C" "$LSW_ROUTE"
	pluto_add "$S" dhcp-route
	pluto_add "$C" dhcp-route
	pluto_initiate "$C" dhcp-route && pluto_sa_up "$S" dhcp-route
	check_result $? "$srv: pluto: IPsec SA dhcp-route established on S and C"
	ip -n "$S" -d link show "$XFRM_DEV" | grep -q 'xfrm if_id 0x1' &&
		ip -n "$S" xfrm state list dst "$CLI_IP" | grep -q 'output-mark 0x1/'
	check_result $? "$srv: pluto made $XFRM_DEV (if_id 1) on S, its SA to the client has output mark 0x1"

	in_recipe "$S" "$RECIPE_ROUTE" xfrmi_route_setup eth0 "$LAN_NET" "$CLI_IP" \
		"$XFRM_DEV" >/dev/null && ping_esp
	check_result $? "$srv: the route to the client goes through $XFRM_DEV, ping passes"

	route_based_renewals "$srv"

	pluto_sa_up "$S" dhcp-route
	check_result $? "$srv: the IPsec SA is still up after the renewals"
	ike_check_stopped
	! ip -n "$S" link show "$XFRM_DEV" >/dev/null 2>&1
	check_result $? "$srv: pluto removed its $XFRM_DEV when it stopped"
}

dhcp_main dnsmasq
