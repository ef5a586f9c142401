#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/dist-check.sh - make dist is reproducible: the tarball made in this
# tree and the one made in a fresh clone of it (another time zone and
# umask, a minute later) have the same sha256; it is named after the
# version, holds the tree under tunfix-VERSION/ (NEWS and dkms.conf
# included) and its entries carry the last commit's time.

set -eu
cd "$(dirname "$0")/.."
version=$(make -s print-version)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/a" "$tmp/b"

make -s dist DIST_DIR="$tmp/a" >/dev/null
git clone -q . "$tmp/clone"
(cd "$tmp/clone" && umask 077 && TZ=Pacific/Kiritimati make -s dist DIST_DIR="$tmp/b" >/dev/null)
a=$(cd "$tmp/a" && sha256sum "tunfix-$version.tar.gz")
b=$(cd "$tmp/b" && sha256sum "tunfix-$version.tar.gz")
echo "tree:  $a"
echo "clone: $b"
[ "$a" = "$b" ] || { echo "FAIL: make dist differs between two runs"; exit 1; }

tar -tzf "$tmp/a/tunfix-$version.tar.gz" >"$tmp/list"
for f in NEWS dkms.conf Makefile uapi/linux/tunfix.h; do
	grep -qx "tunfix-$version/$f" "$tmp/list" || { echo "FAIL: no tunfix-$version/$f in the tarball"; exit 1; }
done
[ "$(grep -cv "^tunfix-$version/" "$tmp/list")" -eq 0 ] || { echo "FAIL: entries outside tunfix-$version/"; exit 1; }
epoch=$(git log -1 --format=%ct)
mtime=$(TZ=UTC tar --full-time -tvzf "$tmp/a/tunfix-$version.tar.gz" "tunfix-$version/NEWS" | awk '{ print $4 " " $5 }')
[ "$(date -u -d "$mtime" +%s)" = "$epoch" ] ||
	{ echo "FAIL: NEWS dated $mtime, the last commit $epoch"; exit 1; }
echo "dist: tunfix-$version.tar.gz reproducible, $(wc -l <"$tmp/list") entries dated $epoch"
