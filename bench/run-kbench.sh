#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of the microbenchmark in `make bench`: bench/kbench's test-only
# module passes one prepared GRE packet (DF set) through the IPv4
# LOCAL_OUT hooks of a namespace, KBENCH_PASSES times per measurement, for
# each variant, interleaved and repeated (names as in bench/report.py):
#   nohook       no hook
#   empty        an empty hook (kbench's own: returns NF_ACCEPT, touches
#                nothing), what running any hook costs
#   empty-id     kbench's hook that only writes an ID with the kernel's
#                generator (__ip_select_ident()): the floor of a hook that
#                writes fresh IDs
#   rewrite      kbench's hook that does the least a correct DF-clearing
#                hook does (header checks, DF, ID, checksum, three counts
#                in one per-CPU section), without settings or selectors
#   off          tunfix loaded, df_egress=0
#   nomatch      tunfix on, GRE not in df_protocols (the hook runs, nothing
#                matches)
#   tunfix       tunfix clearing DF and writing IDs
#   tunfix-mark  the same with the fwmark selector on (df_mask=0x1,
#                df_mark=0: the packet's mark 0 matches)
#   nft          the equivalent nftables rule
#   nft-count    an nftables rule that only counts (the cheapest rule there
#                is)
# and, for scale, the kernel's IP ID generator alone (__ip_select_ident()),
# and checks, each time, what the hooks did to the packet: DF cleared, ID
# changed, checksum valid for rewrite, tunfix, tunfix-mark and nft; nothing
# changed for the others.
# No packet leaves the namespace: only the hooks are timed.

source "$TUNFIX_ROOT/tests/lib.sh"
REPS=${BENCH_REPS:-9}
PASSES=${KBENCH_PASSES:-200000}
KB=$TUNFIX_ROOT/bench/kbench/tunfix_kbench.ko
OUT=$TUNFIX_RESULTS/kbench-raw.txt
trap 'tunfix_unload; rmmod tunfix_kbench 2>/dev/null; cleanup_all_ns' EXIT

insmod "$KB" iterations="$PASSES" || exit 1
setup_ns K

nft_rule()
{
	ip netns exec "$K" nft -f - <<-NFT
	table ip kb {
		chain out {
			type filter hook output priority 0;
			$1
		}
	}
	NFT
}

setup()
{
	case $1 in
	nohook) tunfix_unload ;;
	empty) tunfix_unload
	   ip netns exec "$K" sh -c 'echo 1 >/proc/net/tunfix_kbench' ;;
	empty-id) tunfix_unload
	   ip netns exec "$K" sh -c 'echo 2 >/proc/net/tunfix_kbench' ;;
	rewrite) tunfix_unload
	   ip netns exec "$K" sh -c 'echo 3 >/proc/net/tunfix_kbench' ;;
	off) grep -q '^tunfix ' /proc/modules || insmod "$TUNFIX_KO" ;;
	nomatch|tunfix|tunfix-mark)
		grep -q '^tunfix ' /proc/modules || insmod "$TUNFIX_KO"
		ip netns exec "$K" sysctl -q -w net.tunfix.df_egress=1 \
			net.tunfix.df_protocols=$([ "$1" = nomatch ] && echo 50 || echo 47,50) \
			net.tunfix.df_mask=$([ "$1" = tunfix-mark ] && echo 1 || echo 0) ;;
	nft) tunfix_unload
	   nft_rule 'ip protocol gre ip frag-off & 0x4000 != 0 ip frag-off set ip frag-off & 0xbfff ip id set numgen random mod 65536 << 16' ;;
	nft-count) tunfix_unload
	   nft_rule 'counter' ;;
	esac
}

teardown()
{
	case $1 in
	nomatch|tunfix|tunfix-mark)
		ip netns exec "$K" sysctl -q -w net.tunfix.df_egress=0 \
			net.tunfix.df_protocols=47,50 net.tunfix.df_mask=0 ;;
	nft|nft-count) ip netns exec "$K" nft delete table ip kb ;;
	empty|empty-id|rewrite) ip netns exec "$K" sh -c 'echo 0 >/proc/net/tunfix_kbench' ;;
	esac
}

# what each variant must do to the packet: "df id_changed csum_ok"
expect()
{
	case $1 in
	rewrite|tunfix|tunfix-mark|nft) echo "0 1 1" ;;
	empty-id) echo "1 1 0" ;;
	*) echo "1 0 1" ;;
	esac
}

rc=0
: >"$OUT"
for rep in $(seq "$REPS"); do
	for v in nohook empty empty-id rewrite off nomatch tunfix tunfix-mark nft nft-count; do
		setup $v
		res=$(ip netns exec "$K" cat /proc/net/tunfix_kbench)
		teardown $v
		ps=$(echo "$res" | awk '$1 == "ps_per_pass" { print $2 }')
		got=$(echo "$res" | awk '$1 == "df" { d = $2 } $1 == "id_changed" { i = $2 }
			$1 == "csum_ok" { c = $2 } END { print d, i, c }')
		if [ -z "$ps" ] || [ "$got" != "$(expect $v)" ]; then
			echo "FAIL variant $v: df/id_changed/csum_ok '$got', want '$(expect $v)': $res"
			rc=1
			continue
		fi
		echo "$v $ps" >>"$OUT"
		echo "$res" | awk '$1 == "ident_ps_per_call" { print "id", $2 }' >>"$OUT"
	done
	echo "microbenchmark round $rep of $REPS done"
done

# KBENCH_PROFILE=1: where the time of variants tunfix and nft goes (perf,
# cpu-clock samples of the whole guest), in kbench-profile-V.txt
if [ -n "${KBENCH_PROFILE:-}" ] && command -v perf >/dev/null; then
	for v in tunfix nft; do
		setup $v
		perf record -q -a -F 10000 -e cpu-clock -o "$TUNFIX_RESULTS/perf-$v.data" -- \
			ip netns exec "$K" cat /proc/net/tunfix_kbench >/dev/null 2>&1
		teardown $v
		perf report -q --stdio --no-children --sort sym -i "$TUNFIX_RESULTS/perf-$v.data" \
			2>/dev/null | grep -v '^$' | head -n 25 >"$TUNFIX_RESULTS/kbench-profile-$v.txt"
		echo "== profile of variant $v"
		cat "$TUNFIX_RESULTS/kbench-profile-$v.txt"
	done
fi

# the tables: bench/report.py, on the host after the boot
exit $rc
