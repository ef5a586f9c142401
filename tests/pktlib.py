# SPDX-License-Identifier: GPL-2.0
"""Shared by the test tools: the IPv4 header checksum and pcap readers.

Plain Python, no scapy: it has to be quick in an emulated guest.
"""
import struct

LINKTYPE_ETHERNET = 1
LINKTYPE_LINUX_SLL = 113
LINKTYPE_NFLOG = 239
# enum nfulnl_attr_type (include/uapi/linux/netfilter/nfnetlink_log.h)
NFULA_MARK = 2
NFULA_IFINDEX_OUTDEV = 5
NFULA_PAYLOAD = 9
ETH_P_IP = 0x0800
ETH_P_8021Q = 0x8100


def csum(b):
    """The Internet checksum of b (0 over a header with a valid one)."""
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def pcap_records(path):
    """Yield (linktype, frame) for each record of a pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError("%s: not a pcap file" % path)
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        raise ValueError("%s: not a pcap file (pcapng is not supported)" % path)
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        yield linktype, data[off + 16:off + 16 + caplen]
        off += 16 + caplen


def nflog_packets(path):
    """Yield (payload, outdev ifindex or 0, mark) for each record of a pcap
    file captured on an nflog:GROUP interface (LINKTYPE_NFLOG: a 4-byte
    header, then TLVs with host-endian length and type, padded to 4 bytes,
    holding the netlink attributes in network byte order)."""
    for linktype, frame in pcap_records(path):
        if linktype != LINKTYPE_NFLOG:
            raise ValueError("%s: not an NFLOG capture" % path)
        off, attrs = 4, {}
        while off + 4 <= len(frame):
            length, kind = struct.unpack("=HH", frame[off:off + 4])
            if length < 4:
                break
            attrs[kind] = frame[off + 4:off + length]
            off += (length + 3) & ~3
        if NFULA_PAYLOAD not in attrs:
            continue
        outdev = attrs.get(NFULA_IFINDEX_OUTDEV, b"\0" * 4)
        mark = attrs.get(NFULA_MARK, b"\0" * 4)
        yield (attrs[NFULA_PAYLOAD], struct.unpack("!I", outdev[:4])[0],
               struct.unpack("!I", mark[:4])[0])


def ipv4_packets(path):
    """Yield the IPv4 packets (from the IP header on) of a pcap file with
    Ethernet (VLAN tags skipped) or Linux cooked (SLL) frames."""
    for linktype, frame in pcap_records(path):
        if linktype == LINKTYPE_ETHERNET:
            if len(frame) < 14:
                continue
            l3, ethertype = 14, struct.unpack("!H", frame[12:14])[0]
            while ethertype == ETH_P_8021Q and len(frame) >= l3 + 4:
                ethertype = struct.unpack("!H", frame[l3 + 2:l3 + 4])[0]
                l3 += 4
        elif linktype == LINKTYPE_LINUX_SLL:
            if len(frame) < 16:
                continue
            l3, ethertype = 16, struct.unpack("!H", frame[14:16])[0]
        else:
            raise ValueError("unsupported link type %d" % linktype)
        if ethertype == ETH_P_IP:
            yield frame[l3:]
