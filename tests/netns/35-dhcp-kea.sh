#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Which DHCP servers need tunfix: Kea (kea-dhcp4, the maintained ISC
# server) in its default raw-socket mode sends every reply on a packet
# socket, past routing, netfilter and IPsec.  Under an ESP policy that
# covers the client (as in 31-dhcp-policy-based, where ISC dhcpd and
# dnsmasq lose every renewal) Kea's renewals succeed without tunfix, and
# with tunfix on as well, which never sees a Kea reply.
#
#   S: kea-dhcp4 (raw sockets)                   C: udhcpc -i eth0
#   eth0 192.0.2.1/24 ------------------------------ eth0 192.0.2.10 (lease)
#   policy out 192.0.2.1 -> 192.0.2.10 priority 2000  ipsec0 xfrm if_id 42
#     tmpl ESP tunnel 192.0.2.1 -> 192.0.2.10          (decrypts)
#
# timeout: 300

source "$TUNFIX_ROOT/tests/dhcp-lib.sh"

require_cmd ip tcpdump python3 busybox kea-dhcp4
trap 'dhcp_cleanup; tunfix_unload; cleanup_all_ns' EXIT

dhcp_init
tunfix_load
dhcp_topology && server_start kea && client_start
check_result $? "kea: the client gets its lease on the plain LAN"

in_recipe "$S" "$RECIPE_POLICY" ipsec_policy_setup "$SRV_IP" "$CLI_IP" \
	"$SPI" "$ESP_KEY" && client_ipsec_setup && ping_esp
check_result $? "kea: ESP policy (priority 2000) covers the client, ping passes"

dhcp_capture_start kea_without
renew_n 3
check_result $? "kea: without tunfix 3 renewals in a row succeed ($RENEWED)"
ping_esp
check_result $? "kea: the ping to the client still passes"
capture_stop

in_recipe "$S" "$RECIPE_POLICY" tunfix_xfrm_bypass_setup eth0 >/dev/null
check_result $? "kea: recipe: dhcp_xfrm_bypass=1 dhcp_dev=eth0"
dhcp_capture_start kea_with
renew_n 3
check_result $? "kea: with tunfix (dhcp_xfrm_bypass) 3 renewals in a row succeed ($RENEWED)"
capture_stop

tunfix_counters
[ "$TF_dhcp_seen" -eq 0 ]
check_result $? "kea: tunfix never saw a reply (dhcp_seen $TF_dhcp_seen): they leave on a packet socket"

# the control: a UDP 67 -> 68 datagram sent through the stack (a raw UDP
# socket, as Kea's port 67 is taken) is seen
ip netns exec "$S" python3 -c '
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
s.sendto(struct.pack("!HHHH", 67, 68, 8, 0), (sys.argv[1], 0))' "$CLI_IP"
tunfix_counters
[ "$TF_dhcp_seen" -eq 1 ]
check_result $? "kea: a UDP 67 -> 68 datagram sent through the stack is seen (dhcp_seen $TF_dhcp_seen)"

capture_summary kea_without kea_with
[ "${CAP_kea_without_ack_clear:-0}" -ge 3 ] && [ "${CAP_kea_without_esp:-0}" -ge 2 ] &&
	[ "${CAP_kea_with_ack_clear:-0}" -ge 3 ]
check_result $? "kea: captures: DHCPACKs in clear with and without tunfix, the ping as ESP"

exit_with_result
