#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-dmesg.sh DMESG TAINTED - fail if the guest kernel complained:
# oops, BUG, WARNING, lockdep, KASAN, kmemleak, or a taint other than
# O (out-of-tree module, 4096) and E (unsigned module, 8192); also fail on
# a kmemleak report (kmemleak.txt next to DMESG, debug kernels only).
#
# One exception: the stack some kernel functions dump when an allocation
# fails (__register_sysctl_table()'s "could not get directory", vmalloc's
# and the page allocator's warn_alloc()) is no complaint when the fault
# was injected (62-fault-injection): a "Call Trace:" within a few lines
# after "FAULT_INJECTION: forcing a failure.", with no other pattern in
# between, is left out and counted.

dmesg=$1 tainted=$2
rc=0
pat='Oops|BUG:|WARNING:|Call Trace|general protection|KASAN|unreferenced object|possible circular locking|inconsistent lock state|possible recursive locking|suspicious RCU usage|Kernel panic|stack-protector|UBSAN'
found=$(awk -v pat="$pat" '
	/FAULT_INJECTION: forcing a failure/ { fault = NR; next }
	/Call Trace:/ && fault && NR - fault <= 8 { injected++; fault = 0; next }
	$0 ~ pat { printf "%d:%s\n", NR, $0; fault = 0 }
	END { if (injected) printf "check-dmesg: %d stack dump(s) after an injected fault, allowed\n", injected > "/dev/stderr" }
' "$dmesg")
if [ -n "$found" ]; then
	echo "$found"
	echo "check-dmesg: the kernel complained (lines above)"
	rc=1
fi
if [ ! -s "$tainted" ]; then
	echo "check-dmesg: no taint flags recorded"
	rc=1
else
	t=$(cat "$tainted")
	if [ $((t & ~(4096 | 8192))) -ne 0 ]; then
		echo "check-dmesg: kernel tainted $t (allowed: O=4096, E=8192)"
		rc=1
	fi
fi
leaks=$(dirname "$dmesg")/kmemleak.txt
if [ -s "$leaks" ]; then
	echo "check-dmesg: kmemleak found $(grep -c '^unreferenced object' "$leaks") leak(s):"
	head -n 40 "$leaks"
	rc=1
fi
exit $rc
