#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
#
# Migration from a live ISC dhcpd 4.4 failover pair, and back
# (doc/migration.md; every step of README's "Migrating from ISC dhcpd").
#   1. two real ISC dhcpd form a pair (Both servers normal) and lease
#      addresses to clients of both sides (by MAC and by client identifier),
#      renewed once so that their updates are acknowledged;
#   2. the failover link is cut; the server whose seat leasewire takes (the
#      secondary, or the primary with `primary`) binds one client its
#      partner never hears of, then stops; the other serves alone
#      (communications-interrupted) and binds one more client meanwhile;
#   3. `leasewire-import dhcpd-conf` converts its dhcpd.conf: it lists what
#      it did not carry over and fails without --allow-partial; the result
#      passes `leasewire-dataplane --check`;
#   4. `leasewire-import dhcpd-leases` writes its lease file into the state
#      directory (bindings, the one not acknowledged left pending, failover
#      state communications-interrupted), and refuses to do it twice;
#   5. leasewire starts in its seat: back to NORMAL through STARTUP, without
#      RECOVER on either side and without UPDREQALL (ISC's log, leasewire's
#      failover-status), with every binding: the one the partner made
#      meanwhile comes from the partner, the pending one goes to it;
#   6. every client renews its address from either server and gets it again
#      by DORA; no address is given to two clients; then the other dhcpd is
#      replaced the same way: a leasewire pair, NORMAL without RECOVER or
#      UPDREQALL, every binding on both, every client renews at both;
#   7. the way back, one server at a time: leasewire stops; its control
#      alone (no DHCP service) exports its leases and failover state in
#      ISC's format (`leasewirectl lease-export --format isc`) and stops
#      (`leasewirectl shutdown`); `dhcpd -t -T` accepts the file; dhcpd
#      starts with it, returns to NORMAL without RECOVER or UPDREQALL, has
#      every binding and renews every client's address. At the end the pair
#      is two dhcpd again;
#   8. in a capture of every DHCPACK the clients saw, no address is bound
#      to two clients at once.
#
# Usage: migrate_isc.sh [secondary|primary]   (the seat leasewire takes)

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fo_lib.sh"

SEAT=${1:-secondary}
# A client's first lease is MCLT long (nothing acknowledged yet), and dhcpd
# answers a renewal within 25 % of it with the lease unchanged
# (dhcp-cache-threshold): an MCLT longer than the test keeps every client
# bound throughout.
MCLT=300
LW_IMPORT=${LW_IMPORT:-$(dirname "$LW_CONTROL")/../import/leasewire-import}
lw_init
lw_need_tool python3 dhcpd dumpcap tshark
[ -x "$LW_IMPORT" ] || lw_skip "leasewire-import not found: $LW_IMPORT (build first)"

case $SEAT in
secondary) R=iscB RS=B RL=$LAN_B O=iscA OS=A OL=$LAN_A ;;
primary) R=iscA RS=A RL=$LAN_A O=iscB OS=B OL=$LAN_B ;;
*) lw_fail "unknown seat $SEAT" ;;
esac
LW=lw$RS # leasewire in the seat of $R

fo_topology
fo_isc_cfg iscA A primary $MCLT
fo_isc_cfg iscB B secondary
fo_isc_start iscB B
fo_isc_start iscA A
T0=$(date +%s)
fo_isc_wait iscA "Both servers normal" 40
fo_isc_wait iscB "Both servers normal" 40
for i in $(seq 1 50); do
    [ "$(grep -c 'binding state backup' "$LW_TMP/iscA.leases" 2>/dev/null)" -gt 0 ] && break
    sleep 0.2
done
lw_log "1. the ISC pair is NORMAL after $(($(date +%s) - T0)) s"
# Every DHCP message the clients see, for the final check (no address to
# two clients at once, whichever server answered).
lw_capture_start "$NS_C" "$IF_C" "$LW_TMP/clients.pcap"

mac_of() { # SIDE
    local nsv="NS_$1" ifv="IF_$1"
    fo_if_mac "${!nsv}" "${!ifv}"
}
# shellcheck disable=SC2034 # read through ${!name}
MAC_OF_A=$(mac_of A)
# shellcheck disable=SC2034
MAC_OF_B=$(mac_of B)

# Clients: "MAC" or "MAC/CLIENT-ID". FAILOVER.md 6.1 vectors with split 128:
# 02:..:01 and :03 hash to the secondary, :02 and 02:00:00:00:10:04 to the
# primary; client id 01:02:00:00:00:10:03 to the primary, ..:10:06 to the
# secondary.
CLIENTS=(02:00:00:00:00:01 02:00:00:00:00:02 02:00:00:00:00:03 02:00:00:00:10:04
    02:00:00:00:10:03/01:02:00:00:00:10:03 02:00:00:00:10:06/01:02:00:00:00:10:06)
declare -A ADDR  # client -> address
declare -A OWNER # address -> client
SERVED=

client_args() { # CLIENT -> dhcp_raw arguments
    local mac=${1%%/*} cid=
    [[ $1 == */* ]] && cid=${1#*/}
    echo "--mac $mac${cid:+ --client-id $cid}"
}

# xchg CLIENT HOW [ARGS...]: one exchange (dora, or renew with a server);
# prints "address server lease" of the ACK, records who holds what, and
# fails when an address goes to a second client.
xchg() {
    local c=$1 how=$2 out a raw
    shift 2
    # shellcheck disable=SC2046
    raw=$(lw_raw "$NS_C" -i "$IF_C" $(client_args "$c") --timeout 2 --retries 2 "$how" "$@")
    out=$(sed -n 's/^ack addr=\([0-9.]*\) server=\([0-9.]*\) lease=\([0-9]*\).*/\1 \2 \3/p' <<<"$raw" |
        head -n 1)
    [ -n "$out" ] || lw_log "$c $how $*: no ACK: $(tr '\n' ' ' <<<"$raw")"
    a=${out%% *}
    if [ -n "$a" ]; then
        if [ -n "${OWNER[$a]:-}" ] && [ "${OWNER[$a]}" != "$c" ]; then
            fo_fail "$a given to $c while ${OWNER[$a]} holds it"
        fi
        OWNER[$a]=$c
    fi
    echo "$out"
}

# known NAME ADDR CLIENT: NAME has ADDR active for the client's MAC.
known() {
    local mac=${3%%/*}
    if [ "${FO_KIND[$1]}" = lw ]; then
        [ "$(fo_ctl "$1" --json lease "$2" 2>/dev/null |
            python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("state-name"), d.get("hw-address"))' 2>/dev/null)" = "active $mac" ]
    else
        [ "$(fo_isc_lease "$1" "$2")" = "active $mac" ]
    fi
}

# both_know NAME1 NAME2 CLIENT...: waits (10 s) until both have every binding.
both_know() {
    local n1=$1 n2=$2 c i
    shift 2
    for c in "$@"; do
        for i in $(seq 1 50); do
            known "$n1" "${ADDR[$c]}" "$c" && known "$n2" "${ADDR[$c]}" "$c" && break
            sleep 0.2
        done
        known "$n1" "${ADDR[$c]}" "$c" || fo_fail "$n1 does not have ${ADDR[$c]} for $c"
        known "$n2" "${ADDR[$c]}" "$c" || fo_fail "$n2 does not have ${ADDR[$c]} for $c"
    done
}

# Round 1: each client by DORA, answered by the server its hash belongs to;
# round 2, once the partner acknowledged: the same address, a full lease.
for round in 1 2; do
    for c in "${CLIENTS[@]}"; do
        r=$(xchg "$c" dora --secs 0)
        a=${r%% *}
        [ -n "$a" ] || fo_fail "round $round: $c got no lease"
        lw_assert_in_range "$c address" "$POOL_FIRST" "$POOL_LAST" "$a"
        [ "$round" = 1 ] || lw_assert_eq "$c: address on its second DORA" "${ADDR[$c]}" "$a"
        ADDR[$c]=$a
        [ "$round" = 1 ] && SERVED+="$(cut -d' ' -f2 <<<"$r") "
    done
    both_know iscA iscB "${CLIENTS[@]}"
    sleep 2.5 # ISC acknowledges within 2 s
done
lw_log "1. bound: $(for c in "${CLIENTS[@]}"; do printf '%s=%s ' "$c" "${ADDR[$c]}"; done); first ACKs: $(grep -o "$LAN_A" <<<"$SERVED" | wc -l) from $LAN_A, $(grep -o "$LAN_B" <<<"$SERVED" | wc -l) from $LAN_B"

# 2. The failover link fails; the seat's dhcpd binds one client that its
# partner never hears of (tstp > atsfp in its lease file); then it stops
# (dhcpd has no gentle shutdown: its lease file keeps the state it was in).
fo_cut
fo_isc_wait "$R" "I move from normal to communications-interrupted" 20
fo_isc_wait "$O" "I move from normal to communications-interrupted" 20
NEWR=02:00:00:00:00:0a
OFFER=$(lw_raw "$NS_C" -i "$IF_C" --mac $NEWR --secs 5 --timeout 2 offers |
    sed -n "s/^offer addr=\([0-9.]*\) server=$RL .*/\1/p" | head -n 1)
[ -n "$OFFER" ] || fo_fail "$R made $NEWR no offer while the link was cut"
r=$(xchg "$NEWR" request --request-ip "$OFFER" --server-id "$RL")
lw_assert_eq "$NEWR bound by $R alone" "$OFFER $RL" "$(cut -d' ' -f1,2 <<<"$r")"
ADDR[$NEWR]=$OFFER
cp "${FO_CFG[$R]}" "$LW_TMP/$R.conf.orig"
fo_stop "$R"
fo_heal
cp "$LW_TMP/$R.leases" "$LW_TMP/$R.leases.orig"
grep -A3 '^failover peer' "$LW_TMP/$R.leases" | tail -n 4 | tr -s ' \n' ' ' >&2
echo >&2
# A new client while it is away: the survivor binds it and must tell leasewire.
NEWC=02:00:00:00:00:09
r=$(xchg "$NEWC" dora --secs 5)
ADDR[$NEWC]=${r%% *}
[ -n "${ADDR[$NEWC]}" ] || fo_fail "$NEWC got no lease while $R was down"
lw_assert_eq "$NEWC served by" "$OL" "$(cut -d' ' -f2 <<<"$r")"
lw_log "2. $R stopped; $O communications-interrupted; $NEWC got ${ADDR[$NEWC]} meanwhile"

# 3. The configuration.
PREFIX=$(lw_name "e$RS")
LW_PREFIXES+=("$PREFIX")
RIF="IF_$RS"
EAL="--lcores 0@0,1@$(($(nproc) > 1 ? 1 : 0)) --no-huge -m 512 --no-pci --no-telemetry --file-prefix $PREFIX"
PORT="lan=net_af_packet0,iface=${!RIF},$RL/$FO_PLEN"
CFG=$LW_TMP/$LW.cfg
if "$LW_IMPORT" dhcpd-conf "$LW_TMP/$R.conf.orig" -o "$CFG" --port "$PORT" --eal "$EAL" \
    >"$LW_TMP/conv.out" 2>&1; then
    fo_fail "dhcpd-conf exited 0 with statements left out: $(cat "$LW_TMP/conv.out")"
fi
grep -q "^$LW_TMP/$R.conf.orig:[0-9]*: omapi-port" "$LW_TMP/conv.out" ||
    fo_fail "omapi-port is not listed as left out: $(cat "$LW_TMP/conv.out")"
[ -e "$CFG" ] && fo_fail "$CFG written although statements were left out"
"$LW_IMPORT" dhcpd-conf "$LW_TMP/$R.conf.orig" -o "$CFG" --port "$PORT" --eal "$EAL" \
    --allow-partial >"$LW_TMP/conv.out" 2>&1 ||
    fo_fail "dhcpd-conf --allow-partial failed: $(cat "$LW_TMP/conv.out")"
sed 's/^/    /' "$LW_TMP/conv.out" >&2
fo_lw_control "$CFG" "$LW"
"$LW_DATAPLANE" -c "$CFG" --check >"$LW_TMP/check.out" 2>&1 ||
    fo_fail "--check rejected the converted configuration: $(cat "$LW_TMP/check.out")"
lw_log "3. $R's dhcpd.conf converted"

# 4. The leases.
"$LW_IMPORT" dhcpd-leases "$LW_TMP/$R.leases.orig" -c "$CFG" >"$LW_TMP/import.out" 2>&1 ||
    fo_fail "dhcpd-leases failed: $(cat "$LW_TMP/import.out")"
sed 's/^/    /' "$LW_TMP/import.out" >&2
grep -q "failover \"$FO_NAME\": my state communications-interrupted" "$LW_TMP/import.out" ||
    fo_fail "the failover state imported is not the one dhcpd saved: $(cat "$LW_TMP/import.out")"
grep -q '^my-state communications-interrupted$' "$LW_TMP/$LW-state/failover.state" ||
    fo_fail "failover.state: $(cat "$LW_TMP/$LW-state/failover.state")"
grep -q ", 1 to send to it" "$LW_TMP/import.out" ||
    fo_fail "$NEWR's binding is not pending: $(cat "$LW_TMP/import.out")"
if "$LW_IMPORT" dhcpd-leases "$LW_TMP/$R.leases.orig" -c "$CFG" >"$LW_TMP/again.out" 2>&1; then
    fo_fail "a second import into the same state directory was not refused"
fi
grep -q "already holds a lease database" "$LW_TMP/again.out" || fo_fail "$(cat "$LW_TMP/again.out")"
lw_log "4. $R's dhcpd.leases imported"

# 5. leasewire in the seat. The address of the LAN is the dataplane's now.
nsv="NS_$RS"
ip -n "${!nsv}" addr flush dev "${!RIF}"
MARK=$(wc -l <"${FO_LOG[$O]}")
T1=$(date +%s)
fo_lw_start "$LW" "$RS"
fo_wait_state "$LW" normal 40
T_NORMAL=$(($(date +%s) - T1))
fo_isc_wait "$O" "I move from communications-interrupted to normal" 10
grep -q 'I move from startup to ' "${FO_LOG[$LW]}" ||
    fo_fail "$LW did not come back through startup: $(grep 'I move' "${FO_LOG[$LW]}")"
grep -q 'to recover' "${FO_LOG[$LW]}" && fo_fail "$LW went through recover"
tail -n +"$MARK" "${FO_LOG[$O]}" >"$LW_TMP/$O.after"
grep -E "I move from .* to (recover|partner-down|potential-conflict)|peer moves from .* to recover" \
    "$LW_TMP/$O.after" && fo_fail "$O left the normal path"
# No full resynchronisation either way: leasewire logs an UPDREQALL it gets,
# dhcpd one it answers.
grep -q 'peer asked for all updates' "${FO_LOG[$LW]}" && fo_fail "$O sent $LW an UPDREQALL"
grep -qE 'Update request all from|Sent update request all' "$LW_TMP/$O.after" && fo_fail "$LW sent $O an UPDREQALL"
lw_log "5. $LW NORMAL $T_NORMAL s after its start; $O: $(grep -E 'I move|peer moves' "$LW_TMP/$O.after" | sed 's/.*failover peer [^:]*: //' | tr '\n' ';')"
FO_KIND[$R]=gone
both_know "$LW" "$O" "$NEWR" "${CLIENTS[@]}" "$NEWC"
lw_log "5. $LW has every binding, $NEWC's (made by $O alone) and $NEWR's (made by $R alone) included"

# 6. Renewals from either server, then DORA: the same address.
for c in "$NEWR" "${CLIENTS[@]}" "$NEWC"; do
    for s in "$RS:$RL" "$OS:$OL"; do
        mv=MAC_OF_${s%%:*}
        r=$(xchg "$c" renew --ciaddr "${ADDR[$c]}" --server-id "${s#*:}" --server-mac "${!mv}")
        lw_assert_eq "$c renewing at ${s#*:}" "${ADDR[$c]} ${s#*:}" "$(cut -d' ' -f1,2 <<<"$r")"
    done
    r=$(xchg "$c" dora --secs 5)
    lw_assert_eq "$c: DORA" "${ADDR[$c]}" "${r%% *}"
done
lw_log "6. every client renewed from both servers and kept its address"
lw_log "$LW: $(fo_ctl "$LW" failover | tr -s ' \n' ' ' | cut -c1-600)"

# partner_normal NAME: NAME (dhcpd or leasewire) is NORMAL with its partner.
partner_normal() {
    if [ "${FO_KIND[$1]}" = lw ]; then fo_wait_state "$1" normal 30; else fo_isc_wait "$1" "Both servers normal" 30; fi
}

# renew_all NAME LAN SIDE: every client renews its address at that server.
renew_all() {
    local name=$1 lan=$2 mv="MAC_OF_$3" c r
    for c in "$NEWR" "${CLIENTS[@]}" "$NEWC"; do
        r=$(xchg "$c" renew --ciaddr "${ADDR[$c]}" --server-id "$lan" --server-mac "${!mv}")
        lw_assert_eq "$c renewing at $name" "${ADDR[$c]} $lan" "$(cut -d' ' -f1,2 <<<"$r")"
    done
}

# 6b. The other server the same way (README step 5): a leasewire pair.
OLW=lw$OS
OPREFIX=$(lw_name "e$OS")
LW_PREFIXES+=("$OPREFIX")
OIF="IF_$OS"
ONS="NS_$OS"
OCFG=$LW_TMP/$OLW.cfg
cp "${FO_CFG[$O]}" "$LW_TMP/$O.conf.orig"
fo_stop "$O"
cp "$LW_TMP/$O.leases" "$LW_TMP/$O.leases.orig"
"$LW_IMPORT" dhcpd-conf "$LW_TMP/$O.conf.orig" -o "$OCFG" --allow-partial \
    --port "lan=net_af_packet0,iface=${!OIF},$OL/$FO_PLEN" \
    --eal "${EAL/--file-prefix $PREFIX/--file-prefix $OPREFIX}" >"$LW_TMP/conv2.out" 2>&1 ||
    fo_fail "dhcpd-conf of $O failed: $(cat "$LW_TMP/conv2.out")"
fo_lw_control "$OCFG" "$OLW"
"$LW_IMPORT" dhcpd-leases "$LW_TMP/$O.leases.orig" -c "$OCFG" >"$LW_TMP/import2.out" 2>&1 ||
    fo_fail "dhcpd-leases of $O failed: $(cat "$LW_TMP/import2.out")"
sed 's/^/    /' "$LW_TMP/import2.out" >&2
ip -n "${!ONS}" addr flush dev "${!OIF}"
T1=$(date +%s)
fo_lw_start "$OLW" "$OS"
fo_wait_state "$OLW" normal 40
T_NORMAL=$(($(date +%s) - T1))
fo_wait_state "$LW" normal 10
grep -q 'to recover' "${FO_LOG[$OLW]}" && fo_fail "$OLW went through recover"
grep -q 'peer asked for all updates' "${FO_LOG[$OLW]}" "${FO_LOG[$LW]}" &&
    fo_fail "the leasewire pair resynchronised everything (UPDREQALL)"
FO_KIND[$O]=gone
both_know "$OLW" "$LW" "$NEWR" "${CLIENTS[@]}" "$NEWC"
renew_all "$OLW" "$OL" "$OS"
renew_all "$LW" "$RL" "$RS"
lw_log "6b. $O replaced too: $OLW NORMAL $T_NORMAL s after its start, a leasewire pair with every binding; every client renewed at both"

# 7. The way back (README step 6), one server at a time.
# give_back LW SIDE LAN ISC CFG PARTNER: LW's seat goes back to dhcpd ISC.
give_back() {
    local lw=$1 side=$2 lan=$3 isc=$4 cfg=$5 partner=$6 nsv="NS_$2" back i
    fo_stop "$lw"
    # Control alone: the database and failover engine, no DHCP service, so
    # that nothing changes between the export and dhcpd's start.
    FO_LOG[$lw]="$LW_TMP/$lw.export.log"
    ip netns exec "${!nsv}" "$LW_CONTROL" -c "$cfg" >"${FO_LOG[$lw]}" 2>&1 &
    FO_PID[$lw]=$!
    LW_PIDS+=("${FO_PID[$lw]}")
    fo_wait_state "$lw" normal 30
    back=$LW_TMP/$lw.back.leases
    "$LW_CTL" -c "$cfg" lease-export --format isc -o "$back" >/dev/null || fo_fail "lease-export failed"
    "$LW_CTL" -c "$cfg" shutdown >/dev/null || fo_fail "leasewirectl shutdown failed"
    for i in $(seq 1 50); do
        lw_alive "${FO_PID[$lw]}" || break
        sleep 0.1
    done
    lw_alive "${FO_PID[$lw]}" && fo_fail "control did not stop on leasewirectl shutdown"
    FO_PID[$lw]=
    grep -q "^failover peer \"$FO_NAME\" state {" "$back" || fo_fail "no failover state in the export"
    dhcpd -4 -t -T -cf "$LW_TMP/$isc.conf.orig" -lf "$back" -pf "$LW_TMP/t.pid" >"$LW_TMP/T.out" 2>&1 ||
        fo_fail "dhcpd -t -T failed: $(cat "$LW_TMP/T.out")"
    grep -qE 'line [0-9]+|orrupt' "$LW_TMP/T.out" && fo_fail "dhcpd -T: $(cat "$LW_TMP/T.out")"
    lw_assert_ge "backup leases in the export" 1 "$(grep -c 'binding state backup;' "$back")"
    lw_assert_ge "acknowledged bindings in the export (atsfp)" 1 "$(grep -c '^  atsfp ' "$back")"
    lw_log "7. $lw's export: $(grep -c '^lease ' "$back") leases, $(grep -c '^  tstp ' "$back") not acknowledged yet; dhcpd -T: $(grep -o 'Wrote [0-9]* leases' "$LW_TMP/T.out")"
    cp "$back" "$LW_TMP/$isc.leases"
    FO_CFG[$isc]=$LW_TMP/$isc.conf.orig
    T1=$(date +%s)
    fo_isc_start "$isc" "$side"
    fo_isc_wait "$isc" "Both servers normal" 40
    T_NORMAL=$(($(date +%s) - T1))
    partner_normal "$partner"
    grep -E "I move from .* to recover|peer moves from .* to recover" "${FO_LOG[$isc]}" &&
        fo_fail "$isc went through recover"
    grep -E "Sent update request all|Update request all from" "${FO_LOG[$isc]}" &&
        fo_fail "$isc and $partner resynchronised everything (UPDREQALL)"
    FO_KIND[$isc]=isc
    both_know "$isc" "$partner" "$NEWR" "${CLIENTS[@]}" "$NEWC"
    renew_all "$isc" "$lan" "$side"
    lw_log "7. $isc back in its seat, NORMAL $T_NORMAL s after its start: $(grep -E 'I move' "${FO_LOG[$isc]}" | sed 's/.*failover peer [^:]*: //' | tr '\n' ';') every client renewed its address"
}
give_back "$LW" "$RS" "$RL" "$R" "$CFG" "$OLW"
give_back "$OLW" "$OS" "$OL" "$O" "$OCFG" "$R"

# 8. On the wire: no address was bound to two clients at once.
sleep 1
lw_capture_stop
tshark -r "$LW_TMP/clients.pcap" -Y "dhcp.option.dhcp == 5" -T fields -e frame.time_epoch \
    -e dhcp.hw.mac_addr -e dhcp.ip.your -e dhcp.option.ip_address_lease_time 2>/dev/null |
    awk '{ split($2, m, ","); $2 = m[1]; print }' >"$LW_TMP/acks.txt" # a client id 01+MAC names it twice
python3 "$LW_SOURCE_ROOT/tests/integration/check_pair.py" "$LW_TMP/acks.txt" >&2 ||
    fo_fail "an address was bound to two clients"
lw_log "PASS"
