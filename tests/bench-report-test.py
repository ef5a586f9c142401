#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host test of bench/report.py: made-up raw results, once within every
goal and once missing each, and the verdicts it must print."""

import os
import subprocess
import sys
import tempfile

REPORT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench", "report.py")


def raw(d, nft_ns, lost, kept, off_ns, slow, ns_pct=4, ns_kib=3, cpu2_slow=0,
        cpu2_miss=0):
    """Three rounds; CPU ns per packet: no hook 10000, tunfix +100,
    nft +nft_ns, NFQUEUE +50000; hooks alone: no hook 10 ns, empty hook
    50, with the ID generator 90 (alone 40), the least rewrite 100, no
    match 60 and tunfix 110, each +slow."""
    e2e = {"nohook": 0, "off": 0, "nomatch": 0, "tunfix": 100, "nft": nft_ns,
           "nfqueue": 50000}
    micro = {"nohook": 10, "empty": 50, "empty-id": 90, "rewrite": 100,
             "off": 10 + off_ns,
             "nomatch": 60 + slow,
             "tunfix": 110 + slow, "tunfix-mark": 112 + slow, "nft": 10 + nft_ns,
             "nft-count": 100}
    with open(os.path.join(d, "bench-raw.txt"), "w") as f:
        for rnd in range(3):
            for size in (64, 1400):
                for v, add in e2e.items():
                    sent = 1000
                    f.write("%s %d %d %d %d %d %d\n" % (
                        v, size, sent, sent - (lost if v == "tunfix" and rnd == 0 else 0),
                        10**9, (10000 + add + rnd) * sent,
                        kept if v == "tunfix" else
                        (sent if v in ("nohook", "off", "nomatch") else 0)))
    with open(os.path.join(d, "kbench-raw.txt"), "w") as f:
        for rnd in range(3):
            for v, ns in micro.items():
                f.write("%s %d\nid %d\n" % (v, (ns + rnd) * 1000, 40000))
    # two flows: 100000 pkt/s, +-1000 between rounds; tunfix cpu2_slow
    # pkt/s slower, its counters cpu2_miss short in the first round
    with open(os.path.join(d, "2cpu-raw.txt"), "w") as f:
        for rnd in range(3):
            for v in ("nohook", "tunfix"):
                for flow in ("gre", "esp"):
                    pps = 100000 + 1000 * (rnd - 1) - (cpu2_slow if v == "tunfix" else 0)
                    f.write("%s %s %d %d\n" % (v, flow, pps, 10**9))
            f.write("counters 200 %d 200 200 0\n" % (200 - (cpu2_miss if rnd == 0 else 0)))
    # 1000 namespaces: 1 ms and 20 MiB without tunfix; "on" ns_pct % slower
    # and ns_kib KiB more each, "off" half that; creation drifts 1 % a round
    with open(os.path.join(d, "netns-raw.txt"), "w") as f:
        k = {"nomod": 0, "off": 0.5, "on": 1}
        for v in k:
            f.write("mem %s 1000 %d %d 400 2\n" % (
                v, 10**9 * (1 + k[v] * ns_pct / 100), 20480 + k[v] * ns_kib * 1000))
        for rnd in range(4):
            order = list(k) if rnd % 2 == 0 else list(k)[::-1]
            for pos, v in enumerate(order):
                drift = 1 + (3 * rnd + pos) / 100
                f.write("time %s 100 %d 2048 40 2\n" % (
                    v, 10**8 * (1 + k[v] * ns_pct / 100) * drift))


def run(nft_ns, lost, kept, off_ns, slow, **netns):
    with tempfile.TemporaryDirectory() as d:
        raw(d, nft_ns, lost, kept, off_ns, slow, **netns)
        subprocess.run([sys.executable, REPORT, d], check=True, stdout=subprocess.DEVNULL)
        return [(l[:9].strip(), l[9:].strip()) for l in open(os.path.join(d, "goals.txt"))
                if l.startswith(("met", "NOT met"))]


def met(lines, key):
    """the verdict of the one goal line that starts with key, or None"""
    found = [v[0] == "met" for v in lines if v[1].startswith(key)]
    return found[0] if len(found) == 1 else None


def main():
    passes = fails = 0

    def check(ok, what):
        nonlocal passes, fails
        print("%s %s" % ("PASS" if ok else "FAIL", what))
        passes += bool(ok)
        fails += not ok

    good = run(nft_ns=1100, lost=0, kept=0, off_ns=0, slow=0)
    check(len(good) == 17 and all(v[0] == "met" for v in good),
          "all goals met when they are: %s" % [v[0] for v in good])
    # the good run's tunfix and no match sit exactly at their goals
    check(met(good, "tunfix added 100.0 ns") is True and
          met(good, "tunfix no match added 50.0 ns") is True,
          "a packet exactly at its goal meets it")
    bad = run(nft_ns=300, lost=5, kept=2, off_ns=50, slow=20, ns_pct=12, ns_kib=6,
              cpu2_slow=5000, cpu2_miss=1)
    for key in ("tunfix/nft added cost 0.400", "tunfix-mark/nft added cost 0.407",
                "tunfix added 120.0 ns", "tunfix-mark added 122.0 ns",
                "tunfix no match added 70.0 ns",
                "tunfix off:", "packets lost by tunfix",
                "GRE packets that kept DF with tunfix, nft or NFQUEUE",
                "namespace creation with tunfix on +12.0%",
                "memory per namespace with tunfix on 6.00 KiB",
                "two CPUs, gre flow: tunfix -5000 pkt/s",
                "two CPUs: counters equal to the packets sent and received, "
                "none with DF, in 2 of 3 runs"):
        check(met(bad, key) is False, "'%s' reported as NOT met" % key)
    check(met(bad, "namespace creation with tunfix off +6.0%") is False and
          met(bad, "memory per namespace with tunfix off 3.00 KiB") is True,
          "namespace goals judged per variant")
    print("%d passed, %d failed" % (passes, fails))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
