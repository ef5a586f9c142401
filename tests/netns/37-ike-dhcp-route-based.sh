#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DHCP renewals over route-based IPsec that strongSwan's charon negotiates
# (IKEv2, PSK; an xfrm interface ipsec0 with interface ID 42 at both ends),
# configured with exactly Documentation/recipes/strongswan/
# swanctl-dhcp-route.conf and the functions of
# Documentation/recipes/dhcp-route-based.sh.  A real server (dnsmasq in its
# default mode) and a real client (busybox udhcpc on the raw interface,
# renewing on SIGUSR1).  Once the server's route to the client goes
# through ipsec0, a renewal fails without tunfix (the DHCPACK leaves as
# ESP, and arrives on the client's ipsec0); with tunfix 3 of 3 renewals
# succeed, the capture on the raw link shows the DHCPACKs in clear and a
# ping to the client still as ESP only.
#
#   S: DHCP server, charon (responder)             C: udhcpc -i eth0, charon
#   eth0 192.0.2.1/24 ------------------------------ eth0 192.0.2.10 (lease)
#   ipsec0 xfrm if_id 42                             ipsec0 xfrm if_id 42
#     route 192.0.2.10/32 dev ipsec0                   (decrypts; udhcpc,
#     CHILD_SA 0/0 <-> 0/0, tunnel, if_id 42           bound to eth0, never
#     set_mark_out 0x1 -> table 30 -> eth0             sees what comes here)
#   tunfix: DHCP replies routed via ipsec0 get mark 0x800 -> table 20 -> eth0
#
# timeout: 300

source "$TUNFIX_ROOT/tests/dhcp-lib.sh"
source "$TUNFIX_ROOT/tests/ike-lib.sh"

require_cmd ip tcpdump python3 busybox dnsmasq pgrep swanctl "$CHARON"
trap 'dhcp_cleanup; ike_stop_all; tunfix_unload; cleanup_all_ns' EXIT

SWANCTL_ROUTE="$SWAN_RECIPES/swanctl-dhcp-route.conf"

# scenario dnsmasq
scenario()
{
	local srv=$1

	dhcp_topology && server_start "$srv" && client_start
	check_result $? "$srv: the client gets its lease on the plain LAN"

	client_xfrmi
	in_recipe "$S" "$RECIPE_ROUTE" xfrmi_link_setup eth0 "$IF_ID" >/dev/null
	ike_start "$S" "$SWANCTL_ROUTE"
	ike_start "$C" "$SWANCTL_ROUTE" \
		"connections { dhcp-route { remote_addrs = $SRV_IP } }"
	ike_load "$S"
	ike_load "$C"
	ike_initiate "$C" dhcp-route && ike_child_up "$S" dhcp-route
	check_result $? "$srv: charon: CHILD_SA dhcp-route installed on S and C"

	in_recipe "$S" "$RECIPE_ROUTE" xfrmi_route_setup eth0 "$LAN_NET" "$CLI_IP" \
		>/dev/null && ping_esp
	check_result $? "$srv: the route to the client goes through ipsec0, ping passes"

	route_based_renewals "$srv"
	ike_check_stopped
}

dhcp_main dnsmasq
