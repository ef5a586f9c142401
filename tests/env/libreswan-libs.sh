#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/env/libreswan-libs.sh DEB - the libraries libreswan's programs link
# with: the lib* packages of DEB's Depends (alternatives and versions
# dropped), whatever the release calls them.  Installed beside the .deb,
# which the Libreswan scenarios unpack (tests/ike-lib.sh): make deps on the
# host, tests/env/foreign-guest.sh in a foreign guest's root.
dpkg-deb -f "$1" Depends | tr ',' '\n' |
	sed -E 's/\|.*//; s/\(.*\)//; s/[[:space:]]//g' | grep '^lib'
