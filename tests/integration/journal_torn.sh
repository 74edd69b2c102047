#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
#
# Restart without loss, and a torn journal. Five clients get leases; both
# processes stop cleanly and start again: the five leases are back, served
# to the same clients. Then the journal is cut in the middle of its last
# record: control keeps everything before it, says what it dropped, and the
# dataplane is loaded with the four leases that remain.

. "$(dirname "$0")/lib.sh"

lw_init
lw_need_tool python3

lw_direct
CFG=$LW_TMP/leasewire.cfg
cat >"$CFG" <<EOF
dataplane = {
  eal_args = $(lw_eal_args 1);
};
ports = (
  { name = "it0"; device = "net_af_packet0,iface=$SI"; address = "198.18.0.1/24"; }
);
subnets = (
  { subnet = "198.18.0.0/24"; pools = ( { range = "198.18.0.100 - 198.18.0.199"; } ); }
);
EOF

count_leases() {
    lw_ctl --json leases >"$LW_TMP/leases.json" || lw_fail "leasewirectl leases failed"
    python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
l = d.get("leases", []) if isinstance(d, dict) else d
print(sum(1 for x in l if x.get("state", 0) == 0))' "$LW_TMP/leases.json"
}

lw_dp_start "$S" "$CFG"
lw_raw "$C" -i "$CI" --mac 02:00:5e:30:00:00 --count 5 dora >"$LW_TMP/first.out"
lw_assert_eq "ACKs in the first round" 5 "$(grep -c '^ack ' "$LW_TMP/first.out")"
lw_assert_eq "leases in the database" 5 "$(count_leases)"
lw_dp_stop
lw_ctl_stop

# Clean restart: nothing lost, every client gets its own address back.
lw_dp_start "$S" "$CFG"
grep -q 'streamed 5 bindings' "$LW_CTL_LOG" || lw_fail "control did not stream the 5 bindings"
lw_raw "$C" -i "$CI" --mac 02:00:5e:30:00:00 --count 5 dora >"$LW_TMP/second.out"
for i in 1 2 3 4 5; do
    a=$(lw_field "$(grep '^ack ' "$LW_TMP/first.out" | sed -n "${i}p")" addr)
    b=$(lw_field "$(grep '^ack ' "$LW_TMP/second.out" | sed -n "${i}p")" addr)
    lw_assert_eq "client $i's address after the restart" "$a" "$b"
done
lw_dp_stop
lw_ctl_stop

# The newest journal, cut 24 bytes short: its last record (the renewal of the
# fifth client) is torn. Everything before it stays: the five leases.
J=$(ls "$LW_TMP/state-leasewire"/leases.jnl.* | sort -t. -k3 -n | tail -n 1)
SIZE=$(stat -c %s "$J")
truncate -s $((SIZE - 24)) "$J"
lw_log "cut $J from $SIZE to $((SIZE - 24)) bytes"
lw_ctl_start
grep -E 'torn record: kept [0-9]+ records, dropped the last [0-9]+ bytes' "$LW_CTL_LOG" >&2 ||
    lw_fail "control did not say what it dropped"
lw_dp_start "$S" "$CFG"
N=$(count_leases)
lw_log "leases after the torn tail: $N"
lw_assert_eq "leases kept before the torn record" 5 "$N"
lw_dp_stop
lw_ctl_stop
lw_log "PASS"
