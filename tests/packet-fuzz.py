#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Random and mutated IPv4 packets through the tunfix hooks.

  packet-fuzz.py send-ip DST COUNT SEED     raw socket (IP_HDRINCL)
  packet-fuzz.py send-eth IFACE COUNT SEED  packet socket, broadcast frames
  packet-fuzz.py compare ip|eth OFF ON COUNT SEED

The same SEED makes the same packets.  Each run is captured once with
tunfix off and once on; compare checks every packet against what tunfix is
meant to do (an independent model of its rules): a packet it must fix
differs only in DF (cleared), IP ID (new, non-zero) and a valid header
checksum; every other packet is byte-identical; a packet is present in both
captures or in neither (the IP stack may drop a malformed one, tunfix must
not).  GRE, ESP, AH, UDP 67->68, UDP 4500 and TCP, with options, fragments,
DF or not, odd lengths, bad IHL, version, total length and checksum.
"""
import random
import socket
import struct
import sys

import pktlib
from pktlib import IP_DF as DF, IP_MF as MF, csum, iphdr, ipv4_packets

TAGFMT = b"F%05d"
FIXED_PROTOS = (47, 50)  # df_protocols default; df_udp_ports empty


def make(i, rng, eth, src, dst):
    """Packet i: (ip bytes, id marker)."""
    proto = rng.choice([47, 47, 50, 50, 51, 17, 17, 6, 1])
    payload = TAGFMT % i + bytes(rng.getrandbits(8) for _ in range(rng.choice([2, 10, 50, 300, 1200])))
    if proto == 17:
        sport, dport = rng.choice([(67, 68), (4500, 4500), (40000, 9)])
        if (sport, dport) == (67, 68) and rng.random() < 0.5:
            # a well-formed BOOTREPLY with the DHCP magic cookie
            payload = b"\x02\x01\x06\x00" + bytes(232) + \
                b"\x63\x82\x53\x63" + payload
        ulen = len(payload) + 8 if rng.random() < 0.8 else rng.randint(0, 2000)
        payload = struct.pack("!HHHH", sport, dport, ulen, 0) + payload
    if rng.random() < 0.1:
        payload = payload[:rng.randint(0, 7)]
    ihl = 5
    options = b""
    if rng.random() < 0.15:
        options = b"\x01" * 4 * rng.randint(1, 2)
        ihl += len(options) // 4
    frag = DF if rng.random() < 0.7 else 0
    r = rng.random()
    if r < 0.1:
        frag |= MF
    elif r < 0.15:
        frag |= rng.randint(1, 100)
    ipid = 0x4000 + i
    tot_len = ihl * 4 + len(payload)
    version = 4
    bad_csum = False
    if eth:
        r = rng.random()
        if r < 0.05:
            ihl = rng.choice([0, 3, 4, 15])
        elif r < 0.1:
            tot_len = rng.randint(0, 3000)
        elif r < 0.13:
            version = rng.choice([0, 6, 15])
        elif r < 0.2:
            bad_csum = True
    hdr = iphdr(proto, len(payload), frag, ihl, ipid, src, dst, tot_len,
                options, version)
    if bad_csum:
        c = struct.unpack("!H", hdr[10:12])[0] ^ 0x5A5A
        hdr = hdr[:10] + struct.pack("!H", c) + hdr[12:]
    pkt = hdr + payload
    if eth and rng.random() < 0.05:
        pkt = pkt[:rng.randint(1, 19)]
    return pkt, ipid


def packets(count, seed, eth, dst="192.0.2.2"):
    rng = random.Random(seed)
    src = "192.0.2.1" if eth else "0.0.0.0"
    return [make(i, rng, eth, src, dst) for i in range(count)]


def expect_fix(ip, eth, frame_len):
    """Independent model of tunfix's rules for a packet as it passes."""
    if len(ip) < 20:
        return False
    ver, ihl = ip[0] >> 4, (ip[0] & 15) * 4
    tot_len, frag, proto = struct.unpack("!H", ip[2:4])[0], \
        struct.unpack("!H", ip[6:8])[0], ip[9]
    length = max(frame_len, len(ip))
    if proto == 51 or (not eth and proto not in FIXED_PROTOS):
        return False
    if ver != 4 or ihl < 20 or ihl > length or tot_len > length or \
       tot_len < ihl + 8:
        return False
    if ihl > 20:
        return False
    if eth and csum(ip[:20]) != 0:
        return False
    if frag & (MF | 0x1FFF) or not frag & DF:
        return False
    return True


def send_ip_fuzz(dst, count, seed):
    refused = pktlib.send_ip(dst, [p for p, _ in packets(count, seed, False, dst)],
                             0.002)
    # the same packets are refused with tunfix off and on: compare counts
    # them among those "dropped by the stack in both runs"
    print("sent %d of %d" % (count - refused, count))
    return 0


def send_eth_fuzz(iface, count, seed):
    pktlib.send_eth(iface, [p for p, _ in packets(count, seed, True)], 0.002)
    print("sent %d" % count)
    return 0


def index(path, pkts, src):
    """Captured packets by number: by tag, else by the marker ID.  Only
    packets from src count (not, say, ICMP errors quoting them)."""
    found = {}
    src = socket.inet_aton(src)
    for ip in ipv4_packets(path):
        if len(ip) >= 16 and ip[12:16] != src:
            continue
        j = ip.find(b"F", 20)
        n = None
        while j != -1 and j + 6 <= len(ip):
            t = ip[j:j + 6]
            if t[1:].isdigit():
                n = int(t[1:])
                if n < len(pkts) and TAGFMT % n == t:
                    break
                n = None
            j = ip.find(b"F", j + 1)
        if n is None and len(ip) >= 6:
            m = struct.unpack("!H", ip[4:6])[0] - 0x4000
            if 0 <= m < len(pkts):
                n = m
        if n is not None and n not in found:
            found[n] = ip
    return found


def compare(kind, off_path, on_path, count, seed):
    eth = kind == "eth"
    pkts = packets(count, seed, eth)
    src = "192.0.2.1" if eth else "198.51.100.1"
    off, on = index(off_path, pkts, src), index(on_path, pkts, src)
    fixed = kept = gone = 0
    bad = []
    for n, (pkt, _) in enumerate(pkts):
        a, b = off.get(n), on.get(n)
        if a is None and b is None:
            gone += 1
            continue
        if b is None and a is not None and expect_fix(a, eth, 46):
            # fixed, so its marker ID is gone, and its tag was cut off:
            # look for the same packet with only DF, ID and checksum changed
            want = a[:4] + a[8:10] + a[12:]
            b = next((x for x in ipv4_packets(on_path)
                      if len(x) == len(a) and x[:4] + x[8:10] + x[12:] == want),
                     None)
        if a is None or b is None:
            bad.append("packet %d present only with tunfix %s" % (n, "on" if a is None else "off"))
            continue
        if expect_fix(a, eth, 46):
            fa = struct.unpack("!H", a[6:8])[0]
            fb = struct.unpack("!H", b[6:8])[0]
            ok = (a[:4] + a[8:10] + a[12:] == b[:4] + b[8:10] + b[12:] and
                  fb == fa & ~DF and b[4:6] != b"\0\0" and csum(b[:20]) == 0)
            fixed += ok
            if not ok:
                bad.append("packet %d should be fixed: off %s on %s" % (n, a[:20].hex(), b[:20].hex()))
        else:
            kept += a == b
            if a != b:
                bad.append("packet %d changed: off %s on %s" % (n, a[:24].hex(), b[:24].hex()))
    print("packet-fuzz %s: %d packets, %d fixed as expected, %d identical, "
          "%d dropped by the stack in both runs, %d problems" %
          (kind, count, fixed, kept, gone, len(bad)))
    for line in bad[:15]:
        print("packet-fuzz: " + line)
    return 1 if bad or fixed == 0 else 0


def main():
    a = sys.argv[1:]
    if len(a) == 4 and a[0] == "send-ip":
        return send_ip_fuzz(a[1], int(a[2]), int(a[3]))
    if len(a) == 4 and a[0] == "send-eth":
        return send_eth_fuzz(a[1], int(a[2]), int(a[3]))
    if len(a) == 6 and a[0] == "compare":
        return compare(a[1], a[2], a[3], int(a[4]), int(a[5]))
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
