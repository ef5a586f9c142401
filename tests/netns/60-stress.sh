#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stress: while GRE-in-ESP traffic (big DF pings through a bridged gretap)
# and DHCP-port traffic flow, load/unload the module, churn namespaces with
# every hook on, flip knobs at random, read counters and write sysctls
# concurrently, and fuzz the sysctls.  The harness fails the run on any
# oops/WARN/lockdep report in dmesg.  TUNFIX_STRESS=long (make stress) runs
# the long version; the default is the short one inside `make check`.
#
#   hA eth0 --- vA [br0] gt0 ~~ u0 ====== u0 ~~ gt0 [br0] vB --- eth0 hB
#   192.0.2.1/24      198.51.100.1/24    198.51.100.2/24     192.0.2.2/24
#                     (GRE in ESP transport mode on the underlay)
#
# timeout: 1500

source "$TUNFIX_ROOT/tests/df-lib.sh"

require_cmd ip ping python3
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null; wait 2>/dev/null; tunfix_unload; cleanup_all_ns' EXIT

if [ "${TUNFIX_STRESS:-short}" = long ]; then
	LOADS=100 CHURN=200 FLIP_S=60 CONC_S=60 FUZZ=3000
else
	LOADS=10 CHURN=20 FLIP_S=10 CONC_S=10 FUZZ=300
fi
ALL_ON="df_egress=1 df_transit=1 df_bridge=1 dhcp_remark=1 df_udp_ports=4500"

bridged_topology esp
check_result $? "topology up"

# background traffic: big DF pings A -> B, and DHCP-port UDP from rA
ip netns exec "$hA" ping -q -i 0.05 -s 1472 -M do 192.0.2.2 >/dev/null 2>&1 &
PIDS+=($!)
ip netns exec "$rA" socat -u /dev/zero,readbytes=0 \
	UDP4-DATAGRAM:198.51.100.2:68,sourceport=67 >/dev/null 2>&1 &
PIDS+=($!)

# 1. load/unload under traffic, every hook on in every namespace
fails=0
for i in $(seq $LOADS); do
	# shellcheck disable=SC2086
	insmod "$TUNFIX_KO" $ALL_ON || fails=$((fails + 1))
	sleep 0.2
	rmmod tunfix || fails=$((fails + 1))
done
check_result $fails "$LOADS loads/unloads with all hooks on under traffic"

# 2. namespace churn with the module loaded and all hooks on
# shellcheck disable=SC2086
tunfix_load $ALL_ON
fails=0
for i in $(seq $CHURN); do
	ns=tunfix-churn-$$-$i
	ip netns add "$ns" || fails=$((fails + 1))
	ip -n "$ns" link set lo up || fails=$((fails + 1))
	ip netns exec "$ns" ping -q -c 1 -W 1 127.0.0.1 >/dev/null || fails=$((fails + 1))
	ip netns del "$ns" || fails=$((fails + 1))
done
check_result $fails "$CHURN namespaces created and destroyed with all hooks on"

# 3. random knob flips under traffic
python3 - "$rA" "$rB" "$FLIP_S" <<'PY'
import ctypes, errno, os, random, sys, time
libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000
nss, secs = sys.argv[1:3], float(sys.argv[3])
vals = {"df_egress": ["0", "1"], "df_transit": ["0", "1"], "df_bridge": ["0", "1"],
        "dhcp_remark": ["0", "1"], "dhcp_xfrm_bypass": ["0", "1"],
        "df_udp_ports": ["", "4500", "1194,4500"], "df_protocols": ["47,50", "50", "", "47", "2"],
        "df_min_len": ["0", "1000", "1500", "70000"], "dhcp_mark": ["0x1", "0x800"],
        "dhcp_mask": ["0xff", "0xffffffff"], "df_dev": ["", "u0", "nope"],
        "df_bridge_dev": ["", "gt0", "vA"], "dhcp_dev": ["", "u0"]}
# out of range: must be refused with EINVAL; every other write must succeed
bad = {("df_min_len", "70000")}
# one long-lived writer per namespace: setns once, then write in a loop
n = errors = 0
end = time.time() + secs
r = random.Random(7)
fds = {}
for ns in nss:
    fds[ns] = os.open("/run/netns/" + ns, os.O_RDONLY)
while time.time() < end:
    ns = r.choice(nss)
    if libc.setns(fds[ns], CLONE_NEWNET):
        sys.exit("setns failed")
    k = r.choice(list(vals))
    v = r.choice(vals[k])
    try:
        with open("/proc/sys/net/tunfix/" + k, "w") as f:
            f.write(v)
        refused = None
    except OSError as e:
        refused = e.errno
    if refused != (errno.EINVAL if (k, v) in bad else None):
        print("%s=%s: %s" % (k, v, os.strerror(refused) if refused else "accepted"))
        errors += 1
    n += 1
print("knob flips: %d, %d unexpected results" % (n, errors))
sys.exit(1 if errors or n == 0 else 0)
PY
check_result $? "random knob flips for ${FLIP_S}s under traffic"

# 4. concurrent counter readers and sysctl writers: each worker writes
# "ROUNDS ERRORS" to its file when time is up; every read and write must
# succeed, and every worker must have made progress
end=$(($(date +%s) + CONC_S))
CONC=()
for w in reader1 reader2 writer1 writer2; do
	ip netns exec "$rA" bash -c '
	end=$1 kind=$2 n=0 err=0
	printf -v line_re "[a-z_0-9]+ [0-9]+\n"
	while [ "${EPOCHREALTIME%.*}" -lt "$end" ]; do
		if [ "$kind" = reader ]; then
			# the whole file at once: lines of "name number"
			IFS= read -r -d "" text </proc/net/tunfix
			[[ $text =~ ^($line_re)+$ ]] || err=$((err + 1))
		else
			{ echo $((n % 2)) >/proc/sys/net/tunfix/df_transit &&
				echo 0 >/proc/net/tunfix; } 2>/dev/null || err=$((err + 1))
		fi
		n=$((n + 1))
	done
	echo "$n $err"' - "$end" "${w%[0-9]}" >"$TUNFIX_RESULTS/conc-$w.txt" &
	CONC+=($!)
done
PIDS+=("${CONC[@]}")
wait "${CONC[@]}"
fails=0
for w in reader1 reader2 writer1 writer2; do
	read -r n err <"$TUNFIX_RESULTS/conc-$w.txt"
	echo "$w: ${n:-none} rounds, ${err:-?} failed"
	[ "${n:-0}" -gt 0 ] && [ "$err" = 0 ] || fails=$((fails + 1))
done
check_result $fails "concurrent /proc/net/tunfix readers and sysctl writers for ${CONC_S}s: all made progress, none failed"

# 5. sysctl fuzzer
ip netns exec "$rB" python3 "$TUNFIX_ROOT/tests/sysctl-fuzz.py" "$FUZZ" 42
check_result $? "sysctl fuzzer: $FUZZ writes, every bad one refused, nothing changed by it"

# the scenario still works at the end
for ns in "$rA" "$rB"; do
	ip netns exec "$ns" sysctl -q -w net.tunfix.df_egress=1 net.tunfix.df_bridge=1 \
		net.tunfix.df_protocols=47,50 net.tunfix.df_min_len=0 net.tunfix.df_dev= \
		net.tunfix.df_bridge_dev=
done
if ! ping_df "$hA" 192.0.2.2 1472 3; then
	cat "$PING_OUT"
	for ns in "$rA" "$rB"; do
		echo "knobs of $ns:"
		ip netns exec "$ns" "$TUNFIXCTL" status
	done
	false
fi
check_result $? "after all that: ping -s 1472 -M do still passes"

echo "stress: loads $LOADS, namespaces churned $CHURN, flips ${FLIP_S}s, concurrency ${CONC_S}s, sysctl writes $FUZZ"
exit_with_result
