# SPDX-License-Identifier: MPL-2.0
#
# leasewire on a memif port for the engine benchmarks (engine_rate.sh,
# avalanche.sh), sourced. The caller sets:
#   CTL   leasewire-control      TMP  a work directory of its own
#   ID    a name prefix (EAL file prefixes ID-dp, ID-lg; shm ID-shm)
#   DUR   durability (fsync|none)
# memif_lw_start LCORES MEM_MB SUBNET ADDRESS RANGE starts leasewire-control
# --dataplane with one memif server port at $TMP/dp.sock, a fresh journal in
# $TMP/state and mbufs = 65535 (a worker may hold 8,192 ACKs while their
# records reach the disk; the default 1,024 lost 6 % at 100,000/s with
# fsync), and returns once the dataplane is ready (sets CTL_PID; exits 1
# when it is not within 2 minutes). memif_lw_stop stops it; memif_lw_cleanup
# also removes what the two DPDK processes left (for an EXIT trap).
CTL_PID=

memif_lw_start() {
    local lcores=$1 mem=$2 subnet=$3 addr=$4 range=$5
    rm -rf "$TMP/state" "$TMP/dp.sock"
    cat >"$TMP/lw.cfg" <<EOC
dataplane = {
  mbufs = 65535;
  eal_args = [ "--lcores", "$lcores", "--no-huge", "-m", "$mem", "--no-pci",
               "--no-telemetry", "--file-prefix", "$ID-dp" ];
};
server = { default_lease_time = 3600; };
ports = (
  { name = "lg0"; device = "net_memif0,role=server,socket=$TMP/dp.sock";
    address = "$addr"; }
);
subnets = (
  { subnet = "$subnet"; pools = ( { range = "$range"; } ); }
);
control = {
  socket = "$TMP/control.sock";
  state_dir = "$TMP/state";
  shm = "$ID-shm";
  durability = "$DUR";
};
EOC
    "$CTL" -c "$TMP/lw.cfg" --dataplane >"$TMP/control.log" 2>&1 &
    CTL_PID=$!
    for _ in $(seq 1 600); do
        grep -q 'dataplane: ready' "$TMP/control.log" && return 0
        kill -0 "$CTL_PID" 2>/dev/null || break
        sleep 0.2
    done
    echo "$(basename "$0"): leasewire not ready" >&2
    tail -n 5 "$TMP/control.log" >&2
    exit 1
}

memif_lw_stop() {
    kill -TERM "$CTL_PID"
    wait "$CTL_PID" 2>/dev/null
    CTL_PID=
}

memif_lw_cleanup() {
    [ -n "$CTL_PID" ] && kill -TERM "$CTL_PID" 2>/dev/null && wait "$CTL_PID" 2>/dev/null
    rm -rf "$TMP" "/var/run/dpdk/$ID-dp" "/var/run/dpdk/$ID-lg" "/dev/shm/$ID-shm"
}
