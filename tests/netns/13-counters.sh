#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Counters read 0 in a fresh netns, list exactly the uapi counters in
# order, count in their own netns only, and reset with "0".
#
#   N1 eth0 ------ eth0 N2        N3 (fresh)
#   198.51.100.1   198.51.100.2
#
# timeout: 300

source "$TUNFIX_ROOT/tests/df-lib.sh"

trap 'tunfix_unload; cleanup_all_ns' EXIT

tunfix_load
setup_ns N1 N2
NAMES=$("$TUNFIXCTL" --list-counters)

[ "$(ip netns exec "$N1" awk '{ print $1 }' /proc/net/tunfix)" = "$NAMES" ]
check_result $? "/proc/net/tunfix lists the uapi counters in order"
[ -z "$(ip netns exec "$N1" awk '$2 != 0' /proc/net/tunfix)" ]
check_result $? "all counters are 0 in a fresh netns"

gre_pair "$N1" "$N2" eth0
ip netns exec "$N1" sysctl -q -w net.tunfix.df_egress=1
ip netns exec "$N1" ping -q -c 3 -i 0.2 -M do -s 1000 192.0.2.2 >/dev/null
c=$(ip netns exec "$N1" awk '$1 == "df_cleared_egress" { print $2 }' /proc/net/tunfix)
[ "$c" = 3 ]
check_result $? "3 DF GRE packets counted as df_cleared_egress ($c)"
[ -z "$(ip netns exec "$N2" awk '$2 != 0' /proc/net/tunfix)" ]
check_result $? "the peer netns counted nothing"

setup_ns N3
[ -z "$(ip netns exec "$N3" awk '$2 != 0' /proc/net/tunfix)" ]
check_result $? "a netns made later starts at 0"

ip netns exec "$N1" sh -c 'echo 0 > /proc/net/tunfix'
[ -z "$(ip netns exec "$N1" awk '$2 != 0' /proc/net/tunfix)" ]
check_result $? "writing 0 resets the counters"

exit_with_result
