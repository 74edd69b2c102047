#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
#
# leasewire-loadgen against leasewire over memif, then against its own
# reflector on the same transport (BENCHMARKS.md: show the generator is not
# the limit). No NIC, no hugepages, no namespace: two DPDK processes share a
# memif socket in a temporary directory, removed on exit.
#
# Usage: smoke.sh [CLIENTS [RATE [BUILD_DIR]]]   (100000, 50000, build)
# Prints both summaries; the JSON files are kept in $LG_OUT if set.
set -u

CLIENTS=${1:-100000}
RATE=${2:-50000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${3:-$ROOT/build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
LG=$BUILD/bench/loadgen/leasewire-loadgen
CTL=$BUILD/control/leasewire-control
TMP=$(mktemp -d /tmp/lg-smoke.XXXXXX)
ID=lgs$$
PIDS=()

cleanup() {
    local p
    for p in "${PIDS[@]}"; do
        kill -TERM "$p" 2>/dev/null
    done
    for p in "${PIDS[@]}"; do
        wait "$p" 2>/dev/null
    done
    [ -n "${LG_OUT:-}" ] && cp "$TMP"/*.json "$LG_OUT"/ 2>/dev/null
    rm -rf "$TMP" "/var/run/dpdk/$ID-dp" "/var/run/dpdk/$ID-lg" "/var/run/dpdk/$ID-rf" \
        "/dev/shm/$ID-shm"
}
trap cleanup EXIT

EAL=(--no-huge --no-pci --no-telemetry)

cat >"$TMP/lw.cfg" <<EOF
dataplane = {
  eal_args = [ "--lcores", "0@0,1@1", "--no-huge", "-m", "512", "--no-pci",
               "--no-telemetry", "--file-prefix", "$ID-dp" ];
};
server = {
  authoritative = true;
  default_lease_time = 3600;
  min_lease_time = 60;
  max_lease_time = 7200;
};
ports = (
  { name = "lg0"; device = "net_memif0,role=server,socket=$TMP/dp.sock";
    address = "198.18.0.1/15"; }
);
subnets = (
  {
    subnet = "198.18.0.0/15";
    routers = [ "198.18.0.254" ];
    pools = ( { range = "198.18.1.0 - 198.19.255.250"; } );
  }
);
control = {
  socket = "$TMP/control.sock";
  state_dir = "$TMP/state";
  shm = "$ID-shm";
  durability = "none";
};
EOF

"$CTL" -c "$TMP/lw.cfg" --dataplane >"$TMP/control.log" 2>&1 &
CTL_PID=$!
PIDS+=("$CTL_PID")
for _ in $(seq 1 100); do
    grep -q 'dataplane: ready' "$TMP/control.log" && break
    sleep 0.3
done
grep -q 'dataplane: ready' "$TMP/control.log" || {
    echo "smoke.sh: leasewire not ready:" >&2
    tail -n 5 "$TMP/control.log" >&2
    exit 1
}

echo "== leasewire (durability none), $CLIENTS clients at $RATE/s"
"$LG" -l 0 "${EAL[@]}" -m 256 --file-prefix "$ID-lg" \
    --vdev="net_memif0,role=client,socket=$TMP/dp.sock" -- \
    --clients "$CLIENTS" --rate "$RATE" --duration 60 \
    --range 198.18.1.0-198.19.255.250 --json "$TMP/leasewire.json" 2>"$TMP/lg.err" |
    grep -v '^EAL'
RC=${PIPESTATUS[0]}
kill -TERM "$CTL_PID"
wait "$CTL_PID"
PIDS=()
[ "$RC" -eq 0 ] || {
    tail -n 5 "$TMP/lg.err" >&2
    exit 1
}

echo "== reflector ceiling: rate unpaced, 1024 outstanding, 4 s"
"$LG" -l 1 "${EAL[@]}" -m 256 --file-prefix "$ID-rf" \
    --vdev="net_memif0,role=server,socket=$TMP/rf.sock" -- --reflect --duration 10 \
    >"$TMP/reflect.out" 2>&1 &
PIDS+=("$!")
# A memif client that starts before the server's socket exists never connects.
for _ in $(seq 1 100); do
    [ -S "$TMP/rf.sock" ] && break
    sleep 0.1
done
"$LG" -l 0 "${EAL[@]}" -m 512 --file-prefix "$ID-lg" \
    --vdev="net_memif0,role=client,socket=$TMP/rf.sock" -- \
    --clients 4000000 --rate 0 --max-outstanding 1024 --duration 4 \
    --json "$TMP/reflector.json" 2>"$TMP/lg.err" | grep -v '^EAL'
[ "${PIPESTATUS[0]}" -eq 0 ] || {
    tail -n 5 "$TMP/lg.err" "$TMP/reflect.out" >&2
    exit 1
}
