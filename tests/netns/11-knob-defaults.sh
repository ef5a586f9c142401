#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Knobs appear in every namespace with the module-parameter defaults; the
# parameters and the sysctls are the same set as the uapi knob list.
#
#   init_net      N1 (made after modprobe)
#
# timeout: 300

source "$TUNFIX_ROOT/tests/lib.sh"

trap 'tunfix_unload; cleanup_all_ns' EXIT

KNOBS=$("$TUNFIXCTL" --list-knobs | sort)

# built-in defaults, from the same list
tunfix_load
setup_ns N0
ok=0
n=0
while read -r name type min max def; do
	n=$((n + 1))
	got=$(ip netns exec "$N0" cat "/proc/sys/net/tunfix/$name")
	case $type in hex) want=$(printf '0x%x' "$def") ;; *) want=$def ;; esac
	[ "$got" = "$want" ] || { echo "$name: got '$got', want default '$want'"; ok=1; }
done < <("$TUNFIXCTL" -j --list-knobs | python3 -c '
import json, sys
for k in json.load(sys.stdin):
    print(k["name"], k["type"], k["min"], k["max"], k["default"])')
[ "$n" -eq "$(echo "$KNOBS" | wc -l)" ] || { echo "checked $n knobs"; ok=1; }
check_result $ok "a new netns starts with the knob list's defaults ($n knobs)"

[ "$(ls /sys/module/tunfix/parameters | sort)" = "$KNOBS" ] &&
	[ "$(ls /proc/sys/net/tunfix | sort)" = "$KNOBS" ]
check_result $? "module parameters and sysctls are exactly the knob list"
cleanup_all_ns
tunfix_unload

tunfix_load df_egress=1 df_protocols=50,47,4 df_min_len=576 dhcp_mark=0x10 \
	dhcp_mask=0xff dhcp_dev=ipsec0 df_bridge_dev=gt9
setup_ns N1
want="df_egress=1 df_protocols=4,47,50 df_min_len=576 dhcp_mark=0x10 dhcp_mask=0xff dhcp_dev=ipsec0 df_bridge_dev=gt9 df_transit=0"
ok=0
for ns in "" "$N1"; do
	for kv in $want; do
		k=${kv%%=*} v=${kv#*=}
		if [ -n "$ns" ]; then
			got=$(ip netns exec "$ns" cat "/proc/sys/net/tunfix/$k")
		else
			got=$(cat "/proc/sys/net/tunfix/$k")
		fi
		[ "$got" = "$v" ] || { echo "${ns:-init_net} $k: got '$got' want '$v'"; ok=1; }
	done
done
check_result $ok "module parameters seed init_net and a new netns"

[ "$(cat /sys/module/tunfix/parameters/dhcp_mark)" = 0x10 ] &&
	[ "$(cat /sys/module/tunfix/parameters/df_protocols)" = 50,47,4 ]
check_result $? "parameters are visible in /sys/module/tunfix/parameters"

# changing one netns leaves the others alone
ip netns exec "$N1" sysctl -q -w net.tunfix.df_min_len=100
[ "$(cat /proc/sys/net/tunfix/df_min_len)" = 576 ] &&
	[ "$(ip netns exec "$N1" cat /proc/sys/net/tunfix/df_min_len)" = 100 ]
check_result $? "settings are per network namespace"

exit_with_result
