# SPDX-License-Identifier: MPL-2.0
# shellcheck shell=bash
#
# Helpers shared by the integration tests. Source it first thing:
#
#   . "$(dirname "$0")/lib.sh"
#
# Every name a test creates (namespaces, interfaces, EAL file prefix) carries
# the shell's pid, so two runs never collide, and everything created is
# removed by the EXIT trap installed here, also when a test fails half-way.
# Only processes started through these helpers are killed, by their pid.
#
# Environment:
#   LW_DATAPLANE    path of the leasewire-dataplane binary (meson sets it)
#   LW_CONTROL      path of leasewire-control (meson sets it)
#   LW_CTL          path of leasewirectl (meson sets it)
#   LW_SOURCE_ROOT  the source tree (meson sets it)
#   LW_KEEP=1       keep the work directory (configs, logs, lease files);
#                   otherwise it is removed, also after a failure (the
#                   failure message shows the end of the dataplane's log)
#
# Exit codes follow the automake/meson convention: 0 pass, 1 fail, 77 skip.

set -u
set -o pipefail # so: never `| grep -q` (grep quits early, the writer gets SIGPIPE)

LW_SOURCE_ROOT=${LW_SOURCE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
LW_DATAPLANE=${LW_DATAPLANE:-$LW_SOURCE_ROOT/build/dataplane/leasewire-dataplane}
LW_CONTROL=${LW_CONTROL:-$LW_SOURCE_ROOT/build/control/leasewire-control}
LW_CTL=${LW_CTL:-$LW_SOURCE_ROOT/build/control/leasewirectl}
LW_TEST=$(basename "$0" .sh)
LW_ID=lw$$
LW_TMP=
LW_PIDS=()      # processes to kill on exit
LW_NETNS=()     # namespaces to delete on exit
LW_PREFIXES=()  # EAL file prefixes whose runtime directory is removed on exit
LW_DP_PID=
LW_DP_LOG=
LW_CTL_PID=
LW_CTL_LOG=
LW_CTL_CFG=     # the configuration control was started with
LW_CFG=         # the configuration the processes run with
LW_SHM=         # its shared-memory region name (removed on exit)

# Messages go to stderr, so that helpers whose stdout is captured can log.
lw_log() {
    printf '[%s %s] %s\n' "$LW_TEST" "$(date +%H:%M:%S)" "$*" >&2
}

lw_skip() {
    lw_log "SKIP: $*"
    exit 77
}

# Prints the message, the tail of the dataplane log, and exits 1 (the trap
# cleans up).
lw_fail() {
    lw_log "FAIL: $*"
    if [ -n "$LW_DP_LOG" ] && [ -f "$LW_DP_LOG" ]; then
        {
            echo "--- last lines of the dataplane log ($LW_DP_LOG) ---"
            grep -v '^lease-log ' "$LW_DP_LOG" | tail -n 80
            echo "--- end of log ---"
        } >&2
    fi
    if [ -n "$LW_CTL_LOG" ] && [ -f "$LW_CTL_LOG" ]; then
        {
            echo "--- last lines of the control log ($LW_CTL_LOG) ---"
            tail -n 40 "$LW_CTL_LOG"
            echo "--- end of log ---"
        } >&2
    fi
    # A test that runs more processes defines lw_fail_hook to show their logs.
    if declare -F lw_fail_hook >/dev/null; then lw_fail_hook >&2; fi
    exit 1
}

lw_need_root() {
    [ "$(id -u)" -eq 0 ] || lw_skip "needs root (network namespaces)"
}

# lw_need_tool CMD... : skip when one of the commands is missing.
lw_need_tool() {
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 || lw_skip "'$t' is not installed"
    done
}

# lw_alive PID: the process exists and is neither a zombie nor dead.
lw_alive() {
    local st
    st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    st=${st##*) }
    case "${st:0:1}" in
    '' | Z | X | x) return 1 ;;
    esac
    return 0
}

# lw_stop_pid PID: TERM (after CONT: a test may have stopped it), 5 s, KILL.
lw_stop_pid() {
    kill -0 "$1" 2>/dev/null || return 0
    kill -CONT "$1" 2>/dev/null
    kill -TERM "$1" 2>/dev/null
    for _ in $(seq 1 50); do
        lw_alive "$1" || break
        sleep 0.1
    done
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}

lw_cleanup() {
    local rc=$?
    local pid ns p i kids
    trap - EXIT INT TERM
    # Newest first: clients before the server. A process's children (the
    # dataplane a control process started) go after it: they outlive a
    # control process killed before it could stop them.
    for ((i = ${#LW_PIDS[@]} - 1; i >= 0; i--)); do
        pid=${LW_PIDS[i]}
        kill -0 "$pid" 2>/dev/null || continue
        kids=$(cat /proc/"$pid"/task/*/children 2>/dev/null)
        lw_stop_pid "$pid"
        for p in $kids; do
            lw_stop_pid "$p"
        done
    done
    for ns in "${LW_NETNS[@]}"; do
        ip netns del "$ns" 2>/dev/null
    done
    [ -n "$LW_SHM" ] && rm -f "/dev/shm/$LW_SHM"
    # Every region a test names starts with its id (failover pairs have two).
    rm -f "/dev/shm/$LW_ID"-*
    for p in "${LW_PREFIXES[@]}"; do
        case "$p" in
        "$LW_ID"* | lw*) rm -rf "/var/run/dpdk/$p" ;;
        esac
    done
    if [ -n "$LW_TMP" ] && [ -d "$LW_TMP" ]; then
        if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ -s "$LW_TMP/dhclient.out" ]; then
            echo "--- last lines of dhclient's output ---" >&2
            tail -n 20 "$LW_TMP/dhclient.out" >&2
        fi
        if [ "${LW_KEEP:-0}" = 1 ]; then
            lw_log "work directory kept: $LW_TMP"
        else
            rm -rf "$LW_TMP"
        fi
    fi
    exit "$rc"
}

# lw_init: checks root and the common tools, creates the work directory and
# installs the cleanup trap. Call once, before anything else.
lw_init() {
    lw_need_root
    lw_need_tool ip ethtool timeout awk
    [ -x "$LW_DATAPLANE" ] || lw_skip "dataplane binary not found: $LW_DATAPLANE (build first)"
    [ -x "$LW_CONTROL" ] || lw_skip "control binary not found: $LW_CONTROL (build first)"
    LW_TMP=$(mktemp -d "/tmp/$LW_ID-$LW_TEST.XXXXXX")
    trap lw_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    lw_log "work directory $LW_TMP"
}

# lw_name SUFFIX: a name unique to this run, short enough for an interface
# (IFNAMSIZ is 16 with the NUL).
lw_name() {
    local n="$LW_ID$1"
    [ ${#n} -le 15 ] || n="lw$(printf '%x' $$)$1"
    echo "$n"
}

# lw_netns VAR SUFFIX: creates a namespace named after SUFFIX (loopback up)
# and stores its name in VAR. Not in a $( ): the name must reach the list
# the exit trap deletes.
lw_netns() {
    local ns
    ns=$(lw_name "$2")
    ip netns add "$ns" || lw_fail "cannot create namespace $ns"
    LW_NETNS+=("$ns")
    ip -n "$ns" link set lo up
    printf -v "$1" '%s' "$ns"
}

# lw_veth NS_A IF_A NS_B IF_B [MAC_B]: a veth pair with one end in each
# namespace, both up. Transmit checksum offload is turned off on both ends:
# af_packet hands frames to the dataplane as the kernel left them, and a
# UDP checksum left for a NIC that does not exist would look corrupt.
lw_veth() {
    local na=$1 ia=$2 nb=$3 ib=$4 mac=${5:-}
    ip link add "$ia" netns "$na" type veth peer name "$ib" netns "$nb" ||
        lw_fail "cannot create veth $ia/$ib"
    if [ -n "$mac" ]; then
        ip -n "$nb" link set "$ib" address "$mac"
    fi
    ip netns exec "$na" ethtool -K "$ia" tx off rx off >/dev/null 2>&1
    ip netns exec "$nb" ethtool -K "$ib" tx off rx off >/dev/null 2>&1
    ip -n "$na" link set "$ia" up
    ip -n "$nb" link set "$ib" up
}

# lw_direct [CLIENT_MAC]: the smallest topology: a server namespace S and a
# client namespace C joined by a veth, server end SI, client end CI (with
# CLIENT_MAC when given).
lw_direct() {
    lw_netns S s
    lw_netns C c
    SI=$(lw_name s0)
    CI=$(lw_name c0)
    lw_veth "$S" "$SI" "$C" "$CI" "$@"
}

# lw_mac NS IF: the interface's MAC address.
lw_mac() {
    ip -n "$1" -o link show "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
}

# lw_eal_args WORKERS: the eal_args array of a config for a test run, with
# this run's file prefix. One main lcore (it only sleeps and handles signals)
# plus WORKERS worker lcores, mapped onto the CPUs there are: one worker on
# two CPUs is 0@0,1@1; two workers are 0@0,1@0,2@1.
lw_eal_args() {
    local workers=$1 prefix lcores ncpu i
    prefix=$(lw_name "p$workers")
    ncpu=$(nproc)
    lcores="0@0"
    if [ "$workers" -eq 1 ] && [ "$ncpu" -ge 2 ]; then
        lcores+=",1@1"
    else
        for ((i = 1; i <= workers; i++)); do
            lcores+=",$i@$(((i - 1) % ncpu))"
        done
    fi
    printf '[ "--lcores", "%s", "--no-huge", "-m", "512", "--no-pci", "--no-telemetry", "--file-prefix", "%s" ]' \
        "$lcores" "$prefix"
}

# lw_dp_start NS CONFIG [extra args...]: checks CONFIG with --check, starts the dataplane inside NS and
# waits (30 s at most) for its ready line. Sets LW_DP_PID and LW_DP_LOG.
lw_dp_start() {
    local ns=$1 cfg=$2
    shift 2
    lw_prepare_cfg "$cfg"
    # A test that switches to another configuration wants a server made for
    # it: control is restarted on the new file (with its own journal).
    if [ -n "$LW_CTL_PID" ] && [ "$LW_CTL_CFG" != "$cfg" ]; then
        [ -n "$LW_DP_PID" ] && lw_dp_stop
        lw_ctl_stop
    fi
    [ -n "$LW_CTL_PID" ] || lw_ctl_start
    LW_DP_LOG="$LW_TMP/dataplane.$(date +%s%N).log"
    # EAL keeps a runtime directory per file prefix: remove it on exit.
    local pfx
    pfx=$(tr -d '\n' <"$cfg" | grep -o '"--file-prefix", *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/')
    [ -n "$pfx" ] && LW_PREFIXES+=("$pfx")
    lw_log "starting dataplane in $ns: $LW_DATAPLANE -c $cfg $*"
    # stdbuf: the log is a file, and lines must reach it as they are printed.
    ip netns exec "$ns" stdbuf -oL -eL "$LW_DATAPLANE" -c "$cfg" "$@" >"$LW_DP_LOG" 2>&1 &
    LW_DP_PID=$!
    LW_PIDS+=("$LW_DP_PID")
    lw_dp_wait_ready
}

# lw_prepare_cfg CFG: gives the configuration a control section of this run
# (socket, journal directory and shared region in the work directory) unless
# it has one, and checks it with --check, as an operator would.
lw_prepare_cfg() {
    local cfg=$1
    LW_CFG=$cfg
    if ! grep -q '^control' "$cfg"; then
        LW_SHM="$LW_ID-shm"
        cat >>"$cfg" <<EOF
control = {
    socket = "$LW_TMP/control.sock";
    state_dir = "$LW_TMP/state-$(basename "$cfg" .cfg)";
    shm = "$LW_SHM";
    fsync_interval_us = 200;
    # A shared test machine can stall an fdatasync, or starve control of
    # CPU next to busy-polling workers, for seconds.
    ack_hold_ms = 15000;
};
EOF
    else
        LW_SHM=$(grep -o 'shm = "[^"]*"' "$cfg" | sed 's/.*"\(.*\)"/\1/')
    fi
    "$LW_DATAPLANE" -c "$cfg" --check >"$LW_TMP/check.out" 2>&1 ||
        lw_fail "--check rejected $cfg: $(cat "$LW_TMP/check.out")"
}

# lw_dp_wait_ready: waits for the dataplane's "ready" line (its shards loaded).
lw_dp_wait_ready() {
    local i
    for i in $(seq 1 300); do
        if grep -q '^leasewire-dataplane: ready' "$LW_DP_LOG"; then
            lw_log "$(grep -m1 '^leasewire-dataplane: ready' "$LW_DP_LOG")"
            return 0
        fi
        lw_alive "$LW_DP_PID" || lw_fail "dataplane exited before it was ready"
        sleep 0.1
    done
    lw_fail "dataplane not ready after 30 s"
}

# lw_ctl_start [ARGS]: starts leasewire-control on LW_CFG (host namespace;
# the region and the socket are files) and waits for its "ready" line.
lw_ctl_start() {
    local i
    LW_CTL_LOG="$LW_TMP/control.$(date +%s%N).log"
    lw_log "starting control: $LW_CONTROL -c $LW_CFG $*"
    stdbuf -oL -eL "$LW_CONTROL" -c "$LW_CFG" "$@" >"$LW_CTL_LOG" 2>&1 &
    LW_CTL_PID=$!
    LW_CTL_CFG=$LW_CFG
    LW_PIDS+=("$LW_CTL_PID")
    for i in $(seq 1 300); do
        if grep -q '^leasewire-control: ready' "$LW_CTL_LOG"; then
            return 0
        fi
        lw_alive "$LW_CTL_PID" || lw_fail "control exited before it was ready: $(tail -n 5 "$LW_CTL_LOG")"
        sleep 0.1
    done
    lw_fail "control not ready after 30 s"
}

# lw_ctl_stop: SIGTERM to control; it must exit 0 within 10 s.
lw_ctl_stop() {
    local pid=$LW_CTL_PID rc i
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || lw_fail "control (pid $pid) is not running"
    for i in $(seq 1 100); do
        lw_alive "$pid" || break
        sleep 0.1
    done
    lw_alive "$pid" && lw_fail "control did not exit 10 s after SIGTERM"
    wait "$pid"
    rc=$?
    LW_CTL_PID=
    [ "$rc" -eq 0 ] || lw_fail "control exited with status $rc after SIGTERM"
    lw_log "control stopped (exit 0)"
}

# lw_ctl ARGS...: runs leasewirectl against this run's socket.
lw_ctl() {
    "$LW_CTL" -s "$LW_TMP/control.sock" "$@"
}

# lw_dp_stop: SIGTERM, then checks that it exited 0 within 10 s. The final
# counter dump stays in LW_DP_LOG.
lw_dp_stop() {
    local pid=$LW_DP_PID rc i
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || lw_fail "dataplane (pid $pid) is not running"
    for i in $(seq 1 100); do
        lw_alive "$pid" || break
        sleep 0.1
    done
    if lw_alive "$pid"; then
        lw_fail "dataplane did not exit 10 s after SIGTERM"
    fi
    wait "$pid"
    rc=$?
    LW_DP_PID=
    [ "$rc" -eq 0 ] || lw_fail "dataplane exited with status $rc after SIGTERM"
    lw_log "dataplane stopped (exit 0)"
}

# lw_dp_alive: fails when the dataplane died.
lw_dp_alive() {
    if [ -z "$LW_DP_PID" ] || ! lw_alive "$LW_DP_PID"; then
        lw_fail "the dataplane is not running any more (crashed?)"
    fi
}

# lw_dp_dump: asks for a counter dump (SIGUSR1) and waits until a new one is
# complete in the log.
lw_dp_dump() {
    local before i
    lw_dp_alive
    before=$(grep -c '^=== end ===' "$LW_DP_LOG")
    kill -USR1 "$LW_DP_PID"
    for i in $(seq 1 100); do
        if [ "$(grep -c '^=== end ===' "$LW_DP_LOG")" -gt "$before" ]; then
            return 0
        fi
        sleep 0.1
    done
    lw_fail "no counter dump 10 s after SIGUSR1"
}

# lw_last_dump [LOG]: prints the last complete counter dump of the log.
lw_last_dump() {
    awk '/^=== leasewire counters ===/ { n = 0; delete d; on = 1; next }
         /^=== end ===/ { if (on) { m = n; for (i = 0; i < n; i++) last[i] = d[i] } on = 0; next }
         on { d[n++] = $0 }
         END { for (i = 0; i < m; i++) print last[i] }' "${1:-$LW_DP_LOG}"
}

# lw_ctr_read NAME [COLUMN] [LOG]: a counter from the last dump already in the
# log; COLUMN is "total" (default) or w0, w1, ... Prints nothing when absent.
lw_ctr_read() {
    local name=$1 col=${2:-total}
    lw_last_dump "${3:-$LW_DP_LOG}" | awk -v name="$name" -v col="$col" '
        $1 == "name" { for (i = 2; i <= NF; i++) h[$i] = i; next }
        $1 == name { if (col in h) print $(h[col]); exit }'
}

# lw_counter NAME [COLUMN]: fresh value of a counter (SIGUSR1 + read).
lw_counter() {
    local v
    lw_dp_dump
    v=$(lw_ctr_read "$@")
    [ -n "$v" ] || lw_fail "counter '$1' (${2:-total}) not in the dump"
    echo "$v"
}

# lw_counters_show: prints the last dump, skipping rows that are zero.
lw_counters_show() {
    lw_last_dump | awk '$1 == "name" || $2 != 0'
}

# --- assertions: each prints what was expected and what was seen ------------

lw_assert_eq() { # WHAT EXPECTED SEEN
    if [ "$2" = "$3" ]; then
        lw_log "ok: $1 = $3"
    else
        lw_fail "$1: expected '$2', saw '$3'"
    fi
}

lw_assert_ne() { # WHAT NOT_EXPECTED SEEN
    if [ "$2" != "$3" ]; then
        lw_log "ok: $1 = $3 (not $2)"
    else
        lw_fail "$1: expected anything but '$2', saw '$3'"
    fi
}

lw_assert_ge() { # WHAT MIN SEEN
    if [[ "$3" =~ ^[0-9]+$ ]] && [ "$3" -ge "$2" ]; then
        lw_log "ok: $1 = $3 (>= $2)"
    else
        lw_fail "$1: expected >= $2, saw '$3'"
    fi
}

lw_assert_le() { # WHAT MAX SEEN
    if [[ "$3" =~ ^[0-9]+$ ]] && [ "$3" -le "$2" ]; then
        lw_log "ok: $1 = $3 (<= $2)"
    else
        lw_fail "$1: expected <= $2, saw '$3'"
    fi
}

lw_assert_in_range() { # WHAT FIRST LAST ADDR (IPv4, inclusive)
    local a f l
    a=$(lw_ip2int "$4") f=$(lw_ip2int "$2") l=$(lw_ip2int "$3")
    if [ -n "$a" ] && [ "$a" -ge "$f" ] && [ "$a" -le "$l" ]; then
        lw_log "ok: $1 = $4 (in $2 - $3)"
    else
        lw_fail "$1: expected an address in $2 - $3, saw '$4'"
    fi
}

lw_ip2int() {
    local IFS=. a b c d
    [[ "$1" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || return 0
    read -r a b c d <<<"$1"
    echo $(((a << 24) | (b << 16) | (c << 8) | d))
}

# lw_field LINE KEY: value of KEY=VALUE in a line of dhcp_raw.py output.
lw_field() {
    tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p" | head -n1
}

# --- real clients ------------------------------------------------------------

# lw_dhclient_files TAG: sets DHC_LEASES DHC_PID DHC_EVENTS DHC_CONF DHC_SCRIPT
# for one dhclient identity, and writes its script and config. The script only
# records what dhclient tells it (reason and new_* variables) unless
# DHC_ADD_ADDR=1, in which case it also puts the leased address on the
# interface (needed for renewal: RENEWING is a unicast from that address).
# Extra dhclient.conf lines may be passed in DHC_CONF_EXTRA.
lw_dhclient_files() {
    local tag=$1
    DHC_LEASES="$LW_TMP/dhclient-$tag.leases"
    DHC_PID="$LW_TMP/dhclient-$tag.pid"
    DHC_EVENTS="$LW_TMP/dhclient-$tag.events"
    DHC_CONF="$LW_TMP/dhclient-$tag.conf"
    DHC_SCRIPT="$LW_TMP/dhclient-$tag.script"
    cat >"$DHC_CONF" <<EOF
timeout 20;
retry 1;
initial-interval 1;
request subnet-mask, broadcast-address, routers, domain-name,
        domain-name-servers, host-name, ntp-servers;
${DHC_CONF_EXTRA:-}
EOF
    cat >"$DHC_SCRIPT" <<EOF
#!/bin/sh
# Records every call (after acting on it, so that a recorded BOUND means the
# address is in place); never touches the host's resolver or routes.
if [ "${DHC_ADD_ADDR:-0}" = 1 ]; then
    case "\$reason" in
    BOUND|RENEW|REBIND|REBOOT)
        if [ -n "\${old_ip_address:-}" ] && [ "\$old_ip_address" != "\$new_ip_address" ]; then
            ip addr del "\$old_ip_address/\${old_subnet_mask:-32}" dev "\$interface" 2>/dev/null
        fi
        ip addr replace "\$new_ip_address/\$new_subnet_mask" dev "\$interface"
        ;;
    RELEASE|EXPIRE|STOP)
        [ -n "\${old_ip_address:-}" ] && ip addr del "\$old_ip_address/\${old_subnet_mask:-32}" dev "\$interface" 2>/dev/null
        ;;
    esac
fi
echo "reason=\$reason ip=\${new_ip_address:-} mask=\${new_subnet_mask:-} routers=\${new_routers:-} dns=\${new_domain_name_servers:-} domain=\${new_domain_name:-} lease=\${new_dhcp_lease_time:-} server=\${new_dhcp_server_identifier:-} old=\${old_ip_address:-}" >>"$DHC_EVENTS"
exit 0
EOF
    chmod +x "$DHC_SCRIPT"
    touch "$DHC_LEASES" "$DHC_EVENTS"
}

# lw_dhclient NS IF [extra dhclient args]: one attempt (-1) to get a lease,
# with the files of the last lw_dhclient_files. dhclient runs in the
# foreground (-d) in the background of this shell, so its pid is ours
# (DHC_RUN_PID); after a lease it stays to renew until lw_dhclient_stop.
# Returns 0 once the script recorded a new BOUND/REBOOT/RENEW/REBIND, else
# dhclient's exit status (2: no lease) or 124 after 60 s.
lw_dhclient() {
    local ns=$1 ifc=$2 pid before i
    shift 2
    before=$(wc -l <"$DHC_EVENTS")
    ip netns exec "$ns" dhclient -4 -v -1 -d \
        -sf "$DHC_SCRIPT" -cf "$DHC_CONF" -lf "$DHC_LEASES" -pf "$DHC_PID" \
        "$@" "$ifc" >>"$LW_TMP/dhclient.out" 2>&1 &
    pid=$!
    DHC_RUN_PID=$pid
    LW_PIDS+=("$pid")
    for i in $(seq 1 600); do
        if tail -n +"$((before + 1))" "$DHC_EVENTS" | grep -E '^reason=(BOUND|REBOOT|RENEW|REBIND) ' >/dev/null; then
            return 0
        fi
        if ! lw_alive "$pid"; then
            wait "$pid"
            return $?
        fi
        sleep 0.1
    done
    return 124
}

# lw_dhclient_event REASON TIMEOUT_S: waits for the script to record REASON
# (a regex) after line DHC_MARK of the events (set DHC_MARK=$(wc -l <
# "$DHC_EVENTS") before the action). Prints the event line.
lw_dhclient_event() {
    local re=$1 t=$2 i line
    for i in $(seq 1 $((t * 10))); do
        line=$(tail -n +"$((${DHC_MARK:-0} + 1))" "$DHC_EVENTS" | grep -E "^reason=($re) " | tail -n1)
        if [ -n "$line" ]; then
            echo "$line"
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# lw_dhclient_stop: stops the running dhclient without releasing its lease.
lw_dhclient_stop() {
    local pid=${DHC_RUN_PID:-}
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 50); do
        lw_alive "$pid" || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    DHC_RUN_PID=
}

# lw_dhclient_release NS IF: `dhclient -r` with the same files: sends a
# RELEASE for the lease in the lease file and stops the running client.
lw_dhclient_release() {
    local ns=$1 ifc=$2
    ip netns exec "$ns" timeout 30 dhclient -4 -v -r \
        -sf "$DHC_SCRIPT" -cf "$DHC_CONF" -lf "$DHC_LEASES" -pf "$DHC_PID" \
        "$ifc" >>"$LW_TMP/dhclient.out" 2>&1
    local rc=$?
    if [ -n "${DHC_RUN_PID:-}" ]; then
        # -r signals the client named in the pid file; reap it.
        lw_dhclient_stop
    fi
    return $rc
}

# lw_lease FILE KEY: a value from the last lease in a dhclient lease file.
# KEY is "fixed-address" or an option name ("routers", "dhcp-lease-time"...).
lw_lease() {
    awk -v key="$2" '
        /^lease *\{/ { delete v; next }
        /^\}/ { for (k in v) last[k] = v[k]; n++; next }
        {
            sub(/^[ \t]+/, ""); sub(/;[ \t]*$/, "")
            if ($1 == "option") { k = $2; $1 = ""; $2 = "" } else { k = $1; $1 = "" }
            sub(/^[ \t]+/, ""); gsub(/"/, "")
            v[k] = $0
        }
        END { if (key in last) print last[key] }' "$1"
}

# --- dhcp_raw.py ---------------------------------------------------------------

# lw_raw NS ARGS...: runs the raw-socket DHCP client inside NS.
lw_raw() {
    local ns=$1
    shift
    ip netns exec "$ns" python3 "$LW_SOURCE_ROOT/tests/integration/dhcp_raw.py" "$@"
}

# --- perfdhcp ----------------------------------------------------------------

# lw_perfdhcp NS OUT ARGS...: runs perfdhcp inside NS, output to OUT; returns
# its exit status (3: some exchanges did not complete).
lw_perfdhcp() {
    local ns=$1 out=$2
    shift 2
    lw_log "perfdhcp $*"
    ip netns exec "$ns" timeout 240 perfdhcp "$@" >"$out" 2>&1
}

# lw_perf_stat OUT EXCHANGE KEY: a number from perfdhcp's final summary, e.g.
# lw_perf_stat out DISCOVER-OFFER "sent packets".
lw_perf_stat() {
    awk -v ex="$2" -v key="$3" '
        /^\*\*\*Statistics for: / { cur = $3; sub(/\*+$/, "", cur); next }
        cur == ex {
            i = index($0, ":")
            if (i && substr($0, 1, i - 1) == key) {
                v = substr($0, i + 1); gsub(/[ \t]/, "", v); val = v
            }
        }
        END { print val }' "$1"
}

# lw_perf_check OUT EXPECTED: every exchange of the last perfdhcp run
# completed: at least EXPECTED DISCOVERs and REQUESTs sent, an answer to each,
# no drops. perfdhcp may start a few exchanges more than -n when it catches
# up after falling behind its rate (its clients wrap around, so the extra
# exchanges repeat the first clients); at most 1 % + 10 are accepted.
# Sets LW_PERF_SENT to the number of REQUEST-ACK exchanges sent.
lw_perf_check() {
    local out=$1 n=$2 ex sent
    for ex in DISCOVER-OFFER REQUEST-ACK; do
        sent=$(lw_perf_stat "$out" "$ex" "sent packets")
        lw_assert_ge "perfdhcp $ex sent" "$n" "$sent"
        lw_assert_le "perfdhcp $ex sent" $((n + n / 100 + 10)) "$sent"
        lw_assert_eq "perfdhcp $ex received" "$sent" "$(lw_perf_stat "$out" "$ex" "received packets")"
        lw_assert_eq "perfdhcp $ex drops" 0 "$(lw_perf_stat "$out" "$ex" "drops")"
    done
    LW_PERF_SENT=$sent
}

# lw_leaselog_check LOG EXPECTED_CLIENTS: from the --log-leases lines, every
# acknowledged address went to exactly one client, and EXPECTED_CLIENTS
# distinct clients were acknowledged.
lw_leaselog_check() {
    local log=$1 want=$2 acks clients addrs dup
    acks=$(grep -c '^lease-log ack ' "$log")
    clients=$(awk '$1 == "lease-log" && $2 == "ack" { c[$4] = 1 } END { print length(c) }' "$log")
    addrs=$(awk '$1 == "lease-log" && $2 == "ack" { a[$3] = 1 } END { print length(a) }' "$log")
    dup=$(awk '$1 == "lease-log" && $2 == "ack" {
            if (($3 in owner) && owner[$3] != $4) { print $3, owner[$3], $4; exit }
            owner[$3] = $4
        }' "$log")
    lw_log "lease log: $acks acks, $clients distinct clients, $addrs distinct addresses"
    [ -z "$dup" ] || lw_fail "address given to two clients: $dup"
    lw_assert_eq "distinct clients acknowledged" "$want" "$clients"
    lw_assert_eq "distinct addresses acknowledged" "$want" "$addrs"
}

# lw_forget PID: PID is gone (waited for): not to be killed on exit, where
# the number may by then be another process's.
lw_forget() {
    local i
    for i in "${!LW_PIDS[@]}"; do
        [ "${LW_PIDS[i]}" = "$1" ] && unset 'LW_PIDS[i]'
    done
    LW_PIDS=("${LW_PIDS[@]}")
}

# lw_capture_start NS IFACE FILE [DUMPCAP_OPTION...]: captures DHCP on IFACE
# (dumpcap, behind the command prefix LW_CAP_RUN if set, e.g. taskset) until
# lw_capture_stop; waits until the capture runs.
LW_CAP_RUN=()
lw_capture_start() {
    local ns=$1 ifc=$2 file=$3 i
    shift 3
    ip netns exec "$ns" "${LW_CAP_RUN[@]}" dumpcap -q -i "$ifc" "$@" -f "udp port 67 or udp port 68" \
        -w "$file" >"$LW_TMP/dumpcap.out" 2>&1 &
    LW_CAP_PID=$!
    LW_PIDS+=("$LW_CAP_PID")
    for i in $(seq 1 50); do
        [ -s "$file" ] && return 0
        sleep 0.1
    done
    lw_fail "dumpcap did not start: $(cat "$LW_TMP/dumpcap.out")"
}

lw_capture_stop() {
    kill -TERM "$LW_CAP_PID" 2>/dev/null
    wait "$LW_CAP_PID" 2>/dev/null
    lw_forget "$LW_CAP_PID"
    LW_CAP_PID=
}

# lw_acks FILE: one line per DHCPACK in the capture: epoch chaddr yiaddr.
lw_acks() {
    tshark -r "$1" -Y "dhcp.option.dhcp == 5" -T fields -e frame.time_epoch \
        -e dhcp.hw.mac_addr -e dhcp.ip.your 2>/dev/null
}

# lw_now: wall clock with sub-second precision (comparable to capture times).
lw_now() {
    date +%s.%N
}

# lw_relay_run_setup WORKERS [EXTRA]: the topology of the restart tests: a
# server and a client namespace, perfdhcp's relay address 198.19.0.2/16 on
# the client side, and CFG: one /16 subnet with a pool that never runs out
# (EXTRA is appended to the file, e.g. a control section).
lw_relay_run_setup() {
    local workers=$1
    lw_direct
    ip -n "$C" addr add 198.19.0.2/16 dev "$CI"
    CFG=$LW_TMP/leasewire.cfg
    cat >"$CFG" <<EOF
dataplane = {
  eal_args = $(lw_eal_args "$workers");
};
ports = (
  { name = "it0"; device = "net_af_packet0,iface=$SI"; address = "198.19.0.1/16"; }
);
subnets = (
  {
    subnet = "198.19.0.0/16";
    pools = ( { range = "198.19.1.0 - 198.19.255.250"; } );
  }
);
${2:-}
EOF
}

# lw_perfdhcp_bg RATE SECONDS MACBASE: distinct clients through DORA in the
# background, output in PERF_OUT, pid in PERF (wait for it).
lw_perfdhcp_bg() {
    PERF_OUT=$LW_TMP/perfdhcp.out
    ip netns exec "$C" perfdhcp -4 -l "$CI" -r "$1" -R 1000000 -p "$2" -W 2000000 \
        -b "mac=$3" 198.19.0.1 >"$PERF_OUT" 2>&1 &
    PERF=$!
    LW_PIDS+=("$PERF")
}
