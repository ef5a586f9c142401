# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for the scenario scripts in tests/netns/, in the manner of
# the kernel's tools/testing/selftests/net/lib.sh.  Scenarios run under bash
# in the test guest with TUNFIX_ROOT, TUNFIX_KO, TUNFIXCTL and
# TUNFIX_RESULTS (a directory for artefacts) set.

ksft_pass=0
ksft_fail=1
ksft_skip=4

: "${TUNFIX_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${TUNFIX_KO:=$TUNFIX_ROOT/kmod/tunfix.ko}"
: "${TUNFIXCTL:=$TUNFIX_ROOT/tools/tunfixctl}"
: "${TUNFIX_RESULTS:=$(mktemp -d)}"
mkdir -p "$TUNFIX_RESULTS"

NS_LIST=()
RET=0
NPASS=0
NFAIL=0

# setup_ns VAR... - make a uniquely named netns per VAR, with lo up
setup_ns()
{
	local var ns

	for var in "$@"; do
		ns="$var-$(mktemp -u XXXXXX)"
		ip netns add "$ns" || return $ksft_fail
		ip -n "$ns" link set lo up
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

# busywait TIMEOUT_MS CMD... - poll CMD until it succeeds or time is up
busywait()
{
	local timeout=$1 start

	shift
	start=$(date +%s%3N)
	while true; do
		"$@" && return 0
		[ $(($(date +%s%3N) - start)) -ge "$timeout" ] && return 1
		sleep 0.1
	done
}

# slowwait TIMEOUT_S CMD... - the same, polling every 0.3 s
slowwait()
{
	local timeout=$1 start

	shift
	start=$(date +%s)
	while true; do
		"$@" && return 0
		[ $(($(date +%s) - start)) -ge "$timeout" ] && return 1
		sleep 0.3
	done
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
