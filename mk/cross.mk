# SPDX-License-Identifier: GPL-2.0
#
# Other architectures (included by the Makefile).

# The module (-Werror) for every foreign kernel of tests/kernels.list and
# tunfixctl for each foreign architecture, with Debian's cross compilers;
# ARCHES="arm64" picks architectures.  Part of CI: a few minutes.
cross-build:
	tests/cross.sh $(ARCHES)

# The scenarios of tunnels, transit, DHCP and the packet fuzzer in an arm64
# guest (qemu-system-aarch64 under software emulation, slow: not in CI),
# on Debian's arm64 kernel of ARM64_SERIES (a row of tests/kernels.list),
# with the cross-built module and tunfixctl.  ARM64_TESTS="..." picks
# scenarios (substrings of tests/netns file names).
ARM64_SERIES ?= 6.1
ARM64_TESTS ?= 20-bridged-gretap-esp 21-bridged-gretap 23-transit \
	30-dhcp-route-based 31-dhcp-policy-based 61-packet-fuzz
arm64-guest:
	TUNFIX_GUEST_DEPS="$(GUEST_DEPS)" tests/foreign-guest.sh arm64 \
		$(ARM64_SERIES) $(addprefix -t ,$(ARM64_TESTS))

.PHONY: cross-build arm64-guest
