#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The packaged way: a module built and installed by DKMS on the host for
# the guest kernel (tests/dkms-prepare.sh, installed by the harness as
# /lib/modules/VER/updates) is loaded with `modprobe` and parameters, with
# /etc/modprobe.d and /etc/sysctl.d files from examples/.
#
#   init_net        N1 (made after modprobe)
#
# timeout: 300

source "$TUNFIX_ROOT/tests/lib.sh"

trap 'modprobe -r tunfix 2>/dev/null; rm -f /etc/modprobe.d/tunfix.conf /etc/sysctl.d/90-tunfix.conf; cleanup_all_ns' EXIT

if [ -z "$TUNFIX_GUEST_MODDIR" ]; then
	echo "SKIP: no DKMS-built module (run through make check / tests/dkms-prepare.sh)"
	exit $ksft_skip
fi

tunfix_unload
path=$(modinfo -n tunfix)
case $path in */updates/*) r=0 ;; *) r=1 ;; esac
check_result $r "modprobe finds the DKMS-installed module ($path)"

modprobe tunfix df_egress=1 dhcp_mark=0x42 df_protocols=50
check_result $? "modprobe tunfix with parameters"
setup_ns N1
[ "$(cat /sys/module/tunfix/parameters/dhcp_mark)" = 0x42 ] &&
	[ "$(cat /sys/module/tunfix/version)" = "$(sed -n 's/^#define TUNFIX_VERSION[^"]*"\(.*\)"/\1/p' "$TUNFIX_ROOT/uapi/linux/tunfix.h")" ] &&
	[ "$(cat /proc/sys/net/tunfix/dhcp_mark)" = 0x42 ] &&
	[ "$(ip netns exec "$N1" cat /proc/sys/net/tunfix/df_egress)" = 1 ] &&
	[ "$(ip netns exec "$N1" cat /proc/sys/net/tunfix/df_protocols)" = 50 ]
check_result $? "parameters in /sys/module and as sysctls of init_net and a new netns"
cleanup_all_ns

modprobe -r tunfix && [ ! -e /proc/sys/net/tunfix ]
check_result $? "modprobe -r unloads and cleans up"

mkdir -p /etc/modprobe.d /etc/sysctl.d
cp "$TUNFIX_ROOT/examples/modprobe.d/tunfix.conf" /etc/modprobe.d/
cp "$TUNFIX_ROOT/examples/sysctl.d/90-tunfix.conf" /etc/sysctl.d/
modprobe tunfix &&
	[ "$(cat /sys/module/tunfix/parameters/df_bridge)" = 1 ] &&
	[ "$(cat /proc/sys/net/tunfix/df_bridge)" = 1 ]
check_result $? "options from /etc/modprobe.d/tunfix.conf apply"

# (the exit status of sysctl --system also covers the guest's own files)
sysctl -q --system >/dev/null 2>&1
[ "$(cat /proc/sys/net/tunfix/dhcp_remark)" = 1 ] &&
	[ "$(cat /proc/sys/net/tunfix/df_protocols)" = 47,50 ]
check_result $? "settings from /etc/sysctl.d/90-tunfix.conf apply (sysctl --system)"

modprobe -r tunfix && ! grep -q '^tunfix ' /proc/modules
check_result $? "modprobe -r again"

exit_with_result
