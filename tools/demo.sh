#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
#
# The leasewire demo, for a fresh Debian 12 machine, as root:
#
#   sudo tools/demo.sh
#
# 1. installs the Debian packages that are missing (build and demo needs);
# 2. builds leasewire into build/ (meson + ninja);
# 3. creates two network namespaces, "server" and "client", joined by a
#    veth pair (198.18.0.0/24, the benchmarking range: nothing leaves the
#    machine);
# 4. starts the service in the server namespace with examples/demo.cfg:
#    leasewire-control (lease journal, control socket), which runs
#    leasewire-dataplane (DPDK af_packet vdev on the veth end, no hugepages);
# 5. runs a real ISC dhclient in the client namespace and prints the lease
#    it got, the lease as `leasewirectl leases` shows it, the server's lease
#    log and its counters;
# 6. releases the lease, stops everything and removes what it created.
#
# Exits non-zero when the client got no lease. Environment: LW_BUILD (build
# directory, default build/), LW_KEEP=1 (keep the work directory).

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${LW_BUILD:-$ROOT/build}
ID=lwd$$
NS_S=${ID}srv
NS_C=${ID}cli
IF_S=${ID}s0
IF_C=${ID}c0
PREFIX=${ID}eal
WORK=
SVC_PID=
DHC_PID=
CREATED_NS=()

if [ -t 1 ]; then
    B=$'\033[1m' G=$'\033[32m' R=$'\033[31m' N=$'\033[0m'
else
    B='' G='' R='' N=''
fi

step() { printf '\n%s==> %s%s\n' "$B" "$*" "$N"; }
info() { printf '    %s\n' "$*"; }
die() {
    printf '%sdemo: %s%s\n' "$R" "$*" "$N" >&2
    exit 1
}

cleanup() {
    local rc=$? pid ns
    trap - EXIT INT TERM
    set +e
    for pid in $DHC_PID $SVC_PID; do
        [ -n "$pid" ] || continue
        kill -0 "$pid" 2>/dev/null || continue
        kill -TERM "$pid" 2>/dev/null
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    for ns in "${CREATED_NS[@]}"; do
        ip netns del "$ns" 2>/dev/null
    done
    rm -rf "/var/run/dpdk/$PREFIX"
    rm -f "/dev/shm/${ID}shm"
    if [ -n "$WORK" ]; then
        if [ "${LW_KEEP:-0}" = 1 ]; then
            info "files of this run kept in $WORK"
        else
            rm -rf "$WORK"
        fi
    fi
    if [ "$rc" -eq 0 ]; then
        printf '\n%sDemo done: namespaces and processes removed.%s\n' "$G" "$N"
    fi
    exit "$rc"
}

[ "$(id -u)" -eq 0 ] || die "run it as root (sudo tools/demo.sh): it installs packages and creates network namespaces"

# --- 1. packages -----------------------------------------------------------------
missing_packages() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep '^install ok installed$' >/dev/null || echo "$p"
    done
}

step "Checking Debian packages"
PKGS=(meson ninja-build gcc pkg-config libdpdk-dev libconfig-dev zlib1g-dev libcriterion-dev
    libjansson-dev libmicrohttpd-dev
    isc-dhcp-client iproute2 ethtool iputils-ping)
MISSING=$(missing_packages "${PKGS[@]}")
if [ -n "$MISSING" ]; then
    info "installing: $(tr '\n' ' ' <<<"$MISSING")"
    apt-get update -q
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $MISSING
else
    info "all present: ${PKGS[*]}"
fi

# --- 2. build --------------------------------------------------------------------
step "Building into ${BUILD#"$ROOT"/}"
if [ ! -f "$BUILD/build.ninja" ]; then
    meson setup "$BUILD" "$ROOT" >"${TMPDIR:-/tmp}/$ID-meson.log" 2>&1 ||
        { cat "${TMPDIR:-/tmp}/$ID-meson.log"; rm -f "${TMPDIR:-/tmp}/$ID-meson.log"; die "meson setup failed"; }
    rm -f "${TMPDIR:-/tmp}/$ID-meson.log"
fi
ninja -C "$BUILD" >/dev/null || { ninja -C "$BUILD"; die "build failed"; }
DP=$BUILD/dataplane/leasewire-dataplane
CTL=$BUILD/control/leasewire-control
CLI=$BUILD/control/leasewirectl
for b in "$DP" "$CTL" "$CLI"; do
    [ -x "$b" ] || die "$b was not built"
    info "$b"
done

# --- 3. namespaces ---------------------------------------------------------------
WORK=$(mktemp -d "/tmp/$ID-demo.XXXXXX")
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "Creating namespaces $NS_S and $NS_C, joined by veth $IF_S <-> $IF_C"
ip netns add "$NS_S"
CREATED_NS+=("$NS_S")
ip netns add "$NS_C"
CREATED_NS+=("$NS_C")
ip -n "$NS_S" link set lo up
ip -n "$NS_C" link set lo up
ip link add "$IF_S" netns "$NS_S" type veth peer name "$IF_C" netns "$NS_C"
# No checksum offload on a veth: af_packet would hand the dataplane UDP
# checksums that were left for a NIC to fill in.
ip netns exec "$NS_S" ethtool -K "$IF_S" tx off rx off >/dev/null
ip netns exec "$NS_C" ethtool -K "$IF_C" tx off rx off >/dev/null
ip -n "$NS_S" link set "$IF_S" up
ip -n "$NS_C" link set "$IF_C" up
info "client MAC $(ip -n "$NS_C" -o link show "$IF_C" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')"

# --- 4. the server ---------------------------------------------------------------
CFG=$WORK/demo.cfg
[ -f "$ROOT/examples/demo.cfg" ] || die "examples/demo.cfg is missing"
sed -e "s/@IFACE@/$IF_S/g" -e "s/@PREFIX@/$PREFIX/g" "$ROOT/examples/demo.cfg" >"$CFG"
# The journal, the control socket and the shared region of this run.
cat >>"$CFG" <<EOF
control = {
    socket = "$WORK/control.sock";
    state_dir = "$WORK/state";
    shm = "${ID}shm";
};
EOF
"$DP" -c "$CFG" --check >"$WORK/check.out" 2>&1 || { cat "$WORK/check.out"; die "the config was rejected"; }
step "Starting leasewire-control in $NS_S; it runs leasewire-dataplane (examples/demo.cfg)"
DP_LOG=$WORK/server.log
ip netns exec "$NS_S" stdbuf -oL -eL "$CTL" -c "$CFG" --dataplane="$DP" --log-leases >"$DP_LOG" 2>&1 &
SVC_PID=$!
for i in $(seq 1 300); do
    grep -q '^leasewire-dataplane: ready' "$DP_LOG" && break
    if ! kill -0 "$SVC_PID" 2>/dev/null; then
        cat "$DP_LOG"
        die "the service exited before it was ready"
    fi
    [ "$i" -lt 300 ] || { tail -n 20 "$DP_LOG"; die "the dataplane was not ready after 30 s"; }
    sleep 0.1
done
info "$(grep -m1 '^leasewire-control: ready' "$DP_LOG")"
info "$(grep -m1 '^leasewire-dataplane: ready' "$DP_LOG")"
info "server address: $(sed -n 's/^[[:space:]]*address *= *"\([^"]*\)".*/\1/p' "$CFG" | head -n1)," \
    "pool: $(sed -n 's/.*range *= *"\([^"]*\)".*/\1/p' "$CFG" | head -n1)"

# --- 5. the client -----------------------------------------------------------------
LEASES=$WORK/dhclient.leases
EVENTS=$WORK/dhclient.events
SCRIPT=$WORK/dhclient-script
DHCONF=$WORK/dhclient.conf
touch "$LEASES" "$EVENTS"
cat >"$DHCONF" <<'EOF'
timeout 20;
retry 1;
initial-interval 1;
request subnet-mask, broadcast-address, routers, domain-name, domain-name-servers;
EOF
# dhclient's own script would rewrite the host's resolv.conf: this one only
# records the lease and puts the address on the client's veth.
cat >"$SCRIPT" <<EOF
#!/bin/sh
echo "\$reason \${new_ip_address:-}" >>"$EVENTS"
case "\$reason" in
BOUND|RENEW|REBIND|REBOOT)
    ip addr replace "\$new_ip_address/\$new_subnet_mask" dev "\$interface" ;;
RELEASE|EXPIRE|STOP)
    [ -n "\${old_ip_address:-}" ] && ip addr del "\$old_ip_address/\${old_subnet_mask:-32}" dev "\$interface" 2>/dev/null ;;
esac
exit 0
EOF
chmod +x "$SCRIPT"

step "Running dhclient in $NS_C on $IF_C"
DHC=(dhclient -4 -v -sf "$SCRIPT" -cf "$DHCONF" -lf "$LEASES" -pf "$WORK/dhclient.pid")
ip netns exec "$NS_C" "${DHC[@]}" -1 -d "$IF_C" >"$WORK/dhclient.out" 2>&1 &
DHC_PID=$!
for i in $(seq 1 300); do
    grep -qE '^(BOUND|REBOOT) ' "$EVENTS" && break
    kill -0 "$DHC_PID" 2>/dev/null || break
    sleep 0.1
done
sed -n 's/^/    dhclient: /p' "$WORK/dhclient.out" | grep -E 'DHCP|bound' || true

lease() {
    awk -v key="$1" '
        /^lease *\{/ { delete v; next }
        /^\}/ { for (k in v) last[k] = v[k]; next }
        {
            sub(/^[ \t]+/, ""); sub(/;[ \t]*$/, "")
            if ($1 == "option") { k = $2; $1 = ""; $2 = "" } else { k = $1; $1 = "" }
            sub(/^[ \t]+/, ""); gsub(/"/, "")
            v[k] = $0
        }
        END { if (key in last) print last[key] }' "$LEASES"
}

ADDR=$(lease fixed-address)
if [ -z "$ADDR" ]; then
    printf '%sNo lease.%s dhclient said:\n' "$R" "$N"
    sed 's/^/    /' "$WORK/dhclient.out"
    echo "    server log:"
    tail -n 40 "$DP_LOG" | sed 's/^/    /'
    die "the client got no lease"
fi

step "${G}The client got a lease$N"
printf '    %-20s %s\n' \
    "address" "$ADDR" \
    "subnet mask" "$(lease subnet-mask)" \
    "router" "$(lease routers)" \
    "DNS servers" "$(lease domain-name-servers)" \
    "domain" "$(lease domain-name)" \
    "lease time" "$(lease dhcp-lease-time) s" \
    "server" "$(lease dhcp-server-identifier)"
echo
info "on the client's interface: $(ip -n "$NS_C" -o -4 addr show dev "$IF_C" | awk '{print $4}')"
if ip netns exec "$NS_C" ping -c 2 -i 0.3 -W 2 "$(lease dhcp-server-identifier)" >"$WORK/ping.out" 2>&1; then
    info "ping from the client to the server: $(grep -E 'packets transmitted' "$WORK/ping.out")"
else
    info "ping from the client to the server got no answer"
fi

step "The lease in the server's database (leasewirectl leases)"
"$CLI" -s "$WORK/control.sock" leases | sed 's/^/    /' || info "leasewirectl failed"

step "Releasing the lease (dhclient -r)"
ip netns exec "$NS_C" timeout 30 "${DHC[@]}" -r "$IF_C" >>"$WORK/dhclient.out" 2>&1 || info "dhclient -r failed"
wait "$DHC_PID" 2>/dev/null || true
DHC_PID=
for _ in $(seq 1 30); do
    grep -q '^lease-log event-released ' "$DP_LOG" && break
    sleep 0.1
done

step "The server's lease log (--log-leases)"
grep '^lease-log ' "$DP_LOG" | sed 's/^/    /' || info "(empty)"

step "Stopping the service (SIGTERM to leasewire-control): the dataplane's counters, rows that are not zero"
kill -TERM "$SVC_PID"
RC=0
wait "$SVC_PID" || RC=$?
SVC_PID=
awk '/^=== leasewire counters ===/ { n = 0; on = 1; next }
     /^=== end ===/ { on = 0; next }
     on { d[n++] = $0 }
     END { for (i = 0; i < n; i++) if (i == 0 || d[i] !~ /^[^ ]+ +0( |$)/) print "    " d[i] }' "$DP_LOG"
grep '^leasewire-control: stopped' "$DP_LOG" | sed 's/^/    /'
[ "$RC" -eq 0 ] || die "leasewire-control exited with status $RC"
