#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/foreign-guest.sh ARCH SERIES [run.sh OPTION...] - run scenarios in
# a guest of another architecture: Debian's ARCH kernel of SERIES (a row
# of tests/kernels.list) under qemu's software emulation, booted into a
# root filesystem of this host's Debian release for ARCH, with the module
# and tunfixctl cross-built for it.
#
# env: TUNFIX_GUEST_DEPS, the packages of the guest's root (the Makefile's
#      GUEST_DEPS; make arm64-guest passes them); run.sh's.
# Results in tests/.build/results-ARCH; ends with run.sh's verdict.

set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ARCH=$1 SERIES=$2
shift 2
OUT=$ROOT/tests/.build/cross
# shellcheck source=/dev/null
CODENAME=$(. /etc/os-release && echo "$VERSION_CODENAME")

[ -n "${TUNFIX_GUEST_DEPS:-}" ] ||
	{ echo "foreign-guest: TUNFIX_GUEST_DEPS is empty (make ${ARCH}-guest sets it)" >&2; exit 2; }
"$ROOT/tests/cross.sh" "$ARCH" || exit 1
rel=$("$ROOT/tests/cross.sh" release "$ARCH" "$SERIES") &&
	apt=$("$ROOT/tests/cross.sh" apt "$ARCH") || exit 1
# shellcheck disable=SC2086 # a list of package names
groot=$("$ROOT/tests/guest-root.sh" "$ARCH" "$CODENAME" $TUNFIX_GUEST_DEPS) || exit 1
APT_CONFIG=$apt TUNFIX_KO=$OUT/$ARCH-$SERIES/tunfix.ko \
	TUNFIXCTL=$OUT/$ARCH-tool/tunfixctl \
	TUNFIX_RESULTS_DIR=${TUNFIX_RESULTS_DIR:-$ROOT/tests/.build/results-$ARCH} \
	"$ROOT/tests/qemu/run.sh" -a "$ARCH" --root "$groot" -k "$rel" "$@"
