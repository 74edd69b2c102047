#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
#
# auto-partner-down: a leasewire primary with `auto_partner_down = 4` next
# to a real ISC dhcpd secondary. When ISC goes away, leasewire goes
# communications-interrupted, and PARTNER-DOWN by itself 4 s later; without
# the setting (the default) it stays communications-interrupted.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fo_lib.sh"

lw_init
lw_need_tool python3 dhcpd
fo_topology
FO_EXTRA="auto_partner_down = 4;" fo_lw_cfg lwA A primary
fo_isc_cfg iscB B secondary
fo_isc_start iscB B
fo_lw_start lwA A
fo_wait_state lwA normal 40
lw_assert_eq "auto-partner-down in failover-status" 4 "$(fo_field lwA auto-partner-down)"

fo_stop iscB
fo_wait_state lwA communications-interrupted 20
T0=$(date +%s.%N)
fo_wait_state lwA partner-down 15
DT=$(python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 1))" "$T0" "$(date +%s.%N)")
lw_log "partner-down ${DT} s after communications-interrupted"
python3 -c "import sys; sys.exit(0 if 2.5 <= float(sys.argv[1]) <= 8 else 1)" "$DT" ||
    fo_fail "partner-down after $DT s, expected about 4"
grep -q 'I move from communications-interrupted to partner-down' "${FO_LOG[lwA]}" ||
    fo_fail "no 'I move from communications-interrupted to partner-down' in the log"
lw_log "PASS"
