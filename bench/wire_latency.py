#!/usr/bin/env python3
# SPDX-License-Identifier: MPL-2.0
"""Latency of DHCPv4 exchanges as the wire saw them.

Reads a classic pcap file (dumpcap -P) taken on the client's interface and
pairs each request with its answer by xid: DISCOVER with the first OFFER,
REQUEST with the first ACK or NAK. The timestamps are the kernel's, taken as
a frame leaves or reaches the interface, so the figures are the server's
(and the wire's) alone: how long the client then takes to read an answer,
or whether it drops it for want of room in its socket, does not enter.

Prints one line, tab-separated:
  do_sent do_answered do_p50_ms do_p99_ms ra_sent ra_answered ra_p50_ms ra_p99_ms
(a percentile is NA when nothing was answered). Exit 1 when the file cannot
be read.
"""
import struct
import sys

DISCOVER, OFFER, REQUEST, ACK, NAK = 1, 2, 3, 5, 6


def frames(path):
    """(seconds, frame bytes) for every record of a classic pcap file."""
    with open(path, "rb") as f:
        head = f.read(24)
        if len(head) < 24:
            raise ValueError("not a pcap file (too short)")
        magic = struct.unpack("<I", head[:4])[0]
        if magic in (0xA1B2C3D4, 0xA1B23C4D):
            end = "<"
        elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
            end = ">"
        else:
            raise ValueError("not a classic pcap file (magic %08x)" % magic)
        frac = 1e-9 if magic in (0xA1B23C4D, 0x4D3CB2A1) else 1e-6
        linktype = struct.unpack(end + "I", head[20:24])[0]
        if linktype != 1:
            raise ValueError("link type %d, not Ethernet" % linktype)
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            sec, sub, caplen, _ = struct.unpack(end + "IIII", rec)
            data = f.read(caplen)
            if len(data) < caplen:
                return
            yield sec + sub * frac, data


def dhcp(frame):
    """(op, xid, message type) of a DHCPv4 frame over IPv4/UDP, else None."""
    if len(frame) < 14 + 20 + 8 + 240 or frame[12:14] != b"\x08\x00":
        return None
    ihl = (frame[14] & 0x0F) * 4
    if frame[14] >> 4 != 4 or ihl < 20 or frame[23] != 17:
        return None
    udp = 14 + ihl
    b = frame[udp + 8:]
    if len(b) < 240 or b[236:240] != b"\x63\x82\x53\x63":
        return None
    i, mtype = 240, 0
    while i + 1 < len(b) and b[i] != 255:
        if b[i] == 0:
            i += 1
            continue
        if b[i] == 53 and b[i + 1] == 1 and i + 2 < len(b):
            mtype = b[i + 2]
            break
        i += 2 + b[i + 1]
    return b[0], bytes(b[4:8]), mtype


def pct(vals, p):
    if not vals:
        return "NA"
    vals.sort()
    return "%.3f" % vals[min(len(vals) - 1, (len(vals) * p + 99) // 100 - 1)]


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: wire_latency.py FILE.pcap\n")
        return 2
    sent = {DISCOVER: {}, REQUEST: {}}
    lat = {DISCOVER: [], REQUEST: []}
    try:
        for t, frame in frames(sys.argv[1]):
            d = dhcp(frame)
            if d is None:
                continue
            op, xid, mtype = d
            if op == 1 and mtype in sent:
                sent[mtype].setdefault(xid, t)
                continue
            if op != 2:
                continue
            want = DISCOVER if mtype == OFFER else REQUEST if mtype in (ACK, NAK) else None
            if want is None:
                continue
            t0 = sent[want].get(xid)
            if t0 is not None and t0 >= 0:
                lat[want].append((t - t0) * 1000.0)
                sent[want][xid] = -1.0  # answered: later copies do not count
    except (OSError, ValueError) as e:
        sys.stderr.write("wire_latency.py: %s: %s\n" % (sys.argv[1], e))
        return 1
    out = []
    for m in (DISCOVER, REQUEST):
        out += [str(len(sent[m])), str(len(lat[m])), pct(lat[m], 50), pct(lat[m], 99)]
    print("\t".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
