#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tunfixctl doctor --probe against real paths: the black hole of
# 22-routed-gre-blackhole (reported at 1400 with its fix; the fix applied,
# a DF ping of the full frame passes), the same hop with ICMP allowed
# (PMTUD works: no finding), a clean path, a bridged ip6gretap over an IPv6
# path narrower than its MTU, and GRE in ESP (the ESP overhead counted:
# the largest inner packet it names passes with DF, one byte more does
# not).  Each probe leaves the routes, the PMTU cache (IPv4 and IPv6), the
# links and the knobs as they were.
#
#   rA u0 ============== u0 M u1 ====(MTU 1400)==== u0 rB
#   198.51.100.1/30  .2/30     203.0.113.1/30   203.0.113.2/30
#   2001:db8:1::1/64 ::2       2001:db8:2::1/64 2001:db8:2::2/64
#   gre1 192.0.2.1 -> 192.0.2.2 (rA <-> rB), gre2 rA -> M (clean path)
#   gt6 (ip6gretap, bridged in br6) rA -> rB over IPv6
#   M drops ICMP "fragmentation needed" (IPv4), until told otherwise
#
# timeout: 240

source "$TUNFIX_ROOT/tests/df-lib.sh"

require_cmd ip ping nft python3
trap 'tunfix_unload; cleanup_all_ns' EXIT
[ -x "$TUNFIXCTL" ] || { echo "SKIP: $TUNFIXCTL not built"; exit $ksft_skip; }
T=$TUNFIXCTL
OUT=$TUNFIX_RESULTS/doctor-probe
mkdir -p "$OUT"

# state NS - what the probe must not change: routes of every table, the
# PMTU caches, the links, the tunfix knobs (timers left out).  The lookups
# come first: an IPv4 exception is listed by "show cache" only once a
# lookup has bound a route to it (fnhe_dump_bucket()), and the probe's own
# lookup would show one that was there before it.
state()
{
	{
		ip -n "$1" -o route get 203.0.113.2
		ip -n "$1" -o route get 198.51.100.2
		ip -n "$1" -o route get 2001:db8:2::2
		ip -n "$1" -4 route show table all
		ip -n "$1" -6 route show table all
		ip -n "$1" -4 route show cache
		ip -n "$1" -6 route show cache
		ip -n "$1" -d link show
		ip netns exec "$1" sysctl net.tunfix net.ipv4.ip_no_pmtu_disc
	} | sed -E 's/(timer|expires) +[0-9.]+/\1/g'
}

# probe NAME ARGS... - doctor --probe in rA, text and JSON into $OUT/NAME.*;
# $rc its exit status, the state before and after compared
probe()
{
	local name=$1 jrc t0

	shift
	state "$rA" >"$OUT/$name.before"
	now_ms
	t0=$NOW_MS
	$T -n "$rA" doctor --probe "$@" >"$OUT/$name.txt" 2>&1
	rc=$?
	now_ms
	echo "doctor --probe $*: $((NOW_MS - t0)) ms"
	$T -n "$rA" -j doctor --probe "$@" >"$OUT/$name.json" 2>"$OUT/$name.err"
	jrc=$?
	state "$rA" >"$OUT/$name.after"
	sed 's/^/    /' "$OUT/$name.txt"
	diff -u "$OUT/$name.before" "$OUT/$name.after"
	check_result $? "$name: routes, PMTU cache, links and knobs unchanged by the probe"
	[ "$rc" = "$jrc" ]
	check_result $? "$name: text and -j give the same exit status ($rc, $jrc)"
}

# unflagged NAME TUNNEL - no finding of NAME.json names TUNNEL
unflagged()
{
	python3 -c "
import json, sys
d = json.load(open('$OUT/$1.json'))
sys.exit(any(' $2 ' in f['problem'] for f in d['findings']))"
}

# verdict NAME TUNNEL PYTHON-EXPR - the probe of TUNNEL (p) in NAME.json
# (d: the whole object) meets the expression
verdict()
{
	python3 - "$OUT/$1.json" "$2" "$3" <<-'PY'
	import json, sys
	d = json.load(open(sys.argv[1]))
	p = {x['tunnel']: x for x in d['probes']}[sys.argv[2]]
	ok = eval(sys.argv[3])
	if not ok:
	    print(json.dumps(p), d['findings'])
	sys.exit(0 if ok else 1)
	PY
}

setup_ns rA M rB
blackhole_path "$rA" "$M" "$rB"
must ip -n "$rA" addr add 2001:db8:1::1/64 dev u0 nodad
must ip -n "$M" addr add 2001:db8:1::2/64 dev u0 nodad
must ip -n "$M" addr add 2001:db8:2::1/64 dev u1 nodad
must ip -n "$rB" addr add 2001:db8:2::2/64 dev u0 nodad
must ip -n "$rA" route add 2001:db8:2::/64 via 2001:db8:1::2
must ip -n "$rB" route add 2001:db8:1::/64 via 2001:db8:2::1
must ip netns exec "$M" sysctl -q -w net.ipv6.conf.all.forwarding=1
must ip -n "$rA" link add gre1 type gre local 198.51.100.1 remote 203.0.113.2
must ip -n "$rB" link add gre1 type gre local 203.0.113.2 remote 198.51.100.1
must ip -n "$rA" addr add 192.0.2.1 peer 192.0.2.2 dev gre1
must ip -n "$rB" addr add 192.0.2.2 peer 192.0.2.1 dev gre1
must ip -n "$rA" link add gre2 type gre local 198.51.100.1 remote 198.51.100.2
must ip -n "$rA" link add gt6 type ip6gretap local 2001:db8:1::1 remote 2001:db8:2::2
must ip -n "$rA" link add br6 type bridge
must ip -n "$rA" link set gt6 master br6
for l in "$rA gre1" "$rB gre1" "$rA gre2" "$rA gt6" "$rA br6"; do
	set -- $l
	must ip -n "$1" link set "$2" up
done
tunfix_load
slowwait 10 ping_df "$rA" 192.0.2.2 56 1
check_result $? "small pings through gre1 pass"

# --- the black hole
! ping_df "$rA" 192.0.2.2 1448 2
check_result $? "black hole: ping -s 1448 -M do through gre1 (MTU 1476) fails"
probe blackhole gre1
cp "$OUT/blackhole.txt" "$TUNFIX_RESULTS/doctor-probe-blackhole-before.txt"
[ "$rc" = 1 ]
check_result $? "black hole: doctor --probe gre1 exits 1 (got $rc)"
verdict blackhole gre1 "p['path_mtu'] == 1400 and p['black_hole'] and not p['too_big'] \
	and p['largest_inner'] == 1376 and not p['covered'] and p['sent'] <= 20 \
	and p['problem'] and p['dev'] == 'u0'"
check_result $? "black hole: path MTU 1400, black hole, largest inner packet 1376"
fix=$(python3 -c "
import json
d = json.load(open('$OUT/blackhole.json'))
[f] = [f for f in d['findings'] if 'gre1' in f['problem']]
assert f['fix'][1] == 'ip link set gre1 mtu 1376', f
print(f['fix'][0])")
check_result $? "black hole: one finding on gre1, fixed by '$fix' or its MTU 1376"
blackhole_dropped "$M"
check_result $? "black hole: M really dropped the frag-needed"
[ "$fix" = "tunfixctl set df_egress=1" ] && $T -n "$rA" set df_egress=1
check_result $? "apply the fix doctor names: $fix"
ping_df "$rA" 192.0.2.2 1448 3
check_result $? "fix applied: ping -s 1448 -M do through gre1 passes"
probe blackhole-fixed gre1
cp "$OUT/blackhole-fixed.txt" "$TUNFIX_RESULTS/doctor-probe-blackhole-after.txt"
[ "$rc" = 0 ] && grep -q "no problems found" "$OUT/blackhole-fixed.txt"
check_result $? "fix applied: doctor --probe gre1 exits 0, no problems (got $rc)"
verdict blackhole-fixed gre1 "p['black_hole'] and p['covered'] and not p['problem']"
check_result $? "fix applied: still a black hole on the path, and tunfix covers gre1"
must $T -n "$rA" set df_egress=0

# --- the clean path, by name; unknown names refused
probe clean gre2
unflagged clean gre2 &&
	[ "$(python3 -c "import json; print(len(json.load(open('$OUT/clean.json'))['probes']))")" = 1 ]
check_result $? "clean path: doctor --probe gre2 probes gre2 alone, no finding on it"
verdict clean gre2 "p['path_mtu'] == 1500 and not p['black_hole'] and p['sent'] == 1"
check_result $? "clean path: path MTU 1500 at the first probe, no black hole"
$T -n "$rA" doctor --probe nosuch >/dev/null 2>&1
check_result $(($? != 2)) "doctor --probe with no such tunnel: exit 2"

# --- PMTUD works: the same hop with ICMP allowed
must ip netns exec "$M" nft delete table ip blackhole
# M's frag-needed to rA are rate-limited (a bucket of 6, one more a second;
# the black hole's probes used it up): let one come back
sleep 1
probe pmtud gre1
unflagged pmtud gre1
check_result $? "ICMP allowed: no finding on gre1"
verdict pmtud gre1 "p['path_mtu'] == 1400 and p['too_big'] and not p['black_hole'] \
	and not p['problem'] and p['sent'] <= 3"
check_result $? "ICMP allowed: path MTU 1400 from the too-big answer, no black hole"
# the state check can fail: a ping socket's frag-needed makes an exception
ping_df "$rA" 203.0.113.2 1472 1
ip -n "$rA" -o route get 203.0.113.2 | grep -q "mtu 1400"
check_result $? "ICMP allowed: an ordinary DF ping does leave PMTU 1400 in the cache"

# --- ip6gretap over an IPv6 path narrower than its MTU (1500 - 66)
probe ip6gretap gt6
[ "$rc" = 1 ]
check_result $? "ip6gretap: doctor --probe gt6 exits 1 (got $rc)"
verdict ip6gretap gt6 "p['path_mtu'] == 1400 and p['too_big'] and p['largest_inner'] == 1334 \
	and p['problem'] and any(f['fix'][0].startswith('ip link set gt6 mtu 1334,') \
	for f in d['findings'])"
check_result $? "ip6gretap: path MTU 1400, fix: ip link set gt6 mtu 1334"
must ip -n "$rA" link set gt6 mtu 1334
probe ip6gretap-fixed gt6
unflagged ip6gretap-fixed gt6
check_result $? "ip6gretap at MTU 1334: no finding on gt6"
ip netns exec "$rA" ping -6 -q -c 1 -W 2 -M do -s 1452 2001:db8:2::2 >/dev/null 2>&1
ip -n "$rA" -o route get 2001:db8:2::2 | grep -q "mtu 1400"
check_result $? "ip6gretap: an ordinary ping does leave PMTU 1400 in the IPv6 cache"

# --- GRE in ESP transport mode: 1400 - 20 - ESP (8 + IV 8 + ICV 16,
# padded to 4, trailer 2) - GRE 4 = 1342
must in_recipe "$rA" "$RECIPE_BRIDGED" esp_transport_setup \
	198.51.100.1 203.0.113.2 0x100 0x200 "$ESP_KEY"
must in_recipe "$rB" "$RECIPE_BRIDGED" esp_transport_setup \
	203.0.113.2 198.51.100.1 0x200 0x100 "$ESP_KEY"
probe esp gre1
verdict esp gre1 "p['path_mtu'] == 1400 and p['esp'] and p['largest_inner'] == 1342 \
	and not p['black_hole']"
check_result $? "ESP: path MTU 1400, largest inner packet 1342 (ESP counted)"
ping_df "$rA" 192.0.2.2 $((1342 - 28)) 2
check_result $? "ESP: a DF ping of 1342 bytes passes through gre1 and ESP"
! ping_df "$rA" 192.0.2.2 $((1343 - 28)) 2
check_result $? "ESP: a DF ping of 1343 bytes does not"

exit_with_result
