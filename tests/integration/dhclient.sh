#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
#
# A real ISC dhclient leases from the dataplane over a veth:
#   1. it gets an address in the pool, with the router, DNS, domain and lease
#      time of the config (read from its lease file);
#   2. run again with the same lease file (INIT-REBOOT), it gets the same
#      address back;
#   3. with the address on its interface and a short lease, it renews it
#      (RENEWING: unicast REQUEST, ciaddr set) and an INFORM from that
#      address is answered with options and no lease;
#   4. `dhclient -r` releases it, and the server counts one release.
#
# Usage: dhclient.sh [WORKERS]   (1 by default)

. "$(dirname "$0")/lib.sh"

WORKERS=${1:-1}
SHORT_LEASE=20

lw_init
lw_need_tool dhclient python3

lw_direct 02:00:5e:18:00:10

CFG=$LW_TMP/leasewire.cfg
cat >"$CFG" <<EOF
dataplane = {
  eal_args = $(lw_eal_args "$WORKERS");
};
server = {
  authoritative = true;
  default_lease_time = 600;
  min_lease_time = $SHORT_LEASE;
  max_lease_time = 1200;
};
ports = (
  { name = "it0"; device = "net_af_packet0,iface=$SI"; address = "198.18.0.1/24"; }
);
subnets = (
  {
    subnet = "198.18.0.0/24";
    routers = [ "198.18.0.254" ];
    domain_name_servers = [ "198.18.0.53", "198.18.0.54" ];
    domain_name = "it.leasewire.test";
    pools = ( { range = "198.18.0.100 - 198.18.0.199"; } );
  }
);
EOF

lw_dp_start "$S" "$CFG" --log-leases

# 1. First lease.
lw_dhclient_files a
lw_dhclient "$C" "$CI" || lw_fail "dhclient got no lease (status $?); see $LW_TMP/dhclient.out"
ADDR=$(lw_lease "$DHC_LEASES" fixed-address)
lw_assert_in_range "leased address" 198.18.0.100 198.18.0.199 "$ADDR"
lw_assert_eq "subnet mask" 255.255.255.0 "$(lw_lease "$DHC_LEASES" subnet-mask)"
lw_assert_eq "routers" 198.18.0.254 "$(lw_lease "$DHC_LEASES" routers)"
lw_assert_eq "domain name servers" 198.18.0.53,198.18.0.54 "$(lw_lease "$DHC_LEASES" domain-name-servers)"
lw_assert_eq "domain name" it.leasewire.test "$(lw_lease "$DHC_LEASES" domain-name)"
lw_assert_eq "lease time" 600 "$(lw_lease "$DHC_LEASES" dhcp-lease-time)"
lw_assert_eq "server identifier" 198.18.0.1 "$(lw_lease "$DHC_LEASES" dhcp-server-identifier)"
grep -q "^lease-log ack addr=$ADDR " "$LW_DP_LOG" || lw_fail "no 'lease-log ack addr=$ADDR' line in the server log"
lw_dhclient_stop

# 2. Again with the same lease file: INIT-REBOOT asks for the same address.
lw_dhclient "$C" "$CI" || lw_fail "second dhclient run got no lease (status $?)"
lw_assert_eq "address after a second run" "$ADDR" "$(lw_lease "$DHC_LEASES" fixed-address)"
lw_dhclient_stop

# 3. Renewal. The client asks for a short lease so that T1 comes soon, and
# its script puts the address on the interface (RENEWING is a unicast from it).
DHC_ADD_ADDR=1 DHC_CONF_EXTRA="send dhcp-lease-time $SHORT_LEASE;" lw_dhclient_files a
lw_dhclient "$C" "$CI" || lw_fail "third dhclient run got no lease (status $?)"
lw_assert_eq "address after a third run" "$ADDR" "$(lw_lease "$DHC_LEASES" fixed-address)"
lw_assert_eq "requested lease time granted" "$SHORT_LEASE" "$(lw_lease "$DHC_LEASES" dhcp-lease-time)"
ip -n "$C" -o addr show dev "$CI" | grep " $ADDR/24 " >/dev/null || lw_fail "the address is not on $CI"
REQ_BEFORE=$(lw_counter pkt4-request-received)
DHC_MARK=$(wc -l <"$DHC_EVENTS")
EV=$(lw_dhclient_event RENEW $((SHORT_LEASE * 2))) ||
    lw_fail "no renewal within $((SHORT_LEASE * 2)) s; events: $(tail -n 3 "$DHC_EVENTS")"
lw_log "dhclient: $EV"
lw_assert_eq "address after renewal" "$ADDR" "$(sed -n 's/.* ip=\([^ ]*\) .*/\1/p' <<<"$EV")"
lw_assert_ge "REQUESTs received during the renewal" $((REQ_BEFORE + 1)) "$(lw_counter pkt4-request-received)"

# INFORM from the leased address: options, no address.
SMAC=$(lw_mac "$S" "$SI")
INF=$(lw_raw "$C" -i "$CI" --server-mac "$SMAC" --server-id 198.18.0.1 --ciaddr "$ADDR" inform)
lw_log "inform: $INF"
lw_assert_eq "INFORM answer" ack "${INF%% *}"
lw_assert_eq "INFORM yiaddr" 0.0.0.0 "$(lw_field "$INF" addr)"
lw_assert_eq "INFORM routers" 198.18.0.254 "$(lw_field "$INF" routers)"
lw_assert_eq "INFORM lease time (none)" "" "$(lw_field "$INF" lease)"

# 4. Release.
lw_dhclient_release "$C" "$CI" || lw_fail "dhclient -r failed"
for _ in $(seq 1 20); do
    [ "$(lw_counter leases-released)" -ge 1 ] && break
    sleep 0.2
done
lw_assert_eq "pkt4-release-received" 1 "$(lw_counter pkt4-release-received)"
lw_assert_eq "leases-released" 1 "$(lw_ctr_read leases-released)"
grep -q "^lease-log event-released addr=$ADDR " "$LW_DP_LOG" ||
    lw_fail "no 'lease-log event-released addr=$ADDR' line in the server log"
lw_assert_eq "pkt4-parse-failed" 0 "$(lw_ctr_read pkt4-parse-failed)"
# The client's kernel resolved 198.18.0.1 before its unicasts.
lw_assert_ge "arp-reply-sent" 1 "$(lw_ctr_read arp-reply-sent)"

lw_log "counters (non-zero):"
lw_counters_show
lw_dp_stop
lw_log "PASS"
