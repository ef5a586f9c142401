#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages of `make deb`, as an admin uses them: apt installs
# tunfix-dkms and tunfixctl, DKMS builds the module for the running kernel
# (signed with DKMS's MOK key), the shipped samples change nothing until
# enabled, then modprobe.d and sysctl.d turn the features on and the
# bridged gretap + ESP scenario passes; apt remove leaves no module behind,
# apt purge no configuration.  The package's udev rule: with a real
# systemd-udevd running (unpacked from the udev .deb that make deps keeps
# in /var/cache/tunfix-tests/debs; the guest has no systemd as PID 1), a
# plain `modprobe tunfix` applies the net.tunfix.* lines of sysctl.d;
# without udevd it does not.
#
#   hA eth0 --- vA [br0] gt0 ~~ u0 ==ESP== u0 ~~ gt0 [br0] vB --- eth0 hB
#   192.0.2.1/24      198.51.100.1/24    198.51.100.2/24      192.0.2.2/24
#   (rA and rB made after modprobe: df_bridge and df_egress from modprobe.d)
#
# timeout: 900

source "$TUNFIX_ROOT/tests/df-lib.sh"

CONFS="/etc/modprobe.d/tunfix.conf /etc/sysctl.d/90-tunfix.conf /etc/modules-load.d/tunfix.conf"
KVER=$(uname -r)
UDEV=/run/tunfix-udev
UDEV_RULE=/usr/lib/udev/rules.d/60-tunfix.rules
UDEV_CONF=/etc/sysctl.d/91-tunfix-udev-test.conf
trap 'udev_stop; rm -f $UDEV_CONF; modprobe -r tunfix 2>/dev/null; apt-get purge -y -q tunfix-dkms tunfixctl >/dev/null 2>&1; cleanup_all_ns' EXIT

# udev_start - run systemd-udevd (the host's, else unpacked from the
# cached udev .deb into $UDEV) and set $udevadm
udev_start()
{
	local deb

	mkdir -p "$UDEV" || return 1
	udevadm=$(command -v udevadm)
	if [ -z "$udevadm" ]; then
		deb=$(ls /var/cache/tunfix-tests/debs/udev_*.deb 2>/dev/null | head -n 1)
		[ -n "$deb" ] || { echo "no udevadm and no udev .deb (make deps)"; return 1; }
		dpkg-deb -x "$deb" "$UDEV" || return 1
		# bin/ in Debian 12's .deb, usr/bin/ in Debian 13's
		udevadm=$(find "$UDEV" -path "*bin/udevadm" -type f | head -n 1)
	fi
	# udevadm is systemd-udevd when called by that name
	ln -sf "$udevadm" "$UDEV/systemd-udevd" &&
		"$UDEV/systemd-udevd" --daemon && "$udevadm" control --ping
}

udev_stop()
{
	[ -n "${udevadm:-}" ] && "$udevadm" control --exit 2>/dev/null
	udevadm=
}

if [ -z "$TUNFIX_DEB_DIR" ] || ! ls "$TUNFIX_DEB_DIR"/tunfix-dkms_*_all.deb >/dev/null 2>&1; then
	echo "SKIP: no packages (make deb, TUNFIX_DEB_DIR)"
	exit "$ksft_skip"
fi
if [ ! -e "/lib/modules/$KVER/build" ]; then
	echo "SKIP: no headers for $KVER here: DKMS cannot build"
	exit "$ksft_skip"
fi
require_cmd apt-get dkms modinfo ping
tunfix_unload
# the harness's DKMS-built module (for 50) would hide the package's
rm -f "/lib/modules/$KVER"/updates/tunfix.ko*

DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	"$TUNFIX_DEB_DIR"/tunfix-dkms_*_all.deb "$TUNFIX_DEB_DIR"/tunfixctl_*.deb
check_result $? "apt install ./tunfix-dkms_*.deb ./tunfixctl_*.deb"

dkms status tunfix
path=$(modinfo -n tunfix 2>/dev/null)
dkms status tunfix | grep -q "$KVER.*installed" && [ -e "$path" ] &&
	case $path in "/lib/modules/$KVER/updates/"*tunfix.ko*) true ;; *) false ;; esac
check_result $? "DKMS built and installed the module for $KVER ($path)"

signer=$(modinfo -F signer tunfix 2>/dev/null)
[ -e /var/lib/dkms/mok.pub ] && [ -n "$signer" ]
check_result $? "the DKMS-built module is signed with DKMS's key (signer: ${signer:-none})"

[ -x /usr/sbin/tunfixctl ] && [ -e /usr/share/man/man8/tunfixctl.8.gz ] &&
	[ -e /usr/share/bash-completion/completions/tunfixctl ] &&
	/usr/sbin/tunfixctl --version
check_result $? "tunfixctl, its man page and bash completion are installed"

modprobe tunfix && sysctl -q --system && ls /etc/modprobe.d/tunfix.conf >/dev/null &&
	[ "$(cat /proc/sys/net/tunfix/df_bridge)" = 0 ] &&
	[ "$(cat /proc/sys/net/tunfix/dhcp_remark)" = 0 ] &&
	! grep -qv '^#' $CONFS
check_result $? "the shipped samples change nothing until enabled"
modprobe -r tunfix

sed -i 's/^#\(options\|net\.\|tunfix\)/\1/' $CONFS
modprobe tunfix && sysctl -q --system &&
	[ "$(cat /proc/sys/net/tunfix/df_bridge)" = 1 ] &&
	[ "$(cat /proc/sys/net/tunfix/dhcp_remark)" = 1 ] &&
	[ "$(cat /sys/module/tunfix/parameters/df_egress)" = 1 ]
check_result $? "enabled: modprobe.d and sysctl --system turn the features on"

# udev_checks - the udev rule: net.tunfix.* of sysctl.d applied whenever
# the module loads
udev_checks()
{
	[ -e "$UDEV_RULE" ] && grep -qx 'ACTION=="add", SUBSYSTEM=="module", KERNEL=="tunfix", RUN+="/usr/lib/systemd/systemd-sysctl --prefix=/net/tunfix"' "$UDEV_RULE" &&
		[ -x /usr/lib/systemd/systemd-sysctl ]
	check_result $? "the package's udev rule is installed ($UDEV_RULE) and its RUN program exists"
	echo 'net.tunfix.df_min_len = 123' >"$UDEV_CONF"
	modprobe -r tunfix && modprobe tunfix &&
		[ "$(cat /proc/sys/net/tunfix/df_min_len)" = 0 ] &&
		[ "$(cat /proc/sys/net/tunfix/dhcp_remark)" = 0 ]
	check_result $? "without udevd, modprobe tunfix leaves sysctl.d unapplied (df_min_len, dhcp_remark 0)"
	modprobe -r tunfix
	udev_start
	check_result $? "systemd-udevd runs in the guest ($($udevadm --version 2>/dev/null))"
	modprobe tunfix && "$udevadm" settle --timeout=30 &&
		slowwait 10 grep -qx 123 /proc/sys/net/tunfix/df_min_len &&
		[ "$(cat /proc/sys/net/tunfix/dhcp_remark)" = 1 ]
	check_result $? "with udevd, modprobe tunfix applies sysctl.d through the rule (df_min_len $(cat /proc/sys/net/tunfix/df_min_len), dhcp_remark $(cat /proc/sys/net/tunfix/dhcp_remark))"
	"$udevadm" test --action=add /module/tunfix 2>&1 | tee /tmp/udev-test.out | grep -q "systemd-sysctl --prefix=/net/tunfix"
	check_result $? "udevadm test /module/tunfix: the rule matches and runs systemd-sysctl --prefix=/net/tunfix"
	udev_stop
	rm -f "$UDEV_CONF"
}

# the rule's RUN program is systemd's: a root without systemd (a minbase
# Debian 13 root of distro-check) cannot run it
if [ -x /usr/lib/systemd/systemd-sysctl ]; then
	udev_checks
else
	echo "SKIP: the udev rule (no /usr/lib/systemd/systemd-sysctl on this root)"
fi

bridged_topology esp
check_result $? "bridged gretap + ESP: topology up, small pings pass"
ping_df "$hA" 192.0.2.2 1472 3 &&
	[ "$(counter "$rA" df_cleared_bridge)" -gt 0 ] &&
	[ "$(counter "$rB" df_cleared_egress)" -gt 0 ]
check_result $? "bridged gretap + ESP: ping -s 1472 -M do passes with the packaged module"
cleanup_all_ns
modprobe -r tunfix

DEBIAN_FRONTEND=noninteractive apt-get remove -y -q tunfix-dkms
! dkms status tunfix | grep -q . &&
	! find /lib/modules/ /var/lib/dkms -name 'tunfix*' 2>/dev/null | grep -q . &&
	[ ! -e /usr/src/tunfix-"$(sed -n 's/^#define TUNFIX_VERSION[^"]*"\(.*\)"/\1/p' "$TUNFIX_ROOT/uapi/linux/tunfix.h")" ] &&
	ls $CONFS >/dev/null
check_result $? "apt remove: no tunfix module in the DKMS tree or under /lib/modules; configuration kept"

DEBIAN_FRONTEND=noninteractive apt-get purge -y -q tunfix-dkms tunfixctl
! ls $CONFS 2>/dev/null | grep -q . && [ ! -e /usr/sbin/tunfixctl ]
check_result $? "apt purge: the configuration is gone"

exit_with_result
