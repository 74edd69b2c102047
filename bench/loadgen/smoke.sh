#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
#
# leasewire-loadgen against leasewire over memif, each scenario, then against
# its own reflector on the same transport (BENCHMARKS.md: show the generator
# is not the limit). No NIC, no hugepages, no namespace: two DPDK processes
# share a memif socket in a temporary directory, removed on exit.
#
#   1. dora: CLIENTS at RATE; --series and --cdf, then plot.gp makes a PNG;
#   2. renew: 20,000 clients bind, then renew by unicast: every renewal
#      ACKed with the client's own address; again through a relay with
#      client identifiers (5,000 clients);
#   3. release --reuse: a pool of exactly 10,000 addresses; 10,000 clients
#      bind and release, 10,000 new clients must then bind (so the released
#      addresses came back); the server's leases-released must be 10,000;
#   4. avalanche: 20,000 clients arriving within 2 s, RFC 2131 backoff: all
#      bound, no address twice;
#   5. the reflector's ceiling.
# Every check failing makes the script exit 1.
#
# Usage: smoke.sh [CLIENTS [RATE [BUILD_DIR]]]   (100000, 50000, build)
# Not run by `meson test` (bench suite: never in the default run); about
# 45 s on a quiet 2-vCPU machine. Exit 77 when a tool is missing.
# Needs python3 (the checks read the JSON) and gnuplot (apt-get install
# gnuplot-nox). The JSON, CSV and PNG files are kept in $LG_OUT if set.
set -u

CLIENTS=${1:-100000}
RATE=${2:-50000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${3:-$ROOT/build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
LG=$BUILD/bench/loadgen/leasewire-loadgen
CTL=$BUILD/control/leasewire-control
LWCTL=$BUILD/control/leasewirectl
TMP=$(mktemp -d /tmp/lg-smoke.XXXXXX)
ID=lgs$$
PIDS=()
FAILS=0

missing=()
command -v python3 >/dev/null 2>&1 || missing+=("python3 (apt-get install python3)")
command -v gnuplot >/dev/null 2>&1 || missing+=("gnuplot (apt-get install gnuplot-nox)")
if [ ${#missing[@]} -gt 0 ]; then
    printf 'smoke.sh: missing: %s\n' "${missing[@]}" >&2
    exit 77
fi

cleanup() {
    local p
    for p in "${PIDS[@]}"; do
        kill -TERM "$p" 2>/dev/null
    done
    for p in "${PIDS[@]}"; do
        wait "$p" 2>/dev/null
    done
    [ -n "${LG_OUT:-}" ] && cp "$TMP"/*.json "$TMP"/*.csv "$TMP"/*.png "$LG_OUT"/ 2>/dev/null
    rm -rf "$TMP" "/var/run/dpdk/$ID-dp" "/var/run/dpdk/$ID-lg" "/var/run/dpdk/$ID-rf" \
        "/dev/shm/$ID-shm"
}
trap cleanup EXIT

fail() {
    echo "smoke.sh: FAIL: $*" >&2
    FAILS=$((FAILS + 1))
}

EAL=(--no-huge --no-pci --no-telemetry)

# start_lw RANGE: leasewire (durability none, one worker) with one pool.
start_lw() {
    rm -rf "$TMP/state" "$TMP/dp.sock" "$TMP/control.sock"
    cat >"$TMP/lw.cfg" <<EOC
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
    pools = ( { range = "$1"; } );
  }
);
control = {
  socket = "$TMP/control.sock";
  state_dir = "$TMP/state";
  shm = "$ID-shm";
  durability = "none";
};
EOC
    : >"$TMP/control.log"
    "$CTL" -c "$TMP/lw.cfg" --dataplane >"$TMP/control.log" 2>&1 &
    CTL_PID=$!
    PIDS=("$CTL_PID")
    for _ in $(seq 1 100); do
        grep -q 'dataplane: ready' "$TMP/control.log" && return 0
        sleep 0.3
    done
    echo "smoke.sh: leasewire not ready:" >&2
    tail -n 5 "$TMP/control.log" >&2
    exit 1
}

stop_lw() {
    kill -TERM "$CTL_PID"
    wait "$CTL_PID"
    PIDS=()
}

# lg NAME ARGS...: the generator against leasewire; NAME.json in $TMP.
lg() {
    local name=$1 rc
    shift
    "$LG" -l 0 "${EAL[@]}" -m 256 --file-prefix "$ID-lg" \
        --vdev="net_memif0,role=client,socket=$TMP/dp.sock" -- \
        --json "$TMP/$name.json" "$@" 2>"$TMP/$name.err" | grep -v '^EAL'
    rc=${PIPESTATUS[0]}
    if [ "$rc" -ne 0 ]; then
        tail -n 5 "$TMP/$name.err" >&2
        fail "$name: leasewire-loadgen exited $rc"
        return 1
    fi
}

# check NAME PYTHON-EXPR: asserts an expression over the JSON (j: the
# whole file, c: its counters), e.g. check x 'c["renewed"] == 100'.
check() {
    if python3 - "$TMP/$1.json" "$2" <<'EOP'; then
import json, sys
j = json.load(open(sys.argv[1]))
c = j["counters"]
sys.exit(0 if eval(sys.argv[2]) else 1)
EOP
        echo "   ok: $1: $2"
    else
        fail "$1: $2"
    fi
}

# The correctness every scenario shares: no failed check, no address twice.
check_clean() {
    local k
    for k in dup-address ack-mismatch chaddr-mismatch bad-xid out-of-range yiaddr-zero \
        no-server-id malformed renew-mismatch; do
        check "$1" "c[\"$k\"] == 0"
    done
}

RANGE_BIG="198.18.1.0 - 198.19.255.250"

start_lw "$RANGE_BIG"
echo "== 1. dora: $CLIENTS clients at $RATE/s"
lg dora --clients "$CLIENTS" --rate "$RATE" --duration 60 --tries 5 \
    --range 198.18.1.0-198.19.255.250 --series "$TMP/dora-series.csv" \
    --cdf "$TMP/dora-cdf.csv" && {
    check_clean dora
    check dora "c[\"completed\"] == $CLIENTS"
}

# A fresh server: the pool (130,810 addresses) holds the next 45,000
# clients whatever CLIENTS was.
stop_lw
start_lw "$RANGE_BIG"
echo "== 2. renew: 20000 clients, DORA then a unicast renewal each, at 10000/s"
lg renew --scenario renew --clients 20000 --rate 10000 --tries 5 --mac-base 02:01:00:00:00:00 \
    --range 198.18.1.0-198.19.255.250 && {
    check_clean renew
    check renew 'c["completed"] == 20000'
    check renew 'c["renew-sent"] == 20000 and c["renewed"] == 20000'
    check renew 'j["latency"]["renew"]["count"] == 20000'
}

echo "== 2b. renew as a relay (giaddr 198.18.0.2) with client identifiers: 5000 clients"
lg renew-relay --scenario renew --relay 198.18.0.2 --server 198.18.0.1 --client-id \
    --clients 5000 --rate 5000 --tries 5 --mac-base 02:04:00:00:00:00 \
    --range 198.18.1.0-198.19.255.250 && {
    check_clean renew-relay
    check renew-relay 'c["completed"] == 5000 and c["renewed"] == 5000'
}

echo "== 4. avalanche: 20000 clients arriving within 2 s, backoff from 4 s"
lg avalanche --scenario avalanche --clients 20000 --arrival 2 --deadline 30 \
    --mac-base 02:02:00:00:00:00 --range 198.18.1.0-198.19.255.250 \
    --series "$TMP/avalanche-series.csv" --cdf "$TMP/avalanche-cdf.csv" && {
    check_clean avalanche
    check avalanche 'j["bound"] == 20000 and j["all_bound_seconds"] > 0'
    check avalanche 'j["unfinished"] == 0'
}
stop_lw

echo "== 3. release --reuse: a pool of 10000 addresses, 10000 clients bind, release, 10000 new ones bind"
start_lw "198.18.1.0 - 198.18.40.15"
lg release --scenario release --reuse --clients 10000 --rate 10000 --tries 5 \
    --mac-base 02:03:00:00:00:00 --range 198.18.1.0-198.18.40.15 && {
    check_clean release
    check release 'c["release-sent"] == 10000'
    check release 'c["completed"] == 20000 and j["bound"] == 10000'
    check release 'c["address-reused"] == 10000'
    # One worker: its leases-released is the server's.
    released=$("$LWCTL" -s "$TMP/control.sock" stats 2>&1 |
        awk '$1 == "worker[0].leases-released" { print $2 }')
    if [ "$released" = 10000 ]; then
        echo "   ok: server worker[0].leases-released == 10000"
    else
        fail "server worker[0].leases-released: '$released', expected 10000"
    fi
}
stop_lw

echo "== plot"
for s in dora avalanche; do
    [ -f "$TMP/$s-series.csv" ] || continue
    gnuplot -e "series='$TMP/$s-series.csv'; cdf='$TMP/$s-cdf.csv'; out='$TMP/$s.png'; title='leasewire over memif: $s'" \
        "$ROOT/bench/loadgen/plot.gp" >"$TMP/gnuplot.out" 2>&1 ||
        fail "gnuplot: $(cat "$TMP/gnuplot.out")"
    if [ -s "$TMP/$s.png" ] && [ "$(head -c 4 "$TMP/$s.png" | tail -c 3)" = PNG ]; then
        echo "   ok: $s.png ($(stat -c %s "$TMP/$s.png") bytes)"
    else
        fail "$s.png not written"
    fi
done

echo "== 5. reflector ceiling: rate unpaced, 1024 outstanding, 4 s"
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
    fail "reflector run"
}

if [ "$FAILS" -gt 0 ]; then
    echo "smoke.sh: $FAILS check(s) failed" >&2
    exit 1
fi
echo "smoke.sh: all checks passed"
