#!/usr/bin/env bash
# Soak of the transparent path: N concurrent flows through Burrow (nft REDIRECT into its listener, built-in
# Tor client) on the private test network for M minutes, every flow's bytes checked by SHA-256; RSS, fds and
# threads sampled every 5 s. Builds Release, then runs inside a fresh network namespace (build/in-namespace.sh)
# with its own testnet on base port 18500 (/large 8 MiB).
#   bench/soak.sh [--minutes M] [--flows N] [--out DIR]   default 10 minutes, 1000 flows, bench/soak-results/
#   bench/soak.sh --smoke                                   30 s, 50 flows; non-zero on any failure or leak
# build/run-tests.sh runs the smoke already inside its namespace with BURROW_SOAK_INNER=1 and the suite's
# testnet in BURROW_TESTNET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
minutes=10; flows=1000; out=""; smoke=()
seconds=""
while [ $# -gt 0 ]; do
    case "$1" in
        --minutes) minutes="$2"; shift 2 ;;
        --flows) flows="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --seconds) seconds="$2"; shift 2 ;;
        --smoke) smoke=(--smoke); seconds=30; flows=50; shift ;;
        *) echo "bench/soak.sh: unknown argument '$1' (accepted: --minutes M, --flows N, --out DIR, --smoke)" >&2; exit 2 ;;
    esac
done
[ -n "$seconds" ] || seconds=$((minutes * 60))
# The smoke's results are not kept: they go to a temporary directory unless --out says otherwise.
if [ -z "$out" ]; then
    if [ "${#smoke[@]}" -gt 0 ]; then out="${TMPDIR:-/tmp}/burrow-soak-smoke-$$"; else out="$ROOT/bench/soak-results"; fi
fi
out=$(realpath -m "$out")
args=(--seconds "$seconds" --flows "$flows" "${smoke[@]}")

if [ "${BURROW_SOAK_INNER:-}" != 1 ]; then
    dotnet build -c Release bench/Soak -nologo -v q
    BURROW_SOAK_INNER=1 exec build/in-namespace.sh bash "$ROOT/bench/soak.sh" --out "$out" --flows "$flows" --seconds "$seconds" "${smoke[@]}"
fi

# Inside the namespace.
# 1,000 flows need ~3 fds each in this one process (client socket, accepted socket, headroom); take the hard limit when it is lower.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if [ -n "${BURROW_TESTNET_DIR:-}" ] && [ "${#smoke[@]}" -gt 0 ]; then
    TN="$BURROW_TESTNET_DIR"
else
    TN="$ROOT/.testnet/soak"
    tests/TestNet/testnet stop "$TN" >/dev/null 2>&1 || true
    stop_testnet() { tests/TestNet/testnet stop "$TN" >/dev/null 2>&1 || true; }
    trap stop_testnet EXIT
    echo "== private Tor network ($TN)" >&2
    tests/TestNet/testnet start "$TN" --base-port 18500 --large-size-mb 8 --stop-with-pid $$ >&2
fi
dotnet bench/Soak/bin/Release/net10.0/Burrow.Soak.dll "$TN" "$out" "${args[@]}"
