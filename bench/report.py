#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The tables of `make bench` and where they stand against its goals.

    bench/report.py DIR

reads what the guest wrote to DIR: bench-raw.txt (bench/run-bench.sh, one
line per run: variant size sent received wall_ns cpu_ns df_kept) and
kbench-raw.txt (bench/run-kbench.sh, one line per measurement: variant
ps_per_pass, or "id" ps_per_call).  It writes bench.txt (end to end),
kbench.txt (the hooks alone) and goals.txt, and prints them.  A file whose
input is missing is left out.
"""

import os
import statistics
import sys

E2E = {0: "no hook", 1: "tunfix loaded, off", 2: "tunfix on, no match",
       3: "tunfix clearing DF", 4: "nftables rule", 5: "NFQUEUE program"}
MICRO = {**E2E, 5: "nft counter-only rule"}
SIZES = (64, 1400)


def ratio(a, b):
    return a / b if b > 0 else float("nan")


def e2e(path):
    """{(variant, size): (pkt/s, cpu ns/pkt, lost, sent, df kept)}"""
    rows = [list(map(int, line.split())) for line in open(path) if line.strip()]
    res = {}
    for (v, size) in sorted({(r[0], r[1]) for r in rows}):
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
            res.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        base = res.get((0, size), (0, cpu))[1]
        lines.append("%5d  %-22s %10.0f %12.0f %12.0f %8d/%d %8d" % (
            size, E2E[v], pps, cpu, cpu - base, lost, sent, kept))
    for size in SIZES:
        add = {v: res[v, size][1] - res[0, size][1]
               for v in E2E if (v, size) in res and (0, size) in res}
        if 3 in add:
            lines.append("%d bytes: tunfix/nft added cost %.2f, tunfix/NFQUEUE %.2f "
                         "(end to end, where tunfix is within the noise)" % (
                             size, ratio(add[3], add.get(4, 0)), ratio(add[3], add.get(5, 0))))
    return lines


def micro(path):
    """{variant: [ns per pass]}, [ns per ID]"""
    per, ident = {}, []
    for line in open(path):
        k, ps = line.split()
        if k == "id":
            ident.append(int(ps) / 1000)
        else:
            per.setdefault(int(k), []).append(int(ps) / 1000)
    return per, ident


def micro_table(per, ident):
    n = min(len(x) for x in per.values())
    med = {v: statistics.median(x) for v, x in per.items()}
    lines = ["the hooks alone: one prepared packet through nf_hook(), medians of %d" % n,
             "%-24s %12s %12s %18s" % ("variant", "ns/pass", "added ns",
                                       "spread (min-max)")]
    for v in sorted(per):
        lines.append("%-24s %12.1f %12.1f %11.1f-%.1f" % (
            MICRO[v], med[v], med[v] - med.get(0, 0), min(per[v]), max(per[v])))
    if ident:
        lines.append("%-24s %12.1f  (__ip_select_ident() alone, part of tunfix's cost)" %
                     ("kernel ID generator", statistics.median(ident)))
    return lines


def goals(res, per):
    med = {v: statistics.median(x) for v, x in per.items()}
    add = {v: med[v] - med[0] for v in med}
    lines = ["against the goals of the benchmark"]

    def goal(ok, text):
        lines.append("%-9s %s" % ("met" if ok else "NOT met", text))

    r = ratio(add[3], add[4])
    goal(r <= 0.2, "tunfix/nft added cost %.3f (hooks alone; goal <= 0.2)" % r)
    for size in SIZES:
        if (5, size) in res and (0, size) in res:
            nfq = res[5, size][1] - res[0, size][1]
            r = ratio(add[3], nfq)
            goal(r <= 0.01, "tunfix (hooks alone) / NFQUEUE (end to end, %d bytes) "
                 "%.4f (goal <= 0.01)" % (size, r))
    r = ratio(add[2], add[5])
    goal(r <= 1, "tunfix no match / nft counter-only %.3f (hooks alone; goal <= 1)" % r)
    spread = max(per[0]) - min(per[0])
    goal(abs(add[1]) <= spread,
         "tunfix off: %+.1f ns against no hook, whose spread is %.1f ns "
         "(goal: nothing measurable)" % (add[1], spread))
    lost = sum(res[v, s][2] for v, s in res if v in (1, 2, 3))
    sent = sum(res[v, s][3] for v, s in res if v in (1, 2, 3))
    goal(sent > 0 and lost == 0, "packets lost by tunfix: %d of %d (goal 0)" % (lost, sent))
    kept = sum(res[v, s][4] for v, s in res if v in (3, 4, 5))
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
    if res and per and all(v in per for v in range(6)):
        emit(d, "goals.txt", goals(res, per))
    return 0


if __name__ == "__main__":
    sys.exit(main())
