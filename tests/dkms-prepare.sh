#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/dkms-prepare.sh OUTDIR - build and install tunfix with DKMS for the
# guest kernel (make dkms-install), keep the module DKMS installed in
# OUTDIR (the guest suite installs it as /lib/modules/VER/updates, see
# TUNFIX_GUEST_MODDIR), then remove it from DKMS again (make dkms-remove).

set -e
cd "$(dirname "$0")/.."
out=$1
ver=$(make -s -f - <<<'include Makefile
print-kver: ; @echo $(KERNELRELEASE)' print-kver)
rm -rf "$out"
mkdir -p "$out"
make -s dkms-remove >/dev/null 2>&1 || true
make dkms-install
ko=$(find "/lib/modules/$ver/updates" -name 'tunfix.ko*' | head -n 1)
[ -n "$ko" ] || { echo "dkms-prepare: no tunfix.ko installed for $ver"; exit 1; }
cp "$ko" "$out/"
modinfo -F version "$out"/tunfix.ko*
make -s dkms-remove
! find "/lib/modules/$ver" -name 'tunfix.ko*' | grep -q .
echo "dkms-prepare: $ver module in $out, DKMS cleaned up"
