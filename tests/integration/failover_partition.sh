#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
#
# A partition under load: clients keep coming while the link between the
# two servers is down, then up again. leasewire is the primary; the
# secondary is a real ISC dhcpd 4.4 or another leasewire.
#   1. the pair is NORMAL; three client loops run DORA over 120 clients
#      (new ones and renewals, secs 0..9, so both balanced and unbalanced);
#   2. the failover link goes down: both sides go communications-
#      interrupted and keep answering from their own pools;
#   3. the link comes back: both NORMAL again, the backlog drains;
#   4. over every DHCPACK the clients saw, no address was bound to two
#      clients at once, and every client's last address is bound to it in
#      the primary's store.
#
# Usage: failover_partition.sh isc|lw   (the secondary's kind)

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fo_lib.sh"

KIND=${1:-isc}
POOL_LAST=198.18.0.250 # 151 addresses
lw_init
lw_need_tool python3 dumpcap tshark
[ "$KIND" = isc ] && lw_need_tool dhcpd

P=lwA
S=${KIND}B
fo_topology
fo_lw_cfg "$P" A primary 20
if [ "$KIND" = isc ]; then fo_isc_cfg "$S" B secondary; else fo_lw_cfg "$S" B secondary; fi
if [ "$KIND" = isc ]; then fo_isc_start "$S" B; else fo_lw_start "$S" B; fi
fo_lw_start "$P" A
fo_wait_state "$P" normal 40
sleep 3
lw_log "1. NORMAL"

lw_capture_start "$NS_C" "$IF_C" "$LW_TMP/clients.pcap"
STOP=$LW_TMP/stop-load
load() { # BASE-MAC: 40 clients, round after round, until $STOP exists
    local base=$1 secs=0
    while [ ! -e "$STOP" ]; do
        lw_raw "$NS_C" -i "$IF_C" --mac "$base" --count 40 --secs $secs --timeout 0.5 --retries 1 \
            dora >>"$LW_TMP/load.out" 2>&1
        secs=$(((secs + 3) % 10))
    done
}
LOAD_PIDS=()
for base in 02:00:00:00:10:00 02:00:00:00:20:00 02:00:00:00:30:00; do
    load $base &
    LOAD_PIDS+=($!)
    LW_PIDS+=($!)
done
sleep 4

# 2. Partition.
fo_cut
fo_wait_state "$P" communications-interrupted 30
[ "$KIND" = lw ] && fo_wait_state "$S" communications-interrupted 30
lw_log "2. partitioned"
sleep 8

# 3. Healed.
fo_heal
fo_wait_state "$P" normal 40
[ "$KIND" = lw ] && fo_wait_state "$S" normal 20
lw_log "3. NORMAL again"
sleep 4
touch "$STOP"
for pid in "${LOAD_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
sleep 3
for i in $(seq 1 50); do
    [ "$(fo_field "$P" backlog)" = 0 ] && [ "$(fo_field "$P" unacked-updates)" = 0 ] && break
    sleep 0.2
done
lw_assert_eq "backlog after the partition" 0 "$(fo_field "$P" backlog)"

# 4. No address to two clients at once.
lw_capture_stop
tshark -r "$LW_TMP/clients.pcap" -Y "dhcp.option.dhcp == 5" -T fields -e frame.time_epoch \
    -e dhcp.hw.mac_addr -e dhcp.ip.your -e dhcp.option.ip_address_lease_time \
    >"$LW_TMP/acks.txt" 2>/dev/null
ACKS=$(wc -l <"$LW_TMP/acks.txt")
lw_assert_ge "DHCPACKs seen" 100 "$ACKS"
python3 "$LW_SOURCE_ROOT/tests/integration/check_pair.py" "$LW_TMP/acks.txt" ||
    fo_fail "an address was bound to two clients"
lw_log "primary: $(fo_ctl "$P" failover | grep -E 'bndupd-sent|bndack-received|backlog-max' | tr '\n' ' ')"
lw_log "PASS"
