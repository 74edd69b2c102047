#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
#
# Side-by-side comparison: leasewire vs Kea vs ISC dhcpd, same tool
# (perfdhcp), same transport (a veth between two namespaces), same subnet
# and pool, one server at a time, runs interleaved (for each rate, for each
# run: lw kea isc), fresh lease state for every run. With "refl" among the
# servers, perfdhcp also runs against leasewire-loadgen --reflect, a trivial
# responder (an OFFER for every DISCOVER, an ACK for every REQUEST, nothing
# kept) on the same veth and CPU as leasewire's worker: perfdhcp's own
# ceiling on this machine. See bench/compare.md.
#
# Usage: sudo bench/compare.sh [--runs N] [--seconds S] [--rates "R1 R2 ..."]
#                              [--out DIR] [--servers "lw kea isc refl"] [--no-pin]
#                              [--wire] [--memif-rates "R1 R2 ..."]
#
# On a machine with two CPUs or more, perfdhcp runs on CPU 0 and every
# server on the others (--no-pin: wherever the scheduler puts them): the
# generator and the server do not take each other's CPU, so that the
# reflector's row is perfdhcp's ceiling and a server below it is the limit.
#
# Then, with the same durability, leasewire alone over memif with its own
# generator (bench/engine_rate.sh: leasewire-loadgen, 120,000 new clients a
# run, no kernel on the path) at each of --memif-rates (default 50000 100000
# 150000 200000; "" skips it), RUNS runs: what the server does when the
# client is not the limit.
#
# --wire also captures every run on the client's end of the veth (dumpcap,
# on perfdhcp's CPU) and reports the latency and the unanswered requests as
# the wire saw them (bench/wire_latency.py): the server's share alone, where
# perfdhcp's figures include its own receive path (a reply it found no room
# for in its socket counts as lost). The capture costs perfdhcp some CPU.
#
# Environment: LW_BUILD picks a leasewire build to use as it is (default:
# build-cmp in the source tree, set up and built by this script); LW_KEEP=1
# keeps the work directory (configs, logs).
#
# Writes OUT/results.md, OUT/results.json, OUT/rate.png, OUT/raw.tsv and
# every perfdhcp output under OUT/raw/. Exit 0 when done, 77 when a tool is
# missing or not root, 1 on failure.

RUNS=5
SECONDS_PER_RUN=10
RATES="1000 2000 3000 4000 5000 6000 7000 8000 12000"
SERVERS="lw kea isc refl"
PIN=1
WIRE=0
MEMIF_RATES="50000 100000 150000 200000"
OUT=
CRIT_LOSS=2.5 # ISC's criterion: <= 2.5 % of exchanges lost or late

usage() {
    sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --seconds) SECONDS_PER_RUN=$2; shift 2 ;;
    --rates) RATES=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --servers) SERVERS=$2; shift 2 ;;
    --no-pin) PIN=0; shift ;;
    --wire) WIRE=1; shift ;;
    --memif-rates) MEMIF_RATES=$2; shift 2 ;;
    -h | --help) usage ;;
    *) echo "compare.sh: unknown argument '$1'" >&2; usage ;;
    esac
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "--runs: a positive integer" >&2; exit 2; }
[[ "$SECONDS_PER_RUN" =~ ^[1-9][0-9]*$ ]] || { echo "--seconds: a positive integer" >&2; exit 2; }
for r in $RATES; do
    [[ "$r" =~ ^[1-9][0-9]*$ ]] || { echo "--rates: positive integers, got '$r'" >&2; exit 2; }
done
for r in $MEMIF_RATES; do
    [[ "$r" =~ ^[1-9][0-9]*$ ]] || { echo "--memif-rates: positive integers, got '$r'" >&2; exit 2; }
done
for s in $SERVERS; do
    case "$s" in lw | kea | isc | refl) ;; *) echo "--servers: lw, kea, isc, refl; got '$s'" >&2; exit 2 ;; esac
done

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${LW_BUILD:-$SRC/build-cmp}
export LW_SOURCE_ROOT=$SRC
export LW_DATAPLANE=$BUILD/dataplane/leasewire-dataplane
export LW_CONTROL=$BUILD/control/leasewire-control
export LW_CTL=$BUILD/control/leasewirectl
LW_LOADGEN=$BUILD/bench/loadgen/leasewire-loadgen
OUT=${OUT:-$PWD/compare-$(date -u +%Y%m%d-%H%M%S)}

# Tools: say everything that is missing at once, then skip (77).
missing=()
command -v kea-dhcp4 >/dev/null 2>&1 || missing+=("kea-dhcp4 (apt-get install kea-dhcp4-server)")
command -v dhcpd >/dev/null 2>&1 || missing+=("dhcpd (apt-get install isc-dhcp-server)")
command -v perfdhcp >/dev/null 2>&1 || missing+=("perfdhcp (apt-get install kea-admin)")
command -v gnuplot >/dev/null 2>&1 || missing+=("gnuplot (apt-get install gnuplot-nox)")
command -v python3 >/dev/null 2>&1 || missing+=("python3 (apt-get install python3)")
command -v ss >/dev/null 2>&1 || missing+=("ss (apt-get install iproute2)")
[ "$WIRE" = 1 ] && ! command -v dumpcap >/dev/null 2>&1 && missing+=("dumpcap (apt-get install tshark)")
if [ ${#missing[@]} -gt 0 ]; then
    printf 'compare.sh: missing: %s\n' "${missing[@]}" >&2
    exit 77
fi

# leasewire from this tree: build-cmp is set up and brought up to date here
# (LW_BUILD names a build of your own instead, used as it is).
if [ -z "${LW_BUILD:-}" ]; then
    if [ ! -f "$BUILD/build.ninja" ]; then
        meson setup "$BUILD" "$SRC" -Dtests=disabled >/dev/null ||
            { echo "compare.sh: meson setup $BUILD failed" >&2; exit 1; }
    fi
    ninja -C "$BUILD" >/dev/null || { echo "compare.sh: ninja -C $BUILD failed" >&2; exit 1; }
fi

. "$SRC/tests/integration/lib.sh"
LW_TEST=compare
lw_init # root, ip/ethtool, the leasewire binaries; work dir + cleanup trap

mkdir -p "$OUT/raw" || lw_fail "cannot create $OUT"
OUT=$(cd "$OUT" && pwd)

# --- CPUs -------------------------------------------------------------------------
# PERF_RUN / SRV_RUN: what perfdhcp and a server are started under; SRV_CPU_A
# and SRV_CPU_B: the first and last server CPU (leasewire's main lcore and
# worker, the reflector's lcore).
NCPU=$(nproc)
if [ "$PIN" = 1 ] && [ "$NCPU" -ge 2 ]; then
    PERF_RUN=(taskset -c 0)
    SRV_RUN=(taskset -c "1-$((NCPU - 1))")
    SRV_CPU_A=1
    SRV_CPU_B=$((NCPU - 1))
    PIN_DESC="perfdhcp on CPU 0, the server on CPU 1-$((NCPU - 1))"
else
    PERF_RUN=()
    SRV_RUN=()
    SRV_CPU_A=0
    SRV_CPU_B=$((NCPU > 1 ? 1 : 0))
    PIN_DESC="not pinned"
fi

# --- topology -----------------------------------------------------------------
# Server namespace S (veth end SI), client namespace C (veth end CI).
# One /15 for everyone: server 198.18.0.1, perfdhcp (relay, giaddr)
# 198.18.0.2. The pool starts at 198.18.1.0 and is sized to the run: 1.25 x
# the exchanges a run offers (at least 4,096 addresses, at most up to
# 198.19.255.250: 130,811), the same for every server at a given rate. A
# fixed /15 pool is unfair to ISC dhcpd, whose cost per packet grows with the
# pool (measured once here, busy machine, 500/s offered for 2 s: all answered with 2,500
# addresses, 13 % lost with 65,000, 97 % with 130,000).
NET=198.18.0.0/15
SRV=198.18.0.1
RELAY=198.18.0.2
POOL_FIRST=198.18.1.0
POOL_MAX=$(($(lw_ip2int 198.19.255.250) - $(lw_ip2int $POOL_FIRST) + 1))
POOL_LAST=
POOL_SIZE=
# pool_for RATE: sets POOL_SIZE and POOL_LAST for a run at RATE.
pool_for() {
    local n=$(($1 * SECONDS_PER_RUN * 5 / 4)) last
    [ "$n" -ge 4096 ] || n=4096
    [ "$n" -le "$POOL_MAX" ] || n=$POOL_MAX
    POOL_SIZE=$n
    last=$(($(lw_ip2int $POOL_FIRST) + n - 1))
    POOL_LAST=$((last >> 24)).$(((last >> 16) & 255)).$(((last >> 8) & 255)).$((last & 255))
}
# perfdhcp picks each exchange's client at random among CLIENTS MACs: with
# 2^24 of them, repeats within a run are rare (n^2/2^25: ~0.3 % at 100,000).
CLIENTS=16777216

lw_direct
ip -n "$C" addr add "$RELAY/15" dev "$CI"
# A static neighbour entry: no ARP in the measurement (the first packets of
# a run would wait in, or fall out of, the kernel's unresolved queue).
ip -n "$C" neigh replace "$SRV" lladdr "$(lw_mac "$S" "$SI")" dev "$CI" nud permanent ||
    lw_fail "cannot add the neighbour entry for $SRV"

for r in $RATES; do
    if [ $((r * SECONDS_PER_RUN)) -gt "$POOL_MAX" ]; then
        lw_log "WARNING: rate $r for $SECONDS_PER_RUN s asks for more than the largest pool ($POOL_MAX addresses): lower --seconds"
    fi
done

# The kernel of S owns 198.18.0.1 only while Kea or dhcpd runs (they use the
# kernel's stack); leasewire answers on its own (af_packet), and a kernel
# address beside it would send port-unreachables for port 67.
srv_addr_on() { ip -n "$S" addr replace "$SRV/15" dev "$SI"; }
srv_addr_off() { ip -n "$S" addr flush dev "$SI"; }

# --- process handling -------------------------------------------------------
SRV_PID=    # the server process of the current run
SRV_KIDS=() # its children seen while it ran (leasewire's dataplane)

# stop_pid PID: TERM, 10 s grace, KILL; reaps it if it is our child.
stop_pid() {
    local pid=$1 i
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 1 100); do
        lw_alive "$pid" || break
        sleep 0.1
    done
    if lw_alive "$pid"; then
        lw_log "pid $pid did not stop after SIGTERM: SIGKILL"
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
    lw_forget "$pid"
}

srv_stop() {
    local k
    [ -n "$SRV_PID" ] || return 0
    stop_pid "$SRV_PID"
    # leasewire-control stops its dataplane itself; make sure.
    for k in "${SRV_KIDS[@]}"; do
        lw_alive "$k" && stop_pid "$k"
    done
    SRV_PID=
    SRV_KIDS=()
}

# Cleanup: the server of the current run first, then lib.sh's trap.
compare_cleanup() {
    local rc=$?
    srv_stop
    (exit "$rc")
    lw_cleanup
}
trap compare_cleanup EXIT

# wait_udp67 PID LOG WHAT: waits (30 s) until a socket on UDP port 67 is open
# in S and PID still lives.
wait_udp67() {
    local pid=$1 log=$2 what=$3 i
    for i in $(seq 1 300); do
        lw_alive "$pid" || lw_fail "$what exited before it was ready: $(tail -n 5 "$log")"
        if ip netns exec "$S" ss -Hulnp 'sport = :67' 2>/dev/null | grep "pid=$pid," >/dev/null; then
            sleep 0.5
            return 0
        fi
        sleep 0.1
    done
    lw_fail "$what not listening on UDP 67 after 30 s: $(tail -n 5 "$log")"
}

# --- the three servers --------------------------------------------------------
LW_PREFIX=$(lw_name p1)
REFL_PREFIX=$(lw_name rf)
LW_PREFIXES+=("$LW_PREFIX" "$REFL_PREFIX")
LW_SHM="$LW_ID-shm"

# start_lw TAG: leasewire-control --dataplane in S, fresh journal directory.
start_lw() {
    local tag=$1 cfg=$LW_TMP/lw-$1.cfg log=$LW_TMP/lw-$1.log i kid
    srv_addr_off
    cat >"$cfg" <<EOF
dataplane = {
  eal_args = [ "--lcores", "0@$SRV_CPU_A,1@$SRV_CPU_B", "--no-huge", "-m", "512", "--no-pci",
               "--no-telemetry", "--file-prefix", "$LW_PREFIX" ];
};
server = {
  authoritative = true;
  default_lease_time = 3600;
  min_lease_time = 60;
  max_lease_time = 7200;
};
ports = (
  { name = "cmp0"; device = "net_af_packet0,iface=$SI"; address = "$SRV/15"; }
);
subnets = (
  {
    subnet = "$NET";
    routers = [ "198.18.0.254" ];
    pools = ( { range = "$POOL_FIRST - $POOL_LAST"; } );
  }
);
control = {
  socket = "$LW_TMP/control.sock";
  state_dir = "$LW_TMP/lw-state-$tag";
  shm = "$LW_SHM";
  durability = "fsync";
};
EOF
    "$LW_DATAPLANE" -c "$cfg" --check >"$LW_TMP/check.out" 2>&1 ||
        lw_fail "--check rejected $cfg: $(cat "$LW_TMP/check.out")"
    ip netns exec "$S" "${SRV_RUN[@]}" stdbuf -oL -eL "$LW_CONTROL" -c "$cfg" --dataplane >"$log" 2>&1 &
    SRV_PID=$!
    LW_PIDS+=("$SRV_PID")
    for i in $(seq 1 300); do
        kid=$(sed -n 's/.*started the dataplane: .*(pid \([0-9]*\)).*/\1/p' "$log" | tail -n1)
        if [ -n "$kid" ] && [[ " ${SRV_KIDS[*]} " != *" $kid "* ]]; then
            SRV_KIDS+=("$kid")
        fi
        if grep -q '^leasewire-dataplane: ready' "$log"; then
            sleep 0.3
            return 0
        fi
        lw_alive "$SRV_PID" || lw_fail "leasewire-control exited before the dataplane was ready: $(tail -n 5 "$log")"
        sleep 0.1
    done
    lw_fail "leasewire dataplane not ready after 30 s: $(tail -n 5 "$log")"
}

# start_kea TAG: kea-dhcp4, raw sockets on SI, memfile persisted, 2 threads.
start_kea() {
    local tag=$1 cfg=$LW_TMP/kea-$1.json log=$LW_TMP/kea-$1.log
    srv_addr_on
    cat >"$cfg" <<EOF
{
  "Dhcp4": {
    "interfaces-config": { "interfaces": [ "$SI" ], "dhcp-socket-type": "raw" },
    "lease-database": {
      "type": "memfile", "persist": true, "lfc-interval": 0,
      "name": "$LW_TMP/kea-leases-$tag.csv"
    },
    "multi-threading": {
      "enable-multi-threading": true, "thread-pool-size": 2, "packet-queue-size": 64
    },
    "valid-lifetime": 3600, "renew-timer": 1800, "rebind-timer": 3150,
    "authoritative": true,
    "subnet4": [
      {
        "id": 1,
        "subnet": "$NET",
        "pools": [ { "pool": "$POOL_FIRST - $POOL_LAST" } ],
        "option-data": [ { "name": "routers", "data": "198.18.0.254" } ]
      }
    ],
    "loggers": [
      {
        "name": "kea-dhcp4", "severity": "WARN",
        "output_options": [ { "output": "$LW_TMP/kea-$tag.kealog" } ]
      }
    ]
  }
}
EOF
    ip netns exec "$S" kea-dhcp4 -t "$cfg" >"$LW_TMP/kea-check.out" 2>&1 ||
        lw_fail "kea-dhcp4 -t rejected $cfg: $(tail -n 5 "$LW_TMP/kea-check.out")"
    # Lock and pid files in the work directory, not /run/kea.
    ip netns exec "$S" "${SRV_RUN[@]}" env KEA_LOCKFILE_DIR="$LW_TMP" KEA_PIDFILE_DIR="$LW_TMP" \
        kea-dhcp4 -c "$cfg" >"$log" 2>&1 &
    SRV_PID=$!
    LW_PIDS+=("$SRV_PID")
    wait_udp67 "$SRV_PID" "$log" kea-dhcp4
}

# start_isc TAG: dhcpd, ping-check off, lease file on disk, -q.
start_isc() {
    local tag=$1 cfg=$LW_TMP/isc-$1.conf log=$LW_TMP/isc-$1.log leases=$LW_TMP/isc-$1.leases
    srv_addr_on
    cat >"$cfg" <<EOF
authoritative;
ping-check false;
ddns-update-style none;
default-lease-time 3600;
max-lease-time 7200;
subnet 198.18.0.0 netmask 255.254.0.0 {
  range $POOL_FIRST $POOL_LAST;
  option routers 198.18.0.254;
}
EOF
    : >"$leases"
    rm -f "$LW_TMP/isc.pid"
    ip netns exec "$S" "${SRV_RUN[@]}" dhcpd -4 -f -q -cf "$cfg" -lf "$leases" -pf "$LW_TMP/isc.pid" "$SI" >"$log" 2>&1 &
    SRV_PID=$!
    LW_PIDS+=("$SRV_PID")
    wait_udp67 "$SRV_PID" "$log" dhcpd
}

# start_refl TAG: leasewire-loadgen --reflect on SI (af_packet), its lcore on
# the CPU leasewire's worker uses.
start_refl() {
    local tag=$1 log=$LW_TMP/refl-$1.log i
    [ -x "$LW_LOADGEN" ] || lw_fail "no $LW_LOADGEN: build leasewire first"
    srv_addr_off
    ip netns exec "$S" "${SRV_RUN[@]}" stdbuf -oL -eL "$LW_LOADGEN" --lcores "0@$SRV_CPU_B" \
        --no-huge -m 256 --no-pci \
        --no-telemetry --file-prefix "$REFL_PREFIX" --vdev "net_af_packet0,iface=$SI" \
        -- --reflect --server-id "$SRV" >"$log" 2>&1 &
    SRV_PID=$!
    LW_PIDS+=("$SRV_PID")
    # Ready once it reports its first second.
    for i in $(seq 1 300); do
        grep -q '^reflect t=' "$log" && return 0
        lw_alive "$SRV_PID" || lw_fail "the reflector exited: $(tail -n 5 "$log")"
        sleep 0.1
    done
    lw_fail "the reflector did not start in 30 s: $(tail -n 5 "$log")"
}

# --- one measurement ------------------------------------------------------------
RAW=$OUT/raw.tsv
printf 'server\trate\trun\tseconds\tdo_sent\tdo_recv\tdo_drops\tra_sent\tra_recv\tra_drops\tdo_min_ms\tdo_avg_ms\tdo_max_ms\tdo_std_ms\tra_min_ms\tra_avg_ms\tra_max_ms\tra_std_ms\tdo_orphans\tra_orphans\tdo_p50_ms\tdo_p99_ms\tra_p50_ms\tra_p99_ms\tpool\tperf_rc\twire_do_sent\twire_do_ans\twire_do_p50_ms\twire_do_p99_ms\twire_ra_sent\twire_ra_ans\twire_ra_p50_ms\twire_ra_p99_ms\n' >"$RAW"

# perf_num OUT EXCHANGE KEY: a number (first token) from perfdhcp's summary.
perf_num() {
    local v
    v=$(lw_perf_stat "$1" "$2" "$3")
    v=${v%%[!0-9.]*}
    echo "${v:-NA}"
}

# pctl OUT EXCHANGE: "p50 p99" of one half's delays in ms, from the
# timestamps of every answered exchange that -x t prints.
pctl() {
    local tmp=$LW_TMP/delays n
    awk -v ex="$2" '
        /^\*\*\*Timestamps for packets: / { cur = $4; sub(/\*+$/, "", cur); next }
        /^\*\*\*/ { cur = "" }
        cur == ex && /^sent \/ received: / { printf "%.3f\n", ($6 - $4) * 1000 }' "$1" | sort -n >"$tmp"
    n=$(wc -l <"$tmp")
    if [ "$n" -eq 0 ]; then
        echo "NA NA"
        return
    fi
    echo "$(sed -n "$(((n * 50 + 99) / 100))p" "$tmp") $(sed -n "$(((n * 99 + 99) / 100))p" "$tmp")"
}

measure() {
    local srv=$1 rate=$2 run=$3 tag="$1-r$2-n$3" out rc macbase do50 do99 ra50 ra99 ex wire
    local pcap=$LW_TMP/wire.pcap
    out=$OUT/raw/perfdhcp-$tag.out
    pool_for "$rate"
    "start_$srv" "$tag"
    # --wire: dumpcap on the client's end (CI), on perfdhcp's CPU
    [ "$WIRE" = 1 ] && LW_CAP_RUN=("${PERF_RUN[@]}") && lw_capture_start "$C" "$CI" "$pcap" -P -s 400 -B 64
    # A MAC base per run (the lease state is fresh anyway).
    macbase=$(printf '02:%02x:%02x:00:00:00' $((run % 256)) $(((rate / 100) % 256)))
    # -d 1: an exchange half not answered within 1 s is a drop (ISC's
    # deadline); -W 1.5 s: after the period, wait for answers in flight.
    ip netns exec "$C" "${PERF_RUN[@]}" timeout $((SECONDS_PER_RUN + 60)) perfdhcp -4 -l "$CI" -r "$rate" \
        -R "$CLIENTS" -p "$SECONDS_PER_RUN" -d 1 -W 1500000 -x t -b "mac=$macbase" "$SRV" >"$out" 2>&1 &
    # In the background, so that a signal to this script is handled at once
    # (the cleanup stops perfdhcp through timeout, which forwards SIGTERM).
    PERF_PID=$!
    LW_PIDS+=("$PERF_PID")
    wait "$PERF_PID"
    rc=$?
    lw_forget "$PERF_PID"
    wire="NA	NA	NA	NA	NA	NA	NA	NA"
    if [ "$WIRE" = 1 ]; then
        lw_capture_stop
        wire=$(python3 "$SRC/bench/wire_latency.py" "$pcap") || lw_fail "wire_latency.py failed on $tag"
        rm -f "$pcap"
    fi
    lw_alive "$SRV_PID" || lw_log "WARNING: $srv died during the run ($tag)"
    srv_stop
    printf '%s\t%s\t%s\t%s' "$srv" "$rate" "$run" "$SECONDS_PER_RUN" >>"$RAW"
    for ex in DISCOVER-OFFER REQUEST-ACK; do
        printf '\t%s' "$(perf_num "$out" $ex "sent packets")" "$(perf_num "$out" $ex "received packets")" \
            "$(perf_num "$out" $ex drops)" >>"$RAW"
    done
    for ex in DISCOVER-OFFER REQUEST-ACK; do
        printf '\t%s' "$(perf_num "$out" $ex "min delay")" "$(perf_num "$out" $ex "avg delay")" \
            "$(perf_num "$out" $ex "max delay")" "$(perf_num "$out" $ex "std deviation")" >>"$RAW"
    done
    printf '\t%s' "$(perf_num "$out" DISCOVER-OFFER orphans)" "$(perf_num "$out" REQUEST-ACK orphans)" >>"$RAW"
    read -r do50 do99 <<<"$(pctl "$out" DISCOVER-OFFER)"
    read -r ra50 ra99 <<<"$(pctl "$out" REQUEST-ACK)"
    printf '\t%s' "$do50" "$do99" "$ra50" "$ra99" >>"$RAW"
    printf '\t%s\t%s\t%s\n' "$POOL_SIZE" "$rc" "$wire" >>"$RAW"
    # The per-exchange timestamps (-x t) are only needed for the percentiles.
    sed -i '/^\*\*\*Timestamps for packets/,$d' "$out"
    lw_log "$(tail -n1 "$RAW" | awk -F'\t' '{ printf "%-3s rate %6d run %d: DISCOVER sent %s answered %s, REQUEST sent %s answered %s -> %.0f completed/s, loss %.2f %%",
        $1, $2, $3, $5, $6, $8, $9, ($9 == "NA" ? 0 : $9) / $4, ($5 > 0 && $9 != "NA") ? 100 * (1 - $9 / $5) : 100 }')"
}

# --- the machine ----------------------------------------------------------------
pkgver() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo "?"; }
{
    echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "nproc=$(nproc)"
    echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
    echo "kernel=$(uname -r)"
    echo "kea=$(pkgver kea-dhcp4-server)"
    echo "dhcpd=$(pkgver isc-dhcp-server)"
    echo "perfdhcp=$(pkgver kea-admin)"
    echo "leasewire=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "runs=$RUNS"
    echo "seconds=$SECONDS_PER_RUN"
    echo "rates=$RATES"
    echo "servers=$SERVERS"
    echo "pool=1.25 x rate x seconds addresses from $POOL_FIRST (min 4096, max $POOL_MAX)"
    echo "crit_loss=$CRIT_LOSS"
    echo "pinning=$PIN_DESC"
    echo "wire=$WIRE"
    echo "memif_rates=$MEMIF_RATES"
} >"$OUT/machine.txt"

# report OUT: medians over runs per server and rate, ISC's figure, the
# zero-loss rate, ratios to Kea: results.md, results.json, rate.dat.
report() {
    python3 - "$1" <<'PY'
import json, statistics, sys
out = sys.argv[1]
machine = dict(l.rstrip("\n").split("=", 1) for l in open(f"{out}/machine.txt") if "=" in l)
crit = float(machine["crit_loss"])
rows = []
with open(f"{out}/raw.tsv") as f:
    head = f.readline().rstrip("\n").split("\t")
    for line in f:
        r = dict(zip(head, line.rstrip("\n").split("\t")))
        for k, v in r.items():
            if k != "server":
                try:
                    r[k] = float(v)
                except ValueError:
                    r[k] = None
        rows.append(r)

NAMES = {"lw": "leasewire", "kea": "Kea", "isc": "ISC dhcpd",
         "refl": "reflector (perfdhcp's ceiling)"}
DUR = {
    "lw": "journal group commit, every ACK held until its binding is fdatasync'd "
          "(durability = \"fsync\"); 1 worker lcore, dataplane on net_af_packet",
    "kea": "memfile, persist = true: each lease appended to a CSV file (write, no fsync); "
           "multi-threading on, 2 threads, packet-queue-size 64; raw sockets",
    "isc": "lease file, fsync at every lease commit; ping-check false; -q",
    "refl": "none: leasewire-loadgen --reflect answers every DISCOVER with an OFFER and every "
            "REQUEST with an ACK, with the options a server's reply carries here (53, 54, 51, 58, "
            "59, 1, 3, 61 echoed), keeping nothing, on net_af_packet, its lcore on the CPU of "
            "leasewire's worker: what perfdhcp and the veth carry on this machine",
}
servers = [s for s in machine["servers"].split() if any(r["server"] == s for r in rows)]
rates = sorted({int(r["rate"]) for r in rows})

def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None

def per_run(r):
    sec = r["seconds"]
    sent, acks = r["do_sent"] or 0, r["ra_recv"] or 0
    return {
        "run": int(r["run"]),
        "sent_per_s": sent / sec,
        "completed_per_s": acks / sec,
        "loss_pct": 100.0 * (1 - acks / sent) if sent else 100.0,
        # requests the wire saw go out with no answer coming back, both halves
        "wire_unanswered_pct": 100.0 * (1 - (r.get("wire_do_ans", 0) + r.get("wire_ra_ans", 0)) /
                                        (r["wire_do_sent"] + r["wire_ra_sent"]))
                               if r.get("wire_do_sent") and r.get("wire_ra_sent") is not None else None,
        **{k: r[k] for k in head if k not in ("server", "rate", "run", "seconds")},
    }

res = {}
for s in servers:
    res[s] = {}
    for rate in rates:
        runs = [per_run(r) for r in rows if r["server"] == s and int(r["rate"]) == rate]
        if not runs:
            continue
        agg = {k: med([x[k] for x in runs]) for k in (
            "sent_per_s", "completed_per_s", "loss_pct", "do_avg_ms", "do_max_ms",
            "ra_avg_ms", "ra_max_ms", "do_p50_ms", "do_p99_ms", "ra_p50_ms", "ra_p99_ms",
            "do_orphans", "ra_orphans", "wire_do_p50_ms", "wire_do_p99_ms",
            "wire_ra_p50_ms", "wire_ra_p99_ms", "wire_unanswered_pct")}
        agg["runs"] = runs
        # perfdhcp itself fell short of the offered rate (its own limit)
        agg["generator_short"] = agg["sent_per_s"] < 0.95 * rate
        res[s][rate] = agg

def highest(s, ok):
    """Highest tested rate such that it and every lower tested rate pass."""
    best = None
    for rate in rates:
        a = res[s].get(rate)
        if a is None or not ok(a):
            break
        best = rate
    return best

summary = {}
for s in servers:
    summary[s] = {
        "isc_rate": highest(s, lambda a: a["loss_pct"] <= crit),
        "zero_loss_rate": highest(s, lambda a: a["loss_pct"] == 0),
        "peak_completed_per_s": max((a["completed_per_s"] for a in res[s].values()), default=None),
    }

def ratio(s, key):
    k = summary.get("kea", {}).get(key)
    v = summary[s][key]
    if v is None or not k:
        return None
    return v / k

for s in servers:
    for key in ("isc_rate", "zero_loss_rate", "peak_completed_per_s"):
        summary[s][key + "_ratio_to_kea"] = ratio(s, key)

def fmt(v, nd=0):
    if v is None:
        return "–"
    return f"{v:,.{nd}f}"

def fr(v):
    return "–" if v is None else f"{v:.2f}×"

lo = rates[0]
md = []
md.append("# leasewire vs Kea vs ISC dhcpd — perfdhcp over a veth\n")
md.append(f"{machine['date']}; {machine['runs']} run(s) per server and rate, "
          f"{machine['seconds']} s each, interleaved (for each rate, for each run: "
          f"{' '.join(servers)}); medians over runs.\n")
md.append("## Summary\n")
md.append(f"ISC's figure: highest offered rate at which ≤ {crit:g} % of exchanges were "
          "lost or answered later than 1 s (perfdhcp `-d 1`: a DISCOVER or REQUEST not "
          "answered within 1 s counts as a drop), every lower tested rate passing too. "
          "Zero-loss: the same with no loss at all. Rates are exchanges (DORA) per second. "
          f"\"–\" means not even the lowest tested rate ({lo}/s) passed.\n")
md.append("| server | ISC figure (/s) | vs Kea | zero-loss (/s) | vs Kea | peak completed/s | vs Kea |")
md.append("|---|---:|---:|---:|---:|---:|---:|")
for s in servers:
    x = summary[s]
    md.append(f"| {NAMES[s]} | {fmt(x['isc_rate'])} | {fr(x['isc_rate_ratio_to_kea'])} | "
              f"{fmt(x['zero_loss_rate'])} | {fr(x['zero_loss_rate_ratio_to_kea'])} | "
              f"{fmt(x['peak_completed_per_s'])} | {fr(x['peak_completed_per_s_ratio_to_kea'])} |")
md.append("\nA figure equal to the highest tested rate is a lower bound: test higher rates.\n")
def measured():
    """(rate, server, medians) for every rate and server that ran, in table order."""
    for rate in rates:
        for s in servers:
            if res[s].get(rate) is not None:
                yield rate, s, res[s][rate]

md.append("## Per rate (medians)\n")
md.append("| offered/s | server | sent/s | completed/s | loss % | DO p50/p99 ms | RA p50/p99 ms | DO/RA max ms | late (orphans) |")
md.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
for rate, s, a in measured():
    flag = " (perfdhcp short)" if a["generator_short"] else ""
    md.append(f"| {rate:,} | {NAMES[s]} | {fmt(a['sent_per_s'])}{flag} | {fmt(a['completed_per_s'])} | "
              f"{fmt(a['loss_pct'], 2)} | {fmt(a['do_p50_ms'], 2)} / {fmt(a['do_p99_ms'], 2)} | "
              f"{fmt(a['ra_p50_ms'], 2)} / {fmt(a['ra_p99_ms'], 2)} | "
              f"{fmt(a['do_max_ms'], 1)} / {fmt(a['ra_max_ms'], 1)} | "
              f"{fmt((a['do_orphans'] or 0) + (a['ra_orphans'] or 0))} |")
md.append("\nsent/s: DISCOVERs perfdhcp actually sent (\"perfdhcp short\": below 95 % of the offered "
          "rate, the generator was the limit). completed/s: ACKs received / seconds. loss: 1 − ACKs / "
          "DISCOVERs sent. p50/p99 from the timestamps of every answered exchange (`-x t`); DO = "
          "DISCOVER→OFFER, RA = REQUEST→ACK. Orphans: answers that came after the 1 s deadline "
          "(or were not matched).\n")
if machine.get("wire") == "1":
    md.append("## On the wire (`--wire`, medians)\n")
    md.append("The same runs as the kernel timestamped them on the client's end of the veth: "
              "the server's latency alone, and the requests that no answer followed. perfdhcp's "
              "loss above also counts answers that came but that it did not read in time (no room "
              "in its socket: `RcvbufErrors`).\n")
    md.append("| offered/s | server | perfdhcp's loss % | unanswered on the wire % | DO p50/p99 ms | RA p50/p99 ms |")
    md.append("|---:|---|---:|---:|---:|---:|")
    for rate, s, a in measured():
        md.append(f"| {rate:,} | {NAMES[s]} | {fmt(a['loss_pct'], 2)} | "
                  f"{fmt(a['wire_unanswered_pct'], 2)} | "
                  f"{fmt(a['wire_do_p50_ms'], 2)} / {fmt(a['wire_do_p99_ms'], 2)} | "
                  f"{fmt(a['wire_ra_p50_ms'], 2)} / {fmt(a['wire_ra_p99_ms'], 2)} |")
    md.append("")
memif = None
try:
    with open(f"{out}/memif.tsv") as f:
        mh = f.readline().rstrip("\n").split("\t")
        mrows = [dict(zip(mh, l.rstrip("\n").split("\t"))) for l in f if l.strip()]
    mrates = sorted({int(r["rate"]) for r in mrows})
    memif = {"per_rate": {}, "durability": "fsync"}
    for rate in mrates:
        rr = [r for r in mrows if int(r["rate"]) == rate]
        memif["per_rate"][rate] = {
            "offered_per_s": med([float(r["offered_per_s"]) for r in rr]),
            "completed_per_s": med([float(r["completed_per_s"]) for r in rr]),
            "late_or_lost_pct": med([float(r["late_or_lost_pct"]) for r in rr]),
            "p50_ms": med([float(r["p50_us"]) / 1000 for r in rr]),
            "p99_ms": med([float(r["p99_us"]) / 1000 for r in rr]),
            "runs": rr}
    def mhigh(ok):
        best = None
        for rate in mrates:
            if not ok(memif["per_rate"][rate]):
                break
            best = rate
        return best
    # A rate passes only if it was held: the generator offered it and the
    # leases completed at it (95 %), as well as ISC's share of late ones.
    held = lambda a: a["completed_per_s"] >= 0.95 * a["rate"]
    for rate, a in memif["per_rate"].items():
        a["rate"] = rate
        a["held"] = held(a)
    memif["isc_rate"] = mhigh(lambda a: a["held"] and a["late_or_lost_pct"] <= crit)
    memif["zero_loss_rate"] = mhigh(lambda a: a["held"] and a["late_or_lost_pct"] == 0)
    memif["peak_completed_per_s"] = max(a["completed_per_s"] for a in memif["per_rate"].values())
except FileNotFoundError:
    pass
if memif:
    md.append("## leasewire over memif (leasewire-loadgen, medians)\n")
    md.append("leasewire alone, its own generator as the client over memif (no kernel on the path; "
              "`bench/engine_rate.sh`, 120,000 new clients a run, durability fsync, the generator on "
              "CPU 0 with control and the main lcore, the worker on CPU 1). Late or lost: exchanges "
              "(DORA, from the first DISCOVER) over 1 s or never completed, after up to 3 tries. "
              "A rate counts as held when the leases completed at ≥ 95 % of it (completed/s runs from "
              "the first DISCOVER to the last ACK); ISC's figure and the zero-loss rate need it held.\n")
    kea_isc = summary.get("kea", {}).get("isc_rate")
    memif["isc_rate_ratio_to_kea"] = memif["isc_rate"] / kea_isc if memif["isc_rate"] and kea_isc else None
    per_s = lambda v: "–" if v is None else f"{v:,.0f}/s"
    md.append(f"ISC's figure {per_s(memif['isc_rate'])}"
              + (f" ({fr(memif['isc_rate_ratio_to_kea'])} Kea's figure under perfdhcp above"
                 + (", where Kea, not perfdhcp, was the limit: the reflector's was higher"
                    if (summary.get("refl", {}).get("isc_rate") or 0) > kea_isc else "")
                 + ")" if memif["isc_rate_ratio_to_kea"] else "")
              + f", zero-loss {per_s(memif['zero_loss_rate'])}, "
              f"peak completed {per_s(memif['peak_completed_per_s'])}.\n")
    md.append("| asked/s | offered/s | completed/s | held | late or lost % | exchange p50/p99 ms |")
    md.append("|---:|---:|---:|---|---:|---:|")
    for rate, a in memif["per_rate"].items():
        md.append(f"| {rate:,} | {fmt(a['offered_per_s'])} | {fmt(a['completed_per_s'])} | "
                  f"{'yes' if a['held'] else 'no'} | {fmt(a['late_or_lost_pct'], 2)} | "
                  f"{fmt(a['p50_ms'], 2)} / {fmt(a['p99_ms'], 2)} |")
    md.append("")
md.append("## Durability and configuration\n")
for s in servers:
    md.append(f"* **{NAMES[s]}**: {DUR[s]}.")
md.append(f"* Same subnet 198.18.0.0/15 and pool for all servers at a given rate: {machine['pool']}; "
          "perfdhcp acts as a relay (giaddr 198.18.0.2), server 198.18.0.1; fresh lease state for every run; "
          "perfdhcp `-r RATE -R 16777216 -p SECONDS -d 1 -W 1500000 -x t`.\n")
md.append("## Machine\n")
md.append(f"* nproc {machine['nproc']}, CPU {machine['cpu']}, kernel {machine['kernel']}")
md.append(f"* kea-dhcp4-server {machine['kea']}, isc-dhcp-server {machine['dhcpd']}, "
          f"perfdhcp (kea-admin) {machine['perfdhcp']}, leasewire {machine['leasewire']}")
md.append(f"* CPUs: {machine.get('pinning', 'not pinned')}")
md.append(f"* load average at start {machine['loadavg']}, at end {machine.get('loadavg_end', '?')} "
          "(perfdhcp and the server share these CPUs with whatever else runs)")
open(f"{out}/results.md", "w").write("\n".join(md) + "\n")

json.dump({"machine": machine, "criterion_loss_pct": crit,
           "durability": {s: DUR[s] for s in servers},
           "summary": summary,
           "memif": ({**memif, "per_rate": {str(k): v for k, v in memif["per_rate"].items()}}
                     if memif else None),
           "per_rate": {s: {str(k): v for k, v in res[s].items()} for s in servers}},
          open(f"{out}/results.json", "w"), indent=1)

with open(f"{out}/rate.dat", "w") as f:
    f.write("offered " + " ".join(f'"{NAMES[s]}"' for s in servers) + "\n")
    for rate in rates:
        vals = []
        for s in servers:
            a = res[s].get(rate)
            vals.append("NaN" if a is None else f"{a['completed_per_s']:.1f}")
        f.write(f"{rate} " + " ".join(vals) + "\n")
PY
}

lw_log "output in $OUT; $RUNS run(s) x rates ($RATES) x servers ($SERVERS), $SECONDS_PER_RUN s each"
for rate in $RATES; do
    for ((run = 1; run <= RUNS; run++)); do
        for srv in $SERVERS; do
            measure "$srv" "$rate" "$run"
        done
    done
done
# leasewire alone over memif, RUNS passes over the rates (engine_rate.sh:
# the generator on CPU 0 with control and the main lcore, the worker on CPU 1).
if [ -n "$MEMIF_RATES" ]; then
    printf 'run\tworkers\tdurability\trate\tcompleted_per_s\tlate_or_lost_pct\tp50_us\tp99_us\toffered_per_s\n' >"$OUT/memif.tsv"
    for ((run = 1; run <= RUNS; run++)); do
        rm -f "$LW_TMP/memif.tsv"
        bash "$SRC/bench/engine_rate.sh" --build "$BUILD" --rates "$MEMIF_RATES" --durability fsync \
            --tsv "$LW_TMP/memif.tsv" >"$OUT/raw/memif-run$run.out" 2>&1 ||
            lw_fail "engine_rate.sh failed: $(tail -n 3 "$OUT/raw/memif-run$run.out")"
        awk -v run="$run" '{ print run "\t" $0 }' "$LW_TMP/memif.tsv" >>"$OUT/memif.tsv"
        lw_log "memif run $run: $(awk -F'\t' '{ printf "%s/s -> %.0f (%.2f %%)  ", $3, $4, $5 }' "$LW_TMP/memif.tsv")"
    done
fi
echo "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.txt"

# --- summary, plot ---------------------------------------------------------------
report "$OUT" || lw_fail "the report failed"
(cd "$OUT" && gnuplot -e "ncol=$(($(wc -w <<<"$SERVERS") + 1))" "$SRC/bench/compare_plot.gp") >"$LW_TMP/gnuplot.out" 2>&1 ||
    lw_fail "gnuplot failed: $(cat "$LW_TMP/gnuplot.out")"
cat "$OUT/results.md"
lw_log "wrote $OUT/results.md, results.json, rate.png, raw.tsv, raw/"
exit 0
