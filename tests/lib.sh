# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for the scenario scripts in tests/netns/, in the manner of
# the kernel's tools/testing/selftests/net/lib.sh.  Scenarios run under bash
# in the test guest with TUNFIX_ROOT, TUNFIX_KO, TUNFIXCTL and
# TUNFIX_RESULTS (a directory for artefacts) set.
#
# The bottom of one chain: df-lib.sh (DF/ID scenarios) and dhcp-lib.sh
# (DHCP scenarios) source this file, and a scenario sources the one library
# it needs.  No name is defined in two of them.
#
# Waiting here starts no process (each costs 50-80 ms in the emulated
# guest): files are read with bash builtins, naps are reads with a timeout
# on a FIFO nobody writes to.

[ -n "${TUNFIX_LIB_SH:-}" ] && return 0
TUNFIX_LIB_SH=1

ksft_pass=0
ksft_fail=1
ksft_skip=4

: "${TUNFIX_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${TUNFIX_KO:=$TUNFIX_ROOT/kmod/tunfix.ko}"
: "${TUNFIXCTL:=$TUNFIX_ROOT/tools/tunfixctl}"
: "${TUNFIX_RESULTS:=$(mktemp -d)}"
mkdir -p "$TUNFIX_RESULTS"

# the key of every static ESP SA the scenarios set up (rfc4106(gcm(aes)):
# 128-bit key and 32-bit salt)
ESP_KEY=0x0123456789abcdef0123456789abcdef01234567

NS_LIST=()
CAPTURE_PIDS=()
CAPTURE_FILES=()
RET=0
NPASS=0
NFAIL=0

# setup_ns VAR... - make a uniquely named netns per VAR, with lo up
setup_ns()
{
	local var ns

	for var in "$@"; do
		ns="$var-$(mktemp -u XXXXXX)"
		must ip netns add "$ns"
		must ip -n "$ns" link set lo up
		NS_LIST+=("$ns")
		eval "$var=$ns"
	done
}

cleanup_all_ns()
{
	local ns

	for ns in "${NS_LIST[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	NS_LIST=()
}

# veth_link NS_A DEV_A ADDR_A NS_B DEV_B ADDR_B - a veth pair between two
# namespaces, each end with its address (ADDR/PREFIX, or "" for none) and
# up; a failure ends the scenario (must)
veth_link()
{
	must ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
	[ -z "$3" ] || must ip -n "$1" addr add "$3" dev "$2"
	[ -z "$6" ] || must ip -n "$4" addr add "$6" dev "$5"
	must ip -n "$1" link set "$2" up
	must ip -n "$4" link set "$5" up
}

# require_cmd CMD... - skip the scenario if a tool is missing
require_cmd()
{
	local c

	for c in "$@"; do
		if ! command -v "$c" >/dev/null; then
			echo "SKIP: $c not installed"
			exit $ksft_skip
		fi
	done
}

# require_debs - skip the scenario unless the packages of make deb are in
# TUNFIX_DEB_DIR and DKMS can build for the running kernel (its headers)
require_debs()
{
	if [ -z "$TUNFIX_DEB_DIR" ] ||
	   ! ls "$TUNFIX_DEB_DIR"/tunfix-dkms_*_all.deb >/dev/null 2>&1; then
		echo "SKIP: no packages (make deb, TUNFIX_DEB_DIR)"
		exit $ksft_skip
	fi
	if [ ! -e "/lib/modules/$(uname -r)/build" ]; then
		echo "SKIP: no headers for $(uname -r) here: DKMS cannot build"
		exit $ksft_skip
	fi
}

# nap SECONDS - sleep without starting a process
nap()
{
	read -r -t "$1" -u "$NAP_FD" _
	return 0
}
NAP_DIR=$(mktemp -d)
mkfifo "$NAP_DIR/nap"
exec {NAP_FD}<>"$NAP_DIR/nap"
rm -rf "$NAP_DIR"

# now_ms - set NOW_MS to the wall clock in milliseconds
now_ms()
{
	local t=${EPOCHREALTIME/[.,]/}

	NOW_MS=$((t / 1000))
}

# poll TIMEOUT_MS INTERVAL_S CMD... - run CMD every INTERVAL_S seconds
# until it succeeds; 0 if it did within TIMEOUT_MS, 1 if time ran out
poll()
{
	local end interval=$2

	now_ms
	end=$((NOW_MS + $1))
	shift 2
	while true; do
		"$@" && return 0
		now_ms
		[ "$NOW_MS" -ge "$end" ] && return 1
		nap "$interval"
	done
}

# busywait TIMEOUT_MS CMD... - poll CMD every 0.1 s until it succeeds
busywait()
{
	poll "$1" 0.1 "${@:2}"
}

# slowwait TIMEOUT_S CMD... - poll CMD every 0.3 s until it succeeds
slowwait()
{
	poll $(($1 * 1000)) 0.3 "${@:2}"
}

# count_matches FILE WORD - set MATCHES to the number of lines of FILE that
# contain WORD (0 if FILE does not exist yet)
count_matches()
{
	local -a lines
	local l

	MATCHES=0
	[ -e "$1" ] || return 0
	mapfile -t lines <"$1"
	for l in "${lines[@]}"; do
		[[ $l == *"$2"* ]] && MATCHES=$((MATCHES + 1))
	done
	return 0
}

# has_matches FILE WORD N - 0 if at least N lines of FILE contain WORD
has_matches()
{
	count_matches "$1" "$2"
	[ "$MATCHES" -ge "$3" ]
}

# wait_matches FILE WORD N TIMEOUT_S - wait until N lines of FILE contain
# WORD; 0 if they did in time
wait_matches()
{
	busywait $(($4 * 1000)) has_matches "$1" "$2" "$3"
}

# check_result RC DESCRIPTION - print PASS/FAIL for one check
check_result()
{
	local rc=$1

	shift
	if [ "$rc" -eq 0 ]; then
		printf 'PASS: %s\n' "$*"
		NPASS=$((NPASS + 1))
	else
		printf 'FAIL: %s\n' "$*"
		NFAIL=$((NFAIL + 1))
		RET=$ksft_fail
	fi
}

# setup_fail TEXT - a set-up step failed: end the scenario at once with a
# FAIL line, the summary and exit 1 (what follows would test nothing)
setup_fail()
{
	check_result 1 "set-up: $*"
	exit_with_result
}

# must CMD... - run one set-up command (ip, nft, sysctl...); if it fails,
# the scenario ends with setup_fail
must()
{
	"$@" || setup_fail "$*"
}

# exit_with_result - end a scenario with its summary and exit code
exit_with_result()
{
	echo "$NPASS passed, $NFAIL failed"
	exit $RET
}

# tunfix_load [PARAM=VALUE...] - insmod the freshly built module
tunfix_load()
{
	tunfix_unload
	if ! insmod "$TUNFIX_KO" "$@"; then
		echo "FAIL: insmod $TUNFIX_KO $*"
		exit $ksft_fail
	fi
}

tunfix_unload()
{
	if grep -q '^tunfix ' /proc/modules; then
		rmmod tunfix
	fi
}

# in_recipe NS RECIPE 'shell code' - run code in NS with the functions of
# RECIPE (a file in Documentation/recipes) loaded, under set -e: non-zero
# as soon as one command of a recipe function fails, not only the last
in_recipe()
{
	local ns=$1 recipe=$2

	shift 2
	ip netns exec "$ns" bash -ec ". '$recipe'; $*"
}

# stop_pid VAR - end and reap the background process whose id VAR holds,
# if any; empties VAR
stop_pid()
{
	[ -n "${!1}" ] || return 0
	kill "${!1}" 2>/dev/null
	wait "${!1}" 2>/dev/null
	printf -v "$1" '%s' ''
}

# doctor NS [NAME] - tunfixctl doctor in NS: its output (with stderr) in
# DOCTOR, printed and, with NAME, kept in $TUNFIX_RESULTS/doctor-NAME.txt;
# its exit status in DOCTOR_RC
doctor()
{
	DOCTOR=$("$TUNFIXCTL" -n "$1" doctor 2>&1)
	DOCTOR_RC=$?
	[ -z "${2:-}" ] || echo "$DOCTOR" >"$TUNFIX_RESULTS/doctor-$2.txt"
	echo "doctor in $1 (exit $DOCTOR_RC):"
	echo "$DOCTOR" | sed 's/^/    /'
}

# capture_start NS DEV FILE [TCPDUMP_ARG...] - tcpdump on DEV in NS into
# FILE (its log in FILE.log) until capture_stop; returns once tcpdump is
# listening, and ends the scenario (setup_fail) if it does not start.
# --immediate-mode: libpcap's TPACKET_V3 ring otherwise hands packets over
# only when a block fills or after its 1 s timeout, and the packets of the
# last second before capture_stop would never reach FILE (field notes).
capture_start()
{
	local ns=$1 dev=$2 file=$3

	shift 3
	: >"$file.log"
	ip netns exec "$ns" tcpdump -i "$dev" -n -U --immediate-mode "$@" \
		-w "$file" 2>"$file.log" &
	CAPTURE_PIDS+=($!)
	# lo: libpcap drops its outgoing copy of each packet in userspace,
	# after the kernel counted both (received by filter = 2 x captured)
	[ "$dev" = lo ] || CAPTURE_FILES+=("$file")
	wait_matches "$file.log" "listening on" 1 10 ||
		setup_fail "tcpdump -i $dev in $ns: $(<"$file.log")"
}

# capture_stats FILE - set CAPTURED and RECEIVED from tcpdump's closing
# statistics in FILE.log ("N packets captured", "N packets received by
# filter"; empty if it printed none): after capture_stop, CAPTURED is the
# number of packets of FILE
capture_stats()
{
	local -a lines
	local l

	CAPTURED= RECEIVED=
	mapfile -t lines <"$1.log"
	for l in "${lines[@]}"; do
		[[ $l =~ ^([0-9]+)\ packets?\ captured ]] && CAPTURED=${BASH_REMATCH[1]}
		[[ $l =~ ^([0-9]+)\ packets?\ received\ by\ filter ]] && RECEIVED=${BASH_REMATCH[1]}
	done
	return 0
}

# capture_written FILE - 0 if tcpdump's closing statistics in FILE.log say
# it wrote every packet its filter received ("N packets captured" equal to
# "N packets received by filter"); prints what went wrong otherwise
capture_written()
{
	capture_stats "$1"
	if [ -z "$CAPTURED" ] || [ -z "$RECEIVED" ]; then
		echo "capture $1: tcpdump printed no statistics (it died early?)"
		return 1
	fi
	if [ "$CAPTURED" -lt "$RECEIVED" ]; then
		echo "capture $1: $CAPTURED of the $RECEIVED packets the filter received were written"
		return 1
	fi
	return 0
}

# capture_sizes - set CAPTURE_SIZES to the sizes of every capture file
capture_sizes()
{
	[ ${#CAPTURE_FILES[@]} -eq 0 ] ||
		CAPTURE_SIZES=$(stat -c %s "${CAPTURE_FILES[@]}" 2>/dev/null)
}

# capture_settled - 0 once no capture file has grown since the last call
capture_settled()
{
	local before=$CAPTURE_SIZES

	capture_sizes
	[ "$CAPTURE_SIZES" = "$before" ]
}

# capture_stop - stop every capture of capture_start once the files stop
# growing (a tcpdump writing to the results share can lag behind the
# traffic: what is still in its ring when it is killed is lost), and say
# when a capture wrote fewer packets than its filter received
capture_stop()
{
	local f

	[ ${#CAPTURE_PIDS[@]} -gt 0 ] || return 0
	capture_sizes
	nap 0.5
	[ ${#CAPTURE_FILES[@]} -eq 0 ] || poll 20000 0.3 capture_settled
	kill "${CAPTURE_PIDS[@]}" 2>/dev/null
	wait "${CAPTURE_PIDS[@]}" 2>/dev/null
	for f in "${CAPTURE_FILES[@]}"; do
		capture_written "$f" || echo "NOTE: the checks on $f see part of the traffic"
	done
	CAPTURE_PIDS=()
	CAPTURE_FILES=()
}
