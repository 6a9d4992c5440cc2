#!/usr/bin/env bash
# Every test, run inside the namespace made by build/in-namespace.sh: one private Tor network for
# the whole run, the xunit projects, the soak smoke, then Pester. Ends with "Total: N passed, N failed".
#   build/run-tests.sh --unit   only the xunit tests without [Trait("Category", "Integration")]:
#                               no Tor network, no namespace, no Pester; same closing line.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
LOGS=$(mktemp -d)
passed=0; failed=0; broken=()
unit=0; filter=()
# Hard limits (seconds) per part; the whole suite runs in about 10 minutes here, CI allows 90.
PROJECT_LIMIT=${BURROW_TEST_PROJECT_LIMIT:-1500}; PESTER_LIMIT=${BURROW_TEST_PESTER_LIMIT:-900}
if [ "${1:-}" = "--unit" ]; then unit=1; filter=(--filter "Category!=Integration"); fi

if [ $unit -eq 0 ]; then
    TN="$ROOT/.testnet/suite"
    echo "== private Tor network ($TN)"
    # A network left in this directory by an interrupted run is stopped first; this one stops with us.
    tests/TestNet/testnet stop "$TN" >/dev/null 2>&1 || true
    if ! tests/TestNet/testnet start "$TN" --base-port 16000 --stop-with-pid $$ >"$LOGS/testnet.log" 2>&1; then
        cat "$LOGS/testnet.log"
        broken+=("private Tor network did not start")
    else
        tail -n 3 "$LOGS/testnet.log"
        export BURROW_TESTNET_DIR="$TN"
    fi
    stop_testnet() { tests/TestNet/testnet stop "$TN" >/dev/null 2>&1 || true; }
    trap stop_testnet EXIT
fi

for proj in tests/Unit/*/*.csproj; do
    name=$(basename "$proj" .csproj)
    echo "== xunit: $name${filter:+ (unit tests only)}"
    # Bounded: a test that hangs is reported by the blame collector (its name in the log) and the project is
    # stopped at its hard limit, so one hang costs minutes, never the whole CI budget.
    timeout --kill-after=30 "$PROJECT_LIMIT" dotnet test "$proj" -c Release --no-build -nologo -v q "${filter[@]}" \
        --blame-hang-timeout 10m --blame-hang-dump-type none \
        --logger "console;verbosity=normal" >"$LOGS/$name.log" 2>&1
    code=$?
    if [ $code -eq 124 ] || [ $code -eq 137 ]; then broken+=("$name stopped at its ${PROJECT_LIMIT}s limit"); fi
    grep -iE "blame|active test|hang timeout" "$LOGS/$name.log" | head -20
    # Failed and skipped tests with their messages (passed ones stay in the log).
    awk '/^  (Failed|Skipped) /{show=1} /^  Passed /{show=0} show' "$LOGS/$name.log" | head -150
    # The console logger's summary: "Total tests: N" then "Passed: N" / "Failed: N" lines.
    summary=$(sed -n '/^Total tests:/,/Total time:/p' "$LOGS/$name.log")
    echo "$summary" | sed 's/^/  /'
    p=$(echo "$summary" | sed -n 's/^ *Passed: *\([0-9]*\).*/\1/p' | head -n 1)
    f=$(echo "$summary" | sed -n 's/^ *Failed: *\([0-9]*\).*/\1/p' | head -n 1)
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
    if [ $code -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
        tail -n 40 "$LOGS/$name.log"
        broken+=("$name exited $code without a failed-test summary")
    fi
done

if [ $unit -eq 0 ]; then
    # The soak smoke (bench/soak.sh --smoke: 30 s, 50 flows through the transparent path on the suite's network),
    # one counted test; we are already in the namespace, so its inner part runs directly (built with the solution).
    echo "== soak smoke"
    if [ -z "${BURROW_TESTNET_DIR:-}" ]; then
        broken+=("soak smoke: no private Tor network")
    elif BURROW_SOAK_INNER=1 timeout --kill-after=30 300 bash bench/soak.sh --smoke --out "$LOGS/soak" >"$LOGS/soak.log" 2>&1; then
        grep -E '^\*\*Verdict|^\| flows completed|^\| Burrow flows started' "$LOGS/soak.log" | sed 's/^/  /'
        passed=$((passed + 1))
    else
        tail -n 60 "$LOGS/soak.log"
        failed=$((failed + 1))
    fi
fi

if [ $unit -eq 0 ]; then
    echo "== Pester"
    timeout --kill-after=30 "$PESTER_LIMIT" dotnet pwsh -NoProfile -NonInteractive -File build/run-pester.ps1 -ResultFile "$LOGS/pester.txt"
    code=$?
    if [ $code -eq 124 ] || [ $code -eq 137 ]; then broken+=("Pester stopped at its ${PESTER_LIMIT}s limit"); fi
    if [ -s "$LOGS/pester.txt" ]; then
        read -r p f < "$LOGS/pester.txt"
        passed=$((passed + p)); failed=$((failed + f))
    else
        broken+=("Pester exited $code without results")
    fi
fi

for b in "${broken[@]}"; do echo "BROKEN: $b"; done
[ ${#broken[@]} -gt 0 ] && failed=$((failed + ${#broken[@]}))
echo "Total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
