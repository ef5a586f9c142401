#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of the microbenchmark in `make bench`: bench/kbench's test-only
# module passes one prepared GRE packet (DF set) through the IPv4
# LOCAL_OUT hooks of a namespace, KBENCH_PASSES times per measurement, for
# each variant, interleaved and repeated (0 1 2 3 4 5 0 1 ...):
#   0 no hook                    1 tunfix loaded, df_egress=0
#   2 tunfix on, GRE not in df_protocols (the hook runs, nothing matches)
#   3 tunfix clearing DF and writing IDs
#   4 the equivalent nftables rule
#   5 an nftables rule that only counts (the cheapest rule there is)
# and, for scale, the kernel's IP ID generator alone (__ip_select_ident()),
# and checks, each time, what the hooks did to the packet: DF cleared, ID
# changed, checksum valid for 3 and 4; nothing changed for the others.
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
	0) tunfix_unload ;;
	1) grep -q '^tunfix ' /proc/modules || insmod "$TUNFIX_KO" ;;
	2|3)
		grep -q '^tunfix ' /proc/modules || insmod "$TUNFIX_KO"
		ip netns exec "$K" sysctl -q -w net.tunfix.df_egress=1 \
			net.tunfix.df_protocols=$([ "$1" = 2 ] && echo 50 || echo 47,50) ;;
	4) tunfix_unload
	   nft_rule 'ip protocol gre ip frag-off & 0x4000 != 0 ip frag-off set ip frag-off & 0xbfff ip id set numgen random mod 65536 << 16' ;;
	5) tunfix_unload
	   nft_rule 'counter' ;;
	esac
}

teardown()
{
	case $1 in
	2|3) ip netns exec "$K" sysctl -q -w net.tunfix.df_egress=0 net.tunfix.df_protocols=47,50 ;;
	4|5) ip netns exec "$K" nft delete table ip kb ;;
	esac
}

# what each variant must do to the packet: "df id_changed csum_ok"
expect()
{
	case $1 in
	3|4) echo "0 1 1" ;;
	*) echo "1 0 1" ;;
	esac
}

rc=0
: >"$OUT"
for rep in $(seq "$REPS"); do
	for v in 0 1 2 3 4 5; do
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

# KBENCH_PROFILE=1: where the time of variants 3 and 4 goes (perf,
# cpu-clock samples of the whole guest), in kbench-profile-V.txt
if [ -n "${KBENCH_PROFILE:-}" ] && command -v perf >/dev/null; then
	for v in 3 4; do
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

python3 - "$OUT" "$TUNFIX_RESULTS/kbench.txt" "$PASSES" <<'PY'
import statistics, sys
names = {0: "no hook", 1: "tunfix loaded, off", 2: "tunfix on, no match",
         3: "tunfix clearing DF", 4: "nftables rule", 5: "nft counter-only rule"}
rows = [l.split() for l in open(sys.argv[1])]
ident = statistics.median(int(x[1]) / 1000 for x in rows if x[0] == "id")
rows = [x for x in rows if x[0] != "id"]
ns = {}
for v in range(6):
    r = [int(x[1]) / 1000 for x in rows if int(x[0]) == v]
    if r:
        ns[v] = (statistics.median(r), min(r), max(r))
lines = ["hook microbenchmark: %s passes per measurement, medians of %d" %
         (sys.argv[3], len(rows) // 6 if rows else 0),
         "%-24s %12s %12s %18s" % ("variant", "ns/pass", "added ns", "spread (min-max)")]
for v, (med, lo, hi) in sorted(ns.items()):
    lines.append("%-24s %12.1f %12.1f %11.1f-%.1f" % (names[v], med, med - ns[0][0], lo, hi))
def add(v):
    return ns[v][0] - ns[0][0] if v in ns and 0 in ns else float("nan")
def ratio(a, b):
    return "%.3f" % (a / b) if b > 0 else "n/a"
lines.append("%-24s %12.1f  (__ip_select_ident() alone, part of the line above)" %
             ("kernel ID generator", ident))
lines.append("tunfix/nft added cost %s; tunfix no-match/nft counter-only %s" %
             (ratio(add(3), add(4)), ratio(add(2), add(5))))
text = "\n".join(lines)
print(text)
open(sys.argv[2], "w").write(text + "\n")
PY
exit $rc
