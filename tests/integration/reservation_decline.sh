#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
#
# Host reservations and DECLINE.
#
# Reservations (pool 198.18.0.100-109):
#   * the client veth's MAC is reserved 198.18.0.105, inside the pool;
#   * client identifier 01:02:00:5e:18:00:99 is reserved 198.18.0.250,
#     outside the pool.
#   Other clients asking for either address get another one (DISCOVER with
#   option 50) or a NAK (INIT-REBOOT REQUEST); nine other clients take the
#   rest of the pool and a tenth finds it exhausted although .105 is still
#   unused. Then a real dhclient with that MAC gets .105, and one that sends
#   the client identifier gets .250.
#
# DECLINE (pool of two addresses, decline_probation = 8 s): a client takes
#   an address and declines it; the next client gets the other one, the one
#   after that gets nothing (pool exhausted) until the probation is over, and
#   then it is offered the declined address.

. "$(dirname "$0")/lib.sh"

RESV_MAC=02:00:5e:18:00:20
RESV_CID=01:02:00:5e:18:00:99
# Long enough for two client runs on a loaded machine, short for a test.
PROBATION=8

lw_init
lw_need_tool dhclient python3

lw_direct "$RESV_MAC"

# --- reservations --------------------------------------------------------------
CFG=$LW_TMP/resv.cfg
cat >"$CFG" <<EOF
dataplane = {
  eal_args = $(lw_eal_args 1);
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
    pools = ( { range = "198.18.0.100 - 198.18.0.109"; } );
    reservations = (
      { hw_address = "$RESV_MAC"; address = "198.18.0.105"; },
      { client_id = "$RESV_CID"; address = "198.18.0.250"; }
    );
  }
);
EOF
lw_dp_start "$S" "$CFG" --log-leases

# Others ask for the reserved addresses.
for want in 198.18.0.105 198.18.0.250; do
    R=$(lw_raw "$C" -i "$CI" --mac 02:00:5e:18:01:00 --request-ip "$want" discover)
    lw_log "DISCOVER asking for $want: $R"
    lw_assert_eq "answer to a DISCOVER asking for $want" offer "${R%% *}"
    lw_assert_ne "address offered to another client asking for $want" "$want" "$(lw_field "$R" addr)"
    R=$(lw_raw "$C" -i "$CI" --mac 02:00:5e:18:01:0f --request-ip "$want" request)
    lw_log "INIT-REBOOT REQUEST for $want: $R"
    [ "${R%% *}" != ack ] || lw_fail "$want acknowledged to another client: $R"
done

# Nine other clients take the nine free addresses of the pool.
lw_raw "$C" -i "$CI" --mac 02:00:5e:18:01:00 --count 9 dora >"$LW_TMP/nine.out"
grep '^ack ' "$LW_TMP/nine.out" >&2
lw_assert_eq "other clients acknowledged" 9 "$(grep -c '^ack ' "$LW_TMP/nine.out")"
for a in $(sed -n 's/^ack addr=\([^ ]*\) .*/\1/p' "$LW_TMP/nine.out"); do
    lw_assert_in_range "address of another client" 198.18.0.100 198.18.0.109 "$a"
    [ "$a" != 198.18.0.105 ] || lw_fail "the reserved address went to another client"
done
lw_assert_eq "distinct addresses among them" 9 \
    "$(sed -n 's/^ack addr=\([^ ]*\) .*/\1/p' "$LW_TMP/nine.out" | sort -u | wc -l)"
R=$(lw_raw "$C" -i "$CI" --mac 02:00:5e:18:01:09 --timeout 0.5 --retries 1 discover)
lw_log "a tenth client: $R"
lw_assert_eq "answer to a tenth client" none "${R%% *}"
lw_assert_ge "drop-pool-exhausted" 1 "$(lw_counter drop-pool-exhausted)"

# The reserved clients, real dhclients.
lw_dhclient_files mac
lw_dhclient "$C" "$CI" || lw_fail "dhclient (reserved MAC) got no lease (status $?)"
lw_assert_eq "address of the MAC reservation" 198.18.0.105 "$(lw_lease "$DHC_LEASES" fixed-address)"
lw_dhclient_stop

DHC_CONF_EXTRA="send dhcp-client-identifier $RESV_CID;" lw_dhclient_files cid
lw_dhclient "$C" "$CI" || lw_fail "dhclient (reserved client id) got no lease (status $?)"
lw_assert_eq "address of the client-id reservation" 198.18.0.250 "$(lw_lease "$DHC_LEASES" fixed-address)"
lw_assert_eq "routers for the client-id reservation" 198.18.0.254 "$(lw_lease "$DHC_LEASES" routers)"
lw_dhclient_stop
lw_log "counters (non-zero):"
lw_counter rx-packets >/dev/null
lw_counters_show
lw_dp_stop

# --- DECLINE -------------------------------------------------------------------
CFG=$LW_TMP/decline.cfg
cat >"$CFG" <<EOF
dataplane = {
  eal_args = $(lw_eal_args 1);
};
server = {
  authoritative = true;
  default_lease_time = 600;
  decline_probation = $PROBATION;
};
ports = (
  { name = "it0"; device = "net_af_packet0,iface=$SI"; address = "198.18.0.1/24"; }
);
subnets = (
  {
    subnet = "198.18.0.0/24";
    routers = [ "198.18.0.254" ];
    pools = ( { range = "198.18.0.100 - 198.18.0.101"; } );
  }
);
EOF
lw_dp_start "$S" "$CFG" --log-leases

A=$(lw_raw "$C" -i "$CI" --mac 02:00:5e:18:02:00 --then decline dora)
T0=$(date +%s%3N)
echo "$A" >&2
X=$(sed -n 's/^ack addr=\([^ ]*\) .*/\1/p' <<<"$A")
[ -n "$X" ] || lw_fail "the first client got no lease: $A"
grep -q '^sent type=decline' <<<"$A" || lw_fail "no DECLINE sent: $A"

B=$(lw_raw "$C" -i "$CI" --mac 02:00:5e:18:02:01 dora | grep '^ack ')
Y=$(lw_field "$B" addr)
lw_log "second client: $B"
lw_assert_in_range "second client's address" 198.18.0.100 198.18.0.101 "$Y"
lw_assert_ne "second client's address (the declined one is quarantined)" "$X" "$Y"

R=$(lw_raw "$C" -i "$CI" --mac 02:00:5e:18:02:02 --timeout 0.4 --retries 0 discover)
ELAPSED=$(($(date +%s%3N) - T0))
lw_log "third client, $ELAPSED ms after the DECLINE: $R"
[ "$ELAPSED" -lt $((PROBATION * 1000)) ] ||
    lw_fail "the machine is too slow for this check: the third client asked $ELAPSED ms after the DECLINE, after the probation"
lw_assert_eq "answer to a third client during the probation" none "${R%% *}"
lw_assert_ge "drop-pool-exhausted" 1 "$(lw_counter drop-pool-exhausted)"
lw_assert_eq "pkt4-decline-received" 1 "$(lw_ctr_read pkt4-decline-received)"
lw_assert_eq "leases-declined" 1 "$(lw_ctr_read leases-declined)"
grep -q "^lease-log event-declined addr=$X " "$LW_DP_LOG" ||
    lw_fail "no 'lease-log event-declined addr=$X' line in the server log"

# After the probation the declined address comes back.
GOT=
for _ in $(seq 1 $((PROBATION * 5 + 10))); do
    R=$(lw_raw "$C" -i "$CI" --mac 02:00:5e:18:02:02 --timeout 0.4 --retries 0 dora)
    if grep -q '^ack ' <<<"$R"; then
        GOT=$(lw_field "$(grep '^ack ' <<<"$R")" addr)
        break
    fi
    sleep 0.5
done
lw_log "third client, $(($(date +%s%3N) - T0)) ms after the DECLINE: $(tr '\n' ' ' <<<"$R")"
lw_assert_eq "address leased after the probation" "$X" "$GOT"
lw_assert_ge "declined-reclaimed" 1 "$(lw_counter declined-reclaimed)"

lw_log "counters (non-zero):"
lw_counters_show
lw_dp_stop
lw_log "PASS"
