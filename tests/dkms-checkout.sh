#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/dkms-checkout.sh [KVER] - DKMS from a checkout, as a user types it,
# for kernel KVER (default: tests/env/kver.sh), on this host.  In a fresh
# `git clone` of this tree (the committed files only: no build products,
# no caches of the developer's tree):
#   1. dkms add .; dkms build tunfix/VERSION -k KVER;
#      dkms install tunfix/VERSION -k KVER
#   2. dkms remove tunfix/VERSION --all; rm -rf /usr/src/tunfix-VERSION
#   3. dkms install . -k KVER (one command), then 2 again
# After each install the module is in /lib/modules/KVER/updates with
# modinfo's version VERSION; after each removal nothing of tunfix is left
# in /lib/modules, /var/lib/dkms or /usr/src.  Debian 12's dkms (3.0.10)
# copies the checkout to /usr/src/tunfix-VERSION (no symlink) and its
# remove leaves that copy: the rm is the user's (Documentation/packaging.rst).

set -eu
cd "$(dirname "$0")/.."
# shellcheck source=tests/dkms-lib.sh
. tests/dkms-lib.sh
ver=${1:-$(tests/env/kver.sh)}
version=$(make -s print-version)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

dkms_lock
git diff --quiet HEAD -- || echo "dkms-checkout: uncommitted changes are not tested (a clone of HEAD)"
dkms remove "tunfix/$version" --all >/dev/null 2>&1 || true
rm -rf "/usr/src/tunfix-$version"
git clone -q . "$tmp/tunfix"
cd "$tmp/tunfix"

# typed CMD... - show the command as a user types it, run it
typed() { echo "# $*"; "$@"; }

typed dkms add .
[ -d "/usr/src/tunfix-$version" ] && [ ! -L "/usr/src/tunfix-$version" ] &&
	echo "dkms add . copied the checkout to /usr/src/tunfix-$version"
typed dkms build "tunfix/$version" -k "$ver"
typed dkms install "tunfix/$version" -k "$ver"
dkms_installed "" "$ver" "$version"
typed dkms remove "tunfix/$version" --all
typed rm -rf "/usr/src/tunfix-$version"
dkms_gone "" "$ver" "$version"

typed dkms install . -k "$ver"
dkms_installed "" "$ver" "$version"
typed dkms remove "tunfix/$version" --all
typed rm -rf "/usr/src/tunfix-$version"
dkms_gone "" "$ver" "$version"
echo "dkms-checkout: dkms add/build/install and dkms install . from a clone, for $ver, removed cleanly"
