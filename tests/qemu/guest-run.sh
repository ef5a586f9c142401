#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test guest after switch_root (or as a service of systemd,
# run.sh --init systemd): prepares the system, runs
# the scenario scripts (or one command) listed in /results/guest.env, saves
# per-test results, dmesg and the taint flags, and powers the guest off,
# reporting through isa-debug-exit.

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8
# a service of systemd (run.sh --init systemd) finds the system set up
if [ "$(cat /proc/1/comm)" != systemd ]; then
	mount -t tmpfs tmpfs /run
	# /tmp stays on the overlay (tmpfs-backed): the repository may live there
	chmod 1777 /tmp
	mkdir -p /dev/pts /dev/shm /run/netns
	mount -t devpts devpts /dev/pts
	ln -sf /proc/self/fd /dev/fd
	ln -sf /proc/self/fd/0 /dev/stdin
	ln -sf /proc/self/fd/1 /dev/stdout
	ln -sf /proc/self/fd/2 /dev/stderr
	mount -t tmpfs tmpfs /dev/shm
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	ip link set lo up
	hostname tunfix-guest
fi

R=/results
# shellcheck source=/dev/null
. $R/guest.env
export TUNFIX_ROOT TUNFIX_KO TUNFIXCTL TUNFIX_GUEST_MODDIR TUNFIX_DEB_DIR
cd "$TUNFIX_ROOT" || exit 1

# modules this guest must not load (run.sh's TUNFIX_GUEST_BLOCK_MODULES),
# should anything ask for one
if [ -n "$BLOCK_MODULES" ]; then
	mkdir -p /etc/modprobe.d
	for m in $BLOCK_MODULES; do
		echo "install $m /bin/false"
	done >/etc/modprobe.d/tunfix-guest-block.conf
fi

# /lib/modules/VER is ready: run.sh ran depmod, with the DKMS-built module
# of TUNFIX_GUEST_MODDIR in updates/.  What a Debian system with this kernel
# installed also has, if the host has its headers: the build link and
# /boot/config-VER (DKMS looks for both).
h=/usr/src/linux-headers-$(uname -r)
if [ -d "$h" ]; then
	ln -sfn "$h" "/lib/modules/$(uname -r)/build"
	[ -e "/boot/config-$(uname -r)" ] || ln -s "$h/.config" "/boot/config-$(uname -r)"
fi

poweroff_with()
{
	sync
	# isa-debug-exit: qemu exits with (value << 1) | 1 (x86 only)
	[ -c /dev/port ] &&
		printf "\\x$(printf %02x "$1")" | dd of=/dev/port bs=1 seek=244 count=1 \
			conv=notrunc status=none
	echo o >/proc/sysrq-trigger
	sleep 30
}

# What the run leaves for the host besides dmesg: the modules it loaded
# (tests/config lists what a kernel needs for the suite) and, on a kernel
# with kmemleak, a final scan (what leaked during the run).
finish()
{
	rmmod tunfix 2>/dev/null
	cat /proc/modules >$R/modules.txt
	if [ -e /sys/kernel/debug/kmemleak ]; then
		echo scan >/sys/kernel/debug/kmemleak
		echo scan >/sys/kernel/debug/kmemleak
		cat /sys/kernel/debug/kmemleak >$R/kmemleak.txt
	fi
}

# leaks from before the suite (boot) are not ours to report
[ -e /sys/kernel/debug/kmemleak ] && echo clear >/sys/kernel/debug/kmemleak

echo "tunfix-guest: kernel $(uname -r), $(nproc) CPUs"
if [ -n "$GUEST_CMD" ]; then
	export TUNFIX_RESULTS=$R/cmd
	mkdir -p "$TUNFIX_RESULTS"
	bash -c "$GUEST_CMD"
	rc=$?
	finish
	dmesg >$R/dmesg.txt
	cat /proc/sys/kernel/tainted >$R/tainted
	echo "cmd $rc" >$R/done
	poweroff_with $((rc ? 2 : 0))
fi

: >$R/summary
for t in $TESTS; do
	name=$(basename "$t" .sh)
	tmo=$(sed -n 's/^# timeout: *\([0-9]*\).*/\1/p' "$t" | head -n 1)
	export TUNFIX_RESULTS=$R/tests/$name
	mkdir -p "$TUNFIX_RESULTS"
	echo "tunfix-guest: running $name"
	echo "[tunfix-guest] start $name" >/dev/kmsg
	start=$(date +%s)
	timeout -k 10 "$((${tmo:-300} * ${TIMEOUT_SCALE:-1}))" bash "$t" >"$R/tests/$name.log" 2>&1 </dev/null
	rc=$?
	echo "$name $rc $(($(date +%s) - start))" >>$R/summary
	sync
	# anything a test left behind would confuse the next one
	rmmod tunfix 2>/dev/null
	ip -all netns delete 2>/dev/null
done
finish
dmesg >$R/dmesg.txt
cat /proc/sys/kernel/tainted >$R/tainted
echo suite >$R/done
poweroff_with 0
