#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/guest-root.sh ARCH SUITE PACKAGE... - make the root filesystem a
# foreign-architecture test guest boots into (tests/qemu/run.sh -a ARCH):
# Debian SUITE for ARCH with PACKAGE... (the Makefile's GUEST_DEPS: the
# tools the scenarios run), and print its directory.
#
# debootstrap runs in two stages: the first unpacks on the host, the second
# configures the packages chrooted, the foreign binaries run by
# qemu-user-static through binfmt_misc (mounted and registered here if the
# host has not).  The result is cached as a tarball in
# $TUNFIX_CACHE/guest-roots/ARCH-SUITE.tar.zst, unpacked next to it; both
# are made again when the package list changes.

set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ARCH=$1 SUITE=$2
shift 2
PKGS=$(echo "$@" | tr ' ' '\n' | sort -u | paste -sd, -)
CACHE=${TUNFIX_CACHE:-/var/cache/tunfix-tests}/guest-roots
TAR=$CACHE/$ARCH-$SUITE.tar.zst
DIR=$CACHE/$ARCH-$SUITE
LOG=$CACHE/$ARCH-$SUITE.log
MIRROR=${TUNFIX_MIRROR:-http://deb.debian.org/debian}
# shellcheck source=tests/chroot-lib.sh
. "$ROOT/tests/chroot-lib.sh"

clean_root()
{
	root_remove "$DIR" || exit 1
}

# binfmt - let the host run ARCH's binaries: qemu-user-static's binfmt.d
# entry (a line in the kernel's register format; flag F, the interpreter
# opened now, so it works inside a chroot)
binfmt()
{
	local q=qemu-$ARCH

	case $ARCH in
	arm64) q=qemu-aarch64 ;;
	armhf|armel) q=qemu-arm ;;
	esac
	[ -e /proc/sys/fs/binfmt_misc/register ] ||
		mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc || return 1
	[ -e "/proc/sys/fs/binfmt_misc/$q" ] ||
		grep -v '^#' "/usr/lib/binfmt.d/$q.conf" >/proc/sys/fs/binfmt_misc/register ||
		return 1
	grep -qx enabled "/proc/sys/fs/binfmt_misc/$q" ||
		{ echo "guest-root: binfmt $q is disabled" >&2; return 1; }
}

mkdir -p "$CACHE"
if [ "$(cat "$DIR/.tunfix-root" 2>/dev/null)" = "$PKGS" ]; then
	echo "$DIR"
	exit 0
fi
clean_root
if [ "$(tar -xOf "$TAR" ./.tunfix-root 2>/dev/null)" != "$PKGS" ]; then
	echo "guest-root: debootstrap $ARCH $SUITE (log $LOG)" >&2
	binfmt || exit 1
	{
		debootstrap --foreign --arch="$ARCH" --variant=minbase \
			--include="$PKGS" "$SUITE" "$DIR" "$MIRROR" &&
		in_root "$DIR" /debootstrap/debootstrap --second-stage &&
		in_root "$DIR" apt-get clean
	} >"$LOG" 2>&1 || { tail -n 20 "$LOG" >&2; clean_root; exit 1; }
	echo "$PKGS" >"$DIR/.tunfix-root"
	tar -C "$DIR" --one-file-system --zstd -cf "$TAR.tmp" . &&
		mv "$TAR.tmp" "$TAR" || exit 1
	echo "$DIR"
	exit 0
fi
mkdir -p "$DIR" && tar -C "$DIR" -xf "$TAR" || { clean_root; exit 1; }
echo "$DIR"
