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
foreign-guest = TUNFIX_GUEST_DEPS="$(GUEST_DEPS) $(DEB_DEPS) $(AUTOPKGTEST_DEPS)" \
	tests/env/foreign-guest.sh $(1) $(2) $(addprefix -t ,$(3))

# arm64: tunnels, transit, DHCP, the packet fuzzer and the packages
ARM64_SERIES ?= 6.1
ARM64_TESTS ?= 20-bridged-gretap-esp 21-bridged-gretap 23-transit \
	30-dhcp-route-based 31-dhcp-policy-based 51-deb-packages 61-packet-fuzz
arm64-guest:
	$(call foreign-guest,arm64,$(ARM64_SERIES),$(ARM64_TESTS))

# armhf (32-bit): loading, the 64-bit counters, bridged gretap + ESP and
# the packages.  The guest keeps ARM's NEON and CE ciphers out (their
# ESP is asynchronous, through cryptd): with them, 6.1's xfrm_input()
# leaks a reference to the lower device of every packet an xfrm interface
# receives, whether tunfix is loaded or not, and the namespace never goes
# away (Documentation/packaging.rst, armhf; make armhf-refcnt shows it).
ARMHF_SERIES ?= 6.1
ARMHF_TESTS ?= 10-module-load 13-counters 20-bridged-gretap-esp 51-deb-packages
ARMHF_BLOCK_MODULES := aes_arm_bs aes_arm_ce ghash_arm_ce
armhf-guest:
	TUNFIX_GUEST_BLOCK_MODULES="$(ARMHF_BLOCK_MODULES)" \
		$(call foreign-guest,armhf,$(ARMHF_SERIES),$(ARMHF_TESTS))

# armhf on a kernel of the same linux-source with the netdev and netns
# reference trackers (tests/env/refcnt.config, about an hour to build the
# first time), the NEON ciphers allowed: a device that cannot go away
# prints the stack of each tracked holder (Documentation/packaging.rst,
# armhf: 6.1's leak is all untracked dev_hold()s, so it names none)
ARMHF_REFCNT_TESTS ?= 30-dhcp-route-based
armhf-refcnt:
	TUNFIX_KERNEL_CONFIG=tests/env/refcnt.config \
		$(call foreign-guest,armhf,$(ARMHF_SERIES),$(ARMHF_REFCNT_TESTS))

.PHONY: cross-build arm64-guest armhf-guest armhf-refcnt
