#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a Debian kernel (by default tests/env/kver.sh's: the installed headers')
# under qemu and run every scenario in tests/netns in ONE boot, or one
# command with --cmd.
#
# usage: tests/qemu/run.sh [-a ARCH --root DIR] [-k KVER] [-t PATTERN]...
#                          [--cmd 'COMMAND'] [--init systemd]
#
#   -t PATTERN   run only scenarios whose file name contains PATTERN
#                (also: env TESTS="pattern ...")
#   --cmd CMD    run CMD in the guest (cwd = repo root) instead of the
#                suite; its output is streamed and its exit code returned
#   -a ARCH      the guest's Debian architecture: amd64 (default), arm64
#                (qemu-system-aarch64 -M virt) or armhf (qemu-system-arm
#                -M virt); for a foreign one, -k is needed and APT_CONFIG
#                must name an apt for ARCH (tests/env/cross.sh apt)
#   --init systemd  boot --root DIR with systemd as PID 1 and its own
#                kernel's modules (/lib/modules/KVER of DIR: the kernel and
#                what DKMS built for it installed there); --cmd then runs as
#                a service once the boot is done
#   --root DIR   the guest's root filesystem, a host directory (default /,
#                the host's own; a foreign guest's comes from
#                tests/env/guest-root.sh); the repository is seen at its host
#                path inside it all the same
#
# env: KVER, TUNFIX_KO (module to test, default kmod/tunfix.ko),
#      TUNFIXCTL (default tools/tunfixctl), both copied into the results
#      directory before the guest boots,
#      TUNFIX_RESULTS_DIR (default tests/.build/results),
#      TUNFIX_QEMU_TIMEOUT (seconds, default 3600), TUNFIX_QEMU_MEM (the
#      guest's memory, default 2G), TUNFIX_CACHE (default
#      /var/cache/tunfix-tests), TUNFIX_GUEST_MODDIR (host dir installed as
#      /lib/modules/VER/updates in the guest, e.g. a DKMS build),
#      TUNFIX_TIMEOUT_SCALE (multiplies each test's timeout, for slow
#      debug kernels), TUNFIX_GUEST_BLOCK_MODULES (modules the guest must
#      never load: modprobe runs /bin/false for them), TUNFIX_DEB_DIR
#      (host dir with the packages of make deb, for 51-deb-packages),
#      TUNFIX_GUEST_LOCK (lock file that
#      keeps guests one at a time, default /run/lock/tunfix-guest).
#
# Prints one line per test and "N passed, N failed, N skipped"; exits
# non-zero if a test failed or left no result, the guest died or timed
# out, or the guest kernel complained (oops, BUG, WARNING, bad taint).

set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KVER=${KVER:-}
PATTERNS=${TESTS:-}
CMD=
ARCH=amd64
GUEST_ROOT=/
INIT=
while [ $# -gt 0 ]; do
	case $1 in
	-a) ARCH=$2; shift 2 ;;
	--root) GUEST_ROOT=$2; shift 2 ;;
	-k) KVER=$2; shift 2 ;;
	-t) PATTERNS="$PATTERNS $2"; shift 2 ;;
	--cmd) CMD=$2; shift 2 ;;
	--init) INIT=$2; shift 2 ;;
	-h|--help) sed -n '3,/^$/p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

[ -n "$KVER" ] || KVER=$("$ROOT/tests/env/kver.sh")
GUEST_ROOT=$(cd "$GUEST_ROOT" && pwd) || exit 1
case $INIT in
''|systemd) ;;
*) echo "run.sh: --init takes systemd" >&2; exit 2 ;;
esac
if [ -n "$INIT" ] && { [ "$GUEST_ROOT" = / ] || [ -z "$CMD" ]; }; then
	echo "run.sh: --init systemd needs --root DIR and --cmd" >&2
	exit 2
fi
# what differs between the guests' machines: qemu, its CPU, the console,
# and how the guest reports its exit code (ARM: none, see step 4)
case $ARCH in
amd64)
	QEMU="qemu-system-x86_64 -cpu max -device isa-debug-exit,iobase=0xf4,iosize=0x04"
	CONSOLE=ttyS0 ;;
arm64)
	# pauth-impdef: pointer authentication with a cheap hash; QARMA,
	# the architected one, makes TCG several times slower
	QEMU="qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on"
	CONSOLE=ttyAMA0 ;;
armhf)
	# ARMv7 (Debian's armmp kernels, no LPAE): everything below 4 GiB,
	# the PCI configuration space too (highmem=off)
	QEMU="qemu-system-arm -M virt,highmem=off -cpu cortex-a15"
	CONSOLE=ttyAMA0 ;;
*) echo "run.sh: no guest machine for $ARCH" >&2; exit 2 ;;
esac

CACHE=${TUNFIX_CACHE:-/var/cache/tunfix-tests}/$KVER
RES=${TUNFIX_RESULTS_DIR:-$ROOT/tests/.build/results}
BUILD=$ROOT/tests/.build
TMO=${TUNFIX_QEMU_TIMEOUT:-3600}

# 1. the guest kernel and its modules, unpacked into the cache.  Debian
#    ships them in one linux-image-VER (modules in /lib/modules, or in
#    /usr/lib/modules since Debian 13), or, since 7.2, in a meta package
#    over linux-binary-VER (the kernel at /usr/lib/modules/VER/vmlinuz),
#    linux-modules-VER (compressed modules) and linux-base-VER
#    (modules.builtin): fetch them all and lay them out the same way.
if [ ! -e "$CACHE/vmlinuz" ]; then
	echo "run.sh: fetching linux-image-$KVER"
	rm -rf "$CACHE" && mkdir -p "$CACHE/dl" || exit 1
	pkgs="linux-image-$KVER $(apt-cache show "linux-image-$KVER" 2>/dev/null |
		sed -n '1,/^$/ s/^Depends: //p' | tr ',' '\n' |
		sed -n "s/^ *\(linux-\(binary\|modules\|base\)-$KVER\)\( .*\)\?$/\1/p")"
	# shellcheck disable=SC2086 # a list of package names
	(cd "$CACHE/dl" && apt-get download -q -o APT::Sandbox::User=root $pkgs) >/dev/null || exit 1
	for deb in "$CACHE"/dl/*.deb; do
		dpkg-deb -x "$deb" "$CACHE/root" || exit 1
	done
	if [ -d "$CACHE/root/usr/lib/modules/$KVER" ]; then
		mkdir -p "$CACHE/root/lib/modules"
		mv "$CACHE/root/usr/lib/modules/$KVER" "$CACHE/root/lib/modules/"
	fi
	for k in "$CACHE/root/boot/vmlinuz-$KVER" "$CACHE/root/lib/modules/$KVER/vmlinuz"; do
		[ -e "$k" ] && mv "$k" "$CACHE/vmlinuz.tmp"
	done
	depmod -b "$CACHE/root" "$KVER" || exit 1
	[ -e "$CACHE/vmlinuz.tmp" ] || { echo "run.sh: no kernel image in $pkgs"; exit 1; }
	mv "$CACHE/vmlinuz.tmp" "$CACHE/vmlinuz"
	rm -rf "$CACHE/dl"
fi
KMODS=$CACHE/root/lib/modules/$KVER
# a DKMS-built module goes into updates/ of a copy made of hard links, and
# depmod runs here: in the guest it reads every (compressed) module under
# emulation, two minutes on 7.2
if [ -n "${TUNFIX_GUEST_MODDIR:-}" ]; then
	rm -rf "$BUILD/guest-modules-$KVER"
	mkdir -p "$BUILD/guest-modules-$KVER/lib/modules"
	cp -al "$KMODS" "$BUILD/guest-modules-$KVER/lib/modules/" &&
		mkdir -p "$BUILD/guest-modules-$KVER/lib/modules/$KVER/updates" &&
		cp -a "$TUNFIX_GUEST_MODDIR"/. "$BUILD/guest-modules-$KVER/lib/modules/$KVER/updates/" &&
		depmod -b "$BUILD/guest-modules-$KVER" "$KVER" || exit 1
	KMODS=$BUILD/guest-modules-$KVER/lib/modules/$KVER
fi
# a systemd boot uses the root's own modules (an empty KMODS: none laid over)
[ -n "$INIT" ] && KMODS=

# 2. the initramfs: busybox, the modules to reach the host's root, /init.
#    The host's / is shared over 9p; a kernel built without 9p (Debian's
#    cloud flavour) gets it over virtiofs instead, served by qemu's virtiofsd.
if [ -n "$(modprobe -d "$CACHE/root" -S "$KVER" -n 9p 2>/dev/null && echo y)" ]; then
	FS=9p
	FSMODS="virtio_pci 9pnet_virtio 9p overlay"
else
	FS=virtiofs
	FSMODS="virtio_pci virtiofs overlay"
fi
VIRTIOFSD=${VIRTIOFSD:-/usr/lib/qemu/virtiofsd}
INITRD=$BUILD/initramfs-$KVER.cpio.gz
if [ ! -e "$INITRD" ] || [ "$ROOT/tests/qemu/init" -nt "$INITRD" ]; then
	tmp=$(mktemp -d)
	mkdir -p "$tmp"/{bin,proc,sys,dev,mods,newroot}
	cp "${GUEST_ROOT%/}/bin/busybox" "$tmp/bin/busybox" ||
		{ echo "run.sh: no busybox in $GUEST_ROOT (busybox-static)"; exit 1; }
	cp "$ROOT/tests/qemu/init" "$tmp/init"
	for m in $FSMODS; do
		modprobe -d "$CACHE/root" -S "$KVER" --show-depends "$m" |
			awk '$1 == "insmod" { print $2 }'
	done | awk '!seen[$0]++' | while read -r ko; do
		# busybox's insmod takes no compressed module
		m=$(basename "$ko")
		case $m in
		*.ko.xz) xz -dc "$ko" >"$tmp/mods/${m%.xz}" ;;
		*.ko.zst) zstd -q -dc "$ko" >"$tmp/mods/${m%.zst}" ;;
		*) cp "$ko" "$tmp/mods/" ;;
		esac
		echo "${m%.ko*}.ko" >>"$tmp/modules.list"
	done
	mkdir -p "$BUILD"
	(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) >"$INITRD"
	rm -rf "$tmp"
fi

# 3. what to run
rm -rf "$RES"
mkdir -p "$RES/tests"
TESTLIST=
for t in "$ROOT"/tests/netns/*.sh; do
	name=$(basename "$t")
	if [ -n "${PATTERNS// /}" ]; then
		keep=
		for p in $PATTERNS; do
			case $name in *"$p"*) keep=1 ;; esac
		done
		[ -n "$keep" ] || continue
	fi
	TESTLIST="$TESTLIST $t"
done
# the module and the tool as they are now, in the results share (/results
# in the guest): a rebuild while the guest runs must not change them
mkdir -p "$RES/bin"
cp "${TUNFIX_KO:-$ROOT/kmod/tunfix.ko}" "$RES/bin/tunfix.ko" &&
	cp "${TUNFIXCTL:-$ROOT/tools/tunfixctl}" "$RES/bin/tunfixctl" ||
	{ echo "run.sh: no module or tunfixctl to test (make)"; exit 1; }
cat >"$RES/guest.env" <<ENV
TUNFIX_ROOT='$ROOT'
TUNFIX_KO=/results/bin/tunfix.ko
TUNFIXCTL=/results/bin/tunfixctl
TUNFIX_GUEST_MODDIR='${TUNFIX_GUEST_MODDIR:-}'
TUNFIX_DEB_DIR='${TUNFIX_DEB_DIR:-}'
TIMEOUT_SCALE='${TUNFIX_TIMEOUT_SCALE:-1}'
BLOCK_MODULES='${TUNFIX_GUEST_BLOCK_MODULES:-}'
TESTS='$TESTLIST'
GUEST_CMD=$(printf '%q' "$CMD")
ENV

# 4. boot
if [ "$FS" = 9p ]; then
	SHARES="-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap
		-virtfs local,path=$RES,mount_tag=results,security_model=none,multidevs=remap"
else
	[ -x "$VIRTIOFSD" ] || { echo "run.sh: no 9p in $KVER and no $VIRTIOFSD"; exit 1; }
	vfs=$(mktemp -d /tmp/tunfix-vfs.XXXXXX)
	"$VIRTIOFSD" --socket-path="$vfs/root" -o source=/ -o cache=always \
		-o sandbox=chroot >"$vfs/root.log" 2>&1 &
	"$VIRTIOFSD" --socket-path="$vfs/results" -o source="$RES" -o cache=none \
		-o sandbox=chroot >"$vfs/results.log" 2>&1 &
	for _ in $(seq 50); do
		[ -S "$vfs/root" ] && [ -S "$vfs/results" ] && break
		sleep 0.1
	done
	SHARES="-object memory-backend-memfd,id=mem,size=2G,share=on -numa node,memdev=mem
		-chardev socket,id=vfs0,path=$vfs/root
		-device vhost-user-fs-pci,chardev=vfs0,tag=hostroot
		-chardev socket,id=vfs1,path=$vfs/results
		-device vhost-user-fs-pci,chardev=vfs1,tag=results"
fi
# one guest at a time on this machine: two would halve each other's speed
# and the tests' timeouts are set for one
exec 9>"${TUNFIX_GUEST_LOCK:-/run/lock/tunfix-guest}"
flock -n 9 || { echo "run.sh: waiting for the guest running now"; flock 9; }
: >"$RES/console.log"
start=$(date +%s)
# shellcheck disable=SC2086 # QEMU, SHARES: lists of arguments without spaces
timeout -k 10 "$TMO" $QEMU \
	-accel tcg,thread=multi -smp 2 -m "${TUNFIX_QEMU_MEM:-2G}" \
	-nographic -no-reboot -nodefaults -serial stdio \
	-kernel "$CACHE/vmlinuz" -initrd "$INITRD" \
	-append "console=$CONSOLE panic=-1 oops=panic quiet tunfix.root=$ROOT tunfix.sysroot=${GUEST_ROOT%/} tunfix.kmods=$KMODS tunfix.fs=$FS${INIT:+ tunfix.init=$INIT}" \
	$SHARES \
	>"$RES/console.log" 2>&1 </dev/null &
qpid=$!
if [ -n "$CMD" ]; then
	tail -n +1 --pid=$qpid -f "$RES/console.log" |
		sed -u -n '/tunfix-guest: kernel/,$ { /tunfix-guest: kernel/d; p }'
fi
wait $qpid
qrc=$?
# a kernel without /dev/port (cloud) or a machine without isa-debug-exit
# (ARM) powers off without reporting through it: what the guest wrote
# last tells whether it finished
if [ "$qrc" = 0 ] && [ -s "$RES/done" ]; then
	case $(cat "$RES/done") in
	suite|"cmd 0") qrc=1 ;;
	cmd*) qrc=5 ;;
	esac
fi
if [ "$FS" = virtiofs ]; then
	pkill -f -- "--socket-path=$vfs/" 2>/dev/null
	rm -rf "$vfs"
fi
secs=$(($(date +%s) - start))

case $qrc in
1) why="" ;;
124|137) why="qemu timed out after ${TMO}s" ;;
0) why="guest died without reporting (panic?)" ;;
*) why="guest reported failure (qemu exit $qrc)" ;;
esac

if [ -n "$CMD" ]; then
	dm=clean
	"$ROOT/tests/qemu/check-dmesg.sh" "$RES/dmesg.txt" "$RES/tainted" ||
		{ qrc=99; dm="NOT clean"; }
	[ -n "$why" ] && echo "run.sh: $why (${secs}s)"
	echo "run.sh: guest run ${secs}s, dmesg $dm, results in $RES"
	[ "$qrc" = 1 ] && exit 0
	exit 1
fi

# 5. verdict
passed=0 failed=0 skipped=0
for t in $TESTLIST; do
	name=$(basename "$t" .sh)
	line=$(awk -v n="$name" '$1 == n' "$RES/summary" 2>/dev/null)
	if [ -z "$line" ]; then
		echo "FAIL $name (no result)"
		failed=$((failed + 1))
		continue
	fi
	set -- $line
	case $2 in
	0) echo "PASS $name (${3}s)"; passed=$((passed + 1)) ;;
	4) echo "SKIP $name (${3}s)"; skipped=$((skipped + 1)) ;;
	124|137) echo "FAIL $name (timeout after ${3}s)"; failed=$((failed + 1)) ;;
	*) echo "FAIL $name (exit $2, ${3}s)"; failed=$((failed + 1)) ;;
	esac
done
if [ -e "$RES/dmesg.txt" ] &&
   "$ROOT/tests/qemu/check-dmesg.sh" "$RES/dmesg.txt" "$RES/tainted" >"$RES/dmesg-check.txt" 2>&1; then
	echo "PASS dmesg-clean"
	passed=$((passed + 1))
else
	echo "FAIL dmesg-clean (see $RES/dmesg-check.txt)"
	failed=$((failed + 1))
fi
if [ -n "$why" ]; then
	echo "FAIL guest-boot ($why)"
	failed=$((failed + 1))
fi

# logs of what failed
for t in $TESTLIST; do
	name=$(basename "$t" .sh)
	rc=$(awk -v n="$name" '$1 == n { print $2 }' "$RES/summary" 2>/dev/null)
	if [ "$rc" != 0 ] && [ "$rc" != 4 ]; then
		echo "---- $name (log: $RES/tests/$name.log)"
		tail -n 40 "$RES/tests/$name.log" 2>/dev/null
	fi
done
[ -s "$RES/dmesg-check.txt" ] && { echo "---- dmesg"; head -n 40 "$RES/dmesg-check.txt"; }
if [ -n "$why" ]; then
	echo "---- console (tail)"
	tail -n 40 "$RES/console.log"
fi
echo "guest run: ${secs}s, results in $RES"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
