#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 38-ike-dhcp-policy-based with Libreswan on the server: DHCP renewals
# under policy-based IPsec (IKEv2, PSK, a tunnel-mode IPsec SA between the
# server and the client, no xfrm interface on the server) that the
# server's pluto negotiates, configured with exactly
# Documentation/recipes/libreswan/ipsec-dhcp-policy.conf and
# ipsec.secrets, with a real server (dnsmasq in its default mode) and a
# real client (busybox udhcpc on the raw interface, renewing on SIGUSR1).
# pluto's policy covers the client:
#   - without tunfix a renewal fails (the DHCPACK leaves as ESP);
#   - with tunfix (recipes/dhcp-policy-based.sh tunfix_xfrm_bypass_setup)
#     3 of 3 renewals succeed, the DHCPACKs in clear, the ping as ESP only.
# The client's end is strongSwan's charon with 38's
# recipes/strongswan/swanctl-dhcp-policy.conf: it can decrypt into an
# xfrm interface (if_id_in) and still send through the policy, as a
# client whose DHCP software never sees what IPsec decrypts; Libreswan's
# ipsec-interface= takes both directions (the client's renewals would then
# leave in clear, and the server's inbound policy drop them).
#
#   S: DHCP server, pluto (responder)              C: udhcpc -i eth0, charon
#   eth0 192.0.2.1/24 ------------------------------ eth0 192.0.2.10 (lease)
#   IPsec SA 192.0.2.1/32 <-> 192.0.2.10/32          ipsec0 xfrm if_id 42
#     tunnel mode, policies in/out/fwd                 (if_id_in 42: decrypts
#                                                      there; udhcpc, bound to
#                                                      eth0, never sees it)
#
# timeout: 300

source "$TUNFIX_ROOT/tests/dhcp-lib.sh"
source "$TUNFIX_ROOT/tests/ike-lib.sh"

require_cmd ip tcpdump python3 busybox dnsmasq pgrep swanctl "$CHARON"
pluto_require
trap 'dhcp_cleanup; ike_stop_all; tunfix_unload; cleanup_all_ns' EXIT

LSW_POLICY="$LSW_RECIPES/ipsec-dhcp-policy.conf"

# scenario dnsmasq
scenario()
{
	local srv=$1

	dhcp_topology && server_start "$srv" && client_start
	check_result $? "$srv: the client gets its lease on the plain LAN"
	client_xfrmi
	pluto_start "$S" "$LSW_POLICY"
	pluto_add "$S" dhcp-policy
	# Libreswan's proposals (dh19 is ecp256)
	ike_start "$C" "$SWAN_RECIPES/swanctl-dhcp-policy.conf" "connections {
	dhcp-policy {
		remote_addrs = $SRV_IP
		proposals = aes128-sha256-ecp256
		children {
			dhcp-policy {
				if_id_in = $IF_ID
			}
		}
	}
}"
	ike_load "$C"
	ike_initiate "$C" dhcp-policy && pluto_sa_up "$S" dhcp-policy
	check_result $? "$srv: pluto on S and charon on C: IPsec SA dhcp-policy established"
	echo "S's outgoing policies:"
	ip -n "$S" xfrm policy list dir out | grep -E '^src|priority'
	ip -n "$S" xfrm policy list dir out dst "$CLI_IP/32" | grep -q 'proto esp.*mode tunnel'
	check_result $? "$srv: pluto's outgoing policy to $CLI_IP is ESP, tunnel mode"
	policy_based_renewals "$srv"

	capture_verdicts "$srv" without tunfix
	pluto_sa_up "$S" dhcp-policy
	check_result $? "$srv: the IPsec SA is still up after the renewals"
	ike_check_stopped
}

dhcp_main dnsmasq
