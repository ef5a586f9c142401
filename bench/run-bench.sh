#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of `make bench`: UDP datagrams with DF sent through a gre
# tunnel, once per variant, interleaved and repeated (names as in
# bench/report.py):
#   nohook   no hook                 off      tunfix loaded, df_egress=0
#   nomatch  tunfix, GRE not in df_protocols
#   tunfix   tunfix clearing DF, writing IDs
#   nft      the equivalent nftables rule
#   nfqueue  NFQUEUE + bench/nfq-df (bypass)
# CPU per packet = generator + ksoftirqd + nfq-df CPU time (schedstat) /
# packets sent; loss = sent - GRE packets counted at the receiver; "DF kept"
# = GRE packets that arrived with DF still set (tunfix, nft and nfqueue must have
# none: NFQUEUE fails open, so under overload it would pass some unchanged).
#
#   S eth0 ====================== eth0 R   (R counts and drops GRE)
#   198.51.100.1/24            198.51.100.2/24
#   gre1 192.0.2.1 -> 192.0.2.2

source "$TUNFIX_ROOT/tests/df-lib.sh"
B=$TUNFIX_ROOT/bench
REPS=${BENCH_REPS:-5}
N=${BENCH_PACKETS:-20000}
OUT=$TUNFIX_RESULTS/bench-raw.txt
trap 'pkill -f bench/nfq-df; tunfix_unload; cleanup_all_ns' EXIT

setup_ns S R
gre_pair "$S" "$R" eth0
ip netns exec "$S" ping -q -c 1 -W 2 198.51.100.2 >/dev/null

softirq_ns()
{
	local s=0 p

	for p in $(pgrep ksoftirqd); do
		s=$((s + $(cut -d' ' -f1 /proc/$p/schedstat)))
	done
	echo $s
}

# "RECEIVED DF_KEPT" GRE packets at the receiver
rx_count()
{
	ip netns exec "$R" nft list chain ip b pre |
		sed -n 's/.*packets \([0-9]*\).*/\1/p' | tac | tr '\n' ' '
}

setup()
{
	ip netns exec "$R" nft -f - <<-'NFT'
	table ip b
	delete table ip b
	table ip b {
		chain pre {
			type filter hook prerouting priority -300;
			ip protocol gre ip frag-off & 0x4000 != 0 counter
			ip protocol gre counter drop
		}
	}
	NFT
	case $1 in
	nohook) tunfix_unload ;;
	off) grep -q '^tunfix ' /proc/modules || insmod "$TUNFIX_KO" ;;
	nomatch|tunfix)
		grep -q '^tunfix ' /proc/modules || insmod "$TUNFIX_KO"
		ip netns exec "$S" sysctl -q -w net.tunfix.df_egress=1 \
			net.tunfix.df_protocols=$([ "$1" = nomatch ] && echo 50 || echo 47,50) ;;
	nft)
		tunfix_unload
		ip netns exec "$S" nft -f - <<-'NFT'
		table ip v4 {
			chain out {
				type filter hook output priority 0;
				ip protocol gre ip frag-off & 0x4000 != 0 ip frag-off set ip frag-off & 0xbfff ip id set numgen random mod 65536 << 16
			}
		}
		NFT
		;;
	nfqueue)
		tunfix_unload
		ip netns exec "$S" nft add table ip v5
		ip netns exec "$S" nft add chain ip v5 out '{ type filter hook output priority 0; }'
		ip netns exec "$S" nft add rule ip v5 out ip protocol gre queue num 0 bypass
		ip netns exec "$S" "$B/nfq-df" >"$TUNFIX_RESULTS/nfq.log" 2>&1 &
		NFQ_PID=$!
		slowwait 10 grep -q ready "$TUNFIX_RESULTS/nfq.log"
		;;
	esac
}

teardown()
{
	case $1 in
	off|nomatch|tunfix) ip netns exec "$S" sysctl -q -w net.tunfix.df_egress=0 net.tunfix.df_protocols=47,50 ;;
	nft) ip netns exec "$S" nft delete table ip v4 ;;
	nfqueue) ip netns exec "$S" nft delete table ip v5
	   kill "$NFQ_PID"
	   busywait 3000 bash -c "! kill -0 $NFQ_PID 2>/dev/null" || kill -9 "$NFQ_PID"
	   wait "$NFQ_PID" 2>/dev/null ;;
	esac
}

# the nft variant really writes IDs: capture a few of its packets
setup nft
capture_start "$R" eth0 "$TUNFIX_RESULTS/nft.pcap" -s 96 ip
ip netns exec "$S" "$B/gen" 192.0.2.2 9 1400 40 >/dev/null
capture_stop
teardown nft
if ! python3 "$TUNFIX_ROOT/tests/pcap-check.py" --proto 47 --random-ids --min-packets 10 "$TUNFIX_RESULTS/nft.pcap"; then
	echo "nft variant: does not clear DF or write IDs: its numbers would mean nothing"
	exit 1
fi
echo "nft variant: DF cleared and IDs written (random) checked"

: >"$OUT"
for rep in $(seq "$REPS"); do
	for size in 64 1400; do
		for v in nohook off nomatch tunfix nft nfqueue; do
			setup $v
			nfq0=0
			[ "$v" = nfqueue ] && nfq0=$(cut -d' ' -f1 /proc/$NFQ_PID/schedstat)
			s0=$(softirq_ns)
			res=$(timeout 120 ip netns exec "$S" "$B/gen" 192.0.2.2 9 "$size" "$N")
			[ -n "$res" ] || res="sent 0 cpu_ns 0 wall_ns 1"
			s1=$(softirq_ns)
			nfq1=0
			[ "$v" = nfqueue ] && nfq1=$(cut -d' ' -f1 /proc/$NFQ_PID/schedstat)
			sleep 0.3
			rx=$(rx_count)
			teardown $v
			set -- $res
			cpu=$(($4 + s1 - s0 + nfq1 - nfq0))
			set -- $2 $6 $cpu $rx
			echo "$v $size $1 ${4:-0} $2 $3 ${5:-0}" >>"$OUT"
		done
	done
	echo "round $rep of $REPS done"
done

# the tables: bench/report.py, on the host after the boot
