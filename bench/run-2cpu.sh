#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of the two-CPU part of `make bench`: two flows at once, each
# sender pinned to its own vCPU, GRE on CPU 0 and ESP (a transport-mode SA
# with a static key) on CPU 1, 64-byte UDP datagrams with DF, for the
# variants nohook and tunfix (df_egress on, GRE and ESP), interleaved and
# repeated.  Shows that tunfix has no shared written cache line on the
# packet path: each flow's packets per second stay those of nohook, and
# the counters add up exactly (df_cleared_egress and id_rewritten equal
# the packets sent, and the packets R received, which must all be
# without DF).  One line per flow and run in 2cpu-raw.txt:
#   variant flow sent wall_ns
#
#   S eth0 ====================== eth0 R   (R counts and drops GRE, ESP)
#   198.51.100.1/24            198.51.100.2/24
#   gre1 192.0.2.1 -> 192.0.2.2            (flow "gre", CPU 0)
#   UDP to 198.51.100.2:10 in ESP          (flow "esp", CPU 1)

source "$TUNFIX_ROOT/tests/df-lib.sh"
B=$TUNFIX_ROOT/bench
REPS=${BENCH_REPS:-5}
N=${BENCH_PACKETS:-20000}
OUT=$TUNFIX_RESULTS/2cpu-raw.txt
trap 'tunfix_unload; cleanup_all_ns' EXIT

setup_ns S R
gre_pair "$S" "$R" eth0
must ip -n "$S" xfrm state add src 198.51.100.1 dst 198.51.100.2 proto esp \
	spi 0x100 mode transport aead 'rfc4106(gcm(aes))' "$ESP_KEY" 128
must ip -n "$S" xfrm policy add src 198.51.100.1 dst 198.51.100.2 proto udp \
	dport 10 dir out tmpl proto esp mode transport
must ip netns exec "$R" nft -f - <<-'NFT'
	table ip b {
		chain pre {
			type filter hook prerouting priority -300;
			ip frag-off & 0x4000 != 0 counter name df_kept
			ip protocol gre counter name gre_rx drop
			ip protocol esp counter name esp_rx drop
		}
		counter df_kept { }
		counter gre_rx { }
		counter esp_rx { }
	}
NFT

# rx NAME - packets of R's named counter NAME
rx()
{
	ip netns exec "$R" nft list counter ip b "$1" |
		sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

# counter NS NAME is df-lib's: a tunfix counter of NS
rc=0
: >"$OUT"
for rep in $(seq "$REPS"); do
	for v in nohook tunfix; do
		if [ $v = tunfix ]; then
			tunfix_load
			must ip netns exec "$S" sysctl -q -w net.tunfix.df_egress=1
		else
			tunfix_unload
		fi
		ip netns exec "$R" nft reset counters table ip b >/dev/null
		taskset -c 0 ip netns exec "$S" "$B/gen" 192.0.2.2 9 64 "$N" \
			>"$TUNFIX_RESULTS/2cpu-gre.txt" &
		g=$!
		taskset -c 1 ip netns exec "$S" "$B/gen" 198.51.100.2 10 64 "$N" \
			>"$TUNFIX_RESULTS/2cpu-esp.txt"
		wait $g
		nap 0.3
		sent=0
		for f in gre esp; do
			read -r _ s _ _ _ wall <"$TUNFIX_RESULTS/2cpu-$f.txt"
			echo "$v $f $s $wall" >>"$OUT"
			sent=$((sent + s))
		done
		got=$(($(rx gre_rx) + $(rx esp_rx)))
		if [ $v = tunfix ]; then
			c=$(counter "$S" df_cleared_egress)
			i=$(counter "$S" id_rewritten)
			k=$(rx df_kept)
			if [ "$c" != "$sent" ] || [ "$i" != "$sent" ] ||
			   [ "$got" != "$sent" ] || [ "$k" != 0 ]; then
				echo "FAIL two CPUs: sent $sent, received $got ($k with DF), df_cleared_egress $c, id_rewritten $i"
				rc=1
			fi
			echo "counters $sent $c $i $got $k" >>"$OUT"
		fi
	done
	echo "two-CPU round $rep of $REPS done"
done
exit $rc
