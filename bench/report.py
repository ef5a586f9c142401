#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The tables of `make bench` and where they stand against its goals.

    bench/report.py DIR

reads what the guest wrote to DIR: bench-raw.txt (bench/run-bench.sh, one
line per run: variant size sent received wall_ns cpu_ns df_kept) and
kbench-raw.txt (bench/run-kbench.sh, one line per measurement: variant
ps_per_pass, or "id" ps_per_call), 2cpu-raw.txt (bench/run-2cpu.sh) and
netns-raw.txt (bench/run-netns.sh, bench/netns-cost.py's lines).
Variants are named as in VARIANTS and NETNS.  It writes bench.txt (end
to end), kbench.txt (the hooks alone), 2cpu.txt (two flows on two CPUs),
netns.txt (the cost of a namespace) and goals.txt, and prints them.  A file whose
input is missing is left out.
"""

import os
import statistics
import sys

# name in the raw files: what the tables call it, in table order
VARIANTS = {
    "nohook": "no hook",
    "empty": "empty hook",
    "empty-id": "empty hook + ID generator",
    "rewrite": "least correct rewrite",
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
    if ident and "empty" in med and "tunfix" in med:
        lines.append("%-24s %12.1f  (tunfix - empty hook - ID generator alone)" %
                     ("tunfix's own work", med["tunfix"] - med["empty"] - statistics.median(ident)))
    if "empty-id" in med and "tunfix" in med:
        lines.append("%-24s %12.1f  (tunfix - the hook that only calls the ID generator)" %
                     ("tunfix's own work", med["tunfix"] - med["empty-id"]))
    if "rewrite" in med and "tunfix" in med:
        lines.append("%-24s %12.1f  (tunfix - the least correct rewrite: settings, selectors)" %
                     ("tunfix's settings", med["tunfix"] - med["rewrite"]))
        lines.append("%-24s %12.1f  (the least correct rewrite - the hook that only calls "
                     "the ID generator)" % ("a rewrite's own work", med["rewrite"] - med["empty-id"]))
    return lines


def two_cpus(path):
    """{(variant, flow): [pkt/s]}, [(sent, cleared, rewritten, received,
    kept)] of the tunfix runs"""
    pps, counts = {}, []
    for line in open(path):
        f = line.split()
        if f[0] == "counters":
            counts.append(tuple(map(int, f[1:])))
        else:
            pps.setdefault((f[0], f[1]), []).append(int(f[2]) / (int(f[3]) / 1e9))
    return pps, counts


def two_cpus_table(pps):
    lines = ["two flows at once, one per vCPU (GRE on CPU 0, ESP on CPU 1), medians of %d"
             % min(len(x) for x in pps.values()),
             "%-8s %-8s %12s %22s" % ("flow", "variant", "pkt/s", "spread (min-max)")]
    for (v, flow) in sorted(pps, key=lambda k: (k[1], k[0] != "nohook")):
        x = pps[v, flow]
        lines.append("%-8s %-8s %12.0f %11.0f-%.0f" % (
            flow, v, statistics.median(x), min(x), max(x)))
    return lines


def two_cpus_goals(pps, counts):
    lines = []
    for flow in ("gre", "esp"):
        base, ours = pps["nohook", flow], pps["tunfix", flow]
        d = statistics.median(ours) - statistics.median(base)
        spread = max(base) - min(base)
        lines.append(("met" if abs(d) <= spread else "NOT met",
                      "two CPUs, %s flow: tunfix %+.0f pkt/s against no hook, whose "
                      "spread is %.0f (goal: within it)" % (flow, d, spread)))
    exact = sum(1 for c in counts if c[0] == c[1] == c[2] == c[3] and c[4] == 0)
    lines.append(("met" if counts and exact == len(counts) else "NOT met",
                  "two CPUs: counters equal to the packets sent and received, "
                  "none with DF, in %d of %d runs (goal: all)" % (exact, len(counts))))
    return ["%-9s %s" % x for x in lines]


NETNS = {"nomod": "tunfix not loaded", "off": "tunfix loaded, off",
         "on": "tunfix on (module parameters)"}


def netns(path):
    """{variant: [(create ns, slab KiB, percpu KiB) per namespace] of the
    mem phase, [create ns per namespace] of the time phase}, CPUs"""
    per, ncpus = {}, 1
    for line in open(path):
        phase, v, n, create, slab, pcpu, ncpus = line.split()
        n = int(n)
        mem, times = per.setdefault(v, ([], []))
        if phase == "mem":
            mem.append((int(slab) / n, int(pcpu) / n))
        else:
            times.append(int(create) / n)
        ncpus = int(ncpus)
    return per, ncpus


def netns_figures(per):
    """{variant: (mean creation time, slab, percpu)}: the mean, as the
    rounds' order cancels a drift out of it (bench/run-netns.sh)"""
    return {v: (statistics.mean(times), mem[0][0], mem[0][1])
            for v, (mem, times) in per.items() if mem and times}


def netns_table(per, ncpus):
    fig = netns_figures(per)
    base = fig.get("nomod", (0, 0, 0))
    lines = ["the cost of a network namespace (%d CPUs): creation, mean of %d rounds"
             % (ncpus, min(len(x[1]) for x in per.values())),
             "%-30s %10s %10s %10s %14s" % (
                 "variant", "create us", "slab KiB", "percpu KiB", "create vs nomod")]
    for v in [v for v in NETNS if v in fig]:
        c, sl, pc = fig[v]
        lines.append("%-30s %10.1f %10.2f %10.2f %+13.1f%%" % (
            NETNS[v], c / 1000, sl, pc, 100 * (ratio(c, base[0]) - 1)))
    for v in ("off", "on"):
        if v in fig and "nomod" in fig:
            sl, pc = fig[v][1] - base[1], fig[v][2] - base[2]
            lines.append("%s adds per namespace: %.2f KiB slab, %.2f KiB per-CPU "
                         "(%.2f KiB per CPU: 64 CPUs %.1f KiB, 256 CPUs %.1f KiB)" % (
                             v, sl, pc, pc / ncpus, 64 * pc / ncpus, 256 * pc / ncpus))
    return lines


def netns_goals(per):
    fig = netns_figures(per)
    base = fig["nomod"]
    lines = []
    for v in ("off", "on"):
        slower = 100 * (ratio(fig[v][0], base[0]) - 1)
        lines.append(("met" if slower <= 5 else "NOT met",
                      "namespace creation with tunfix %s %+.1f%% (goal: at most 5%% slower)" %
                      (v, slower)))
        sl = fig[v][1] - base[1]
        lines.append(("met" if sl <= 4 else "NOT met",
                      "memory per namespace with tunfix %s %.2f KiB slab "
                      "(goal: at most 4 KiB, per-CPU counters apart)" % (v, sl)))
    return ["%-9s %s" % x for x in lines]


def goals(res, per):
    med = {v: statistics.median(x) for v, x in per.items()}
    add = {v: med[v] - med["nohook"] for v in med}
    lines = ["against the goals of the benchmark"]

    def goal(ok, text):
        lines.append("%-9s %s" % ("met" if ok else "NOT met", text))

    # the floor of a cleared packet: a hook that only calls the ID
    # generator (run-kbench.sh's empty-id), timed where tunfix calls it
    floor = add["empty-id"]
    for v in ("tunfix", "tunfix-mark"):
        r = ratio(add[v], add["nft"])
        goal(r <= 0.1, "%s/nft added cost %.3f (hooks alone; goal <= 0.10)" % (v, r))
        goal(add[v] <= floor + 30,
             "%s added %.1f ns, empty hook + ID generator %.1f ns + %.1f "
             "(goal: at most + 30)" % (v, add[v], floor, add[v] - floor))
    for size in SIZES:
        if ("nfqueue", size) in res and ("nohook", size) in res:
            nfq = res["nfqueue", size][1] - res["nohook", size][1]
            r = ratio(add["tunfix"], nfq)
            goal(r <= 0.01, "tunfix (hooks alone) / NFQUEUE (end to end, %d bytes) "
                 "%.4f (goal <= 0.01)" % (size, r))
    goal(add["nomatch"] <= add["empty"] + 15,
         "tunfix no match added %.1f ns, empty hook %.1f ns + %.1f "
         "(hooks alone; goal: at most + 15)" % (
             add["nomatch"], add["empty"], add["nomatch"] - add["empty"]))
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
    res = per = ident = None
    if os.path.exists(os.path.join(d, "bench-raw.txt")):
        res = e2e(os.path.join(d, "bench-raw.txt"))
        emit(d, "bench.txt", e2e_table(res))
    if os.path.exists(os.path.join(d, "kbench-raw.txt")):
        per, ident = micro(os.path.join(d, "kbench-raw.txt"))
        if per:
            emit(d, "kbench.txt", micro_table(per, ident))
    ns = cpus = None
    if os.path.exists(os.path.join(d, "2cpu-raw.txt")):
        cpus = two_cpus(os.path.join(d, "2cpu-raw.txt"))
        if cpus[0]:
            emit(d, "2cpu.txt", two_cpus_table(cpus[0]))
    if os.path.exists(os.path.join(d, "netns-raw.txt")):
        ns, ncpus = netns(os.path.join(d, "netns-raw.txt"))
        if ns:
            emit(d, "netns.txt", netns_table(ns, ncpus))
    if res and per and all(v in per for v in VARIANTS if v != "nfqueue"):
        lines = goals(res, per)
        if cpus and all((v, f) in cpus[0] for v in ("nohook", "tunfix")
                        for f in ("gre", "esp")):
            lines += two_cpus_goals(*cpus)
        if ns and all(v in ns for v in NETNS):
            lines += netns_goals(ns)
        emit(d, "goals.txt", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
