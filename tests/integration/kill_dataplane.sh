#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
#
# SIGKILL the dataplane in the middle of a perfdhcp run and start it again
# while control keeps running. Every address a client received an ACK for
# (collected on the client's side of the wire) must still be bound to that
# client in the lease database, no address may be acknowledged to two
# clients over the whole run, and the restarted dataplane must serve again.
#
# Usage: kill_dataplane.sh [WORKERS]

. "$(dirname "$0")/lib.sh"

WORKERS=${1:-1}
RATE=400
SECONDS_RUN=8

lw_init
lw_need_tool perfdhcp dumpcap tshark python3

lw_relay_run_setup "$WORKERS"

lw_dp_start "$S" "$CFG"
PCAP=$LW_TMP/client.pcapng
lw_capture_start "$C" "$CI" "$PCAP"

lw_perfdhcp_bg "$RATE" "$SECONDS_RUN" 02:0d:01:00:00:00

sleep 3
KILLED_AT=$(lw_now)
lw_log "SIGKILL to the dataplane (pid $LW_DP_PID)"
kill -KILL "$LW_DP_PID"
wait "$LW_DP_PID" 2>/dev/null
LW_DP_PID=
sleep 0.5
lw_dp_start "$S" "$CFG"
RESTARTED_AT=$(lw_now)

wait "$PERF"
lw_capture_stop
lw_log "perfdhcp: $(grep -m1 '^Rate:' "$PERF_OUT")"
lw_log "control: $(grep -c 'streamed' "$LW_CTL_LOG") start-up streams;" \
    "$(grep 'streamed' "$LW_CTL_LOG" | tail -n 1)"

lw_acks "$PCAP" >"$LW_TMP/acks.txt"
lw_ctl --json leases >"$LW_TMP/leases.json" || lw_fail "leasewirectl leases failed"
python3 "$(dirname "$0")/check_acks.py" "$LW_TMP/acks.txt" "$LW_TMP/leases.json" \
    --split "$RESTARTED_AT" >"$LW_TMP/check.txt"
RC=$?
cat "$LW_TMP/check.txt" >&2
[ "$RC" -eq 0 ] || lw_fail "acknowledged leases lost or given twice (killed at $KILLED_AT)"

# The restarted dataplane got the bindings back: it streamed at least as many
# as clients had ACKs before the kill.
BEFORE=$(awk -v t="$KILLED_AT" '$1 < t' "$LW_TMP/acks.txt" | wc -l)
STREAMED=$(grep 'streamed' "$LW_CTL_LOG" | tail -n 1 | sed 's/.*streamed \([0-9]*\) bindings.*/\1/')
lw_assert_ge "bindings streamed to the restarted dataplane" "$BEFORE" "$STREAMED"
lw_dp_stop
lw_ctl_stop
lw_log "PASS"
