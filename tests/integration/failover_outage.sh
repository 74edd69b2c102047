#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
#
# The partner goes away and comes back. leasewire is the primary; the
# secondary is a real ISC dhcpd 4.4 or another leasewire.
#   1. the pair reaches NORMAL;
#   2. the secondary hangs (SIGSTOP): after max-response-delay leasewire
#      goes communications-interrupted and answers every client, the
#      secondary's too, from its own pool, with lease times bounded by the
#      MCLT rule (nothing was acknowledged: MCLT);
#   3. the secondary resumes: both NORMAL again, and the binding made
#      meanwhile reaches it;
#   4. the failover link breaks (both sides communications-interrupted),
#      then the secondary stops; the operator declares it down
#      (failover-partner-down): leasewire serves every client at once, and
#      once MCLT has passed it gives out the secondary's addresses too (more
#      clients than its own share get leases);
#   5. the secondary starts again: POTENTIAL-CONFLICT, then NORMAL on both
#      sides (FAILOVER.md 7.5);
#   6. over every DHCPACK the client side saw, no address was bound to two
#      clients at once.
#
# Usage: failover_outage.sh isc|lw   (the secondary's kind)

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fo_lib.sh"

KIND=${1:-isc}
MCLT=20
lw_init
lw_need_tool python3 dumpcap tshark
[ "$KIND" = isc ] && lw_need_tool dhcpd

P=lwA
S=${KIND}B
fo_topology
fo_lw_cfg "$P" A primary $MCLT
if [ "$KIND" = isc ]; then fo_isc_cfg "$S" B secondary; else fo_lw_cfg "$S" B secondary; fi
start_secondary() {
    if [ "$KIND" = isc ]; then fo_isc_start "$S" B; else fo_lw_start "$S" B; fi
}
start_secondary
fo_lw_start "$P" A
lw_capture_start "$NS_C" "$IF_C" "$LW_TMP/clients.pcap"

fo_wait_state "$P" normal 40
[ "$KIND" = lw ] && fo_wait_state "$S" normal 20
for i in $(seq 1 50); do
    [ "$(fo_field "$P" addresses-yielded)" -gt 0 ] 2>/dev/null && break
    sleep 0.2
done
sleep 2
lw_log "1. NORMAL"

MAC_S=02:00:00:00:00:01 # hashes to the secondary
dora() { # MAC -> "addr server lease"
    lw_raw "$NS_C" -i "$IF_C" --mac "$1" --timeout 2 dora |
        sed -n 's/^ack addr=\([0-9.]*\).*server=\([0-9.]*\) lease=\([0-9]*\).*/\1 \2 \3/p'
}

# 2. The secondary hangs.
T0=$(date +%s)
NOT_SERVED=$(grep -c 'failover subnets are not served' "${FO_LOG[$S]}")
kill -STOP "${FO_PID[$S]}"
fo_wait_state "$P" communications-interrupted 30
ELAPSED=$(($(date +%s) - T0))
lw_log "communications-interrupted after $ELAPSED s (max-response-delay ${FO_MRD:-6})"
lw_assert_ge "seconds before communications-interrupted" 4 "$ELAPSED"
# A leasewire secondary's dataplane goes on offering in its own buckets
# until its control process has been silent for max-response-delay (it
# cannot acknowledge meanwhile: the REQUEST waits for a journal that does
# not move); the primary's receive timer may run out up to a CONTACT
# interval earlier. Once the dataplane has stopped, the primary answers all.
if [ "$KIND" = lw ]; then
    for i in $(seq 1 50); do
        [ "$(grep -c 'failover subnets are not served' "${FO_LOG[$S]}")" -gt "$NOT_SERVED" ] && break
        sleep 0.2
    done
    [ "$i" -lt 50 ] || fo_fail "$S's dataplane still serves with its control process stopped"
fi
R=$(dora 02:00:00:00:01:01)
A1=${R%% *}
read -r _ SRV1 LT1 <<<"$R"
[ -n "$A1" ] || fo_fail "no lease in communications-interrupted"
lw_assert_eq "answered by" "$LAN_A" "$SRV1"
if [ "$KIND" = isc ]; then
    R2=$(dora $MAC_S)
    lw_assert_eq "the secondary's client answered by" "$LAN_A" "$(echo "$R2" | cut -d' ' -f2)"
fi
if [ "$SRV1" = "$LAN_A" ]; then
    [ "$LT1" -ge 1 ] && [ "$LT1" -le $MCLT ] || fo_fail "lease time $LT1 s is not bounded by MCLT $MCLT s"
    lw_log "ok: lease time $LT1 s <= MCLT $MCLT s"
fi

# 3. It resumes.
kill -CONT "${FO_PID[$S]}"
fo_wait_state "$P" normal 40
lw_log "3. NORMAL again"
if [ "$SRV1" = "$LAN_A" ]; then
    for i in $(seq 1 50); do
        if [ "$KIND" = isc ]; then
            [ "$(fo_isc_lease "$S" "$A1")" = "active 02:00:00:00:01:01" ] && break
        else
            [ "$(fo_ctl "$S" --json lease "$A1" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin).get("state-name"))' 2>/dev/null)" = active ] && break
        fi
        sleep 0.2
    done
    [ "$i" -lt 50 ] || fo_fail "the binding of $A1 made during the outage did not reach $S"
    lw_log "the queued update reached $S"
fi

# 4. The link breaks, both sides notice, then the secondary stops for good
# (it saved communications-interrupted); the operator declares it down.
fo_cut
fo_wait_state "$P" communications-interrupted 30
if [ "$KIND" = isc ]; then
    fo_isc_wait "$S" "I move from normal to communications-interrupted" 30
else
    fo_wait_state "$S" communications-interrupted 30
fi
fo_stop "$S"
fo_heal
fo_ctl "$P" partner-down || fo_fail "partner-down refused"
fo_wait_state "$P" partner-down 5
lw_log "4. partner-down; waiting MCLT ($MCLT s)"
sleep $((MCLT + 3))
N=30 # more than the primary's 20 addresses
OUT=$(lw_raw "$NS_C" -i "$IF_C" --mac 02:00:00:00:02:00 --count $N --timeout 2 dora)
GOT=$(echo "$OUT" | grep -c '^ack addr=' || true)
lw_assert_eq "clients leased in partner-down (own share 20)" $N "$GOT"

# 5. The secondary comes back.
start_secondary
fo_wait_state "$P" normal 60
if [ "$KIND" = isc ]; then fo_isc_wait "$S" "Both servers normal" 30; else fo_wait_state "$S" normal 30; fi
grep -q 'I move from partner-down to potential-conflict' "${FO_LOG[$P]}" ||
    fo_fail "no potential-conflict on the way back to normal"
lw_log "5. NORMAL after partner-down"

# 6. No address to two clients at once.
sleep 1
lw_capture_stop
tshark -r "$LW_TMP/clients.pcap" -Y "dhcp.option.dhcp == 5" -T fields -e frame.time_epoch \
    -e dhcp.hw.mac_addr -e dhcp.ip.your -e dhcp.option.ip_address_lease_time \
    >"$LW_TMP/acks.txt" 2>/dev/null
python3 "$LW_SOURCE_ROOT/tests/integration/check_pair.py" "$LW_TMP/acks.txt" ||
    fo_fail "an address was bound to two clients"
lw_log "PASS"
