#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
#
# A failover pair forms and shares the work: leasewire next to a real ISC
# dhcpd 4.4 (in either seat), or two leasewire servers.
#   1. both servers start with empty databases; the pair reaches NORMAL
#      (ISC logs "Both servers normal", leasewire's failover-status says
#      normal on both sides), and the primary hands half the pool to the
#      secondary (BACKUP);
#   2. load balancing: a client whose RFC 3074 hash falls on the primary
#      (split 128) is offered an address by the primary only, and one that
#      falls on the secondary by the secondary only, while secs is at or
#      below `load balance max seconds` (3); with secs 5 both answer;
#   3. a client of each side completes DORA, and each binding appears in
#      the other server's lease store (ISC's lease file, leasewire's
#      lease4-get);
#   4. a leasewire server of the pair restarts with its database: back to
#      NORMAL through STARTUP (not RECOVER), with both bindings.
#
# Usage: failover_pair.sh lw-primary|lw-secondary|lw-lw

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fo_lib.sh"

MODE=${1:-lw-primary}
lw_init
lw_need_tool python3
case $MODE in
lw-primary)
    P=lwA PK=lw S=iscB SK=isc
    ;;
lw-secondary)
    P=iscA PK=isc S=lwB SK=lw
    ;;
lw-lw)
    P=lwA PK=lw S=lwB SK=lw
    ;;
*) lw_fail "unknown mode $MODE" ;;
esac
[ "$PK" = isc ] || [ "$SK" = isc ] && lw_need_tool dhcpd

fo_topology
for pair in "$P:A:primary:$PK" "$S:B:secondary:$SK"; do
    IFS=: read -r name side role kind <<<"$pair"
    if [ "$kind" = lw ]; then fo_lw_cfg "$name" "$side" "$role"; else fo_isc_cfg "$name" "$side" "$role"; fi
done
# The secondary first: the primary's first CONNECT then finds it listening.
for pair in "$S:B:$SK" "$P:A:$PK"; do
    IFS=: read -r name side kind <<<"$pair"
    if [ "$kind" = lw ]; then fo_lw_start "$name" "$side"; else fo_isc_start "$name" "$side"; fi
done

# 1. NORMAL on both sides.
for name in "$P" "$S"; do
    if [ "${FO_KIND[$name]}" = lw ]; then
        fo_wait_state "$name" normal 40
        lw_assert_eq "$name: partner state" normal "$(fo_field "$name" partner-state)"
    else
        fo_isc_wait "$name" "Both servers normal" 40
    fi
done
lw_log "the pair is NORMAL"

# The primary gives the secondary its half of the pool (BACKUP).
for i in $(seq 1 50); do
    if [ "$PK" = lw ]; then
        n=$(fo_field "$P" addresses-yielded)
    else
        n=$(grep -c 'binding state backup' "$LW_TMP/$P.leases" 2>/dev/null || true)
    fi
    [ "${n:-0}" -gt 0 ] && break
    sleep 0.2
done
lw_assert_ge "addresses moved to the secondary" 1 "${n:-0}"
sleep 2 # the BNDUPD(BACKUP)s are acknowledged

# 2. Load balancing (FAILOVER.md 6.1 vectors, split 128).
MAC_P=02:00:00:00:00:02 # bucket 45: primary
MAC_S=02:00:00:00:00:01 # bucket 133: secondary
offers() { # MAC SECS -> the server ids that offered, sorted
    lw_raw "$NS_C" -i "$IF_C" --mac "$1" --secs "$2" --timeout 2 offers |
        sed -n 's/^offer .*server=\([0-9.]*\).*/\1/p' | sort | tr '\n' ' '
}
lw_assert_eq "primary's client, secs 0" "$LAN_A " "$(offers $MAC_P 0)"
lw_assert_eq "secondary's client, secs 0" "$LAN_B " "$(offers $MAC_S 0)"
lw_assert_eq "secondary's client, secs 3" "$LAN_B " "$(offers $MAC_S 3)"
lw_assert_eq "primary's client, secs 5 (both answer)" "$LAN_A $LAN_B " "$(offers $MAC_P 5)"

# 3. DORA for one client of each side; each binding reaches the other side.
ADDR_P=$(lw_raw "$NS_C" -i "$IF_C" --mac $MAC_P --timeout 2 dora | sed -n 's/^ack addr=\([0-9.]*\).*server=\([0-9.]*\).*/\1 \2/p')
ADDR_S=$(lw_raw "$NS_C" -i "$IF_C" --mac $MAC_S --timeout 2 dora | sed -n 's/^ack addr=\([0-9.]*\).*server=\([0-9.]*\).*/\1 \2/p')
lw_assert_eq "primary's client: answered by" "$LAN_A" "${ADDR_P#* }"
lw_assert_eq "secondary's client: answered by" "$LAN_B" "${ADDR_S#* }"
ADDR_P=${ADDR_P% *}
ADDR_S=${ADDR_S% *}
lw_assert_in_range "primary's client address" $POOL_FIRST $POOL_LAST "$ADDR_P"
lw_assert_in_range "secondary's client address" $POOL_FIRST $POOL_LAST "$ADDR_S"
[ "$ADDR_P" != "$ADDR_S" ] || fo_fail "one address for two clients: $ADDR_P"

# has NAME ADDR MAC: the binding of ADDR to MAC is in NAME's store.
has() {
    local name=$1 addr=$2 mac=$3
    if [ "${FO_KIND[$name]}" = lw ]; then
        fo_ctl "$name" --json lease "$addr" 2>/dev/null |
            python3 -c 'import json,sys
a = json.load(sys.stdin)
ok = a.get("hw-address") == sys.argv[1] and a.get("state-name") == "active"
sys.exit(0 if ok else 1)' "$mac"
    else
        [ "$(fo_isc_lease "$name" "$addr")" = "active $mac" ]
    fi
}
for i in $(seq 1 50); do
    has "$S" "$ADDR_P" $MAC_P && has "$P" "$ADDR_S" $MAC_S && break
    sleep 0.2
done
has "$S" "$ADDR_P" $MAC_P || fo_fail "$S does not have $P's binding $ADDR_P -> $MAC_P"
has "$P" "$ADDR_S" $MAC_S || fo_fail "$P does not have $S's binding $ADDR_S -> $MAC_S"
lw_log "each binding reached the other server"

# 4. A leasewire restarts with its database: its saved NORMAL comes back
# through STARTUP (FAILOVER.md 7.3), not through RECOVER, and it still has
# both bindings.
if [ "$PK" = lw ]; then R=$P RS=A; else R=$S RS=B; fi
grep -q '^my-state normal' "$LW_TMP/$R-state/failover.state" ||
    fo_fail "$R: the saved failover state is not normal: $(cat "$LW_TMP/$R-state/failover.state")"
fo_stop "$R"
fo_lw_start "$R" "$RS"
fo_wait_state "$R" normal 30
grep -q 'I move from startup to normal' "${FO_LOG[$R]}" || fo_fail "$R did not come back through startup"
grep -q 'to recover' "${FO_LOG[$R]}" && fo_fail "$R went through recover with its database intact"
has "$R" "$ADDR_P" $MAC_P || fo_fail "$R lost $ADDR_P after its restart"
has "$R" "$ADDR_S" $MAC_S || fo_fail "$R lost $ADDR_S after its restart"
lw_log "$R restarted: startup -> normal, bindings kept"

for name in "$P" "$S"; do
    [ "${FO_KIND[$name]}" = lw ] && lw_log "$name: $(fo_ctl "$name" failover | tr '\n' ' ' | cut -c1-400)"
done
lw_log "PASS"
