#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
#
# SIGKILL the control process in the middle of a perfdhcp run. While it is
# down no ACK may leave (the dataplane holds them, then drops them: watched
# on the client's side of the wire); after it is started again, service
# resumes by itself and nothing acknowledged is missing from the database.
#
# Usage: kill_control.sh [WORKERS]

. "$(dirname "$0")/lib.sh"

WORKERS=${1:-1}
RATE=300
SECONDS_RUN=10

lw_init
lw_need_tool perfdhcp dumpcap tshark python3

# A short hold, so that ACKs held while control is down are seen dropped.
lw_relay_run_setup "$WORKERS" "control = {
  socket = \"$LW_TMP/control.sock\";
  state_dir = \"$LW_TMP/state\";
  shm = \"$LW_ID-shm\";
  ack_hold_ms = 500;
};"

lw_dp_start "$S" "$CFG"
PCAP=$LW_TMP/client.pcapng
lw_capture_start "$C" "$CI" "$PCAP"

lw_perfdhcp_bg "$RATE" "$SECONDS_RUN" 02:0e:01:00:00:00

sleep 2.5
lw_log "SIGKILL to control (pid $LW_CTL_PID)"
kill -KILL "$LW_CTL_PID"
wait "$LW_CTL_PID" 2>/dev/null
LW_CTL_PID=
# ACKs made durable just before the kill may still be on their way out.
sleep 0.2
QUIET_FROM=$(lw_now)
sleep 3
QUIET_TO=$(lw_now)
lw_ctl_start
RESUMED_AT=$(lw_now)

wait "$PERF"
lw_capture_stop
lw_log "perfdhcp: $(grep -m1 '^Rate:' "$PERF_OUT")"

lw_acks "$PCAP" >"$LW_TMP/acks.txt"
lw_ctl --json leases >"$LW_TMP/leases.json" || lw_fail "leasewirectl leases failed"
python3 "$(dirname "$0")/check_acks.py" "$LW_TMP/acks.txt" "$LW_TMP/leases.json" \
    --split "$RESUMED_AT" --quiet-window "$QUIET_FROM" "$QUIET_TO" >"$LW_TMP/check.txt"
RC=$?
cat "$LW_TMP/check.txt" >&2
[ "$RC" -eq 0 ] || lw_fail "ACKs left while control was down, or acknowledged leases are missing"

grep -q 'control process not responding' "$LW_DP_LOG" ||
    lw_fail "the dataplane did not say that control stopped responding"
lw_dp_dump
lw_assert_ge "drop-ack-not-durable" 1 "$(lw_ctr_read drop-ack-not-durable)"
lw_log "acks dropped while control was down: $(lw_ctr_read drop-ack-not-durable)"
lw_dp_stop
lw_ctl_stop
lw_log "PASS"
