# SPDX-License-Identifier: GPL-2.0
#
# Helpers of the host-side DKMS tests (tests/dkms-prepare.sh,
# tests/dkms-checkout.sh).  ROOT is "" for this host, or a build root
# (tests/env/kernels.sh) whose paths are checked from outside.

# dkms_lock - one DKMS test on this host at a time (they share
# /var/lib/dkms/tunfix and /usr/src/tunfix-VERSION); held until exit
dkms_lock()
{
	exec 8>"${TUNFIX_DKMS_LOCK:-/run/lock/tunfix-dkms}"
	flock -n 8 || { echo "dkms: waiting for another DKMS test"; flock 8; }
}

# dkms_installed ROOT KVER VERSION - DKMS installed tunfix VERSION for KVER
# in updates/: print the module's path
dkms_installed()
{
	local ko v

	ko=$(find "$1/lib/modules/$2/updates" -name 'tunfix.ko*' 2>/dev/null | head -n 1)
	[ -n "$ko" ] || { echo "FAIL: no tunfix.ko in $1/lib/modules/$2/updates" >&2; return 1; }
	v=$(modinfo -F version "$ko")
	[ "$v" = "$3" ] || { echo "FAIL: $ko is version '$v', not $3" >&2; return 1; }
	echo "$ko"
}

# dkms_gone ROOT KVER VERSION - nothing of tunfix VERSION is left under
# /lib/modules/KVER, /var/lib/dkms or /usr/src, and DKMS knows no tunfix
dkms_gone()
{
	local left

	left=$(find "$1/lib/modules/$2" "$1/var/lib/dkms" -name 'tunfix*' 2>/dev/null)
	[ -e "$1/usr/src/tunfix-$3" ] && left="$left $1/usr/src/tunfix-$3"
	[ -z "${left// /}" ] || { echo "FAIL: left behind:" $left >&2; return 1; }
}
