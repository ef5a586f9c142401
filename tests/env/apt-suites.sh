#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/env/apt-suites.sh - let apt see the Debian suites the kernel matrix
# needs besides the host's own (bullseye, bookworm, bookworm-backports,
# trixie, sid, experimental), each pinned at priority 1: nothing on the
# host is upgraded from them, a package is only taken from one when asked
# for by name or with -t.  Used by `make deps` and by the debootstrap'd
# build roots (kernels.sh).
#
# usage: tests/env/apt-suites.sh [ROOT]   (default /)

set -eu
root=${1:-}
mirror=${TUNFIX_MIRROR:-http://deb.debian.org/debian}
# shellcheck source=/dev/null
own=$(. "$root/etc/os-release" && echo "${VERSION_CODENAME:-}")

suites=
for s in bullseye bookworm bookworm-backports trixie sid experimental; do
	[ "$s" = "$own" ] || suites="$suites $s"
done

cat >"$root/etc/apt/sources.list.d/tunfix-suites.sources" <<SRC
# written by tunfix tests/env/apt-suites.sh: kernels and tools for the test matrix
Types: deb
URIs: $mirror
Suites:$suites
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC

{
	echo "# written by tunfix tests/env/apt-suites.sh: never upgrade from these"
	for s in $suites; do
		printf 'Package: *\nPin: release n=%s\nPin-Priority: 1\n\n' "$s"
	done
} >"$root/etc/apt/preferences.d/tunfix-suites"

# the mirror is a dated snapshot: sid's and experimental's Release files
# are past their Valid-Until
echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/80tunfix-snapshot"
