#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module loads and unloads cleanly 20 times, with namespaces around
# that have hooks enabled and sysctls/proc files open across the unload.
#
#   init_net          N1 (all hooks on)        N2 (defaults)
#
# timeout: 300

source "$TUNFIX_ROOT/tests/lib.sh"

trap 'tunfix_unload; cleanup_all_ns' EXIT

setup_ns N1 N2
fails=0
for i in $(seq 20); do
	insmod "$TUNFIX_KO" || { echo "insmod failed in round $i"; fails=$((fails + 1)); break; }
	ip netns exec "$N1" sysctl -q -w net.tunfix.df_egress=1 net.tunfix.df_transit=1 \
		net.tunfix.df_bridge=1 net.tunfix.dhcp_remark=1 || fails=$((fails + 1))
	ip netns exec "$N2" cat /proc/net/tunfix >/dev/null || fails=$((fails + 1))
	# a netns born and gone while loaded
	ip netns add "tunfix-tmp-$$" && ip netns del "tunfix-tmp-$$" ||
		fails=$((fails + 1))
	rmmod tunfix || { echo "rmmod failed in round $i"; fails=$((fails + 1)); break; }
done
[ "$fails" -eq 0 ]
check_result $? "20 load/unload rounds with hooks on and namespaces churning"

! [ -e /proc/sys/net/tunfix ] && ! ip netns exec "$N1" test -e /proc/net/tunfix
check_result $? "nothing left behind in /proc after rmmod"

# bad module parameters make the load fail, and leave nothing loaded
fails=0
for p in df_egress=2 df_protocols=51 df_protocols=47,abc dhcp_mark=0x1ffffffff \
	 df_dev=this-name-is-far-too-long df_min_len=65536; do
	if insmod "$TUNFIX_KO" "$p" 2>/dev/null; then
		echo "insmod accepted $p"
		rmmod tunfix
		fails=$((fails + 1))
	fi
done
[ "$fails" -eq 0 ] && ! grep -q '^tunfix ' /proc/modules
check_result $? "bad module parameters are refused"

exit_with_result
