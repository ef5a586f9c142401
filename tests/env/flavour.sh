#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the guest suite (or a --cmd) on another Debian kernel flavour of the
# same release: rt (PREEMPT_RT) or cloud (no 9p: the harness falls back to
# virtiofs).  The module is built in a copy of kmod/ against
# linux-headers-VER-FLAVOUR-amd64, installed here if missing.
#
# usage: tests/env/flavour.sh rt|cloud [run.sh arguments]

set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FLAVOUR=${1:?usage: tests/env/flavour.sh rt|cloud [run.sh arguments]}
shift
case $FLAVOUR in
rt|cloud) ;;
*) echo "flavour.sh: unknown flavour $FLAVOUR (rt or cloud)" >&2; exit 2 ;;
esac

GEN=$("$ROOT/tests/env/kver.sh")
KVER=${GEN%-amd64}-$FLAVOUR-amd64
DIR=$ROOT/tests/.build/flavour-$FLAVOUR

if [ ! -d "/usr/src/linux-headers-$KVER" ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "linux-headers-$KVER" >/dev/null
fi
rm -rf "$DIR" && mkdir -p "$DIR"
cp -r "$ROOT/kmod" "$ROOT/uapi" "$DIR/"
make -s -C "$DIR/kmod" clean KDIR="/lib/modules/$KVER/build" >/dev/null
make -s -C "$DIR/kmod" KERNELRELEASE="$KVER" KDIR="/lib/modules/$KVER/build"

export KVER TUNFIX_KO=$DIR/kmod/tunfix.ko
export TUNFIX_RESULTS_DIR=${TUNFIX_RESULTS_DIR:-$DIR/results}
exec "$ROOT/tests/qemu/run.sh" "$@"
