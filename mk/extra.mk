# SPDX-License-Identifier: GPL-2.0
#
# Demo and stress targets (included by the Makefile).

# A newcomer's first minute: boot the guest and run the bridged gretap +
# ESP scenario, ping -s 1472 -M do failing without tunfix and passing with it.
demo: all
	TUNFIX_RESULTS_DIR=$(CURDIR)/$(BUILD)/demo tests/qemu/run.sh --cmd 'bash tests/demo.sh'

# The long stress and fuzz runs (the short ones are part of `make check`).
# FLAVOUR=rt or FLAVOUR=cloud runs them on that Debian kernel flavour.
STRESS_CMD := TUNFIX_STRESS=long bash tests/stress-long.sh
stress: all
ifeq ($(FLAVOUR),)
	TUNFIX_RESULTS_DIR=$(CURDIR)/$(BUILD)/stress TUNFIX_QEMU_TIMEOUT=3600 \
		tests/qemu/run.sh --cmd '$(STRESS_CMD)'
else
	TUNFIX_RESULTS_DIR=$(CURDIR)/$(BUILD)/stress-$(FLAVOUR) \
		TUNFIX_QEMU_TIMEOUT=3600 tests/env/flavour.sh $(FLAVOUR) --cmd '$(STRESS_CMD)'
endif

.PHONY: demo stress

# The suite on Debian's other kernel flavours of the same release: PREEMPT_RT
# and cloud (which has no 9p: the harness shares the root over virtiofs).
rt-check cloud-check: all
	tests/env/flavour.sh $(@:-check=)

# The suite on a debug kernel (KASAN, kmemleak, lockdep, ...), built from
# Debian's linux-source-X.Y (the series of the default kernel) on first
# use and cached.
debug-check: all
	tests/env/debug-kernel.sh

# IP-TFS (RFC 9347) against tunfix and copy_df = no, in the same set-up
# (tests/netns/42-ike-copy-df.sh, 43-ike-iptfs.sh): a kernel built with
# CONFIG_XFRM_IPTFS from linux-source-$(IPTFS_SERIES) (no Debian kernel has
# it; tests/env/iptfs.config, cached like the debug kernel's) and a root of
# $(IPTFS_SUITE) for its strongSwan (6.0.2 or later; tests/env/guest-root.sh).
IPTFS_SERIES := 7.2
IPTFS_SUITE := sid
IPTFS_GUEST_DEPS := kmod busybox-static iproute2 iputils-ping nftables \
	tcpdump python3 procps psmisc $(IKE_DEPS)
iptfs-check: all
	root=$$(tests/env/guest-root.sh amd64 $(IPTFS_SUITE) $(IPTFS_GUEST_DEPS)) && \
	tests/env/debug-kernel.sh --series $(IPTFS_SERIES) \
		--config tests/env/iptfs.config --root "$$root" -t 42 -t 43

.PHONY: rt-check cloud-check debug-check iptfs-check

# The benchmark: tunfix against no hook, nftables and NFQUEUE, one boot:
# first the cost of a namespace, in memory nothing else has used yet (4
# GiB: its 6000 namespaces stay alive until the end), then packets through
# a gre tunnel, the hooks alone on a prepared skb (bench/kbench, a
# test-only module) and two flows on two CPUs.
# BENCH_ENV: variables for the guest's scripts (their counts, see bench-check).
BENCH_CMD := $(if $(BENCH_ENV),export $(BENCH_ENV);) a=0; \
	for s in netns bench kbench 2cpu; do bash bench/run-$$s.sh || a=1; done; exit $$a
bench: all
	$(MAKE) -C bench
	TUNFIX_RESULTS_DIR=$(CURDIR)/$(BUILD)/bench TUNFIX_QEMU_MEM=4G \
		tests/qemu/run.sh --cmd '$(BENCH_CMD)'; \
		rc=$$?; python3 bench/report.py $(BUILD)/bench/cmd && exit $$rc
	@echo "results: $(BUILD)/bench/cmd/{bench,kbench,2cpu,netns,goals}.txt"

# The benchmark's checks at a fraction of its rounds and packets: every
# variant does what it claims, nothing is lost, the counters add up, the
# report is made.  CI runs this one (a full `make bench` is some 8 minutes
# of emulated guest); the figures in results.rst and the verdicts on the
# goals come from `make bench`.
BENCH_QUICK := BENCH_REPS=1 BENCH_PACKETS=4000 KBENCH_PASSES=50000 \
	NETNS_COUNT=100 NETNS_ROUNDS=2
bench-check:
	$(MAKE) --no-print-directory bench BENCH_ENV="$(BENCH_QUICK)"

.PHONY: bench bench-check
