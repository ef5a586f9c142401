# SPDX-License-Identifier: GPL-2.0
#
# tunfix top-level Makefile.
#
#   make deps       install every build and test dependency (Debian 12, root)
#   make            build the module (for the Debian kernel whose headers are
#                   installed) and tunfixctl
#   make check      static checks, tool unit tests, and the guest test suite
#
# KERNELRELEASE selects the kernel to build for; tests/env/kver.sh decides the
# default (the one Debian's linux-headers-amd64 points at).

KERNELRELEASE ?= $(shell tests/env/kver.sh)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build
export KERNELRELEASE KDIR

BUILD := tests/.build
CHECKPATCH := $(BUILD)/checkpatch/scripts/checkpatch.pl
# Debian's kernel source of the same series: checkpatch and the in-tree build
KSRC_SERIES := $(shell tests/env/kver.sh --series)
KSRC_TARBALL := /usr/src/linux-source-$(KSRC_SERIES).tar.xz

# strongSwan for the IKE scenarios (tests/ike-lib.sh): charon, swanctl, and
# the openssl plugin (libstrongswan-standard-plugins); the other plugins
# of the recipe's load list come with libstrongswan and libcharon.
# Libreswan (tests/ike-lib.sh's pluto_*) cannot be installed beside it:
# Debian's libreswan Conflicts with strongswan-libcharon and
# strongswan-starter (which strongswan-charon depends on), and the amd64
# guest shares the host's root.  So its .deb waits in GUEST_DEBS, the
# scenarios unpack it in the guest, and deps installs the libraries its
# programs link with (the lib* of its Depends, whatever the release calls
# them; they conflict with nothing).
IKE_DEPS := strongswan-charon strongswan-swanctl libstrongswan-standard-plugins

# What the scenarios run in the guest: the amd64 guest shares the host's
# root, a foreign one gets a root of its own with these (tests/env/guest-root.sh).
GUEST_DEPS := kmod busybox-static xz-utils zstd iproute2 iputils-ping \
	nftables iptables tcpdump python3 python3-scapy socat netcat-openbsd \
	dnsmasq-base isc-dhcp-server isc-dhcp-client kea-dhcp4-server procps \
	psmisc $(IKE_DEPS)
# What builds the Debian packages (make deb) and what installs the module
# from them (51-deb-packages, boot-check); a foreign guest's root has these too, with
# its kernel's headers (tests/env/foreign-guest.sh).
DEB_DEPS := build-essential debhelper dh-dkms dkms libmnl-dev openssl
# What runs debian/tests in the guest (51-deb-packages): autopkgtest, and
# dctrl-tools, which dkms-autopkgtest would otherwise install (the guest
# has no network).
AUTOPKGTEST_DEPS := autopkgtest dctrl-tools
# The root of a real boot (tests/env/boot-check.sh): systemd, the
# release's kernel and headers, and what DKMS builds with.
BOOT_DEPS := systemd systemd-sysv udev kmod iproute2 procps busybox-static \
	dkms gcc make libc6-dev linux-image-amd64 linux-headers-amd64
# Cross builds (tests/env/cross.sh): the release's cross compilers (tunfixctl),
# the one the foreign kernels' headers record (Debian 12's gcc-12, also in
# Debian 13), their C libraries, and pahole for 6.12's module BTF.
CROSS_DEPS := gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf \
	gcc-12-aarch64-linux-gnu gcc-12-arm-linux-gnueabihf \
	libc6-dev-arm64-cross libc6-dev-armhf-cross dwarves
# udev and libreswan for the guest, as .debs in the test cache:
# 51-deb-packages unpacks udev's to run a real systemd-udevd (installing it
# on the host would upgrade the host's systemd to its version), the
# Libreswan scenarios unpack libreswan's (see IKE_DEPS).
GUEST_DEBS := /var/cache/tunfix-tests/debs
LIBRESWAN_LIBS = $$(tests/env/libreswan-libs.sh $(GUEST_DEBS)/libreswan_*.deb)
# Everything the build and the tests use.  qemu comes from the release's
# own suite, except on Debian 12: its qemu 7.2 crashes newer guest kernels
# (multi-threaded TCG and live-patched static keys), so bookworm-backports.
DEPS := linux-headers-amd64 sparse groff-base libnetfilter-queue-dev \
	cpio debootstrap lintian valgrind bc flex bison libelf-dev libssl-dev \
	linux-perf $(GUEST_DEPS) $(DEB_DEPS) $(AUTOPKGTEST_DEPS) $(CROSS_DEPS)
CODENAME := $(shell . /etc/os-release && echo $$VERSION_CODENAME)
QEMU_SUITE := $(if $(filter bookworm,$(CODENAME)),-t bookworm-backports)
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	--no-install-recommends

all: module tools

module:
	$(MAKE) -C kmod

tools:
	$(MAKE) -C tools

deps:
	tests/env/apt-suites.sh
	apt-get update -q
	$(APT_INSTALL) $(DEPS)
	$(APT_INSTALL) $(QEMU_SUITE) qemu-system-x86 qemu-system-arm \
		qemu-user-static
	$(APT_INSTALL) linux-source-$$(tests/env/kver.sh --series)
	mkdir -p $(GUEST_DEBS) && cd $(GUEST_DEBS) && \
		rm -f udev_*.deb libreswan_*.deb && \
		apt-get download -q -o APT::Sandbox::User=root udev libreswan
	$(APT_INSTALL) --no-upgrade $(LIBRESWAN_LIBS)

$(CHECKPATCH):
	mkdir -p $(BUILD)/checkpatch
	tar -xJf $(KSRC_TARBALL) -C $(BUILD)/checkpatch --strip-components=1 \
		linux-source-$(KSRC_SERIES)/scripts/checkpatch.pl \
		linux-source-$(KSRC_SERIES)/scripts/spelling.txt \
		linux-source-$(KSRC_SERIES)/scripts/const_structs.checkpatch

# the X-macro lists, and the file that makes declarations from one
XMACRO := uapi/linux/tunfix_knobs.h uapi/linux/tunfix_counters.h kmod/params.c
KSOURCES = $(filter-out %.mod.c $(XMACRO),$(wildcard kmod/*.c kmod/*.h uapi/linux/*.h bench/kbench/*.c))
CHECKPATCH_FLAGS := --strict --no-tree --terse --show-types --ignore MACRO_ARG_UNUSED

# MACRO_ARG_UNUSED (every file): an X-macro expansion takes every column
# of its list and uses only some (6.12's checkpatch reports it, 6.1's does
# not).
# A list is one macro of X() entries, which checkpatch reads as a complex
# value reusing its argument; params.c's X() makes two declarations (a
# parameter and its description), so it ends in a semicolon and uses the
# name twice.
checkpatch: $(CHECKPATCH)
	$(CHECKPATCH) $(CHECKPATCH_FLAGS) -f $(KSOURCES)
	$(CHECKPATCH) $(CHECKPATCH_FLAGS) \
		--ignore COMPLEX_MACRO,MACRO_ARG_REUSE,TRAILING_SEMICOLON \
		-f $(XMACRO)

sparse:
	@mkdir -p $(BUILD)
	$(MAKE) -C kmod clean
	$(MAKE) -C kmod sparse 2>&1 | tee $(BUILD)/sparse.log
	! grep -E '(warning|error):' $(BUILD)/sparse.log
	$(MAKE) -C kmod

# Every installed header compiles alone, as the kernel's usr/include checks
# its uapi headers (C90, no other include first).
uapi-check:
	for h in uapi/linux/*.h; do \
		$(CC) -std=c90 -Wall -Wextra -Werror -fsyntax-only -Iuapi \
			-x c $$h || exit 1; \
	done

static: checkpatch sparse uapi-check

unit: tools
	$(MAKE) -C tools check

guest: all
	tests/qemu/run.sh

check:
	@mkdir -p $(BUILD)
	tests/check.sh

clean:
	$(MAKE) -C kmod clean
	$(MAKE) -C tools clean
	rm -rf $(BUILD)

.PHONY: all module tools deps checkpatch sparse uapi-check static unit guest check clean

# Packaging, demo and benchmark targets, other kernels: their own files.
include mk/packaging.mk mk/extra.mk mk/kernels.mk mk/cross.mk
