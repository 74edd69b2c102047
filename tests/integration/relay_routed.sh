#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
#
# A relay that is not on the server's link:
#
#   server ns              router ns (forwarding)             relay ns
#   dataplane  s0 ---- r0 198.18.0.254   r1 198.18.16.1 ---- l0 198.18.16.2
#   198.18.0.1/24                                              perfdhcp
#
# The server's only route to 198.18.16.0/20 is its default gateway
# 198.18.0.254: the replies to giaddr 198.18.16.2 must go to the gateway's
# MAC, which the dataplane resolves with ARP. The router knows the server's
# MAC statically, so it never sends an ARP request the server could learn
# the gateway from: the dataplane must ask itself. Every exchange must complete
# and every address must be in the relay's subnet and given once. The
# server also answers ping from the relay (through the gateway).
#
# Usage: relay_routed.sh [WORKERS]   (1 by default)

. "$(dirname "$0")/lib.sh"

WORKERS=${1:-1}
CLIENTS=1000
RATE=200

lw_init
lw_need_tool perfdhcp ping sysctl

lw_netns S s
lw_netns R r
lw_netns L l
SI=$(lw_name s0)
R0=$(lw_name r0)
R1=$(lw_name r1)
LI=$(lw_name l0)
lw_veth "$S" "$SI" "$R" "$R0"
lw_veth "$R" "$R1" "$L" "$LI"
ip -n "$R" addr add 198.18.0.254/24 dev "$R0"
ip -n "$R" addr add 198.18.16.1/20 dev "$R1"
ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1
ip -n "$L" addr add 198.18.16.2/20 dev "$LI"
ip -n "$L" route add default via 198.18.16.1

CFG=$LW_TMP/leasewire.cfg
cat >"$CFG" <<EOF
dataplane = {
  eal_args = $(lw_eal_args "$WORKERS");
};
server = {
  authoritative = true;
  default_lease_time = 3600;
  min_lease_time = 60;
  max_lease_time = 7200;
};
ports = (
  {
    name = "it0";
    device = "net_af_packet0,iface=$SI";
    address = "198.18.0.1/24";
    routes = ( { to = "0.0.0.0/0"; via = "198.18.0.254"; } );
  }
);
subnets = (
  {
    subnet = "198.18.0.0/24";
    routers = [ "198.18.0.254" ];
    pools = ( { range = "198.18.0.100 - 198.18.0.199"; } );
  },
  {
    subnet = "198.18.16.0/20";
    routers = [ "198.18.16.1" ];
    domain_name_servers = [ "198.18.0.53" ];
    pools = (
      { range = "198.18.16.100 - 198.18.19.255"; },
      { range = "198.18.20.0 - 198.18.20.200"; }
    );
  }
);
EOF

ip -n "$R" neigh replace 198.18.0.1 lladdr "$(lw_mac "$S" "$SI")" dev "$R0" nud permanent
lw_dp_start "$S" "$CFG" --log-leases

# ICMP echo to the server's address, from the router (on-link) and from the
# relay (the reply goes back through the gateway).
ip netns exec "$R" ping -c 2 -i 0.2 -W 2 198.18.0.1 >"$LW_TMP/ping-r.out" 2>&1 ||
    lw_fail "no answer to ping from the router: $(tail -n 3 "$LW_TMP/ping-r.out")"
ip netns exec "$L" ping -c 2 -i 0.2 -W 2 198.18.0.1 >"$LW_TMP/ping-l.out" 2>&1 ||
    lw_fail "no answer to ping from the relay: $(tail -n 3 "$LW_TMP/ping-l.out")"
lw_assert_ge "icmp-echo-sent" 4 "$(lw_counter icmp-echo-sent)"

OUT=$LW_TMP/perfdhcp.out
lw_perfdhcp "$L" "$OUT" -4 -l "$LI" -r "$RATE" -R "$CLIENTS" -n "$CLIENTS" -d 16 -W 17000000 -u \
    -b mac=02:0c:03:00:00:00 198.18.0.1
RC=$?
sed -n '/^\*\*\*Rate/,$p' "$OUT" | grep -E 'Rate:|Statistics for|sent packets|received packets|drops:' >&2
lw_perf_check "$OUT" "$CLIENTS"
lw_assert_eq "perfdhcp exit status" 0 "$RC"
lw_leaselog_check "$LW_DP_LOG" "$CLIENTS"

OUTSIDE=$(awk '$1 == "lease-log" && $2 == "ack" { sub(/^addr=/, "", $3); print $3 }' "$LW_DP_LOG" |
    grep -v '^198\.18\.\(1[6-9]\|20\)\.' | head -n 3)
[ -z "$OUTSIDE" ] || lw_fail "addresses outside the relay's subnet acknowledged: $OUTSIDE"

lw_assert_ge "arp-request-sent (the gateway was resolved)" 1 "$(lw_counter arp-request-sent)"
lw_assert_ge "arp-learned" 1 "$(lw_ctr_read arp-learned)"
lw_assert_eq "drop-no-route" 0 "$(lw_ctr_read drop-no-route)"
lw_assert_eq "drop-neigh-unresolved" 0 "$(lw_ctr_read drop-neigh-unresolved)"
lw_assert_eq "pkt4-ack-sent" "$LW_PERF_SENT" "$(lw_ctr_read pkt4-ack-sent)"
if [ "$WORKERS" -ge 2 ]; then
    for ((w = 0; w < WORKERS; w++)); do
        lw_assert_ge "binding-events on worker w$w" 1 "$(lw_ctr_read binding-events "w$w")"
    done
fi

lw_log "counters (non-zero):"
lw_counters_show
lw_dp_stop
lw_log "PASS"
