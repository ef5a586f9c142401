# SPDX-License-Identifier: GPL-2.0
#
# Helpers shared by the DHCP scenarios (tests/netns/3*.sh): the LAN, the
# client's side of the IPsec set-up, a real DHCP server (dnsmasq or ISC
# dhcpd) and a real client (busybox udhcpc) whose renewals are started on
# demand with SIGUSR1.  Sources tests/lib.sh; waits with its builtin-only
# helpers (nap, count_matches, wait_matches).

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RECIPE_ROUTE="$TUNFIX_ROOT/Documentation/recipes/dhcp-route-based.sh"
RECIPE_POLICY="$TUNFIX_ROOT/Documentation/recipes/dhcp-policy-based.sh"
DHCP_PY="$TUNFIX_ROOT/tests/dhcp-packets.py"

SRV_IP=192.0.2.1
CLI_IP=192.0.2.10		# the only address in the server's pool
LAN_NET=192.0.2.0/24
CLI_MAC=02:00:00:00:00:0a
IF_ID=42
SPI=0x100
# the server's xfrm interface in the route-based scenarios (Libreswan's
# ipsec-interface=1 makes ipsec1)
XFRM_DEV=ipsec0

# dhcp_init - a work directory and the udhcpc script: it configures the
# address and appends "EVENT IP" to the file named by $DHCP_EVENTS
dhcp_init()
{
	DHCP_DIR=$(mktemp -d)
	cat >"$DHCP_DIR/udhcpc.script" <<-'EOF'
	#!/bin/sh
	case "$1" in
	bound|renew) /usr/sbin/ip addr replace "$ip/${mask:-24}" dev "$interface" ;;
	deconfig) /usr/sbin/ip addr flush dev "$interface" ;;
	esac
	echo "$1 $ip" >>"$DHCP_EVENTS"
	EOF
	chmod +x "$DHCP_DIR/udhcpc.script"
}

# dhcp_topology - the DHCP server S and its client C on one LAN:
#
#   S eth0 192.0.2.1/24 ------------------- eth0 C (udhcpc: 192.0.2.10)
#
# sets S and C (namespace names)
dhcp_topology()
{
	setup_ns S C
	must ip link add eth0 netns "$S" type veth peer name eth0 netns "$C" \
		address "$CLI_MAC"
	must ip -n "$S" addr add "$SRV_IP/24" dev eth0
	must ip -n "$S" link set eth0 up
	must ip -n "$C" link set eth0 up
}

# client_xfrmi - the client's xfrm interface: what IPsec decrypts for the
# client arrives there, and a DHCP client listening on eth0 never sees it
client_xfrmi()
{
	must ip -n "$C" link add ipsec0 type xfrm dev eth0 if_id "$IF_ID"
	must ip -n "$C" link set ipsec0 up
}

# client_ipsec_setup - the client's end of the static-key ESP SA, on its
# xfrm interface (client_xfrmi).  The client sends in clear.
client_ipsec_setup()
{
	client_xfrmi
	must ip -n "$C" -batch - <<-EOF
	xfrm state add src $SRV_IP dst $CLI_IP proto esp spi $SPI mode tunnel if_id $IF_ID aead rfc4106(gcm(aes)) $ESP_KEY 128
	xfrm policy add src 0.0.0.0/0 dst 0.0.0.0/0 dir in if_id $IF_ID tmpl src $SRV_IP dst $CLI_IP proto esp mode tunnel
	EOF
}

# server_start dnsmasq|dhcpd|kea - start the DHCP server in S, in the
# foreground, serving $CLI_IP on eth0.  Sets SRV_PID and SRV_LOG.
server_start()
{
	local d=$DHCP_DIR ready

	SRV_NAME=$1
	SRV_LOG=$d/$1.log
	case $1 in
	dnsmasq)
		# default mode: a wildcard socket, not --bind-interfaces
		ip netns exec "$S" dnsmasq --keep-in-foreground --conf-file=/dev/null \
			--port=0 --user=root --no-ping --dhcp-authoritative \
			--dhcp-range="$CLI_IP,$CLI_IP,255.255.255.0,1h" \
			--dhcp-leasefile="$d/dnsmasq.leases" \
			--pid-file="$d/dnsmasq.pid" --log-facility="$SRV_LOG" \
			2>>"$SRV_LOG" &
		ready="DHCP, IP range"
		;;
	dhcpd)
		cat >"$d/dhcpd.conf" <<-EOF
		authoritative;
		ddns-update-style none;
		ping-check false;
		default-lease-time 3600;
		max-lease-time 3600;
		subnet 192.0.2.0 netmask 255.255.255.0 {
			range $CLI_IP $CLI_IP;
		}
		EOF
		: >"$d/dhcpd.leases"
		# -d: -f, and the log on stderr
		ip netns exec "$S" dhcpd -4 -d -cf "$d/dhcpd.conf" \
			-lf "$d/dhcpd.leases" -pf "$d/dhcpd.pid" eth0 \
			>>"$SRV_LOG" 2>&1 &
		ready="Sending on   Socket"
		;;
	kea)
		# Kea's default: a raw (packet) socket for every reply
		cat >"$d/kea.conf" <<-EOF
		{ "Dhcp4": {
			"interfaces-config": { "interfaces": [ "eth0" ],
					       "dhcp-socket-type": "raw" },
			"lease-database": { "type": "memfile", "persist": false },
			"valid-lifetime": 3600,
			"subnet4": [ { "id": 1, "subnet": "$LAN_NET",
				       "pools": [ { "pool": "$CLI_IP - $CLI_IP" } ] } ],
			"loggers": [ { "name": "kea-dhcp4", "severity": "DEBUG",
				       "debuglevel": 99,
				       "output_options": [ { "output": "$SRV_LOG" } ] } ]
		} }
		EOF
		# Kea 2.6 and later write logs only where KEA_LOG_FILE_DIR says
		KEA_LOG_FILE_DIR=$d KEA_PIDFILE_DIR=$d KEA_LOCKFILE_DIR=$d ip netns exec "$S" \
			kea-dhcp4 -c "$d/kea.conf" >>"$d/kea-stderr.log" 2>&1 &
		ready=DHCP4_STARTED
		;;
	*)
		setup_fail "server_start: no DHCP server $1"
		;;
	esac
	SRV_PID=$!
	wait_matches "$SRV_LOG" "$ready" 1 10
}

server_stop()
{
	stop_pid SRV_PID
}

# client_start [NS [DEV [UDHCPC_OPTION...]]] - busybox udhcpc on DEV of NS
# (default: eth0 of C), in the foreground; events of its script go to
# $DHCP_EVENTS (events-$SRV_NAME).  Sets CLI_PID (udhcpc itself: ip netns
# exec execs it).  Waits for the first lease.
client_start()
{
	local ns=${1:-$C} dev=${2:-eth0}

	shift $(($# > 2 ? 2 : $#))
	DHCP_EVENTS=$DHCP_DIR/events-$SRV_NAME
	: >"$DHCP_EVENTS"
	# -T 2: a renewal not answered within 2 s has failed
	DHCP_EVENTS=$DHCP_EVENTS ip netns exec "$ns" busybox udhcpc -f -i "$dev" \
		-s "$DHCP_DIR/udhcpc.script" -T 2 -t 5 "$@" \
		>>"$DHCP_DIR/udhcpc-$SRV_NAME.log" 2>&1 &
	CLI_PID=$!
	wait_matches "$DHCP_EVENTS" bound 1 20
}

client_stop()
{
	stop_pid CLI_PID
}

# renew TIMEOUT_S - make udhcpc renew now (SIGUSR1: a unicast DHCPREQUEST
# to the server) and wait for the "renew" event of a DHCPACK; 0 if it came.
# Also waits for the server to log its answer: SERVER_ACKED is 1 if it did.
#
# busybox udhcpc 1.35 sends the unicast DHCPREQUEST from a short-lived
# socket connect()ed to the server; a DHCPACK that arrives before udhcpc
# closes it lands there and is lost.  udhcpc then rebinds (broadcast
# DHCPREQUEST) after -T seconds and gets the next DHCPACK: a renewal can
# take 2 s instead of a fraction of one.  Hence the timeouts.
renew()
{
	local renews acks rc t0 ms

	count_matches "$DHCP_EVENTS" renew
	renews=$MATCHES
	count_matches "$SRV_LOG" DHCPACK
	acks=$MATCHES
	now_ms
	t0=$NOW_MS
	kill -USR1 "$CLI_PID"
	wait_matches "$DHCP_EVENTS" renew $((renews + 1)) "$1"
	rc=$?
	now_ms
	ms=$((NOW_MS - t0))
	if [ "$rc" -eq 0 ]; then
		echo "renew: DHCPACK received after $ms ms"
	else
		echo "renew: no DHCPACK received in $ms ms"
	fi
	SERVER_ACKED=1
	if ! wait_matches "$SRV_LOG" DHCPACK $((acks + 1)) 2; then
		echo "renew: the server logged no DHCPACK"
		SERVER_ACKED=0
	fi
	return $rc
}

# renew_n N - N renewals in a row; 0 if all succeeded.  Sets RENEWED.
renew_n()
{
	local i

	RENEWED=0
	for ((i = 0; i < $1; i++)); do
		renew 5 || return 1
		RENEWED=$((RENEWED + 1))
	done
}

# renew_fails - one renewal that must fail: 0 if the server answered
# (logged a DHCPACK) but no DHCPACK reached udhcpc in 3 s.  udhcpc is
# stopped afterwards: it would go on rebinding and rediscovering on its
# own, and the next phase starts with a fresh client.
renew_fails()
{
	local rc=1

	renew 3 || rc=$((!SERVER_ACKED))
	client_stop
	return $rc
}

# dhcp_capture_start NAME - capture S's eth0 (the raw link) into
# $TUNFIX_RESULTS/NAME.pcap, until capture_stop; the tcpdump filter is
# $DHCP_CAPTURE_FILTER (default: every IPv4 packet)
dhcp_capture_start()
{
	capture_start "$S" eth0 "$TUNFIX_RESULTS/$1.pcap" -s 512 \
		"${DHCP_CAPTURE_FILTER:-ip}"
}

# capture_summary NAME... - for each capture set CAP_<NAME>_<key> from
# dhcp-packets.py summary (dhcp_clear, ack_clear, esp, icmp_clear,
# udp_other_clear); NAMEs must be valid in variable names
capture_summary()
{
	local n path kvs kv files=()

	for n in "$@"; do
		files+=("$TUNFIX_RESULTS/$n.pcap")
	done
	while read -r path kvs; do
		n=${path##*/}
		n=${n%.pcap}
		for kv in $kvs; do
			printf -v "CAP_${n}_${kv%%=*}" '%s' "${kv#*=}"
		done
		echo "capture $n: $kvs"
	done < <(python3 -S "$DHCP_PY" summary "$SRV_IP" "$CLI_IP" "${files[@]}")
}

# capture_verdicts SRV "KIND..." "KIND..." - summarize the captures
# SRV_KIND of both lists (capture_summary) and check them: in those of the
# first list the DHCPACKs were caught by IPsec (none in clear, ESP to the
# client); in those of the second they left in clear (3 renewals) while
# the ping still went as ESP only (nothing else in clear)
capture_verdicts()
{
	local srv=$1 kind ack esp icmp udp
	local -a caught clear names=()

	read -r -a caught <<<"$2"
	read -r -a clear <<<"$3"
	for kind in "${caught[@]}" "${clear[@]}"; do
		names+=("${srv}_$kind")
	done
	capture_summary "${names[@]}"
	for kind in "${caught[@]}"; do
		ack=CAP_${srv}_${kind}_ack_clear esp=CAP_${srv}_${kind}_esp
		[ "${!ack:-1}" -eq 0 ] && [ "${!esp:-0}" -ge 1 ]
		check_result $? "$srv: capture $kind: no DHCPACK in clear, ESP to the client"
	done
	for kind in "${clear[@]}"; do
		ack=CAP_${srv}_${kind}_ack_clear esp=CAP_${srv}_${kind}_esp
		icmp=CAP_${srv}_${kind}_icmp_clear udp=CAP_${srv}_${kind}_udp_other_clear
		[ "${!ack:-0}" -ge 3 ] && [ "${!esp:-0}" -ge 2 ] &&
			[ "${!icmp:-1}" -eq 0 ] && [ "${!udp:-1}" -eq 0 ]
		check_result $? "$srv: capture $kind: DHCPACKs in clear, the ping as ESP only"
	done
}

# fresh_client_phase NAME TEXT - capture $srv_NAME: a fresh client gets
# its lease and renews 3 times in a row, then a ping to it passes
fresh_client_phase()
{
	dhcp_capture_start "${srv}_$1"
	client_start
	check_result $? "$srv: $2: a fresh client gets its lease"
	renew_n 3
	check_result $? "$srv: $2: 3 renewals in a row succeed ($RENEWED)"
	ping_esp
	check_result $? "$srv: $2: the ping to the client passes"
	capture_stop
}

# route_based_renewals SRV - the server's route to the client goes
# through $XFRM_DEV (and a ping passes): one renewal without tunfix must fail,
# then with recipes/dhcp-route-based.sh's tunfix_dhcp_route_setup a fresh
# client gets its lease and renews 3 times, the ping still passes; the
# counters and the captures SRV_without and SRV_with are checked
route_based_renewals()
{
	local srv=$1

	dhcp_capture_start "${srv}_without"
	renew_fails
	check_result $? "$srv: without tunfix the renewal fails (the DHCPACK goes into $XFRM_DEV)"
	capture_stop

	in_recipe "$S" "$RECIPE_ROUTE" tunfix_dhcp_route_setup eth0 "$LAN_NET" "$XFRM_DEV"
	check_result $? "$srv: recipe: dhcp_remark=1 dhcp_dev=$XFRM_DEV, fwmark 0x800 -> table 20 -> eth0"

	fresh_client_phase with "with tunfix"

	tunfix_counters
	echo "$srv: counters: seen $TF_dhcp_seen remarked $TF_dhcp_remarked" \
		"rerouted $TF_dhcp_rerouted bypassed $TF_dhcp_bypassed" \
		"malformed $TF_dhcp_skip_malformed errors $TF_dhcp_errors"
	[ "$TF_dhcp_remarked" -ge 3 ] && [ "$TF_dhcp_rerouted" -ge 3 ] &&
		[ "$TF_dhcp_errors" -eq 0 ] && [ "$TF_dhcp_bypassed" -eq 0 ] &&
		[ "$TF_dhcp_skip_malformed" -eq 0 ]
	check_result $? "$srv: counters: >= 3 re-marked and re-routed, no errors, no bypass"

	in_recipe "$S" "$RECIPE_ROUTE" tunfix_dhcp_route_teardown "$LAN_NET" >/dev/null
	check_result $? "$srv: tunfix_dhcp_route_teardown"

	capture_verdicts "$srv" without with
}

# policy_based_renewals SRV - an IPsec policy of the server covers the
# client (and a ping passes as ESP): one renewal without tunfix must fail
# (capture SRV_without), then with recipes/dhcp-policy-based.sh's
# tunfix_xfrm_bypass_setup a fresh client gets its lease and renews 3
# times (capture SRV_tunfix); the client is stopped at the end
policy_based_renewals()
{
	local srv=$1

	ping_esp
	check_result $? "$srv: ping to the client passes"

	dhcp_capture_start "${srv}_without"
	renew_fails
	check_result $? "$srv: without tunfix the renewal fails (the DHCPACK leaves as ESP)"
	capture_stop

	in_recipe "$S" "$RECIPE_POLICY" tunfix_xfrm_bypass_setup eth0 >/dev/null
	check_result $? "$srv: recipe: dhcp_xfrm_bypass=1 dhcp_dev=eth0"
	fresh_client_phase tunfix "with tunfix"
	in_recipe "$S" "$RECIPE_POLICY" tunfix_xfrm_bypass_teardown >/dev/null
	client_stop
}

# dhcp_main SERVER... - the body of a scenario that defines scenario SRV:
# run it once per DHCP server, each on namespaces of its own, then exit
# with the result
dhcp_main()
{
	local srv

	dhcp_init
	tunfix_load
	for srv; do
		scenario "$srv"
		dhcp_cleanup
		cleanup_all_ns
	done
	exit_with_result
}

# tunfix_counters - set TF_<counter> from the server's /proc/net/tunfix,
# read through the DHCP server's /proc/PID/net (no process started)
tunfix_counters()
{
	local -a lines
	local l

	unset "${!TF_@}"
	mapfile -t lines <"/proc/$SRV_PID/net/tunfix" ||
		setup_fail "tunfix_counters: no /proc/$SRV_PID/net/tunfix"
	for l in "${lines[@]}"; do
		printf -v "TF_${l%% *}" '%s' "${l##* }"
	done
}

# tunfix_counters_reset - zero the server's counters (through its /proc/PID/net)
tunfix_counters_reset()
{
	echo 0 >"/proc/$SRV_PID/net/tunfix" ||
		setup_fail "tunfix_counters_reset: /proc/$SRV_PID/net/tunfix"
}

# ping_esp - two pings from the server to the client, which go through
# IPsec (the client decrypts on its ipsec0 and answers in clear)
ping_esp()
{
	ip netns exec "$S" ping -q -n -c 2 -i 0.2 -W 2 "$CLI_IP" >/dev/null
}

dhcp_cleanup()
{
	capture_stop
	client_stop
	server_stop
	[ -n "$DHCP_DIR" ] && [ -n "$TUNFIX_RESULTS" ] &&
		cp -f "$DHCP_DIR"/*.log "$DHCP_DIR"/*.leases "$DHCP_DIR"/events-* \
			"$TUNFIX_RESULTS/" 2>/dev/null
	return 0
}
