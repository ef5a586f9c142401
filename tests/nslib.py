# SPDX-License-Identifier: GPL-2.0
"""Network namespaces made and counted from one long-lived process.

Shared by the benchmark (bench/netns-cost.py: what a namespace costs) and
the tests (tests/netns-churn.py: that nothing is left once it is gone).
A process costs 50 to 80 ms in the emulated guest; unshare() about 4 ms.

    new_netns()       unshare(CLONE_NEWNET): this process is in a new
                      namespace; returns a file descriptor that keeps it
                      alive (closing it, once no process is in it,
                      destroys it)
    setns(fd)         back into a namespace
    meminfo()         /proc/meminfo in kB
    slabinfo(every)   /proc/slabinfo: {cache: (active objects, object size,
                      KiB of its slab pages)}, without the caches of
                      NOT_LEFT unless EVERY
    object_kib()      what the active slab objects take
    live_netns()      how many namespaces the kernel holds (net_namespace
                      cache), exact: see shrink()
    wait_netns(n, s)  until live_netns() <= n: the kernel's asynchronous
                      cleanup_net() has freed every namespace beyond n
    settled_netns()   live_netns() once nothing is left to free: the
                      baseline for wait_netns()

cleanup_net() frees the struct net of the namespaces it cleaned up only in
its next round (net_complete_free(), after that round's rcu_barrier()): the
last namespaces destroyed stay in the cache until another one is.  So the
waits here destroy a namespace of their own ("kick") to make that round
happen; the one they destroyed last stays, in the baseline as after.
"""

import ctypes
import os
import time

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)
SLAB_SYS = "/sys/kernel/slab"
HOME = os.open("/proc/self/ns/net", os.O_RDONLY)
# Caches whose objects say nothing of what a namespace left behind: each
# open() of the readings' own files takes a filp and a names_cache buffer,
# which a KASAN kernel keeps in its quarantine, counted active, after
# shrink() emptied their cache; and the debug kernel's own bookkeeping
# (debugobjects' pool, kmemleak's metadata), which grows with its use.
NOT_LEFT = ("filp", "names_cache", "debug_objects_cache", "kmemleak_object")


def _check(rc, what):
    if rc != 0:
        e = ctypes.get_errno()
        raise OSError(e, "%s: %s" % (what, os.strerror(e)))


def new_netns():
    """Enter a new network namespace; a descriptor that keeps it alive"""
    _check(libc.unshare(CLONE_NEWNET), "unshare")
    return os.open("/proc/self/ns/net", os.O_RDONLY)


def setns(fd):
    _check(libc.setns(fd, CLONE_NEWNET), "setns")


def meminfo():
    """{field: kB} of /proc/meminfo"""
    res = {}
    with open("/proc/meminfo") as f:
        for line in f:
            k, v = line.split(":")
            res[k] = int(v.split()[0])
    return res


def slabinfo(every=False):
    """{cache: (active_objs, objsize, KiB of slab pages)} of
    /proc/slabinfo, without the caches of NOT_LEFT unless EVERY"""
    res = {}
    page_kib = os.sysconf("SC_PAGE_SIZE") // 1024
    with open("/proc/slabinfo") as f:
        for line in f:
            if line.startswith(("slabinfo", "#")):
                continue
            w = line.split()
            if w[0] in NOT_LEFT and not every:
                continue
            # name active_objs num_objs objsize objperslab pagesperslab
            # : tunables ... : slabdata active_slabs num_slabs sharedavail
            res[w[0]] = (int(w[1]), int(w[3]),
                         int(w[14]) * int(w[5]) * page_kib)
    return res


def object_kib():
    """What the active objects of all caches take, in KiB"""
    return sum(n * size for n, size, _ in slabinfo().values()) // 1024


def shrink(cache=None):
    """Flush the per-CPU slabs of CACHE (every cache if None) and free its
    empty slabs.  SLUB counts the free objects of per-CPU (partial) slabs
    as active in /proc/slabinfo: without this, the counts stay high after
    the objects are freed."""
    names = [cache] if cache else os.listdir(SLAB_SYS)
    for n in names:
        path = os.path.join(SLAB_SYS, n)
        # aliases of merged caches are symbolic links: one write is enough
        if cache is None and os.path.islink(path):
            continue
        try:
            with open(os.path.join(path, "shrink"), "w") as f:
                f.write("1")
        except OSError:
            pass


def live_netns():
    """The namespaces the kernel holds, alive or waiting for cleanup_net()"""
    shrink("net_namespace")
    return slabinfo().get("net_namespace", (0, 0))[0]


def kick():
    """Make and destroy a namespace: one more cleanup_net() round"""
    fd = new_netns()
    setns(HOME)
    os.close(fd)


def wait_netns(n, secs):
    """Wait until at most N namespaces are left (init_net is not in the
    cache); True if they were within SECS seconds"""
    end = time.monotonic() + secs
    while live_netns() > n:
        if time.monotonic() > end:
            return False
        kick()
        for _ in range(10):
            time.sleep(0.1)
            if live_netns() <= n:
                return True
    return True


def settled_netns(secs=60):
    """live_netns() after cleanup_net() rounds until it stops falling"""
    end = time.monotonic() + secs
    last = live_netns()
    while time.monotonic() < end:
        kick()
        time.sleep(0.5)
        cur = live_netns()
        if cur >= last:
            return cur
        last = cur
    return last


def settled_memory(secs=60, step=1.0, still_kib=16):
    """meminfo() once memory stops moving: caches shrunk, then read every
    STEP seconds until SUnreclaim, Percpu and the active slab objects
    (object_kib()) moved by at most STILL_KIB since the last reading (RCU
    callbacks, kfree_rcu() batches and the per-CPU allocator's balance work
    run late; an object still waiting for its grace period keeps its whole
    slab page) or SECS have passed"""
    shrink()
    last, last_obj = meminfo(), object_kib()
    end = time.monotonic() + secs
    while time.monotonic() < end:
        time.sleep(step)
        shrink()
        cur, obj = meminfo(), object_kib()
        if (abs(cur["SUnreclaim"] - last["SUnreclaim"]) <= still_kib and
                abs(cur["Percpu"] - last["Percpu"]) <= still_kib and
                abs(obj - last_obj) <= still_kib):
            return cur
        last, last_obj = cur, obj
    return last
