# SPDX-License-Identifier: MPL-2.0
# shellcheck shell=bash
#
# Helpers for the failover tests: a pair of servers (leasewire or ISC dhcpd)
# and a client namespace on one bridge, plus a direct link between the two
# servers that carries the failover connection and can be cut.
#
#   NS_BR: bridge; NS_A, NS_B: the servers; NS_C: the clients
#   LAN 198.18.0.0/24 (or /16, FO_PLEN): A .10, B .20 (a0/b0), clients on c0
#   failover link 198.18.255.0/30: A .1 (fa), B .2 (fb)
#
# Source it after lib.sh. A leasewire server runs as one command,
# `leasewire-control --dataplane` inside its namespace (the failover
# connection is control's, and it must use the namespace's addresses).

FO_NAME=fo-it
FO_A=198.18.255.1
FO_B=198.18.255.2
LAN_A=198.18.0.10
LAN_B=198.18.0.20
POOL_FIRST=${POOL_FIRST:-198.18.0.100}
POOL_LAST=${POOL_LAST:-198.18.0.139}
FO_PLEN=${FO_PLEN:-24} # the LAN's prefix length: 24 or 16
declare -A FO_PID FO_LOG FO_KIND FO_CFG

fo_topology() {
    lw_netns NS_BR br
    lw_netns NS_A a
    lw_netns NS_B b
    lw_netns NS_C c
    IF_A=$(lw_name a0)
    IF_B=$(lw_name b0)
    IF_C=$(lw_name c0)
    IF_FA=$(lw_name fa)
    IF_FB=$(lw_name fb)
    ip -n "$NS_BR" link add br0 type bridge || lw_fail "cannot create the bridge"
    ip -n "$NS_BR" link set br0 up
    local side
    for side in A B C; do
        local ns_var="NS_$side" if_var="IF_$side" peer
        peer=$(lw_name "p$side")
        lw_veth "${!ns_var}" "${!if_var}" "$NS_BR" "$peer"
        ip -n "$NS_BR" link set "$peer" master br0
    done
    lw_veth "$NS_A" "$IF_FA" "$NS_B" "$IF_FB"
    ip -n "$NS_A" addr add "$FO_A/30" dev "$IF_FA"
    ip -n "$NS_B" addr add "$FO_B/30" dev "$IF_FB"
}

# fo_cut / fo_heal: the failover link down / up (clients still reach both).
fo_cut() {
    ip -n "$NS_A" link set "$IF_FA" down
    ip -n "$NS_B" link set "$IF_FB" down
}
fo_heal() {
    ip -n "$NS_A" link set "$IF_FA" up
    ip -n "$NS_B" link set "$IF_FB" up
}

# fo_lw_cfg NAME SIDE ROLE [MCLT]: a leasewire configuration for server
# SIDE (A or B) in ROLE, in $LW_TMP/NAME.cfg.
fo_lw_cfg() {
    local name=$1 side=$2 role=$3 mclt=${4:-30} ifv lan me peer extra=""
    ifv="IF_$side"
    if [ "$side" = A ]; then lan=$LAN_A me=$FO_A peer=$FO_B; else lan=$LAN_B me=$FO_B peer=$FO_A; fi
    if [ "$role" = primary ]; then
        extra="mclt = $mclt; split = 128;"
    fi
    local cfg=$LW_TMP/$name.cfg prefix
    prefix=$(lw_name "e$side")
    LW_PREFIXES+=("$prefix")
    cat >"$cfg" <<EOF
dataplane = {
  eal_args = [ "--lcores", "0@0,1@$(( $(nproc) > 1 ? 1 : 0 ))", "--no-huge", "-m", "512", "--no-pci",
               "--no-telemetry", "--file-prefix", "$prefix" ];
};
server = {
  authoritative = true;
  default_lease_time = 600;
  min_lease_time = 10;
  max_lease_time = 7200;
};
ports = (
  { name = "lan"; device = "net_af_packet0,iface=${!ifv}"; address = "$lan/$FO_PLEN"; }
);
failover = {
  name = "$FO_NAME";
  role = "$role";
  address = "$me";
  peer_address = "$peer";
  port = 647;
  peer_port = 647;
  max_response_delay = ${FO_MRD:-6};
  max_unacked_updates = 10;
  load_balance_max_seconds = 3;
  $extra
  ${FO_EXTRA:-}
};
subnets = (
  {
    subnet = "198.18.0.0/$FO_PLEN";
    routers = [ "198.18.0.254" ];
    pools = ( { range = "$POOL_FIRST - $POOL_LAST"; failover = "$FO_NAME"; } );
  }
);
control = {
  socket = "$LW_TMP/$name.sock";
  state_dir = "$LW_TMP/$name-state";
  shm = "$LW_ID-$name";
  fsync_interval_us = 200;
  ack_hold_ms = 5000;
};
EOF
    "$LW_DATAPLANE" -c "$cfg" --check >"$LW_TMP/check.out" 2>&1 ||
        lw_fail "--check rejected $cfg: $(cat "$LW_TMP/check.out")"
    FO_CFG[$name]=$cfg
}

# fo_lw_start NAME SIDE: runs the whole leasewire service in the side's
# namespace and waits for the dataplane's ready line.
fo_lw_start() {
    local name=$1 side=$2 nsv i
    nsv="NS_$side"
    FO_LOG[$name]="$LW_TMP/$name.$(date +%s%N).log"
    FO_KIND[$name]=lw
    lw_log "starting leasewire $name in ${!nsv}"
    ip netns exec "${!nsv}" stdbuf -oL -eL "$LW_CONTROL" -c "${FO_CFG[$name]}" --dataplane \
        >"${FO_LOG[$name]}" 2>&1 &
    FO_PID[$name]=$!
    LW_PIDS+=("${FO_PID[$name]}")
    for i in $(seq 1 300); do
        grep -q '^leasewire-dataplane: ready' "${FO_LOG[$name]}" && return 0
        lw_alive "${FO_PID[$name]}" || fo_fail "leasewire $name exited before it was ready"
        sleep 0.1
    done
    fo_fail "leasewire $name not ready after 30 s"
}

# fo_stop NAME: SIGTERM and wait (10 s at most).
fo_stop() {
    local name=$1 pid=${FO_PID[$1]:-} i
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 1 100); do
        lw_alive "$pid" || break
        sleep 0.1
    done
    lw_alive "$pid" && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    FO_PID[$name]=
    lw_log "$name stopped"
}

# fo_ctl NAME ARGS...: leasewirectl against server NAME.
fo_ctl() {
    local name=$1
    shift
    "$LW_CTL" -s "$LW_TMP/$name.sock" "$@"
}

# fo_state NAME: leasewire's own failover state ("normal", ...).
fo_state() {
    fo_ctl "$1" --json failover 2>/dev/null |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["local-state"])' 2>/dev/null
}

# fo_field NAME KEY: one field of failover-status.
fo_field() {
    fo_ctl "$1" --json failover 2>/dev/null |
        python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$2" 2>/dev/null
}

# fo_wait_state NAME STATE SECONDS
fo_wait_state() {
    local name=$1 want=$2 secs=$3 i s=
    for i in $(seq 1 $((secs * 5))); do
        s=$(fo_state "$name")
        [ "$s" = "$want" ] && return 0
        sleep 0.2
    done
    fo_fail "$name: failover state '$s' after $secs s, expected '$want'"
}

# fo_isc_cfg NAME SIDE ROLE [MCLT]: an ISC dhcpd configuration.
fo_isc_cfg() {
    local name=$1 side=$2 role=$3 mclt=${4:-30} me peer extra=""
    if [ "$side" = A ]; then me=$FO_A peer=$FO_B; else me=$FO_B peer=$FO_A; fi
    [ "$role" = primary ] && extra="mclt $mclt; split 128;"
    FO_CFG[$name]=$LW_TMP/$name.conf
    cat >"${FO_CFG[$name]}" <<EOF
ddns-update-style none;
authoritative;
ping-check false;
default-lease-time 600;
min-lease-time 10;
max-lease-time 7200;
omapi-port 7911;
failover peer "$FO_NAME" {
  $role;
  address $me;
  port 647;
  peer address $peer;
  peer port 647;
  max-response-delay ${FO_MRD:-6};
  max-unacked-updates 10;
  load balance max seconds 3;
  $extra
}
subnet 198.18.0.0 netmask $([ "$FO_PLEN" = 16 ] && echo 255.255.0.0 || echo 255.255.255.0) {
  option routers 198.18.0.254;
  pool { failover peer "$FO_NAME"; range $POOL_FIRST $POOL_LAST; }
}
subnet 198.18.255.0 netmask 255.255.255.252 { }
EOF
    touch "$LW_TMP/$name.leases"
    dhcpd -4 -t -cf "${FO_CFG[$name]}" >"$LW_TMP/check.out" 2>&1 ||
        lw_fail "dhcpd -t rejected ${FO_CFG[$name]}: $(cat "$LW_TMP/check.out")"
}

# fo_isc_start NAME SIDE: dhcpd in the foreground in the side's namespace.
fo_isc_start() {
    local name=$1 side=$2 nsv ifv
    nsv="NS_$side"
    ifv="IF_$side"
    if [ "$side" = A ]; then
        ip -n "${!nsv}" addr replace "$LAN_A/$FO_PLEN" dev "${!ifv}"
    else
        ip -n "${!nsv}" addr replace "$LAN_B/$FO_PLEN" dev "${!ifv}"
    fi
    FO_LOG[$name]="$LW_TMP/$name.$(date +%s%N).log"
    FO_KIND[$name]=isc
    rm -f "$LW_TMP/$name.pid"
    lw_log "starting ISC dhcpd $name in ${!nsv}"
    ip netns exec "${!nsv}" dhcpd -4 -f -d -cf "${FO_CFG[$name]}" -lf "$LW_TMP/$name.leases" \
        -pf "$LW_TMP/$name.pid" "${!ifv}" >"${FO_LOG[$name]}" 2>&1 &
    FO_PID[$name]=$!
    LW_PIDS+=("${FO_PID[$name]}")
    sleep 0.5
    lw_alive "${FO_PID[$name]}" || fo_fail "dhcpd $name exited at start"
}

# fo_isc_wait NAME PATTERN SECONDS: waits for a line of dhcpd's log.
fo_isc_wait() {
    local name=$1 pat=$2 secs=$3 i
    for i in $(seq 1 $((secs * 5))); do
        grep -q -- "$pat" "${FO_LOG[$name]}" && return 0
        sleep 0.2
    done
    fo_fail "$name: no '$pat' in dhcpd's log after $secs s"
}

# fo_isc_lease NAME ADDR: "state hardware" of the last lease block for ADDR in
# dhcpd's lease file ("active 02:00:00:00:00:01"), or nothing.
fo_isc_lease() {
    awk -v a="$2" '
        $1 == "lease" && $2 == a { inl = 1; st = ""; hw = ""; next }
        inl && $1 == "binding" && $2 == "state" { st = $3; sub(";", "", st) }
        inl && $1 == "hardware" { hw = $3; sub(";", "", hw) }
        inl && $1 == "}" { inl = 0; last = st " " hw }
        END { print last }' "$LW_TMP/$1.leases"
}

# On any failure: the last lines of every server log of the test (each start
# of a server has its own log), lease-log lines left out.
lw_fail_hook() {
    local f
    for f in "$LW_TMP"/*.log; do
        [ -f "$f" ] || continue
        echo "--- last lines of $f ---"
        grep -v '^lease-log ' "$f" | tail -n 40
    done
}

# fo_fail MSG: lw_fail (which shows every server's log through the hook).
fo_fail() {
    lw_fail "$@"
}

# --- migration from ISC dhcpd (migrate_isc.sh) --------------------------------

# fo_if_mac NS IFACE: the interface's MAC address.
fo_if_mac() {
    ip -n "$1" -o link show "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
}

# fo_lw_control CFG NAME: gives the configuration CFG (written by
# leasewire-import dhcpd-conf) this run's control block, as fo_lw_cfg
# writes it: socket, state directory and shared region under $LW_TMP, named
# after NAME. A control block already in the file is replaced.
fo_lw_control() {
    local cfg=$1 name=$2
    python3 - "$cfg" "$LW_TMP/$name.sock" "$LW_TMP/$name-state" "$LW_ID-$name" <<'PY' ||
import re, sys
path, sock, state, shm = sys.argv[1:5]
text = open(path).read()
block = ('control = {\n  socket = "%s";\n  state_dir = "%s";\n  shm = "%s";\n'
         '  fsync_interval_us = 200;\n  ack_hold_ms = 5000;\n};\n' % (sock, state, shm))
m = re.search(r'^control\s*[=:]\s*\{', text, re.M)
if m:
    depth, i = 0, m.end() - 1
    while True:
        depth += {'{': 1, '}': -1}.get(text[i], 0)
        i += 1
        if depth == 0:
            break
    if text[i:i + 1] == ';':
        i += 1
    text = text[:m.start()] + block + text[i:]
else:
    text += '\n' + block
open(path, 'w').write(text)
PY
        lw_fail "cannot set the control block of $cfg"
    FO_CFG[$name]=$cfg
}
