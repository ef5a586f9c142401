# SPDX-License-Identifier: GPL-2.0
#
# Installation, DKMS and in-tree build targets (included by the Makefile).

PREFIX ?= /usr
DESTDIR ?=
# udev reads /usr/lib/udev/rules.d and /usr/local/lib/udev/rules.d
UDEVRULESDIR ?= $(PREFIX)/lib/udev/rules.d
VERSION := $(shell sed -n 's/^\#define TUNFIX_VERSION[^"]*"\(.*\)"/\1/p' uapi/linux/tunfix.h)
DKMS_SRC := $(DESTDIR)/usr/src/tunfix-$(VERSION)
INTREE := $(BUILD)/intree

# The module through the kernel's own modules_install (signed and
# compressed as the kernel's configuration says), into updates/, then
# depmod (skipped for a DESTDIR; the kernel's own call needs a System.map,
# which Debian's headers lack).
install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod INSTALL_MOD_DIR=updates \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) DEPMOD=true modules_install
	[ -n "$(DESTDIR)" ] || depmod -a $(KERNELRELEASE)
	install -D -m 0644 -t $(DESTDIR)$(PREFIX)/include/linux uapi/linux/*.h
	install -D -m 0644 -t $(DESTDIR)$(PREFIX)/share/doc/tunfix/examples/modprobe.d \
		examples/modprobe.d/tunfix.conf
	install -D -m 0644 -t $(DESTDIR)$(PREFIX)/share/doc/tunfix/examples/sysctl.d \
		examples/sysctl.d/90-tunfix.conf
	install -D -m 0644 -t $(DESTDIR)$(PREFIX)/share/doc/tunfix/examples/modules-load.d \
		examples/modules-load.d/tunfix.conf
	install -D -m 0644 -t $(DESTDIR)$(UDEVRULESDIR) udev/60-tunfix.rules
	$(MAKE) -C tools install

uninstall:
	rm -f $(DESTDIR)/lib/modules/$(KERNELRELEASE)/updates/tunfix.ko*
	[ -n "$(DESTDIR)" ] || depmod -a $(KERNELRELEASE)
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/include/linux/,$(notdir $(wildcard uapi/linux/*.h)))
	rm -rf $(DESTDIR)$(PREFIX)/share/doc/tunfix
	rm -f $(DESTDIR)$(UDEVRULESDIR)/60-tunfix.rules
	$(MAKE) -C tools uninstall

# the source tree DKMS builds from: module, uapi headers, dkms.conf
dkms-src:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)/kmod $(DKMS_SRC)/uapi/linux
	cp kmod/*.c kmod/*.h kmod/Kbuild kmod/Makefile $(DKMS_SRC)/kmod/
	cp uapi/linux/*.h $(DKMS_SRC)/uapi/linux/
	cp dkms.conf $(DKMS_SRC)/

dkms-install: dkms-src
	dkms add -m tunfix -v $(VERSION)
	dkms build -m tunfix -v $(VERSION) -k $(KERNELRELEASE)
	dkms install -m tunfix -v $(VERSION) -k $(KERNELRELEASE)

dkms-remove:
	-dkms remove -m tunfix -v $(VERSION) --all
	rm -rf $(DKMS_SRC)

# Build kmod/ inside Debian's linux-source-X.Y tree through the Kconfig
# entry (slow: prepares the tree; a step of `make check`).  The prepared
# tree has no vmlinux and no Module.symvers, so modpost cannot resolve the
# module's symbols: KBUILD_MODPOST_WARN=1 makes that a warning, which
# 6.12's modpost would make an error.  The out-of-tree build checks them,
# against the Module.symvers of the kernel's headers.
intree-check:
	rm -rf $(INTREE) && mkdir -p $(INTREE)
	tar -xJf $(KSRC_TARBALL) -C $(INTREE) --strip-components=1
	mkdir -p $(INTREE)/net/tunfix
	cp kmod/*.c kmod/*.h kmod/Kbuild $(INTREE)/net/tunfix/
	cp Kconfig $(INTREE)/net/tunfix/Kconfig
	cp uapi/linux/*.h $(INTREE)/include/uapi/linux/
	echo 'source "net/tunfix/Kconfig"' >>$(INTREE)/net/Kconfig
	echo 'obj-$$(CONFIG_TUNFIX) += tunfix/' >>$(INTREE)/net/Makefile
	cp /usr/src/linux-headers-$(KERNELRELEASE)/.config $(INTREE)/.config
	cd $(INTREE) && scripts/config --module TUNFIX \
		--set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS "" \
		--set-str MODULE_SIG_KEY "certs/signing_key.pem" --disable DEBUG_INFO_BTF
	$(MAKE) -C $(INTREE) olddefconfig
	grep -q '^CONFIG_TUNFIX=m' $(INTREE)/.config
	$(MAKE) -C $(INTREE) -j$$(nproc) modules_prepare
	$(MAKE) -C $(INTREE) -j$$(nproc) KBUILD_MODPOST_WARN=1 net/tunfix/tunfix.ko
	test -f $(INTREE)/net/tunfix/tunfix.ko
	@echo "intree-check: net/tunfix/tunfix.ko built with CONFIG_TUNFIX=m"

# Debian packages (debhelper, dh-dkms): tunfix-dkms_VERSION_all.deb and
# tunfixctl_VERSION_ARCH.deb in $(BUILD)/deb, built from a copy of the
# source tree with debian/changelog written from VERSION (deb-build); then
# lintian (deb-lintian, also for packages built elsewhere: DEB_DIR=DIR).
DEB_DIR := $(BUILD)/deb
deb: deb-build
	$(MAKE) --no-print-directory deb-lintian

deb-build:
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/tunfix-$(VERSION)
	tar --exclude=./.git --exclude=./$(BUILD) --exclude='*.o' --exclude='*.ko' \
		--exclude=./tools/tunfixctl -cf - . | tar -xf - -C $(DEB_DIR)/tunfix-$(VERSION)
	printf 'tunfix (%s) unstable; urgency=medium\n\n  * tunfix %s, built by make deb.\n\n -- %s  %s\n' \
		$(VERSION) $(VERSION) "$$(sed -n 's/^Maintainer: //p' debian/control)" \
		"$$(date -R -d @$$(git log -1 --format=%ct 2>/dev/null || date +%s))" \
		>$(DEB_DIR)/tunfix-$(VERSION)/debian/changelog
	cd $(DEB_DIR)/tunfix-$(VERSION) && dpkg-buildpackage -us -uc -b

deb-lintian:
	lintian --profile debian --fail-on error,warning $(DEB_DIR)/*.changes

# The packages of the next version, for the upgrade and downgrade of
# tests/env/boot-check.sh: a copy of the tree made NEXT_VERSION by
# mk/set-version.sh, with a line added to each sample (so that apt has new
# conffiles to offer), built by its deb-build into $(DEB_DIR)/next (after
# make deb, which empties $(DEB_DIR)).
NEXT_VERSION := $(shell echo $(VERSION) | awk -F. -v OFS=. '{ $$NF = $$NF + 1; print }')
NEXT_TREE := $(BUILD)/next
deb-next:
	rm -rf $(NEXT_TREE) && mkdir -p $(NEXT_TREE)
	tar --exclude=./.git --exclude=./$(BUILD) --exclude='*.o' --exclude='*.ko' \
		--exclude=./tools/tunfixctl -cf - . | tar -xf - -C $(NEXT_TREE)
	cd $(NEXT_TREE) && mk/set-version.sh $(NEXT_VERSION)
	for f in modprobe.d/tunfix.conf sysctl.d/90-tunfix.conf modules-load.d/tunfix.conf; do \
		echo "# (changed in tunfix $(NEXT_VERSION))" >>$(NEXT_TREE)/examples/$$f; \
	done
	$(MAKE) -C $(NEXT_TREE) --no-print-directory deb-build DEB_DIR=$(CURDIR)/$(DEB_DIR)/next
	rm -rf $(NEXT_TREE)

print-version:
	@echo $(VERSION)

# every place the version must appear, from V (mk/set-version.sh)
set-version:
	mk/set-version.sh $(V)

# The release tarball, tunfix-VERSION.tar.gz, from git archive of HEAD
# (tracked files only; git gives every entry the commit's time, the
# SOURCE_DATE_EPOCH of `git log -1 --format=%ct`, and puts the commit id in
# a pax header), then gzip -n (no name, no time stamp): two runs of the
# same commit give the same bytes (tests/dist-check.sh; same git and gzip).
DIST_DIR ?= .
DIST := $(DIST_DIR)/tunfix-$(VERSION).tar.gz
dist:
	@git diff --quiet HEAD -- || echo "dist: uncommitted changes are not in the tarball (git archive HEAD)" >&2
	git archive --format=tar --prefix=tunfix-$(VERSION)/ HEAD | gzip -n -9 >$(DIST).tmp
	mv $(DIST).tmp $(DIST)
	sha256sum $(DIST)

.PHONY: deb deb-build deb-next deb-lintian print-version set-version dist install uninstall dkms-src dkms-install dkms-remove intree-check
