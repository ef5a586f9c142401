#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/env/boot-check.sh SUITE - tunfix across a real boot and a kernel
# upgrade, as on a Debian SUITE router (make boot-check):
#
#   1. a root of SUITE (guest-root.sh, cached) with systemd and
#      SUITE's kernel, image and headers; on the host, an overlay on it
#      (the cached root stays as it is), in which apt installs the packages
#      of `make deb` (TUNFIX_DEB_DIR) and the samples in /etc are enabled;
#   2. the guest boots that root's kernel with systemd as PID 1
#      (tests/qemu/run.sh --init systemd) and checks what the boot did
#      (`boot-check.sh guest`, below);
#   3. apt installs the newer kernel of UPGRADE[SUITE] (image and headers:
#      Debian 12's from bookworm-backports, Debian 13's from unstable);
#      DKMS builds tunfix for it from its kernel hooks, no user action;
#   4. the guest boots the new kernel and checks the same again.
#
# In the guest, after the boot: tunfix was loaded by modules-load.d, from
# the DKMS-built module of the running kernel; every net.tunfix.* line of
# sysctl.d holds; the counters are there; `systemctl --failed` is empty;
# `modprobe -r tunfix; modprobe tunfix` brings the sysctl.d values back
# (the package's udev rule); tunfixctl --version and modinfo agree.
#
# env: TUNFIX_BOOT_DEPS, the root's packages (the Makefile's BOOT_DEPS),
#      TUNFIX_DEB_DIR (default tests/.build/deb).
# Prints a line per check and "N passed, N failed"; exits non-zero if any
# failed.

set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CONFS="/etc/modprobe.d/tunfix.conf /etc/sysctl.d/90-tunfix.conf /etc/modules-load.d/tunfix.conf"

# guest_checks - the checks, run in the booted guest by tunfix-guest.service
# (tests/lib.sh's check_result counts them)
guest_checks()
{
	local kver line knob want got path

	# shellcheck source=tests/lib.sh
	. "$ROOT/tests/lib.sh"
	# sysctl_d_holds - every net.tunfix.* line of sysctl.d has its value now
	sysctl_d_holds()
	{
		local n=0

		while read -r line; do
			knob=${line%%=*} want=${line#*=}
			knob=$(echo $knob) want=$(echo $want)
			got=$(sysctl -n "$knob") || return 1
			[ "$got" = "$want" ] ||
				{ echo "  $knob = $got, sysctl.d says $want"; return 1; }
			n=$((n + 1))
		done < <(grep -h '^net\.tunfix\.' /etc/sysctl.d/*.conf)
		[ "$n" -gt 0 ]
	}

	kver=$(uname -r)
	echo "boot-check: kernel $kver, systemd $(systemctl --version | head -n 1)"
	systemctl is-system-running --wait
	systemctl --failed --no-legend --plain | tee /tmp/failed
	[ ! -s /tmp/failed ]
	check_result $? "systemctl --failed is empty"
	path=$(modinfo -n tunfix)
	grep -q '^tunfix ' /proc/modules &&
		case $path in "/lib/modules/$kver/updates/dkms/"*) true ;; *) false ;; esac
	check_result $? "tunfix loaded at boot, DKMS's module for $kver ($path)"
	sysctl_d_holds
	check_result $? "every net.tunfix.* of sysctl.d holds after the boot"
	grep -q '^df_seen ' /proc/net/tunfix
	check_result $? "the counters are in /proc/net/tunfix"
	tunfixctl --version >/tmp/version
	want=$(modinfo -F version tunfix)
	grep -qx "tunfixctl $want" /tmp/version && grep -qx "module $want" /tmp/version
	check_result $? "tunfixctl --version and modinfo -F version agree ($(paste -sd ' ' /tmp/version), modinfo $want)"
	modprobe -r tunfix && ! grep -q '^tunfix ' /proc/modules &&
		modprobe tunfix && udevadm settle && sysctl_d_holds
	check_result $? "modprobe -r tunfix; modprobe tunfix: sysctl.d applied again"
	exit_with_result
}

[ "${1:-}" = guest ] && guest_checks

SUITE=${1:?usage: boot-check.sh SUITE}
# the kernel a SUITE router upgrades to: its backports', or a newer suite's
declare -A UPGRADE=([bookworm]=bookworm-backports [trixie]=sid)
# shellcheck source=tests/env/lib.sh
. "$ROOT/tests/env/lib.sh"
BUILD=$ROOT/tests/.build/boot-$SUITE
DEBS=${TUNFIX_DEB_DIR:-$ROOT/tests/.build/deb}
passed=0 failed=0

# boot_result RC WHAT - count a host-side check
boot_result()
{
	if [ "$1" = 0 ]; then
		echo "PASS $2"; passed=$((passed + 1))
	else
		echo "FAIL $2"; failed=$((failed + 1))
	fi
}

# boot_kernel KVER - boot the overlay's root on KVER with systemd, the guest checks
boot_kernel()
{
	local out=$BUILD/results-$1 rc

	TUNFIX_RESULTS_DIR=$out "$ROOT/tests/qemu/run.sh" --root "$MERGED" \
		-k "$1" --init systemd --cmd "tests/env/boot-check.sh guest" | tee "$BUILD/boot-$1.log"
	rc=${PIPESTATUS[0]}
	boot_result "$rc" "$SUITE, $1: booted with systemd, every check in the guest passed"
}

# root_kernels - the kernels installed in the overlay's root, oldest first
root_kernels()
{
	ls "$MERGED/lib/modules" | sort -V
}

boot_finish()
{
	root_umount "$MERGED"
	umount "$MERGED" 2>/dev/null
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
}

[ -n "${UPGRADE[$SUITE]:-}" ] || { echo "boot-check: no upgrade kernel for $SUITE" >&2; exit 2; }
ls "$DEBS"/tunfix-dkms_*_all.deb "$DEBS"/tunfixctl_*.deb >/dev/null ||
	{ echo "boot-check: no packages in $DEBS (make deb)" >&2; exit 2; }
[ -n "${TUNFIX_BOOT_DEPS:-}" ] ||
	{ echo "boot-check: TUNFIX_BOOT_DEPS is empty (make boot-check sets it)" >&2; exit 2; }
# shellcheck disable=SC2086 # a list of package names
groot=$("$ROOT/tests/env/guest-root.sh" amd64 "$SUITE" $TUNFIX_BOOT_DEPS) || exit 1

MERGED=$BUILD/root
mkdir -p "$BUILD"
umount "$MERGED" 2>/dev/null
rm -rf "$BUILD/upper" "$BUILD/work" "$BUILD"/results-*
mkdir -p "$BUILD/upper" "$BUILD/work" "$MERGED" &&
	mount -t overlay overlay -o "lowerdir=$groot,upperdir=$BUILD/upper,workdir=$BUILD/work" \
		"$MERGED" || exit 1
trap boot_finish EXIT

mkdir -p "$MERGED/tmp/debs" && cp "$DEBS"/tunfix-dkms_*_all.deb "$DEBS"/tunfixctl_*.deb "$MERGED/tmp/debs/" &&
	in_root "$MERGED" sh -c 'apt-get install -y -q --no-install-recommends /tmp/debs/*.deb' >"$BUILD/install.log" 2>&1 &&
	sed -i 's/^#\(options\|net\.\|tunfix\)/\1/' $(printf "$MERGED%s " $CONFS)
boot_result $? "$SUITE: apt installs the packages, DKMS builds for $(root_kernels | paste -sd ' '), samples enabled"
old=$(root_kernels | tail -n 1)
boot_kernel "$old"

# the upgrade's suite, if the root's apt does not know it yet (the
# mirror's snapshots of sid are past their Valid-Until)
up=${UPGRADE[$SUITE]}
grep -q " $up " "$MERGED/etc/apt/sources.list" ||
	sed -n "s/^deb \[\([^]]*\)\] \([^ ]*\) $SUITE \(.*\)/deb [check-valid-until=no \1] \2 $up \3/p" \
		"$MERGED/etc/apt/sources.list" >"$MERGED/etc/apt/sources.list.d/$up.list"
in_root "$MERGED" sh -c "apt-get update -q && apt-get install -y -q --no-install-recommends \
	-t $up linux-image-amd64 linux-headers-amd64" >"$BUILD/upgrade.log" 2>&1
new=$(root_kernels | tail -n 1)
[ "$new" != "$old" ] && ls "$MERGED/lib/modules/$new/updates/dkms/tunfix.ko"*
boot_result $? "$SUITE: kernel $new from ${UPGRADE[$SUITE]}, DKMS built tunfix for it unasked"
boot_kernel "$new"
