#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
#
# An idle worker naps (dataplane.idle_sleep_us, default 100 us) instead of
# polling flat out, so that on a small machine the control process and the
# host keep their CPU while there is no traffic: with no client, the worker
# thread uses well under half a core and counts idle-naps; the first
# clients after the quiet spell are answered; with idle_sleep_us = 0 it never
# naps.

. "$(dirname "$0")/lib.sh"

lw_init
lw_need_tool python3

lw_direct

# write_cfg IDLE_SLEEP_US|"" : the configuration, with the key or without it.
write_cfg() {
    local key=""
    [ -n "$1" ] && key="idle_sleep_us = $1;"
    cat >"$LW_TMP/leasewire.cfg" <<EOF
dataplane = {
  eal_args = $(lw_eal_args 1);
  $key
};
ports = (
  { name = "it0"; device = "net_af_packet0,iface=$SI"; address = "198.18.0.1/24"; }
);
subnets = (
  {
    subnet = "198.18.0.0/24";
    pools = ( { range = "198.18.0.100 - 198.18.0.199"; } );
  }
);
EOF
}

# worker_ticks: user + system clock ticks of the worker's thread (lw-worker-0).
worker_ticks() {
    local t
    for t in /proc/"$LW_DP_PID"/task/*; do
        if [ "$(cat "$t/comm" 2>/dev/null)" = lw-worker-0 ]; then
            awk '{ print $14 + $15 }' "$t/stat"
            return 0
        fi
    done
    return 1
}

# 1. The default: naps while idle.
write_cfg ""
lw_dp_start "$S" "$LW_TMP/leasewire.cfg"
sleep 1
HZ=$(getconf CLK_TCK)
T0=$(worker_ticks) || lw_fail "no thread lw-worker-0 in process $LW_DP_PID"
sleep 4
T1=$(worker_ticks) || lw_fail "no thread lw-worker-0 in process $LW_DP_PID"
PCT=$(((T1 - T0) * 100 / (4 * HZ)))
lw_log "idle worker, default idle_sleep_us: $PCT % of a core over 4 s"
lw_assert_le "idle worker's CPU, percent of a core" 50 "$PCT"
lw_assert_ge "idle-naps" 1000 "$(lw_counter idle-naps)"

OUT=$(lw_raw "$C" -i "$CI" --mac 02:00:00:00:07:00 --count 5 --timeout 2 dora)
lw_assert_eq "clients leased after the quiet spell" 5 "$(echo "$OUT" | grep -c '^ack addr=')"
lw_dp_stop

# 2. idle_sleep_us = 0: polls always.
write_cfg 0
lw_dp_start "$S" "$LW_TMP/leasewire.cfg"
sleep 1
T0=$(worker_ticks) || lw_fail "no thread lw-worker-0 in process $LW_DP_PID"
sleep 2
T1=$(worker_ticks) || lw_fail "no thread lw-worker-0 in process $LW_DP_PID"
lw_log "idle worker, idle_sleep_us = 0: $(((T1 - T0) * 100 / (2 * HZ))) % of a core over 2 s"
lw_assert_eq "idle-naps with idle_sleep_us = 0" 0 "$(lw_counter idle-naps)"
OUT=$(lw_raw "$C" -i "$CI" --mac 02:00:00:00:08:00 --count 5 --timeout 2 dora)
lw_assert_eq "clients leased, always polling" 5 "$(echo "$OUT" | grep -c '^ack addr=')"
lw_dp_stop
lw_log "PASS"
