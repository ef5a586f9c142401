#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/env/distro-check.sh [SUITE] - the README's set-up commands on a fresh
# Debian machine: debootstrap SUITE (default trixie, Debian 13; minbase
# plus make and git, as a new machine that has cloned tunfix has), put a
# git checkout of this tree's HEAD in it (with this tree's uncommitted
# changes on top), and run `make deps && make && make check` there.  The guest suite then boots
# that release's own kernel with that release's qemu, inside the root.
#
# The debootstrap'd base is cached as a tarball in $TUNFIX_CACHE/distro;
# every run unpacks it afresh.  Ends with the root's "N passed, N failed,
# N skipped" line; the whole log is tests/.build/distro-SUITE.log.

set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SUITE=${1:-trixie}
CACHE=${TUNFIX_CACHE:-/var/cache/tunfix-tests}/distro
# what the base holds besides minbase: its tarball is named after it
INCLUDE=make,git
BASE=$CACHE/$SUITE-${INCLUDE//,/-}.tar
DIR=$CACHE/$SUITE
LOG=$ROOT/tests/.build/distro-$SUITE.log
MIRROR=${TUNFIX_MIRROR:-http://deb.debian.org/debian}
# shellcheck source=tests/env/lib.sh
. "$ROOT/tests/env/lib.sh"

mkdir -p "$CACHE" "$ROOT/tests/.build"
root_remove "$DIR" || exit 1
if [ ! -e "$BASE" ]; then
	echo "distro-check: debootstrap $SUITE"
	debootstrap --variant=minbase --include=$INCLUDE "$SUITE" "$DIR" "$MIRROR" \
		>"$LOG" 2>&1 || { tail -n 20 "$LOG"; exit 1; }
	tar -C "$DIR" -cf "$BASE.tmp" . && mv "$BASE.tmp" "$BASE" || exit 1
	root_remove "$DIR" || exit 1
fi
mkdir -p "$DIR" && tar -C "$DIR" -xf "$BASE" || exit 1
# the checkout: HEAD fetched into a new repository, then the files of the
# working tree (tracked and untracked, not ignored) over it
git init -q "$DIR/root/tunfix" && git -C "$DIR/root/tunfix" fetch -q "$ROOT" HEAD &&
	git -C "$DIR/root/tunfix" checkout -q -B main FETCH_HEAD || exit 1
git -C "$ROOT" ls-files -z --cached --others --exclude-standard | (cd "$ROOT" && cpio -0pdmu --quiet "$DIR/root/tunfix") || exit 1

# the host's /run/lock, where tests/qemu/run.sh's guest lock is: the
# root's guest and the host's take turns
mkdir -p "$DIR/run/lock" && mount --bind /run/lock "$DIR/run/lock" || exit 1
start=$(date +%s)
in_root "$DIR" /bin/bash -c 'cd /root/tunfix && make deps && make && make check' 2>&1 |
	tee "$LOG" | grep -E '^(PASS|FAIL|SKIP) |^[0-9]+ passed, |^make: \*\*\*'
rc=${PIPESTATUS[0]}
umount "$DIR/run/lock"
# on failure, what run.sh printed after its verdicts (the failed tests'
# logs, dmesg, the console's tail after a panic): the log goes with the
# clone, CI keeps only this output
[ "$rc" = 0 ] || sed -n '/^---- /,$p' "$LOG" | tail -n 150
echo "distro-check: $SUITE, make deps && make && make check: exit $rc in $(($(date +%s) - start))s (log $LOG)"
root_remove "$DIR" || exit 1
exit "$rc"
