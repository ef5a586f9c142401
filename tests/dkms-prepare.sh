#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/dkms-prepare.sh OUTDIR [KVER [ROOT]] - build and install tunfix with
# DKMS for kernel KVER (default: tests/env/kver.sh), on this host or chrooted
# in the build root ROOT (tests/env/kernels.sh), keep the module DKMS installed in
# OUTDIR (the guest suite installs it as /lib/modules/VER/updates, see
# TUNFIX_GUEST_MODDIR), then remove it from DKMS again and check that no
# tunfix module is left.

set -eu
cd "$(dirname "$0")/.."
out=$1
ver=${2:-$(tests/env/kver.sh)}
root=${3:-}
version=$(make -s print-version)

# shellcheck source=tests/env/lib.sh
. tests/env/lib.sh
# shellcheck source=tests/dkms-lib.sh
. tests/dkms-lib.sh

# on_target CMD... - run CMD on the host, or in ROOT
on_target()
{
	if [ -z "$root" ]; then
		"$@"
	else
		in_root "$root" "$@"
	fi
}

[ -n "$root" ] || dkms_lock
rm -rf "$out"
mkdir -p "$out"
on_target dkms remove -m tunfix -v "$version" --all >/dev/null 2>&1 || true
make -s dkms-src DESTDIR="$root"
on_target dkms add -m tunfix -v "$version"
on_target dkms build -m tunfix -v "$version" -k "$ver"
on_target dkms install -m tunfix -v "$version" -k "$ver"
ko=$(dkms_installed "$root" "$ver" "$version")
cp "$ko" "$out/"
on_target dkms remove -m tunfix -v "$version" --all
rm -rf "$root/usr/src/tunfix-$version"
dkms_gone "$root" "$ver" "$version"
echo "dkms-prepare: $ver module in $out, DKMS cleaned up"
