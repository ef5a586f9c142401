#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The whole test suite, as run by `make check` and CI:
#   1. build of the module (WERROR=1: warnings are errors) and of tunfixctl
#   2. checkpatch --strict on every kernel source
#   3. sparse (make C=2), each uapi header compiled alone, the in-tree
#      build through Kconfig, and the documentation of every knob and
#      counter against their lists (tests/knob-docs-check.py)
#   4. tunfixctl unit tests and the benchmark report's test, on the host
#   5. DKMS build and install for the guest kernel (then removed again),
#      the same from a fresh clone as a user types it (dkms add ., dkms
#      install .), make install into a staging directory, the Debian
#      packages (make deb, with lintian), make dist twice (same bytes)
#   6. the guest suite: every tests/netns scenario in one qemu boot
# Prints a line per step, then "N passed, N failed, N skipped" over all
# steps and all tests inside them; exits non-zero if anything failed.

cd "$(dirname "$0")/.." || exit 1
BUILD=tests/.build
mkdir -p "$BUILD"
passed=0 failed=0 skipped=0

# step NAME CMD... - run CMD, log to $BUILD/NAME.log, count one test
step()
{
	local name=$1 rc start

	shift
	start=$(date +%s)
	"$@" >"$BUILD/$name.log" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "PASS $name ($(($(date +%s) - start))s)"
		passed=$((passed + 1))
	else
		echo "FAIL $name (exit $rc, log $BUILD/$name.log)"
		tail -n 30 "$BUILD/$name.log" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
	return "$rc"
}

# suite NAME CMD... - run a runner that ends with "N passed, N failed[, N skipped]"
suite()
{
	local name=$1 rc line p f s

	shift
	"$@" 2>&1 | tee "$BUILD/$name.log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$BUILD/$name.log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "FAIL $name (no summary line, exit $rc)"
		failed=$((failed + 1))
		return 1
	fi
	p=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
	f=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
	s=$(echo "$line" | grep -oE '[0-9]+ skipped' | grep -oE '[0-9]+')
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + ${s:-0}))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $name (exit $rc)"
		failed=$((failed + 1))
	fi
}

step build make all WERROR=1
step checkpatch make checkpatch
step sparse make sparse
step uapi make uapi-check
step intree make intree-check
step knob-docs python3 tests/knob-docs-check.py
step dkms-conf tests/dkms-conf-check.sh
suite unit make -s -C tools check WERROR=1
suite bench-report python3 tests/bench-report-test.py
# the DKMS-built module goes into the guest for 50-dkms-modprobe, the
# Debian packages for 51-deb-packages
if step dkms tests/dkms-prepare.sh "$BUILD/dkms-moddir"; then
	export TUNFIX_GUEST_MODDIR=$PWD/$BUILD/dkms-moddir
fi
# DKMS from a clone, and make dist, need a git checkout (a tree unpacked
# from make dist's tarball is none)
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	in_git=1
else
	in_git=
	echo "SKIP dkms-checkout, dist (not a git checkout)"
	skipped=$((skipped + 2))
fi
[ -z "$in_git" ] || step dkms-checkout tests/dkms-checkout.sh
step install tests/install-check.sh
if step deb make deb; then
	export TUNFIX_DEB_DIR=$PWD/$BUILD/deb
fi
[ -z "$in_git" ] || step dist tests/dist-check.sh
suite guest tests/qemu/run.sh

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
