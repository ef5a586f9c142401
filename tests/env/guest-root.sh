#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/env/guest-root.sh ARCH SUITE PACKAGE... - make the root filesystem a
# test guest boots into (tests/qemu/run.sh --root: a foreign architecture's,
# or the systemd boots of tests/env/boot-check.sh):
# Debian SUITE for ARCH with PACKAGE... (the tools the scenarios run, the
# packages' build tools, the guest kernel's headers), and print its
# directory.
#
# debootstrap runs in two stages: the first unpacks on the host, the second
# configures the packages chrooted, the foreign binaries run by
# qemu-user-static through binfmt_misc (mounted and registered here if the
# host has not).  apt in the root then installs PACKAGE... from SUITE with
# its -updates and -security (a kernel's headers are often only there), the
# host's repositories of them (cross.sh apt ARCH).  The result is
# cached as a tarball in $TUNFIX_CACHE/guest-roots/ARCH-SUITE.tar.zst,
# unpacked next to it; a longer package list installs what is missing into
# the cached root, any other change makes it again.

set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ARCH=$1 SUITE=$2
shift 2
PKGS=$(echo "$@" | tr ' ' '\n' | sort -u | paste -sd, -)
CACHE=${TUNFIX_CACHE:-/var/cache/tunfix-tests}/guest-roots
TAR=$CACHE/$ARCH-$SUITE.tar.zst
DIR=$CACHE/$ARCH-$SUITE
LOG=$CACHE/$ARCH-$SUITE.log
MIRROR=${TUNFIX_MIRROR:-http://deb.debian.org/debian}
# shellcheck source=tests/env/lib.sh
. "$ROOT/tests/env/lib.sh"

# binfmt - let the host run ARCH's binaries: qemu-user-static's binfmt.d
# entry (a line in the kernel's register format; flag F, the interpreter
# opened now, so it works inside a chroot)
binfmt()
{
	local q=qemu-$ARCH

	[ "$ARCH" = "$(dpkg --print-architecture)" ] && return 0
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

# add_packages PACKAGE... - apt-get install them in the root, from the suite's
# repositories as the host's apt for ARCH has them (a dated snapshot: sid's
# Release file is past its Valid-Until, which the host's apt.conf.d
# tolerates and a fresh root does not)
add_packages()
{
	local conf src

	conf=$("$ROOT/tests/env/cross.sh" apt "$ARCH") || return 1
	eval "$(APT_CONFIG=$conf apt-config shell src Dir::Etc::SourceList/f)"
	awk -v s="$SUITE" '$1 == "deb" && ($5 == s || index($5, s "-") == 1)' "$src" |
		sed 's/ \[arch=[^ ]* / [/' >"$DIR/etc/apt/sources.list" &&
		[ -s "$DIR/etc/apt/sources.list" ] &&
		in_root "$DIR" apt-get update -q -o Acquire::Check-Valid-Until=false &&
		in_root "$DIR" apt-get install -y -q --no-install-recommends "$@" &&
		in_root "$DIR" apt-get clean
}

# save - record the package list in the root and cache it as the tarball
save()
{
	echo "$PKGS" >"$DIR/.tunfix-root" &&
		tar -C "$DIR" --one-file-system --zstd -cf "$TAR.tmp" . &&
		mv "$TAR.tmp" "$TAR"
}

mkdir -p "$CACHE"
if [ "$(cat "$DIR/.tunfix-root" 2>/dev/null)" = "$PKGS" ]; then
	echo "$DIR"
	exit 0
fi
root_remove "$DIR" || exit 1
have=$(tar -xOf "$TAR" ./.tunfix-root 2>/dev/null)
if [ "$have" = "$PKGS" ]; then
	mkdir -p "$DIR" && tar -C "$DIR" -xf "$TAR" || { root_remove "$DIR"; exit 1; }
	echo "$DIR"
	exit 0
fi
binfmt || exit 1
# what the list adds to the cached root's, and what it drops
missing=$(comm -13 <(echo "$have" | tr , '\n') <(echo "$PKGS" | tr , '\n'))
dropped=$(comm -23 <(echo "$have" | tr , '\n') <(echo "$PKGS" | tr , '\n'))
if [ -n "$have" ] && [ -z "$dropped" ]; then
	echo "guest-root: adding to $ARCH $SUITE: $(echo "$missing" | paste -sd " " -) (log $LOG)" >&2
	mkdir -p "$DIR" && tar -C "$DIR" -xf "$TAR" || { root_remove "$DIR"; exit 1; }
else
	echo "guest-root: debootstrap $ARCH $SUITE (log $LOG)" >&2
	debootstrap --foreign --arch="$ARCH" --variant=minbase \
		"$SUITE" "$DIR" "$MIRROR" >"$LOG" 2>&1 &&
		in_root "$DIR" /debootstrap/debootstrap --second-stage >>"$LOG" 2>&1 ||
		{ tail -n 20 "$LOG" >&2; root_remove "$DIR"; exit 1; }
fi
# shellcheck disable=SC2086 # a list of package names
add_packages $missing >>"$LOG" 2>&1 && save ||
	{ tail -n 20 "$LOG" >&2; root_remove "$DIR"; exit 1; }
echo "$DIR"
