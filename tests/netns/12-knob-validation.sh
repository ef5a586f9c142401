#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every bad sysctl write fails with EINVAL and changes nothing; good values
# round-trip; writes at an offset fail; a netns owned by another user
# namespace can read but not write; hooks are registered only while on.
#
#   N1        N2 (in a new user namespace)
#
# timeout: 120

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

bad="df_egress:2 df_egress:-1 df_egress:abc df_egress:1x df_egress:
df_protocols:51 df_protocols:0 df_protocols:256 df_protocols:47,51 df_protocols:gre
df_protocols:47;50 df_protocols:-47 df_protocols:1000000000000
df_min_len:65536 df_min_len:-1 df_min_len:99999999999999999999
df_dev:this-name-is-too-long df_dev:a/b df_dev:a:b df_dev:.. df_dev:with space
dhcp_mark:0x1ffffffff dhcp_mark:-1 dhcp_mark:0xg dhcp_mask:4294967296
dhcp_xfrm_bypass:1.0 dhcp_remark:on df_bridge_dev:.."
fails=0
n=0
IFS=$'\n'
for kv in $bad; do
	k=${kv%%:*} v=${kv#*:}
	before=$(ip netns exec "$N1" cat "$K/$k")
	res=$(try_write "$k" "$v")
	after=$(ip netns exec "$N1" cat "$K/$k")
	n=$((n + 1))
	if [ "$res" != EINVAL ] || [ "$before" != "$after" ]; then
		echo "write '$v' to $k: $res, '$before' -> '$after'"
		fails=$((fails + 1))
	fi
done
unset IFS
check_result $fails "$n bad writes fail with EINVAL and change nothing"

fails=0
while IFS='|' read -r kv want; do
	[ -z "$kv" ] && continue
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
dhcp_mask:0|0
df_min_len:1280|1280
df_dev:eth0|eth0
df_dev:|
df_egress:1|1
df_egress:0|0
GOOD
check_result $fails "good values are accepted and read back canonically"

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

# hooks exist only while their knob is on
hooks() { ip netns exec "$N1" nft list hooks 2>/dev/null | grep -c tunfix; }
if nft list hooks >/dev/null 2>&1; then
	h0=$(hooks)
	ip netns exec "$N1" sysctl -q -w net.tunfix.df_egress=1 net.tunfix.dhcp_remark=1
	h2=$(hooks)
	ip netns exec "$N1" sysctl -q -w net.tunfix.df_transit=1 net.tunfix.df_bridge=1
	h4=$(hooks)
	ip netns exec "$N1" sysctl -q -w net.tunfix.df_egress=0 net.tunfix.dhcp_remark=0 \
		net.tunfix.df_transit=0 net.tunfix.df_bridge=0
	h00=$(hooks)
	echo "tunfix hooks: off $h0, two on $h2, all on $h4, off again $h00"
	[ "$h0" = 0 ] && [ "$h2" = 2 ] && [ "$h4" = 4 ] && [ "$h00" = 0 ]
	check_result $? "hooks are registered only while their feature is on"
else
	echo "SKIP: nft list hooks not supported"
fi

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
