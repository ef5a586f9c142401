#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/env/foreign-guest.sh ARCH SERIES [run.sh OPTION...] - run scenarios in
# a guest of another architecture: Debian's ARCH kernel of SERIES (a row
# of kernels.list) under qemu's software emulation, booted into a
# root filesystem of that kernel's Debian release for ARCH, with the
# module and tunfixctl cross-built for it.  The root also has the kernel's
# headers and the packages' build tools: the Debian packages are built on
# ARCH there (chrooted, qemu-user-static), lintian checks them here, and
# 51-deb-packages installs them in the guest, DKMS building the module.
#
# env: TUNFIX_GUEST_DEPS, the packages of the guest's root (the Makefile's
#      GUEST_DEPS, DEB_DEPS and AUTOPKGTEST_DEPS; make ARCH-guest passes
#      them);
#      TUNFIX_KERNEL_CONFIG, a fragment: boot a kernel of SERIES's
#      linux-source built with it (tests/env/debug-kernel.sh --arch ARCH)
#      instead of Debian's, with the module built for it (make
#      armhf-refcnt); run.sh's.
# Results in tests/.build/results-ARCH, the packages and their built source
# tree (debian/tests, for 51-deb-packages) in tests/.build/deb-ARCH; ends
# with run.sh's verdict.

set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ARCH=$1 SERIES=$2
shift 2
OUT=$ROOT/tests/.build/cross
DEBS=$ROOT/tests/.build/deb-$ARCH

# shellcheck source=tests/env/lib.sh
. "$ROOT/tests/env/lib.sh"

# debs ROOTDIR - make deb-build in a copy of the tree in ROOTDIR, the
# packages into $DEBS, then lintian over them
debs()
{
	local src=$1/tmp/tunfix-src rc=0

	echo "foreign-guest: building the packages on $ARCH (log $DEBS/build.log)"
	rm -rf "$src" "$DEBS" && mkdir -p "$src" "$DEBS" || return 1
	tar -C "$ROOT" --exclude=./.git --exclude=./tests/.build -cf - . |
		tar -xf - -C "$src" &&
		in_root "$1" make -C /tmp/tunfix-src deb-build >"$DEBS/build.log" 2>&1 &&
		mv "$src"/tests/.build/deb/*.deb "$src"/tests/.build/deb/*.changes \
			"$src"/tests/.build/deb/*.buildinfo "$DEBS/" &&
		mv "$src"/tests/.build/deb/tunfix-*/ "$DEBS/" &&
		make -C "$ROOT" --no-print-directory deb-lintian DEB_DIR="$DEBS" || rc=1
	[ "$rc" = 0 ] || tail -n 20 "$DEBS/build.log"
	rm -rf "$src"
	return $rc
}

# ARM under emulation is slower than the amd64 guest: each scenario gets
# twice its timeout (armhf's 51-deb-packages ran its autopkgtest alone for
# 1106 s of its 1200)
export TUNFIX_TIMEOUT_SCALE=${TUNFIX_TIMEOUT_SCALE:-2}

[ -n "${TUNFIX_GUEST_DEPS:-}" ] ||
	{ echo "foreign-guest: TUNFIX_GUEST_DEPS is empty (make ${ARCH}-guest sets it)" >&2; exit 2; }
"$ROOT/tests/env/cross.sh" "$ARCH" || exit 1
rel=$("$ROOT/tests/env/cross.sh" release "$ARCH" "$SERIES") &&
	apt=$("$ROOT/tests/env/cross.sh" apt "$ARCH") || exit 1
# the root is of the kernel's release (bookworm for bookworm-backports)
suite=$("$ROOT/tests/env/kernels.sh" -a "$ARCH" field "$SERIES" 2) || exit 1
# Libreswan, as make deps gives the amd64 guest: the release's .deb waits
# in the root's /var/cache/tunfix-tests/debs for the scenarios to unpack
# (tests/ike-lib.sh; it conflicts with strongSwan's packages), and the root
# has its libraries
lsw=$ROOT/tests/.build/libreswan-$ARCH-${suite%%-*}
if ! ls "$lsw"/libreswan_*.deb >/dev/null 2>&1; then
	rm -rf "$lsw" && mkdir -p "$lsw" &&
		(cd "$lsw" && APT_CONFIG=$apt apt-get download -q \
			"libreswan/${suite%%-*}" >/dev/null) || exit 1
fi
lswdeb=$(ls "$lsw"/libreswan_*.deb)
# shellcheck disable=SC2086,SC2046 # lists of package names
groot=$("$ROOT/tests/env/guest-root.sh" "$ARCH" "${suite%%-*}" $TUNFIX_GUEST_DEPS \
	$("$ROOT/tests/env/libreswan-libs.sh" "$lswdeb") "linux-headers-$rel") &&
	mkdir -p "$groot/var/cache/tunfix-tests/debs" &&
	cp "$lswdeb" "$groot/var/cache/tunfix-tests/debs/" || exit 1
# a kernel built here has no headers package for DKMS: no packages then
if [ -n "${TUNFIX_KERNEL_CONFIG:-}" ]; then
	APT_CONFIG=$apt TUNFIXCTL=$OUT/$ARCH-tool/tunfixctl \
		TUNFIX_RESULTS_DIR=${TUNFIX_RESULTS_DIR:-$ROOT/tests/.build/results-$ARCH-kernel} \
		exec "$ROOT/tests/env/debug-kernel.sh" --arch "$ARCH" --series "$SERIES" \
		--config "$TUNFIX_KERNEL_CONFIG" -a "$ARCH" --root "$groot" "$@"
fi
debs "$groot" || exit 1
APT_CONFIG=$apt TUNFIX_DEB_DIR=$DEBS TUNFIX_KO=$OUT/$ARCH-$SERIES/tunfix.ko \
	TUNFIXCTL=$OUT/$ARCH-tool/tunfixctl \
	TUNFIX_RESULTS_DIR=${TUNFIX_RESULTS_DIR:-$ROOT/tests/.build/results-$ARCH} \
	"$ROOT/tests/qemu/run.sh" -a "$ARCH" --root "$groot" -k "$rel" "$@"
