#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The cost of a network namespace, measured by a long-lived process.

    bench/netns-cost.py < COMMANDS

Reads lines "VARIANT N" from stdin; for each it creates N network
namespaces (unshare(CLONE_NEWNET), each kept alive by an open
/proc/self/ns/net until this process ends) and prints one line:

    VARIANT N create_ns slab_kib percpu_kib ncpus

create_ns: wall time of the N unshare() calls, in nanoseconds in all;
slab_kib and percpu_kib: what /proc/meminfo's SUnreclaim and Percpu grew
by while they were made (SUnreclaim: a namespace's own objects, without
the dentry and inode caches that come and go beside them).  What the variant is (module loaded or not, which
defaults) is set up between two commands by bench/run-netns.sh.

The namespaces are never destroyed during the run: a destroyed one is
freed later by a workqueue (cleanup_net()), which would run beside the
next measurement, and its freed memory would be reused by it.  Nothing in
userspace tells when cleanup_net() is done (the slab counters keep freed
objects of per-CPU partial slabs as active), so destruction is not timed
here (tests/netns-churn.py waits for it, with tests/nslib.py, shared with
this script).
"""

import os
import resource
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests"))
from nslib import meminfo, new_netns, setns  # noqa: E402


def measure(home, fds, variant, n):
    before = meminfo()
    t0 = time.monotonic_ns()
    for _ in range(n):
        fds.append(new_netns())
    create = time.monotonic_ns() - t0
    setns(home)
    after = meminfo()
    return "%s %d %d %d %d %d" % (
        variant, n, create, after["SUnreclaim"] - before["SUnreclaim"],
        after["Percpu"] - before["Percpu"], os.cpu_count())


def main():
    # one open file per namespace kept (root may raise the hard limit)
    resource.setrlimit(resource.RLIMIT_NOFILE, (1 << 16, 1 << 16))
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    fds = []
    for line in sys.stdin:
        variant, n = line.split()
        print(measure(home, fds, variant, int(n)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
