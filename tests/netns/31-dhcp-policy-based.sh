#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DHCP renewals under a policy-based IPsec set-up (no ipsec0),
# with a real server (dnsmasq in its default mode, then ISC dhcpd) and a
# real client (busybox udhcpc on the raw interface, renewing on SIGUSR1).
# An ESP policy whose selectors cover the client, installed with a large
# priority number as IKE daemons do, captures the server's DHCPACK:
#   - without tunfix the renewal fails;
#   - tunfix marking alone does not help (the IPsec policy is looked up
#     again after the re-route and still matches);
#   - with a mark-keyed bypass policy (recipe dhcp_bypass_mark_setup)
#     renewals succeed;
#   - with dhcp_xfrm_bypass=1 and no bypass policy at all (recipe
#     tunfix_xfrm_bypass_setup) renewals succeed;
#   - the native alternative, a template-less policy on the DHCP ports
#     (recipe plain_bypass_setup), works too, without tunfix;
#   - in every case a ping to the client still leaves as ESP only.
#
#   S: DHCP server                               C: udhcpc -i eth0
#   eth0 192.0.2.1/24 ------------------------------ eth0 192.0.2.10 (lease)
#   policy out 192.0.2.1 -> 192.0.2.10 priority 2000  ipsec0 xfrm if_id 42
#     tmpl ESP tunnel 192.0.2.1 -> 192.0.2.10          (decrypts; udhcpc,
#                                                      bound to eth0, never
#                                                      sees what comes here)
#
# timeout: 300

source "$TUNFIX_ROOT/tests/dhcp-lib.sh"

require_cmd ip tcpdump python3 busybox dnsmasq dhcpd
trap 'dhcp_cleanup; tunfix_unload; cleanup_all_ns' EXIT

# fresh_lease - restart udhcpc and let it get a lease while the covering
# policy is out of the way (dnsmasq's first replies go through the routing
# table too, and the policy would catch them)
fresh_lease()
{
	ip -n "$S" xfrm policy del src "$SRV_IP/32" dst "$CLI_IP/32" dir out &&
		client_start &&
		ip -n "$S" xfrm policy add src "$SRV_IP/32" dst "$CLI_IP/32" \
			dir out priority 2000 \
			tmpl src "$SRV_IP" dst "$CLI_IP" proto esp mode tunnel
}

# renew_ok_phase NAME TEXT - capture NAME: 3 renewals in a row, then a ping
renew_ok_phase()
{
	dhcp_capture_start "${srv}_$1"
	renew_n 3
	check_result $? "$srv: $2: 3 renewals in a row succeed ($RENEWED)"
	ping_esp
	check_result $? "$srv: $2: the ping to the client still passes"
	capture_stop
}

# scenario dnsmasq|dhcpd
scenario()
{
	local srv=$1 n

	dhcp_topology && server_start "$srv" && client_start
	check_result $? "$srv: the client gets its lease on the plain LAN"

	in_recipe "$S" "$RECIPE_POLICY" ipsec_policy_setup "$SRV_IP" "$CLI_IP" \
		"$SPI" "$ESP_KEY" && client_ipsec_setup && ping_esp
	check_result $? "$srv: ESP policy (priority 2000) covers the client, ping passes"

	dhcp_capture_start "${srv}_without"
	renew_fails
	check_result $? "$srv: without tunfix the renewal fails (the DHCPACK leaves as ESP)"
	capture_stop

	fresh_lease
	check_result $? "$srv: new lease for the next phase"
	must ip netns exec "$S" sysctl -q -w net.tunfix.dhcp_remark=1
	dhcp_capture_start "${srv}_markonly"
	renew_fails
	check_result $? "$srv: tunfix marking alone: the renewal still fails"
	capture_stop
	tunfix_counters
	[ "$TF_dhcp_remarked" -ge 1 ] && [ "$TF_dhcp_rerouted" -ge 1 ]
	check_result $? "$srv: ... although the reply was re-marked ($TF_dhcp_remarked) and re-routed ($TF_dhcp_rerouted)"
	must ip netns exec "$S" sysctl -q -w net.tunfix.dhcp_remark=0

	in_recipe "$S" "$RECIPE_POLICY" dhcp_bypass_mark_setup "$SRV_IP" "$LAN_NET"
	check_result $? "$srv: recipe: dhcp_remark=1 and a mark-keyed bypass policy"
	client_start
	check_result $? "$srv: mark-keyed bypass: a fresh client gets its lease"
	renew_ok_phase markpolicy "mark-keyed bypass"
	in_recipe "$S" "$RECIPE_POLICY" dhcp_bypass_mark_teardown "$SRV_IP" \
		"$LAN_NET" >/dev/null
	check_result $? "$srv: dhcp_bypass_mark_teardown"

	tunfix_counters
	n=$TF_dhcp_bypassed
	in_recipe "$S" "$RECIPE_POLICY" tunfix_xfrm_bypass_setup eth0
	check_result $? "$srv: recipe: dhcp_xfrm_bypass=1 dhcp_dev=eth0, no bypass policy"
	renew_ok_phase tunfixbypass "dhcp_xfrm_bypass"
	tunfix_counters
	[ $((TF_dhcp_bypassed - n)) -ge 3 ] && [ "$TF_dhcp_errors" -eq 0 ]
	check_result $? "$srv: dhcp_xfrm_bypass: $((TF_dhcp_bypassed - n)) replies bypassed, no errors"
	echo "$srv: counters: seen $TF_dhcp_seen remarked $TF_dhcp_remarked" \
		"rerouted $TF_dhcp_rerouted bypassed $TF_dhcp_bypassed" \
		"malformed $TF_dhcp_skip_malformed errors $TF_dhcp_errors"
	in_recipe "$S" "$RECIPE_POLICY" tunfix_xfrm_bypass_teardown >/dev/null
	check_result $? "$srv: tunfix_xfrm_bypass_teardown"

	in_recipe "$S" "$RECIPE_POLICY" plain_bypass_setup "$SRV_IP" "$LAN_NET"
	check_result $? "$srv: recipe: a template-less policy on the DHCP ports, no tunfix"
	renew_ok_phase plainpolicy "template-less port bypass, no tunfix"
	in_recipe "$S" "$RECIPE_POLICY" plain_bypass_teardown "$SRV_IP" "$LAN_NET"
	check_result $? "$srv: plain_bypass_teardown"

	capture_verdicts "$srv" "without markonly" "markpolicy tunfixbypass plainpolicy"
}

dhcp_main dnsmasq dhcpd
