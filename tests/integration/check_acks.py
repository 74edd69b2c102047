#!/usr/bin/env python3
# SPDX-License-Identifier: MPL-2.0
"""Checks the DHCPACKs a client side saw against the server's lease database.

  check_acks.py ACKS LEASES_JSON [--split T] [--quiet-window T1 T2]

ACKS is tshark's field output, one ACK per line:
    <epoch seconds> <chaddr> <yiaddr>
LEASES_JSON is the reply of `leasewirectl --json leases` (a list of Kea
lease4 objects, or an object with a "leases" list).

Fails (exit 1, one line per problem) when
  - an address was acknowledged to two different clients;
  - a client's last acknowledged address is not bound to it in the database
    (state 0 = assigned, as Kea numbers it);
  - --split T: no ACK before T or none after it (service did not resume);
  - --quiet-window T1 T2: an ACK left between T1 and T2.
Prints a summary line either way.
"""

import json
import sys


def main():
    args = sys.argv[1:]
    split = None
    quiet = None
    if "--split" in args:
        i = args.index("--split")
        split = float(args[i + 1])
        del args[i:i + 2]
    if "--quiet-window" in args:
        i = args.index("--quiet-window")
        quiet = (float(args[i + 1]), float(args[i + 2]))
        del args[i:i + 3]
    acks_file, leases_file = args

    acks = []
    with open(acks_file) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 3 or parts[2] == "0.0.0.0":
                continue
            acks.append((float(parts[0]), parts[1].split(",")[0].lower(), parts[2].split(",")[0]))
    with open(leases_file) as f:
        data = json.load(f)
    leases = data.get("leases", []) if isinstance(data, dict) else data
    by_addr = {l["ip-address"]: l for l in leases}

    problems = []
    owner = {}
    last = {}
    for t, mac, addr in sorted(acks):
        if addr in owner and owner[addr] != mac:
            problems.append(f"{addr} acknowledged to {owner[addr]} and to {mac}")
        owner[addr] = mac
        last[mac] = addr
    for mac, addr in sorted(last.items()):
        l = by_addr.get(addr)
        if l is None:
            problems.append(f"{addr} (ACKed to {mac}) is not in the lease database")
        elif l.get("hw-address", "").lower() != mac:
            problems.append(f"{addr} (ACKed to {mac}) is bound to {l.get('hw-address')}")
        elif l.get("state", 0) != 0:
            problems.append(f"{addr} (ACKed to {mac}) has state {l.get('state')}")
    if split is not None:
        before = sum(1 for a in acks if a[0] < split)
        after = sum(1 for a in acks if a[0] >= split)
        if before == 0:
            problems.append("no ACK before the split")
        if after == 0:
            problems.append("no ACK after the split: service did not resume")
    if quiet is not None:
        leaked = [a for a in acks if quiet[0] <= a[0] <= quiet[1]]
        for t, mac, addr in leaked[:10]:
            problems.append(f"ACK for {addr} to {mac} at {t:.3f} while control was down")
    summary = f"{len(acks)} ACKs, {len(last)} clients, {len(leases)} leases in the database"
    if split is not None:
        summary += f", {before} before / {after} after the split"
    print(summary)
    for p in problems[:50]:
        print("problem:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
