#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make install into a staging directory goes through the kernel's
# modules_install (INSTALL_MOD_DIR=updates): the module lands where
# modprobe looks, with the kernel's compression; make uninstall removes
# everything it installed.

set -eu
cd "$(dirname "$0")/.."
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
kver=$(tests/env/kver.sh)

make -s install DESTDIR="$dest" >/dev/null
ko=$(find "$dest/lib/modules/$kver/updates" -name 'tunfix.ko*')
[ -n "$ko" ] || { echo "FAIL: no tunfix.ko* under lib/modules/$kver/updates"; exit 1; }
modinfo -F vermagic "$ko" | grep -q "^$kver " ||
	{ echo "FAIL: $ko is not built for $kver"; exit 1; }
for f in usr/sbin/tunfixctl usr/share/man/man8/tunfixctl.8 usr/include/linux/tunfix.h \
	 usr/share/doc/tunfix/examples/modules-load.d/tunfix.conf usr/lib/udev/rules.d/60-tunfix.rules; do
	[ -e "$dest/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
echo "installed: ${ko#"$dest"/}"
make -s uninstall DESTDIR="$dest" >/dev/null
left=$(find "$dest" -type f)
[ -z "$left" ] || { echo "FAIL: make uninstall left $left"; exit 1; }
echo "make install and uninstall: ok"
