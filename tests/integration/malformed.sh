#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
#
# A burst of malformed DHCP packets (correct Ethernet/IPv4/UDP around a bad
# payload), sent by dhcp_raw.py: truncated BOOTP, wrong cookie, hlen 17,
# BOOTREPLY to the server port, option lengths past the end, a fixed-size
# option of the wrong size, option overload (52) inside file and sname and
# repeated, a split option over 255 bytes, no message type; then random
# bytes. The server must stay up, count each kind, count parse failures as
# the sum of the kinds, answer none of them, and still lease to a real
# dhclient afterwards.

. "$(dirname "$0")/lib.sh"

EACH=20
KINDS=11 # dhcp_raw.py garbage all

lw_init
lw_need_tool dhclient python3

lw_direct

CFG=$LW_TMP/leasewire.cfg
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
    domain_name_servers = [ "198.18.0.53" ];
    pools = ( { range = "198.18.0.100 - 198.18.0.199"; } );
  }
);
EOF

lw_dp_start "$S" "$CFG" --log-leases

lw_raw "$C" -i "$CI" --count "$EACH" --gap 0.001 garbage all >"$LW_TMP/garbage.out" ||
    lw_fail "dhcp_raw.py garbage failed"
lw_assert_eq "malformed frames sent" $((EACH * KINDS)) "$(grep -c '^garbage ' "$LW_TMP/garbage.out")"
sleep 1
lw_dp_alive

lw_dp_dump
declare -A SEEN
SUM=0
for c in truncated op hlen cookie option-length option-size overload too-long no-type; do
    SEEN[$c]=$(lw_ctr_read "malformed-$c")
    SUM=$((SUM + ${SEEN[$c]:-0}))
    lw_log "malformed-$c = ${SEEN[$c]}"
done
# Each frame has exactly one defect: each kind is counted once per frame.
for c in truncated op hlen cookie option-length option-size too-long no-type; do
    lw_assert_eq "malformed-$c" "$EACH" "${SEEN[$c]}"
done
lw_assert_eq "malformed-overload (in file, in sname, repeated)" $((EACH * 3)) "${SEEN[overload]}"
lw_assert_eq "pkt4-parse-failed (sum of the malformed-* counters)" "$SUM" "$(lw_ctr_read pkt4-parse-failed)"
lw_assert_eq "pkt4-parse-failed" $((EACH * KINDS)) "$SUM"
lw_assert_eq "rx-bad-l3 (the frames themselves are well formed)" 0 "$(lw_ctr_read rx-bad-l3)"
lw_assert_eq "replies sent to malformed requests" 0 \
    "$(($(lw_ctr_read pkt4-offer-sent) + $(lw_ctr_read pkt4-ack-sent) + $(lw_ctr_read pkt4-nak-sent)))"

# Random payloads of random sizes (0 to 600 bytes), half of them behind a
# valid header and cookie so that they reach the option parser.
ip netns exec "$C" python3 - "$CI" "$LW_SOURCE_ROOT/tests/integration" <<'EOF' || lw_fail "random burst failed"
import os, random, socket, struct, sys
sys.path.insert(0, sys.argv[2])
import dhcp_raw as d
rnd = random.Random(2131)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(d.ETH_P_IP))
s.bind((sys.argv[1], d.ETH_P_IP))
mac = d.iface_mac(sys.argv[1])
for i in range(500):
    body = bytes(rnd.getrandbits(8) for _ in range(rnd.randint(0, 600)))
    if i % 2:
        body = d.bootp(mac, i) + struct.pack("!I", d.COOKIE) + body
    s.send(d.frame(mac, b"\xff" * 6, b"\0" * 4, b"\xff" * 4, body))
EOF
sleep 1
lw_dp_alive
lw_log "after the random burst: pkt4-parse-failed $(lw_counter pkt4-parse-failed), rx-dhcp $(lw_ctr_read rx-dhcp), rx-bad-l3 $(lw_ctr_read rx-bad-l3)"
SUM=0
for c in truncated op hlen cookie option-length option-size overload too-long no-type; do
    SUM=$((SUM + $(lw_ctr_read "malformed-$c")))
done
lw_assert_eq "pkt4-parse-failed after the random burst (sum of the malformed-* counters)" "$SUM" \
    "$(lw_ctr_read pkt4-parse-failed)"

# A real client still gets a lease.
lw_dhclient_files a
lw_dhclient "$C" "$CI" || lw_fail "dhclient got no lease after the malformed burst (status $?)"
lw_assert_in_range "leased address" 198.18.0.100 198.18.0.199 "$(lw_lease "$DHC_LEASES" fixed-address)"
lw_dhclient_stop

lw_log "counters (non-zero):"
lw_counter rx-packets >/dev/null
lw_counters_show
lw_dp_stop
lw_log "PASS"
