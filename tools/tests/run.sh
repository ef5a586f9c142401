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

KNOBS=$(sed -n 's/^TUNFIX_KNOB([A-Z_0-9]*, \([a-z_0-9]*\),.*/\1/p' ../uapi/linux/tunfix_knobs.h)
COUNTERS=$(sed -n 's/^TUNFIX_COUNTER([A-Z_0-9]*, \([a-z_0-9]*\),.*/\1/p' ../uapi/linux/tunfix_counters.h)

# fake_tree: a module "loaded" with its defaults and some counters
fake_tree()
{
	rm -rf "$OUT/tree"
	mkdir -p "$OUT/tree/proc/sys/net/tunfix" "$OUT/tree/proc/net" \
		"$OUT/tree/sys/module/tunfix" "$OUT/tree/netns"
	sed -n 's/^TUNFIX_KNOB([A-Z_0-9]*, \([a-z_0-9]*\), [A-Z_0-9]*, [^,]*, [^,]*, "\([^"]*\)",.*/\1 \2/p' \
		../uapi/linux/tunfix_knobs.h | while read -r k v; do
		echo "$v" >"$OUT/tree/proc/sys/net/tunfix/$k"
	done
	n=0
	for c in $COUNTERS; do
		echo "$c $n"
		n=$((n + 7))
	done >"$OUT/tree/proc/net/tunfix"
	echo 0.1.0 >"$OUT/tree/sys/module/tunfix/version"
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
			"$bin" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
		rc=$?
		[ "$rc" = "$want" ] || { ok=0; echo "  $bin $*: exit $rc, want $want"; }
		grep -q "runtime error\|AddressSanitizer" "$OUT/$name.err" && {
			ok=0; echo "  $bin: sanitizer report"; cat "$OUT/$name.err"; }
	done
	if [ -n "$HAVE_VALGRIND" ] && [ -z "$NO_VALGRIND" ]; then
		fake_tree_if_needed
		TUNFIXCTL_PROC=$OUT/tree/proc TUNFIXCTL_SYS=$OUT/tree/sys \
			TUNFIXCTL_NETNS_DIR=$OUT/tree/netns \
			valgrind -q --error-exitcode=99 --leak-check=full \
			./tunfixctl "$@" >"$OUT/$name.out" 2>"$OUT/$name.vg"
		rc=$?
		[ "$rc" = 99 ] && { ok=0; echo "  valgrind:"; cat "$OUT/$name.vg"; }
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

# --- basics
t help 0 --help
t version 0 --version
check "version names tool and module" grep -q "module 0.1.0" "$OUT/version.out"
t list-knobs 0 --list-knobs
check "--list-knobs is the header's knob list" [ "$(cat "$OUT/list-knobs.out")" = "$KNOBS" ]
t no-command 2
t unknown-command 2 frobnicate
t bad-option 2 --frob
t status 0 status
check "status shows every knob" bash -c "for k in $(echo $KNOBS); do grep -q \" \$k \" $OUT/status.out || exit 1; done"
check "status shows non-zero counters" grep -q "df_cleared_egress" "$OUT/status.out"

# --- get
t get-one 0 get df_protocols
check "get prints the value" [ "$(cat "$OUT/get-one.out")" = "47,50" ]
t get-two 0 get df_egress dhcp_mark
check "get of two prints KNOB=VALUE" [ "$(cat "$OUT/get-two.out")" = "$(printf 'df_egress=0\ndhcp_mark=0x800')" ]
t get-unknown 2 get nope
t get-none 2 get

# --- set: validation before any write
KEEP_TREE=1
fake_tree
t set-good 0 set df_egress=1 df_protocols=50,47 dhcp_mark=0x10 df_dev=eth0
vals=
for k in df_egress df_protocols dhcp_mark df_dev; do
	vals="$vals $(cat $OUT/tree/proc/sys/net/tunfix/$k)"
done
check "set wrote all values" [ "$vals" = " 1 50,47 0x10 eth0" ]
for bad in df_egress=2 df_egress=-1 df_egress= df_egress=abc df_egress=1x \
	   df_protocols=51 df_protocols=0 df_protocols=256 df_protocols=gre \
	   df_protocols=47,51 df_protocols=1000 df_min_len=65536 \
	   dhcp_mark=0x1ffffffff dhcp_mark=-1 dhcp_mask=4294967296 \
	   df_dev=this-name-is-too-long df_dev=a/b df_dev=a:b df_dev=.. \
	   "df_dev=a b" nope=1 df_egress noequals; do
	before=$(cat $OUT/tree/proc/sys/net/tunfix/* | md5sum)
	t "set-bad-$bad" 2 set df_transit=1 "$bad"
	check "set-bad-$bad changed nothing" [ "$before" = "$(cat $OUT/tree/proc/sys/net/tunfix/* | md5sum)" ]
	check "set-bad-$bad says why" test -s "$OUT/set-bad-${bad//\//_}.err"
done

# --- set: the kernel refuses the second write -> the first is restored
fake_tree
# /dev/full reads as empty and refuses writes (ENOSPC)
ln -sf /dev/full "$OUT/tree/proc/sys/net/tunfix/df_min_len"
NO_VALGRIND=1 t set-rejected 6 set df_egress=1 df_min_len=100
check "after a refused write the first knob is restored" [ "$(cat $OUT/tree/proc/sys/net/tunfix/df_egress)" = 0 ]
check "the refusal is explained" grep -q "refused" "$OUT/set-rejected.err"
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
assert d['version'] == '0.1.0' and d['netns'] is None
assert d['counters']['df_cleared_egress'] == 7
"
NO_VALGRIND=1 t stats-watch 0 stats --json --watch 0.2 --count 2
check "stats --watch --count 2 prints two objects with rates" python3 -c "
import json
lines = open('$OUT/stats-watch.out').read().splitlines()
assert len(lines) == 2
for l in lines:
    d = json.loads(l); assert 'rates' in d and d['rates']['df_seen'] == 0.0
"
t stats-watch-bad 2 stats --watch 0
t stats-count-bad 2 stats --watch 1 --count x
t stats-extra 2 stats extra
KEEP_TREE=1
fake_tree
t stats-reset 0 stats --reset
check "--reset writes 0 to the counters file" grep -qx 0 "$OUT/tree/proc/net/tunfix"
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
t netns-missing 4 -n no-such-ns status
t netns-bad-name 2 -n ../x status
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	fake_tree
	chmod -R a+rX "$OUT"
	chmod 0644 "$OUT"/tree/proc/sys/net/tunfix/*
	TUNFIXCTL_PROC=$OUT/tree/proc TUNFIXCTL_SYS=$OUT/tree/sys \
		setpriv --reuid=65534 --regid=65534 --clear-groups \
		./tunfixctl set df_egress=1 >/dev/null 2>"$OUT/perm.err"
	rc=$?
	check "no permission: exit 5" [ "$rc" = 5 ]
fi

# --- documentation
check "every knob and counter is in the man page" bash -c "for n in $(echo $KNOBS $COUNTERS); do grep -q \"^\\.B \$n\$\" tunfixctl.8 || { echo missing \$n; exit 1; }; done"
check "bash completion parses" bash -n tunfixctl.bash-completion

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
