#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What tunfix cannot fix, and doctor says so.
#
# 1. IPv6 across two sites bridged over a default (pmtudisc) gretap:
#    full-size frames are dropped inside the tunnel (tnl_update_pmtu()),
#    there is no DF to clear: ping -6 -M do -s 1452 fails with df_bridge
#    and df_egress on, doctor flags gt0 with the ip link command, and with
#    gt0 "nopmtudisc ignore-df" and tunfix off the ping passes.
#
#   hA eth0 --- vA [br0] gt0 ~~ u0 ====== u0 ~~ gt0 [br0] vB --- eth0 hB
#   2001:db8::1/64    198.51.100.1/24    198.51.100.2/24     2001:db8::2/64
#
# 2. The same sites over ip6gretap (IPv6 underlay, gt6 at MTU 1500): it
#    drops every frame larger than its path carries, DF or not.  df_bridge
#    leaves ip6gretap ports alone by default; made to act on gt6
#    (df_bridge_dev) it clears DF and the ping still fails.  doctor flags
#    gt6's MTU and names the MTU that fits; at that MTU it is satisfied.
#
#   hA eth0 --- vA [br0] gt6 ~~ u0 ====== u0 ~~ gt6 [br0] vB --- eth0 hB
#   192.0.2.1/24      2001:db8:1::1/64  2001:db8:1::2/64     192.0.2.2/24
#
# timeout: 300

source "$TUNFIX_ROOT/tests/df-lib.sh"

require_cmd ip ping
trap 'tunfix_unload; cleanup_all_ns' EXIT

# ping6_df NS DST SIZE [COUNT] - IPv6 ping of SIZE bytes that may not be
# fragmented; 0 if all replied
ping6_df()
{
	ip netns exec "$1" ping -6 -q -n -c "${4:-3}" -i 0.2 -W 2 -M do -s "$3" "$2" \
		>/dev/null 2>&1
}

tunfix_load

# 1. gretap
bridged_topology plain
check_result $? "gretap: topology up, small IPv4 pings pass"
for h in "$hA:1" "$hB:2"; do
	must ip -n "${h%:*}" addr add "2001:db8::${h#*:}/64" dev eth0 nodad
done
slowwait 10 ping6_df "$hA" 2001:db8::2 56 1
check_result $? "gretap: small IPv6 pings pass"

must in_recipe "$rA" "$RECIPE_BRIDGED" tunfix_bridged_enable
must in_recipe "$rB" "$RECIPE_BRIDGED" tunfix_bridged_enable
! ping6_df "$hA" 2001:db8::2 1452
check_result $? "gretap: with df_bridge and df_egress on, ping -6 -M do -s 1452 fails (0/3)"

doctor "$rA"
[ "$DOCTOR_RC" -eq 1 ] && grep -q "gretap gt0 is bridged in pmtudisc mode: full-size IPv6" <<<"$DOCTOR" &&
	grep -q "fix: ip link set gt0 type gretap nopmtudisc ignore-df" <<<"$DOCTOR"
check_result $? "gretap: doctor flags gt0 for IPv6 and gives the ip link command"

must in_recipe "$rA" "$RECIPE_BRIDGED" native_ignore_df_setup
must in_recipe "$rB" "$RECIPE_BRIDGED" native_ignore_df_setup
must ip netns exec "$rA" sysctl -q -w net.tunfix.df_bridge=0 net.tunfix.df_egress=0
must ip netns exec "$rB" sysctl -q -w net.tunfix.df_bridge=0 net.tunfix.df_egress=0
ping6_df "$hA" 2001:db8::2 1452
check_result $? "gretap: nopmtudisc ignore-df, tunfix off: ping -6 -M do -s 1452 passes (3/3)"

doctor "$rA"
[ "$DOCTOR_RC" -le 1 ] && ! grep -q "gt0" <<<"$DOCTOR"
check_result $? "gretap: doctor no longer flags gt0"
cleanup_all_ns

# 2. ip6gretap
setup_ns hA rA rB hB
must ip link add eth0 netns "$hA" type veth peer name vA netns "$rA"
must ip link add eth0 netns "$hB" type veth peer name vB netns "$rB"
must ip link add u0 netns "$rA" type veth peer name u0 netns "$rB"
for s in "$hA:$rA:A:1:2" "$hB:$rB:B:2:1"; do
	IFS=: read -r h r side me peer <<<"$s"
	must ip -n "$h" addr add "192.0.2.$me/24" dev eth0
	must ip -n "$h" link set eth0 up
	must ip -n "$r" -batch - <<EOF
addr add 2001:db8:1::$me/64 dev u0 nodad
link set u0 up
link add gt6 type ip6gretap local 2001:db8:1::$me remote 2001:db8:1::$peer
link set gt6 mtu 1500
link add br0 type bridge
link set v$side master br0
link set gt6 master br0
link set v$side up
link set gt6 up
link set br0 up
EOF
done
slowwait 10 ping_df "$hA" 192.0.2.2 56 1
check_result $? "ip6gretap: topology up, small pings pass"

must ip netns exec "$rA" sysctl -q -w net.tunfix.df_bridge=1 net.tunfix.df_egress=1
! ping_df "$hA" 192.0.2.2 1472 &&
	[ "$(counter "$rA" df_cleared_bridge)" -eq 0 ]
check_result $? "ip6gretap: df_bridge=1 leaves gt6 alone by default; ping -M do -s 1472 fails"

must ip netns exec "$rA" sysctl -q -w net.tunfix.df_bridge_dev=gt6
! ping_df "$hA" 192.0.2.2 1472 &&
	[ "$(counter "$rA" df_cleared_bridge)" -gt 0 ]
check_result $? "ip6gretap: df_bridge_dev=gt6 clears DF ($(counter "$rA" df_cleared_bridge)) and the ping still fails (0/3)"
must ip netns exec "$rA" sysctl -q -w net.tunfix.df_bridge_dev=

doctor "$rA"
fit=$(sed -n 's/.*fix: ip link set gt6 mtu \([0-9]*\),.*/\1/p' <<<"$DOCTOR")
[ "$DOCTOR_RC" -eq 1 ] && grep -q "ip6gretap gt6 is bridged with MTU 1500, but its path carries frames up to" <<<"$DOCTOR" &&
	[ "$fit" = $((1500 - 40 - 4 - 8 - 14)) ]
check_result $? "ip6gretap: doctor flags gt6's MTU and names the one that fits (${fit:-none})"

must ip -n "$rA" link set gt6 mtu "${fit:-1434}"
must ip -n "$rB" link set gt6 mtu "${fit:-1434}"
doctor "$rA"
[ "$DOCTOR_RC" -le 1 ] && ! grep -q "gt6" <<<"$DOCTOR"
check_result $? "ip6gretap: at MTU ${fit:-1434} doctor no longer flags gt6"

exit_with_result
