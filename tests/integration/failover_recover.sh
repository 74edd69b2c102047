#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
#
# A leasewire secondary that lost its database joins a primary in NORMAL
# (FAILOVER.md 7.4). The primary is a real ISC dhcpd 4.4 or a leasewire.
#   1. the pair reaches NORMAL and clients of both sides take leases;
#   2. the secondary stops and its state directory (journal, snapshot,
#      failover state) is removed;
#   3. it starts empty: RECOVER, UPDREQALL, RECOVER-WAIT until MCLT after
#      it entered RECOVER, RECOVER-DONE, then NORMAL on both sides;
#   4. it has every binding of step 1, the primary's included.
#
# Usage: failover_recover.sh isc|lw   (the primary's kind)

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fo_lib.sh"

KIND=${1:-isc}
MCLT=15
lw_init
lw_need_tool python3
[ "$KIND" = isc ] && lw_need_tool dhcpd

P=${KIND}A
S=lwB
fo_topology
if [ "$KIND" = isc ]; then fo_isc_cfg "$P" A primary $MCLT; else fo_lw_cfg "$P" A primary $MCLT; fi
fo_lw_cfg "$S" B secondary
fo_lw_start "$S" B
if [ "$KIND" = isc ]; then fo_isc_start "$P" A; else fo_lw_start "$P" A; fi
fo_wait_state "$S" normal 40
sleep 3 # the pool balance and its acknowledgements
lw_log "1. NORMAL"

# has_binding NAME ADDR MAC: the binding is active in NAME's store.
has_binding() {
    if [ "${FO_KIND[$1]}" = lw ]; then
        [ "$(fo_ctl "$1" --json lease "$2" 2>/dev/null |
            python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("state-name"), d.get("hw-address"))' 2>/dev/null)" = "active $3" ]
    else
        [ "$(fo_isc_lease "$1" "$2")" = "active $3" ]
    fi
}

# The first lease of a client is bounded by MCLT (nothing acknowledged yet,
# FAILOVER.md 5.2); once the partner acknowledged it, a renewal gets the
# whole lease time. Both servers answer (secs 5), the client takes the first.
# The renewal is an INIT-REBOOT REQUEST for the client's address, which
# either server acknowledges once it knows the binding (a second DORA could
# take a fresh offer: ISC offers again the address it offered before).
declare -A BOUND ADDR
for round in 1 2; do
    for i in 1 2 3 4 5 6; do
        mac=02:00:00:00:03:0$i
        if [ "$round" = 1 ]; then
            cmd=(dora)
        else
            cmd=(--request-ip "${ADDR[$mac]}" request)
        fi
        r=$(lw_raw "$NS_C" -i "$IF_C" --mac $mac --secs 5 --timeout 2 "${cmd[@]}" |
            sed -n 's/^ack addr=\([0-9.]*\).*lease=\([0-9]*\).*/\1 \2/p')
        a=${r% *}
        [ -n "$a" ] || fo_fail "client $mac got no lease"
        [ "$round" = 1 ] || [ "${BOUND[$a]:-}" = "$mac" ] || fo_fail "$mac moved to $a on renewal"
        BOUND[$a]=$mac
        ADDR[$mac]=$a
        [ "$round" = 2 ] && lw_assert_ge "$mac: lease time once acknowledged" $((MCLT + 1)) "${r#* }"
    done
    # Both servers know every binding (and its acknowledgement came back)
    # before the next round: otherwise the server that answers first may
    # offer a client a new address, as ISC would.
    for a in "${!BOUND[@]}"; do
        for i in $(seq 1 100); do
            has_binding "$P" "$a" "${BOUND[$a]}" && has_binding "$S" "$a" "${BOUND[$a]}" && break
            sleep 0.1
        done
    done
    sleep 2 # ISC acknowledges within 2 s
done
lw_log "bound: $(for a in "${!BOUND[@]}"; do printf '%s=%s ' "$a" "${BOUND[$a]}"; done)"

# 2. The secondary loses everything.
fo_stop "$S"
rm -rf "$LW_TMP/$S-state"
lw_log "2. $S stopped, database removed"

# 3. It starts empty.
T0=$(date +%s)
fo_lw_start "$S" B
fo_wait_state "$S" normal $((MCLT + 40))
ELAPSED=$(($(date +%s) - T0))
for step in "startup to recover" "recover to recover-wait" "recover-wait to recover-done" \
    "recover-done to normal"; do
    grep -q "I move from $step" "${FO_LOG[$S]}" || fo_fail "$S never logged 'I move from $step'"
done
lw_assert_ge "seconds from an empty start to NORMAL (MCLT $MCLT)" $((MCLT - 2)) "$ELAPSED"
if [ "$KIND" = isc ]; then fo_isc_wait "$P" "Both servers normal" 10; else fo_wait_state "$P" normal 10; fi
lw_log "3. NORMAL again after $ELAPSED s"

# 4. Every binding is back.
for a in "${!BOUND[@]}"; do
    got=$(fo_ctl "$S" --json lease "$a" 2>/dev/null |
        python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("state-name"), d.get("hw-address"))' 2>/dev/null)
    lw_assert_eq "$S: binding of $a" "active ${BOUND[$a]}" "$got"
done
lw_log "PASS"
