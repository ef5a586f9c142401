#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DHCP renewals under policy-based IPsec that strongSwan's charon
# negotiates (IKEv2, PSK, a tunnel-mode CHILD_SA between the server and
# the client, no xfrm interface on the server), configured with exactly
# Documentation/recipes/strongswan/swanctl-dhcp-policy.conf, with a real
# server (dnsmasq in its default mode, then ISC dhcpd) and a real client
# (busybox udhcpc on the raw interface, renewing on SIGUSR1).  charon's
# policy covers the client:
#   - without tunfix a renewal fails (the DHCPACK leaves as ESP);
#   - with tunfix (recipes/dhcp-policy-based.sh tunfix_xfrm_bypass_setup)
#     3 of 3 renewals succeed, the DHCPACKs in clear, the ping as ESP only;
#   - with strongSwan's bypass-lan plugin on both ends
#     (strongswan-bypass-lan.conf) and no tunfix, 3 of 3 renewals succeed
#     too, and the ping leaves in clear as well: the LAN is out of IPsec;
#     tunfixctl doctor, with dhcp_remark on, says tunfix is not needed.
#
#   S: DHCP server, charon (responder)             C: udhcpc -i eth0, charon
#   eth0 192.0.2.1/24 ------------------------------ eth0 192.0.2.10 (lease)
#   CHILD_SA 192.0.2.1/32 <-> 192.0.2.10/32          ipsec0 xfrm if_id 42
#     tunnel mode, policies in/out/fwd                 (if_id_in 42: decrypts
#   [bypass-lan: pass 192.0.2.0/24 <-> 192.0.2.0/24]   there; udhcpc, bound to
#                                                      eth0, never sees it)
#
# timeout: 300

source "$TUNFIX_ROOT/tests/dhcp-lib.sh"
source "$TUNFIX_ROOT/tests/ike-lib.sh"

require_cmd ip tcpdump python3 busybox dnsmasq dhcpd pgrep swanctl "$CHARON"
trap 'dhcp_cleanup; ike_stop_all; tunfix_unload; cleanup_all_ns' EXIT

SWANCTL_POLICY="$SWAN_RECIPES/swanctl-dhcp-policy.conf"
BYPASS_LAN="$SWAN_RECIPES/strongswan-bypass-lan.conf"

# ike_up TEXT - charon on S and C (C initiates, decrypts into ipsec0)
ike_up()
{
	ike_start "$S" "$SWANCTL_POLICY"
	ike_start "$C" "$SWANCTL_POLICY" "connections {
	dhcp-policy {
		remote_addrs = $SRV_IP
		children {
			dhcp-policy {
				if_id_in = $IF_ID
			}
		}
	}
}"
	ike_load "$S"
	ike_load "$C"
	ike_initiate "$C" dhcp-policy && ike_child_up "$S" dhcp-policy
	check_result $? "$srv: charon: CHILD_SA dhcp-policy installed on S and C ($1)"
	echo "S's outgoing policies:"
	ip -n "$S" xfrm policy list dir out | grep -E '^src|priority'
}

# lan_passthrough - 0 if bypass-lan's passthrough for the LAN is on S
lan_passthrough()
{
	ip -n "$S" xfrm policy list dir out src "$LAN_NET" dst "$LAN_NET" | grep -q .
}

# scenario dnsmasq|dhcpd
scenario()
{
	local srv=$1 out ack esp icmp

	dhcp_topology && server_start "$srv" && client_start
	check_result $? "$srv: the client gets its lease on the plain LAN"
	client_xfrmi
	ike_up "no bypass-lan"
	policy_based_renewals "$srv"
	ike_stop_all

	IKE_STRONGSWAN_EXTRA=$BYPASS_LAN ike_up "bypass-lan"
	slowwait 10 lan_passthrough
	check_result $? "$srv: bypass-lan: passthrough $LAN_NET <-> $LAN_NET on S"
	fresh_client_phase bypasslan "bypass-lan, no tunfix"

	in_recipe "$S" "$RECIPE_POLICY" tunfix_xfrm_bypass_setup eth0 >/dev/null
	out=$("$TUNFIXCTL" -n "$S" doctor 2>&1)
	echo "$out"
	[[ $out == *"dhcp_remark is not needed: passthrough policy $LAN_NET -> $LAN_NET"* &&
		$out != *"no ip rule matches"* ]]
	check_result $? "$srv: bypass-lan: tunfixctl doctor says tunfix is not needed (and asks for no ip rule)"
	in_recipe "$S" "$RECIPE_POLICY" tunfix_xfrm_bypass_teardown >/dev/null

	capture_verdicts "$srv" without tunfix
	capture_summary "${srv}_bypasslan"
	ack=CAP_${srv}_bypasslan_ack_clear esp=CAP_${srv}_bypasslan_esp
	icmp=CAP_${srv}_bypasslan_icmp_clear
	[ "${!ack:-0}" -ge 3 ] && [ "${!esp:-1}" -eq 0 ] && [ "${!icmp:-0}" -ge 2 ]
	check_result $? "$srv: capture bypasslan: DHCPACKs in clear, and the ping in clear too (no ESP)"
	ike_check_stopped
}

dhcp_main dnsmasq dhcpd
