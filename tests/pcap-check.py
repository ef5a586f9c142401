#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check the outer IPv4 headers of tunnel packets in a pcap capture.

usage: pcap-check.py FILE [--proto N]... [--forbid-proto N]... [--src ADDR]
                          [--expect-fragments] [--expect-df] [--min-packets N]
                          [--max-len N]

Looks at every IPv4 packet whose protocol is one of --proto (default 47
and 50) and checks:
  - the header checksum is valid;
  - DF is clear (or set, with --expect-df);
  - the IP ID is not 0 (unless --expect-df: then IDs are not checked);
  - no IP ID is used by two different datagrams of the same
    (source, destination, protocol): fragments of one datagram share an
    ID, but never the same fragment offset;
  - with --expect-fragments, at least one fragment is present;
  - with --max-len, no packet is longer than N bytes (IP total length,
    read from the header: a capture cut with tcpdump -s still has it);
  - no packet of a --forbid-proto protocol is present.
Prints a summary line and every violation; exits 0 if all hold, 1 if not.
Plain Python, no scapy: it has to be quick in an emulated guest.
"""
import argparse
import socket
import struct
import sys

from pktlib import csum, ipv4_packets



def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pcap")
    ap.add_argument("--proto", type=int, action="append")
    ap.add_argument("--forbid-proto", type=int, action="append", default=[])
    ap.add_argument("--expect-fragments", action="store_true")
    ap.add_argument("--expect-df", action="store_true")
    ap.add_argument("--min-packets", type=int, default=1)
    ap.add_argument("--max-len", type=int)
    ap.add_argument("--src", help="only packets from this source address")
    args = ap.parse_args()
    protos = set(args.proto or [47, 50])

    errors = []
    seen = {}  # (src, dst, proto, id) -> set of fragment offsets
    n = frags = forbidden = longest = 0
    for ip in ipv4_packets(args.pcap):
        if len(ip) < 20 or ip[0] >> 4 != 4:
            continue
        ihl = (ip[0] & 0x0F) * 4
        proto = ip[9]
        if proto in args.forbid_proto:
            forbidden += 1
            continue
        if proto not in protos:
            continue
        if args.src and ip[12:16] != socket.inet_aton(args.src):
            continue
        n += 1
        totlen, ipid, frag = struct.unpack("!HHH", ip[2:8])
        longest = max(longest, totlen)
        src, dst = ip[12:16], ip[16:20]
        what = "%s>%s proto %d id %d" % (".".join(map(str, src)),
                                         ".".join(map(str, dst)), proto, ipid)
        if ihl < 20 or len(ip) < ihl or csum(ip[:ihl]) != 0:
            errors.append("bad header checksum: " + what)
        if args.max_len is not None and totlen > args.max_len:
            errors.append("%d bytes (> %d): %s" % (totlen, args.max_len, what))
        df = bool(frag & 0x4000)
        mf, offset = bool(frag & 0x2000), frag & 0x1FFF
        if df != args.expect_df:
            errors.append("DF %s: %s" % ("clear" if args.expect_df else "set", what))
        if args.expect_df:
            continue
        if ipid == 0:
            errors.append("IP ID 0: " + what)
        if mf or offset:
            frags += 1
        key = (src, dst, proto, ipid)
        offsets = seen.setdefault(key, set())
        if offset in offsets:
            errors.append("IP ID reused by another datagram: " + what)
        offsets.add(offset)

    if n < args.min_packets:
        errors.append("only %d packets of protocols %s (want >= %d)" %
                      (n, sorted(protos), args.min_packets))
    if args.expect_fragments and not frags:
        errors.append("no fragments in the capture")
    if forbidden:
        errors.append("%d packets of forbidden protocols %s" %
                      (forbidden, args.forbid_proto))
    print("pcap-check: %d packets, %d fragments, %d datagram IDs, "
          "largest %d bytes, %d errors" %
          (n, frags, len(seen), longest, len(errors)))
    for e in errors[:20]:
        print("pcap-check: " + e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
