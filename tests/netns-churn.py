#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Namespace churn for tests/netns/63-netns-churn.sh (tests/nslib.py does
the namespaces and the memory readings, shared with bench/netns-cost.py).

    netns-churn.py mem N BATCH WARMUP
        Make WARMUP namespaces and destroy them (the caches every first
        namespace grows), read the memory, then N namespaces made and
        destroyed BATCH at a time (at most two batches held by the kernel
        at once), wait until the kernel has freed them all, read it again.
        Prints key=value lines: n, created_s, freed_s, sunreclaim_before,
        sunreclaim_after, percpu_before, percpu_after, slab_before,
        slab_after (kB), objects_kib (what the active objects of all
        caches grew by, /proc/slabinfo), not_left_kib (what the slab
        pages of nslib.py's NOT_LEFT caches grew by: part of SUnreclaim,
        none of it left by a namespace), tunfix_on (namespaces whose
        df_egress read 1), "grew CACHE BYTES" for the five caches whose
        objects grew the most, "held CACHE KIB" for the five whose slab
        pages did (pages kept for a few objects: SUnreclaim), and
        "not_left CACHE KIB" for each cache of NOT_LEFT.
    netns-churn.py race LOG FILLERS
        Make FILLERS namespaces and keep them (the module's load and unload
        then run its init or exit for each), print "ready", then make and
        destroy namespaces one after the other until stdin closes.  One
        line per namespace in LOG: "START END VALUE", wall clock seconds
        before unshare() and after reading net.tunfix.df_egress in it
        (VALUE, or "-" without tunfix).
    netns-churn.py send DST PORT INTERVAL
        UDP datagrams with DF (IP_PMTUDISC_DO) to DST:PORT every INTERVAL
        seconds, each carrying the wall clock before its sendto().
    netns-churn.py recv PORT LOG
        Every UDP datagram to PORT as "SENT RECEIVED DF" lines in LOG (a raw
        socket sees the IP header, DF as sent).
    netns-churn.py windows WINDOWS CHURN_LOG PACKET_LOG
        The evidence: WINDOWS has "load|unload START END" lines (the wall
        clock around insmod and rmmod).  For each window, the namespace
        creations in progress during it, those started in it, the datagrams
        sent in it and, of those, the ones tunfix rewrote (DF cleared) and
        the ones it did not.  Between windows every namespace made must
        have tunfix's settings exactly when the module is loaded, every
        datagram must have DF cleared exactly then.  Prints the table and
        key=value lines: windows, no_ns (windows without a creation in
        progress), no_pkt (without a datagram), no_mixed (load or unload
        windows whose datagrams were not both rewritten and not: the
        hooks came or went while the window was open), bad_ns, bad_pkt,
        ns, pkts.
"""

import os
import resource
import signal
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nslib import (NOT_LEFT, live_netns, new_netns, setns,  # noqa: E402
                   settled_memory, settled_netns, slabinfo, wait_netns)

KNOB = "/proc/sys/net/tunfix/df_egress"


def knob():
    try:
        with open(KNOB) as f:
            return f.read().strip()
    except OSError:
        return "-"


def churn(home, n, batch, base):
    """N namespaces, BATCH at a time; the count whose df_egress read 1"""
    on = 0
    while n > 0:
        fds = []
        for _ in range(min(batch, n)):
            fds.append(new_netns())
            on += knob() == "1"
        setns(home)
        for fd in fds:
            os.close(fd)
        n -= len(fds)
        # at most this batch and the next one held at once
        if not wait_netns(base + batch, 300):
            sys.exit("namespaces not freed within 300 s")
    return on


def mem(n, batch, warmup):
    resource.setrlimit(resource.RLIMIT_NOFILE, (1 << 16, 1 << 16))
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    base = settled_netns()
    churn(home, warmup, batch, base)
    if not wait_netns(base, 300):
        sys.exit("warm-up namespaces not freed within 300 s")
    before, slab0 = settled_memory(), slabinfo(every=True)
    t0 = time.monotonic()
    on = churn(home, n, batch, base)
    t1 = time.monotonic()
    if not wait_netns(base, 600):
        sys.exit("namespaces not freed within 600 s: %d left" %
                 (live_netns() - base))
    t2 = time.monotonic()
    after, slab1 = settled_memory(), slabinfo(every=True)
    print("n=%d\ncreated_s=%.1f\nfreed_s=%.1f\ntunfix_on=%d" %
          (n, t1 - t0, t2 - t1, on))
    for k, name in (("SUnreclaim", "sunreclaim"), ("Percpu", "percpu"),
                    ("Slab", "slab")):
        print("%s_before=%d\n%s_after=%d" % (name, before[k], name, after[k]))
    grew, held, not_left = [], [], []
    for c in set(slab0) | set(slab1):
        act, size, kib = slab1.get(c, (0, slab0.get(c, (0, 0, 0))[1], 0))
        act0, _, kib0 = slab0.get(c, (0, size, 0))
        if c in NOT_LEFT:
            not_left.append((kib - kib0, c))
            continue
        grew.append(((act - act0) * size, c))
        held.append((kib - kib0, c))
    # the objects alone, without the slab pages' free room
    print("objects_kib=%d" % (sum(d for d, _ in grew) // 1024))
    print("not_left_kib=%d" % sum(d for d, _ in not_left))
    for d, c in sorted(grew, reverse=True)[:5]:
        print("grew %s %d" % (c, d))
    for d, c in sorted(held, reverse=True)[:5]:
        print("held %s %d" % (c, d))
    for d, c in sorted(not_left, reverse=True):
        print("not_left %s %d" % (c, d))
    return 0


def race(log, fillers):
    resource.setrlimit(resource.RLIMIT_NOFILE, (1 << 16, 1 << 16))
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    keep = []
    for _ in range(fillers):
        keep.append(new_netns())
    setns(home)
    print("ready", flush=True)
    os.set_blocking(sys.stdin.fileno(), False)
    with open(log, "w") as out:
        while True:
            try:
                if os.read(sys.stdin.fileno(), 1) == b"":
                    break
            except BlockingIOError:
                pass
            t0 = time.time()
            fd = new_netns()
            v = knob()
            t1 = time.time()
            setns(home)
            os.close(fd)
            out.write("%.6f %.6f %s\n" % (t0, t1, v))
    return 0


def send(dst, port, interval):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # IP_MTU_DISCOVER = IP_PMTUDISC_DO: DF (not in every Python's socket)
    s.setsockopt(socket.IPPROTO_IP, getattr(socket, "IP_MTU_DISCOVER", 10), 2)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    while True:
        s.sendto(struct.pack("!d", time.time()) + bytes(200), (dst, port))
        time.sleep(interval)


def recv(port, log):
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("0.0.0.0", port))
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    with open(log, "w") as out:
        while True:
            p = raw.recv(2048)
            t = time.time()
            ihl = (p[0] & 15) * 4
            if struct.unpack("!H", p[ihl + 2:ihl + 4])[0] != port:
                continue
            df = 1 if p[6] & 0x40 else 0
            sent = struct.unpack("!d", p[ihl + 8:ihl + 16])[0]
            out.write("%.6f %.6f %d\n" % (sent, t, df))
            out.flush()


def windows(wfile, cfile, pfile):
    wins = []
    with open(wfile) as f:
        for line in f:
            k, a, b = line.split()
            wins.append((k, float(a), float(b)))
    ns = [(float(a), float(b), v) for a, b, v in
          (line.split() for line in open(cfile))]
    pk = [(float(a), float(b), int(d)) for a, b, d in
          (line.split() for line in open(pfile))]

    def loaded(a, b):
        """True/False if the module was loaded/not during all of [a, b]
        (no window touches it), None if a window does"""
        state = False
        for k, w0, w1 in wins:
            if a <= w1 and b >= w0:
                return None
            if w1 < a:
                state = k == "load"
        return state

    res = dict(windows=len(wins), no_ns=0, no_pkt=0, no_mixed=0, bad_ns=0,
               bad_pkt=0, ns=len(ns), pkts=len(pk))
    # ns: creations in progress during the window (began: of them, begun
    # in it; max_ms: the longest); pkts: datagrams sent in it, of them
    # cleared (DF cleared by tunfix) and kept (DF as sent)
    print("%-6s %9s %9s %5s %5s %5s %6s %7s %6s" % (
        "window", "start", "ms", "ns", "began", "max_ms", "pkts", "cleared",
        "kept"))
    t00 = wins[0][1] if wins else 0
    for k, w0, w1 in wins:
        inprog = [(a, b) for a, b, _ in ns if a <= w1 and b >= w0]
        began = sum(1 for a, _ in inprog if w0 <= a <= w1)
        longest = max([b - a for a, b in inprog], default=0)
        sent = [d for s, _, d in pk if w0 <= s <= w1]
        off = sent.count(0)
        print("%-6s %9.3f %9.1f %5d %5d %6.1f %6d %7d %6d" % (
            k, w0 - t00, (w1 - w0) * 1000, len(inprog), began, longest * 1000,
            len(sent), off, len(sent) - off))
        res["no_ns"] += not inprog
        res["no_pkt"] += not sent
        res["no_mixed"] += not (off and len(sent) - off)
    for a, b, v in ns:
        st = loaded(a, b)
        if st is not None and (v == "1") != st:
            res["bad_ns"] += 1
    for s, r, d in pk:
        st = loaded(s, r)
        if st is not None and (d == 0) != st:
            res["bad_pkt"] += 1
    for k, v in res.items():
        print("%s=%d" % (k, v))
    return 0


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "mem":
        return mem(*map(int, args))
    if cmd == "race":
        return race(args[0], int(args[1]))
    if cmd == "send":
        return send(args[0], int(args[1]), float(args[2]))
    if cmd == "recv":
        return recv(int(args[0]), args[1])
    if cmd == "windows":
        return windows(*args)
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
