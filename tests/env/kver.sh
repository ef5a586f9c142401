#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/env/kver.sh [--series] - the kernel release tunfix builds and tests for
# by default: the one Debian's linux-headers-amd64 depends on (installed,
# else apt's candidate), else the running kernel.  With --series, only its
# "MAJOR.MINOR" (the linux-source-X.Y package that goes with it).
#
# The one place the default is decided: the Makefile, kmod/, bench/ and the
# guest harness all ask here.

deps=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null)
[ -n "$deps" ] || deps=$(apt-cache depends linux-headers-amd64 2>/dev/null)
rel=$(echo "$deps" | sed -n 's/.*linux-headers-\([0-9][^ ,]*\).*/\1/p' | head -n 1)
[ -n "$rel" ] || rel=$(uname -r)
if [ "${1:-}" = --series ]; then
	echo "$rel" | sed 's/^\([0-9]*\.[0-9]*\).*/\1/'
else
	echo "$rel"
fi
