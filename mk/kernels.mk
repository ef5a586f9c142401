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

# The packages' life on Debian 12 and 13 roots (tests/env/boot-check.sh):
# a systemd boot with them installed, a kernel upgrade and a boot of the
# new kernel, the package upgraded to the next version (a boot of it),
# downgraded, removed and purged.  CI runs Debian 12's (BOOT_SUITES=bookworm).
BOOT_SUITES ?= bookworm trixie
boot-check: deb
	$(MAKE) --no-print-directory deb-next
	for s in $(BOOT_SUITES); do \
		TUNFIX_BOOT_DEPS="$(BOOT_DEPS)" tests/env/boot-check.sh $$s || exit 1; \
	done

.PHONY: matrix matrix-build distro-check boot-check
