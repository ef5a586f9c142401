#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mk/set-version.sh X.Y.Z - make X.Y.Z the version (make set-version V=X.Y.Z):
# TUNFIX_VERSION in uapi/linux/tunfix.h (what the module and tunfixctl
# report), PACKAGE_VERSION in dkms.conf (what `dkms add .` reads), the man
# page's header and JSON examples, and a new "unreleased" entry at the top of
# NEWS (to be filled in).  debian/changelog is written by make deb.  Ends
# with tests/dkms-conf-check.sh, which fails on any place left behind.

set -eu
cd "$(dirname "$0")/.."
new=${1:-}
[[ $new =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "usage: $0 X.Y.Z" >&2; exit 2; }
old=$(sed -n 's/^#define TUNFIX_VERSION[^"]*"\(.*\)"/\1/p' uapi/linux/tunfix.h)
[ -n "$old" ] || { echo "set-version: no TUNFIX_VERSION in uapi/linux/tunfix.h" >&2; exit 1; }
o=${old//./\\.}

sed -i "s/^\(#define TUNFIX_VERSION[^\"]*\"\)$o\"/\1$new\"/" uapi/linux/tunfix.h
sed -i "s/^PACKAGE_VERSION=\"$o\"/PACKAGE_VERSION=\"$new\"/" dkms.conf
sed -i -e "s/^\(\.TH .*\"tunfix \)$o\"/\1$new\"/" \
	-e "s/\(\"\(module_\)\?version\": \"\)$o\"/\1$new\"/g" tools/tunfixctl.8
if ! grep -q "^tunfix $new " NEWS; then
	awk -v h="tunfix $new (unreleased)" '
		!done && /^tunfix [0-9]/ {
			u = h; gsub(/./, "=", u)
			print h; print u; print ""; print "- (what changed for users)"; print ""
			done = 1
		}
		{ print }' NEWS >NEWS.new
	mv NEWS.new NEWS
fi
tests/dkms-conf-check.sh
echo "set-version: $old -> $new; write the NEWS entry, then commit"
