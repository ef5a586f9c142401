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
# without udevd it does not.  Upgrade and downgrade with apt, to and from
# the next version's packages (make deb-next, in TUNFIX_DEB_DIR/next):
# DKMS replaces the module for every kernel it was installed for, an
# edited conffile is kept and an unedited one follows the package, and
# tunfixctl, modinfo and the loaded module name the same version.  After
# purge nothing of tunfix is left in /etc, /lib/modules, /usr/src and
# /var/lib/dkms (or the udev rules).
#
#   hA eth0 --- vA [br0] gt0 ~~ u0 ==ESP== u0 ~~ gt0 [br0] vB --- eth0 hB
#   192.0.2.1/24      198.51.100.1/24    198.51.100.2/24      192.0.2.2/24
#   (rA and rB made after modprobe: df_bridge and df_egress from modprobe.d)
#
# timeout: 1800

source "$TUNFIX_ROOT/tests/df-lib.sh"

CONFS="/etc/modprobe.d/tunfix.conf /etc/sysctl.d/90-tunfix.conf /etc/modules-load.d/tunfix.conf"
KVER=$(uname -r)
UDEV=/run/tunfix-udev
UDEV_RULE=/usr/lib/udev/rules.d/60-tunfix.rules
UDEV_CONF=/etc/sysctl.d/91-tunfix-udev-test.conf
VER=$(sed -n 's/^#define TUNFIX_VERSION[^"]*"\(.*\)"/\1/p' "$TUNFIX_ROOT/uapi/linux/tunfix.h")
NEXT_DIR=$TUNFIX_DEB_DIR/next
# what apt does with a conffile the admin changed and the package changes
# too: keep the admin's (the new one is put beside it as .dpkg-dist)
APT_INSTALL="apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"
# where nothing of tunfix may be left after purge
LEFT_DIRS="/etc /lib/modules /usr/src /var/lib/dkms /usr/lib/udev"
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

require_debs
require_cmd apt-get dkms modinfo ping
tunfix_unload
# the harness's DKMS-built module (for 50) would hide the package's
rm -f "/lib/modules/$KVER"/updates/tunfix.ko*

# left_behind - every file or directory named *tunfix* in LEFT_DIRS (not
# looking into the kernel headers' trees)
left_behind()
{
	# shellcheck disable=SC2086 # a list of directories
	find $LEFT_DIRS -path '/usr/src/linux-*' -prune -o -name '*tunfix*' -print 2>/dev/null | sort
}
left_behind >/tmp/tunfix-before-install

DEBIAN_FRONTEND=noninteractive $APT_INSTALL \
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

# deb_file DEB PATH - the file PATH as the package DEB ships it
deb_file()
{
	dpkg-deb --fsys-tarfile "$1" | tar -xOf - ".$2"
}

# dkms_kernels V - the kernels DKMS has tunfix V installed for
dkms_kernels()
{
	dkms status "tunfix/$1" | sed -n 's/^[^,]*, \([^,]*\), [^:]*: installed.*/\1/p' | sort
}

# one_version V KERNELS - V everywhere: DKMS has tunfix V installed for
# each of KERNELS, every tunfix module under /lib/modules is V (one per
# kernel), modinfo and the loaded module say V, and tunfixctl --version
# names V for itself and for the module
one_version()
{
	local v=$1 kernels=$2 files f

	[ -n "$kernels" ] && [ "$(dkms_kernels "$v")" = "$kernels" ] || return 1
	files=$(find /lib/modules/ -name 'tunfix.ko*')
	echo "tunfix modules: $(echo $files)"
	[ "$(echo "$files" | wc -l)" = "$(echo "$kernels" | wc -l)" ] || return 1
	for f in $files; do
		[ "$(modinfo -F version "$f")" = "$v" ] || return 1
	done
	[ "$(modinfo -F version tunfix)" = "$v" ] &&
		[ "$(cat /sys/module/tunfix/version)" = "$v" ] &&
		[ "$(tunfixctl --version | tr '\n' ' ')" = "tunfixctl $v module $v " ]
}

# an upgrade, then a downgrade, with the module loaded meanwhile (as on a
# router): the admin's modprobe.d stays as enabled above; modules-load.d
# goes back to the package's own file (unedited)
upgrade_downgrade()
{
	local old_deb next_deb next kernels edited plain=/etc/modules-load.d/tunfix.conf
	local mine=/etc/modprobe.d/tunfix.conf

	old_deb=$(ls "$TUNFIX_DEB_DIR"/tunfix-dkms_*_all.deb)
	next_deb=$(ls "$NEXT_DIR"/tunfix-dkms_*_all.deb)
	next=$(dpkg-deb -f "$next_deb" Version)
	deb_file "$old_deb" $plain >$plain
	edited=$(md5sum <$mine)
	kernels=$(dkms_kernels "$VER")
	modprobe tunfix
	one_version "$VER" "$kernels"
	check_result $? "before: tunfix $VER for every kernel with it ($(echo $kernels)), modinfo, the loaded module and tunfixctl agree"

	start=$SECONDS
	DEBIAN_FRONTEND=noninteractive $APT_INSTALL \
		"$next_deb" "$NEXT_DIR"/tunfixctl_*.deb &&
		[ "$(dpkg-query -W -f '${Version} ' tunfix-dkms tunfixctl)" = "$next $next " ]
	check_result $? "apt upgrade $VER -> $next ($((SECONDS - start)) s)"
	[ "$(cat /sys/module/tunfix/version)" = "$VER" ] &&
		modprobe -r tunfix && modprobe tunfix && one_version "$next" "$kernels"
	check_result $? "upgraded: DKMS replaced the module for every kernel ($(echo $kernels)); reloaded, modinfo, the module and tunfixctl say $next"
	[ "$(md5sum <$mine)" = "$edited" ] &&
		deb_file "$next_deb" $mine | cmp - $mine.dpkg-dist &&
		deb_file "$next_deb" $plain | cmp - $plain
	check_result $? "upgraded: the edited $mine kept (the new one in .dpkg-dist), the unedited $plain updated"

	start=$SECONDS
	DEBIAN_FRONTEND=noninteractive $APT_INSTALL --allow-downgrades \
		"$old_deb" "$TUNFIX_DEB_DIR"/tunfixctl_*.deb &&
		[ "$(dpkg-query -W -f '${Version} ' tunfix-dkms tunfixctl)" = "$VER $VER " ]
	check_result $? "apt downgrade $next -> $VER ($((SECONDS - start)) s)"
	modprobe -r tunfix && modprobe tunfix && one_version "$VER" "$kernels"
	check_result $? "downgraded: DKMS put $VER back for every kernel; modinfo, the module and tunfixctl say $VER"
	[ "$(md5sum <$mine)" = "$edited" ] &&
		deb_file "$old_deb" $plain | cmp - $plain
	check_result $? "downgraded: the edited $mine kept, the unedited $plain is $VER's again"
	modprobe -r tunfix
}

if ls "$NEXT_DIR"/tunfix-dkms_*_all.deb >/dev/null 2>&1; then
	upgrade_downgrade
else
	echo "SKIP: upgrade and downgrade (no next version's packages: make deb-next)"
fi

DEBIAN_FRONTEND=noninteractive apt-get remove -y -q tunfix-dkms
! dkms status tunfix | grep -q . &&
	! find /lib/modules/ /var/lib/dkms -name 'tunfix*' 2>/dev/null | grep -q . &&
	[ ! -e "/usr/src/tunfix-$VER" ] &&
	ls $CONFS >/dev/null
check_result $? "apt remove: no tunfix module in the DKMS tree or under /lib/modules; configuration kept"

DEBIAN_FRONTEND=noninteractive apt-get purge -y -q tunfix-dkms tunfixctl
left_behind >/tmp/tunfix-after-purge
diff /tmp/tunfix-before-install /tmp/tunfix-after-purge &&
	! dpkg -l 'tunfix*' 2>/dev/null | grep -qE '^(ii|rc) ' && [ ! -e /usr/sbin/tunfixctl ]
check_result $? "apt purge: nothing of tunfix left in $LEFT_DIRS, no package state"

exit_with_result
