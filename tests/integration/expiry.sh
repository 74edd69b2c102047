#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
#
# Lease expiry: a client that never renews loses its lease when the lease
# time is over, from the shard's housekeeping (no packet needed), and the
# address goes back to the pool; an offer that is never taken up is let go
# after offer_hold.

. "$(dirname "$0")/lib.sh"

LEASE=3
HOLD=2

lw_init
lw_need_tool python3

lw_direct

CFG=$LW_TMP/leasewire.cfg
cat >"$CFG" <<EOF
dataplane = {
  eal_args = $(lw_eal_args 1);
};
server = {
  authoritative = true;
  default_lease_time = $LEASE;
  min_lease_time = 1;
  max_lease_time = 60;
  offer_hold = $HOLD;
};
ports = (
  { name = "it0"; device = "net_af_packet0,iface=$SI"; address = "198.18.0.1/24"; }
);
subnets = (
  {
    subnet = "198.18.0.0/24";
    pools = ( { range = "198.18.0.100 - 198.18.0.103"; } );
  }
);
EOF
lw_dp_start "$S" "$CFG" --log-leases

R=$(lw_raw "$C" -i "$CI" --mac 02:00:5e:18:04:01 --timeout 1 --retries 3 dora | grep '^ack ')
lw_log "client 1: $R"
lw_assert_eq "client 1 answer" ack "${R%% *}"
ADDR=$(lw_field "$R" addr)
lw_assert_eq "leases-active after the ACK" 1 "$(lw_counter leases-active)"
R=$(lw_raw "$C" -i "$CI" --mac 02:00:5e:18:04:02 --timeout 1 --retries 3 discover)
lw_log "client 2 (offer only): $R"
lw_assert_eq "client 2 answer" offer "${R%% *}"
lw_assert_eq "addresses-free with one lease and one offer" 2 "$(lw_counter addresses-free)"

sleep $((LEASE + 2))
lw_assert_eq "leases-expired" 1 "$(lw_counter leases-expired)"
lw_assert_eq "offers-expired" 1 "$(lw_counter offers-expired)"
lw_assert_eq "leases-active" 0 "$(lw_counter leases-active)"
lw_assert_eq "addresses-free" 4 "$(lw_counter addresses-free)"
grep -q "^lease-log event-expired addr=$ADDR " "$LW_DP_LOG" ||
    lw_fail "no 'lease-log event-expired addr=$ADDR' line in the server log"

lw_dp_stop
lw_log "PASS"
