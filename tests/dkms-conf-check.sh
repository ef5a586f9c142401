#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms.conf's BUILD_EXCLUSIVE_KERNEL says what is tested: it takes every
# series of tests/kernels.list (and later ones) and refuses the series just
# below the lowest, so DKMS skips kernels tunfix was never built for.

cd "$(dirname "$0")/.." || exit 1
# shellcheck source=/dev/null
re=$(kernelver=x kernel_source_dir=x; . ./dkms.conf; echo "$BUILD_EXCLUSIVE_KERNEL")
[ -n "$re" ] || { echo "FAIL: no BUILD_EXCLUSIVE_KERNEL in dkms.conf"; exit 1; }
fails=0
series=$(awk '!/^#/ && NF { print $1 }' tests/kernels.list | sort -V)
for s in $series 8.0 10.1 12.4; do
	rel=$s.0-1-amd64
	[[ $rel =~ $re ]] || { echo "FAIL: dkms.conf refuses $rel"; fails=$((fails + 1)); }
done
low=$(echo "$series" | head -n 1)
below=${low%%.*}.$((${low#*.} - 1))
for rel in "$below.0-1-amd64" 4.19.0-27-amd64 5.4.0-200-generic; do
	[[ $rel =~ $re ]] && { echo "FAIL: dkms.conf takes $rel, below $low"; fails=$((fails + 1)); }
done
echo "dkms.conf: BUILD_EXCLUSIVE_KERNEL=$re, lowest tested $low"
[ "$fails" -eq 0 ]
