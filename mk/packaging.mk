# SPDX-License-Identifier: GPL-2.0
#
# Installation, DKMS and in-tree build targets (included by the Makefile).

PREFIX ?= /usr
DESTDIR ?=
VERSION := $(shell sed -n 's/^\#define TUNFIX_VERSION[^"]*"\(.*\)"/\1/p' uapi/linux/tunfix.h)
DKMS_SRC := $(DESTDIR)/usr/src/tunfix-$(VERSION)
INTREE := $(BUILD)/intree

install: all
	install -D -m 0644 kmod/tunfix.ko \
		$(DESTDIR)/lib/modules/$(KERNELRELEASE)/updates/tunfix.ko
	[ -n "$(DESTDIR)" ] || depmod -a $(KERNELRELEASE)
	install -D -m 0644 -t $(DESTDIR)$(PREFIX)/include/linux uapi/linux/*.h
	install -D -m 0644 examples/modprobe.d/tunfix.conf \
		$(DESTDIR)$(PREFIX)/share/doc/tunfix/examples/modprobe.d/tunfix.conf
	install -D -m 0644 examples/sysctl.d/90-tunfix.conf \
		$(DESTDIR)$(PREFIX)/share/doc/tunfix/examples/sysctl.d/90-tunfix.conf
	@if [ -f tools/Makefile ]; then $(MAKE) -C tools install; fi

uninstall:
	rm -f $(DESTDIR)/lib/modules/$(KERNELRELEASE)/updates/tunfix.ko
	[ -n "$(DESTDIR)" ] || depmod -a $(KERNELRELEASE)
	rm -f $(DESTDIR)$(PREFIX)/include/linux/tunfix.h \
		$(DESTDIR)$(PREFIX)/include/linux/tunfix_knobs.h \
		$(DESTDIR)$(PREFIX)/include/linux/tunfix_counters.h
	rm -rf $(DESTDIR)$(PREFIX)/share/doc/tunfix
	@if [ -f tools/Makefile ]; then $(MAKE) -C tools uninstall; fi

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
# entry (slow: prepares the tree; a step of `make check`).
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
	# no vmlinux here to resolve symbols against: modpost warns (the
	# out-of-tree build checks them against Module.symvers)
	$(MAKE) -C $(INTREE) -j$$(nproc) KBUILD_MODPOST_WARN=1 net/tunfix/tunfix.ko
	test -f $(INTREE)/net/tunfix/tunfix.ko
	@echo "intree-check: net/tunfix/tunfix.ko built with CONFIG_TUNFIX=m"

print-version:
	@echo $(VERSION)

.PHONY: print-version install uninstall dkms-src dkms-install dkms-remove intree-check
