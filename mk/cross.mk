# SPDX-License-Identifier: GPL-2.0
#
# Other architectures (included by the Makefile).

# The module (-Werror) for every foreign kernel of tests/kernels.list and
# tunfixctl for each foreign architecture, with Debian's cross compilers;
# ARCHES="arm64" picks architectures.  Part of CI: a few minutes.
cross-build:
	tests/cross.sh $(ARCHES)

.PHONY: cross-build
