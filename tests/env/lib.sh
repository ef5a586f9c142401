# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# What the environment builders of tests/env share: debootstrap'd roots
# entered with chroot, and the logged steps of the build matrices.

# gnu_type ARCH - Debian's GNU triplet of ARCH (the cross tools' prefix)
gnu_type()
{
	dpkg-architecture -a"$1" -qDEB_HOST_GNU_TYPE 2>/dev/null
}

# root_umount DIR - unmount /dev, /sys and /proc of the root DIR, those
# that are mounted: normally, else lazily (a child of the last command,
# dkms's progress loop, may still hold /dev for a moment; a lazy unmount
# detaches it from the tree at once all the same)
root_umount()
{
	local m

	for m in dev sys proc; do
		umount -R "$1/$m" 2>/dev/null || umount -R -l "$1/$m" 2>/dev/null
	done
	return 0
}

# in_root DIR CMD... - run CMD chrooted in the debootstrap'd root DIR with
# /proc, /sys and /dev mounted, and unmount them again whatever CMD does:
# a root must never be copied or deleted with /proc mounted.  /dev is a
# recursive bind made a slave, so unmounting it never reaches the host's.
# Returns CMD's exit status.
in_root()
{
	local dir=$1 rc

	shift
	if ! { mount -t proc proc "$dir/proc" && mount -t sysfs sysfs "$dir/sys" &&
	       mount --rbind /dev "$dir/dev" && mount --make-rslave "$dir/dev"; }; then
		root_umount "$dir"
		return 1
	fi
	cp /etc/resolv.conf "$dir/etc/resolv.conf"
	chroot "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
	rc=$?
	root_umount "$dir"
	return $rc
}

# root_remove DIR - delete the root DIR, after unmounting what in_root
# mounts; refuses (returns 1) while anything else is mounted below it
root_remove()
{
	root_umount "$1"
	if grep -q " $1/" /proc/mounts; then
		echo "root_remove: $1 still has mounts" >&2
		return 1
	fi
	rm -rf --one-file-system "$1"
}

# run_logged LOG CMD... - run CMD with its output into LOG, print "ok (Ns)"
# or "FAIL (Ns, LOG)"; returns CMD's success.  The steps of the build
# matrices (kernels.sh, cross.sh).
run_logged()
{
	local log=$1 start

	shift
	start=$(date +%s)
	if "$@" >"$log" 2>&1; then
		echo "ok ($(($(date +%s) - start))s)"
	else
		echo "FAIL ($(($(date +%s) - start))s, $log)"
		return 1
	fi
}
