#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel matrix (kernels.list): for each Debian kernel, build the
# module with warnings as errors, build and install it with DKMS, and run
# the whole guest suite on that kernel with both modules.
#
# usage: tests/env/kernels.sh [--no-guest] [SERIES...]   build, DKMS, suite
#        tests/env/kernels.sh [-a ARCH] release SERIES   print the kernel release
#        tests/env/kernels.sh [-a ARCH] field SERIES N   print column N of its row
#        tests/env/kernels.sh build-root SUITE           make the build root,
#                                                        print its directory
#        tests/env/kernels.sh vermagic KO RELEASE        check a module's vermagic
#
# The matrix is the amd64 rows; -a picks the rows of another architecture
# (cross.sh, which runs it with APT_CONFIG set to an apt for ARCH).
#
# Kernels whose headers want a compiler Debian 12 lacks are built in a
# debootstrap'd root of their suite, cached in $TUNFIX_CACHE/roots.  Ends
# with a table (kernel x build, DKMS, guest passed/failed/skipped, dmesg)
# and "N passed, N failed"; results are in tests/.build/matrix/SERIES/.

set -u
# make exports the default kernel's KERNELRELEASE and KDIR: not ours
unset KERNELRELEASE KDIR
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LIST=$ROOT/tests/env/kernels.list
CACHE=${TUNFIX_CACHE:-/var/cache/tunfix-tests}
ROOTS=$CACHE/roots
OUT=$ROOT/tests/.build/matrix
MIRROR=${TUNFIX_MIRROR:-http://deb.debian.org/debian}
APT_INSTALL="apt-get install -y -q --no-install-recommends"
export DEBIAN_FRONTEND=noninteractive
# shellcheck source=tests/env/lib.sh
. "$ROOT/tests/env/lib.sh"

# field SERIES N - column N of SERIES' line for ARCH in kernels.list
field()
{
	awk -v s="$1" -v a="$ARCH" -v n="$2" '!/^#/ && $1 == s && $4 == a { print $n }' "$LIST"
}

# kernel_release SERIES - the release of the suite's linux-headers-FLAVOUR
kernel_release()
{
	local suite meta ver

	suite=$(field "$1" 2)
	[ -n "$suite" ] || { echo "kernels.sh: $1 ($ARCH) is not in $LIST" >&2; return 1; }
	meta=linux-headers-$(field "$1" 5)
	ver=$(apt-cache madison "$meta" |
	      awk -F' *[|] *' -v s="$suite" '$3 ~ " " s "(-security|-updates)?/main " { print $2; exit }')
	[ -n "$ver" ] || { echo "kernels.sh: apt knows no $meta in $suite (make deps)" >&2; return 1; }
	apt-cache show "$meta=$ver" |
		sed -n 's/^Depends:.*linux-headers-\([0-9][^ ,]*\).*/\1/p' | head -n 1
}

# build_root SUITE - make the cached build root of SUITE, once
build_root()
{
	local suite=$1 dir=$ROOTS/$1

	[ -e "$dir/.tunfix-root" ] && return 0
	echo "kernels.sh: debootstrap $suite into $dir"
	root_remove "$dir" || return 1
	mkdir -p "$ROOTS"
	debootstrap --variant=minbase \
		--include=make,gcc,libc6-dev,libelf-dev,kmod,dkms,xz-utils,zstd,openssl \
		"$suite" "$dir" "$MIRROR" || return 1
	"$ROOT/tests/env/apt-suites.sh" "$dir" &&
		in_root "$dir" apt-get update -q || return 1
	touch "$dir/.tunfix-root"
}

# install_headers SERIES REL - install the kernel's headers where it is built
install_headers()
{
	local where

	where=$(field "$1" 3)
	if [ "$where" = host ]; then
		[ -d "/usr/src/linux-headers-$2" ] || $APT_INSTALL "linux-headers-$2"
	else
		build_root "$where" || return 1
		[ -d "$ROOTS/$where/usr/src/linux-headers-$2" ] ||
			in_root "$ROOTS/$where" $APT_INSTALL "linux-headers-$2"
	fi
}

# build_module SERIES REL DIR - build the module with -Werror, into DIR/tunfix.ko
build_module()
{
	local where src

	where=$(field "$1" 3)
	if [ "$where" = host ]; then
		src=$3/src
	else
		src=$ROOTS/$where/tmp/tunfix-$1
	fi
	rm -rf "$src" && mkdir -p "$src" || return 1
	cp -r "$ROOT/kmod" "$ROOT/uapi" "$src/" || return 1
	if [ "$where" = host ]; then
		make -C "$src/kmod" KERNELRELEASE="$2" KDIR="/lib/modules/$2/build" WERROR=1
	else
		in_root "$ROOTS/$where" make -C "/tmp/tunfix-$1/kmod" KERNELRELEASE="$2" \
			KDIR="/lib/modules/$2/build" WERROR=1
	fi || return 1
	cp "$src/kmod/tunfix.ko" "$3/tunfix.ko"
	rm -rf "$src"
	vermagic "$3/tunfix.ko" "$2"
}

# vermagic KO REL - fail unless KO was built for kernel REL
vermagic()
{
	local v

	v=$(modinfo -F vermagic "$1")
	case $v in
	"$2 "*) echo "$1: vermagic $v" ;;
	*) echo "$1: built for the wrong kernel (vermagic $v, want $2)"; return 1 ;;
	esac
}

# dkms_module SERIES REL DIR - DKMS build and install, the result in DIR/dkms
dkms_module()
{
	local where

	where=$(field "$1" 3)
	if [ "$where" = host ]; then
		"$ROOT/tests/dkms-prepare.sh" "$3/dkms" "$2"
	else
		"$ROOT/tests/dkms-prepare.sh" "$3/dkms" "$2" "$ROOTS/$where"
	fi && vermagic "$(ls "$3"/dkms/tunfix.ko*)" "$2"
}

# guest_suite SERIES REL DIR - the whole suite on the kernel
guest_suite()
{
	KVER=$2 TUNFIX_KO=$3/tunfix.ko TUNFIX_GUEST_MODDIR=$3/dkms \
		TUNFIX_RESULTS_DIR=$3/results "$ROOT/tests/qemu/run.sh"
}

ARCH=amd64
[ "${1:-}" = -a ] && { ARCH=$2; shift 2; }
case ${1:-} in
release) kernel_release "$2"; exit ;;
field) field "$2" "$3"; exit ;;
build-root) build_root "$2" >&2 && echo "$ROOTS/$2"; exit ;;
vermagic) vermagic "$2" "$3"; exit ;;
esac

[ "$ARCH" = amd64 ] || { echo "kernels.sh: $ARCH is built by tests/env/cross.sh" >&2; exit 2; }
GUEST=1
[ "${1:-}" = --no-guest ] && { GUEST=; shift; }
SERIES=${*:-$(awk -v a="$ARCH" '!/^#/ && $4 == a { print $1 }' "$LIST")}
mkdir -p "$OUT"
passed=0 failed=0
table=$(printf '%-22s %-14s %-14s %-16s %s' kernel build dkms 'guest (p/f/s)' dmesg)
for s in $SERIES; do
	dir=$OUT/$s
	rm -rf "$dir" && mkdir -p "$dir"
	rel=$(kernel_release "$s") || { failed=$((failed + 1)); continue; }
	echo "== $s: $rel"
	b=$(run_logged "$dir/build.log" eval 'install_headers "$s" "$rel" && build_module "$s" "$rel" "$dir"')
	d=skipped g=- m=-
	case $b in ok*) d=$(run_logged "$dir/dkms.log" dkms_module "$s" "$rel" "$dir") ;; esac
	for r in "$b" "$d"; do
		case $r in ok*) passed=$((passed + 1)) ;; *) failed=$((failed + 1)) ;; esac
	done
	echo "   build $b, dkms $d"
	if [ -n "$GUEST" ] && [ -e "$dir/tunfix.ko" ]; then
		[ -e "$dir/dkms" ] || mkdir -p "$dir/dkms"
		guest_suite "$s" "$rel" "$dir" >"$dir/guest.log" 2>&1
		line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$dir/guest.log" | tail -n 1)
		set -- $line
		g="${1:-0}/${3:-?}/${5:-0}"
		grep -q '^PASS dmesg-clean' "$dir/guest.log" && m=clean || m='NOT clean'
		if [ -n "$line" ] && [ "$3" = 0 ]; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
			grep -E '^FAIL' "$dir/guest.log" | sed 's/^/   /'
		fi
		echo "   guest $g, dmesg $m ($dir/guest.log)"
	fi
	table=$(printf '%s\n%-22s %-14s %-14s %-16s %s' "$table" "$rel" "${b%% *}" "${d%% *}" "$g" "$m")
done
echo
echo "$table"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
