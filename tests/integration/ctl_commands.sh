#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
#
# Every leasewirectl command against a running server: status, leases,
# lease (by address, hardware address, client identifier), lease-del,
# lease-export (ISC and Kea), stats, stats-reset, config-get, config-test,
# reload with a good and with a bad configuration (the old one keeps
# running), version, commands, raw, shutdown; and the Prometheus endpoint.

. "$(dirname "$0")/lib.sh"

lw_init
lw_need_tool python3

lw_direct
CFG=$LW_TMP/leasewire.cfg
METRICS_PORT=$((20000 + $$ % 10000))
write_cfg() { # LEASE_TIME [EXTRA]
    cat >"$CFG" <<EOF
dataplane = {
  eal_args = $(lw_eal_args 1);
};
ports = (
  { name = "it0"; device = "net_af_packet0,iface=$SI"; address = "198.18.0.1/24"; }
);
subnets = (
  {
    subnet = "198.18.0.0/24";
    default_lease_time = $1;
    pools = ( { range = "198.18.0.100 - 198.18.0.199"; } );
  }
);
control = {
  socket = "$LW_TMP/control.sock";
  state_dir = "$LW_TMP/state";
  shm = "$LW_ID-shm";
  metrics = { enabled = true; port = $METRICS_PORT; };
};
${2:-}
EOF
}
write_cfg 600

# ctl_ok WHAT ARGS...: leasewirectl must exit 0; its output is in $OUT.
ctl_ok() {
    local what=$1
    shift
    OUT=$(lw_ctl "$@" 2>&1) || lw_fail "leasewirectl $* ($what) failed: $OUT"
}
# ctl_rc WHAT RC ARGS...: leasewirectl must exit RC.
ctl_rc() {
    local what=$1 want=$2 rc=0
    shift 2
    OUT=$(lw_ctl "$@" 2>&1) || rc=$?
    lw_assert_eq "$what: exit status of leasewirectl $*" "$want" "$rc"
}

lw_dp_start "$S" "$CFG"
A=$(lw_field "$(lw_raw "$C" -i "$CI" --mac 02:00:5e:40:00:01 dora | grep '^ack ')" addr)
B=$(lw_field "$(lw_raw "$C" -i "$CI" --mac 02:00:5e:40:00:02 --client-id 01:02:00:5e:40:00:02 dora | grep '^ack ')" addr)
D=$(lw_field "$(lw_raw "$C" -i "$CI" --mac 02:00:5e:40:00:03 --client-id ff:00:00:00:01:00:01:aa:bb dora | grep '^ack ')" addr)
[ -n "$A" ] && [ -n "$B" ] && [ -n "$D" ] || lw_fail "three clients should have leases ($A $B $D)"

ctl_ok status status
grep -q serving <<<"$OUT" || lw_fail "status does not say the dataplane is serving: $OUT"
ctl_ok "status --json" --json status
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["dataplane"]["state"] == "serving"' "$OUT" ||
    lw_fail "status --json: $OUT"

ctl_ok leases leases
for a in "$A" "$B" "$D"; do
    grep -q "^$a " <<<"$OUT" || lw_fail "leases does not list $a: $OUT"
done
ctl_ok "lease by address" --json lease "$A"
grep -q '02:00:5e:40:00:01' <<<"$OUT" || lw_fail "lease $A: $OUT"
ctl_ok "lease by hardware address" --json lease --hw 02:00:5e:40:00:02
grep -q "\"$B\"" <<<"$OUT" || lw_fail "lease --hw: $OUT"
ctl_ok "lease by client id" --json lease --client-id ff:00:00:00:01:00:01:aa:bb
grep -q "\"$D\"" <<<"$OUT" || lw_fail "lease --client-id: $OUT"
ctl_rc "no lease for this address" 3 lease 198.18.0.250
ctl_rc "not an address" 1 lease 198.18.0.300

ctl_ok "ISC export" lease-export --format isc -o "$LW_TMP/export.leases"
grep -q "^lease $A {" "$LW_TMP/export.leases" || lw_fail "ISC export lacks $A"
ctl_ok "Kea export" lease-export --format kea -o "$LW_TMP/export.csv"
head -n1 "$LW_TMP/export.csv" | grep -q '^address,hwaddr,client_id,valid_lifetime,expire,subnet_id' ||
    lw_fail "Kea export header: $(head -n1 "$LW_TMP/export.csv")"
lw_assert_eq "Kea export rows" 3 "$(grep -c '^198\.18\.0\.' "$LW_TMP/export.csv")"

ctl_ok "lease-del" lease-del "$D"
for _ in $(seq 1 50); do
    rc=0
    lw_ctl lease "$D" >/dev/null 2>&1 || rc=$?
    [ "$rc" -eq 3 ] && break
    sleep 0.1
done
ctl_rc "the deleted lease is gone" 3 lease "$D"

ctl_ok "stats" stats
grep -q 'pkt4-ack-sent' <<<"$OUT" || lw_fail "stats lacks pkt4-ack-sent"
grep -q 'subnet\[1\].total-addresses' <<<"$OUT" || lw_fail "stats lacks subnet[1].total-addresses"
ctl_ok "one statistic" --json stats pkt4-ack-sent
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); v=d["pkt4-ack-sent"][0][0]; assert v == 3, v' "$OUT" ||
    lw_fail "pkt4-ack-sent should be 3: $OUT"
ctl_ok "stats-reset" stats-reset
ctl_ok "one statistic after the reset" --json stats pkt4-ack-sent
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); v=d["pkt4-ack-sent"][0][0]; assert v == 0, v' "$OUT" ||
    lw_fail "pkt4-ack-sent should be 0 after the reset: $OUT"

METRICS=$(python3 -c 'import sys,urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' \
    "http://127.0.0.1:$METRICS_PORT/metrics") || lw_fail "GET /metrics failed"
grep -q '^leasewire_pkt4_ack_sent_total' <<<"$METRICS" || lw_fail "metrics lack leasewire_pkt4_ack_sent_total"

# What is not one JSON object is turned away by the socket, and counted.
REPLY=$(python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(b"hello")
print(s.recv(4096).decode())' "$LW_TMP/control.sock") || lw_fail "no reply to a request that is not JSON"
grep -q 'not a JSON object' <<<"$REPLY" || lw_fail "reply to a request that is not JSON: $REPLY"
ctl_ok "rejected requests" --json stats control-requests-rejected
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); v=d["control-requests-rejected"][0][0]; assert v == 1, v' "$OUT" ||
    lw_fail "control-requests-rejected should be 1: $OUT"
METRICS=$(python3 -c 'import sys,urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' \
    "http://127.0.0.1:$METRICS_PORT/metrics") || lw_fail "GET /metrics failed"
grep -q '^leasewire_control_requests_rejected_total 1$' <<<"$METRICS" ||
    lw_fail "metrics: $(grep control_requests <<<"$METRICS")"

ctl_ok "config-get" --json config-get
grep -q '198.18.0.0/24' <<<"$OUT" || lw_fail "config-get does not show the subnet"
ctl_ok "config-test of the running file" config-test
cp "$CFG" "$LW_TMP/bad.cfg"
echo "server = { default_lease_time = ; };" >>"$LW_TMP/bad.cfg"
ctl_rc "config-test of a bad file" 1 config-test "$LW_TMP/bad.cfg"
grep -q "bad.cfg:[0-9]*:" <<<"$OUT" || lw_fail "config-test should name the file and line: $OUT"

# A good reload: the new lease time is given to the next client.
write_cfg 1234
ctl_ok "reload (good)" reload
L=$(lw_field "$(lw_raw "$C" -i "$CI" --mac 02:00:5e:40:00:04 dora | grep '^ack ')" lease)
lw_assert_eq "lease time after the reload" 1234 "$L"
# A bad one is refused, and the running configuration stays.
write_cfg 999 'bogus = 1;'
ctl_rc "reload (bad)" 1 reload
lw_log "bad reload: $OUT"
L=$(lw_field "$(lw_raw "$C" -i "$CI" --mac 02:00:5e:40:00:05 dora | grep '^ack ')" lease)
lw_assert_eq "lease time after the refused reload" 1234 "$L"
# SIGHUP to control does the same as the reload command.
write_cfg 1500
kill -HUP "$LW_CTL_PID"
for _ in $(seq 1 50); do
    grep -q 'configuration reloaded' "$LW_CTL_LOG" && break
    sleep 0.1
done
grep -q 'configuration reloaded' "$LW_CTL_LOG" || lw_fail "SIGHUP did not reload: $(tail -n 3 "$LW_CTL_LOG")"
L=$(lw_field "$(lw_raw "$C" -i "$CI" --mac 02:00:5e:40:00:06 dora | grep '^ack ')" lease)
lw_assert_eq "lease time after SIGHUP" 1500 "$L"
# A change the dataplane cannot apply live (a pool) is refused as a whole.
write_cfg 1234
sed -i 's/198.18.0.199/198.18.0.150/' "$CFG"
ctl_rc "reload with a changed pool" 1 reload
grep -qi 'restart' <<<"$OUT" || lw_fail "the refusal should say to restart: $OUT"
write_cfg 1234

ctl_ok version version
ctl_ok commands commands
grep -q 'lease4-get-page' <<<"$OUT" || lw_fail "commands lacks lease4-get-page"
ctl_ok raw raw '{"command": "version-get"}'
grep -q '"result": *0' <<<"$OUT" || lw_fail "raw version-get: $OUT"
ctl_rc "unknown command" 2 raw '{"command": "no-such-command"}'
ctl_rc "malformed JSON" 1 raw '{"command": '

ctl_ok shutdown shutdown
for _ in $(seq 1 50); do
    lw_alive "$LW_CTL_PID" || break
    sleep 0.1
done
lw_alive "$LW_CTL_PID" && lw_fail "control still runs after shutdown"
wait "$LW_CTL_PID"
lw_assert_eq "control's exit status after shutdown" 0 "$?"
LW_CTL_PID=
[ -e "$LW_TMP/control.sock" ] && lw_fail "the socket file is left behind"
ctl_rc "no server" 4 status
lw_dp_stop
lw_log "PASS"
