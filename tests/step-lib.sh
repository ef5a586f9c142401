# SPDX-License-Identifier: GPL-2.0
#
# step LOG CMD... - run CMD with its output into LOG, print "ok (Ns)" or
# "FAIL (Ns, LOG)"; returns CMD's success.  The steps of the build
# matrices (tests/kernels.sh, tests/cross.sh).
step()
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
