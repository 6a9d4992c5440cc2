#!/usr/bin/env bash
# Every test, run inside the namespace made by build/in-namespace.sh: one private Tor network for
# the whole run, the xunit projects, then Pester. Ends with "Total: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
LOGS=$(mktemp -d)
passed=0; failed=0; broken=()

TN="$ROOT/.testnet/suite"
echo "== private Tor network ($TN)"
if ! tests/TestNet/testnet start "$TN" --base-port 16000 >"$LOGS/testnet.log" 2>&1; then
    cat "$LOGS/testnet.log"
    broken+=("private Tor network did not start")
else
    tail -n 3 "$LOGS/testnet.log"
    export BURROW_TESTNET_DIR="$TN"
fi
stop_testnet() { tests/TestNet/testnet stop "$TN" >/dev/null 2>&1 || true; }
trap stop_testnet EXIT

for proj in tests/Unit/*/*.csproj; do
    name=$(basename "$proj" .csproj)
    echo "== xunit: $name"
    dotnet test "$proj" -c Release --no-build -nologo -v q --logger "console;verbosity=normal" >"$LOGS/$name.log" 2>&1
    code=$?
    grep -E '^\s*(Failed|Skipped) [A-Za-z_.]+|Error Message|Assert\.|^\s+at .*Tests\.' "$LOGS/$name.log" | head -80
    line=$(grep -E '(Passed|Failed)!  - Failed:' "$LOGS/$name.log" | tail -n 1)
    echo "$line"
    if [[ $line =~ Failed:[[:space:]]+([0-9]+),[[:space:]]+Passed:[[:space:]]+([0-9]+) ]]; then
        failed=$((failed + BASH_REMATCH[1])); passed=$((passed + BASH_REMATCH[2]))
    fi
    if [ $code -ne 0 ] && ! [[ $line == Failed!* ]]; then
        tail -n 40 "$LOGS/$name.log"
        broken+=("$name exited $code without a failed-test summary")
    fi
done

echo "== Pester"
dotnet pwsh -NoProfile -NonInteractive -File build/run-pester.ps1 -ResultFile "$LOGS/pester.txt"
code=$?
if [ -s "$LOGS/pester.txt" ]; then
    read -r p f < "$LOGS/pester.txt"
    passed=$((passed + p)); failed=$((failed + f))
else
    broken+=("Pester exited $code without results")
fi

for b in "${broken[@]}"; do echo "BROKEN: $b"; done
[ ${#broken[@]} -gt 0 ] && failed=$((failed + ${#broken[@]}))
echo "Total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
