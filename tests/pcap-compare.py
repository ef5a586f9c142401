#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare the IPv4 packets of two captures of the same traffic: one taken
before tunfix's hooks (an NFLOG group logged at a higher priority), one
after (on the wire).

usage: pcap-compare.py BEFORE AFTER --dst ADDR [--proto N] [--min-packets N]
                       (--identical | --df-cleared)

Takes, from each file, the packets of protocol --proto (default 47) to
--dst, in order, and pairs them up: there must be as many after as before,
at least --min-packets.  --identical: each pair is byte for byte the same
(over the shorter of the two captured lengths).  --df-cleared: each pair
differs only in DF (set before, clear after), the IP ID (changed, not 0)
and the header checksum (valid after).
Prints a summary line and every difference; exits 0 if all hold, 1 if not.
"""
import argparse
import socket
import struct
import sys

from pktlib import LINKTYPE_NFLOG, csum, ipv4_packets, nflog_packets, pcap_records

IP_DF = 0x4000


def packets(path, proto, dst):
    first = next(pcap_records(path), (None, b""))[0]
    if first == LINKTYPE_NFLOG:
        pkts = (p for p, _, _ in nflog_packets(path))
    else:
        pkts = ipv4_packets(path)
    return [p for p in pkts if len(p) >= 20 and p[0] >> 4 == 4 and
            p[9] == proto and p[16:20] == dst]


def differences(b, a, mode):
    n = min(len(a), len(b))
    if mode == "identical":
        return [] if a[:n] == b[:n] else ["bytes differ"]
    errs = []
    ihl = (a[0] & 0x0F) * 4
    # everything but id (4-5), frag_off (6-7) and checksum (10-11)
    if a[:4] + a[8:10] + a[12:n] != b[:4] + b[8:10] + b[12:n]:
        errs.append("bytes other than DF, ID and checksum differ")
    fb, fa = struct.unpack("!H", b[6:8])[0], struct.unpack("!H", a[6:8])[0]
    if not fb & IP_DF or fa != fb & ~IP_DF:
        errs.append("frag_off %#06x -> %#06x, want DF cleared only" % (fb, fa))
    if a[4:6] == b[4:6] or a[4:6] == b"\0\0":
        errs.append("ID %d -> %d, want a new non-zero one" % (
            struct.unpack("!H", b[4:6])[0], struct.unpack("!H", a[4:6])[0]))
    if csum(a[:ihl]):
        errs.append("bad header checksum after")
    return errs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--dst", required=True)
    ap.add_argument("--proto", type=int, default=47)
    ap.add_argument("--min-packets", type=int, default=1)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--identical", dest="mode", action="store_const", const="identical")
    mode.add_argument("--df-cleared", dest="mode", action="store_const", const="df-cleared")
    args = ap.parse_args()
    dst = socket.inet_aton(args.dst)

    before = packets(args.before, args.proto, dst)
    after = packets(args.after, args.proto, dst)
    errors = []
    if len(before) != len(after) or len(before) < args.min_packets:
        errors.append("%d packets before, %d after (want equal, >= %d)" % (
            len(before), len(after), args.min_packets))
    for i, (b, a) in enumerate(zip(before, after)):
        errors += ["packet %d: %s" % (i, e) for e in differences(b, a, args.mode)]
    print("pcap-compare: %d packets proto %d to %s, %s: %d errors" % (
        len(after), args.proto, args.dst, args.mode, len(errors)))
    for e in errors:
        print("  " + e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
