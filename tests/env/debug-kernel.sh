#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The suite on a kernel built here: Debian's linux-source-X.Y (by default
# the series of kver.sh) over the architecture's defconfig (x86_64's, or
# multi_v7_defconfig for armhf, cross-compiled with Debian's compiler
# for it), kvm_guest.config and what the suite needs (tests/config), plus
# one fragment.  By default the fragment is tests/env/debug.config: KASAN,
# kmemleak, lockdep (PROVE_LOCKING), DEBUG_ATOMIC_SLEEP, DEBUG_OBJECTS and
# the fault-injection framework, all built in; the guest scans kmemleak at
# the end and tests/qemu/check-dmesg.sh fails the run on any report.
# Each fragment NAME.config has its own cache, $TUNFIX_CACHE/NAME-kernel
# (rebuilt when the source package or a config file changes), and its own
# tests/.build/NAME-kernel (NAME-kernel-ARCH for another architecture).
#
# usage: tests/env/debug-kernel.sh [--arch armhf] [--series X.Y]
#                                  [--config FRAGMENT] [--build-only]
#                                  [run.sh arguments]
#   --arch armhf       a 32-bit ARM kernel, booted with run.sh -a armhf
#                      (its --root and APT_CONFIG are the caller's: see
#                      make armhf-refcnt)
#   --series X.Y       build linux-source-X.Y: the installed package, else
#                      the .deb apt would install (any suite, e.g. sid's,
#                      whatever its pin), unpacked into the cache only
#   --config FRAGMENT  instead of tests/env/debug.config
#   e.g. tests/env/debug-kernel.sh                   (whole suite)
#        tests/env/debug-kernel.sh --cmd 'bash tests/stress-long.sh'
#        tests/env/debug-kernel.sh --series 7.2 --config tests/env/iptfs.config \
#            -t 43                                   (make iptfs-check)
#        tests/env/debug-kernel.sh --arch armhf --config tests/env/refcnt.config \
#            --root DIR -a armhf -t 30               (make armhf-refcnt)

set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/env/lib.sh
. "$ROOT/tests/env/lib.sh"
CACHE=${TUNFIX_CACHE:-/var/cache/tunfix-tests}
SERIES=
FRAGMENT=$ROOT/tests/env/debug.config
BUILD_ONLY=
ARCH=amd64
while [ $# -gt 0 ]; do
	case $1 in
	--arch) ARCH=$2; shift 2 ;;
	--series) SERIES=$2; shift 2 ;;
	--config) FRAGMENT=$(realpath "$2"); shift 2 ;;
	--build-only) BUILD_ONLY=1; shift ;;
	*) break ;;
	esac
done
[ -n "$SERIES" ] || SERIES=$("$ROOT/tests/env/kver.sh" --series)
NAME=$(basename "$FRAGMENT" .config)-kernel
# the kernel's architecture, its base configuration and its image
case $ARCH in
amd64)	KMAKE_ARCH=() BASE=defconfig IMAGE=arch/x86/boot/bzImage ;;
armhf)	KMAKE_ARCH=(ARCH=arm CROSS_COMPILE="$(gnu_type armhf)-")
	BASE=multi_v7_defconfig IMAGE=arch/arm/boot/zImage
	NAME=$NAME-$ARCH ;;
*)	echo "debug-kernel: no kernel configuration for $ARCH" >&2; exit 2 ;;
esac
WORK=$CACHE/$NAME
SRC=$WORK/linux-source-$SERIES
OUT=$WORK/build
CONFIGS="$ROOT/tests/config $FRAGMENT"

PKG=linux-source-$SERIES
TARBALL=/usr/src/$PKG.tar.xz
if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q ' installed$'; then
	srcver=$(dpkg-query -W -f='${Version}' "$PKG")
elif [ "$SERIES" = "$("$ROOT/tests/env/kver.sh" --series)" ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "$PKG" >/dev/null
	srcver=$(dpkg-query -W -f='${Version}' "$PKG")
else
	# another release's source (its dependencies, binutils and
	# xz-utils, would come from that release too): only the tarball
	mkdir -p "$WORK/deb"
	deb=$(ls "$WORK"/deb/"${PKG}"_*.deb 2>/dev/null | tail -n 1)
	if [ -z "$deb" ]; then
		(cd "$WORK/deb" && apt-get download -q -o APT::Sandbox::User=root "$PKG") >/dev/null
		deb=$(ls "$WORK"/deb/"${PKG}"_*.deb | tail -n 1)
	fi
	srcver=$(dpkg-deb -f "$deb" Version)
	TARBALL=$WORK/deb/$PKG.tar.xz
	[ -e "$TARBALL" ] || dpkg-deb --fsys-tarfile "$deb" |
		tar -xO "./usr/src/$PKG.tar.xz" >"$TARBALL"
fi
stamp=$(cat <(echo "$srcver") $CONFIGS | sha256sum | cut -c1-16)
mkdir -p "$WORK"

kmake()
{
	make -s -C "$SRC" O="$OUT" "${KMAKE_ARCH[@]}" "$@"
}

if [ "$(cat "$WORK/stamp" 2>/dev/null)" != "$stamp" ]; then
	if [ "$(cat "$SRC/.tunfix-srcver" 2>/dev/null)" != "$srcver" ]; then
		echo "$NAME: unpacking linux-source $srcver"
		rm -rf "$SRC" "$OUT"
		tar -xf "$TARBALL" -C "$WORK"
		echo "$srcver" >"$SRC/.tunfix-srcver"
	fi
	mkdir -p "$OUT"
	kmake "$BASE" >/dev/null
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
		echo "$NAME: the config lost:$missing" >&2
		exit 1
	fi
	echo "$NAME: building $(kmake kernelrelease) ($(nproc) jobs)"
	start=$(date +%s)
	kmake -j"$(nproc)" "$(basename "$IMAGE")" modules
	echo "$NAME: built in $(($(date +%s) - start)) s"
	# an empty release would name the whole cache
	krel=$(kmake kernelrelease)
	[ -n "$krel" ] && rm -rf "${CACHE:?}/$krel"
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
	cp "$OUT/$IMAGE" "$CACHE/$KVER/vmlinuz"
fi

DIR=$ROOT/tests/.build/$NAME
# only the module copy: another run may be writing its results in $DIR
rm -rf "$DIR/kmod" "$DIR/uapi" && mkdir -p "$DIR"
cp -r "$ROOT/kmod" "$ROOT/uapi" "$DIR/"
make -s -C "$DIR/kmod" clean KDIR="$OUT" "${KMAKE_ARCH[@]}" >/dev/null
make -s -C "$DIR/kmod" KERNELRELEASE="$KVER" KDIR="$OUT" "${KMAKE_ARCH[@]}"
[ -n "$BUILD_ONLY" ] && exit 0

# with KASAN everything runs several times slower: give each test and the
# boot more time
scale=1
grep -qx CONFIG_KASAN=y "$OUT/.config" && scale=4
export KVER TUNFIX_KO=$DIR/kmod/tunfix.ko TUNFIX_TIMEOUT_SCALE=${TUNFIX_TIMEOUT_SCALE:-$scale}
export TUNFIX_RESULTS_DIR=${TUNFIX_RESULTS_DIR:-$DIR/results}
export TUNFIX_QEMU_TIMEOUT=${TUNFIX_QEMU_TIMEOUT:-10800}
exec "$ROOT/tests/qemu/run.sh" "$@"
