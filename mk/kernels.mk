# SPDX-License-Identifier: GPL-2.0
#
# Other kernels and releases (included by the Makefile).

# The kernel matrix of tests/env/kernels.list: build (-Werror), DKMS and the
# whole guest suite on every kernel; matrix-build stops before the guest.
# SERIES="6.12 7.2" picks kernels.
matrix: all
	tests/env/kernels.sh $(SERIES)

matrix-build:
	tests/env/kernels.sh --no-guest $(SERIES)

# The README's set-up commands on a fresh Debian 13 root, guest included.
distro-check:
	tests/env/distro-check.sh trixie

# A systemd boot of Debian 12 and 13 roots with the packages installed,
# then a kernel upgrade and a boot of the new kernel (tests/env/boot-check.sh).
BOOT_SUITES ?= bookworm trixie
boot-check: deb
	for s in $(BOOT_SUITES); do \
		TUNFIX_BOOT_DEPS="$(BOOT_DEPS)" tests/env/boot-check.sh $$s || exit 1; \
	done

# The packages' life after the first install: the boots and kernel
# upgrades of boot-check, then in the guest the upgrade to the next
# version and back, removal and purge (51-deb-packages with make
# deb-next's packages) and debian/tests run by autopkgtest (52).  Not in
# CI (DKMS builds under emulation take minutes each): run before a release.
lifecycle-check: boot-check deb-next
	TUNFIX_DEB_DIR=$(CURDIR)/$(DEB_DIR) tests/qemu/run.sh -t 51-deb-packages -t 52-autopkgtest

.PHONY: matrix matrix-build distro-check boot-check lifecycle-check
