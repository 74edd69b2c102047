#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
#
# Rebalancing by control: two workers share a 40-address pool (20 each at
# start-up). Sixteen clients whose RFC 3074 hash puts them all on worker 0
# take a lease; worker 0 falls below half the average free count, and
# control tells worker 1 to give it half the difference (LW_CMD_MOVE). The
# statistics show the move and every client has its lease.

. "$(dirname "$0")/lib.sh"

lw_init
lw_need_tool python3

lw_direct
CFG=$LW_TMP/leasewire.cfg
cat >"$CFG" <<EOF
dataplane = {
  eal_args = $(lw_eal_args 2);
};
ports = (
  { name = "it0"; device = "net_af_packet0,iface=$SI"; address = "198.18.0.1/24"; }
);
subnets = (
  { subnet = "198.18.0.0/24"; pools = ( { range = "198.18.0.100 - 198.18.0.139"; } ); }
);
EOF

# MACs whose hash bucket belongs to worker 0 (bucket % 2 == 0), from the
# RFC 3074 table in common/lb_hash.c.
MACS=$(python3 - "$LW_SOURCE_ROOT/common/lb_hash.c" <<'PYEOF'
import re, sys
src = open(sys.argv[1]).read()
body = src[src.index("lb_table[256] = {") : src.index("};", src.index("lb_table[256]"))]
table = [int(x) for x in re.findall(r"\d+", body)[1:]]
assert len(table) == 256
def h(key):
    v = len(key)
    for b in reversed(key):
        v = table[v ^ b]
    return v
out = []
i = 0
while len(out) < 16:
    mac = [0x02, 0x00, 0x5e, 0x50, i >> 8, i & 0xff]
    if h(mac) % 2 == 0:
        out.append(":".join("%02x" % b for b in mac))
    i += 1
print(" ".join(out))
PYEOF
)

lw_dp_start "$S" "$CFG"
N=0
for mac in $MACS; do
    R=$(lw_raw "$C" -i "$CI" --mac "$mac" dora | grep '^ack ') && N=$((N + 1))
done
lw_assert_eq "clients with a lease" 16 "$N"

# Control looks every 100 ms; give it a second.
sleep 1
OUT=$(lw_ctl --json stats rebalance-moves) || lw_fail "stats rebalance-moves: $OUT"
MOVES=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["rebalance-moves"][0][0])' "$OUT")
lw_assert_ge "rebalance moves sent by control" 1 "$MOVES"
lw_dp_dump
lw_assert_ge "addresses moved by control (worker 1 gave)" 1 \
    "$(lw_ctr_read addresses-moved-by-control w1)"
lw_assert_ge "addresses granted in (worker 0 received)" 1 "$(lw_ctr_read addresses-granted-in w0)"
lw_log "worker 0 free now $(lw_ctr_read addresses-free w0), worker 1 $(lw_ctr_read addresses-free w1)"
lw_dp_stop
lw_ctl_stop
lw_log "PASS"
