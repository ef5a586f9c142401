# SPDX-License-Identifier: GPL-2.0
#
# in_root DIR CMD... - run CMD chrooted in the debootstrap'd root DIR with
# /proc, /sys and /dev mounted, and unmount them again whatever CMD does:
# a root must never be copied or deleted with /proc mounted.  /dev is a
# recursive bind made a slave, so unmounting it never reaches the host's.
# Returns CMD's exit status.
in_root()
{
	local dir=$1 rc m

	shift
	if ! { mount -t proc proc "$dir/proc" && mount -t sysfs sysfs "$dir/sys" &&
	       mount --rbind /dev "$dir/dev" && mount --make-rslave "$dir/dev"; }; then
		umount -R "$dir/dev" "$dir/sys" "$dir/proc" 2>/dev/null
		return 1
	fi
	cp /etc/resolv.conf "$dir/etc/resolv.conf"
	chroot "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
	rc=$?
	# a child of CMD (dkms's progress loop) may still hold /dev for a moment;
	# a lazy unmount detaches it from the tree at once all the same
	for m in dev sys proc; do
		umount -R "$dir/$m" 2>/dev/null || umount -R -l "$dir/$m"
	done
	return $rc
}
