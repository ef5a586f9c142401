#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One DHCP server (dnsmasq, default mode) on two LANs, only one of them
# behind IPsec.  tunfix (dhcp_remark=1, no dhcp_dev) must re-route only the
# replies about to enter IPsec.  Both clients ask for broadcast replies
# (udhcpc -B) and then renew twice (unicast replies).  NFLOG captures the
# replies before tunfix's hook (output, priority raw) and after routing
# (postrouting):
#   - plain LAN: every reply leaves byte for byte as sent, on eth0, with
#     its mark unchanged, although the fwmark table routes everything out
#     eth1 (a reply tunfix touched would show up there);
#   - IPsec LAN: the unicast replies routed into ipsec0 leave on eth1 in
#     clear with mark 0x800, and the renewals succeed; its broadcast
#     replies are left alone;
#   - dhcp_skip_not_ipsec counts the replies left alone.
#
#   C: udhcpc -B                S: dnsmasq                   D: udhcpc -B
#   eth0 192.0.2.10 ------- eth0 192.0.2.1
#                           eth1 198.51.100.1 ------------- eth0 198.51.100.10
#                           ipsec0 (xfrm if_id 42 on eth1)  ipsec0 (decrypts)
#                             route 198.51.100.10/32 dev ipsec0
#                           fwmark 0x800 -> table 20: default dev eth1
#
# timeout: 300

source "$TUNFIX_ROOT/tests/dhcp-lib.sh"

require_cmd ip tcpdump python3 busybox dnsmasq nft
trap 'dhcp_cleanup; for p in $P_PID $D_PID; do kill $p; done 2>/dev/null; tunfix_unload; cleanup_all_ns' EXIT

V_IP=198.51.100.1 D_IP=198.51.100.10 D_MAC=02:00:00:00:00:0d

# client_on NS NAME - udhcpc -B on NS's eth0, events in events-NAME; sets
# CLI_PID and DHCP_EVENTS for dhcp-lib.sh's renew
client_on()
{
	SRV_NAME=$2
	client_start "$1" eth0 -B
}

# nflog_start - log DHCP replies in S before tunfix and after routing
nflog_start()
{
	must ip netns exec "$S" nft -f - <<-EOF
	table ip tunfix_t34 {
		chain before {
			type filter hook output priority raw;
			udp sport 67 udp dport 68 log group 1
		}
		chain after {
			type filter hook postrouting priority 300;
			udp sport 67 udp dport 68 log group 2
		}
	}
	EOF
	capture_start "$S" nflog:1 "$TUNFIX_RESULTS/nflog-1.pcap" -s 0
	capture_start "$S" nflog:2 "$TUNFIX_RESULTS/nflog-2.pcap" -s 0
}

# nflog_stop - nfnetlink_log sends what it logged in batches, within a
# second: wait for them, then stop both captures
nflog_stop()
{
	nap 2
	capture_stop
}

dhcp_init
tunfix_load
setup_ns S C D
must ip link add eth0 netns "$S" type veth peer name eth0 netns "$C" address "$CLI_MAC"
must ip link add eth1 netns "$S" type veth peer name eth0 netns "$D" address "$D_MAC"
must ip -n "$S" -batch - <<EOF
addr add $SRV_IP/24 dev eth0
addr add $V_IP/24 dev eth1
link set eth0 up
link set eth1 up
rule add fwmark 0x800 table 20
route add default dev eth1 table 20
EOF
must ip -n "$C" link set eth0 up
must ip -n "$D" link set eth0 up
ip netns exec "$S" dnsmasq --keep-in-foreground --conf-file=/dev/null \
	--port=0 --user=root --no-ping --dhcp-authoritative \
	--dhcp-range="$CLI_IP,$CLI_IP,255.255.255.0,1h" \
	--dhcp-range="$D_IP,$D_IP,255.255.255.0,1h" \
	--dhcp-leasefile="$DHCP_DIR/dnsmasq.leases" \
	--pid-file="$DHCP_DIR/dnsmasq.pid" --log-facility="$DHCP_DIR/dnsmasq.log" &
SRV_PID=$! SRV_LOG=$DHCP_DIR/dnsmasq.log
wait_matches "$SRV_LOG" "DHCP, IP range" 2 10
check_result $? "dnsmasq serves both LANs"

# the IPsec LAN: S routes D's address into ipsec0, D decrypts on its own
in_recipe "$S" "$RECIPE_ROUTE" ipsec_xfrmi_setup eth1 198.51.100.0/24 "$V_IP" \
	"$D_IP" "$IF_ID" "$SPI" "$ESP_KEY" >/dev/null &&
	ip -n "$D" -batch - <<EOF
link add ipsec0 type xfrm dev eth0 if_id $IF_ID
link set ipsec0 up
xfrm state add src $V_IP dst $D_IP proto esp spi $SPI mode tunnel if_id $IF_ID aead rfc4106(gcm(aes)) $ESP_KEY 128
xfrm policy add src 0.0.0.0/0 dst 0.0.0.0/0 dir in if_id $IF_ID tmpl src $V_IP dst $D_IP proto esp mode tunnel
EOF
check_result $? "IPsec LAN: ipsec0 on eth1 carries S's traffic to $D_IP"

must ip netns exec "$S" sysctl -q -w net.tunfix.dhcp_remark=1
nflog_start

client_on "$C" plain
check_result $? "plain LAN: the client binds (broadcast replies)"
P_PID=$CLI_PID P_EV=$DHCP_EVENTS
client_on "$D" ipsec
check_result $? "IPsec LAN: the client binds (broadcast replies)"
D_PID=$CLI_PID D_EV=$DHCP_EVENTS

CLI_PID=$P_PID DHCP_EVENTS=$P_EV
renew_n 2
check_result $? "plain LAN: 2 renewals succeed ($RENEWED)"
CLI_PID=$D_PID DHCP_EVENTS=$D_EV
renew_n 2
check_result $? "IPsec LAN: 2 renewals succeed ($RENEWED)"
nflog_stop

eth0=$(ip netns exec "$S" cat /sys/class/net/eth0/ifindex)
eth1=$(ip netns exec "$S" cat /sys/class/net/eth1/ifindex)
ipsec0=$(ip netns exec "$S" cat /sys/class/net/ipsec0/ifindex)
python3 -S "$DHCP_PY" hooks "$TUNFIX_RESULTS/nflog-1.pcap" "$TUNFIX_RESULTS/nflog-2.pcap" \
	>"$TUNFIX_RESULTS/replies.txt"
sed 's/^/reply: /' "$TUNFIX_RESULTS/replies.txt"

plain=$(grep -c "dev=$eth0," "$TUNFIX_RESULTS/replies.txt")
plain_ok=$(grep -c "dev=$eth0,$eth0 mark=0x0,0x0 bytes=same" "$TUNFIX_RESULTS/replies.txt")
plain_bcast=$(grep -c "dst=255.255.255.255 dev=$eth0,$eth0 mark=0x0,0x0 bytes=same" "$TUNFIX_RESULTS/replies.txt")
[ "$plain" -ge 4 ] && [ "$plain_ok" -eq "$plain" ] && [ "$plain_bcast" -ge 2 ] &&
	! grep -q "dst=$CLI_IP dev=[0-9]*,$eth1" "$TUNFIX_RESULTS/replies.txt"
check_result $? "plain LAN: all $plain replies ($plain_bcast broadcast) left byte for byte on eth0, mark unchanged ($plain_ok)"

rerouted=$(grep -c "dst=$D_IP dev=$ipsec0,$eth1 mark=0x0,0x800 bytes=same" "$TUNFIX_RESULTS/replies.txt")
v_bcast=$(grep -c "dst=255.255.255.255 dev=$eth1,$eth1 mark=0x0,0x0 bytes=same" "$TUNFIX_RESULTS/replies.txt")
[ "$rerouted" -ge 2 ] && [ "$v_bcast" -ge 2 ] &&
	! grep -q "dev=$ipsec0,$ipsec0" "$TUNFIX_RESULTS/replies.txt"
check_result $? "IPsec LAN: $rerouted unicast replies re-routed from ipsec0 to eth1 with mark 0x800; $v_bcast broadcast replies left alone"

tunfix_counters
echo "counters: seen $TF_dhcp_seen not-ipsec $TF_dhcp_skip_not_ipsec remarked $TF_dhcp_remarked rerouted $TF_dhcp_rerouted"
[ "$TF_dhcp_skip_not_ipsec" -eq $((plain + v_bcast)) ] &&
	[ "$TF_dhcp_remarked" -eq "$rerouted" ] &&
	[ "$TF_dhcp_seen" -eq $((plain + v_bcast + rerouted)) ]
check_result $? "counters: dhcp_skip_not_ipsec $TF_dhcp_skip_not_ipsec = the replies left alone, dhcp_remarked $TF_dhcp_remarked = those re-routed"

exit_with_result
