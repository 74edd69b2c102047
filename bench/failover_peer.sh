#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
#
# Does a slow failover peer slow leasewire down? A leasewire primary and a
# peer secondary (a real ISC dhcpd, or another leasewire) on one bridge;
# perfdhcp offers RATE new clients per second for SECS seconds in each of
# three phases, and the primary's own figures are read from its counters:
#
#   normal      the pair is NORMAL: the primary answers its hash buckets
#               and sends every binding to the peer (BNDUPD);
#   peer-hung   the peer is stopped (SIGSTOP): the primary goes
#               communications-interrupted and answers every client; its
#               updates wait in the backlog;
#   recovered   the peer resumes: NORMAL again, the backlog drains.
#
# Per phase: leases the primary acknowledged per second, perfdhcp's answered
# exchanges, the primary's backlog and updates sent. Run as root:
#
#   bench/failover_peer.sh [isc|lw] [RATE] [SECS]     (isc 2000 10 by default)
#
# Uses the integration tests' helpers (namespaces, configurations); nothing
# leaves the namespaces it creates. Durability: fsync group commit on
# leasewire, fsync per lease on ISC dhcpd (its only mode).

set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${LW_BUILD:-$ROOT/build}
export LW_DATAPLANE=$BUILD/dataplane/leasewire-dataplane LW_CONTROL=$BUILD/control/leasewire-control
export LW_CTL=$BUILD/control/leasewirectl LW_SOURCE_ROOT=$ROOT
. "$ROOT/tests/integration/lib.sh"
FO_PLEN=16
POOL_FIRST=198.18.1.0
POOL_LAST=198.18.255.250
. "$ROOT/tests/integration/fo_lib.sh"

KIND=${1:-isc}
RATE=${2:-2000}
SECS=${3:-10}
lw_init
lw_need_tool perfdhcp python3
[ "$KIND" = isc ] && lw_need_tool dhcpd

P=lwA
S=${KIND}B
fo_topology
ip -n "$NS_C" addr add 198.18.0.5/16 dev "$IF_C"
fo_lw_cfg "$P" A primary 60
if [ "$KIND" = isc ]; then fo_isc_cfg "$S" B secondary; else fo_lw_cfg "$S" B secondary; fi
if [ "$KIND" = isc ]; then fo_isc_start "$S" B; else fo_lw_start "$S" B; fi
fo_lw_start "$P" A
fo_wait_state "$P" normal 60
sleep 5

acks() { # the primary's pkt4-ack-sent, all workers
    fo_ctl "$P" --json stats pkt4-ack-sent 2>/dev/null |
        python3 -c 'import json,sys; d=json.load(sys.stdin); v=d.get("pkt4-ack-sent"); print(v[0][0] if v else 0)'
}
BASE=0
phase() { # NAME: one perfdhcp run, then a line of the table
    local name=$1 a0 a1 s0 s1 out=$LW_TMP/perf-$1.out
    a0=$(acks)
    s0=$(fo_field "$P" bndupd-sent)
    lw_perfdhcp "$NS_C" "$out" -4 -l "$IF_C" -r "$RATE" -R 1000000 -p "$SECS" \
        -b mac=02:$(printf '%02x' $BASE):00:00:00:00
    BASE=$((BASE + 1))
    a1=$(acks)
    s1=$(fo_field "$P" bndupd-sent)
    printf '%-10s %8s %12s %14s %10s %12s %10s\n' "$name" "$RATE" \
        "$(((a1 - a0) / SECS))" "$(lw_perf_stat "$out" REQUEST-ACK "received packets")" \
        "$(fo_field "$P" backlog)" "$((s1 - s0))" "$(fo_state "$P")" | tee -a "$LW_TMP/table"
}

printf '%-10s %8s %12s %14s %10s %12s %10s\n' phase offered/s primary-ack/s perfdhcp-acks \
    backlog bndupd-sent state | tee "$LW_TMP/table"
phase normal
kill -STOP "${FO_PID[$S]}"
fo_wait_state "$P" communications-interrupted 30
phase peer-hung
kill -CONT "${FO_PID[$S]}"
fo_wait_state "$P" normal 60
phase recovered
for i in $(seq 1 100); do
    [ "$(fo_field "$P" backlog)" = 0 ] && break
    sleep 0.2
done
echo "after the run: backlog $(fo_field "$P" backlog), backlog max $(fo_field "$P" backlog-max)," \
    "updates sent $(fo_field "$P" bndupd-sent), acknowledged $(fo_field "$P" bndack-received)," \
    "rejected $(fo_field "$P" bndack-rejected-by-peer) (peer: $KIND; $(nproc) CPUs shared by" \
    "perfdhcp, both servers and the bridge)"
