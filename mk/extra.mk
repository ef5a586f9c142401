# SPDX-License-Identifier: GPL-2.0
#
# Demo and stress targets (included by the Makefile).

# A newcomer's first minute: boot the guest and run the bridged gretap +
# ESP scenario, ping -s 1472 -M do failing without tunfix and passing with it.
demo: all
	TUNFIX_RESULTS_DIR=$(CURDIR)/$(BUILD)/demo tests/qemu/run.sh --cmd 'bash tests/demo.sh'

# The long stress and fuzz runs (the short ones are part of `make check`).
stress: all
	TUNFIX_RESULTS_DIR=$(CURDIR)/$(BUILD)/stress TUNFIX_QEMU_TIMEOUT=3600 \
		tests/qemu/run.sh --cmd 'TUNFIX_STRESS=long bash tests/stress-long.sh'

.PHONY: demo stress

# The suite on Debian's PREEMPT_RT kernel flavour: the module is built in a
# copy of kmod/ against linux-headers-VER-rt-amd64 and the guest boots
# linux-image-VER-rt-amd64.  (The cloud flavour has no 9p, which the guest
# harness needs for its root file system.)
RT_KVER := $(patsubst %-amd64,%-rt-amd64,$(KERNELRELEASE))
RT_DIR := $(BUILD)/flavour-rt

rt-check:
	[ -d /usr/src/linux-headers-$(RT_KVER) ] || \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends linux-headers-$(RT_KVER)
	rm -rf $(RT_DIR) && mkdir -p $(RT_DIR)
	cp -r kmod uapi $(RT_DIR)/
	$(MAKE) -C $(RT_DIR)/kmod clean KDIR=/lib/modules/$(RT_KVER)/build >/dev/null
	$(MAKE) -C $(RT_DIR)/kmod KERNELRELEASE=$(RT_KVER) \
		KDIR=/lib/modules/$(RT_KVER)/build
	KVER=$(RT_KVER) TUNFIX_KO=$(CURDIR)/$(RT_DIR)/kmod/tunfix.ko \
		TUNFIX_RESULTS_DIR=$(CURDIR)/$(RT_DIR)/results tests/qemu/run.sh

.PHONY: rt-check

# The benchmark: tunfix against no hook, nftables and NFQUEUE, one boot.
bench: all
	$(MAKE) -C bench
	TUNFIX_RESULTS_DIR=$(CURDIR)/$(BUILD)/bench \
		tests/qemu/run.sh --cmd 'bash bench/run-bench.sh'
	@echo "results: $(BUILD)/bench/cmd/bench.txt"

.PHONY: bench
