#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every bad sysctl write fails with EINVAL and changes nothing; good values
# round-trip (numbers as every sysctl takes them: blanks around, 0x hex, 0
# octal; a write of nothing changes nothing); writes at an offset fail; a netns owned by another user
# namespace can read but not write; hooks are registered only while on.
#
#   N1        N2 (in a new user namespace)
#
# timeout: 300

source "$TUNFIX_ROOT/tests/lib.sh"

trap 'tunfix_unload; cleanup_all_ns' EXIT

tunfix_load
setup_ns N1
K=/proc/sys/net/tunfix

# try_write KNOB VALUE: prints the errno name of a failed write, or OK
try_write()
{
	ip netns exec "$N1" python3 -c '
import errno, os, sys
try:
    fd = os.open(sys.argv[1], os.O_WRONLY)
    os.write(fd, sys.argv[2].encode())
    print("OK")
except OSError as e:
    print(errno.errorcode[e.errno])' "$K/$1" "$2"
}

fails=0
n=0
while IFS= read -r kv; do
	k=${kv%%:*} v=${kv#*:}
	before=$(ip netns exec "$N1" cat "$K/$k")
	res=$(try_write "$k" "$v")
	after=$(ip netns exec "$N1" cat "$K/$k")
	n=$((n + 1))
	if [ "$res" != EINVAL ] || [ "$before" != "$after" ]; then
		echo "write '$v' to $k: $res, '$before' -> '$after'"
		fails=$((fails + 1))
	fi
done <<'BAD'
df_egress:2
df_egress:-1
df_egress:abc
df_egress:1x
df_egress:+1
df_protocols:51
df_protocols:0
df_protocols:256
df_protocols:47,51
df_protocols:gre
df_protocols:47;50
df_protocols:-47
df_protocols:1000000000000
df_min_len:65536
df_min_len:-1
df_min_len:99999999999999999999
df_dev:this-name-is-too-long
df_dev:a/b
df_dev:a:b
df_dev:..
df_dev:with space
dhcp_mark:0x1ffffffff
dhcp_mark:-1
dhcp_mark:0xg
dhcp_mask:4294967296
dhcp_xfrm_bypass:1.0
dhcp_remark:on
df_bridge_dev:..
df_udp_ports:0
df_udp_ports:65536
df_udp_ports:4500;1194
df_udp_ports:1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17
df_mark:0x100000000
BAD
[ "$n" -eq 33 ] || fails=$((fails + 1))
check_result $fails "$n bad writes fail with EINVAL and change nothing"

fails=0
n=0
while IFS='|' read -r kv want; do
	[ -z "$kv" ] && continue
	n=$((n + 1))
	k=${kv%%:*} v=${kv#*:}
	res=$(try_write "$k" "$v")
	got=$(ip netns exec "$N1" cat "$K/$k")
	if [ "$res" != OK ] || [ "$got" != "$want" ]; then
		echo "write '$v' to $k: $res, read back '$got', want '$want'"
		fails=$((fails + 1))
	fi
done <<'GOOD'
df_protocols:50,47|47,50
df_protocols:|
df_protocols: 4 , 41 ,47|4,41,47
dhcp_mark:2048|0x800
dhcp_mark:0xffffffff|0xffffffff
dhcp_mask:0|0x0
df_min_len:1280|1280
df_dev:eth0|eth0
df_dev:|
df_egress: 1|1
df_egress:|1
df_egress:0|0
df_min_len:0x10|16
df_min_len:010|8
df_udp_ports:4500,1194,4500|1194,4500
df_udp_ports:1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,16|1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16
df_udp_ports:|
df_mark:16|0x10
df_min_len:1280|1280
GOOD
[ "$n" -eq 19 ] || fails=$((fails + 1))
check_result $fails "$n good values are accepted and read back canonically"

# a write at an offset is refused
res=$(ip netns exec "$N1" python3 -c '
import errno, os
fd = os.open("/proc/sys/net/tunfix/df_min_len", os.O_WRONLY)
os.lseek(fd, 1, 0)
try:
    os.write(fd, b"7"); print("OK")
except OSError as e:
    print(errno.errorcode[e.errno])')
[ "$res" = EINVAL ] && [ "$(ip netns exec "$N1" cat $K/df_min_len)" = 1280 ]
check_result $? "a write at an offset fails with EINVAL"

# hooks are called only while their knob is on: count calls of each hook
# function with kprobes while traffic flows through every hook point
T=/sys/kernel/tracing
[ -d $T/events ] || mount -t tracefs tracefs $T
HOOKFN="tunfix_df_egress_hook tunfix_df_transit_hook tunfix_df_bridge_hook tunfix_dhcp_hook"
for f in $HOOKFN; do
	echo "p:tfx_$f $f" >>$T/kprobe_events
done
echo 1 >$T/events/kprobes/enable
setup_ns N2
must ip link add veth0 netns "$N1" type veth peer name veth0 netns "$N2"
must ip netns exec "$N1" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
	net.ipv6.conf.default.disable_ipv6=1
must ip -n "$N1" link add br0 type bridge
must ip -n "$N1" link set veth0 master br0
must ip -n "$N1" addr add 198.51.100.1/24 dev br0
must ip -n "$N2" addr add 198.51.100.2/24 dev veth0
must ip -n "$N1" link set veth0 up
must ip -n "$N1" link set br0 up
must ip -n "$N2" link set veth0 up
slowwait 10 ip netns exec "$N1" ping -c 1 -W 1 198.51.100.2 >/dev/null
hits()
{
	ip netns exec "$N1" ping -q -c 5 -i 0.1 198.51.100.2 >/dev/null
	awk '/tfx_/ { printf "%s=%s ", $1, $2 }' $T/kprobe_profile
}
ip netns exec "$N1" sysctl -q -w net.tunfix.df_egress=0
h_off=$(hits)
ip netns exec "$N1" sysctl -q -w net.tunfix.df_egress=1 net.tunfix.df_transit=1 \
	net.tunfix.df_bridge=1 net.tunfix.dhcp_remark=1
h_on=$(hits)
ip netns exec "$N1" sysctl -q -w net.tunfix.df_egress=0 net.tunfix.df_transit=0 \
	net.tunfix.df_bridge=0 net.tunfix.dhcp_remark=0
# a packet already past the hook list when the hook went may still call it
# (RCU): count from a moment later
sleep 0.5
h_on=$(awk '/tfx_/ { printf "%s=%s ", $1, $2 }' $T/kprobe_profile)
h_off2=$(hits)
echo 0 >$T/events/kprobes/enable
echo >$T/kprobe_events
echo "hook calls: off: $h_off / on: $h_on / off again: $h_off2"
ok=0
for f in $HOOKFN; do
	c_off=$(echo "$h_off" | grep -o "tfx_$f=[0-9]*" | cut -d= -f2)
	c_on=$(echo "$h_on" | grep -o "tfx_$f=[0-9]*" | cut -d= -f2)
	c_off2=$(echo "$h_off2" | grep -o "tfx_$f=[0-9]*" | cut -d= -f2)
	[ "$c_off" = 0 ] && [ "${c_on:-0}" -gt 0 ] && [ "$c_off2" = "$c_on" ] || ok=1
done
check_result $ok "each hook is called only while its knob is on (unregistered when off)"

# a netns of another user namespace may read, not write
res=$(unshare --user --map-root-user --net sh -c '
cat /proc/sys/net/tunfix/df_egress >/dev/null || { echo noread; exit; }
echo 1 > /proc/sys/net/tunfix/df_egress 2>/dev/null && echo written || echo refused')
[ "$res" = refused ]
check_result $? "a netns owned by a non-initial user namespace cannot write ($res)"

# counters: reset only with "0"
ip netns exec "$N1" sh -c 'echo 1 > /proc/net/tunfix' 2>/dev/null
r1=$?
ip netns exec "$N1" sh -c 'echo 0 > /proc/net/tunfix'
r2=$?
[ "$r1" != 0 ] && [ "$r2" = 0 ]
check_result $? "/proc/net/tunfix accepts only \"0\" (reset)"

exit_with_result
