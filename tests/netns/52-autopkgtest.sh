#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Debian's own test convention: autopkgtest runs the package's
# debian/tests/control against the packages of `make deb`, with the null
# virt server (the guest is the isolated machine): dkms-autopkgtest (the
# test autodep8 makes for "Testsuite: autopkgtest-pkg-dkms": installs
# tunfix-dkms, builds and installs the module with DKMS for every kernel
# with headers) and module-load (loads it, tunfixctl --version, status,
# doctor; doctor exits 3 once the module is gone).  The guest runs one
# kernel: build links of other kernels in the host's root (headers
# installed for the kernel matrix) are put aside for the run.  The guest
# has no network: during the run apt's sources, lists and cache are empty
# tmpfs (the archive's lists would only make apt rebuild its cache, minutes
# under emulation), so apt sees autopkgtest's local repository of the
# packages and what is installed.  No topology, no traffic.
#
# timeout: 900

source "$TUNFIX_ROOT/tests/lib.sh"

KVER=$(uname -r)
ASIDE=.tunfix-52-aside
OUT=$TUNFIX_RESULTS/autopkgtest

APT_DIRS="/etc/apt/sources.list.d /var/lib/apt/lists /var/cache/apt"
EMPTY=/run/tunfix-52-empty

cleanup()
{
	local b

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

require_debs
# minutes of DKMS builds under emulation: with 51's upgrade (the next
# version's packages at hand) in make lifecycle-check, not in make check
if [ ! -d "$TUNFIX_DEB_DIR/next" ]; then
	echo "SKIP: autopkgtest runs in make lifecycle-check (make deb-next)"
	exit "$ksft_skip"
fi
require_cmd autopkgtest dkms grep-dctrl
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

# the null virt server: Debian 12's (autopkgtest 5.28) declares
# isolation-machine itself, Debian 13's (5.49) declares nothing unless told
NULL=(null)
if autopkgtest-virt-null --help 2>&1 | grep -q -- --fake-capability; then
	NULL+=(--fake-capability isolation-machine)
fi

start=$SECONDS
autopkgtest --summary-file="$TUNFIX_RESULTS/summary" -o "$OUT" \
	"$TUNFIX_DEB_DIR"/tunfix-dkms_*_all.deb "$TUNFIX_DEB_DIR"/tunfixctl_*.deb \
	"$SRC/" -- "${NULL[@]}"
rc=$?
cat "$TUNFIX_RESULTS/summary"
check_result $rc "autopkgtest ... -- null: every test passed ($((SECONDS - start)) s, exit $rc)"

grep -Eq '^dkms-autopkgtest +PASS' "$TUNFIX_RESULTS/summary" &&
	grep -Fxq -e "I: PASS $KVER" -e "I: PASS tunfix/$VER $KVER" "$OUT/log"
check_result $? "dkms-autopkgtest: tunfix $VER built and installed by DKMS for $KVER"

grep -Eq '^module-load +PASS' "$TUNFIX_RESULTS/summary" &&
	grep -q "doctor without the module: exit 3" "$OUT/log"
check_result $? "module-load: loaded, tunfixctl status and doctor; doctor exits 3 without the module"

exit_with_result
