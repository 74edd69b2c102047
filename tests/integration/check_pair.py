#!/usr/bin/env python3
# SPDX-License-Identifier: MPL-2.0
"""No address bound to two clients at once, from what the clients saw.

  check_pair.py ACKS

ACKS is tshark's field output of a capture on the client side of a failover
pair, one DHCPACK per line:
    <epoch seconds> <chaddr> <yiaddr> <lease time>
An ACK binds yiaddr to chaddr from its time for its lease time. Fails (exit
1, one line per conflict) when two different clients hold one address over
overlapping intervals: the pair gave it twice. A client's later ACK for the
same address extends its own interval. Prints a summary line either way.
"""

import sys


def main():
    holds = {}  # addr -> list of [client, start, end]
    n = 0
    with open(sys.argv[1]) as f:
        for line in f:
            p = line.split()
            if len(p) < 4:
                continue
            t, mac, addr, lease = float(p[0]), p[1].lower(), p[2], int(p[3].split(",")[0])
            n += 1
            holds.setdefault(addr, []).append([mac, t, t + lease])
    bad = 0
    for addr, hs in sorted(holds.items()):
        hs.sort(key=lambda h: h[1])
        for i, (mac, s, e) in enumerate(hs):
            for mac2, s2, e2 in hs[i + 1:]:
                # 1 s of slack: the clocks are the same, the capture order is not.
                if mac2 != mac and s2 < e - 1.0:
                    print("CONFLICT %s: %s holds it %.1f..%.1f, %s acknowledged at %.1f"
                          % (addr, mac, s, e, mac2, s2))
                    bad += 1
    print("check_pair: %d ACKs, %d addresses, %d conflicts" % (n, len(holds), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
