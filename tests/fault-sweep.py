#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Systematic fault injection for tests/netns/62-fault-injection.sh.

Each sweep repeats one operation with /proc/self/task/TID/fail-nth set to
N = 1, 2, 3...: the N-th fault-injection point this thread passes in the
kernel (a slab allocation failslab may fail, a page allocation of
fail_page_alloc) fails, that one only, and only in this thread
(Documentation/fault-injection/fault-injection.rst, "Systematic faults
using fail-nth").  Reading fail-nth back says whether the fault was
injected (0) or the operation passed fewer than N points: then the sweep
has failed every point of the operation once and is complete.  After each
step the operation must have failed with an error, or succeeded whole.

usage: fault-sweep.py load KO PARAM=VALUE...       finit_module() of KO
       fault-sweep.py netns KNOB=VALUE...          unshare(CLONE_NEWNET)
       fault-sweep.py sysctl KNOB=VALUE[|READ]...  one write per knob
       fault-sweep.py send DST PORT TAGFILE        UDP broadcast, DF set
       fault-sweep.py check-send TAGFILE PCAP_A PCAP_B

load and netns fail only the points from tunfix's pernet init on (see
backward()); load wants the module unloaded, netns loaded.

Each prints one line per step and a summary "faults injected: N"; exit 1
if a step left a half-done state.
"""
import ctypes
import errno
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pktlib  # noqa: E402

libc = ctypes.CDLL(None, use_errno=True)
# (finit_module, delete_module) of the architectures the guests run
SYS_finit_module, SYS_delete_module = {
    "x86_64": (313, 176), "aarch64": (273, 106), "armv7l": (379, 129),
}[os.uname().machine]
CLONE_NEWNET = 0x40000000
# <linux/in.h>: Python's socket module has no IP_MTU_DISCOVER
IP_MTU_DISCOVER, IP_PMTUDISC_DO = 10, 2
SYSCTL = "/proc/sys/net/tunfix/"
PARAMS = "/sys/module/tunfix/parameters/"
TRACE = "/sys/kernel/tracing/"
MAX_STEPS = int(os.environ.get("FAULT_SWEEP_MAX", "3000"))


class FailNth:
    """This thread's fail-nth, open before a step so that reading it back
    opens nothing (an open() would be a fault-injection point itself)."""

    def __init__(self):
        path = "/proc/self/task/%d/fail-nth" % threading.get_native_id()
        self.fd = os.open(path, os.O_RDWR)

    def arm(self, n):
        os.write(self.fd, b"%d" % n)

    def disarm(self):
        """0 if the armed fault was injected, else how many points were
        left; fail-nth is off afterwards."""
        left = int(os.pread(self.fd, 32, 0))
        os.write(self.fd, b"0")
        return left


def errname(e):
    return errno.errorcode.get(e, str(e))


def read(path):
    with open(path) as f:
        return f.read().strip()


def sysctl_write(knob, value):
    """One write(2) of exactly VALUE (an empty one too) to a knob."""
    fd = os.open(SYSCTL + knob, os.O_WRONLY)
    try:
        os.write(fd, value.encode())
    finally:
        os.close(fd)


def knobs():
    return {k: read(SYSCTL + k) for k in sorted(os.listdir(SYSCTL))}


def loaded():
    with open("/proc/modules") as f:
        return any(line.startswith("tunfix ") for line in f)


def summary(name, steps, injected, bad):
    print("%s: %d steps, faults injected: %d, inconsistent: %d"
          % (name, steps, injected, bad))
    return 1 if bad or not injected else 0


# ------------------------------------------------ tunfix_net_init probes
def trace_write(name, text):
    """Append TEXT to tracefs file NAME in one write(): open(..., "a")
    would seek to the end first, and tracefs' seq_lseek() refuses
    SEEK_END with EINVAL."""
    fd = os.open(TRACE + name, os.O_WRONLY | os.O_APPEND)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


class InitProbe:
    """kprobes on tunfix_net_init, its calls and return values, defined
    as MODULE:SYMBOL so that they also arm when the module is loaded
    later (trace_kprobe registers them at MODULE_STATE_COMING), and on
    the return of should_fail_ex() when it injects a fault (only this
    thread's fail-nth can: probability is 0), so that the trace says
    where the fault fell: before, inside or after tunfix_net_init."""

    EVENTS = ("tfx_fi_in", "tfx_fi_ret", "tfx_fi_fault")

    def __enter__(self):
        trace_write("kprobe_events", "p:tfx_fi_in tunfix:tunfix_net_init\n")
        trace_write("kprobe_events",
                    "r:tfx_fi_ret tunfix:tunfix_net_init ret=$retval:s32\n")
        # every allocation passes should_fail_ex(): room for many at once
        trace_write("kprobe_events",
                    "r64:tfx_fi_fault should_fail_ex ret=$retval:u8\n")
        trace_write("events/kprobes/tfx_fi_fault/filter", "ret == 1")
        for e in self.EVENTS:
            trace_write("events/kprobes/%s/enable" % e, "1")
        self.take()
        return self

    def __exit__(self, *exc):
        for e in self.EVENTS:
            trace_write("events/kprobes/%s/enable" % e, "0")
        for e in self.EVENTS:
            trace_write("kprobe_events", "-:%s\n" % e)

    @staticmethod
    def take():
        """(tunfix_net_init calls, [its return values], where the first
        injected fault fell) since last time: "none" (no fault),
        "before" the first call, "inside" a call, "between" two calls,
        or "after" the last one."""
        with open(TRACE + "trace") as f:
            lines = f.read().splitlines()
        open(TRACE + "trace", "w").close()
        seq = ["in" if " tfx_fi_in:" in line else
               "fault" if " tfx_fi_fault:" in line else "ret"
               for line in lines if " tfx_fi_" in line]
        calls = seq.count("in")
        rets = [int(line.rsplit("ret=", 1)[1]) for line in lines
                if " tfx_fi_ret:" in line]
        where = "none"
        if "fault" in seq:
            i = seq.index("fault")
            ins = seq[:i].count("in")
            where = ("before" if not ins else
                     "inside" if ins > seq[:i].count("ret") else
                     "between" if "in" in seq[i:] else "after")
        return calls, rets, where


def backward(name, step, bisect=False):
    """Fail the points of an operation from its last one backwards, down
    to the first point whose fault falls before tunfix_net_init is called:
    the operation's own points after that (tunfix's pernet init and what
    follows it), and one before.  The points further back belong to the
    kernel (the module loader's vmalloc()s, kmem_cache_create(), the
    namespace's other subsystems); several of them print a stack trace
    when they fail, which the harness would take for a kernel complaint.
    With BISECT, the scan starts two points after the last point whose
    fault falls before tunfix_net_init has returned (the trace of
    InitProbe says where each fault fell), found by bisection, instead of
    at the last point: the points after tunfix's pernet init are the
    kernel's too (the loopback device's registration), and the bisection
    faults a dozen of them, not all.
    STEP(n) runs the operation with point n failing (n = 0: none; then it
    returns how many points it passed) and returns (points left, or 0 if
    the fault was injected; problem or None).  Returns the exit code."""
    with InitProbe() as probe:
        total, problem = step(0)
        calls, rets, _ = probe.take()
        if problem or not calls or any(rets):
            print("%s without faults: %s, tunfix_net_init %d calls, %s"
                  % (name, problem, calls, rets))
            return 1
        print("%s: %d fault-injection points, %d namespaces"
              % (name, total, calls))
        injected = bad = tunfix_err = steps = 0
        start = total
        if bisect:
            lo, hi = 1, total
            while lo < hi:
                mid = (lo + hi + 1) // 2
                left, problem = step(mid)
                calls, rets, where = probe.take()
                steps += 1
                injected += left == 0
                bad += bool(problem)
                if problem:
                    print("point %d: %s" % (mid, problem))
                if where in ("before", "inside", "between"):
                    lo = mid
                else:
                    hi = mid - 1
            start = min(total, lo + 2)
            print("%s: the last point before tunfix_net_init returns: %d "
                  "(bisection, %d steps)" % (name, lo, steps))
        for n in range(start, 0, -1):
            if steps >= MAX_STEPS:
                print("%s: stopped after %d steps" % (name, steps))
                break
            left, problem = step(n)
            calls, rets, where = probe.take()
            steps += 1
            injected += left == 0
            failed = [x for x in rets if x]
            tunfix_err += len(failed)
            if problem:
                bad += 1
            print("point %d: fault %s tunfix_net_init, %s%s"
                  % (n, where, ("%d calls, returned %s" % (calls, rets))
                     if calls else "not called",
                     ": " + problem if problem else ""))
            if not calls or where == "before":
                break
        print("%s: tunfix_net_init failed %d times" % (name, tunfix_err))
        rc = summary(name, steps, injected, bad)
        return rc if tunfix_err else 1


# ---------------------------------------------------------------- load
def sweep_load(ko, params):
    """finit_module(KO, PARAMS) failing at each point of tunfix's init in
    turn: either the load fails with an error and nothing of the module
    is left, or it loads whole (every parameter reads back, the init
    namespace has its sysctls with the parameters' values) and unloads."""
    want = dict(p.split("=", 1) for p in params)
    fn = FailNth()
    fd = os.open(ko, os.O_RDONLY)
    arg = " ".join(params).encode()
    errs = {}

    def step(n):
        fn.arm(n or 10**9)
        rc = libc.syscall(SYS_finit_module, fd, arg, 0)
        err = ctypes.get_errno()
        left = fn.disarm()
        what = "loaded" if rc == 0 else errname(err)
        errs[what] = errs.get(what, 0) + 1
        problem = None
        if rc == 0:
            try:
                got = {k: read(PARAMS + k) for k in want}
                sysctls = {k: read(SYSCTL + k) for k in want}
                if got != want or sysctls != want:
                    problem = "loaded, parameters %s, sysctls %s" % (got, sysctls)
            except OSError as e:
                problem = "loaded, but %s" % e
            if libc.syscall(SYS_delete_module, b"tunfix", os.O_NONBLOCK):
                problem = "rmmod: %s" % errname(ctypes.get_errno())
        elif not n:
            problem = "load without faults: %s" % what
        elif loaded() or os.path.exists(SYSCTL):
            problem = "load failed (%s) but the module is there" % what
        return (10**9 - left if not n else left), problem

    rc = backward("load", step)
    print("load outcomes: %s" % ", ".join("%s %d" % kv for kv in sorted(errs.items())))
    return rc


# ---------------------------------------------------------------- netns
def sweep_netns(kv):
    """unshare(CLONE_NEWNET) in a child, failing at each point of tunfix's
    pernet init and after it in turn: unshare fails with an error, or the
    namespace is whole (every knob as the module parameters say, the
    counters there and 0)."""
    want = dict(x.split("=", 1) for x in kv)

    def step(n):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            fn = FailNth()
            fn.arm(n or 10**9)
            rc = libc.unshare(CLONE_NEWNET)
            err = ctypes.get_errno()
            left = fn.disarm()
            if not n:
                left = 10**9 - left
            problem = ""
            if rc == 0:
                try:
                    got = knobs()
                    with open("/proc/net/tunfix") as f:
                        values = f.read().split()[1::2]
                    if any(got.get(k) != v for k, v in want.items()):
                        problem = "made, knobs %s" % got
                    elif not values or values.count("0") != len(values):
                        problem = "made, counters %s" % values
                except OSError as e:
                    problem = "made, but %s" % e
            elif not n:
                problem = "unshare without faults: %s" % errname(err)
            os.write(w, ("%d %s" % (left, problem)).encode())
            os._exit(0)
        os.close(w)
        out = b""
        while True:
            b = os.read(r, 4096)
            if not b:
                break
            out += b
        os.close(r)
        os.waitpid(pid, 0)
        left, _, problem = out.decode().partition(" ")
        if not left:
            return -1, "the child reported nothing"
        return int(left), problem or None

    return backward("netns", step, bisect=True)


# ---------------------------------------------------------------- sysctl
def sweep_sysctl(writes):
    """Each write KNOB=VALUE[|READ] failing at each point in turn: it
    fails with an error and every knob keeps its value, or it succeeds,
    KNOB reads READ (default VALUE) and the others are unchanged.  The old
    value is written back (without faults) after every step."""
    fn = FailNth()
    injected = bad = steps = 0
    for w in writes:
        kv, _, readback = w.partition("|")
        k, v = kv.split("=", 1)
        readback = readback or v
        before = knobs()
        n = 0
        while n < MAX_STEPS:
            n += 1
            steps += 1
            fd = os.open(SYSCTL + k, os.O_WRONLY)
            fn.arm(n)
            try:
                os.write(fd, v.encode())
                err = 0
            except OSError as e:
                err = e.errno
            left = fn.disarm()
            try:
                os.close(fd)
            except OSError:
                pass
            injected += left == 0
            after = knobs()
            want = dict(before)
            if not err:
                want[k] = readback
            if after != want:
                bad += 1
                diff = {x: (want[x], after.get(x)) for x in want if want[x] != after.get(x)}
                print("%s=%s step %d: %s, knobs (want, got) %s"
                      % (k, v, n, errname(err) if err else "ok", diff))
            sysctl_write(k, before[k])
            if knobs() != before:
                bad += 1
                print("%s: could not write back %s" % (k, before[k]))
            if left:
                break
        print("%s=%s: %d steps, the last without a fault" % (k, v, n))
    return summary("sysctl", steps, injected, bad)


# ---------------------------------------------------------------- send
def counters():
    with open("/proc/net/tunfix") as f:
        return {a: int(b) for a, b in (line.split() for line in f)}


def sweep_send(dst, port, tagfile):
    """One UDP broadcast with DF (IP_PMTUDISC_DO) per step, failing at
    each point of sendto() in turn; TAGFILE gets "TAG FAULT SENDTO
    DELTA", DELTA being the counters that changed (name+count,...)."""
    fn = FailNth()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO)  # DF
    addr = (dst, int(port))
    for i in range(3):              # warm up: routes, neighbours
        s.sendto(b"warm-up %d" % i, addr)
    time.sleep(0.5)
    injected = steps = 0
    out = []
    n = 0
    while n < MAX_STEPS:
        n += 1
        steps += 1
        payload = (b"fault-sweep %d " % n).ljust(200, b"x")
        c0 = counters()
        fn.arm(n)
        try:
            s.sendto(payload, addr)
            err = 0
        except OSError as e:
            err = e.errno
        left = fn.disarm()
        injected += left == 0
        c1 = counters()
        delta = ",".join("%s+%d" % (k, c1[k] - c0[k]) for k in c1 if c1[k] != c0[k])
        out.append("%d %s %s %s" % (n, "fault" if left == 0 else "none",
                                    errname(err) if err else "ok", delta or "-"))
        if left:
            break
        time.sleep(0.05)
    with open(tagfile, "w") as f:
        f.write("\n".join(out) + "\n")
    return summary("send", steps, injected, 0)


def check_send(tagfile, pcap_a, pcap_b):
    """The frames of a send sweep as the two bridge ports' far ends saw
    them: A behind the veth port (never changed: the other copy of a
    cloned skb), B behind the gretap port (DF cleared, unless the step
    counted skip_unwritable: then byte for byte as A's copy)."""
    def frames(path):
        got = {}
        for ip in pktlib.ipv4_packets(path):
            ihl = (ip[0] & 15) * 4
            data = ip[ihl + 8:]
            if data.startswith(b"fault-sweep "):
                got[int(data.split()[1])] = ip
        return got

    a, b = frames(pcap_a), frames(pcap_b)
    bad = unwritable = cleared = 0
    for line in open(tagfile).read().splitlines():
        n, fault, res, delta = line.split()
        n = int(n)
        deltas = dict(d.split("+") for d in delta.split(",")) if delta != "-" else {}
        pa, pb = a.get(n), b.get(n)
        problem = None
        if pa is not None and not struct_df(pa):
            problem = "A's copy lost DF: the shared data was written"
        elif "skip_unwritable" in deltas:
            unwritable += 1
            if fault != "fault":
                problem = "skip_unwritable counted without a fault"
            elif pb is None or pa is None:
                problem = "not received (A %s, B %s)" % (pa is not None, pb is not None)
            elif pb != pa:
                problem = "B's copy differs from A's"
        elif "df_cleared_bridge" in deltas:
            cleared += 1
            if pb is None or struct_df(pb):
                problem = "counted as cleared, B got %s" % (
                    "nothing" if pb is None else "it with DF")
        elif pb is not None and struct_df(pb):
            problem = "B got it with DF, nothing counted"
        if problem:
            bad += 1
        print("step %d: %s, sendto %s, counters %s, A %s, B %s%s"
              % (n, "fault injected" if fault == "fault" else "no fault",
                 res, delta,
                 "-" if pa is None else ("DF" if struct_df(pa) else "no DF"),
                 "-" if pb is None else ("DF" if struct_df(pb) else "no DF"),
                 ": " + problem if problem else ""))
    print("send: %d copies refused by a fault and passed unchanged, "
          "%d DF cleared, inconsistent: %d" % (unwritable, cleared, bad))
    return 1 if bad or not unwritable or not cleared else 0


def struct_df(ip):
    return bool(int.from_bytes(ip[6:8], "big") & pktlib.IP_DF)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "load":
        return sweep_load(args[0], args[1:])
    if cmd == "netns":
        return sweep_netns(args)
    if cmd == "sysctl":
        return sweep_sysctl(args)
    if cmd == "send":
        return sweep_send(*args)
    if cmd == "check-send":
        return check_send(*args)
    sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    sys.exit(main())
