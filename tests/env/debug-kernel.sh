#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The suite on a debug kernel: Debian's linux-source-X.Y (the series of
# kver.sh) built with KASAN,
# kmemleak, lockdep (PROVE_LOCKING), DEBUG_ATOMIC_SLEEP, DEBUG_OBJECTS and
# the fault-injection framework (tests/env/debug.config) over x86_64 defconfig, kvm_guest.config
# and what the suite needs (tests/config), all built in.  The kernel is
# built once and cached under $TUNFIX_CACHE/debug-kernel (rebuilt when the
# source package or a config file changes); the guest scans kmemleak at the
# end and tests/qemu/check-dmesg.sh fails the run on any report.
#
# usage: tests/env/debug-kernel.sh [--build-only] [run.sh arguments]
#   e.g. tests/env/debug-kernel.sh                   (whole suite)
#        tests/env/debug-kernel.sh --cmd 'bash tests/stress-long.sh'

set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${TUNFIX_CACHE:-/var/cache/tunfix-tests}
WORK=$CACHE/debug-kernel
SERIES=$("$ROOT/tests/env/kver.sh" --series)
SRC=$WORK/linux-source-$SERIES
OUT=$WORK/build
TARBALL=/usr/src/linux-source-$SERIES.tar.xz
CONFIGS="$ROOT/tests/config $ROOT/tests/env/debug.config"
BUILD_ONLY=
if [ "${1:-}" = --build-only ]; then
	BUILD_ONLY=1
	shift
fi

[ -e "$TARBALL" ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	--no-install-recommends "linux-source-$SERIES" >/dev/null
srcver=$(dpkg-query -W -f='${Version}' "linux-source-$SERIES")
stamp=$(cat <(echo "$srcver") $CONFIGS | sha256sum | cut -c1-16)
mkdir -p "$WORK"

kmake()
{
	make -s -C "$SRC" O="$OUT" "$@"
}

if [ "$(cat "$WORK/stamp" 2>/dev/null)" != "$stamp" ]; then
	if [ "$(cat "$SRC/.tunfix-srcver" 2>/dev/null)" != "$srcver" ]; then
		echo "debug-kernel: unpacking linux-source $srcver"
		rm -rf "$SRC" "$OUT"
		tar -xf "$TARBALL" -C "$WORK"
		echo "$srcver" >"$SRC/.tunfix-srcver"
	fi
	mkdir -p "$OUT"
	kmake defconfig >/dev/null
	"$SRC/scripts/kconfig/merge_config.sh" -m -O "$OUT" "$OUT/.config" \
		"$SRC/kernel/configs/kvm_guest.config" $CONFIGS >/dev/null
	kmake olddefconfig >/dev/null
	missing=
	for opt in $(grep -h '^CONFIG_' $CONFIGS); do
		case $opt in
		*=n) grep -q "^# ${opt%=n} is not set" "$OUT/.config" ||
			missing="$missing $opt" ;;
		*) grep -qx -- "$opt" "$OUT/.config" || missing="$missing $opt" ;;
		esac
	done
	if [ -n "$missing" ]; then
		echo "debug-kernel: the config lost:$missing" >&2
		exit 1
	fi
	echo "debug-kernel: building $(kmake kernelrelease) ($(nproc) jobs)"
	start=$(date +%s)
	kmake -j"$(nproc)" bzImage modules
	echo "debug-kernel: built in $(($(date +%s) - start)) s"
	rm -rf "${CACHE:?}/$(kmake kernelrelease)"
	echo "$stamp" >"$WORK/stamp"
fi
KVER=$(kmake kernelrelease)
# installed as run.sh lays out a kernel it fetched: the image in
# $CACHE/KVER/vmlinuz (without it, run.sh would look for a Debian package
# of that name), the modules under $CACHE/KVER/root
if [ ! -e "$CACHE/$KVER/vmlinuz" ]; then
	rm -rf "${CACHE:?}/$KVER"
	mkdir -p "$CACHE/$KVER/root"
	kmake INSTALL_MOD_PATH="$CACHE/$KVER/root" INSTALL_MOD_STRIP=1 \
		modules_install >/dev/null
	cp "$OUT/arch/x86/boot/bzImage" "$CACHE/$KVER/vmlinuz"
fi

DIR=$ROOT/tests/.build/debug-kernel
# only the module copy: another run may be writing its results in $DIR
rm -rf "$DIR/kmod" "$DIR/uapi" && mkdir -p "$DIR"
cp -r "$ROOT/kmod" "$ROOT/uapi" "$DIR/"
make -s -C "$DIR/kmod" clean KDIR="$OUT" >/dev/null
make -s -C "$DIR/kmod" KERNELRELEASE="$KVER" KDIR="$OUT"
[ -n "$BUILD_ONLY" ] && exit 0

# everything runs several times slower: give each test and the boot more time
export KVER TUNFIX_KO=$DIR/kmod/tunfix.ko TUNFIX_TIMEOUT_SCALE=${TUNFIX_TIMEOUT_SCALE:-4}
export TUNFIX_RESULTS_DIR=${TUNFIX_RESULTS_DIR:-$DIR/results}
export TUNFIX_QEMU_TIMEOUT=${TUNFIX_QEMU_TIMEOUT:-10800}
exec "$ROOT/tests/qemu/run.sh" "$@"
