#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DHCP renewals over a route-based IPsec tunnel (xfrm interface ipsec0),
# with a real server (dnsmasq in its default mode, then ISC dhcpd) and a
# real client (busybox udhcpc on the raw interface, renewing on SIGUSR1).  The
# server's route to the client goes through an xfrm interface: without
# tunfix the server's DHCPACK to a renewal leaves as ESP and the renewal
# fails; with Documentation/recipes/dhcp-route-based.sh several renewals
# in a row succeed, the capture on the raw link shows the DHCPACKs in clear
# and a ping to the client still as ESP only.
#
#   S: DHCP server                               C: udhcpc -i eth0
#   eth0 192.0.2.1/24 ------------------------------ eth0 192.0.2.10 (lease)
#   ipsec0 xfrm if_id 42                             ipsec0 xfrm if_id 42
#     route 192.0.2.10/32 dev ipsec0                   (decrypts; udhcpc,
#     ESP tunnel 192.0.2.1 -> 192.0.2.10               bound to eth0, never
#     (output-mark 0x1 -> table 30 -> eth0)            sees what comes here)
#   tunfix: DHCP replies routed via ipsec0 get mark 0x800 -> table 20 -> eth0
#
# timeout: 300

source "$TUNFIX_ROOT/tests/dhcp-lib.sh"

require_cmd ip tcpdump python3 busybox dnsmasq dhcpd
trap 'dhcp_cleanup; tunfix_unload; cleanup_all_ns' EXIT

# scenario dnsmasq|dhcpd
scenario()
{
	local srv=$1

	dhcp_topology && server_start "$srv" && client_start
	check_result $? "$srv: the client gets its lease on the plain LAN"

	in_recipe "$S" "$RECIPE_ROUTE" ipsec_xfrmi_setup eth0 "$LAN_NET" "$SRV_IP" \
		"$CLI_IP" "$IF_ID" "$SPI" "$ESP_KEY" >/dev/null &&
		client_ipsec_setup && ping_esp
	check_result $? "$srv: ipsec0 up, the route to the client goes through it, ping passes"

	route_based_renewals "$srv"
}

dhcp_main dnsmasq dhcpd
