#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Cross builds for the foreign architectures of kernels.list (the
# rows whose arch is not amd64): the module with warnings as errors against
# each kernel's Debian headers, and tunfixctl for each architecture, with
# Debian's cross compilers.  Each result is checked to be what was asked
# for: the module's vermagic names the kernel, and every binary's ELF
# header names the architecture.
#
# usage: tests/env/cross.sh [ARCH...]        build (default: every foreign arch)
#        tests/env/cross.sh apt ARCH         print an APT_CONFIG for ARCH's apt
#        tests/env/cross.sh release ARCH SERIES   print the kernel release
#
# The host's apt knows amd64 only; an apt of its own for each architecture
# (the host's repositories of the suites the list names, lists in the
# cache, the archive's signatures checked as usual) finds and fetches the
# foreign packages.  A kernel's headers are unpacked into
# $TUNFIX_CACHE/cross/RELEASE with the host's (amd64) linux-kbuild of the
# same version: the helpers the kernel build runs (fixdep, modpost) are
# host programs.  The library tunfixctl links with (libmnl) is unpacked
# into $TUNFIX_CACHE/cross/sysroot-ARCH.  Results are in
# tests/.build/cross/; ends with a table and "N passed, N failed".

set -u
# make exports the default kernel's KERNELRELEASE and KDIR: not ours
unset KERNELRELEASE KDIR
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LIST=$ROOT/tests/env/kernels.list
CACHE=${TUNFIX_CACHE:-/var/cache/tunfix-tests}/cross
OUT=$ROOT/tests/.build/cross
# shellcheck source=/dev/null
CODENAME=$(. /etc/os-release && echo "$VERSION_CODENAME")
# shellcheck source=tests/env/lib.sh
. "$ROOT/tests/env/lib.sh"

# rows ARCH - "series suite" of ARCH's kernels in the list
rows()
{
	awk -v a="$1" '!/^#/ && $4 == a { print $1, $2 }' "$LIST"
}

# apt_conf ARCH - set up (once) and update ARCH's own apt, print its
# APT_CONFIG.  Its sources are the host's repositories of the list's suites
# for ARCH and of the host's own release (libmnl), with their -updates,
# -security and -backports.
apt_conf()
{
	local arch=$1 dir=$CACHE/apt-$1 suites s

	mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$dir/parts" || return 1
	[ -e "$dir/status" ] || : >"$dir/status"
	suites="$(rows "$arch" | awk '{ print $2 }') $CODENAME"
	# shellcheck disable=SC2016 # apt's own $(FIELD) syntax
	apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' \
		'Created-By: Packages' | sort -u | while read -r uri rel comp; do
		for s in $suites; do
			case $rel in
			"${s%%-*}"|"${s%%-*}"-*)
				echo "deb [arch=$arch signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $rel $comp"
				break ;;
			esac
		done
	done >"$dir/sources.list"
	cat >"$dir/apt.conf" <<CONF
// written by tunfix tests/env/cross.sh: Debian for $arch, for cross builds
APT::Architecture "$arch";
APT::Architectures { "$arch"; };
APT::Sandbox::User "root";
Dir::State "$dir";
Dir::State::Lists "$dir/lists";
Dir::State::status "$dir/status";
Dir::Cache "$dir";
Dir::Cache::Archives "$dir/archives";
Dir::Etc::SourceList "$dir/sources.list";
Dir::Etc::SourceParts "$dir/parts";
Dir::Etc::Preferences "$dir/parts/none";
Dir::Etc::PreferencesParts "$dir/parts";
CONF
	# One update at a time: another cross.sh may be updating the lists.  A
	# mirror in the middle of a sync fails an update ("File has unexpected
	# size"); then the lists of the last good update stand, as apt says, and
	# a package gone since fails its download below.
	if ! APT_CONFIG=$dir/apt.conf flock "$dir/update.lock" \
		apt-get update -qq -o Acquire::Retries=3 >&2; then
		compgen -G "$dir/lists/*_Packages*" >/dev/null || return 1
		echo "cross.sh: $arch: apt-get update failed, using the lists of the last update" >&2
	fi
	echo "$dir/apt.conf"
}

# unpack DIR PACKAGE=VERSION... - fetch with apt ($APT_CONFIG, else the
# host's) and unpack into DIR
unpack()
{
	local dir=$1 dl deb rc=0

	shift
	dl=$(mktemp -d) || return 1
	(cd "$dl" && apt-get download -q -o APT::Sandbox::User=root "$@") >&2 || rc=1
	for deb in "$dl"/*.deb; do
		[ "$rc" = 0 ] || break
		dpkg-deb -x "$deb" "$dir" || rc=1
	done
	rm -rf "$dl"
	return $rc
}

# unpack_headers REL [BUILDROOT] - unpack kernel REL's headers (with the
# host's kbuild of the same version), once, under BUILDROOT (a build root
# of kernels.sh; default the host's /) at the same path; print its KDIR as
# the build sees it
unpack_headers()
{
	local rel=$1 top=${2:-} dir=$CACHE/$1 kdir info ver deps common kbuild

	kdir=$dir/usr/src/linux-headers-$rel
	dir=$top$dir
	if [ ! -e "$dir/.tunfix-headers" ]; then
		rm -rf "$dir"
		info=$(apt-cache show "linux-headers-$rel" | sed '/^$/q')
		ver=$(echo "$info" | sed -n 's/^Version: //p')
		deps=$(echo "$info" | sed -n 's/^Depends: //p' | tr ',' '\n')
		common=$(echo "$deps" | sed -n 's/^ *\(linux-headers-[^ ]*-common\).*/\1/p')
		kbuild=$(echo "$deps" | sed -n 's/^ *\(linux-kbuild-[^ ]*\).*/\1/p')
		[ -n "$ver" ] && [ -n "$common" ] && [ -n "$kbuild" ] ||
			{ echo "cross.sh: no headers for $rel" >&2; return 1; }
		mkdir -p "$dir"
		unpack "$dir" "linux-headers-$rel=$ver" "$common=$ver" &&
			(unset APT_CONFIG; unpack "$dir" "$kbuild=$ver") || return 1
		# the flavour's Makefile includes the common tree by its
		# installed path
		sed -i "s|^include /usr/src/|include ${dir#"$top"}/usr/src/|" "$top$kdir/Makefile" &&
			touch "$dir/.tunfix-headers" || return 1
	fi
	echo "$kdir"
}

# elf FILE ARCH - fail unless FILE is an ELF object for ARCH
elf()
{
	local want m

	case $2 in
	arm64) want="ELF64 AArch64" ;;
	armhf) want="ELF32 ARM" ;;
	*) echo "cross.sh: no ELF machine known for $2"; return 1 ;;
	esac
	m=$(LC_ALL=C readelf -h "$1" | awk -F': *' '$1 ~ /Class/ { c = $2 } $1 ~ /Machine/ { print c, $2 }')
	[ "$m" = "$want" ] || { echo "$1: $m, want $want"; return 1; }
	echo "$1: $m"
}

# module ARCH SERIES DIR - the module for ARCH's kernel of SERIES, into
# DIR/tunfix.ko, warnings as errors.  Built on the host, or in the row's
# build root (kernels.sh build-root SUITE) when the headers want a cross
# compiler the host's release lacks: the one they name is installed there.
module()
{
	local arch=$1 rel kdir where top= src=$3/src cc in=()

	rel=$("$ROOT/tests/env/kernels.sh" -a "$arch" release "$2") &&
		echo "kernel $rel" || return 1
	where=$("$ROOT/tests/env/kernels.sh" -a "$arch" field "$2" 3)
	if [ "$where" != host ]; then
		top=$("$ROOT/tests/env/kernels.sh" build-root "$where") || return 1
		in=(in_root "$top")
		src=/tmp/tunfix-cross-$arch-$2
	fi
	kdir=$(unpack_headers "$rel" "$top") || return 1
	# the headers' .kernelvariables name the compiler ($(CROSS_COMPILE)gcc-N);
	# the host has its release's (CROSS_DEPS), a root gets it here
	if [ -n "$top" ]; then
		cc=$(sed -n 's/^CC = .*$(CROSS_COMPILE)\(gcc-[0-9]*\).*/\1/p' "$top$kdir/.kernelvariables")
		cc=$cc-$(gnu_type "$arch")
		"${in[@]}" dpkg -s "$cc" >/dev/null 2>&1 ||
			"${in[@]}" apt-get install -y -q --no-install-recommends "$cc" dwarves ||
			return 1
	fi
	rm -rf "$top$src" && mkdir -p "$top$src" &&
		cp -r "$ROOT/kmod" "$ROOT/uapi" "$top$src/" || return 1
	"${in[@]}" make -C "$src/kmod" KERNELRELEASE="$rel" KDIR="$kdir" WERROR=1 \
		CROSS_COMPILE="$(gnu_type "$arch")-" || return 1
	cp "$top$src/kmod/tunfix.ko" "$3/tunfix.ko" && rm -rf "$top$src" &&
		"$ROOT/tests/env/kernels.sh" vermagic "$3/tunfix.ko" "$rel" &&
		elf "$3/tunfix.ko" "$arch"
}

# tool ARCH DIR - tunfixctl for ARCH with the release's cross compiler,
# against the host release's libmnl
tool()
{
	local arch=$1 sys=$CACHE/sysroot-$1 src=$2/src triplet

	triplet=$(gnu_type "$arch")
	if [ ! -e "$sys/.tunfix-sysroot" ]; then
		rm -rf "$sys" && mkdir -p "$sys" &&
			unpack "$sys" libmnl-dev libmnl0 &&
			touch "$sys/.tunfix-sysroot" || return 1
	fi
	rm -rf "$src" && mkdir -p "$src" &&
		cp -r "$ROOT/tools" "$ROOT/uapi" "$src/" || return 1
	make -C "$src/tools" clean >/dev/null &&
		make -C "$src/tools" tunfixctl WERROR=1 CC="$triplet-gcc" \
			CPPFLAGS="-I$sys/usr/include" LDFLAGS="-L$sys/usr/lib/$triplet" ||
		return 1
	cp "$src/tools/tunfixctl" "$2/tunfixctl" && rm -rf "$src" &&
		elf "$2/tunfixctl" "$arch" || return 1
	if ! LC_ALL=C readelf -d "$2/tunfixctl" | grep -q 'NEEDED.*libmnl\.so'; then
		echo "$2/tunfixctl: not linked with libmnl"
		return 1
	fi
}

case ${1:-} in
apt) apt_conf "$2"; exit ;;
release) APT_CONFIG=$(apt_conf "$2") && export APT_CONFIG &&
	"$ROOT/tests/env/kernels.sh" -a "$2" release "$3"; exit ;;
esac

ARCHES=${*:-$(awk '!/^#/ && NF && $4 != "amd64" { print $4 }' "$LIST" | awk '!seen[$0]++')}
mkdir -p "$OUT"
passed=0 failed=0
table=$(printf '%-10s %-26s %s' arch build result)
for arch in $ARCHES; do
	APT_CONFIG=$(apt_conf "$arch") || { echo "cross.sh: no apt for $arch"; failed=$((failed + 1)); continue; }
	export APT_CONFIG
	jobs="tool"
	for s in $(rows "$arch" | awk '{ print $1 }'); do
		jobs="$jobs $s"
	done
	for j in $jobs; do
		dir=$OUT/$arch-$j
		rm -rf "$dir" && mkdir -p "$dir"
		if [ "$j" = tool ]; then
			what=tunfixctl
			r=$(run_logged "$dir/build.log" tool "$arch" "$dir")
		else
			what="tunfix.ko $j"
			r=$(run_logged "$dir/build.log" module "$arch" "$j" "$dir")
			rel=$(sed -n 's/^kernel //p' "$dir/build.log")
			[ -n "$rel" ] && what="tunfix.ko $rel"
		fi
		case $r in
		ok*) passed=$((passed + 1)) ;;
		*) failed=$((failed + 1)); grep -E 'warning:|error:|want' "$dir/build.log" | head -n 20 ;;
		esac
		echo "$arch: $what: $r"
		table=$(printf '%s\n%-10s %-26s %s' "$table" "$arch" "$what" "$r")
	done
done
echo
echo "$table"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
