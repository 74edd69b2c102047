#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
#
# leasewire comes back to a partner that ran alone in PARTNER-DOWN and gave
# out leasewire's own addresses meanwhile (FAILOVER.md 7.5, from the other
# side). leasewire is the primary; the secondary is a real ISC dhcpd 4.4
# (set to partner-down through OMAPI, as an operator would with omshell) or
# another leasewire (failover-partner-down).
#   1. the pair is NORMAL;
#   2. the failover link breaks, both sides go communications-interrupted,
#      leasewire stops (it saved communications-interrupted), the link heals;
#   3. the secondary is declared partner-down; after MCLT it leases more
#      clients than its own half, so some get the primary's addresses;
#   4. leasewire starts again: POTENTIAL-CONFLICT, then NORMAL on both
#      sides, and it has the secondary's bindings, its own addresses among
#      them;
#   5. new clients lease from both servers; over every DHCPACK the clients
#      saw, no address was bound to two clients at once.
#
# Usage: failover_return.sh isc|lw   (the secondary's kind)

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fo_lib.sh"

KIND=${1:-isc}
MCLT=15
lw_init
lw_need_tool python3 dumpcap tshark
[ "$KIND" = isc ] && lw_need_tool dhcpd omshell

P=lwA
S=${KIND}B
fo_topology
fo_lw_cfg "$P" A primary $MCLT
if [ "$KIND" = isc ]; then fo_isc_cfg "$S" B secondary; else fo_lw_cfg "$S" B secondary; fi
if [ "$KIND" = isc ]; then fo_isc_start "$S" B; else fo_lw_start "$S" B; fi
fo_lw_start "$P" A
lw_capture_start "$NS_C" "$IF_C" "$LW_TMP/clients.pcap"
fo_wait_state "$P" normal 40
sleep 3
lw_log "1. NORMAL"

# 2. Both notice the outage, then the primary stops.
fo_cut
fo_wait_state "$P" communications-interrupted 30
if [ "$KIND" = isc ]; then
    fo_isc_wait "$S" "I move from normal to communications-interrupted" 30
else
    fo_wait_state "$S" communications-interrupted 30
fi
fo_stop "$P"
fo_heal
lw_log "2. $P stopped in communications-interrupted"

# 3. The secondary alone, partner-down.
if [ "$KIND" = isc ]; then
    printf 'server 127.0.0.1\nport 7911\nconnect\nnew failover-state\nset name = "%s"\nopen\nset local-state = 4\nupdate\n' \
        "$FO_NAME" | ip netns exec "$NS_B" omshell >"$LW_TMP/omshell.out" 2>&1
    fo_isc_wait "$S" "I move from communications-interrupted to partner-down" 10
else
    fo_ctl "$S" partner-down || fo_fail "partner-down refused"
    fo_wait_state "$S" partner-down 5
fi
lw_log "3. $S partner-down; waiting MCLT ($MCLT s)"
sleep $((MCLT + 3))
OUT=$(lw_raw "$NS_C" -i "$IF_C" --mac 02:00:00:00:05:00 --count 30 --timeout 2 dora)
GOT=$(echo "$OUT" | grep -c '^ack addr=' || true)
lw_assert_ge "clients leased by $S alone" 25 "$GOT"

# 4. The primary returns.
fo_lw_start "$P" A
fo_wait_state "$P" normal 60
if [ "$KIND" = isc ]; then fo_isc_wait "$S" "Both servers normal" 30; else fo_wait_state "$S" normal 30; fi
grep -q 'I move from communications-interrupted to potential-conflict' "${FO_LOG[$P]}" ||
    grep -q 'I move from startup to potential-conflict' "${FO_LOG[$P]}" ||
    fo_fail "$P did not go through potential-conflict"
lw_log "4. NORMAL again"
sleep 3
# The leases the secondary gave alone last at most MCLT (nothing of them was
# acknowledged by the peer): by now they may have expired. What counts is that
# each binding reached the primary: the address is active or expired there,
# for the same client. One snapshot of every lease, read at once.
fo_ctl "$P" --json leases >"$LW_TMP/leases-$P.json" || fo_fail "leases from $P"
MISSING=$(echo "$OUT" | sed -n 's/^ack addr=\([0-9.]*\).*client=\([0-9a-f:]*\).*/\1 \2/p' |
    python3 -c '
import json, sys
have = {l["ip-address"]: (l.get("state-name"), l.get("hw-address"))
        for l in json.load(open(sys.argv[1])).get("leases", [])}
missing = 0
for line in sys.stdin:
    a, mac = line.split()
    st, hw = have.get(a, (None, None))
    if st not in ("active", "expired") or hw != mac:
        print("missing at the primary:", a, mac, "has", st, hw, file=sys.stderr)
        missing += 1
print(missing)' "$LW_TMP/leases-$P.json")
lw_assert_eq "$S's partner-down bindings missing at $P" 0 "$MISSING"

# 5. New clients, then the check.
lw_raw "$NS_C" -i "$IF_C" --mac 02:00:00:00:06:00 --count 10 --timeout 2 dora >"$LW_TMP/after.out"
sleep 1
lw_capture_stop
tshark -r "$LW_TMP/clients.pcap" -Y "dhcp.option.dhcp == 5" -T fields -e frame.time_epoch \
    -e dhcp.hw.mac_addr -e dhcp.ip.your -e dhcp.option.ip_address_lease_time \
    >"$LW_TMP/acks.txt" 2>/dev/null
python3 "$LW_SOURCE_ROOT/tests/integration/check_pair.py" "$LW_TMP/acks.txt" ||
    fo_fail "an address was bound to two clients"
lw_log "PASS"
