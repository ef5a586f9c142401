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
