#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Packet helpers for the DHCP scenarios (tests/netns/3*.sh).

  dhcp-packets.py summary SERVER CLIENT PCAP...
        For each capture print one line "PCAP key=value ...": cleartext
        DHCP replies (UDP 67 -> 68) and DHCPACKs from SERVER to CLIENT,
        ESP packets from SERVER to CLIENT, cleartext ICMP echo requests
        and other cleartext UDP from SERVER to CLIENT.

  dhcp-packets.py hooks BEFORE AFTER
        BEFORE and AFTER are NFLOG captures of the same DHCP replies, taken
        before tunfix's hook (output, priority raw) and after routing
        (postrouting).  For each reply in BEFORE print one line:
        "type=T dst=IP dev=N,M mark=X,Y bytes=same|changed|missing": its
        DHCP message type, destination, output device index and mark
        before and after, and whether it left byte for byte as sent.

  dhcp-packets.py edge --peer-netns PATH --src IP --dst IP --dev DEV
        Run in the sender's network namespace, with tunfix loaded there and
        an nft set "ip tunfix_t32 marks" that records "ip id . meta mark"
        of every packet to DST in postrouting.  Sends well-formed and
        malformed UDP 67 -> 68 packets through a raw socket (IP_HDRINCL),
        captures them in the peer's namespace (PATH, e.g. /run/netns/B)
        with a packet socket, and checks for each: it arrived byte for
        byte as sent, with the skb mark expected at the sender's
        postrouting; then the tunfix counters and the sysctl validation
        of the DHCP knobs.  Prints "ok TEXT" or "not ok TEXT" per check;
        exits 1 if any check failed.

Plain Python, no scapy: it has to be quick in an emulated guest.
"""
import os
import socket
import struct
import sys

from pktlib import IP_MF, csum, iphdr, ipv4_packets, nflog_packets

# ctypes, errno, json, select, subprocess and time are imported by "edge"
# only: every module costs start-up time in the emulated guest.

CLONE_NEWNET = 0x40000000
SO_MARK = 36
ETH_P_ALL = 0x0003
KNOBS = "/proc/sys/net/tunfix/"


# ---------------------------------------------------------------- summary

def pcap_ipv4(path):
    """Yield the IPv4 packets of a pcap file; nothing if it is empty."""
    try:
        yield from ipv4_packets(path)
    except ValueError:
        return


def dhcp_msg_type(bootp):
    """The DHCP message type (option 53) of a BOOTP payload, or 0."""
    if len(bootp) < 240 or bootp[236:240] != b"\x63\x82\x53\x63":
        return 0
    i = 240
    while i < len(bootp):
        code = bootp[i]
        if code == 255:
            break
        if code == 0:
            i += 1
            continue
        if i + 1 >= len(bootp):
            break
        ln = bootp[i + 1]
        if code == 53 and ln >= 1 and i + 2 < len(bootp):
            return bootp[i + 2]
        i += 2 + ln
    return 0


def summary(server, client, paths):
    srv, cli = socket.inet_aton(server), socket.inet_aton(client)
    for path in paths:
        n = dict(dhcp_clear=0, ack_clear=0, esp=0, icmp_clear=0,
                 udp_other_clear=0)
        for ip in pcap_ipv4(path):
            if len(ip) < 20 or ip[12:16] != srv or ip[16:20] != cli:
                continue
            ihl = (ip[0] & 0x0F) * 4
            proto = ip[9]
            if proto == 50:
                n["esp"] += 1
            elif proto == 1 and len(ip) > ihl and ip[ihl] == 8:
                n["icmp_clear"] += 1
            elif proto == 17 and len(ip) >= ihl + 8:
                sport, dport = struct.unpack("!HH", ip[ihl:ihl + 4])
                if (sport, dport) == (67, 68):
                    n["dhcp_clear"] += 1
                    if dhcp_msg_type(ip[ihl + 8:]) == 5:
                        n["ack_clear"] += 1
                else:
                    n["udp_other_clear"] += 1
        print(path, " ".join("%s=%d" % kv for kv in n.items()))
    return 0


def reply_key(ip):
    """A DHCP reply's identity across hooks: IP ID, destination, xid."""
    ihl = (ip[0] & 0x0F) * 4
    return ip[4:6], ip[16:20], ip[ihl + 12:ihl + 16]


def hooks(before_path, after_path):
    after = {}
    for ip, dev, mark in nflog_packets(after_path):
        after.setdefault(reply_key(ip), (ip, dev, mark))
    for ip, dev, mark in nflog_packets(before_path):
        ihl = (ip[0] & 0x0F) * 4
        a_ip, a_dev, a_mark = after.get(reply_key(ip), (None, 0, 0))
        if a_ip is None:
            verdict = "missing"
        else:
            verdict = "same" if a_ip == ip else "changed"
        print("type=%d dst=%s dev=%d,%d mark=%#x,%#x bytes=%s" % (
            dhcp_msg_type(ip[ihl + 8:]), socket.inet_ntoa(ip[16:20]), dev,
            a_dev, mark, a_mark, verdict))
    return 0


# ------------------------------------------------------------------- edge

def bootp(op=2, cookie=True, size=300):
    b = struct.pack("!BBBBIHH4s4s4s4s", op, 1, 6, 0, 0x7466780a, 0, 0,
                    b"\0" * 4, socket.inet_aton("192.0.2.2"), b"\0" * 4,
                    b"\0" * 4)
    b += b"\x02\x00\x00\x00\x00\x02" + b"\0" * 10 + b"\0" * 192
    b += b"\x63\x82\x53\x63" if cookie else b"\0" * 4
    b += b"\x35\x01\x05\x36\x04" + socket.inet_aton("192.0.2.1") + b"\xff"
    return b + b"\0" * (size - len(b))


def udp(payload, src, dst, ulen=None, sport=67, dport=68):
    if ulen is None:
        ulen = 8 + len(payload)
    pseudo = struct.pack("!4s4sBBH", socket.inet_aton(src),
                         socket.inet_aton(dst), 0, 17, 8 + len(payload))
    h = struct.pack("!HHHH", sport, dport, ulen, 0)
    c = csum(pseudo + h + payload) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, ulen, c) + payload


# name: (what the hook must do, does it see ports 67 -> 68, builder)
#   "remark": mark changed, counted seen/remarked/rerouted
#   "malformed": left alone, counted seen/skip_malformed
#   "ignore": left alone, not even counted as seen
def edge_cases(s, d):
    dh = bootp()
    return {
        "valid-dhcpack": ("remark", lambda i: iphdr(
            17, 308, ipid=i, src=s, dst=d) + udp(dh, s, d)),
        "valid-with-ip-options": ("remark", lambda i: iphdr(
            17, 308, ipid=i, src=s, dst=d, ihl=6, options=b"\x01\x01\x01\x00") +
            udp(dh, s, d)),
        "short-dhcp-payload": ("malformed", lambda i: iphdr(
            17, 28, ipid=i, src=s, dst=d) + udp(dh[:20], s, d)),
        "udp-length-beyond-packet": ("malformed", lambda i: iphdr(
            17, 308, ipid=i, src=s, dst=d) + udp(dh, s, d, ulen=1000)),
        "udp-length-below-header": ("malformed", lambda i: iphdr(
            17, 308, ipid=i, src=s, dst=d) + udp(dh, s, d, ulen=7)),
        "first-fragment": ("malformed", lambda i: iphdr(
            17, 308, ipid=i, src=s, dst=d, frag=IP_MF) + udp(dh, s, d)),
        "middle-fragment": ("ignore", lambda i: iphdr(
            17, 308, ipid=i, src=s, dst=d, frag=IP_MF | 37) + udp(dh, s, d)),
        "last-fragment": ("ignore", lambda i: iphdr(
            17, 308, ipid=i, src=s, dst=d, frag=185) + udp(dh, s, d)),
        "bootrequest-op": ("malformed", lambda i: iphdr(
            17, 308, ipid=i, src=s, dst=d) + udp(bootp(op=1), s, d)),
        "no-magic-cookie": ("malformed", lambda i: iphdr(
            17, 308, ipid=i, src=s, dst=d) + udp(bootp(cookie=False), s, d)),
        "not-dhcp-text": ("malformed", lambda i: iphdr(
            17, 308, ipid=i, src=s, dst=d) + udp(b"hello, port 68 " * 20, s, d)),
        "truncated-udp-header": ("ignore", lambda i: iphdr(
            17, 4, ipid=i, src=s, dst=d) + udp(b"", s, d)[:4]),
        "ip-version-6": ("ignore", lambda i: iphdr(
            17, 308, ipid=i, src=s, dst=d, version=6) + udp(dh, s, d)),
        "udplite-67-68": ("ignore", lambda i: iphdr(
            136, 308, ipid=i, src=s, dst=d) + udp(dh, s, d)),
    }


def setns(path):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, "setns %s: %s" % (path, os.strerror(e)))
    finally:
        os.close(fd)


def knob(name, value=None):
    if value is None:
        with open(KNOBS + name) as f:
            return f.read().strip()
    fd = os.open(KNOBS + name, os.O_WRONLY)
    try:
        os.write(fd, value.encode())
    finally:
        os.close(fd)
    return None


def counters():
    with open("/proc/net/tunfix") as f:
        return {k: int(v) for k, v in (line.split() for line in f)}


class Edge:
    def __init__(self, args):
        self.src, self.dst, self.dev = args.src, args.dst, args.dev
        self.failed = 0
        self.sent = {}          # ip id -> (name, bytes, expected mark)
        self.next_id = 1000
        own = os.open("/proc/self/ns/net", os.O_RDONLY)
        setns(args.peer_netns)
        self.cap = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                 socket.htons(ETH_P_ALL))
        self.cap.bind(("eth0", 0))
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.setns(own, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns back")
        os.close(own)
        self.raw = {}

    def check(self, ok, text):
        print("%s %s" % ("ok" if ok else "not ok", text))
        sys.stdout.flush()
        if not ok:
            self.failed += 1

    def sock(self, mark):
        if mark not in self.raw:
            s = socket.socket(socket.AF_INET, socket.SOCK_RAW,
                              socket.IPPROTO_RAW)
            s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
            if mark:
                s.setsockopt(socket.SOL_SOCKET, SO_MARK, mark)
            self.raw[mark] = s
        return self.raw[mark]

    def send(self, name, build, sock_mark, want_mark):
        ipid = self.next_id
        self.next_id += 1
        pkt = build(ipid)
        self.sock(sock_mark).sendto(pkt, (self.dst, 0))
        self.sent[ipid] = (name, pkt, want_mark)

    def collect(self, timeout=3.0):
        got = {}
        end = time.monotonic() + timeout
        dst = socket.inet_aton(self.dst)
        while len(got) < len(self.sent):
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.cap], [], [], left)[0]:
                break
            frame = self.cap.recv(65535)
            if frame[12:14] != b"\x08\x00" or frame[14 + 16:14 + 20] != dst:
                continue
            ipid = struct.unpack("!H", frame[18:20])[0]
            if ipid in self.sent:
                got[ipid] = frame[14:]
        return got

    def marks(self):
        out = subprocess.run(["nft", "-j", "list", "set", "ip", "tunfix_t32",
                              "marks"], capture_output=True, text=True,
                             check=True).stdout
        res = {}
        for obj in json.loads(out)["nftables"]:
            for e in obj.get("set", {}).get("elem", []):
                if isinstance(e, dict) and "elem" in e:
                    e = e["elem"]["val"]
                ipid, mark = e["concat"]
                res.setdefault(ipid, set()).add(mark)
        return res

    def run(self):
        s, d = self.src, self.dst
        cases = edge_cases(s, d)
        before = counters()
        knob("dhcp_mark", "0x800")
        knob("dhcp_mask", "0xffffffff")
        knob("dhcp_dev", "")
        # every reply, not only those about to enter IPsec (none is here)
        knob("dhcp_remark_all", "1")
        knob("dhcp_remark", "1")

        # 1. every case, from a socket without a mark
        for name, (what, build) in cases.items():
            self.send(name, build, 0, 0x800 if what == "remark" else 0)
        n1 = dict(seen=0, malformed=0, remark=0)
        for what, _ in cases.values():
            n1["seen"] += what != "ignore"
            n1["malformed"] += what == "malformed"
            n1["remark"] += what == "remark"

        # 2. value/mask semantics: the socket's mark 0x10005, mask 0xff00
        knob("dhcp_mask", "0xff00")
        self.send("valid-dhcpack (SO_MARK 0x10005, mask 0xff00)",
                  cases["valid-dhcpack"][1], 0x10005, 0x10805)
        self.send("short-dhcp-payload (SO_MARK 0x10005)",
                  cases["short-dhcp-payload"][1], 0x10005, 0x10005)
        knob("dhcp_mask", "0xffffffff")

        # 3. dhcp_dev: a reply whose route does not leave through it is
        # seen but left alone; one that does is re-marked
        knob("dhcp_dev", "nosuchdev0")
        self.send("valid-dhcpack (dhcp_dev=nosuchdev0)",
                  cases["valid-dhcpack"][1], 0, 0)
        knob("dhcp_dev", self.dev)
        self.send("valid-dhcpack (dhcp_dev=%s)" % self.dev,
                  cases["valid-dhcpack"][1], 0, 0x800)
        knob("dhcp_dev", "")

        # 4. the default, only replies about to enter IPsec: this route
        # is plain, so the reply is seen and left alone
        knob("dhcp_remark_all", "0")
        self.send("valid-dhcpack (dhcp_remark_all=0, plain route)",
                  cases["valid-dhcpack"][1], 0, 0)

        got = self.collect()
        marks = self.marks()
        for ipid, (name, pkt, want) in sorted(self.sent.items()):
            rx = got.get(ipid)
            self.check(rx == pkt, "%s: arrived byte for byte (%s)" % (
                name, "missing" if rx is None else
                "identical" if rx == pkt else "%d bytes, differs" % len(rx)))
            m = marks.get(ipid, set())
            self.check(m == {want}, "%s: mark at postrouting %s, want %#x" %
                       (name, "/".join("%#x" % x for x in m) or "none", want))

        after = counters()
        delta = {k: after[k] - before.get(k, 0) for k in after}
        want = dict(dhcp_seen=n1["seen"] + 5,
                    dhcp_skip_malformed=n1["malformed"] + 1,
                    dhcp_skip_not_ipsec=1,
                    dhcp_remarked=n1["remark"] + 2,
                    dhcp_rerouted=n1["remark"] + 2,
                    dhcp_bypassed=0, dhcp_errors=0)
        for k, v in want.items():
            self.check(delta.get(k) == v, "counter %s +%s, want +%d" %
                       (k, delta.get(k), v))

        self.knob_validation()
        return 1 if self.failed else 0

    def knob_validation(self):
        bad = [("dhcp_mark", "0x1ffffffff"), ("dhcp_mark", "-1"),
               ("dhcp_mark", "abc"), ("dhcp_mark", "\n"), ("dhcp_mark", "0x"),
               ("dhcp_mark", "+2048"), ("dhcp_mask", "4294967296"),
               ("dhcp_mask", "-0x1"), ("dhcp_dev", "abcdefghijklmnop"),
               ("dhcp_dev", "a-name-far-too-long-for-ifnamsiz"),
               ("dhcp_dev", "eth/0"), ("dhcp_dev", "/"), ("dhcp_dev", ".."),
               ("dhcp_dev", "a b"), ("dhcp_remark", "2"),
               ("dhcp_remark", "on"), ("dhcp_remark_all", "2"),
               ("dhcp_xfrm_bypass", "-1"),
               ("dhcp_xfrm_bypass", "yes")]
        knob("dhcp_mark", "0x1234")
        knob("dhcp_dev", "lan0")
        for k, v in bad:
            old = knob(k)
            try:
                knob(k, v)
                res = "accepted"
            except OSError as e:
                res = errno.errorcode.get(e.errno, str(e.errno))
            new = knob(k)
            self.check(res == "EINVAL" and new == old,
                       "%s=%r rejected: %s, value %r -> %r" %
                       (k, v, res, old, new))
        # numbers as every sysctl takes them: blanks around, and a write
        # of nothing changes nothing
        good = [("dhcp_dev", "abcdefghijklmno", "abcdefghijklmno"),
                ("dhcp_dev", "", ""), ("dhcp_mark", "4294967295", "0xffffffff"),
                ("dhcp_mark", "2048 ", "0x800"), ("dhcp_mark", "", "0x800"),
                ("dhcp_mark", "0", "0x0"), ("dhcp_mask", "0x0000ff00", "0xff00"),
                ("dhcp_mark", "0x800", "0x800"),
                ("dhcp_mask", "0xffffffff", "0xffffffff")]
        for k, v, want in good:
            knob(k, v)
            self.check(knob(k) == want, "%s=%r accepted, reads %r" %
                       (k, v, knob(k)))


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "summary":
        return summary(sys.argv[2], sys.argv[3], sys.argv[4:])
    if len(sys.argv) == 4 and sys.argv[1] == "hooks":
        return hooks(sys.argv[2], sys.argv[3])
    if len(sys.argv) >= 2 and sys.argv[1] == "edge":
        import argparse
        ap = argparse.ArgumentParser()
        ap.add_argument("cmd")
        ap.add_argument("--peer-netns", required=True)
        ap.add_argument("--src", required=True)
        ap.add_argument("--dst", required=True)
        ap.add_argument("--dev", required=True)
        global ctypes, errno, json, select, subprocess, time
        import ctypes
        import errno
        import json
        import select
        import subprocess
        import time
        return Edge(ap.parse_args()).run()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
