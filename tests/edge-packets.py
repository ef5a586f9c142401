#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Odd and malformed packets for the DF/ID hooks, and a capture comparer.

  edge-packets.py send-ip DST      send the IP-level cases through a raw
                                   socket (IP_HDRINCL) towards DST
  edge-packets.py send-eth IFACE   send the Ethernet-level cases (broadcast
                                   frames) out of IFACE with a packet socket
  edge-packets.py wait PCAP ip|eth  wait until a capture holds the last case
  edge-packets.py compare OFF ON ip|eth [CASE...]
                                   compare two captures of the same cases,
                                   sent once with tunfix off and once on:
                                   cases marked "fix" and the named CASEs
                                   must differ only in DF (cleared), IP ID
                                   and header checksum; every other case
                                   must be byte-identical, and every case
                                   must be present in both.

Every case carries a tag "TFX<n>" in its payload (except those too short to
hold one), so it is found again in a capture.
"""
import functools
import struct
import sys
import time

import pktlib
from pktlib import IP_DF as DF, IP_MF as MF, csum, ipv4_packets



# the cases' headers: DF unless they say otherwise
iphdr = functools.partial(pktlib.iphdr, frag=DF, ipid=0x1234)


def tag(n, size):
    t = b"TFX%03d" % n
    return t + bytes((n + i) & 0xFF for i in range(max(0, size - len(t))))


# (name, expectation, builder(n, src, dst) -> IP packet bytes)
IP_CASES = [
    ("gre-df", "fix", lambda n, s, d: iphdr(47, 104, src=s, dst=d) +
     b"\0\0\x65\x58" + tag(n, 100)),
    ("esp-df", "fix", lambda n, s, d: iphdr(50, 108, src=s, dst=d) +
     struct.pack("!II", 0x1000, n) + tag(n, 100)),
    ("gre-nodf", "keep", lambda n, s, d: iphdr(47, 104, frag=0, src=s, dst=d) +
     b"\0\0\x65\x58" + tag(n, 100)),
    ("gre-options-df", "keep", lambda n, s, d:
     iphdr(47, 104, ihl=6, options=b"\x01\x01\x01\x00", src=s, dst=d) +
     b"\0\0\x65\x58" + tag(n, 100)),
    ("gre-first-fragment-df", "keep", lambda n, s, d:
     iphdr(47, 104, frag=DF | MF, src=s, dst=d) + b"\0\0\x65\x58" + tag(n, 100)),
    ("gre-later-fragment-df", "keep", lambda n, s, d:
     iphdr(47, 104, frag=DF | 20, src=s, dst=d) + tag(n, 104)),
    ("ah-df", "keep", lambda n, s, d: iphdr(51, 108, src=s, dst=d) +
     struct.pack("!BBHII", 4, 4, 0, 0x2000, n) + tag(n, 96)),
    ("gre-zero-length-df", "keep", lambda n, s, d: iphdr(47, 0, src=s, dst=d)),
    ("gre-header-only-df", "keep", lambda n, s, d: iphdr(47, 4, src=s, dst=d) +
     b"\0\0\x08\x00"),
    ("udp-4500-df", "keep", lambda n, s, d: iphdr(17, 108, src=s, dst=d) +
     struct.pack("!HHHH", 4500, 4500, 108, 0) + tag(n, 100)),
]


def udp(n, size):
    return struct.pack("!HHHH", 40000, 9, size + 8, 0) + tag(n, size)


S, D = "192.0.2.1", "192.0.2.2"
ETH_CASES = [
    ("eth-udp-df", "fix", lambda n: iphdr(17, 108, src=S, dst=D) + udp(n, 100)),
    ("eth-udp-nodf", "keep", lambda n: iphdr(17, 108, frag=0, src=S, dst=D) +
     udp(n, 100)),
    ("eth-short-header", "keep", lambda n: iphdr(17, 0, src=S, dst=D)[:12]),
    ("eth-ihl-4", "keep", lambda n: iphdr(17, 112, ihl=4, src=S, dst=D) +
     udp(n, 100)),
    ("eth-ihl-beyond-data", "keep", lambda n: iphdr(17, 0, ihl=15, src=S,
                                                    dst=D) + tag(n, 10)),
    ("eth-tot-len-too-big", "keep", lambda n: iphdr(17, 108, tot_len=1400,
                                                    src=S, dst=D) + udp(n, 100)),
    ("eth-bad-checksum-df", "keep", lambda n: iphdr(17, 108, src=S, dst=D,
                                                    check=0xdead) + udp(n, 100)),
    ("eth-version-6-df", "keep", lambda n: iphdr(17, 108, version=6, src=S,
                                                 dst=D) + udp(n, 100)),
    ("eth-ah-df", "keep", lambda n: iphdr(51, 108, src=S, dst=D) +
     struct.pack("!BBHII", 4, 4, 0, 0x2000, n) + tag(n, 96)),
    ("eth-fragment-df", "keep", lambda n: iphdr(17, 108, frag=DF | MF, src=S,
                                                dst=D) + udp(n, 100)),
    ("eth-options-df", "keep", lambda n: iphdr(17, 108, ihl=6, src=S, dst=D,
                                               options=b"\x01\x01\x01\x00") +
     udp(n, 100)),
]


def mark_id(pkt, ipid):
    """Give a case its own IP ID, keeping a valid checksum valid."""
    if len(pkt) < 12:
        return pkt
    ihl = (pkt[0] & 15) * 4
    valid = 20 <= ihl <= len(pkt) and csum(pkt[:ihl]) == 0
    pkt = pkt[:4] + struct.pack("!H", ipid) + pkt[6:]
    if valid:
        pkt = pkt[:10] + b"\0\0" + pkt[12:]
        pkt = pkt[:10] + struct.pack("!H", csum(pkt[:ihl])) + pkt[12:]
    return pkt


def send_ip_cases(dst):
    pkts = [mark_id(build(n, "0.0.0.0", dst), 0x1000 + n)
            for n, (_, _, build) in enumerate(IP_CASES)]
    return 1 if pktlib.send_ip(dst, pkts, 0.05) else 0


def send_eth_cases(iface):
    pkts = [mark_id(build(n), 0x2000 + n)
            for n, (_, _, build) in enumerate(ETH_CASES)]
    pktlib.send_eth(iface, pkts, 0.05)
    return 0


def find(path, cases, kind):
    """Map case index -> captured IP bytes: by tag, else by marker ID."""
    base = 0x1000 if kind == "ip" else 0x2000
    found = {}
    for ip in ipv4_packets(path):
        # an ICMP error quoting a case (e.g. "reassembly time exceeded"
        # for the first fragment, 30 s later on a slow kernel) is not it
        if len(ip) >= 10 and ip[9] == 1:
            continue
        for n in range(len(cases)):
            if n in found:
                continue
            if b"TFX%03d" % n in ip or (len(ip) >= 6 and
                                        struct.unpack("!H", ip[4:6])[0] ==
                                        base + n):
                found[n] = ip
    return found


def compare(off_path, on_path, kind, fixed=()):
    cases = IP_CASES if kind == "ip" else ETH_CASES
    unknown = set(fixed) - {name for name, _, _ in cases}
    if unknown:
        print("no such %s case: %s" % (kind, " ".join(sorted(unknown))))
        return 2
    off, on = find(off_path, cases, kind), find(on_path, cases, kind)
    bad = 0
    for n, (name, expect, _) in enumerate(cases):
        if name in fixed:
            expect = "fix"
        a, b = off.get(n), on.get(n)
        if a is None or b is None:
            print("FAIL %-24s missing from the %s capture" %
                  (name, "off" if a is None else "on"))
            bad += 1
            continue
        if expect == "keep":
            ok = a == b
            why = "identical" if ok else "changed by tunfix"
        else:
            masked_a = a[:4] + a[8:10] + a[12:]
            masked_b = b[:4] + b[8:10] + b[12:]
            fa = struct.unpack("!H", a[6:8])[0]
            fb = struct.unpack("!H", b[6:8])[0]
            ok = (masked_a == masked_b and fa & DF and not fb & DF and
                  fb == fa & ~DF and b[4:6] != b"\0\0" and
                  csum(b[:(b[0] & 15) * 4]) == 0)
            why = "DF cleared, new ID, valid checksum" if ok else \
                "not fixed as expected (off %s, on %s)" % (a[:20].hex(),
                                                           b[:20].hex())
        print("%s %-24s %s" % ("ok  " if ok else "FAIL", name, why))
        bad += not ok
    return 1 if bad else 0


def wait(path, kind, timeout=15.0):
    """Wait until the capture holds the last case (or time is up)."""
    cases = IP_CASES if kind == "ip" else ETH_CASES
    end = time.time() + timeout
    while time.time() < end:
        try:
            if len(cases) - 1 in find(path, cases, kind):
                time.sleep(0.3)
                return 0
        except (OSError, ValueError, struct.error, IndexError):
            pass
        time.sleep(0.2)
    return 1


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "send-ip":
        return send_ip_cases(sys.argv[2])
    if len(sys.argv) == 3 and sys.argv[1] == "send-eth":
        return send_eth_cases(sys.argv[2])
    if len(sys.argv) == 4 and sys.argv[1] == "wait":
        return wait(sys.argv[2], sys.argv[3])
    if len(sys.argv) >= 5 and sys.argv[1] == "compare":
        return compare(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
