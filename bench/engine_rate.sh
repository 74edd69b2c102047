#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
#
# The engine benchmark: leasewire-loadgen offers DORA to leasewire over
# memif at each rate, with the durability asked for, and prints completed
# leases/s, the share over 1 s or lost (ISC's criterion) and the p99 of a
# whole exchange. No namespace, no NIC: two DPDK processes share a memif
# socket in a temporary directory. The generator runs on CPU 0 with control
# and the dataplane's main lcore; one worker has CPU 1, two workers share
# CPU 0 and CPU 1. With two workers the generator has two queue pairs: every
# request arrives at worker 0, which steers the clients of worker 1 to it
# through a ring, and each worker answers on its own queue.
#
# Usage: sudo bench/engine_rate.sh [--rates "R1 R2 ..."] [--clients N]
#                                  [--durability fsync|none] [--workers 1|2]
#                                  [--build DIR] [--tsv FILE]
# Defaults: rates 50000 100000 150000 200000, 120,000 new clients a run (the
# pool is 198.18.0.0/15's 130,810 addresses), fsync, build/. --tsv appends
# one line per rate to FILE: workers, durability, rate asked, completed/s,
# late or lost %, p50 and p99 of a whole exchange (µs), the rate the
# generator really offered; bench/compare.sh reads it.
# Exit 77 when python3 is missing.
set -u

RATES="50000 100000 150000 200000"
CLIENTS=120000
DUR=fsync
WORKERS=1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
TSV=
while [ $# -gt 0 ]; do
    case $1 in
    --rates) RATES=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --workers) WORKERS=$2; shift 2 ;;
    --durability) DUR=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --tsv) TSV=$2; shift 2 ;;
    *) echo "usage: $0 [--rates \"R...\"] [--clients N] [--durability fsync|none] [--workers 1|2] [--build DIR] [--tsv FILE]" >&2; exit 2 ;;
    esac
done
command -v python3 >/dev/null 2>&1 || { echo "engine_rate.sh: needs python3" >&2; exit 77; }
LG=$BUILD/bench/loadgen/leasewire-loadgen
CTL=$BUILD/control/leasewire-control
TMP=$(mktemp -d /tmp/lw-engine.XXXXXX)
ID=lwer$$
. "$ROOT/bench/memif_lw.sh"
trap memif_lw_cleanup EXIT

printf '%-8s %-10s %-8s %12s %10s %12s\n' workers durability rate "leases/s" "late/lost" "p99 (us)"
MAC=0
for r in $RATES; do
    lcores="0@0,1@1"
    [ "$WORKERS" -eq 2 ] && lcores="0@0,1@0,2@1"
    memif_lw_start "$lcores" 1024 198.18.0.0/15 198.18.0.1/15 "198.18.1.0 - 198.19.255.250"
    rm -f "$TMP/r.json"
    MAC=$((MAC + 1))
    "$LG" -l 0 --no-huge --no-pci --no-telemetry -m 512 --file-prefix "$ID-lg" \
        --vdev="net_memif0,role=client,socket=$TMP/dp.sock" -- \
        --queues "$WORKERS" --clients "$CLIENTS" --rate "$r" --duration "$((CLIENTS / r + 2))" --tries 3 \
        --mac-base "$(printf '02:%02x:00:00:00:00' "$MAC")" \
        --range 198.18.1.0-198.19.255.250 --json "$TMP/r.json" >"$TMP/lg.out" 2>"$TMP/lg.err" ||
        echo "engine_rate.sh: the generator failed at $r/s: $(tail -n 2 "$TMP/lg.err")" >&2
    python3 - "$TMP/r.json" "$WORKERS" "$DUR" "$r" "$TSV" <<'EOP'
import json, sys
try:
    j = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    # no result: the generator failed; everything counts as lost
    j = {"completed_per_s": 0, "offered_per_s": 0, "late_or_lost_percent": 100.0,
         "latency": {"exchange": {}}}
ex = j["latency"]["exchange"]
p50, p99 = ex.get("p50_us", 0), ex.get("p99_us", 0)
print("%-8s %-10s %-8s %12.0f %9.2f%% %12.0f" % (sys.argv[2], sys.argv[3], sys.argv[4],
      j["completed_per_s"], j["late_or_lost_percent"], p99))
if sys.argv[5]:
    with open(sys.argv[5], "a") as f:
        f.write("%s\t%s\t%s\t%.1f\t%.3f\t%.0f\t%.0f\t%.1f\n" % (sys.argv[2], sys.argv[3], sys.argv[4],
                j["completed_per_s"], j["late_or_lost_percent"], p50, p99, j.get("offered_per_s", 0)))
EOP
    memif_lw_stop
done
