#!/usr/bin/env python3
# SPDX-License-Identifier: MPL-2.0
"""A small DHCPv4 client over an AF_PACKET socket, for the integration tests.

It builds whole Ethernet/IPv4/UDP frames itself, so it can be any client
(chosen chaddr, client identifier, requested address) and can send frames no
real client would (the `garbage` command). Standard library only; needs
root (CAP_NET_RAW) and is meant to run inside a test's network namespace.

Every result is one line of `word key=value ...` that a shell can parse:

  offer addr=198.18.0.100 server=198.18.0.1 client=02:00:00:00:00:01 ...
  ack addr=198.18.0.100 server=198.18.0.1 lease=600 mask=... routers=... dns=a,b domain=... client=...
  nak server=198.18.0.1 client=...
  none after=discover client=...        (no answer before the timeout)
  sent type=decline addr=... client=...
  garbage kind=hlen len=300

Examples:
  dhcp_raw.py -i c0 dora
  dhcp_raw.py -i c0 --mac 02:00:00:00:01:00 --count 9 dora
  dhcp_raw.py -i c0 --client-id 01:02:03:04:05:06:07 discover --request-ip 198.18.0.150
  dhcp_raw.py -i c0 dora --then decline
  dhcp_raw.py -i c0 garbage all --count 10
"""

import argparse
import os
import select
import socket
import struct
import sys
import time

ETH_P_IP = 0x0800
PACKET_OUTGOING = 4
COOKIE = 0x63825363

DISCOVER, OFFER, REQUEST, DECLINE, ACK, NAK, RELEASE, INFORM = range(1, 9)
TYPE_NAMES = {
    DISCOVER: "discover", OFFER: "offer", REQUEST: "request", DECLINE: "decline",
    ACK: "ack", NAK: "nak", RELEASE: "release", INFORM: "inform",
}
PRL = bytes([1, 3, 6, 15, 28, 51, 54, 58, 59])

GARBAGE_KINDS = [
    "truncated",        # UDP payload shorter than the BOOTP header + cookie
    "cookie",           # wrong magic cookie
    "hlen",             # hlen 17
    "op",               # BOOTREPLY sent to the server port
    "optlen",           # an option whose length runs past the end
    "optsize",          # requested address (50) with length 3
    "overload-file",    # 52 says "options in file", and file holds another 52
    "overload-sname",   # 52 says "options in sname", and sname holds another 52
    "overload-repeat",  # 52 twice in the options field
    "toolong",          # client id (61) in two parts of 200 bytes: joined (RFC 3396), over 255
    "notype",           # no message type (53)
]


def mac_bytes(text):
    b = bytes(int(x, 16) for x in text.split(":"))
    if len(b) != 6:
        raise ValueError("a MAC address has 6 bytes: " + text)
    return b


def mac_text(b):
    return ":".join("%02x" % x for x in b)


def hex_bytes(text):
    return bytes(int(x, 16) for x in text.replace("-", ":").split(":") if x)


def ip_bytes(text):
    return socket.inet_aton(text)


def ip_text(b):
    return socket.inet_ntoa(b)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(src_mac, dst_mac, src_ip, dst_ip, payload, sport=68, dport=67):
    """Ethernet + IPv4 + UDP around payload, with both checksums right."""
    ulen = 8 + len(payload)
    pseudo = src_ip + dst_ip + struct.pack("!BBH", 0, 17, ulen)
    udp = struct.pack("!HHHH", sport, dport, ulen, 0) + payload
    c = csum(pseudo + udp) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, os.getpid() & 0xFFFF, 0,
                     64, 17, 0, src_ip, dst_ip)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return dst_mac + src_mac + struct.pack("!H", ETH_P_IP) + ip + udp


def opt(code, data):
    return bytes([code, len(data)]) + data


SECS = 0  # the secs field of every request (--secs)


def bootp(chaddr, xid, ciaddr=b"\0" * 4, flags=0x8000, op=1, hlen=6, sname=b"", file=b""):
    """The fixed BOOTP header (236 bytes) of a request."""
    return (struct.pack("!BBBBIHH4s4s4s4s", op, 1, hlen, 0, xid, SECS, flags, ciaddr,
                        b"\0" * 4, b"\0" * 4, b"\0" * 4)
            + chaddr.ljust(16, b"\0") + sname.ljust(64, b"\0")[:64] + file.ljust(128, b"\0")[:128])


def dhcp(chaddr, xid, msg_type, options=b"", ciaddr=b"\0" * 4, flags=0x8000):
    p = bootp(chaddr, xid, ciaddr, flags) + struct.pack("!I", COOKIE)
    p += opt(53, bytes([msg_type])) + options + b"\xff"
    return p.ljust(300, b"\0")


def parse_reply(data):
    """(src_mac, dhcp fields) of a DHCP reply frame to port 68, or None."""
    if len(data) < 14 + 20 + 8 or struct.unpack("!H", data[12:14])[0] != ETH_P_IP:
        return None
    ihl = (data[14] & 0x0F) * 4
    if data[23] != 17:
        return None
    u = 14 + ihl
    sport, dport, ulen = struct.unpack("!HHH", data[u:u + 6])
    if dport not in (68, 67) or sport != 67:
        return None
    p = data[u + 8:u + ulen]
    if len(p) < 240 or p[0] != 2 or struct.unpack("!I", p[236:240])[0] != COOKIE:
        return None
    r = {
        "xid": struct.unpack("!I", p[4:8])[0],
        "flags": struct.unpack("!H", p[10:12])[0],
        "ciaddr": ip_text(p[12:16]),
        "yiaddr": ip_text(p[16:20]),
        "giaddr": ip_text(p[24:28]),
        "chaddr": p[28:28 + 6],
        "ip_dst": ip_text(data[30:34]),
        "opts": {},
    }
    i = 240
    while i < len(p):
        code = p[i]
        if code == 255:
            break
        if code == 0:
            i += 1
            continue
        if i + 1 >= len(p):
            break
        n = p[i + 1]
        r["opts"][code] = r["opts"].get(code, b"") + p[i + 2:i + 2 + n]
        i += 2 + n
    return data[6:12], r


def describe(r, mac):
    o = r["opts"]
    t = o.get(53, b"\0")[0]
    words = [TYPE_NAMES.get(t, "type%d" % t)]
    if t != NAK:
        words.append("addr=" + r["yiaddr"])
    if 54 in o:
        words.append("server=" + ip_text(o[54][:4]))
    if 51 in o:
        words.append("lease=%d" % struct.unpack("!I", o[51][:4])[0])
    if 58 in o:
        words.append("t1=%d" % struct.unpack("!I", o[58][:4])[0])
    if 59 in o:
        words.append("t2=%d" % struct.unpack("!I", o[59][:4])[0])
    if 1 in o:
        words.append("mask=" + ip_text(o[1][:4]))
    if 3 in o:
        words.append("routers=" + ",".join(ip_text(o[3][i:i + 4]) for i in range(0, len(o[3]) - 3, 4)))
    if 6 in o:
        words.append("dns=" + ",".join(ip_text(o[6][i:i + 4]) for i in range(0, len(o[6]) - 3, 4)))
    if 15 in o:
        words.append("domain=" + o[15].decode("ascii", "replace").rstrip("\0").replace(" ", "_"))
    if 56 in o:
        words.append("message=" + o[56].decode("ascii", "replace").replace(" ", "_"))
    if 61 in o:
        words.append("client-id=" + mac_text(o[61]))
    words.append("dst=" + r["ip_dst"])
    words.append("client=" + mac_text(mac))
    return " ".join(words)


class Client:
    def __init__(self, args, mac, client_id):
        self.a = args
        self.mac = mac
        self.client_id = client_id
        self.server_mac = mac_bytes(args.server_mac) if args.server_mac else b"\xff" * 6
        self.sock = args.sock

    def common_opts(self):
        o = b""
        if self.client_id:
            o += opt(61, self.client_id)
        return o

    def send(self, payload, src_ip=b"\0" * 4, dst_ip=b"\xff" * 4, dst_mac=b"\xff" * 6):
        self.sock.send(frame(self.mac, dst_mac, src_ip, dst_ip, payload))

    def wait(self, xid, want):
        """The first reply to xid whose type is in want, or None at timeout."""
        end = time.monotonic() + self.a.timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return None
            rd, _, _ = select.select([self.sock], [], [], left)
            if not rd:
                return None
            data, addr = self.sock.recvfrom(4096)
            if addr[2] == PACKET_OUTGOING:
                continue
            got = parse_reply(data)
            if got is None:
                continue
            src_mac, r = got
            if r["xid"] != xid or r["chaddr"] != self.mac:
                continue
            t = r["opts"].get(53, b"\0")[0]
            if t in want:
                self.server_mac = src_mac
                return r

    def exchange(self, msg_type, options, want, ciaddr=b"\0" * 4, src_ip=b"\0" * 4,
                 dst_ip=b"\xff" * 4, dst_mac=b"\xff" * 6):
        xid = int.from_bytes(os.urandom(4), "big")
        flags = 0 if self.a.no_broadcast else 0x8000
        p = dhcp(self.mac, xid, msg_type, options, ciaddr, flags)
        for _ in range(self.a.retries + 1):
            self.send(p, src_ip, dst_ip, dst_mac)
            r = self.wait(xid, want)
            if r is not None:
                return r
        return None

    def out(self, line):
        print(line, flush=True)

    def discover(self):
        o = self.common_opts() + opt(55, PRL)
        if self.a.request_ip:
            o += opt(50, ip_bytes(self.a.request_ip))
        if self.a.lease_time:
            o += opt(51, struct.pack("!I", self.a.lease_time))
        r = self.exchange(DISCOVER, o, (OFFER,))
        if r is None:
            self.out("none after=discover client=" + mac_text(self.mac))
        else:
            self.out(describe(r, self.mac))
        return r

    def offers(self):
        """One DISCOVER; prints every OFFER that arrives within the timeout
        (a failover pair: which servers answer), or none."""
        o = self.common_opts() + opt(55, PRL)
        xid = int.from_bytes(os.urandom(4), "big")
        self.send(dhcp(self.mac, xid, DISCOVER, o, flags=0x8000))
        end = time.monotonic() + self.a.timeout
        seen = 0
        while True:
            left = end - time.monotonic()
            if left <= 0:
                break
            rd, _, _ = select.select([self.sock], [], [], left)
            if not rd:
                break
            data, addr = self.sock.recvfrom(4096)
            if addr[2] == PACKET_OUTGOING:
                continue
            got = parse_reply(data)
            if got is None or got[1]["xid"] != xid or got[1]["chaddr"] != self.mac:
                continue
            if got[1]["opts"].get(53, b"\0")[0] == OFFER:
                self.out(describe(got[1], self.mac))
                seen += 1
        if seen == 0:
            self.out("none after=discover client=" + mac_text(self.mac))

    def request(self, addr, server_id=None, ciaddr=b"\0" * 4, unicast_to=None):
        o = self.common_opts() + opt(55, PRL)
        if addr:
            o += opt(50, ip_bytes(addr))
        if server_id:
            o += opt(54, ip_bytes(server_id))
        if self.a.lease_time:
            o += opt(51, struct.pack("!I", self.a.lease_time))
        if unicast_to:
            r = self.exchange(REQUEST, o, (ACK, NAK), ciaddr=ciaddr, src_ip=ciaddr,
                              dst_ip=ip_bytes(unicast_to), dst_mac=self.server_mac)
        else:
            r = self.exchange(REQUEST, o, (ACK, NAK), ciaddr=ciaddr, src_ip=ciaddr)
        if r is None:
            self.out("none after=request client=" + mac_text(self.mac))
        else:
            self.out(describe(r, self.mac))
        return r

    def dora(self):
        off = self.discover()
        if off is None:
            return None
        sid = ip_text(off["opts"][54][:4]) if 54 in off["opts"] else None
        ack = self.request(off["yiaddr"], sid)
        if ack is None or ack["opts"].get(53, b"\0")[0] != ACK:
            return None
        if self.a.then == "decline":
            self.decline(ack["yiaddr"], sid)
        elif self.a.then == "release":
            self.release(ack["yiaddr"], sid)
        return ack

    def decline(self, addr, server_id):
        # RFC 2131 4.4.4: broadcast, ciaddr 0, the address in option 50.
        xid = int.from_bytes(os.urandom(4), "big")
        o = self.common_opts() + opt(50, ip_bytes(addr)) + opt(54, ip_bytes(server_id))
        self.send(dhcp(self.mac, xid, DECLINE, o, flags=0))
        self.out("sent type=decline addr=%s server=%s client=%s" % (addr, server_id, mac_text(self.mac)))

    def release(self, addr, server_id):
        # RFC 2131 4.4.6: unicast to the server, ciaddr = the address.
        xid = int.from_bytes(os.urandom(4), "big")
        o = self.common_opts() + opt(54, ip_bytes(server_id))
        self.send(dhcp(self.mac, xid, RELEASE, o, ciaddr=ip_bytes(addr), flags=0),
                  src_ip=ip_bytes(addr), dst_ip=ip_bytes(server_id), dst_mac=self.server_mac)
        self.out("sent type=release addr=%s server=%s client=%s" % (addr, server_id, mac_text(self.mac)))

    def inform(self, ciaddr, server):
        o = self.common_opts() + opt(55, PRL)
        dst = ip_bytes(server) if server else b"\xff" * 4
        r = self.exchange(INFORM, o, (ACK, NAK), ciaddr=ip_bytes(ciaddr), src_ip=ip_bytes(ciaddr),
                          dst_ip=dst, dst_mac=self.server_mac)
        if r is None:
            self.out("none after=inform client=" + mac_text(self.mac))
        else:
            self.out(describe(r, self.mac))
        return r

    def garbage(self, kind):
        xid = int.from_bytes(os.urandom(4), "big")
        head = bootp(self.mac, xid)
        cookie = struct.pack("!I", COOKIE)
        t53 = opt(53, bytes([DISCOVER]))
        if kind == "truncated":
            p = (head + cookie + t53)[:200]
        elif kind == "cookie":
            p = head + struct.pack("!I", COOKIE ^ 1) + t53 + b"\xff"
        elif kind == "hlen":
            p = bootp(self.mac, xid, hlen=17) + cookie + t53 + b"\xff"
        elif kind == "op":
            p = bootp(self.mac, xid, op=2) + cookie + t53 + b"\xff"
        elif kind == "optlen":
            # No END and no padding: option 12 claims 200 bytes, 5 follow.
            p = head + cookie + t53 + bytes([12, 200]) + b"lwtst"
        elif kind == "optsize":
            p = head + cookie + t53 + bytes([50, 3, 198, 18, 0]) + b"\xff"
        elif kind == "overload-file":
            f = bytes([52, 1, 1, 255])
            p = bootp(self.mac, xid, file=f) + cookie + t53 + opt(52, b"\x01") + b"\xff"
        elif kind == "overload-sname":
            s = bytes([52, 1, 2, 255])
            p = bootp(self.mac, xid, sname=s) + cookie + t53 + opt(52, b"\x02") + b"\xff"
        elif kind == "overload-repeat":
            p = head + cookie + t53 + opt(52, b"\x01") + opt(52, b"\x01") + b"\xff"
        elif kind == "toolong":
            p = head + cookie + t53 + opt(61, b"\x00" + b"a" * 199) + opt(61, b"b" * 200) + b"\xff"
        elif kind == "notype":
            p = head + cookie + opt(61, b"\x01" + self.mac) + opt(55, PRL) + b"\xff"
        else:
            raise ValueError("unknown garbage kind " + kind)
        if kind not in ("truncated", "optlen"):
            p = p.ljust(300, b"\0")
        self.send(p)
        self.out("garbage kind=%s len=%d client=%s" % (kind, len(p), mac_text(self.mac)))


def iface_mac(iface):
    with open("/sys/class/net/%s/address" % iface) as f:
        return mac_bytes(f.read().strip())


def nth_mac(base, i):
    n = int.from_bytes(base, "big") + i
    return n.to_bytes(6, "big")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-i", "--iface", required=True, help="interface to send and listen on")
    ap.add_argument("--mac", help="chaddr and Ethernet source (default: the interface's)")
    ap.add_argument("--client-id", help="option 61 as hex bytes, e.g. 01:02:00:00:00:00:01")
    ap.add_argument("--count", type=int, default=1,
                    help="repeat for this many clients (MAC + i; client id + 2-byte i)")
    ap.add_argument("--timeout", type=float, default=1.0, help="seconds to wait for each reply")
    ap.add_argument("--retries", type=int, default=2, help="retransmissions when no reply")
    ap.add_argument("--no-broadcast", action="store_true", help="clear the broadcast flag")
    ap.add_argument("--server-mac", help="Ethernet destination for unicast messages")
    ap.add_argument("--request-ip", help="requested address (option 50)")
    ap.add_argument("--lease-time", type=int, help="requested lease time (option 51)")
    ap.add_argument("--server-id", help="server identifier (option 54)")
    ap.add_argument("--ciaddr", help="client address (RENEWING, RELEASE, INFORM)")
    ap.add_argument("--then", choices=["decline", "release"], help="after a dora: decline or release")
    ap.add_argument("--gap", type=float, default=0.002, help="seconds between garbage frames")
    ap.add_argument("--secs", type=int, default=0, help="the secs field of every request")
    ap.add_argument("command", choices=["discover", "offers", "request", "renew", "dora", "decline",
                                        "release", "inform", "garbage"])
    ap.add_argument("kinds", nargs="*", help="garbage kinds, or 'all': " + " ".join(GARBAGE_KINDS))
    a = ap.parse_args()
    global SECS
    SECS = a.secs

    a.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IP))
    a.sock.bind((a.iface, ETH_P_IP))
    base = mac_bytes(a.mac) if a.mac else iface_mac(a.iface)
    cid = hex_bytes(a.client_id) if a.client_id else None

    if a.command == "garbage":
        kinds = GARBAGE_KINDS if not a.kinds or a.kinds == ["all"] else a.kinds
        for k in kinds:
            if k not in GARBAGE_KINDS:
                ap.error("unknown garbage kind %s (known: %s)" % (k, " ".join(GARBAGE_KINDS)))
        c = Client(a, base, None)
        for _ in range(a.count):
            for k in kinds:
                c.garbage(k)
                time.sleep(a.gap)
        return 0

    for i in range(a.count):
        mac = nth_mac(base, i) if a.count > 1 else base
        client_id = cid + struct.pack("!H", i) if (cid and a.count > 1) else cid
        c = Client(a, mac, client_id)
        if a.command == "discover":
            c.discover()
        elif a.command == "offers":
            c.offers()
        elif a.command == "dora":
            c.dora()
        elif a.command == "request":
            if not a.request_ip:
                ap.error("request needs --request-ip (and --server-id for SELECTING)")
            c.request(a.request_ip, a.server_id)
        elif a.command == "renew":
            if not (a.ciaddr and a.server_id):
                ap.error("renew needs --ciaddr and --server-id")
            c.request(None, None, ciaddr=ip_bytes(a.ciaddr), unicast_to=a.server_id)
        elif a.command == "decline":
            if not (a.request_ip and a.server_id):
                ap.error("decline needs --request-ip and --server-id")
            c.decline(a.request_ip, a.server_id)
        elif a.command == "release":
            if not (a.ciaddr and a.server_id):
                ap.error("release needs --ciaddr and --server-id")
            c.release(a.ciaddr, a.server_id)
        elif a.command == "inform":
            if not a.ciaddr:
                ap.error("inform needs --ciaddr")
            c.inform(a.ciaddr, a.server_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
