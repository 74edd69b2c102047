#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
#
# With 2 workers the free addresses of a pool are divided between the two
# shards, and clients are divided by the hash of their identity, not evenly.
# A pool of 16 addresses must still serve 16 clients (a shard that runs dry
# gets addresses moved from the other), and only the 17th finds it exhausted.
# While no client asks, the division settles (no addresses moving back and
# forth).

. "$(dirname "$0")/lib.sh"

POOL=16

lw_init
lw_need_tool python3

lw_direct

CFG=$LW_TMP/leasewire.cfg
cat >"$CFG" <<EOF
dataplane = {
  eal_args = $(lw_eal_args 2);
};
server = {
  authoritative = true;
  default_lease_time = 600;
};
ports = (
  { name = "it0"; device = "net_af_packet0,iface=$SI"; address = "198.18.0.1/24"; }
);
subnets = (
  {
    subnet = "198.18.0.0/24";
    routers = [ "198.18.0.254" ];
    pools = ( { range = "198.18.0.100 - 198.18.0.$((100 + POOL - 1))"; } );
  }
);
EOF
lw_dp_start "$S" "$CFG" --log-leases
# Idle, the division must settle: addresses move to a shard that runs dry,
# not back and forth between shards that both have some.
G0=$(lw_counter addresses-granted-in)
lw_log "at start: free w0 $(lw_ctr_read addresses-free w0), w1 $(lw_ctr_read addresses-free w1); moved so far $G0"
sleep 1
G1=$(lw_counter addresses-granted-in)
lw_log "1 s later: free w0 $(lw_ctr_read addresses-free w0), w1 $(lw_ctr_read addresses-free w1); moved so far $G1"
if [ $((G1 - G0)) -gt "$POOL" ]; then
    lw_fail "idle shards keep moving addresses: $((G1 - G0)) moves in 1 s with a pool of $POOL"
fi

lw_raw "$C" -i "$CI" --mac 02:00:5e:18:03:00 --count "$POOL" --timeout 1 --retries 3 dora >"$LW_TMP/dora.out"
grep '^ack ' "$LW_TMP/dora.out" >&2
lw_assert_eq "clients acknowledged" "$POOL" "$(grep -c '^ack ' "$LW_TMP/dora.out")"
lw_assert_eq "distinct addresses" "$POOL" \
    "$(sed -n 's/^ack addr=\([^ ]*\) .*/\1/p' "$LW_TMP/dora.out" | sort -u | wc -l)"
lw_log "leases per worker: w0 $(lw_counter leases-active w0), w1 $(lw_ctr_read leases-active w1);" \
    "addresses moved in: w0 $(lw_ctr_read addresses-granted-in w0), w1 $(lw_ctr_read addresses-granted-in w1);" \
    "drop-pool-wait $(lw_ctr_read drop-pool-wait)"
lw_assert_eq "addresses-free" 0 "$(lw_ctr_read addresses-free)"

R=$(lw_raw "$C" -i "$CI" --mac 02:00:5e:18:03:ff --timeout 0.5 --retries 1 discover)
lw_log "client $((POOL + 1)): $R"
lw_assert_eq "answer to client $((POOL + 1))" none "${R%% *}"
lw_assert_ge "drop-pool-exhausted" 1 "$(lw_counter drop-pool-exhausted)"

lw_log "counters (non-zero):"
lw_counters_show
lw_dp_stop
lw_log "PASS"
