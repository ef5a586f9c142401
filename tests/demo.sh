#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo` inside the guest: two LANs bridged over gretap with ESP on
# top, MTU 1500 everywhere; a full-size DF ping fails without tunfix and
# passes with it.
#
#   hA eth0 --- vA [br0] gt0 ~~ u0 ====== u0 ~~ gt0 [br0] vB --- eth0 hB
#   192.0.2.1/24      198.51.100.1/24    198.51.100.2/24     192.0.2.2/24

source "$TUNFIX_ROOT/tests/df-lib.sh"
trap 'tunfix_unload; cleanup_all_ns' EXIT

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }

bridged_topology esp >/dev/null || exit 1
say "hA: ping -c 3 -s 1472 -M do 192.0.2.2   (without tunfix)"
ip netns exec "$hA" ping -c 3 -W 1 -s 1472 -M do 192.0.2.2 | tail -n 2

say "on both routers: modprobe tunfix; sysctl -w net.tunfix.df_bridge=1 net.tunfix.df_egress=1"
tunfix_load
for ns in "$rA" "$rB"; do
	ip netns exec "$ns" sysctl -w net.tunfix.df_bridge=1 net.tunfix.df_egress=1
done

say "hA: ping -c 3 -s 1472 -M do 192.0.2.2   (with tunfix)"
ip netns exec "$hA" ping -c 3 -W 1 -s 1472 -M do 192.0.2.2 | tail -n 2
rc=${PIPESTATUS[0]}

say "router A: cat /proc/net/tunfix (non-zero counters)"
ip netns exec "$rA" awk '$2 != 0' /proc/net/tunfix
if [ -x "$TUNFIXCTL" ]; then
	say "router A: tunfixctl status"
	ip netns exec "$rA" "$TUNFIXCTL" status
fi
exit "$rc"
