#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check the outer IPv4 headers of tunnel packets in a pcap capture.

usage: pcap-check.py FILE [--proto N]... [--forbid-proto N]... [--src ADDR]
                          [--expect-fragments] [--expect-df] [--min-packets N]
                          [--max-len N] [--kernel-ids | --random-ids]

Looks at every IPv4 packet whose protocol is one of --proto (default 47
and 50) and checks:
  - the header checksum is valid;
  - DF is clear (or set, with --expect-df);
  - the IP ID is not 0 (unless --expect-df: then IDs are not checked):
    tunfix never writes 0 (tunfix_select_ident()).  With --kernel-ids
    (IDs the kernel wrote, such as those of a tunnel-mode SA's outer
    header, which copies the DF tunfix cleared on the inner packet), a 0
    passes where the kernel's generator wrapped: see after_wrap();
  - no IP ID is used by two different datagrams of the same
    (source, destination, protocol): fragments of one datagram share an
    ID, but never the same fragment offset;
  - with --random-ids (IDs drawn at random, as the benchmark's nft rule
    writes them: 40 of them repeat one in 80 runs), instead of the two
    checks above: at most one datagram has ID 0, and the datagrams have
    at least half as many IDs as there are of them;
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

# The kernel's IP ID generator (ip_idents_reserve(), net/ipv4/route.c)
# keeps a counter per bucket of (destination, source, protocol): it steps
# by a datagram's segments plus a random jump below the jiffies since the
# bucket's last use, and passes through 0 once in 65536 IDs, so a capture
# of thousands of datagrams holds a 0 every few runs.  ID_WRAP: how close
# to 65535 the ID before such a 0 is, within one flow.
ID_WRAP = 1024


def after_wrap(prev):
    """True if an ID 0 right after PREV (the ID of the same flow's
    datagram before it, None if none) is the kernel's generator wrapping:
    PREV within ID_WRAP of 65535.  The 0 that a missing write leaves
    (Linux gives DF packets ID 0) follows any ID."""
    return prev is not None and prev >= 65536 - ID_WRAP


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pcap")
    ap.add_argument("--proto", type=int, action="append")
    ap.add_argument("--forbid-proto", type=int, action="append", default=[])
    ap.add_argument("--expect-fragments", action="store_true")
    ap.add_argument("--expect-df", action="store_true")
    ap.add_argument("--min-packets", type=int, default=1)
    ap.add_argument("--max-len", type=int)
    ids = ap.add_mutually_exclusive_group()
    ids.add_argument("--kernel-ids", action="store_true")
    ids.add_argument("--random-ids", action="store_true")
    ap.add_argument("--src", help="only packets from this source address")
    args = ap.parse_args()
    protos = set(args.proto or [47, 50])

    errors = []
    seen = {}  # (src, dst, proto, id) -> set of fragment offsets
    last = {}  # (src, dst, proto) -> the ID of its last new datagram
    wrapped = set()  # --kernel-ids: keys of ID 0 datagrams after a wrap
    heads = []  # --random-ids: the ID of each datagram (offset 0)
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
        if mf or offset:
            frags += 1
        if args.random_ids:
            if not offset:
                heads.append(ipid)
            continue
        key = (src, dst, proto, ipid)
        if key not in seen:
            prev = last.get(key[:3])
            last[key[:3]] = ipid
            if ipid == 0 and args.kernel_ids and after_wrap(prev):
                wrapped.add(key)
        if ipid == 0 and key not in wrapped:
            errors.append("IP ID 0: " + what)
        offsets = seen.setdefault(key, set())
        if offset in offsets:
            errors.append("IP ID reused by another datagram: " + what)
        offsets.add(offset)

    if n < args.min_packets:
        errors.append("only %d packets of protocols %s (want >= %d)" %
                      (n, sorted(protos), args.min_packets))
    if args.expect_fragments and not frags:
        errors.append("no fragments in the capture")
    if args.random_ids and (heads.count(0) > 1 or
                            len(set(heads)) * 2 < len(heads)):
        errors.append("random IDs: %d datagrams, %d with ID 0, %d IDs" %
                      (len(heads), heads.count(0), len(set(heads))))
    if forbidden:
        errors.append("%d packets of forbidden protocols %s" %
                      (forbidden, args.forbid_proto))
    print("pcap-check: %d packets, %d fragments, %d datagram IDs, "
          "largest %d bytes, %d errors" %
          (n, frags, len(set(heads)) if args.random_ids else len(seen),
           longest, len(errors)))
    for e in errors[:20]:
        print("pcap-check: " + e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
