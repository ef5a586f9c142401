#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host test of bench/report.py: made-up raw results, once within every
goal and once missing each, and the verdicts it must print."""

import os
import subprocess
import sys
import tempfile

REPORT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench", "report.py")


def raw(d, nft_ns, lost, kept, off_ns):
    """Three rounds; CPU ns per packet: no hook 10000, tunfix +100,
    nft +nft_ns, NFQUEUE +50000; hooks alone: no hook 10 ns, tunfix 110."""
    e2e = {"nohook": 0, "off": 0, "nomatch": 0, "tunfix": 100, "nft": nft_ns,
           "nfqueue": 50000}
    micro = {"nohook": 10, "off": 10 + off_ns, "nomatch": 50, "tunfix": 110,
             "tunfix-mark": 112, "nft": 10 + nft_ns, "nft-count": 100}
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
                f.write("%s %d\nid %d\n" % (v, (ns + rnd) * 1000, 30000))


def run(nft_ns, lost, kept, off_ns):
    with tempfile.TemporaryDirectory() as d:
        raw(d, nft_ns, lost, kept, off_ns)
        subprocess.run([sys.executable, REPORT, d], check=True, stdout=subprocess.DEVNULL)
        return [(l[:9].strip(), l[9:].strip()) for l in open(os.path.join(d, "goals.txt"))
                if l.startswith(("met", "NOT met"))]


def main():
    passes = fails = 0

    def check(ok, what):
        nonlocal passes, fails
        print("%s %s" % ("PASS" if ok else "FAIL", what))
        passes += bool(ok)
        fails += not ok

    good = run(nft_ns=1000, lost=0, kept=0, off_ns=0)
    check(len(good) == 8 and all(v[0] == "met" for v in good),
          "all goals met when they are: %s" % [v[0] for v in good])
    bad = run(nft_ns=300, lost=5, kept=2, off_ns=50)
    verdict = {v[1].split(" (")[0].split(":")[0]: v[0] == "met" for v in bad}
    for key in ("tunfix/nft added cost 0.333", "tunfix-mark/nft added cost 0.340",
                "tunfix off", "packets lost by tunfix",
                "GRE packets that kept DF with tunfix, nft or NFQUEUE"):
        check(verdict.get(key) is False, "'%s' reported as NOT met" % key)
    check(verdict.get("tunfix no match / nft counter-only 0.444") is True,
          "no-match goal still met")
    print("%d passed, %d failed" % (passes, fails))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
