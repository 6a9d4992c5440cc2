#!/usr/bin/env bash
# Burrow (transparent listener + built-in Tor client) side by side with the C tor client's TransPort on
# the private test network, in one run. Builds Release, then runs everything inside a fresh network
# namespace (build/in-namespace.sh): its own testnet on base port 18000, the harness, stop.
# Writes bench/side-by-side-results.md (or the file given as $1). Needs root.
#   bench/side-by-side.sh [OUT] [--link-delay-ms N] [--large-size-mb M]
#   --link-delay-ms: every relay link costs N ms each way (testnet's delay proxy; a 3-hop round trip is 6 x N)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT="$ROOT/bench/side-by-side-results.md"; delay=0; large=50
while [ $# -gt 0 ]; do
    case "$1" in
        --link-delay-ms) delay="$2"; shift 2 ;;
        --large-size-mb) large="$2"; shift 2 ;;
        -*) echo "bench/side-by-side.sh: unknown option '$1' (accepted: --link-delay-ms N, --large-size-mb M)" >&2; exit 2 ;;
        *) OUT="$1"; shift ;;
    esac
done
OUT=$(realpath -m "$OUT")

if [ "${BURROW_BENCH_INNER:-}" != 1 ]; then
    dotnet build -c Release bench/SideBySide -nologo -v q
    BURROW_BENCH_INNER=1 exec build/in-namespace.sh bash "$ROOT/bench/side-by-side.sh" "$OUT" --link-delay-ms "$delay" --large-size-mb "$large"
fi
export BURROW_BENCH_LINK_DELAY_MS="$delay"

# Inside the namespace.
ulimit -n 8192
TN="$ROOT/.testnet/bench"
tests/TestNet/testnet stop "$TN" >/dev/null 2>&1 || true
stop_testnet() { tests/TestNet/testnet stop "$TN" >/dev/null 2>&1 || true; }
trap stop_testnet EXIT
echo "== private Tor network ($TN)" >&2
tests/TestNet/testnet start "$TN" --base-port 18000 --link-delay-ms "$delay" --large-size-mb "$large" --stop-with-pid $$ >&2
dotnet bench/SideBySide/bin/Release/net10.0/Burrow.SideBySide.dll "$TN" "$OUT"
