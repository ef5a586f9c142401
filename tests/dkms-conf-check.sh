#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms.conf's BUILD_EXCLUSIVE_KERNEL says what is tested: it takes every
# series of tests/env/kernels.list (and later ones) and refuses the series just
# below the lowest, so DKMS skips kernels tunfix was never built for.
# Its PACKAGE_VERSION is the version the code reads (TUNFIX_VERSION in
# uapi/linux/tunfix.h), and so are the man page's and the newest entry of
# NEWS: make set-version writes them all, this catches one left behind.

cd "$(dirname "$0")/.." || exit 1
# shellcheck source=/dev/null
re=$(kernelver=x kernel_source_dir=x; . ./dkms.conf; echo "$BUILD_EXCLUSIVE_KERNEL")
[ -n "$re" ] || { echo "FAIL: no BUILD_EXCLUSIVE_KERNEL in dkms.conf"; exit 1; }
fails=0

version=$(sed -n 's/^#define TUNFIX_VERSION[^"]*"\(.*\)"/\1/p' uapi/linux/tunfix.h)
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
	{ echo "FAIL: TUNFIX_VERSION '$version' is not X.Y.Z"; fails=$((fails + 1)); }
# shellcheck source=/dev/null
conf=$(kernelver=x kernel_source_dir=x; . ./dkms.conf; echo "$PACKAGE_VERSION")
man=$(sed -n 's/^\.TH [^"]*"[^"]*" "tunfix \([^"]*\)".*/\1/p' tools/tunfixctl.8)
news=$(sed -n 's/^tunfix \([0-9][^ ]*\) .*/\1/p' NEWS | head -n 1)
for pair in "dkms.conf PACKAGE_VERSION:$conf" "tools/tunfixctl.8 .TH:$man" \
	    "NEWS newest entry:$news"; do
	[ "${pair##*:}" = "$version" ] ||
		{ echo "FAIL: ${pair%:*} is '${pair##*:}', TUNFIX_VERSION is '$version'"; fails=$((fails + 1)); }
done
series=$(awk '!/^#/ && NF { print $1 }' tests/env/kernels.list | sort -V)
for s in $series 8.0 10.1 12.4; do
	rel=$s.0-1-amd64
	[[ $rel =~ $re ]] || { echo "FAIL: dkms.conf refuses $rel"; fails=$((fails + 1)); }
done
low=$(echo "$series" | head -n 1)
below=${low%%.*}.$((${low#*.} - 1))
for rel in "$below.0-1-amd64" 4.19.0-27-amd64 5.4.0-200-generic; do
	[[ $rel =~ $re ]] && { echo "FAIL: dkms.conf takes $rel, below $low"; fails=$((fails + 1)); }
done
echo "dkms.conf: BUILD_EXCLUSIVE_KERNEL=$re, lowest tested $low; version $conf (TUNFIX_VERSION $version)"
[ "$fails" -eq 0 ]
