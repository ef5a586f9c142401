# SPDX-License-Identifier: GPL-2.0
#
# tunfix top-level Makefile.
#
#   make deps       install every build and test dependency (Debian 12, root)
#   make            build the module (for the Debian kernel whose headers are
#                   installed) and tunfixctl
#   make check      static checks, tool unit tests, and the guest test suite
#
# KERNELRELEASE selects the kernel to build for; by default the one that
# Debian's linux-headers-amd64 points at, else the running kernel.

KERNELRELEASE ?= $(shell dpkg-query -W -f='$${Depends}' linux-headers-amd64 2>/dev/null | \
		   sed -n 's/.*linux-headers-\([^ ,]*\).*/\1/p')
ifeq ($(KERNELRELEASE),)
KERNELRELEASE := $(shell uname -r)
endif
KDIR ?= /lib/modules/$(KERNELRELEASE)/build
export KERNELRELEASE KDIR

BUILD := tests/.build
CHECKPATCH := $(BUILD)/checkpatch/scripts/checkpatch.pl
KSRC_TARBALL := /usr/src/linux-source-6.1.tar.xz

DEPS := build-essential linux-headers-amd64 linux-source-6.1 sparse \
	libmnl-dev libnetfilter-queue-dev dkms kmod cpio busybox-static \
	qemu-system-x86 iproute2 iputils-ping nftables iptables tcpdump \
	python3 python3-scapy socat netcat-openbsd dnsmasq-base \
	isc-dhcp-server isc-dhcp-client procps psmisc valgrind bc flex \
	bison libelf-dev libssl-dev linux-perf

all: module tools

module:
	$(MAKE) -C kmod

tools:
	@if [ -f tools/Makefile ]; then $(MAKE) -C tools; fi

deps:
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends $(DEPS)

$(CHECKPATCH):
	mkdir -p $(BUILD)/checkpatch
	tar -xJf $(KSRC_TARBALL) -C $(BUILD)/checkpatch --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch

KSOURCES = $(filter-out %.mod.c,$(wildcard kmod/*.c kmod/*.h uapi/linux/*.h bench/kbench/*.c))

checkpatch: $(CHECKPATCH)
	$(CHECKPATCH) --strict --no-tree --terse --show-types -f $(KSOURCES)

sparse:
	@mkdir -p $(BUILD)
	$(MAKE) -C kmod clean
	$(MAKE) -C kmod sparse 2>&1 | tee $(BUILD)/sparse.log
	! grep -E '(warning|error):' $(BUILD)/sparse.log
	$(MAKE) -C kmod

static: checkpatch sparse

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

.PHONY: all module tools deps checkpatch sparse static unit guest check clean

# Packaging, demo and benchmark targets live in their own files.
-include mk/*.mk
