#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
# shellcheck disable=SC2317  # functions called through run()
#
# Every test, for a fresh Debian 12 machine, as root:
#
#   sudo tools/test.sh
#
# 1. installs the Debian packages that are missing (build, test and fuzz
#    needs);
# 2. builds leasewire into build/;
# 3. runs `meson test`: the Criterion unit tests and the integration tests
#    (network namespaces, the real dataplane, dhclient, perfdhcp);
# 4. runs the parser fuzzer for 60 s (tools/fuzz.sh);
# 5. checks the C sources against .clang-format (a file that differs fails
#    the run; LW_FORMAT_STRICT=0 only reports it).
#
# Prints a summary and exits non-zero when any step failed. CI runs it
# (.ci/run). Environment: LW_BUILD (build directory, default build/),
# LW_FUZZ_SECONDS (default 60).

set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${LW_BUILD:-$ROOT/build}
FUZZ_SECONDS=${LW_FUZZ_SECONDS:-60}
cd "$ROOT" || exit 1

if [ -t 1 ]; then
    B=$'\033[1m' G=$'\033[32m' R=$'\033[31m' N=$'\033[0m'
else
    B='' G='' R='' N=''
fi
step() { printf '\n%s==> %s%s\n' "$B" "$*" "$N"; }

RESULTS=()
FAILED=0
START=$(date +%s)

# record NAME STATUS SECONDS (STATUS: 0, skip, differs, or a failure code)
record() {
    local word color=$G
    case "$2" in
    0) word=pass ;;
    skip | differs)
        word=$2
        color=''
        ;;
    *)
        word=FAIL
        color=$R
        FAILED=1
        ;;
    esac
    RESULTS+=("$(printf '%-16s %s%-8s%s %5ss' "$1" "$color" "$word" "$N" "$3")")
}

# run NAME CMD...: runs a step, records its status and time.
run() {
    local name=$1 t0 rc
    shift
    step "$name: $*"
    t0=$(date +%s)
    "$@"
    rc=$?
    record "$name" "$rc" $(($(date +%s) - t0))
    return $rc
}

summary() {
    local r
    step "Summary ($(($(date +%s) - START)) s)"
    for r in "${RESULTS[@]}"; do
        printf '    %s\n' "$r"
    done
}

# --- 1. packages -----------------------------------------------------------------
missing_packages() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep '^install ok installed$' >/dev/null || echo "$p"
    done
}

install_packages() {
    local pkgs=(
        # build
        meson ninja-build gcc pkg-config libdpdk-dev libconfig-dev zlib1g-dev libcriterion-dev
        libjansson-dev libmicrohttpd-dev
        # integration tests (isc-dhcp-server, kea-admin: dhcpd -T and kea-lfc read the lease exports)
        isc-dhcp-client isc-dhcp-server kea-admin python3 iproute2 ethtool iputils-ping procps tshark
        # fuzzer and format check
        clang libclang-rt-14-dev clang-format
    )
    local missing
    missing=$(missing_packages "${pkgs[@]}")
    if [ -z "$missing" ]; then
        echo "    all present"
        return 0
    fi
    if [ "$(id -u)" -ne 0 ]; then
        echo "    missing: $missing (run as root to install them)"
        return 1
    fi
    echo "    installing: $(tr '\n' ' ' <<<"$missing")"
    apt-get update -q || return 1
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
}

if [ "$(id -u)" -ne 0 ]; then
    echo "${R}note:$N not root: packages cannot be installed and the integration tests will be skipped"
fi
run packages install_packages || { summary; exit 1; }

# --- 2. build ----------------------------------------------------------------------
build() {
    if [ ! -f "$BUILD/build.ninja" ]; then
        meson setup "$BUILD" || return 1
    fi
    ninja -C "$BUILD"
}
run build build || { summary; exit 1; }

# --- 3. unit and integration tests ---------------------------------------------
run meson-test meson test -C "$BUILD" --print-errorlogs
if [ -f "$BUILD/meson-logs/testlog.txt" ]; then
    echo "    (full log: $BUILD/meson-logs/testlog.txt)"
fi

# --- 4. fuzzer -------------------------------------------------------------------
if [ -f "$ROOT/tools/fuzz.sh" ]; then
    run fuzz bash "$ROOT/tools/fuzz.sh" "$FUZZ_SECONDS"
else
    record fuzz skip 0
fi

# --- 5. format -------------------------------------------------------------------
# A formatting difference fails the run; LW_FORMAT_STRICT=0 only lists the
# files that differ and marks the step "differs".
FORMAT_STRICT=${LW_FORMAT_STRICT:-1}
format_check() {
    local files f n bad=0
    mapfile -t files < <(find common dataplane control failover import bench tests \
        -name '*.[ch]' -type f 2>/dev/null | sort)
    echo "    ${#files[@]} files"
    for f in "${files[@]}"; do
        n=$(clang-format --dry-run "$f" 2>&1 | grep -c 'warning:')
        if [ "$n" -gt 0 ]; then
            printf '    %-40s %4s lines to reformat\n' "$f" "$n"
            bad=$((bad + 1))
        fi
    done
    if [ "$bad" -eq 0 ]; then
        echo "    all files match .clang-format"
        return 0
    fi
    echo "    $bad file(s) differ from .clang-format (see: clang-format --dry-run FILE; fix: clang-format -i FILE)"
    [ "$FORMAT_STRICT" = 1 ] && return 1
    return 3
}
if [ -f "$ROOT/.clang-format" ] && command -v clang-format >/dev/null; then
    step "clang-format: C sources against .clang-format"
    T0=$(date +%s)
    format_check
    RC=$?
    [ "$RC" -eq 3 ] && RC=differs
    record clang-format "$RC" $(($(date +%s) - T0))
else
    record clang-format skip 0
fi

summary
exit "$FAILED"
