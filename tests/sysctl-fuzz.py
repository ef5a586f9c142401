#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Fuzz the net.tunfix sysctls of the current network namespace.

usage: sysctl-fuzz.py COUNT [SEED]

Writes COUNT random values (random strings, huge, negative and odd
numbers, embedded NULs, partial writes in several write() calls, writes at
an offset) to random knobs.  Every write that fails must leave the knob as
it was; every write that succeeds must read back as a valid value of the
knob's type.  At the end every knob gets its value from before the fuzzing
back, and must read back as that value.  The knobs and their types come
from `tunfixctl -j --list-knobs` ($TUNFIXCTL, default tools/tunfixctl).
Prints counts, the knobs it put back and the first problems; exits 1 if
there were any.
"""
import errno
import json
import os
import random
import re
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SYSCTL = "/proc/sys/net/tunfix/"


def knobs():
    tool = os.environ.get("TUNFIXCTL", os.path.join(ROOT, "tools/tunfixctl"))
    out = subprocess.run([tool, "-j", "--list-knobs"], check=True,
                         capture_output=True, text=True).stdout
    return {k["name"]: (k["type"], k["min"], k["max"]) for k in json.loads(out)}


def valid_readback(kind, lo, hi, s):
    if kind in ("bool", "u32"):
        return re.fullmatch(r"[0-9]+", s) is not None and lo <= int(s) <= hi
    if kind == "hex":
        return re.fullmatch(r"0x[0-9a-f]+", s) is not None and lo <= int(s, 16) <= hi
    if kind == "protos":
        if s == "":
            return True
        nums = [int(x) for x in s.split(",")]
        return nums == sorted(set(nums)) and all(1 <= n <= 255 and n != 51 for n in nums)
    if kind == "ports":
        if s == "":
            return True
        nums = [int(x) for x in s.split(",")]
        return nums == sorted(set(nums)) and len(nums) <= 16 and \
            all(1 <= n <= 65535 for n in nums)
    if kind == "ifname":
        return len(s) < 16 and "/" not in s and ":" not in s and \
            all(0x21 <= ord(c) <= 0x7e for c in s) and s not in (".", "..")
    return False


def candidates(rng, kind):
    nums = ["0", "1", "2", "-1", "4294967295", "4294967296", "65535", "65536",
            "0x800", "0xffffffff", "0x1ffffffff", "+5", "010", "08", "0x",
            "1e3", " 1", "1 ", "99999999999999999999999", "-0", "0b1"]
    junk = ["", "\n", "\n\n", "abc", "\x00", "1\x001", "é", "1,2", "47,51",
            "47,,50", ",", "47 50", "256", "x" * 200, "a/b", "..", "eth0",
            "gt0", "ipsec0", "a" * 15, "a" * 16, "47;50"]
    r = rng.random()
    if r < 0.4:
        return rng.choice(nums)
    if r < 0.7:
        return rng.choice(junk)
    n = rng.randint(0, 40)
    return "".join(chr(rng.randint(1, 127)) for _ in range(n))


def read(name):
    with open(SYSCTL + name) as f:
        return f.read().rstrip("\n")


def main():
    count = int(sys.argv[1])
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    rng = random.Random(seed)
    ks = knobs()
    names = sorted(ks)
    stats = {"writes": 0, "accepted": 0, "rejected": 0, "partial": 0,
             "offset": 0}
    problems = []
    saved = {name: read(name) for name in names}
    for _ in range(count):
        name = rng.choice(names)
        kind, lo, hi = ks[name]
        before = read(name)
        value = candidates(rng, kind).encode("utf-8", "replace")
        mode = rng.random()
        err = None
        fd = os.open(SYSCTL + name, os.O_WRONLY)
        try:
            if mode < 0.1 and len(value) > 1:
                stats["partial"] += 1
                cut = rng.randint(1, len(value) - 1)
                os.write(fd, value[:cut])
                before = read(name)  # the first part may have been valid
                os.write(fd, value[cut:])
            elif mode < 0.2:
                stats["offset"] += 1
                os.lseek(fd, rng.randint(1, 8), os.SEEK_SET)
                os.write(fd, value)
            else:
                os.write(fd, value)
        except OSError as e:
            err = e.errno
        finally:
            os.close(fd)
        stats["writes"] += 1
        after = read(name)
        if err is None:
            stats["accepted"] += 1
            if mode < 0.2 and len(value) > 1:
                problems.append("%s: partial/offset write %r accepted" % (name, value))
            if not valid_readback(kind, lo, hi, after):
                problems.append("%s: accepted %r, reads back invalid %r" %
                                (name, value, after))
        else:
            stats["rejected"] += 1
            if err != errno.EINVAL:
                problems.append("%s: %r failed with %s, not EINVAL" %
                                (name, value, errno.errorcode.get(err, err)))
            if after != before:
                problems.append("%s: rejected %r changed %r -> %r" %
                                (name, value, before, after))
    changed = [name for name in names if read(name) != saved[name]]
    for name in names:
        try:
            with open(SYSCTL + name, "w") as f:
                f.write(saved[name] + "\n")
        except OSError as e:
            problems.append("%s: restoring %r failed with %s" %
                            (name, saved[name],
                             errno.errorcode.get(e.errno, e.errno)))
        if read(name) != saved[name]:
            problems.append("%s: restored %r, reads back %r" %
                            (name, saved[name], read(name)))
    print("sysctl-fuzz: %d writes (%d accepted, %d rejected; %d partial, "
          "%d at an offset), %d problems" %
          (stats["writes"], stats["accepted"], stats["rejected"],
           stats["partial"], stats["offset"], len(problems)))
    print("sysctl-fuzz: put back %d knobs it had changed: %s" %
          (len(changed), " ".join("%s=%s" % (n, saved[n]) for n in changed)))
    for p in problems[:20]:
        print("sysctl-fuzz: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
