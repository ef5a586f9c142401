# SPDX-License-Identifier: GPL-2.0
#
# Other architectures (included by the Makefile).

# The module (-Werror) for every foreign kernel of tests/env/kernels.list and
# tunfixctl for each foreign architecture, with Debian's cross compilers;
# ARCHES="arm64" picks architectures.  Part of CI: a few minutes.
cross-build:
	tests/env/cross.sh $(ARCHES)

# tests/env/foreign-guest.sh for ARCH,SERIES,TESTS: scenarios in a guest of a
# foreign architecture under software emulation (slow: not in CI), on
# Debian's kernel of SERIES for it (a row of tests/env/kernels.list), with the
# cross-built module and tunfixctl and the packages built on ARCH.  TESTS
# are substrings of tests/netns file names; empty runs them all.
foreign-guest = TUNFIX_GUEST_DEPS="$(GUEST_DEPS) $(DEB_DEPS)" \
	tests/env/foreign-guest.sh $(1) $(2) $(addprefix -t ,$(3))

# arm64: tunnels, transit, DHCP, the packet fuzzer and the packages
ARM64_SERIES ?= 6.1
ARM64_TESTS ?= 20-bridged-gretap-esp 21-bridged-gretap 23-transit \
	30-dhcp-route-based 31-dhcp-policy-based 51-deb-packages 61-packet-fuzz
arm64-guest:
	$(call foreign-guest,arm64,$(ARM64_SERIES),$(ARM64_TESTS))

# armhf (32-bit): loading, the 64-bit counters, bridged gretap + ESP and
# the packages
ARMHF_SERIES ?= 6.1
ARMHF_TESTS ?= 10-module-load 13-counters 20-bridged-gretap-esp 51-deb-packages
armhf-guest:
	$(call foreign-guest,armhf,$(ARMHF_SERIES),$(ARMHF_TESTS))

.PHONY: cross-build arm64-guest armhf-guest
