#!/usr/bin/env bash
# Burrow (transparent listener + built-in Tor client) side by side with the C tor client's TransPort on
# the private test network, in one run. Builds Release, then runs everything inside a fresh network
# namespace (build/in-namespace.sh): its own testnet on base port 18000, the harness, stop.
# Writes bench/side-by-side-results.md (or the file given as $1). Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=$(realpath -m "${1:-$ROOT/bench/side-by-side-results.md}")

if [ "${BURROW_BENCH_INNER:-}" != 1 ]; then
    dotnet build -c Release bench/SideBySide -nologo -v q
    BURROW_BENCH_INNER=1 exec build/in-namespace.sh bash "$ROOT/bench/side-by-side.sh" "$OUT"
fi

# Inside the namespace.
ulimit -n 8192
TN="$ROOT/.testnet/bench"
tests/TestNet/testnet stop "$TN" >/dev/null 2>&1 || true
stop_testnet() { tests/TestNet/testnet stop "$TN" >/dev/null 2>&1 || true; }
trap stop_testnet EXIT
echo "== private Tor network ($TN)" >&2
tests/TestNet/testnet start "$TN" --base-port 18000 --stop-with-pid $$ >&2
dotnet bench/SideBySide/bin/Release/net10.0/Burrow.SideBySide.dll "$TN" "$OUT"
