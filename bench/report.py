#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The tables of `make bench` and where they stand against its goals.

    bench/report.py DIR

reads what the guest wrote to DIR: bench-raw.txt (bench/run-bench.sh, one
line per run: variant size sent received wall_ns cpu_ns df_kept) and
kbench-raw.txt (bench/run-kbench.sh, one line per measurement: variant
ps_per_pass, or "id" ps_per_call).  Variants are named as in VARIANTS.  It writes bench.txt (end to end),
kbench.txt (the hooks alone) and goals.txt, and prints them.  A file whose
input is missing is left out.
"""

import os
import statistics
import sys

# name in the raw files: what the tables call it, in table order
VARIANTS = {
    "nohook": "no hook",
    "off": "tunfix loaded, off",
    "nomatch": "tunfix on, no match",
    "tunfix": "tunfix clearing DF",
    "tunfix-mark": "tunfix, mark selector on",
    "nft": "nftables rule",
    "nfqueue": "NFQUEUE program",
    "nft-count": "nft counter-only rule",
}
ORDER = list(VARIANTS)
SIZES = (64, 1400)


def ratio(a, b):
    return a / b if b > 0 else float("nan")


def e2e(path):
    """{(variant, size): (pkt/s, cpu ns/pkt, lost, sent, df kept)}"""
    rows = [[line.split()[0]] + list(map(int, line.split()[1:]))
            for line in open(path) if line.strip()]
    res = {}
    for (v, size) in {(r[0], r[1]) for r in rows}:
        r = [x for x in rows if x[0] == v and x[1] == size and x[2] > 0]
        if r:
            res[v, size] = (statistics.median(x[2] / (x[4] / 1e9) for x in r),
                            statistics.median(x[5] / x[2] for x in r),
                            sum(x[2] - min(x[2], x[3]) for x in r),
                            sum(x[2] for x in r), sum(x[6] for x in r))
    return res


def e2e_table(res):
    lines = ["end to end: GRE egress through real devices, medians",
             "%5s  %-22s %10s %12s %12s %14s %8s" % (
                 "size", "variant", "pkt/s", "CPU ns/pkt", "added ns",
                 "lost/sent", "DF kept")]
    for (v, size), (pps, cpu, lost, sent, kept) in sorted(
            res.items(), key=lambda kv: (kv[0][1], ORDER.index(kv[0][0]))):
        base = res.get(("nohook", size), (0, cpu))[1]
        lines.append("%5d  %-22s %10.0f %12.0f %12.0f %8d/%d %8d" % (
            size, VARIANTS[v], pps, cpu, cpu - base, lost, sent, kept))
    for size in SIZES:
        add = {v: res[v, size][1] - res["nohook", size][1]
               for v in VARIANTS if (v, size) in res and ("nohook", size) in res}
        if "tunfix" in add:
            lines.append("%d bytes: tunfix/nft added cost %.2f, tunfix/NFQUEUE %.2f "
                         "(end to end, where tunfix is within the noise)" % (
                             size, ratio(add["tunfix"], add.get("nft", 0)),
                             ratio(add["tunfix"], add.get("nfqueue", 0))))
    return lines


def micro(path):
    """{variant: [ns per pass]}, [ns per ID]"""
    per, ident = {}, []
    for line in open(path):
        k, ps = line.split()
        if k == "id":
            ident.append(int(ps) / 1000)
        else:
            per.setdefault(k, []).append(int(ps) / 1000)
    return per, ident


def micro_table(per, ident):
    n = min(len(x) for x in per.values())
    med = {v: statistics.median(x) for v, x in per.items()}
    lines = ["the hooks alone: one prepared packet through nf_hook(), medians of %d" % n,
             "%-24s %12s %12s %18s" % ("variant", "ns/pass", "added ns",
                                       "spread (min-max)")]
    for v in sorted(per, key=ORDER.index):
        lines.append("%-24s %12.1f %12.1f %11.1f-%.1f" % (
            VARIANTS[v], med[v], med[v] - med.get("nohook", 0), min(per[v]), max(per[v])))
    if "tunfix" in med and "tunfix-mark" in med:
        lines.append("%-24s %12.1f  (tunfix-mark - tunfix: what the mark selector adds)" %
                     ("mark selector", med["tunfix-mark"] - med["tunfix"]))
    if ident:
        lines.append("%-24s %12.1f  (__ip_select_ident() alone, part of tunfix's cost)" %
                     ("kernel ID generator", statistics.median(ident)))
    return lines


def goals(res, per):
    med = {v: statistics.median(x) for v, x in per.items()}
    add = {v: med[v] - med["nohook"] for v in med}
    lines = ["against the goals of the benchmark"]

    def goal(ok, text):
        lines.append("%-9s %s" % ("met" if ok else "NOT met", text))

    for v in ("tunfix", "tunfix-mark"):
        r = ratio(add[v], add["nft"])
        goal(r <= 0.2, "%s/nft added cost %.3f (hooks alone; goal <= 0.2)" % (v, r))
    for size in SIZES:
        if ("nfqueue", size) in res and ("nohook", size) in res:
            nfq = res["nfqueue", size][1] - res["nohook", size][1]
            r = ratio(add["tunfix"], nfq)
            goal(r <= 0.01, "tunfix (hooks alone) / NFQUEUE (end to end, %d bytes) "
                 "%.4f (goal <= 0.01)" % (size, r))
    r = ratio(add["nomatch"], add["nft-count"])
    goal(r <= 1, "tunfix no match / nft counter-only %.3f (hooks alone; goal <= 1)" % r)
    spread = max(per["nohook"]) - min(per["nohook"])
    goal(abs(add["off"]) <= spread,
         "tunfix off: %+.1f ns against no hook, whose spread is %.1f ns "
         "(goal: nothing measurable)" % (add["off"], spread))
    ours = ("off", "nomatch", "tunfix")
    lost = sum(res[v, s][2] for v, s in res if v in ours)
    sent = sum(res[v, s][3] for v, s in res if v in ours)
    goal(sent > 0 and lost == 0, "packets lost by tunfix: %d of %d (goal 0)" % (lost, sent))
    kept = sum(res[v, s][4] for v, s in res if v in ("tunfix", "nft", "nfqueue"))
    goal(kept == 0, "GRE packets that kept DF with tunfix, nft or NFQUEUE: %d (goal 0)" % kept)
    return lines


def emit(d, name, lines):
    text = "\n".join(lines) + "\n"
    print(text)
    with open(os.path.join(d, name), "w") as f:
        f.write(text)


def main():
    d = sys.argv[1]
    res = per = None
    if os.path.exists(os.path.join(d, "bench-raw.txt")):
        res = e2e(os.path.join(d, "bench-raw.txt"))
        emit(d, "bench.txt", e2e_table(res))
    if os.path.exists(os.path.join(d, "kbench-raw.txt")):
        per, ident = micro(os.path.join(d, "kbench-raw.txt"))
        if per:
            emit(d, "kbench.txt", micro_table(per, ident))
    micro_variants = ("nohook", "off", "nomatch", "tunfix", "tunfix-mark", "nft", "nft-count")
    if res and per and all(v in per for v in micro_variants):
        emit(d, "goals.txt", goals(res, per))
    return 0


if __name__ == "__main__":
    sys.exit(main())
