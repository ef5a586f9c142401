#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tunfixctl unit tests on the host: a fake /proc and /sys tree
# (TUNFIXCTL_PROC, TUNFIXCTL_SYS) stands in for the module.  Each case runs
# the normal binary, the ASan/UBSan build, and (for most) valgrind.

cd "$(dirname "$0")/.." || exit 1
OUT=tests/out
rm -rf "$OUT"
mkdir -p "$OUT"
pass=0 fail=0
HAVE_VALGRIND=$(command -v valgrind)
# the version the tool is built with (one place: the uapi header)
VERSION=$(sed -n 's/^#define TUNFIX_VERSION[^"]*"\(.*\)"/\1/p' ../uapi/linux/tunfix.h)

# the lists, as the tool gives them (checked below)
KNOBS=$(./tunfixctl --list-knobs)
COUNTERS=$(./tunfixctl --list-counters)
./tunfixctl -j --list-knobs >"$OUT/knobs.json"

# fake_tree: a module "loaded" with its defaults and some counters
fake_tree()
{
	rm -rf "$OUT/tree"
	mkdir -p "$OUT/tree/proc/sys/net/tunfix" "$OUT/tree/proc/net" \
		"$OUT/tree/sys/module/tunfix" "$OUT/tree/netns"
	python3 -c '
import json, sys
for k in json.load(open(sys.argv[1])):
    open(sys.argv[2] + k["name"], "w").write(k["default"] + "\n")
' "$OUT/knobs.json" "$OUT/tree/proc/sys/net/tunfix/"
	n=0
	for c in $COUNTERS; do
		echo "$c $n"
		n=$((n + 7))
	done >"$OUT/tree/proc/net/tunfix"
	echo "$VERSION" >"$OUT/tree/sys/module/tunfix/version"
}

# t NAME EXPECTED_RC CMD... - run with both builds; output in $OUT/NAME.out
t()
{
	local name=${1//\//_} want=$2 bin rc ok=1

	shift 2
	for bin in ./tunfixctl ./tunfixctl-asan; do
		fake_tree_if_needed
		TUNFIXCTL_PROC=$OUT/tree/proc TUNFIXCTL_SYS=$OUT/tree/sys \
			TUNFIXCTL_NETNS_DIR=$OUT/tree/netns \
			$WRAP "$bin" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
		rc=$?
		[ "$rc" = "$want" ] || { ok=0; echo "  $bin $*: exit $rc, want $want"; }
		grep -q "runtime error\|AddressSanitizer" "$OUT/$name.err" && {
			ok=0; echo "  $bin: sanitizer report"; cat "$OUT/$name.err"; }
	done
	if [ -n "$HAVE_VALGRIND" ] && [ -z "$NO_VALGRIND" ]; then
		fake_tree_if_needed
		TUNFIXCTL_PROC=$OUT/tree/proc TUNFIXCTL_SYS=$OUT/tree/sys \
			TUNFIXCTL_NETNS_DIR=$OUT/tree/netns \
			$WRAP valgrind -q --error-exitcode=99 --leak-check=full \
			./tunfixctl "$@" >"$OUT/$name.out" 2>"$OUT/$name.vg"
		rc=$?
		# 99, not 1: exit 1 is doctor's "found something"
		[ "$rc" = 99 ] && { ok=0; echo "  valgrind:"; cat "$OUT/$name.vg"; }
		[ "$rc" = 99 ] || [ "$rc" = "$want" ] ||
			{ ok=0; echo "  valgrind $*: exit $rc, want $want"; }
	fi
	result $ok "$name"
}

fake_tree_if_needed() { [ -n "$KEEP_TREE" ] || fake_tree; }

result()
{
	if [ "$1" = 1 ]; then
		echo "PASS $2"
		pass=$((pass + 1))
	else
		echo "FAIL $2"
		fail=$((fail + 1))
	fi
}

check() { local d=$1; shift; if "$@"; then result 1 "$d"; else result 0 "$d"; fi; }

# json_ok NAME: $OUT/NAME.out is one JSON document
json_ok() { check "$1 is valid JSON" python3 -m json.tool "$OUT/$1.out" /dev/null; }

# --- basics
t help 0 --help
t version 0 --version
check "version names tool and module" grep -q "module $VERSION" "$OUT/version.out"
t list-knobs 0 --list-knobs
t list-knobs-json 0 --list-knobs -j
json_ok list-knobs-json
check "-j --list-knobs: the names of --list-knobs, each with a known type and its range" python3 -c "
import json
ks = json.load(open('$OUT/list-knobs-json.out'))
assert [k['name'] for k in ks] == open('$OUT/list-knobs.out').read().split(), ks
for k in ks:
    assert set(k) == {'name', 'type', 'min', 'max', 'default', 'description'}, k
    assert k['type'] in ('bool', 'u32', 'hex', 'protos', 'ifname', 'ports'), k
    assert k['description'] and isinstance(k['min'], int) and k['min'] <= k['max'], k
d = {k['name']: k for k in ks}
assert d['dhcp_mark'] == dict(name='dhcp_mark', type='hex', min=0, max=0xffffffff,
    default='0x800', description='Mark value: mark = (mark & ~dhcp_mask) ^ dhcp_mark'), d['dhcp_mark']
assert d['df_min_len']['type'] == 'u32' and d['df_min_len']['max'] == 65535
"
t list-counters 0 --list-counters
t list-counters-json 0 -j --list-counters
json_ok list-counters-json
check "-j --list-counters: the names of --list-counters, each described" python3 -c "
import json
cs = json.load(open('$OUT/list-counters-json.out'))
assert [c['name'] for c in cs] == open('$OUT/list-counters.out').read().split(), cs
assert all(set(c) == {'name', 'description'} and c['description'] for c in cs), cs
assert cs[0] == dict(name='df_seen', description='Packets of a selected protocol that reached a DF hook')
"
t list-extra 2 --list-knobs status
t no-command 2
t unknown-command 2 frobnicate
t bad-option 2 --frob
# --- help: tunfixctl help, help COMMAND, COMMAND --help
t help-cmd 0 help
check "help is --help" [ "$(cat "$OUT/help-cmd.out")" = "$(cat "$OUT/help.out")" ]
for cmd in status get set stats doctor help; do
	check "--help lists $cmd" grep -q "^  $cmd" "$OUT/help.out"
	t "help-$cmd" 0 help $cmd
	t "$cmd--help" 0 $cmd --help
	check "$cmd --help is help $cmd" [ "$(cat "$OUT/$cmd--help.out")" = "$(cat "$OUT/help-$cmd.out")" ]
	check "$cmd --help gives its usage" grep -q "^usage: tunfixctl .* $cmd" "$OUT/$cmd--help.out"
done
check "stats --help has its options" grep -q -- "--watch SECONDS" "$OUT/stats--help.out"
t stats-h 0 stats --watch 1 -h
t get-help-later 0 get df_egress --help
t help-unknown 2 help frobnicate
t help-two 2 help get set

t status 0 status
check "status shows every knob" bash -c "for k in $(echo $KNOBS); do grep -q \" \$k \" $OUT/status.out || exit 1; done"
check "status shows non-zero counters" grep -q "df_cleared_egress" "$OUT/status.out"
t status-json 0 -j status
json_ok status-json
check "status -j: every knob at its default, every counter" python3 -c "
import json
d = json.load(open('$OUT/status-json.out'))
ks = json.load(open('$OUT/knobs.json'))
assert d['version'] == '$VERSION' and d['netns'] is None and d['loaded'] is True, d
assert d['module_version'] == '$VERSION', d
assert d['knobs'] == {k['name']: k['default'] for k in ks}, d['knobs']
assert d['not_default'] == [], d
assert list(d['counters']) == '''$COUNTERS'''.split(), d['counters']
assert d['counters']['df_cleared_egress'] == 7, d['counters']
"

# --- get
t get-one 0 get df_protocols
check "get prints the value" [ "$(cat "$OUT/get-one.out")" = "47,50" ]
t get-two 0 get df_egress dhcp_mark
check "get of two prints KNOB=VALUE" [ "$(cat "$OUT/get-two.out")" = "$(printf 'df_egress=0\ndhcp_mark=0x800')" ]
t get-json 0 -j get df_egress dhcp_mark
json_ok get-json
check "get -j: one object of the values" [ "$(cat "$OUT/get-json.out")" = '{"df_egress":"0","dhcp_mark":"0x800"}' ]
t get-unknown 2 get nope
t get-none 2 get

# --- set: only the KNOB=VALUE shape is checked, before any write
KEEP_TREE=1
fake_tree
t set-good 0 set df_egress=1 df_protocols=50,47 dhcp_mark=0x10 df_dev=eth0
vals=
for k in df_egress df_protocols dhcp_mark df_dev; do
	vals="$vals $(cat $OUT/tree/proc/sys/net/tunfix/$k)"
done
check "set wrote all values" [ "$vals" = " 1 50,47 0x10 eth0" ]
for bad in nope=1 df_egress noequals =1 "df-egress=1" "$(printf 'x%.0s' $(seq 70))=1"; do
	before=$(cat $OUT/tree/proc/sys/net/tunfix/* | md5sum)
	n="set-bad-${bad:0:40}"
	t "$n" 2 set df_transit=1 "$bad"
	check "$n changed nothing" [ "$before" = "$(cat $OUT/tree/proc/sys/net/tunfix/* | md5sum)" ]
	check "$n: one line on stderr" [ "$(wc -l <"$OUT/${n//\//_}.err")" = 1 ]
done

# the values are the kernel's to judge: whatever it takes is written as given
for val in df_egress=+1 df_egress=2 "df_egress= 1" df_protocols=51 \
	   df_protocols= "df_protocols=47 50" df_protocols=,1,255, \
	   dhcp_mark=4294967295 dhcp_mark=0XFF dhcp_mark=0x1ffffffff \
	   df_min_len=0x10 df_min_len=010 df_min_len=65536 df_dev= \
	   "df_dev=a b" df_dev=eth0.100 df_bridge_dev=gt-0_a \
	   "df_dev=$(printf 'x%.0s' $(seq 200))"; do
	t "set-passed-${val:0:40}" 0 set "$val"
	k=${val%%=*}
	check "set-passed-${val:0:40} written as given" [ "$(cat $OUT/tree/proc/sys/net/tunfix/$k)" = "${val#*=}" ]
done
t set-twice 0 set df_egress=1 df_egress=0
check "set of one knob twice: the last wins" [ "$(cat $OUT/tree/proc/sys/net/tunfix/df_egress)" = 0 ]

# the kernel refuses a value (EINVAL): exit 2, the refusal explained from
# the knob's type and range, the knobs already written restored.  A real
# sysctl of a namespace of our own stands in for the module's.
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
	WRAP="unshare -n"
	for v in df_min_len=70000 dhcp_mark=0x1ffffffff df_egress=-1 \
		 df_protocols=47,51 df_dev=a/b; do
		k=${v%%=*}
		fake_tree
		ln -sf /proc/sys/net/ipv4/ip_default_ttl "$OUT/tree/proc/sys/net/tunfix/$k"
		t "set-einval-$k" 2 set df_transit=1 "$v"
		check "set-einval-$k: df_transit restored" [ "$(cat $OUT/tree/proc/sys/net/tunfix/df_transit)" = 0 ]
		check "set-einval-$k: says what the kernel refused" \
			grep -q "^tunfixctl: $k: the kernel refused '${v#*=}': $k takes " "$OUT/set-einval-$k.err"
	done
	unset WRAP
	check "EINVAL of a u32: its range, decimal or hex" grep -qF \
		"df_min_len takes a number from 0 to 65535 (decimal, 0x hex or 0 octal)" "$OUT/set-einval-df_min_len.err"
	check "EINVAL of a hex: its range in hex" grep -qF \
		"dhcp_mark takes a number from 0 to 0xffffffff (decimal, 0x hex or 0 octal)" "$OUT/set-einval-dhcp_mark.err"
	check "EINVAL of a bool: 0 or 1" grep -qF "df_egress takes 0 or 1" "$OUT/set-einval-df_egress.err"
	check "EINVAL of a protocol list: AH never" grep -qF "except 51 (AH)" "$OUT/set-einval-df_protocols.err"
	check "EINVAL of an interface name" grep -qF "df_dev takes an interface name" "$OUT/set-einval-df_dev.err"
	check "EINVAL: the restore is reported" grep -q "restored" "$OUT/set-einval-df_dev.err"
else
	echo "SKIP EINVAL tests (need root and unshare -n)"
fi

# --- set: the kernel refuses the second write -> the first is restored
fake_tree
# /dev/full reads as empty and refuses writes (ENOSPC)
ln -sf /dev/full "$OUT/tree/proc/sys/net/tunfix/df_min_len"
NO_VALGRIND=1 t set-rejected 6 set df_egress=1 df_min_len=100
check "after a refused write the first knob is restored" [ "$(cat $OUT/tree/proc/sys/net/tunfix/df_egress)" = 0 ]
check "the refusal is explained" grep -q "refused" "$OUT/set-rejected.err"

# the third of three writes refused: the first two restored
fake_tree
ln -sf /dev/full "$OUT/tree/proc/sys/net/tunfix/dhcp_mark"
before=$(cat $OUT/tree/proc/sys/net/tunfix/df_egress $OUT/tree/proc/sys/net/tunfix/df_dev)
NO_VALGRIND=1 t set-rejected-third 6 set df_egress=1 df_dev=gt0 dhcp_mark=0x10
check "after a refused third write the first two are restored" \
	[ "$before" = "$(cat $OUT/tree/proc/sys/net/tunfix/df_egress $OUT/tree/proc/sys/net/tunfix/df_dev)" ]
check "the restore is reported" grep -q "restored" "$OUT/set-rejected-third.err"

# a knob that cannot be read (a directory): nothing written, exit 6
fake_tree
rm "$OUT/tree/proc/sys/net/tunfix/df_min_len"
mkdir "$OUT/tree/proc/sys/net/tunfix/df_min_len"
t set-unreadable 6 set df_egress=1 df_min_len=5
check "set-unreadable wrote nothing" [ "$(cat $OUT/tree/proc/sys/net/tunfix/df_egress)" = 0 ]
t get-unreadable 6 get df_min_len
t status-unreadable 6 status
unset KEEP_TREE

# --- stats
t stats 0 stats
check "stats lists every counter" [ "$(awk '{print $1}' "$OUT/stats.out")" = "$COUNTERS" ]
t stats-json 0 stats --json
check "stats --json is valid JSON with every counter" python3 -c "
import json, sys
d = json.load(open('$OUT/stats-json.out'))
names = '''$COUNTERS'''.split()
assert list(d['counters']) == names, d['counters']
assert d['version'] == '$VERSION' and d['netns'] is None
assert d['counters']['df_cleared_egress'] == 7
"
t stats-j 0 -j stats
json_ok stats-j
check "-j stats is stats --json" python3 -c "
import json
a, b = (json.load(open('$OUT/%s.out' % n)) for n in ('stats-j', 'stats-json'))
del a['time'], b['time']
assert a == b, (a, b)
"
NO_VALGRIND=1 t stats-watch 0 stats --json --watch 0.2 --count 2
check "stats --watch --count 2 prints two objects with rates" python3 -c "
import json
lines = open('$OUT/stats-watch.out').read().splitlines()
assert len(lines) == 2
for l in lines:
    d = json.loads(l); assert 'rates' in d and d['rates']['df_seen'] == 0.0
"
check "watch objects carry the interval" python3 -c "
import json
for l in open('$OUT/stats-watch.out'):
    d = json.loads(l); assert 0.15 < d['interval'] < 1, d['interval']
"
# counters that grow by 50 during a 0.5 s interval: about 100/s
KEEP_TREE=1
fake_tree
( sleep 0.25; sed -i 's/^df_seen .*/df_seen 50/' "$OUT/tree/proc/net/tunfix" ) &
TUNFIXCTL_PROC=$OUT/tree/proc ./tunfixctl stats --json --watch 0.5 --count 1 >"$OUT/stats-rate.out"
wait
check "per-second rate from the counter difference" python3 -c "
import json
d = json.loads(open('$OUT/stats-rate.out').read())
assert d['counters']['df_seen'] == 50 and 70 < d['rates']['df_seen'] < 101, d
"
fake_tree
NO_VALGRIND=1 t stats-watch-text 0 stats --watch 0.1 --count 3
check "text watch: three blocks with rates" \
	[ "$(grep -c '^--- .*rates over' "$OUT/stats-watch-text.out")" = 3 -a \
	"$(grep -c '/s$' "$OUT/stats-watch-text.out")" = $((3 * $(echo $COUNTERS | wc -w))) ]
unset KEEP_TREE
t stats-watch-bad 2 stats --watch 0
t stats-watch-nan 2 stats --watch nan
t stats-watch-inf 2 stats --watch inf
t stats-watch-empty 2 stats --watch ""
t stats-count-alone 2 stats --count 2
t stats-count-bad 2 stats --watch 1 --count x
t stats-extra 2 stats extra
KEEP_TREE=1
fake_tree
t stats-reset 0 stats --reset
check "--reset writes 0 to the counters file" grep -qx 0 "$OUT/tree/proc/net/tunfix"
unset KEEP_TREE

# counters file missing or unwritable while the knobs are there
KEEP_TREE=1
fake_tree
rm "$OUT/tree/proc/net/tunfix"
t stats-missing 6 stats
mkdir "$OUT/tree/proc/net/tunfix"
t stats-reset-dir 6 stats --reset
unset KEEP_TREE

# --- errors
rm -rf "$OUT/empty"
mkdir -p "$OUT/empty"
for c in status "get df_egress" "set df_egress=1" stats; do
	name="notloaded-${c%% *}"
	# shellcheck disable=SC2086
	TUNFIXCTL_PROC=$OUT/empty TUNFIXCTL_SYS=$OUT/empty ./tunfixctl $c >/dev/null 2>"$OUT/$name.err"
	rc=$?
	check "$name: exit 3 and says modprobe" bash -c "[ $rc = 3 ] && grep -q modprobe $OUT/$name.err"
done
TUNFIXCTL_PROC=$OUT/empty ./tunfixctl -j status >"$OUT/notloaded-json.out" 2>/dev/null
check "status -j without the module: exit 3" [ $? = 3 ]
check "status -j without the module: loaded false" python3 -c "
import json
d = json.load(open('$OUT/notloaded-json.out'))
assert d['loaded'] is False and 'knobs' not in d, d
"
t netns-missing 4 -n no-such-ns status
t netns-missing-doctor 4 -n no-such-ns doctor
check "a missing netns is named on stderr" grep -q "no-such-ns" "$OUT/netns-missing.err"
t netns-bad-name 2 -n ../x status
t netns-no-arg 2 -n
t status-extra 2 status now
t doctor-extra 2 doctor now
./tunfixctl --help >/dev/full 2>/dev/null
check "--help to a full disk: exit 6" [ $? = 6 ]
TUNFIXCTL_PROC=$OUT/tree/proc TUNFIXCTL_SYS=$OUT/tree/sys ./tunfixctl status >/dev/full 2>"$OUT/full.err"
check "output to a full disk: exit 6" [ $? = 6 ]
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	fake_tree
	chmod -R a+rX "$OUT"
	chmod 0644 "$OUT"/tree/proc/sys/net/tunfix/*
	TUNFIXCTL_PROC=$OUT/tree/proc TUNFIXCTL_SYS=$OUT/tree/sys \
		setpriv --reuid=65534 --regid=65534 --clear-groups \
		./tunfixctl set df_egress=1 >/dev/null 2>"$OUT/perm.err"
	rc=$?
	check "no permission: exit 5" [ "$rc" = 5 ]
	check "nothing written without permission" [ "$(cat $OUT/tree/proc/sys/net/tunfix/df_egress)" = 0 ]
	chmod 0600 "$OUT"/tree/proc/sys/net/tunfix/dhcp_mark "$OUT/tree/proc/net/tunfix"
	for c in "get dhcp_mark" "stats --reset" stats; do
		TUNFIXCTL_PROC=$OUT/tree/proc TUNFIXCTL_SYS=$OUT/tree/sys \
			setpriv --reuid=65534 --regid=65534 --clear-groups \
			./tunfixctl $c >/dev/null 2>"$OUT/perm.err"
		rc=$?
		check "no permission ($c): exit 5" [ "$rc" = 5 ]
	done
fi

# --- doctor, over rtnetlink and xfrm netlink in namespaces of our own
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && unshare -n true 2>/dev/null; then
	unshare -n sleep 600 &
	NS_A=$!
	unshare -n sleep 600 &
	NS_B=$!
	trap 'kill $NS_A $NS_B 2>/dev/null' EXIT
	sleep 0.2
	inb() { nsenter --net=/proc/$NS_B/ns/net "$@"; }
	KEEP_TREE=1
	fake_tree
	ln -s /proc/$NS_A/ns/net "$OUT/tree/netns/nsA"
	ln -s /proc/$NS_B/ns/net "$OUT/tree/netns/nsB"
	t doctor-clean 0 -n nsA doctor
	check "doctor-clean says so" grep -q "no problems found" "$OUT/doctor-clean.out"
	t doctor-clean-json 0 -n nsA -j doctor
	check "doctor -j, clean: no findings" [ "$(cat "$OUT/doctor-clean-json.out")" = "{\"version\":\"$VERSION\",\"netns\":\"nsA\",\"findings\":[]}" ]
	echo 1 >"$OUT/tree/proc/sys/net/tunfix/dhcp_remark"
	t doctor-no-rule 1 -n nsA doctor
	check "doctor prints the ip rule to add" grep -q "ip rule add fwmark 0x800 table 20" "$OUT/doctor-no-rule.out"
	t doctor-json 1 -j -n nsA doctor
	json_ok doctor-json
	check "doctor -j: the finding and its fix" python3 -c "
import json
d = json.load(open('$OUT/doctor-json.out'))
assert d['version'] == '$VERSION' and d['netns'] == 'nsA', d
[f] = d['findings']
assert 'no ip rule matches mark 0x800' in f['problem'], f
assert len(f['fix']) == 1 and f['fix'][0].startswith('ip rule add fwmark 0x800 table 20'), f
"
	# policy-based: dhcp_xfrm_bypass only skips the IPsec lookup, and the
	# replies leave through a raw interface (lo here): no rule needed
	echo 1 >"$OUT/tree/proc/sys/net/tunfix/dhcp_xfrm_bypass"
	echo lo >"$OUT/tree/proc/sys/net/tunfix/dhcp_dev"
	t doctor-bypass-raw-dev 0 -n nsA doctor
	: >"$OUT/tree/proc/sys/net/tunfix/dhcp_dev"
	t doctor-bypass-no-ipsec-dev 0 -n nsA doctor
	echo gt9 >"$OUT/tree/proc/sys/net/tunfix/dhcp_dev"
	t doctor-bypass-missing-dev 1 -n nsA doctor
	check "doctor: dhcp_dev missing, the rule is still asked for" \
		grep -q "ip rule add fwmark 0x800" "$OUT/doctor-bypass-missing-dev.out"
	: >"$OUT/tree/proc/sys/net/tunfix/dhcp_dev"
	echo 0 >"$OUT/tree/proc/sys/net/tunfix/dhcp_xfrm_bypass"
	inb ip rule add fwmark 0x800 table 20
	t doctor-rule-in-B 0 -n nsB doctor
	t doctor-rule-not-in-A 1 -n nsA doctor
	check "-n: the rule of nsB is not seen from nsA" \
		grep -q "ip rule add fwmark" "$OUT/doctor-rule-not-in-A.out"
	echo 0x10 >"$OUT/tree/proc/sys/net/tunfix/dhcp_mark"
	echo 0xff >"$OUT/tree/proc/sys/net/tunfix/dhcp_mask"
	t doctor-other-mark 1 -n nsB doctor
	check "doctor uses dhcp_mark" grep -q "fwmark 0x10 " "$OUT/doctor-other-mark.out"
	inb ip rule add fwmark 0x10/0xff table 20
	t doctor-masked-rule 0 -n nsB doctor
	inb ip xfrm policy add src 10.0.0.1/32 dst 10.0.0.0/24 dir out priority 100 \
		tmpl src 10.0.0.1 dst 10.0.0.2 proto esp mode tunnel
	t doctor-xfrm 1 -n nsB doctor
	check "doctor suggests a bypass policy of higher priority" \
		grep -q "sport 67 dport 68 dir out priority 99 action allow" "$OUT/doctor-xfrm.out"
	echo 1 >"$OUT/tree/proc/sys/net/tunfix/dhcp_xfrm_bypass"
	t doctor-xfrm-bypass-knob 0 -n nsB doctor
	echo 0 >"$OUT/tree/proc/sys/net/tunfix/dhcp_xfrm_bypass"
	inb ip xfrm policy add src 0.0.0.0/0 dst 0.0.0.0/0 proto udp sport 67 dport 68 \
		dir out priority 99 action allow
	t doctor-xfrm-bypass-policy 0 -n nsB doctor
	echo 1 >"$OUT/tree/proc/sys/net/tunfix/df_egress"
	echo gt9 >"$OUT/tree/proc/sys/net/tunfix/df_dev"
	: >"$OUT/tree/proc/sys/net/tunfix/df_protocols"
	t doctor-knobs 1 -n nsB doctor
	check "doctor: df_dev names a missing device" grep -q "df_dev=\$" "$OUT/doctor-knobs.out"
	check "doctor: empty df_protocols" grep -q "df_protocols=47,50" "$OUT/doctor-knobs.out"
	echo lo >"$OUT/tree/proc/sys/net/tunfix/df_dev"
	echo 47 >"$OUT/tree/proc/sys/net/tunfix/df_protocols"
	t doctor-knobs-ok 0 -n nsB doctor
	# --probe: its arguments; a namespace without GRE devices probes none
	t doctor-probe-none 0 -n nsB -j doctor --probe
	check "doctor --probe -j, no tunnels: an empty probes array" python3 -c "
import json
d = json.load(open('$OUT/doctor-probe-none.out'))
assert d['probes'] == [] and d['findings'] == [], d
"
	t doctor-probe-nosuch 2 -n nsB doctor --probe gre9
	check "doctor --probe names the tunnel that is not there" grep -q "no GRE tunnel 'gre9'" "$OUT/doctor-probe-nosuch.err"
	check "doctor --probe with an unknown tunnel prints no findings" [ ! -s "$OUT/doctor-probe-nosuch.out" ]
	inb ip link add d0 type dummy
	t doctor-probe-notgre 2 -n nsB doctor --probe d0
	t doctor-probe-timeout 0 -n nsB doctor --probe --timeout 0.5
	t doctor-probe-timeout-0 2 -n nsB doctor --probe --timeout 0
	t doctor-probe-timeout-big 2 -n nsB doctor --probe --timeout 61
	t doctor-probe-timeout-nan 2 -n nsB doctor --probe --timeout nan
	t doctor-probe-timeout-none 2 -n nsB doctor --probe --timeout
	t doctor-timeout-alone 2 -n nsB doctor --timeout 3
	t doctor-tunnel-alone 2 -n nsB doctor gre1
	check "a tunnel without --probe: says --probe" grep -q "needs --probe" "$OUT/doctor-tunnel-alone.err"
	t doctor-option-after 2 -n nsB doctor --probe gre1 --timeout 1
	t doctor-bad-option 2 -n nsB doctor --probes
	# a netns name that needs JSON escaping
	ln -s /proc/$NS_A/ns/net "$OUT/tree/netns/a\"b\\c"
	t stats-json-netns 0 -n 'a"b\c' stats --json
	check "the netns name is escaped in JSON" python3 -c "
import json
assert json.load(open('$OUT/stats-json-netns.out'))['netns'] == 'a\"b\\\\c'
"
	# control characters, UTF-8 kept, bytes that are not UTF-8 replaced
	ln -s /proc/$NS_A/ns/net "$OUT/tree/netns/$(printf 't\tn\001é\377\300\257x')"
	t status-json-netns 0 -n "$(printf 't\tn\001é\377\300\257x')" -j status
	json_ok status-json-netns
	check "control characters and bytes that are not UTF-8 are escaped" python3 -c "
import json
raw = open('$OUT/status-json-netns.out', 'rb').read()
assert all(b >= 0x20 for b in raw.rstrip(b'\n')), raw
assert b'\\\\u0009' in raw and b'\\\\u0001' in raw, raw
assert json.loads(raw)['netns'] == 't\tn\x01\u00e9\ufffd\ufffd\ufffdx', json.loads(raw)['netns']
"
	TUNFIXCTL_PROC=$OUT/empty TUNFIXCTL_NETNS_DIR=$OUT/tree/netns \
		./tunfixctl -j -n nsA doctor >"$OUT/doctor-notloaded-json.out" 2>&1
	check "doctor -j without the module: exit 3, the finding says modprobe" python3 -c "
import json
assert $? == 3
d = json.load(open('$OUT/doctor-notloaded-json.out'))
assert d['findings'][0]['fix'] == ['modprobe tunfix'], d
"
	unset KEEP_TREE
	rm -rf "$OUT/empty"
	mkdir -p "$OUT/empty"
	TUNFIXCTL_PROC=$OUT/empty TUNFIXCTL_NETNS_DIR=$OUT/tree/netns \
		./tunfixctl -n nsA doctor >"$OUT/doctor-notloaded.out" 2>&1
	rc=$?
	check "doctor without the module: exit 3, says modprobe" \
		bash -c "[ $rc = 3 ] && grep -q 'modprobe tunfix' $OUT/doctor-notloaded.out"
	kill $NS_A $NS_B 2>/dev/null
	wait 2>/dev/null
else
	echo "SKIP doctor tests (need root and unshare -n)"
fi

# --- doctor's checks on netlink replies recorded in the guest
# (tests/record.sh): replayed, each case gives the text, the JSON findings
# and the exit status doctor gave there; the cases of doctor-test meet
# their expectations
for d in tests/data/*/; do
	d=${d%/}
	c=${d##*/}
	want=$(cat "$d/doctor.rc")
	./tests/doctor-test --print "$d" >"$OUT/doctor-$c.out" 2>&1
	rc=$?
	check "doctor $c, replayed: exit $want and the text it gave in the guest" \
		bash -c "[ $rc = $want ] && diff -u $d/doctor.txt $OUT/doctor-$c.out"
	./tests/doctor-test -j --print "$d" >"$OUT/doctor-$c.json" 2>&1
	check "doctor -j $c, replayed: the findings it gave in the guest" python3 -c "
import json
a, b = (json.load(open(f)) for f in ('$d/doctor.json', '$OUT/doctor-$c.json'))
assert a['findings'] == b['findings'], (a, b)
"
done
./tests/doctor-test tests/data >"$OUT/doctor-test.out" 2>&1
rc=$?
while read -r verdict rest; do
	case $verdict in
	PASS) result 1 "$rest" ;;
	FAIL) result 0 "$rest" ;;
	*) echo "$verdict $rest" ;;
	esac
done <"$OUT/doctor-test.out"
check "doctor-test ran to its end (exit $rc: 0 if every case passed)" [ $rc = 0 ]

# --- documentation
check "the man page documents every JSON key" bash -c "for k in version netns time interval counters rates loaded module_version knobs not_default findings problem fix probes tunnel remote dev path_mtu source sent too_big black_hole esp largest_inner tunnel_mtu covered error name type min max default description; do grep -q \"\\\"\$k\\\"\" tunfixctl.8 || { echo missing \$k; exit 1; }; done"
check "the man page documents every exit status" bash -c "for n in 0 1 2 3 4 5 6; do grep -A1 '^\.TP' tunfixctl.8 | grep -q \"^\.B \$n\$\" || exit 1; done"
check "the man page renders without warnings" bash -c "[ -z \"\$(groff -man -ww -z tunfixctl.8 2>&1)\" ]"
check "bash completion parses" bash -n tunfixctl.bash-completion
check "bash completion offers the knobs of --list-knobs" bash -c "
	PATH=\$PWD:\$PATH
	_init_completion() { cur=\${COMP_WORDS[COMP_CWORD]}; prev=\${COMP_WORDS[COMP_CWORD-1]}; words=(\"\${COMP_WORDS[@]}\"); cword=\$COMP_CWORD; }
	compopt() { :; }
	source tunfixctl.bash-completion
	COMP_WORDS=(tunfixctl set df_b); COMP_CWORD=2; _tunfixctl
	[ \"\${COMPREPLY[*]}\" = 'df_bridge= df_bridge_dev=' ]"
check "bash completion offers the commands and global options" bash -c "
	compopt() { :; }
	source tunfixctl.bash-completion
	COMP_WORDS=(tunfixctl ''); COMP_CWORD=1; _tunfixctl
	for w in status get set stats doctor help -j --json --list-knobs --list-counters; do
		[[ \" \${COMPREPLY[*]} \" == *\" \$w \"* ]] || { echo missing \$w; exit 1; }
	done
	COMP_WORDS=(tunfixctl -j help st); COMP_CWORD=3; _tunfixctl
	[ \"\${COMPREPLY[*]}\" = 'status stats' ] || { echo help: \${COMPREPLY[*]}; exit 1; }
	COMP_WORDS=(tunfixctl doctor --); COMP_CWORD=2; _tunfixctl
	[ \"\${COMPREPLY[*]}\" = '--probe --help' ] || { echo doctor: \${COMPREPLY[*]}; exit 1; }
	COMP_WORDS=(tunfixctl doctor --probe --t); COMP_CWORD=3; _tunfixctl
	[ \"\${COMPREPLY[*]}\" = '--timeout' ]"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
