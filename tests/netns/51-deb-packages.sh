#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages of `make deb`, installed the way Debian's CI tests a
# DKMS package, then used as an admin uses them.  autopkgtest runs the
# package's debian/tests/control with the null virt server (the guest is
# the isolated machine): dkms-autopkgtest (the test autodep8 makes for
# "Testsuite: autopkgtest-pkg-dkms": installs tunfix-dkms with apt,
# builds and installs the module with DKMS for every kernel with headers)
# and module-load (loads it, tunfixctl --version, status, doctor; doctor
# exits 3 once the module is gone; run by the scenario itself where the
# null server cannot claim isolation-machine, Debian 13); both packages
# stay installed.  The guest runs one kernel: build links of other kernels
# in the host's root (headers installed for the kernel matrix) are put
# aside for the run.  The
# guest has no network: apt's sources, lists and cache are empty tmpfs
# (the archive's lists would only make apt rebuild its cache, minutes under
# emulation), so apt sees autopkgtest's local repository of the packages
# and what is installed.
#
# Then: the module is signed with DKMS's MOK key; the shipped samples
# change nothing until enabled, then modprobe.d and sysctl.d turn the
# features on and the bridged gretap + ESP scenario passes.  The package's
# udev rule: with a real systemd-udevd running (unpacked from the udev
# .deb that make deps keeps in /var/cache/tunfix-tests/debs; the guest has
# no systemd as PID 1), a plain `modprobe tunfix` applies the net.tunfix.*
# lines of sysctl.d; without udevd it does not.  Upgrade, downgrade,
# removal and purge, across two kernels, are make boot-check's
# (tests/env/boot-check.sh).
#
#   hA eth0 --- vA [br0] gt0 ~~ u0 ==ESP== u0 ~~ gt0 [br0] vB --- eth0 hB
#   192.0.2.1/24      198.51.100.1/24    198.51.100.2/24      192.0.2.2/24
#   (rA and rB made after modprobe: df_bridge and df_egress from modprobe.d)
#
# timeout: 1200

source "$TUNFIX_ROOT/tests/df-lib.sh"

CONFS="/etc/modprobe.d/tunfix.conf /etc/sysctl.d/90-tunfix.conf /etc/modules-load.d/tunfix.conf"
KVER=$(uname -r)
UDEV=/run/tunfix-udev
UDEV_RULE=/usr/lib/udev/rules.d/60-tunfix.rules
UDEV_CONF=/etc/sysctl.d/91-tunfix-udev-test.conf
ASIDE=.tunfix-51-aside
OUT=$TUNFIX_RESULTS/autopkgtest
APT_DIRS="/etc/apt/sources.list.d /var/lib/apt/lists /var/cache/apt"
EMPTY=/run/tunfix-51-empty

cleanup()
{
	local b

	udev_stop
	rm -f $UDEV_CONF
	cleanup_all_ns
	modprobe -r tunfix 2>/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get purge -y -q tunfix-dkms tunfixctl >/dev/null 2>&1
	rm -f /etc/dkms/no-autoinstall
	for b in /lib/modules/*/build$ASIDE; do
		[ -e "$b" ] || [ -L "$b" ] && mv "$b" "${b%"$ASIDE"}"
	done
	# shellcheck disable=SC2086 # a list of directories
	umount /etc/apt/sources.list $APT_DIRS 2>/dev/null
}
trap cleanup EXIT

# apt_offline - apt sees no archive: empty sources, lists and cache
apt_offline()
{
	local d

	for d in $APT_DIRS; do
		mount -t tmpfs tmpfs "$d" || return 1
	done
	mkdir -p /var/lib/apt/lists/partial /var/cache/apt/archives/partial &&
		: >$EMPTY || return 1
	if [ -e /etc/apt/sources.list ]; then
		mount --bind $EMPTY /etc/apt/sources.list || return 1
	fi
}

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
require_cmd apt-get autopkgtest dkms grep-dctrl modinfo ping
tunfix_unload
VER=$(dpkg-deb -f "$TUNFIX_DEB_DIR"/tunfix-dkms_*_all.deb Version)
SRC=$TUNFIX_DEB_DIR/tunfix-$VER
[ -e "$SRC/debian/tests/control" ] || { echo "SKIP: no $SRC/debian/tests/control"; exit "$ksft_skip"; }
# the harness's DKMS-built module (for 50) would hide the package's
rm -f "/lib/modules/$KVER"/updates/tunfix.ko*
for b in /lib/modules/*/build; do
	[ "$b" = "/lib/modules/$KVER/build" ] || mv "$b" "$b$ASIDE"
done
apt_offline || { echo "SKIP: cannot hide apt's sources"; exit "$ksft_skip"; }

# The null virt server: Debian 12's (autopkgtest 5.28) declares
# isolation-machine itself.  Debian 13's (5.49) declares nothing, and
# cannot be told to: with --fake-capability isolation-machine it fails an
# assertion as it opens the testbed (VirtSubproc.downtmp_mktemp(): the null
# server's scratch directory is the host's), a testbed failure.  There
# autopkgtest skips module-load for its restriction, and the scenario runs
# debian/tests/module-load itself, as autopkgtest would, with tunfixctl
# (its "@" dependency) installed: the guest is the isolated machine.
start=$SECONDS
autopkgtest --summary-file="$TUNFIX_RESULTS/summary" -o "$OUT" \
	"$TUNFIX_DEB_DIR"/tunfix-dkms_*_all.deb "$TUNFIX_DEB_DIR"/tunfixctl_*.deb \
	"$SRC/" -- null
rc=$?
cat "$TUNFIX_RESULTS/summary"
# exit 2: a test was skipped, which only module-load's restriction may do
{ [ $rc = 0 ] || { [ $rc = 2 ] && grep -Eq '^module-load +SKIP .*isolation-machine' "$TUNFIX_RESULTS/summary"; }; } &&
	! grep -Eq ' (FAIL|FLAKY)' "$TUNFIX_RESULTS/summary"
check_result $? "autopkgtest ... -- null: no test failed ($((SECONDS - start)) s, exit $rc)"

# log_lines LOG - autopkgtest's LOG without the seconds since its start
# that Debian 13's autopkgtest puts before each line
log_lines()
{
	sed 's/^ *[0-9]*s //' "$1"
}

grep -Eq '^dkms-autopkgtest +PASS' "$TUNFIX_RESULTS/summary" &&
	log_lines "$OUT/log" | grep -Fxq -e "I: PASS $KVER" -e "I: PASS tunfix/$VER $KVER"
check_result $? "dkms-autopkgtest: tunfix $VER built and installed by DKMS for $KVER"

if grep -Eq '^module-load +PASS' "$TUNFIX_RESULTS/summary"; then
	cp "$OUT/log" "$TUNFIX_RESULTS/module-load.log"
	how="by autopkgtest"
else
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"$TUNFIX_DEB_DIR"/tunfixctl_*.deb >/dev/null &&
		AUTOPKGTEST_TMP=$(mktemp -d) sh -e "$SRC/debian/tests/module-load" \
			>"$TUNFIX_RESULTS/module-load.log" 2>&1
	cat "$TUNFIX_RESULTS/module-load.log"
	how="by this scenario: the null server here cannot claim isolation-machine"
fi
grep -q "doctor without the module: exit 3" "$TUNFIX_RESULTS/module-load.log" &&
	log_lines "$TUNFIX_RESULTS/module-load.log" | grep -qx "module-load: PASS"
check_result $? "module-load ($how): loaded, tunfixctl status and doctor; doctor exits 3 without the module"
# what dkms-autopkgtest leaves to stop DKMS building on install
rm -f /etc/dkms/no-autoinstall

[ "$(dpkg-query -W -f '${Version} ' tunfix-dkms tunfixctl)" = "$VER $VER " ]
check_result $? "tunfix-dkms and tunfixctl $VER stay installed"

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

exit_with_result
