# SPDX-License-Identifier: GPL-2.0
"""Shared by the test tools: IPv4 headers and their checksum, sending
packets from raw and packet sockets, pcap readers.

Plain Python, no scapy: it has to be quick in an emulated guest.
"""
import socket
import struct
import time

LINKTYPE_ETHERNET = 1
LINKTYPE_LINUX_SLL = 113
LINKTYPE_NFLOG = 239
# enum nfulnl_attr_type (include/uapi/linux/netfilter/nfnetlink_log.h)
NFULA_MARK = 2
NFULA_IFINDEX_OUTDEV = 5
NFULA_PAYLOAD = 9
ETH_P_IP = 0x0800
ETH_P_8021Q = 0x8100
IP_DF, IP_MF = 0x4000, 0x2000
# the Ethernet frames of send_eth: broadcast, from a locally administered address
ETH_BCAST = b"\xff" * 6
ETH_SRC = b"\x02\x00\x00\x00\x00\x01"
ETH_ZLEN = 60


def csum(b):
    """The Internet checksum of b (0 over a header with a valid one)."""
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def iphdr(proto, payload_len, frag=0, ihl=5, ipid=0, src="0.0.0.0",
          dst="0.0.0.0", tot_len=None, options=b"", version=4, check=None):
    """An IPv4 header (RFC 791) of ihl 32-bit words for payload_len bytes
    of payload, TTL 64.  frag is the 16-bit flags and fragment offset
    field; tot_len defaults to ihl * 4 + payload_len; check to the correct
    checksum.  Fields too big for theirs are cut to fit."""
    if tot_len is None:
        tot_len = ihl * 4 + payload_len
    h = struct.pack("!BBHHHBBH4s4s", ((version & 15) << 4) | (ihl & 15), 0,
                    tot_len & 0xFFFF, ipid & 0xFFFF, frag & 0xFFFF, 64, proto,
                    0, socket.inet_aton(src), socket.inet_aton(dst)) + options
    if check is None:
        check = csum(h)
    return h[:10] + struct.pack("!H", check) + h[12:]


def send_ip(dst, pkts, gap):
    """Send each IPv4 packet of pkts (bytes, header included) to dst from
    a raw socket with IP_HDRINCL, gap seconds apart.  The kernel fills in
    a zero source address, ID and total length and the checksum
    (raw(7)).  Returns the number of packets it refused; each refusal
    (an OSError: EINVAL, EMSGSIZE...) is printed."""
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    refused = 0
    for n, pkt in enumerate(pkts):
        try:
            s.sendto(pkt, (dst, 0))
        except OSError as e:
            print("send_ip: packet %d refused: %s" % (n, e))
            refused += 1
        time.sleep(gap)
    s.close()
    return refused


def send_eth(iface, pkts, gap):
    """Send each IPv4 packet of pkts in an Ethernet broadcast frame from
    ETH_SRC, padded to the 60-byte minimum, out of iface from a packet
    socket, gap seconds apart: nothing checks or changes the packets on
    the way out.  Raises OSError if the kernel refuses one."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    for pkt in pkts:
        frame = ETH_BCAST + ETH_SRC + struct.pack("!H", ETH_P_IP) + pkt
        s.send(frame + b"\0" * (ETH_ZLEN - len(frame)))
        time.sleep(gap)
    s.close()


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
