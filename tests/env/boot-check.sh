#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/env/boot-check.sh SUITE - tunfix's life on a Debian SUITE router
# (make boot-check): a real boot, a kernel upgrade, a package upgrade and
# downgrade, removal and purge:
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
#   4. the guest boots the new kernel and checks the same again;
#   5. apt upgrades the packages to the next version's (`make deb-next`,
#      TUNFIX_DEB_DIR/next): DKMS replaces the module for both kernels, the
#      admin's edited conffiles are kept (the new ones beside them, as
#      .dpkg-dist), the one the admin left as shipped follows the package;
#      the guest boots the new kernel again, the next version loaded;
#   6. apt downgrades them to this version's, the same checks;
#   7. apt remove leaves no module and keeps the configuration; apt purge
#      leaves nothing of tunfix.
# Steps 1, 3, 5, 6 and 7 run in the overlay's root on the host (chroot):
# DKMS builds at the host's speed, not under emulation.
#
# In the guest, after each boot: tunfix was loaded by modules-load.d, from
# the DKMS-built module of the running kernel, the version the package
# manager has installed; every net.tunfix.* line of sysctl.d holds; the
# counters are there; `systemctl --failed` is empty;
# `modprobe -r tunfix; modprobe tunfix` brings the sysctl.d values back
# (the package's udev rule); tunfixctl --version and modinfo agree.
#
# env: TUNFIX_BOOT_DEPS, the root's packages (the Makefile's BOOT_DEPS),
#      TUNFIX_DEB_DIR (default tests/.build/deb), with the next version's
#      packages in its next/.
# Prints a line per check and "N passed, N failed"; exits non-zero if any
# failed.

set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CONFS="/etc/modprobe.d/tunfix.conf /etc/sysctl.d/90-tunfix.conf /etc/modules-load.d/tunfix.conf"
# before the package upgrade, the admin's edits of the samples: these two
# stay edited, the third goes back to the package's text
EDITED="/etc/sysctl.d/90-tunfix.conf /etc/modules-load.d/tunfix.conf"
PLAIN=/etc/modprobe.d/tunfix.conf
# what apt does with a conffile the admin changed and the package changes
# too: keep the admin's (the new one is put beside it as .dpkg-dist)
APT_INSTALL="apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"
# where nothing of tunfix may be left after purge
LEFT_DIRS="/etc /lib/modules /usr/src /var/lib/dkms /usr/lib/udev"

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
	[ "$(cat /sys/module/tunfix/version)" = "$(dpkg-query -W -f '${Version}' tunfix-dkms)" ]
	check_result $? "the loaded module is the installed package's version ($want)"
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
boots=0
boot_kernel()
{
	local out rc

	boots=$((boots + 1))
	out=$BUILD/results-$boots-$1
	TUNFIX_RESULTS_DIR=$out "$ROOT/tests/qemu/run.sh" --root "$MERGED" \
		-k "$1" --init systemd --cmd "tests/env/boot-check.sh guest" | tee "$out.log"
	rc=${PIPESTATUS[0]}
	boot_result "$rc" "$SUITE, boot $boots, $1: booted with systemd, every check in the guest passed"
}

# root_kernels - the kernels installed in the overlay's root, oldest first
root_kernels()
{
	ls "$MERGED/lib/modules" | sort -V
}

# chr CMD - the shell command CMD in the overlay's root, its output logged
# to $BUILD/packages.log except what CMD prints on standard output
chr()
{
	in_root "$MERGED" sh -c "$1" 2>>"$BUILD/packages.log"
}

# deb_file DEB PATH - the file PATH as the package DEB ships it
deb_file()
{
	dpkg-deb --fsys-tarfile "$1" | tar -xOf - ".$2"
}

# left_behind - every file or directory named *tunfix* in the root's
# LEFT_DIRS (not looking into the kernel headers' trees)
left_behind()
{
	chr "find $LEFT_DIRS -path '/usr/src/linux-*' -prune -o -name '*tunfix*' -print | sort"
}

# one_version V - tunfix V everywhere: DKMS has V installed for every
# kernel of the root, there is one tunfix module per kernel, the one
# modinfo finds for each kernel is V, and tunfixctl is V
one_version()
{
	local v=$1 k n

	[ "$(chr "dkms status tunfix/$v" |
		sed -n 's/^[^,]*, \([^,]*\), [^:]*: installed.*/\1/p' | sort -V)" = "$(root_kernels)" ] ||
		return 1
	n=$(chr "find /lib/modules/ -name 'tunfix.ko*'" | wc -l)
	[ "$n" = "$(root_kernels | wc -l)" ] || return 1
	for k in $(root_kernels); do
		[ "$(chr "modinfo -k $k -F version tunfix")" = "$v" ] || return 1
	done
	[ "$(chr "tunfixctl --version")" = "tunfixctl $v" ]
}

# conffiles_follow DEB - after apt installed DEB over another version: the
# admin's edited conffiles are kept, DEB's beside them as .dpkg-dist, and
# the one left as shipped is DEB's
conffiles_follow()
{
	local f

	for f in $EDITED; do
		[ "$(md5sum <"$MERGED$f")" = "${edited[$f]}" ] &&
			deb_file "$1" "$f" | cmp -s - "$MERGED$f.dpkg-dist" || return 1
	done
	deb_file "$1" $PLAIN | cmp -s - "$MERGED$PLAIN"
}

# apt_to DIR V [OPTION] - apt installs the packages in DIR of the root,
# version V, the admin's conffiles kept
apt_to()
{
	chr "$APT_INSTALL ${3:-} $1/*.deb" >>"$BUILD/packages.log" &&
		[ "$(chr "dpkg-query -W -f '\${Version} ' tunfix-dkms tunfixctl")" = "$2 $2 " ]
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
ls "$DEBS"/next/tunfix-dkms_*_all.deb "$DEBS"/next/tunfixctl_*.deb >/dev/null ||
	{ echo "boot-check: no next version's packages in $DEBS/next (make deb-next)" >&2; exit 2; }
[ -n "${TUNFIX_BOOT_DEPS:-}" ] ||
	{ echo "boot-check: TUNFIX_BOOT_DEPS is empty (make boot-check sets it)" >&2; exit 2; }
# shellcheck disable=SC2086 # a list of package names
groot=$("$ROOT/tests/env/guest-root.sh" amd64 "$SUITE" $TUNFIX_BOOT_DEPS) || exit 1

MERGED=$BUILD/root
mkdir -p "$BUILD"
umount "$MERGED" 2>/dev/null
rm -rf "$BUILD/upper" "$BUILD/work" "$BUILD"/results-* "$BUILD"/boot-*.log
mkdir -p "$BUILD/upper" "$BUILD/work" "$MERGED" &&
	mount -t overlay overlay -o "lowerdir=$groot,upperdir=$BUILD/upper,workdir=$BUILD/work" \
		"$MERGED" || exit 1
trap boot_finish EXIT

ver=$(dpkg-deb -f "$DEBS"/tunfix-dkms_*_all.deb Version)
next=$(dpkg-deb -f "$DEBS"/next/tunfix-dkms_*_all.deb Version)
: >"$BUILD/packages.log"
left_behind >"$BUILD/left-before"
mkdir -p "$MERGED/tmp/debs/next" && cp "$DEBS"/tunfix-dkms_*_all.deb "$DEBS"/tunfixctl_*.deb "$MERGED/tmp/debs/" &&
	cp "$DEBS"/next/tunfix-dkms_*_all.deb "$DEBS"/next/tunfixctl_*.deb "$MERGED/tmp/debs/next/" &&
	apt_to /tmp/debs "$ver" &&
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

# 5. the package upgrade, with the admin's edit of $PLAIN undone
deb_file "$DEBS"/tunfix-dkms_*_all.deb $PLAIN >"$MERGED$PLAIN"
declare -A edited
for f in $EDITED; do
	edited[$f]=$(md5sum <"$MERGED$f")
done
start=$SECONDS
apt_to /tmp/debs/next "$next"
boot_result $? "$SUITE: apt upgrade $ver -> $next ($((SECONDS - start)) s)"
one_version "$next"
boot_result $? "$SUITE: upgraded: DKMS replaced the module for every kernel ($(root_kernels | paste -sd ' ')), tunfixctl is $next"
conffiles_follow "$DEBS"/next/tunfix-dkms_*_all.deb
boot_result $? "$SUITE: upgraded: the edited $EDITED kept (the new ones in .dpkg-dist), the unedited $PLAIN updated"
boot_kernel "$new"

# 6. back to this version
start=$SECONDS
apt_to /tmp/debs "$ver" --allow-downgrades
boot_result $? "$SUITE: apt downgrade $next -> $ver ($((SECONDS - start)) s)"
one_version "$ver"
boot_result $? "$SUITE: downgraded: DKMS put $ver back for every kernel, tunfixctl is $ver"
conffiles_follow "$DEBS"/tunfix-dkms_*_all.deb
boot_result $? "$SUITE: downgraded: the edited $EDITED kept, the unedited $PLAIN is $ver's again"

# 7. remove, purge
chr "apt-get remove -y -q tunfix-dkms" >>"$BUILD/packages.log" &&
	[ -z "$(chr "dkms status tunfix; find /lib/modules/ /var/lib/dkms -name 'tunfix*'")" ] &&
	[ ! -e "$MERGED/usr/src/tunfix-$ver" ] &&
	ls $(printf "$MERGED%s " $CONFS) >/dev/null
boot_result $? "$SUITE: apt remove: no tunfix module in the DKMS tree or under /lib/modules, configuration kept"
chr "apt-get purge -y -q tunfix-dkms tunfixctl" >>"$BUILD/packages.log" &&
	left_behind | diff "$BUILD/left-before" - &&
	! chr "dpkg -l 'tunfix*'" | grep -qE '^(ii|rc) ' && [ ! -e "$MERGED/usr/sbin/tunfixctl" ]
boot_result $? "$SUITE: apt purge: nothing of tunfix left in $LEFT_DIRS, no package state"
