#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# df_udp_ports: a UDP tunnel (OpenVPN, fastd, tinc, NAT-T on another port:
# here plain datagrams to port 1194) sends with DF, as Linux does by
# default, across a hop with MTU 1400 whose router filters ICMP
# "fragmentation needed" (a PMTU black hole).  The datagrams die there
# unless tunfix on S clears DF, which it does only with the port listed.
#
#   S u0 ============= u0 M u1 ====(MTU 1400)==== u0 D
#   198.51.100.1/30  .2/30  203.0.113.1/30   203.0.113.2/30
#   UDP 198.51.100.1:40000 -> 203.0.113.2:1194, 1450 bytes, DF
#
# timeout: 240

source "$TUNFIX_ROOT/tests/lib.sh"
source "$TUNFIX_ROOT/tests/df-lib.sh"

require_cmd ip nft tcpdump python3
trap 'capture_stop; tunfix_unload; cleanup_all_ns' EXIT

setup_ns S M D
blackhole_path "$S" "$M" "$D"

# udp_through - send 5 datagrams of 1450 bytes from S:40000 to D:1194;
# 0 if D received all 5
udp_through()
{
	local got

	got=$(ip netns exec "$D" python3 -c '
import socket, sys
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r.bind(("203.0.113.2", 1194))
r.settimeout(3)
print("ready", flush=True)
n = 0
try:
    while n < 5:
        if len(r.recv(2000)) == 1450:
            n += 1
except socket.timeout:
    pass
print(n)
' | {
		read -r ready
		ip netns exec "$S" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.51.100.1", 40000))
for _ in range(5):
    s.sendto(b"u" * 1450, ("203.0.113.2", 1194))
'
		cat
	})
	[ "$got" = 5 ]
}

! udp_through
check_result $? "without tunfix: the DF datagrams die at M"
blackhole_dropped "$M"
check_result $? "M really dropped the ICMP frag-needed"

tunfix_load
must ip netns exec "$S" sysctl -q -w net.tunfix.df_egress=1 net.tunfix.df_udp_ports=4500
! udp_through
check_result $? "df_egress=1, df_udp_ports=4500: port 1194 is not listed, still lost"
[ "$(counter "$S" skip_udp_port)" -ge 5 ] && [ "$(counter "$S" df_seen)" = 0 ]
check_result $? "counters: skip_udp_port $(counter "$S" skip_udp_port), df_seen $(counter "$S" df_seen)"

must ip netns exec "$S" sysctl -q -w net.tunfix.df_udp_ports=4500,1194
[ "$(ip netns exec "$S" cat /proc/sys/net/tunfix/df_udp_ports)" = 1194,4500 ]
check_result $? "df_udp_ports=4500,1194 reads back sorted"
capture_start "$M" u1 "$TUNFIX_RESULTS/M-u1.pcap" -s 96 ip
udp_through
check_result $? "with port 1194 listed: all datagrams arrive"
capture_stop
python3 "$TUNFIX_ROOT/tests/pcap-check.py" --proto 17 --src 198.51.100.1 \
	--expect-fragments --min-packets 10 "$TUNFIX_RESULTS/M-u1.pcap"
check_result $? "capture behind M: UDP fragments, DF clear, unique IDs, valid checksums"
[ "$(counter "$S" df_cleared_egress)" -ge 5 ]
check_result $? "counter: df_cleared_egress $(counter "$S" df_cleared_egress)"

exit_with_result
