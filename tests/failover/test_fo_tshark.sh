#!/bin/sh
# SPDX-License-Identifier: MPL-2.0
# Every failover message leasewire sends, checked by an independent decoder:
# test_fo_bnd (fo_bnd/dump_messages) writes them back to back, this script
# wraps them in a pcap of one TCP connection to port 647 and has tshark's
# DHCPFO dissector decode them. Any "Malformed" or error-level expert info
# fails the test. Skipped (77) without tshark or python3.
#
# usage: test_fo_tshark.sh PATH/TO/test_fo_bnd
set -eu

exe=${1:?usage: $0 test_fo_bnd}
command -v tshark >/dev/null 2>&1 || { echo "tshark not found: skipped"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "python3 not found: skipped"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

LW_FO_DUMP="$tmp/msgs.bin" "$exe" --filter='fo_bnd/dump_messages' >"$tmp/gen.log" 2>&1 || {
	cat "$tmp/gen.log"
	echo "FAIL: the generator failed"
	exit 1
}
test -s "$tmp/msgs.bin" || { echo "FAIL: no messages written"; exit 1; }

# One segment per message, after a three-way handshake; classic pcap,
# Ethernet, IPv4 198.18.0.10:40647 -> 198.18.0.20:647. Prints the count and
# writes, per message, its type and option codes and lengths as tshark's
# field output spells them (expected.txt).
count=$(python3 - "$tmp/msgs.bin" "$tmp/fo.pcap" "$tmp/expected.txt" <<'EOF'
import struct
import sys

data = open(sys.argv[1], "rb").read()
msgs = []
off = 0
while off < len(data):
    (n,) = struct.unpack_from(">H", data, off)
    assert 12 <= n <= 2048 and off + n <= len(data), "bad framing at %d" % off
    msgs.append(data[off : off + n])
    off += n

with open(sys.argv[3], "w") as f:
    for m in msgs:
        codes, lens = [], []
        o = m[3]
        while o + 4 <= len(m):
            c, n = struct.unpack_from(">HH", m, o)
            codes.append(str(c))
            lens.append(str(n))
            o += 4 + n
        assert o == len(m), "options overrun the message"
        f.write("%d\t%s\t%s\n" % (m[2], ",".join(codes), ",".join(lens)))

SRC, DST = bytes([198, 18, 0, 10]), bytes([198, 18, 0, 20])
SPORT, DPORT = 40647, 647


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(">%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(src, dst, sport, dport, seq, ack, flags, payload):
    tcp = struct.pack(">HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    pseudo = src + dst + struct.pack(">BBH", 0, 6, len(tcp) + len(payload))
    c = csum(pseudo + tcp + payload)
    tcp = tcp[:16] + struct.pack(">H", c) + tcp[18:]
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 1, 0x4000,
                     64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack(">H", csum(ip)) + ip[12:]
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return eth + ip + tcp + payload


SYN, ACK, PSH = 0x02, 0x10, 0x08
cseq, sseq = 1000, 5000
pkts = [
    frame(SRC, DST, SPORT, DPORT, cseq, 0, SYN, b""),
    frame(DST, SRC, DPORT, SPORT, sseq, cseq + 1, SYN | ACK, b""),
    frame(SRC, DST, SPORT, DPORT, cseq + 1, sseq + 1, ACK, b""),
]
cseq += 1
for m in msgs:
    pkts.append(frame(SRC, DST, SPORT, DPORT, cseq, sseq + 1, PSH | ACK, m))
    cseq += len(m)

with open(sys.argv[2], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i, p in enumerate(pkts):
        f.write(struct.pack("<IIII", 1795000000 + i, 0, len(p), len(p)))
        f.write(p)
print(len(msgs))
EOF
)

tshark -r "$tmp/fo.pcap" -d tcp.port==647,dhcpfo -V >"$tmp/out.txt" 2>"$tmp/err.txt" || {
	cat "$tmp/err.txt"
	echo "FAIL: tshark failed"
	exit 1
}
decoded=$(grep -c '^DHCP Failover' "$tmp/out.txt" || true)
bad=$(grep -E 'Malformed|Expert Info \(Error' "$tmp/out.txt" || true)
if [ -n "$bad" ]; then
	cat "$tmp/out.txt"
	echo "FAIL: tshark reports:"
	echo "$bad"
	exit 1
fi
if [ "$decoded" -ne "$count" ]; then
	cat "$tmp/out.txt"
	echo "FAIL: $count messages written, tshark decoded $decoded"
	exit 1
fi
# The dissector must see the same options with the same lengths.
tshark -r "$tmp/fo.pcap" -d tcp.port==647,dhcpfo -Y dhcpfo -T fields -e dhcpfo.type \
	-e dhcpfo.optioncode -e dhcpfo.optionlength -E occurrence=a -E aggregator=, \
	>"$tmp/seen.txt" 2>"$tmp/err.txt"
if ! diff -u "$tmp/expected.txt" "$tmp/seen.txt"; then
	echo "FAIL: tshark's option codes/lengths differ from what was written"
	exit 1
fi
echo "PASS: $count messages decoded by tshark without error, options as written"
