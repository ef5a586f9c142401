# SPDX-License-Identifier: GPL-2.0
#
# Helpers shared by the DHCP scenarios (tests/netns/3*.sh): the LAN, the
# client's side of the IPsec set-up, a real DHCP server (dnsmasq or ISC
# dhcpd) and a real client (busybox udhcpc) whose renewals are started on
# demand with SIGUSR1.  Sourced after tests/lib.sh.
#
# The polling here avoids starting processes (each costs 50-80 ms in the
# emulated guest): files are read with bash builtins, and naps are reads
# with a timeout on a FIFO nobody writes to.

RECIPE_ROUTE="$TUNFIX_ROOT/Documentation/recipes/dhcp-route-based.sh"
RECIPE_POLICY="$TUNFIX_ROOT/Documentation/recipes/dhcp-policy-based.sh"
DHCP_PY="$TUNFIX_ROOT/tests/dhcp-packets.py"

SRV_IP=192.0.2.1
CLI_IP=192.0.2.10		# the only address in the server's pool
LAN_NET=192.0.2.0/24
CLI_MAC=02:00:00:00:00:0a
IF_ID=42
SPI=0x100
ESP_KEY=0x0123456789abcdef0123456789abcdef01234567

# dhcp_init - a work directory, the FIFO dhcp_nap reads from, the udhcpc
# script: it configures the address and appends "EVENT IP" to the file
# named by $DHCP_EVENTS
dhcp_init()
{
	DHCP_DIR=$(mktemp -d)
	mkfifo "$DHCP_DIR/nap"
	exec {DHCP_NAP_FD}<>"$DHCP_DIR/nap"
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

# dhcp_nap SECONDS - sleep without starting a process
dhcp_nap()
{
	read -r -t "$1" -u "$DHCP_NAP_FD" _
	return 0
}

# dhcp_count FILE WORD - set DHCP_N to the number of lines of FILE that
# contain WORD (builtins only)
dhcp_count()
{
	local -a lines
	local l

	DHCP_N=0
	[ -e "$1" ] || return 0
	mapfile -t lines <"$1"
	for l in "${lines[@]}"; do
		[[ $l == *"$2"* ]] && DHCP_N=$((DHCP_N + 1))
	done
	return 0
}

# dhcp_wait_count FILE WORD N TIMEOUT_S - wait until FILE has N lines with
# WORD; 0 if it got there in time
dhcp_wait_count()
{
	local file=$1 word=$2 n=$3 i

	for ((i = 0; i <= $4 * 10; i++)); do
		dhcp_count "$file" "$word"
		[ "$DHCP_N" -ge "$n" ] && return 0
		dhcp_nap 0.1
	done
	return 1
}

# in_ns NS RECIPE 'shell code' - run code in NS with RECIPE loaded
in_ns()
{
	local ns=$1 recipe=$2

	shift 2
	ip netns exec "$ns" bash -c ". '$recipe'; $*"
}

# dhcp_topology - the DHCP server S and its client C on one LAN:
#
#   S eth0 192.0.2.1/24 ------------------- eth0 C (udhcpc: 192.0.2.10)
#
# sets S and C (namespace names)
dhcp_topology()
{
	setup_ns S C || return 1
	ip link add eth0 netns "$S" type veth peer name eth0 netns "$C" \
		address "$CLI_MAC" || return 1
	ip -n "$S" addr add "$SRV_IP/24" dev eth0
	ip -n "$S" link set eth0 up
	ip -n "$C" link set eth0 up
}

# client_ipsec_setup - the client's end of the ESP SA: an xfrm interface
# that decrypts what the server sends through IPsec.  What arrives there
# is not seen by a DHCP client listening on eth0.  The client sends in clear.
client_ipsec_setup()
{
	ip -n "$C" -batch - <<-EOF
	link add ipsec0 type xfrm dev eth0 if_id $IF_ID
	link set ipsec0 up
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
	esac
	SRV_PID=$!
	dhcp_wait_count "$SRV_LOG" "$ready" 1 10
}

server_stop()
{
	[ -n "$SRV_PID" ] || return 0
	kill "$SRV_PID" 2>/dev/null
	wait "$SRV_PID" 2>/dev/null
	SRV_PID=
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
	dhcp_wait_count "$DHCP_EVENTS" bound 1 20
}

client_stop()
{
	[ -n "$CLI_PID" ] || return 0
	kill "$CLI_PID" 2>/dev/null
	wait "$CLI_PID" 2>/dev/null
	CLI_PID=
}

# renew TIMEOUT_S - make udhcpc renew now (SIGUSR1: a unicast DHCPREQUEST
# to the server) and wait for the "renew" event of a DHCPACK; 0 if it came.
# Also waits for the server to log its answer.
#
# busybox udhcpc 1.35 sends the unicast DHCPREQUEST from a short-lived
# socket connect()ed to the server; a DHCPACK that arrives before udhcpc
# closes it lands there and is lost.  udhcpc then rebinds (broadcast
# DHCPREQUEST) after -T seconds and gets the next DHCPACK: a renewal can
# take 2 s instead of a fraction of one.  Hence the timeouts.
renew()
{
	local renews acks rc t0=${EPOCHREALTIME/./} ms

	dhcp_count "$DHCP_EVENTS" renew
	renews=$DHCP_N
	dhcp_count "$SRV_LOG" DHCPACK
	acks=$DHCP_N
	kill -USR1 "$CLI_PID"
	dhcp_wait_count "$DHCP_EVENTS" renew $((renews + 1)) "$1"
	rc=$?
	ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
	if [ "$rc" -eq 0 ]; then
		echo "renew: DHCPACK received after $ms ms"
	else
		echo "renew: no DHCPACK received in $ms ms"
	fi
	dhcp_wait_count "$SRV_LOG" DHCPACK $((acks + 1)) 2 ||
		echo "renew: the server logged no DHCPACK"
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

# renew_fails - one renewal that must fail: the server answers (logged),
# but no DHCPACK reaches udhcpc in 3 s.  udhcpc is stopped afterwards: it
# would go on rebinding and rediscovering on its own, and the next phase
# starts with a fresh client.
renew_fails()
{
	local rc

	! renew 3
	rc=$?
	client_stop
	return $rc
}

# capture_start NAME - tcpdump on S's eth0 (the raw link) into
# $TUNFIX_RESULTS/NAME.pcap
capture_start()
{
	CAP_FILE=$TUNFIX_RESULTS/$1.pcap
	ip netns exec "$S" tcpdump -i eth0 -n -U --immediate-mode -s 512 \
		-w "$CAP_FILE" ip \
		2>"$CAP_FILE.log" &
	CAP_PID=$!
	dhcp_wait_count "$CAP_FILE.log" "listening on" 1 10
}

capture_stop()
{
	[ -n "$CAP_PID" ] || return 0
	dhcp_nap 0.3
	kill "$CAP_PID" 2>/dev/null
	wait "$CAP_PID" 2>/dev/null
	CAP_PID=
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

# tunfix_counters - set TF_<counter> from the server's /proc/net/tunfix,
# read through the DHCP server's /proc/PID/net (no process started)
tunfix_counters()
{
	local -a lines
	local l

	mapfile -t lines <"/proc/$SRV_PID/net/tunfix"
	for l in "${lines[@]}"; do
		printf -v "TF_${l%% *}" '%s' "${l##* }"
	done
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
