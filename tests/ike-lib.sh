# SPDX-License-Identifier: GPL-2.0
#
# Helpers for scenarios that run an IKE daemon: one strongSwan charon per
# network namespace, configured with the files of
# Documentation/recipes/strongswan/ and driven with swanctl, or one
# Libreswan pluto per namespace (pluto_*), configured with the files of
# Documentation/recipes/libreswan/ and driven with addconn and whack.
# Sources tests/df-lib.sh (and through it tests/lib.sh).
#
# Each charon runs in its namespace and in a mount namespace of its own
# with a tmpfs on /run: its pid file path is fixed at build time, so two
# charons sharing /run would refuse to start.  Its strongswan.conf
# (STRONGSWAN_CONF) includes the recipe's and adds a vici socket and a log
# file of its own; swanctl reads the same file to find the socket, and its
# swanctl.conf (SWANCTL_DIR) includes the recipe's.
#
# A scenario calls ike_stop_all from its EXIT trap, and ike_check_stopped
# as its last check: both cover charon and pluto.

source "$(dirname "${BASH_SOURCE[0]}")/df-lib.sh"

SWAN_RECIPES="$TUNFIX_ROOT/Documentation/recipes/strongswan"
# a DHCP scenario's captures leave IKE out: it is in clear by design, and
# charon talks to its peer when udhcpc flushes and sets the client's address
DHCP_CAPTURE_FILTER="ip and not (udp port 500 or udp port 4500)"
CHARON=/usr/lib/ipsec/charon

# namespace -> instance directory (sockets, configuration) and charon pid
declare -A IKE_DIR IKE_PID

# ike_start NS SWANCTL_CONF [SWANCTL_EXTRA]
#   Start charon in NS with the recipe's strongswan.conf, and write its
#   swanctl.conf: SWANCTL_CONF (a recipe file) included, then
#   SWANCTL_EXTRA (swanctl.conf text that extends or overrides it, such
#   as the initiator's remote_addrs).  If IKE_STRONGSWAN_EXTRA names a
#   recipe file, charon's strongswan.conf includes it after the recipe's
#   strongswan.conf.  Returns once charon answers on its
#   vici socket; a failure ends the scenario (setup_fail).  Logs in
#   $TUNFIX_RESULTS/charon-NS.log.
ike_start()
{
	local ns=$1 conf=$2 extra=${3:-} dir log

	# a unix socket path must stay short, and not on the results share
	dir=$(mktemp -d /tmp/ike.XXXXXX)
	log="$TUNFIX_RESULTS/charon-$ns.log"
	IKE_DIR[$ns]=$dir
	cat >"$dir/strongswan.conf" <<-EOF
	include $SWAN_RECIPES/strongswan.conf
	${IKE_STRONGSWAN_EXTRA:+include $IKE_STRONGSWAN_EXTRA}
	charon {
		plugins {
			vici {
				socket = unix://$dir/charon.vici
			}
		}
		filelog {
			test {
				path = $log
				default = 1
				ike = 2
				cfg = 2
				time_format = %T
			}
		}
	}
	swanctl {
		socket = unix://$dir/charon.vici
	}
	EOF
	printf 'include %s\n%s\n' "$conf" "$extra" >"$dir/swanctl.conf"
	STRONGSWAN_CONF="$dir/strongswan.conf" ip netns exec "$ns" \
		unshare -m --propagation private \
		sh -c "mount -t tmpfs tmpfs /run && exec $CHARON" \
		>"$dir/charon.out" 2>&1 &
	IKE_PID[$ns]=$!
	slowwait 15 ike_swanctl "$ns" --stats >/dev/null 2>&1 ||
		setup_fail "charon in $ns: $(cat "$dir/charon.out" "$log" 2>/dev/null)"
}

# ike_swanctl NS ARG... - run swanctl ARG... against the charon of NS
ike_swanctl()
{
	local dir=${IKE_DIR[$1]}

	STRONGSWAN_CONF="$dir/strongswan.conf" SWANCTL_DIR="$dir" \
		ip netns exec "$1" swanctl "${@:2}"
}

# ike_load NS - load the connections and secrets of NS's swanctl.conf
# (swanctl --load-all); a failure ends the scenario
ike_load()
{
	must ike_swanctl "$1" --load-all --noprompt \
		>>"$TUNFIX_RESULTS/swanctl-$1.log" 2>&1
}

# ike_child_up NS CHILD - 0 if NS's charon has CHILD installed
ike_child_up()
{
	ike_swanctl "$1" --list-sas --child "$2" 2>/dev/null | grep -q INSTALLED
}

# ike_initiate NS CHILD [TIMEOUT_S] - initiate CHILD (and its IKE_SA) from
# NS and wait until it is installed; 0 if it is within TIMEOUT_S (20)
ike_initiate()
{
	local ns=$1 child=$2 tmo=${3:-20}

	ike_swanctl "$ns" --initiate --child "$child" --timeout "$tmo" \
		>>"$TUNFIX_RESULTS/swanctl-$ns.log" 2>&1 &&
		slowwait "$tmo" ike_child_up "$ns" "$child"
}

# ike_stop_all - stop every charon ike_start and every pluto pluto_start
# started (SIGTERM, then SIGKILL after 10 s) and remove their instance
# directories
ike_stop_all()
{
	local ns

	for ns in "${!IKE_PID[@]}"; do
		ike_kill "${IKE_PID[$ns]}"
		rm -rf "${IKE_DIR[$ns]}"
		unset "IKE_PID[$ns]" "IKE_DIR[$ns]"
	done
	for ns in "${!LSW_PID[@]}"; do
		ike_kill "${LSW_PID[$ns]}"
		rm -rf "${LSW_DIR[$ns]}"
		unset "LSW_PID[$ns]" "LSW_DIR[$ns]" "LSW_CONF[$ns]"
	done
}

# ike_kill PID - end daemon PID (SIGTERM, then SIGKILL after 10 s) and reap it
ike_kill()
{
	kill "$1" 2>/dev/null
	busywait 10000 ike_gone "$1" || kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# ike_gone PID - 0 if process PID has ended (or is a zombie); it may end
# between the two steps, so a failed read means it has
ike_gone()
{
	local stat

	[ -r "/proc/$1/stat" ] || return 0
	read -r stat <"/proc/$1/stat" 2>/dev/null || return 0
	stat=${stat##*) }
	[ "${stat%% *}" = Z ]
}

# ike_check_stopped - stop every charon and pluto, then check (a test
# line) that no charon or pluto process is left anywhere on the system
ike_check_stopped()
{
	local left

	ike_stop_all
	left=$(pgrep -x 'charon|pluto' | tr '\n' ' ')
	[ -z "$left" ]
	check_result $? "no charon or pluto left running${left:+ (pids: $left)}"
}

# Libreswan.  Debian's libreswan conflicts with the strongSwan packages
# the suite installs, so make deps leaves its .deb in LSW_DEBS (and
# installs the libraries it links with); pluto_require unpacks its
# programs into /usr/libexec/ipsec of the guest's root, a tmpfs overlay
# (pluto runs addconn from there, a path fixed at build time), unless
# Libreswan is installed.  Each pluto gets its own NSS database, run
# directory (pid file, ctl socket, dump directory) and ipsec.d; its
# ipsec.conf and ipsec.secrets are the recipe's files themselves.  No
# mount namespace is needed: every path pluto would share is an option.
LSW_RECIPES="$TUNFIX_ROOT/Documentation/recipes/libreswan"
LSW_EXEC=/usr/libexec/ipsec
LSW_DEBS=/var/cache/tunfix-tests/debs
# namespace -> instance directory, pluto pid, ipsec.conf
declare -A LSW_DIR LSW_PID LSW_CONF

# pluto_require - skip the scenario unless pluto, whack and addconn can
# run (Libreswan installed, or its .deb unpacked here); a pluto that does
# not start (a missing library: make deps) ends it as a failure
pluto_require()
{
	local debs=("$LSW_DEBS"/libreswan_*.deb) deb p

	require_cmd certutil
	if [ ! -e "$LSW_EXEC/pluto" ]; then
		deb=${debs[0]}
		if [ ! -e "$deb" ] || [ "$(stat -f -c %T /)" != overlayfs ]; then
			echo "SKIP: no Libreswan, and no libreswan .deb in $LSW_DEBS to unpack in a guest (make deps)"
			exit "$ksft_skip"
		fi
		# --skip-old-files: whatever another package has there stays
		dpkg-deb --fsys-tarfile "$deb" |
			tar -x --skip-old-files -C / ./usr/libexec/ipsec ||
			setup_fail "unpack $deb"
		echo "Libreswan: $(basename "$deb") unpacked into $LSW_EXEC"
	fi
	for p in pluto whack addconn; do
		[ -x "$LSW_EXEC/$p" ] || { echo "SKIP: no $LSW_EXEC/$p"; exit "$ksft_skip"; }
	done
	"$LSW_EXEC/pluto" --version >/dev/null 2>&1 ||
		setup_fail "pluto does not run: $("$LSW_EXEC/pluto" --version 2>&1)"
}

# pluto_start NS IPSEC_CONF [IPSEC_SECRETS] - start pluto in NS with
# IPSEC_CONF (a recipe file: its config setup, and the connections
# pluto_add loads) and IPSEC_SECRETS (default the recipe's ipsec.secrets).
# Returns once it answers on its ctl socket; a failure ends the scenario
# (setup_fail).  Logs in $TUNFIX_RESULTS/pluto-NS.log.
pluto_start()
{
	local ns=$1 conf=$2 secrets=${3:-$LSW_RECIPES/ipsec.secrets} dir log

	# a unix socket path must stay short, and not on the results share
	dir=$(mktemp -d /tmp/lsw.XXXXXX)
	log="$TUNFIX_RESULTS/pluto-$ns.log"
	LSW_DIR[$ns]=$dir
	LSW_CONF[$ns]=$conf
	mkdir -p "$dir/nss" "$dir/run" &&
		certutil -N -d "sql:$dir/nss" --empty-password ||
		setup_fail "pluto in $ns: certutil -N -d sql:$dir/nss"
	ip netns exec "$ns" "$LSW_EXEC/pluto" --nofork --config "$conf" \
		--secretsfile "$secrets" --rundir "$dir/run" --dumpdir "$dir/run" \
		--nssdir "$dir/nss" --ipsecdir "$dir" --no-dnssec \
		--logfile "$log" >"$dir/pluto.out" 2>&1 &
	LSW_PID[$ns]=$!
	slowwait 15 pluto_whack "$ns" --status >/dev/null 2>&1 ||
		setup_fail "pluto in $ns: $(cat "$dir/pluto.out" "$log" 2>/dev/null)"
}

# pluto_whack NS ARG... - run whack ARG... against the pluto of NS
pluto_whack()
{
	ip netns exec "$1" "$LSW_EXEC/whack" \
		--ctlsocket "${LSW_DIR[$1]}/run/pluto.ctl" "${@:2}"
}

# pluto_add NS CONN - load connection CONN of NS's ipsec.conf into its
# pluto (ipsec auto --add) and check that pluto lists it (whack --status):
# a failure ends the scenario
pluto_add()
{
	must ip netns exec "$1" "$LSW_EXEC/addconn" --config "${LSW_CONF[$1]}" \
		--ctlsocket "${LSW_DIR[$1]}/run/pluto.ctl" "$2" \
		>>"$TUNFIX_RESULTS/whack-$1.log" 2>&1
	pluto_whack "$1" --status 2>/dev/null | grep -q "\"$2\":" ||
		setup_fail "pluto of $1 has no connection $2 (whack-$1.log)"
}

# pluto_sa_up NS CONN - 0 if NS's pluto has an IPsec SA of CONN
# established (whack --trafficstatus lists it)
pluto_sa_up()
{
	pluto_whack "$1" --trafficstatus 2>/dev/null | grep -q "\"$2\""
}

# pluto_initiate NS CONN [TIMEOUT_S] - bring CONN up from NS (ipsec auto
# --up) and wait until its IPsec SA is established; 0 if it is within
# TIMEOUT_S (30)
pluto_initiate()
{
	local ns=$1 conn=$2 tmo=${3:-30}

	pluto_whack "$ns" --name "$conn" --initiate --asynchronous \
		>>"$TUNFIX_RESULTS/whack-$ns.log" 2>&1 &&
		slowwait "$tmo" pluto_sa_up "$ns" "$conn"
}

# ike_gretap_scenario direct|nat [charon|pluto] - two LANs bridged over
# gretap between rA and rB, the GRE packets in a transport-mode SA that
# strongSwan's charon (default; recipes/strongswan/swanctl-gretap.conf)
# or Libreswan's pluto (recipes/libreswan/ipsec-gretap.conf, with "nat"
# ipsec-gretap-nat.conf) negotiates, across M: a router whose link to rB
# has MTU 1400 and which drops ICMP "fragmentation needed"
# (blackhole_path); with "nat", M also masquerades rA's packets, and the
# daemon puts ESP into UDP 4500 (pluto: in tunnel mode, rB's gretap
# towards rA's own address, as ipsec-gretap-nat.conf says why).  Fails
# without tunfix, passes with it; with nat, also with GRE left out of
# df_protocols and port 4500 in df_udp_ports.  Capture checked.
#
#  hA eth0 -- vA [br0] gt0 ~ rA u0 ====== u0 M u1 ==(MTU 1400)== u0 rB gt0 ~ [br0] vB -- eth0 hB
#  192.0.2.1/24      198.51.100.1/30   .2/30  203.0.113.1/30  203.0.113.2/30          192.0.2.2/24
ike_gretap_scenario()
{
	local mode=$1 daemon=${2:-charon} peer_a=198.51.100.1
	local pcap="$TUNFIX_RESULTS/rA-u0-$1.pcap"
	local check_args=(--proto 50 --forbid-proto 47) filter=ip
	local swanctl_conf="$SWAN_RECIPES/swanctl-gretap.conf" sa_up=ike_child_up
	# pluto: rA's connection is "gre"; through the NAT rB's is "gre-any",
	# in tunnel mode (see recipes/libreswan/ipsec-gretap-nat.conf), and
	# rB's gretap has rA's own address as remote
	local lsw_conf="$LSW_RECIPES/ipsec-gretap.conf" lsw_conn_b=gre sa_mode=transport big=1380
	# set by setup_ns
	local hA='' rA='' M='' rB='' hB=''

	setup_ns hA rA M rB hB
	blackhole_path "$rA" "$M" "$rB"
	if [ "$mode" = nat ]; then
		# rB sees rA's packets coming from M
		peer_a=203.0.113.1
		must ip netns exec "$M" nft -f - <<-'NFT'
		table ip nat {
			chain post {
				type nat hook postrouting priority srcnat;
				oifname "u1" masquerade
			}
		}
		NFT
		check_args=(--proto 17 --forbid-proto 50 --forbid-proto 47)
		filter="ip proto 17"
		if [ "$daemon" = pluto ]; then
			lsw_conf="$LSW_RECIPES/ipsec-gretap-nat.conf" lsw_conn_b=gre-any
			sa_mode=tunnel peer_a=198.51.100.1 big=1360
			# the outer header's ID is the kernel's
			check_args+=(--kernel-ids)
		fi
	fi
	veth_link "$hA" eth0 192.0.2.1/24 "$rA" vA ""
	veth_link "$hB" eth0 192.0.2.2/24 "$rB" vB ""
	must in_recipe "$rA" "$RECIPE_BRIDGED" gretap_bridge_setup vA 198.51.100.1 203.0.113.2
	must in_recipe "$rB" "$RECIPE_BRIDGED" gretap_bridge_setup vB 203.0.113.2 "$peer_a"

	if [ "$daemon" = pluto ]; then
		sa_up=pluto_sa_up
		pluto_start "$rB" "$lsw_conf"
		pluto_start "$rA" "$lsw_conf"
		pluto_add "$rB" "$lsw_conn_b"
		pluto_add "$rA" gre
		pluto_initiate "$rA" gre && pluto_sa_up "$rB" "$lsw_conn_b"
		check_result $? "pluto: IPsec SA gre established on rA and rB ($mode)"
	else
		ike_start "$rB" "$swanctl_conf"
		ike_start "$rA" "$swanctl_conf" "connections { gre { remote_addrs = 203.0.113.2 } }"
		ike_load "$rB"
		ike_load "$rA"
		ike_initiate "$rA" gre && ike_child_up "$rB" gre
		check_result $? "charon: CHILD_SA gre installed on rA and rB ($mode)"
	fi
	ip -n "$rA" xfrm state list src 198.51.100.1 | grep -q "mode $sa_mode"
	check_result $? "$daemon: rA's SA is in $sa_mode mode ($mode)"

	if [ "$mode" = nat ]; then
		ip -n "$rA" xfrm state | grep -q 'encap type espinudp sport 4500 dport 4500'
		check_result $? "$daemon detected the NAT: ESP in UDP 4500"
	else
		! ip -n "$rA" xfrm state | grep -q encap
		check_result $? "no NAT: plain ESP"
	fi

	slowwait 10 ping_df "$hA" 192.0.2.2 56 1
	check_result $? "small pings cross the bridge ($mode)"

	# -s 1380 ($big): the outer ESP packet (1480 bytes, 1488 in UDP; in
	# tunnel mode 20 more, hence -s 1360 there) fits rA's
	# underlay but not M's 1400 link, and the ICMP that would say so is
	# dropped; -s 1472: the frame does not fit the gretap's path MTU and
	# rA's gretap drops it itself
	! ping_df "$hA" 192.0.2.2 "$big" 2
	check_result $? "without tunfix: ping -s $big -M do dies in M's black hole ($mode)"
	blackhole_dropped "$M"
	check_result $? "M really dropped the ICMP frag-needed"
	! ping_df "$hA" 192.0.2.2 1472 2
	check_result $? "without tunfix: ping -s 1472 -M do fails ($mode)"

	tunfix_load
	in_recipe "$rA" "$RECIPE_BRIDGED" tunfix_bridged_enable &&
		in_recipe "$rB" "$RECIPE_BRIDGED" tunfix_bridged_enable
	check_result $? "enable tunfix on both routers with the recipe"
	ping_df "$hA" 192.0.2.2 "$big" 3 && ping_df "$hA" 192.0.2.2 1472 3
	check_result $? "with tunfix: ping -s $big and -s 1472 -M do pass ($mode)"
	if [ "$mode" = nat ]; then
		# The GRE packet passes LOCAL_OUT before IPsec, and df_egress
		# fixes its header there; in transport mode that header is the
		# ESP-in-UDP packet's, in tunnel mode the outer one copies its DF.  Without GRE in df_protocols only
		# df_udp_ports can fix the ESP-in-UDP packet.
		for ns in "$rA" "$rB"; do
			must ip netns exec "$ns" sysctl -q -w net.tunfix.df_protocols=50
		done
		! ping_df "$hA" 192.0.2.2 "$big" 2
		check_result $? "df_protocols=50 (GRE not handled), no df_udp_ports: ESP in UDP keeps DF and dies"
		in_recipe "$rA" "$RECIPE_BRIDGED" tunfix_nat_t_enable &&
			in_recipe "$rB" "$RECIPE_BRIDGED" tunfix_nat_t_enable
		check_result $? "df_udp_ports=4500 on both routers with the recipe"
		if [ "$sa_mode" = tunnel ]; then
			# A tunnel-mode SA refuses the GRE packet that
			# keeps DF and does not fit, before it becomes ESP
			# in UDP: the GRE header must be fixed
			! ping_df "$hA" 192.0.2.2 1472 2
			check_result $? "tunnel mode: df_udp_ports=4500 without GRE in df_protocols does not help"
			for ns in "$rA" "$rB"; do
				must ip netns exec "$ns" sysctl -q -w net.tunfix.df_protocols=47,50
			done
		fi
	fi

	capture_start "$rA" u0 "$pcap" -s 96 "$filter"
	ping_df "$hA" 192.0.2.2 1472 5
	check_result $? "with tunfix: ping -s 1472 -M do passes ($mode)"
	tcp_bulk "$hA" "$hB" 192.0.2.2 4
	check_result $? "with tunfix: 4 MB TCP A->B arrives intact ($mode)"
	capture_stop

	python3 "$TUNFIX_ROOT/tests/pcap-check.py" "${check_args[@]}" \
		--expect-fragments --min-packets 100 "$pcap"
	check_result $? "capture on rA u0: DF clear, IDs non-zero and unique, checksums valid ($mode)"

	[ "$(counter "$rA" df_cleared_bridge)" -gt 0 ] &&
		[ "$(counter "$rA" df_cleared_egress)" -gt 0 ] &&
		[ "$(counter "$rB" df_cleared_egress)" -gt 0 ]
	check_result $? "counters: rA bridge $(counter "$rA" df_cleared_bridge), egress $(counter "$rA" df_cleared_egress); rB egress $(counter "$rB" df_cleared_egress)"

	echo "rA: df_protocols=$(ip netns exec "$rA" sysctl -n net.tunfix.df_protocols)" \
		"df_udp_ports=$(ip netns exec "$rA" sysctl -n net.tunfix.df_udp_ports); counters:"
	ip netns exec "$rA" grep -v ' 0$' /proc/net/tunfix

	"$sa_up" "$rA" gre
	check_result $? "the $daemon SA is still up after the traffic"
}

# per_sa_mark_scenario charon|pluto - two transport-mode SAs between rA
# and rB, one for ICMP ("marked"), one for UDP ("plain"); only "marked"
# carries a mark: charon's set_mark_out (recipes/strongswan/
# swanctl-per-sa-mark.conf, the SA's output mark), or Libreswan's
# mark-out (recipes/libreswan/ipsec-per-sa-mark.conf: the mark the
# outbound policy and SA match, given to the ICMP packets by the nft rule
# of recipes/libreswan/per-sa-mark.sh; the ESP packets keep it).  rA
# sends DF pings and DF UDP datagrams; captures on rB, one per SA (by
# SPI): with df_egress off the ESP packets of both SAs keep DF; with
# recipes/strongswan/per-sa-mark.sh (df_egress, df_mark=0x10,
# df_mask=0xff) those of "marked" have DF clear, new non-zero IDs and
# valid checksums, those of "plain" keep DF.
#
#   rA u0 198.51.100.1/24 ======================= u0 rB 198.51.100.2/24
per_sa_mark_scenario()
{
	local daemon=$1 A=198.51.100.1 B=198.51.100.2 sa_up=ike_child_up
	local conf=$SWAN_RECIPES/swanctl-per-sa-mark.conf markre=output-mark reqid=''
	# set by setup_ns
	local rA='' rB=''

	setup_ns rA rB
	veth_link "$rA" u0 "$A/24" "$rB" u0 "$B/24"
	# rB drops the datagrams: no "port unreachable" that would make rA's
	# connected socket fail the next send
	must ip netns exec "$rB" nft add table ip t29 '{ chain in { type filter hook input priority 0; udp dport 9 drop; }; }'
	tunfix_load

	if [ "$daemon" = pluto ]; then
		sa_up=pluto_sa_up conf=$LSW_RECIPES/ipsec-per-sa-mark.conf
		must in_recipe "$rA" "$LSW_RECIPES/per-sa-mark.sh" \
			lswan_icmp_mark_setup "$B" >/dev/null
		must in_recipe "$rB" "$LSW_RECIPES/per-sa-mark.sh" \
			lswan_icmp_mark_setup "$A" >/dev/null
		pluto_start "$rB" "$conf"
		pluto_start "$rA" "$conf"
		pluto_add "$rB" marked
		pluto_add "$rB" plain
		pluto_add "$rA" marked
		pluto_add "$rA" plain
		pluto_initiate "$rA" marked && pluto_initiate "$rA" plain &&
			pluto_sa_up "$rB" marked && pluto_sa_up "$rB" plain
		check_result $? "pluto: IPsec SAs marked and plain established on rA and rB"
	else
		ike_start "$rB" "$conf"
		ike_start "$rA" "$conf" "connections { per-sa { remote_addrs = $B } }"
		ike_load "$rB"
		ike_load "$rA"
		ike_initiate "$rA" marked && ike_initiate "$rA" plain &&
			ike_child_up "$rB" marked && ike_child_up "$rB" plain
		check_result $? "charon: CHILD_SAs marked and plain installed on rA and rB"
	fi

	# rA's outgoing SAs: the one with a mark is "marked".  charon puts
	# its output mark on the SA; pluto puts mark-out on the outbound
	# policy only (XFRMA_MARK, programs/pluto/kernel_xfrm.c), so its SA
	# is the one with the reqid of the marked policy's template
	if [ "$daemon" = pluto ]; then
		ip -n "$rA" xfrm policy list dir out
		reqid=$(ip -n "$rA" xfrm policy list dir out | awk '
			/^src/ { mk = 0 } /mark 0x10\/0xff/ { mk = 1 }
			mk && /reqid/ { for (i = 1; i < NF; i++) if ($i == "reqid") print $(i + 1) }')
		markre="reqid ${reqid:-none} mode"
	fi
	ip -n "$rA" xfrm state list src "$A" dst "$B"
	read -r SPI_MARKED SPI_PLAIN < <(ip -n "$rA" xfrm state list src "$A" dst "$B" |
		awk -v re="$markre" '/proto esp spi/ { spi = $4; m[spi] = 0 } $0 ~ re { m[spi] = 1 }
		     END { for (s in m) if (m[s]) a = a s; else b = b s
			   print (a == "" ? "none" : a), (b == "" ? "none" : b) }')
	echo "rA's SAs: marked $SPI_MARKED, plain $SPI_PLAIN"
	[[ $SPI_MARKED =~ ^0x[0-9a-f]+$ && $SPI_PLAIN =~ ^0x[0-9a-f]+$ ]]
	check_result $? "rA has one SA with a mark ($markre) and one without"

	per_sa_capture off
	per_sa_send
	capture_stop
	per_sa_pcap_check off marked --expect-df
	check_result $? "df_egress off: marked SA's ESP packets keep DF"
	per_sa_pcap_check off plain --expect-df
	check_result $? "df_egress off: plain SA's ESP packets keep DF"

	in_recipe "$rA" "$SWAN_RECIPES/per-sa-mark.sh" tunfix_per_sa_enable >/dev/null
	check_result $? "recipe: df_egress=1 df_protocols=50 df_mark=0x10 df_mask=0xff on rA"
	per_sa_capture on
	per_sa_send
	capture_stop
	per_sa_pcap_check on marked
	check_result $? "with tunfix: marked SA's ESP packets: DF clear, new IDs, valid checksums"
	per_sa_pcap_check on plain --expect-df
	check_result $? "with tunfix: plain SA's ESP packets keep DF"
	[ "$(counter "$rA" df_cleared_egress)" -ge 5 ] && [ "$(counter "$rA" skip_mark)" -ge 5 ]
	check_result $? "counters: df_cleared_egress $(counter "$rA" df_cleared_egress), skip_mark $(counter "$rA" skip_mark)"

	"$sa_up" "$rA" marked && "$sa_up" "$rA" plain
	check_result $? "both $daemon SAs still up"
}

# per_sa_send - from rA to rB: 5 DF pings (ICMP: "marked") and 5 DF
# datagrams on a connected UDP socket ("plain"), 1000 bytes each
per_sa_send()
{
	ip netns exec "$rA" ping -q -n -c 5 -i 0.2 -W 1 -M do -s 1000 "$B" >/dev/null
	ip netns exec "$rA" bash -c "exec 3>/dev/udp/$B/9
		for i in 1 2 3 4 5; do printf '%1000s' x >&3; done"
}

# per_sa_capture NAME - capture rB's u0 into NAME-marked.pcap and
# NAME-plain.pcap, each the ESP packets of one SA from rA (by SPI)
per_sa_capture()
{
	capture_start "$rB" u0 "$TUNFIX_RESULTS/$1-marked.pcap" -s 96 \
		"src $A and ip proto 50 and ip[20:4] = $SPI_MARKED"
	capture_start "$rB" u0 "$TUNFIX_RESULTS/$1-plain.pcap" -s 96 \
		"src $A and ip proto 50 and ip[20:4] = $SPI_PLAIN"
}

# per_sa_pcap_check NAME SA [ARG...] - tests/pcap-check.py on NAME-SA.pcap (ESP)
per_sa_pcap_check()
{
	python3 "$TUNFIX_ROOT/tests/pcap-check.py" --proto 50 --min-packets 5 \
		"${@:3}" "$TUNFIX_RESULTS/$1-$2.pcap"
}
