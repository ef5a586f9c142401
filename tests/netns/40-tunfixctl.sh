#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tunfixctl against the real module: status, get, set (all or nothing, the
# values judged by the kernel alone, a refusal explained), -n acting in
# another namespace, permissions in a namespace of another user namespace,
# stats --json (--watch, --reset), -j output, doctor on a default-flags
# gretap, DHCP re-marking without an ip rule, an IPsec policy capturing DHCP
# replies, and without the module.
#
#   N1 (tunnel end)                          N2
#   u0 198.51.100.1/24 ================ u0 198.51.100.2/24
#   gre1 192.0.2.1 -> 192.0.2.2 (then gt0: gretap, default flags)
#                                            g6: ip6gretap (not flagged)
#
# timeout: 300

source "$TUNFIX_ROOT/tests/df-lib.sh"

trap 'tunfix_unload; cleanup_all_ns' EXIT
[ -x "$TUNFIXCTL" ] || { echo "SKIP: $TUNFIXCTL not built"; exit $ksft_skip; }
T=$TUNFIXCTL

tunfix_unload
setup_ns N1 N2
$T -n "$N1" status >/dev/null 2>&1
check_result $(($? != 3)) "status without the module: exit 3"
out=$($T -n "$N1" doctor)
rc=$?
[ "$rc" = 3 ] && echo "$out" | grep -q "modprobe tunfix"
check_result $? "doctor without the module: suggests modprobe, exit 3 (got $rc)"
out=$($T -n "$N1" set df_egress=1 2>&1)
rc=$?
[ "$rc" = 3 ] && echo "$out" | grep -q "modprobe tunfix"
check_result $? "set without the module: says modprobe, exit 3 (got $rc)"

tunfix_load
$T -n "$N1" status | grep -q "loaded, version"
check_result $? "status shows the module version"

$T -n "$N1" set df_egress=1 df_protocols=50,47 dhcp_mark=0x10 &&
	[ "$($T -n "$N1" get df_protocols)" = 47,50 ] &&
	[ "$(ip netns exec "$N1" cat /proc/sys/net/tunfix/dhcp_mark)" = 0x10 ]
check_result $? "set in N1 writes the sysctls, read back canonically"
[ "$($T -n "$N2" get df_egress)" = 0 ] && [ "$($T get df_egress)" = 0 ]
check_result $? "-n: N2 and init_net unchanged"

before=$(ip netns exec "$N1" sh -c 'cat /proc/sys/net/tunfix/*')
$T -n "$N1" set df_transit=1 df_protocols=51 2>"$TUNFIX_RESULTS/ah.err"
rc=$?
cat "$TUNFIX_RESULTS/ah.err"
[ "$rc" = 2 ] && [ "$before" = "$(ip netns exec "$N1" sh -c 'cat /proc/sys/net/tunfix/*')" ] &&
	grep -q "df_protocols takes IP protocol numbers" "$TUNFIX_RESULTS/ah.err" &&
	grep -q "restored" "$TUNFIX_RESULTS/ah.err"
check_result $? "a value the kernel refuses: df_transit restored, explained (exit $rc)"

# the values are the kernel's to judge: the tool's verdict is a direct write's
ok=0
for v in +1 " 1" 1x 010 0x1 2 -0; do
	ip netns exec "$N1" sh -c "echo 0 >/proc/sys/net/tunfix/df_egress &&
		printf %s '$v' >/proc/sys/net/tunfix/df_egress" 2>/dev/null
	direct=$? dval=$($T -n "$N1" get df_egress)
	$T -n "$N1" set df_egress=0 && $T -n "$N1" set "df_egress=$v" 2>"$TUNFIX_RESULTS/verdict.err"
	rc=$? val=$($T -n "$N1" get df_egress)
	if [ "$direct" = 0 ]; then
		[ "$rc" = 0 ] && [ "$val" = "$dval" ]
	else
		[ "$rc" = 2 ] && [ "$val" = 0 ] &&
			grep -q "df_egress takes 0 or 1" "$TUNFIX_RESULTS/verdict.err"
	fi || { echo "'$v': direct write $direct ($dval), tunfixctl $rc ($val)"; ok=1; }
done
$T -n "$N1" set df_egress=1
check_result $ok "set passes every value to the kernel, its refusals explained"

$T -n nonexistent status 2>/dev/null
check_result $(($? != 4)) "a missing netns: exit 4"

$T -n "$N1" set df_min_len=70000 2>"$TUNFIX_RESULTS/range.err"
rc=$?
cat "$TUNFIX_RESULTS/range.err"
[ "$rc" = 2 ] && [ "$($T -n "$N1" get df_min_len)" = 0 ] &&
	grep -qF "df_min_len takes a number from 0 to 65535" "$TUNFIX_RESULTS/range.err"
check_result $? "out of range: exit 2, value kept, the range given"
$T -n "$N1" get df_min_len dhcp_mark >"$TUNFIX_RESULTS/get2.txt" &&
	[ "$(cat "$TUNFIX_RESULTS/get2.txt")" = "$(printf 'df_min_len=0\ndhcp_mark=0x10')" ]
check_result $? "get of two knobs: KNOB=VALUE lines"
$T -n "$N1" -j status >"$TUNFIX_RESULTS/status.json" &&
	$T -j -n "$N1" get df_egress dhcp_mark >"$TUNFIX_RESULTS/get.json" &&
	python3 -c "
import json
s = json.load(open('$TUNFIX_RESULTS/status.json'))
g = json.load(open('$TUNFIX_RESULTS/get.json'))
assert s['netns'] == '$N1' and s['loaded'] and s['module_version'], s
assert s['knobs']['df_protocols'] == '47,50' and s['knobs']['dhcp_mark'] == '0x10', s
assert {'df_egress', 'dhcp_mark'} <= set(s['not_default']), s
assert 'df_transit' not in s['not_default'], s
assert g == {'df_egress': '1', 'dhcp_mark': '0x10'}, g
"
check_result $? "-j status and -j get: the module's values"

# a namespace owned by another user namespace: readable, not writable
if unshare -Urn true 2>/dev/null; then
	unshare -Urn sh -c "$T get df_egress && $T set df_egress=1; echo rc=\$?" \
		>"$TUNFIX_RESULTS/userns.txt" 2>&1
	cat "$TUNFIX_RESULTS/userns.txt"
	grep -qx 0 "$TUNFIX_RESULTS/userns.txt" &&
		grep -qx "rc=5" "$TUNFIX_RESULTS/userns.txt"
	check_result $? "user namespace: get works, set refused with exit 5"
fi

# counters through traffic on a gre device
gre_pair "$N1" "$N2" u0
ip netns exec "$N1" ping -q -c 3 -i 0.2 -M do -s 500 192.0.2.2 >/dev/null
$T -n "$N1" stats --json >"$TUNFIX_RESULTS/stats.json"
python3 -c "
import json, sys
d = json.load(open('$TUNFIX_RESULTS/stats.json'))
assert d['netns'] == '$N1', d['netns']
assert d['counters']['df_cleared_egress'] >= 3, d['counters']
"
check_result $? "stats --json in N1 counts the DF GRE packets"
$T -n "$N1" stats --reset >"$TUNFIX_RESULTS/reset.txt" &&
	[ -z "$(awk '$2 != 0' "$TUNFIX_RESULTS/reset.txt")" ]
check_result $? "stats --reset zeroes the counters"
$T -n "$N1" stats --json --watch 0.5 --count 2 | python3 -c "
import json, sys
lines = sys.stdin.read().splitlines()
assert len(lines) == 2 and all('rates' in json.loads(l) for l in lines)
"
check_result $? "stats --watch --count 2 --json gives rates"
# rates while pinging 10 packets a second
ip netns exec "$N1" ping -q -c 25 -w 3 -i 0.1 -M do -s 500 192.0.2.2 >/dev/null &
pid=$!
$T -n "$N1" stats --json --watch 1 --count 2 >"$TUNFIX_RESULTS/watch.jsonl"
wait $pid
# (how many pings a slow guest manages per second varies: the rates must
# be non-zero, no more than ping sends, and match the counters' change)
python3 -c "
import json
prev = None
for l in open('$TUNFIX_RESULTS/watch.jsonl'):
    d = json.loads(l)
    r = d['rates']['df_cleared_egress']
    c = d['counters']['df_cleared_egress']
    assert d['interval'] > 0.9, d['interval']
    assert 0 < r <= 15, d['rates']
    assert prev is None or abs(r * d['interval'] - (c - prev)) < 1, (r, c, prev)
    prev = c
"
check_result $? "stats --watch: rates of DF cleared match the counters while pinging"
$T -n "$N1" stats --watch 0.2 --count 2 >"$TUNFIX_RESULTS/watch.txt" &&
	[ "$(grep -c '^--- ' "$TUNFIX_RESULTS/watch.txt")" = 2 ]
check_result $? "stats --watch text output"

# doctor: a default gretap with df_bridge off
must $T -n "$N1" set df_egress=0 df_bridge=0
must ip -n "$N1" link add gt0 type gretap local 198.51.100.1 remote 198.51.100.2
must ip -n "$N1" link del gre1
out=$($T -n "$N1" doctor)
rc=$?
echo "$out"
[ "$rc" = 1 ] && echo "$out" | grep -q "gt0" && echo "$out" | grep -q "ignore-df"
check_result $? "doctor finds the pmtudisc gretap and prints the fix"
$T -n "$N1" -j doctor >"$TUNFIX_RESULTS/doctor.json"
rc=$?
python3 -c "
import json
d = json.load(open('$TUNFIX_RESULTS/doctor.json'))
assert $rc == 1 and d['netns'] == '$N1', ($rc, d)
assert any('gt0' in f['problem'] and
           'ip link set gt0 type gretap nopmtudisc ignore-df' in f['fix']
           for f in d['findings']), d
"
check_result $? "doctor -j: the same finding and fix as JSON"
fix=$(echo "$out" | sed -n 's/^ *or: \(ip link set gt0 .*\)/\1/p')
ip netns exec "$N1" $fix
$T -n "$N1" doctor
check_result $? "after '$fix' doctor finds nothing"
must ip -n "$N1" link del gt0
must ip -n "$N1" link add gt0 type gretap local 198.51.100.1 remote 198.51.100.2
$T -n "$N1" doctor >/dev/null
check_result $(($? != 1)) "doctor finds gt0 again in pmtudisc mode"
fix=$($T -n "$N1" doctor | sed -n 's/^ *fix: \(tunfixctl set .*\)/\1/p')
[ -n "$fix" ] && $T -n "$N1" ${fix#tunfixctl } && $T -n "$N1" doctor
check_result $? "after '$fix' doctor finds nothing"
must $T -n "$N1" set df_egress=0 df_bridge=0
must ip -n "$N1" link set gt0 type gretap nopmtudisc ignore-df

# ip6gretap has no pmtudisc mode: no finding, no impossible fix
must ip -n "$N2" link add g6 type ip6gretap local fd00::2 remote fd00::1
$T -n "$N2" doctor
check_result $? "doctor: an ip6gretap is not flagged"
must ip -n "$N2" link del g6

must $T -n "$N1" set dhcp_remark=1 dhcp_mark=0x800
$T -n "$N1" doctor | grep -q "ip rule add fwmark 0x800"
check_result $? "doctor: DHCP re-marking without an ip rule"
must ip -n "$N1" rule add fwmark 0x800 table 20
$T -n "$N1" doctor >/dev/null
check_result $? "doctor: clean once the rule exists"

# an IPsec policy covering the client, as an IKE daemon installs it
must ip -n "$N1" xfrm policy add src 198.51.100.1/32 dst 198.51.100.0/24 dir out \
	priority 2000 tmpl src 198.51.100.1 dst 198.51.100.2 proto esp mode tunnel
out=$($T -n "$N1" doctor)
rc=$?
echo "$out"
[ "$rc" = 1 ] && echo "$out" | grep -q "priority 1999 action allow"
check_result $? "doctor: an IPsec policy captures DHCP replies, bypass suggested"
$T -n "$N1" set dhcp_xfrm_bypass=1 && $T -n "$N1" doctor >/dev/null
check_result $? "doctor: clean with dhcp_xfrm_bypass=1"
must $T -n "$N1" set dhcp_xfrm_bypass=0
must ip -n "$N1" xfrm policy add src 0.0.0.0/0 dst 0.0.0.0/0 proto udp sport 67 dport 68 \
	dir out priority 1999 action allow
$T -n "$N1" doctor >/dev/null
check_result $? "doctor: clean with the suggested bypass policy"

exit_with_result
