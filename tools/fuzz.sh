#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
#
# Builds the libFuzzer targets (clang, ASan + UBSan) into build-fuzz/ and
# runs each on a temporary copy of the seed corpus:
#
#   tools/fuzz.sh [SECONDS]
#
# SECONDS (default 60) is the total, split between the targets. Exits
# non-zero when a target crashes, and prints the input that crashed it; the
# input is kept in the artifacts directory named at the end.

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

DURATION=${1:-60}
BUILD=$ROOT/build-fuzz
CORPUS=$ROOT/tests/fuzz/corpus/dhcp4
TARGETS=(fuzz_dhcp4 fuzz_server fuzz_journal fuzz_ctl fuzz_fo_wire fuzz_isc_conf fuzz_isc_leases
    fuzz_lg_wire)

case "$DURATION" in
'' | *[!0-9]*)
    echo "usage: $0 [SECONDS]" >&2
    exit 2
    ;;
esac
PER_TARGET=$((DURATION / ${#TARGETS[@]}))
[ "$PER_TARGET" -ge 1 ] || PER_TARGET=1

# The compiler of a build directory is fixed when it is set up: start over
# when an existing build-fuzz/ cannot be reconfigured for clang.
if [ -f "$BUILD/build.ninja" ]; then
    CC=clang meson setup --reconfigure "$BUILD" -Dfuzz=true >/dev/null ||
        CC=clang meson setup --wipe "$BUILD" -Dfuzz=true >/dev/null
else
    CC=clang meson setup "$BUILD" -Dfuzz=true >/dev/null
fi
ninja -C "$BUILD" "${TARGETS[@]/#/tests/fuzz/}"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/leasewire-fuzz.XXXXXX")
ARTIFACTS=$WORK/artifacts
mkdir -p "$ARTIFACTS"
cleanup() {
    # Keep the artifacts when something was found; the corpora always go.
    if [ -z "$(ls -A "$ARTIFACTS" 2>/dev/null)" ]; then
        rm -rf "$WORK"
    else
        rm -rf "$WORK"/corpus-*
    fi
}
trap cleanup EXIT

FAILED=0
SUMMARY=()
for t in "${TARGETS[@]}"; do
    corpus=$WORK/corpus-$t
    log=$WORK/$t.log
    case "$t" in
    fuzz_journal) cp -r "$ROOT/tests/fuzz/corpus/journal" "$corpus" ;;
    fuzz_ctl) cp -r "$ROOT/tests/fuzz/corpus/ctl" "$corpus" ;;
    fuzz_fo_wire) cp -r "$ROOT/tests/fuzz/corpus/fo_wire" "$corpus" ;;
    fuzz_isc_conf) cp -r "$ROOT/tests/fuzz/corpus/isc_conf" "$corpus" ;;
    fuzz_isc_leases) cp -r "$ROOT/tests/fuzz/corpus/isc_leases" "$corpus" ;;
    *) cp -r "$CORPUS" "$corpus" ;;
    esac
    echo "==> $t: ${PER_TARGET}s"
    rc=0
    "$BUILD/tests/fuzz/$t" \
        -max_total_time="$PER_TARGET" \
        -max_len=1500 \
        -timeout=10 \
        -print_final_stats=1 \
        -artifact_prefix="$ARTIFACTS/$t-" \
        "$corpus" >"$log" 2>&1 || rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    SUMMARY+=("$(printf '%-12s %10s execs %8s execs/s  rc %d' "$t" "${execs:-?}" "${rate:-?}" "$rc")")
    crashes=$(find "$ARTIFACTS" -name "$t-*" -type f | sort)
    if [ "$rc" -ne 0 ] || [ -n "$crashes" ]; then
        FAILED=1
        echo "!!! $t failed (exit $rc); last lines of its log:"
        tail -n 40 "$log"
        for f in $crashes; do
            echo "--- $f ($(wc -c <"$f") bytes)"
            od -A d -t x1 "$f"
        done
    fi
done

echo "==> summary"
printf '    %s\n' "${SUMMARY[@]}"
if [ "$FAILED" -ne 0 ]; then
    echo "crash inputs kept in $ARTIFACTS (rerun one: $BUILD/tests/fuzz/TARGET FILE)"
    exit 1
fi
