#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
#
# The avalanche benchmark: N clients (1,000,000) start their DISCOVER within
# S seconds (10) and retransmit with RFC 2131's backoff (4 s +-1 s, then 8,
# 16 ... s), as modems do after a head-end outage. The target
# (BENCHMARKS.md, issue 5): every client holds a lease within 30 s, and no
# address is given twice.
#
# leasewire-loadgen drives leasewire-dataplane over memif (two DPDK
# processes and a socket in a temporary directory: no NIC, no namespace,
# no frame reaches a kernel interface). The pool is 10.0.0.0/8's first
# CLIENTS + 1/16 addresses, the only range large enough for a million
# clients; it never leaves the memif ring. The generator runs on CPU 0 with
# control (whose journal fdatasyncs) and the dataplane's main lcore; the
# worker has the last CPU. Each run starts from an empty journal.
#
# For every run: seconds until all were bound (0: not by the deadline),
# clients left unbound, addresses given twice (dup-address, the generator's
# check), retransmissions, requests the generator could not queue because
# the server's ring was full (tx-drop), and the server's own count of
# active leases and ACKs it dropped with its hold queue full. Then the
# median of the runs.
#
# Usage: sudo bench/avalanche.sh [--runs N] [--clients N] [--arrival S]
#                                [--deadline S] [--durability fsync|none]
#                                [--build DIR] [--out DIR]
# Defaults: 3 runs, 1,000,000 clients, 10 s, deadline 60 s, fsync, build/.
# --out keeps each run's JSON, series (CSV) and the server's counters.
# Exit 0 when every run finished with every client bound once, 1 when a
# run lost a client, gave an address twice or failed, 77 when python3 is
# missing.
set -u

RUNS=3
CLIENTS=1000000
ARRIVAL=10
DEADLINE=60
DUR=fsync
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
OUT=
usage() {
    sed -n '/^# Usage:/,/^# missing/p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}
while [ $# -gt 0 ]; do
    case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --arrival) ARRIVAL=$2; shift 2 ;;
    --deadline) DEADLINE=$2; shift 2 ;;
    --durability) DUR=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    *) usage ;;
    esac
done
for v in "$RUNS" "$CLIENTS" "$ARRIVAL" "$DEADLINE"; do
    [[ "$v" =~ ^[1-9][0-9]*$ ]] || { echo "avalanche.sh: '$v' is not a positive integer" >&2; exit 2; }
done
[ "$CLIENTS" -le 16000000 ] || { echo "avalanche.sh: --clients: at most 16000000" >&2; exit 2; }
case $DUR in fsync | none) ;; *) echo "avalanche.sh: --durability fsync|none" >&2; exit 2 ;; esac
command -v python3 >/dev/null 2>&1 || { echo "avalanche.sh: needs python3" >&2; exit 77; }
LG=$BUILD/bench/loadgen/leasewire-loadgen
CTL=$BUILD/control/leasewire-control
for f in "$LG" "$CTL"; do
    [ -x "$f" ] || { echo "avalanche.sh: $f missing: build first (meson setup build && ninja -C build)" >&2; exit 1; }
done
NCPU=$(nproc)
WCPU=$((NCPU > 1 ? NCPU - 1 : 0))
TMP=$(mktemp -d /tmp/lw-avalanche.XXXXXX)
ID=lwav$$
[ -n "$OUT" ] && mkdir -p "$OUT"

. "$ROOT/bench/memif_lw.sh"
trap memif_lw_cleanup EXIT

# Pool: CLIENTS + 1/16 spare addresses from 10.1.0.0 (a /8 subnet).
POOL_N=$((CLIENTS + CLIENTS / 16))
POOL_LAST=$((0x0a010000 + POOL_N - 1))
ip4() { printf '%d.%d.%d.%d' $(($1 >> 24 & 255)) $(($1 >> 16 & 255)) $(($1 >> 8 & 255)) $(($1 & 255)); }
RANGE="10.1.0.0-$(ip4 "$POOL_LAST")"

echo "avalanche: $CLIENTS clients within $ARRIVAL s, pool $RANGE ($POOL_N), durability $DUR," \
    "deadline $DEADLINE s, $RUNS run(s); worker on CPU $WCPU, generator and control on CPU 0;" \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-4s %10s %9s %9s %12s %10s %13s %10s\n' run "all bound" unbound dup-addr retransmits tx-drop \
    "leases-active" acks-dropped
FAIL=0
: >"$TMP/times"
for n in $(seq 1 "$RUNS"); do
    memif_lw_start "0@0,1@$WCPU" 2048 10.0.0.0/8 10.0.0.1/8 "${RANGE/-/ - }"
    "$LG" -l 0 --no-huge --no-pci --no-telemetry -m 1024 --file-prefix "$ID-lg" \
        --vdev="net_memif0,role=client,socket=$TMP/dp.sock" -- \
        --scenario avalanche --clients "$CLIENTS" --arrival "$ARRIVAL" --deadline "$DEADLINE" \
        --tries 0 --mac-base "$(printf '02:a%x:00:00:00:00' "$n")" --range "$RANGE" \
        --json "$TMP/r.json" --series "$TMP/series.csv" >"$TMP/lg.out" 2>"$TMP/lg.err"
    rc=$?
    memif_lw_stop
    # The dataplane prints every counter (name, total, per worker) as it stops.
    sed -n '/=== leasewire counters ===/,/=== end ===/p' "$TMP/control.log" >"$TMP/counters"
    if [ ! -s "$TMP/r.json" ]; then
        echo "avalanche.sh: run $n: the generator wrote no result (exit $rc): $(tail -n 3 "$TMP/lg.err")" >&2
        FAIL=1
        continue
    fi
    [ -n "$OUT" ] && cp "$TMP/r.json" "$OUT/run$n.json" && cp "$TMP/series.csv" "$OUT/run$n-series.csv" &&
        cp "$TMP/counters" "$OUT/run$n-counters.txt"
    python3 - "$TMP/r.json" "$TMP/counters" "$n" "$CLIENTS" "$TMP/times" <<'EOP' || FAIL=1
import json, sys
j = json.load(open(sys.argv[1]))
c = j["counters"]
srv = {}
for line in open(sys.argv[2]):
    f = line.split()
    if len(f) >= 2 and f[1].isdigit():
        srv[f[0]] = int(f[1])
clients = int(sys.argv[4])
t = j["all_bound_seconds"]
print("%-4s %9.1fs %9d %9d %12d %10d %13s %10s" % (sys.argv[3], t, j["unfinished"], c["dup-address"],
      c["retransmit"], c["tx-drop"], srv.get("leases-active", "?"), srv.get("drop-ack-hold-full", "?")))
open(sys.argv[5], "a").write("%f\n" % (t if t > 0 else float("inf")))
sys.exit(0 if (t > 0 and j["bound"] == clients and c["dup-address"] == 0) else 1)
EOP
done
python3 - "$TMP/times" <<'EOP'
import statistics, sys
t = [float(x) for x in open(sys.argv[1])]
if t:
    under = sum(1 for x in t if x <= 30)
    med = statistics.median(t)
    print("median all bound: %s; under 30 s in %d of %d run(s)" %
          ("%.1f s" % med if med != float("inf") else "not reached", under, len(t)))
EOP
exit $FAIL
