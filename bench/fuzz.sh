#!/usr/bin/env bash
# Fuzzing of Burrow's parsers of hostile bytes (bench/Fuzz, one harness per target; issue 18). AFL mode: SharpFuzz
# instruments a published copy of Burrow.Tor.Protocol, Burrow.Tor, Burrow.Core, Makaretu.Dns and Tomlyn under
# bench/fuzz-work/ (git-ignored) and afl-fuzz (Debian package afl++, installed here when missing) drives each harness
# for N seconds from a seed corpus generated from ../shared/testdata/tor and docs/payload.md. Every crash AFL saves is
# replayed through the uninstrumented build to name its exception. Then the in-process mutator runs each harness too.
# Writes bench/fuzz-results.md (executions per harness, crashes) unless --out says otherwise.
#   bench/fuzz.sh [--target T]... [--seconds N]   AFL, N seconds per harness (default 180), all harnesses by default
#   bench/fuzz.sh --inprocess [--seconds N]       in-process mutator only (no AFL), N seconds per harness (default 30)
#   bench/fuzz.sh --list                          the harnesses
# The suite's smoke is tests/Unit/Burrow.Fuzz.Tests (seeds + 4,000 mutations per harness, in-process).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
W="$ROOT/bench/fuzz-work"
targets=(); seconds=""; inprocess=0; out="$ROOT/bench/fuzz-results.md"
while [ $# -gt 0 ]; do
    case "$1" in
        --target) targets+=("$2"); shift 2 ;;
        --seconds) seconds="$2"; shift 2 ;;
        --inprocess) inprocess=1; shift ;;
        --out) out=$(realpath -m "$2"); shift 2 ;;
        --list) dotnet build bench/Fuzz -c Release -v q -nologo >/dev/null && exec dotnet bench/Fuzz/bin/Release/net10.0/Burrow.Fuzz.dll list ;;
        *) echo "bench/fuzz.sh: unknown argument '$1' (accepted: --target T, --seconds N, --inprocess, --out FILE, --list)" >&2; exit 2 ;;
    esac
done
[ -n "$seconds" ] || { if [ $inprocess -eq 1 ]; then seconds=30; else seconds=180; fi; }
case "$seconds" in ''|*[!0-9]*) echo "bench/fuzz.sh: --seconds must be a whole number of seconds, got '$seconds'" >&2; exit 2 ;; esac

echo "== build"
dotnet build bench/Fuzz -c Release -v q -nologo >/dev/null
FUZZ="dotnet $ROOT/bench/Fuzz/bin/Release/net10.0/Burrow.Fuzz.dll"
if [ ${#targets[@]} -eq 0 ]; then mapfile -t targets < <($FUZZ list | awk '{print $1}'); fi
for t in "${targets[@]}"; do
    $FUZZ list | awk '{print $1}' | grep -qx "$t" || { echo "bench/fuzz.sh: no harness '$t'; harnesses: $($FUZZ list | awk '{print $1}' | paste -sd' ')" >&2; exit 2; }
done
mkdir -p "$W"
rows=(); inrows=()

if [ $inprocess -eq 0 ]; then
    if ! command -v afl-fuzz >/dev/null; then
        echo "== installing afl++ (Debian package)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null
    fi
    if [ ! -x "$W/tools/sharpfuzz" ]; then
        echo "== installing the sharpfuzz instrumenter (dotnet tool SharpFuzz.CommandLine 2.3.0)"
        dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$W/tools" >/dev/null
    fi
    echo "== instrumented build ($W/build)"
    rm -rf "$W/build"
    dotnet publish bench/Fuzz/Burrow.Fuzz.csproj -c Release -o "$W/build" -v q -nologo >/dev/null
    for dll in Burrow.Tor.Protocol Burrow.Tor Burrow.Core Makaretu.Dns Tomlyn; do
        "$W/tools/sharpfuzz" "$W/build/$dll.dll" >/dev/null
    done
    export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1
    for t in "${targets[@]}"; do
        echo "== afl: $t (${seconds} s)"
        d="$W/afl/$t"; rm -rf "$d"; mkdir -p "$d"
        $FUZZ seeds "$t" "$d/in" >/dev/null
        timeout --kill-after=30 $((seconds + 120)) afl-fuzz -V "$seconds" -i "$d/in" -o "$d/out" -t 10000 -m none \
            -- dotnet "$W/build/Burrow.Fuzz.dll" afl "$t" >"$d/afl.log" 2>&1 || { echo "  afl-fuzz failed; see $d/afl.log"; tail -n 5 "$d/afl.log"; }
        stats="$d/out/default/fuzzer_stats"
        stat() { sed -n "s/^$1 *: *//p" "$stats" 2>/dev/null | head -n 1; }
        execs=$(stat execs_done); eps=$(stat execs_per_sec); corpus=$(stat corpus_count); edges=$(stat edges_found)
        saved=$(stat saved_crashes); hangs=$(stat saved_hangs)
        # Replay what AFL saved through the uninstrumented build: the exception names the bug.
        unique="-"
        if [ -d "$d/out/default/crashes" ] && ls "$d/out/default/crashes"/id:* >/dev/null 2>&1; then
            $FUZZ replay "$t" "$d/out/default/crashes" >"$d/replay.log" 2>&1 || true
            unique=$(grep -A1 '^CRASH' "$d/replay.log" | grep -oE '^CRASH [^:]*: [A-Za-z.+]+' | awk '{print $3}' | sort -u | paste -sd' ')
            [ -n "$unique" ] || unique="none reproduce"
        fi
        echo "  executions ${execs:-0}, ${eps:-0}/s, corpus ${corpus:-0}, edges ${edges:-0}, crashes ${saved:-0} (${unique}), hangs ${hangs:-0}"
        rows+=("| $t | ${seconds} | ${execs:-0} | ${eps:-0} | ${corpus:-0} | ${edges:-0} | ${saved:-0} | ${unique} | ${hangs:-0} |")
    done
fi

inseconds=$seconds; [ $inprocess -eq 1 ] || inseconds=20
echo "== in-process mutator (${inseconds} s per harness)"
for t in "${targets[@]}"; do
    line=$($FUZZ inprocess --target "$t" --seconds "$inseconds" --crashes "$W/crashes" | tee "$W/inprocess-$t.log" | grep '^RESULT' || true)
    grep '^CRASH' "$W/inprocess-$t.log" | cut -c1-200 | sed 's/^/  /' || true
    execs=$(echo "$line" | sed -n 's/.* execs=\([0-9]*\).*/\1/p'); crashes=$(echo "$line" | sed -n 's/.* crashes=\([0-9]*\).*/\1/p')
    known=$(echo "$line" | sed -n 's/.* known=\([0-9]*\).*/\1/p')
    echo "  $t: executions ${execs:-?}, crashes ${crashes:-?}, known (excluded) ${known:-?}"
    inrows+=("| $t | ${inseconds} | ${execs:-?} | ${crashes:-?} | ${known:-?} |")
done

{
    echo "# Fuzzing results"
    echo
    echo "Written by \`bench/fuzz.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') ($(nproc) cores, shared), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')."
    echo "Harnesses: \`bench/Fuzz\` (one per target, selected by name). A crash is any exception other than the"
    echo "target's typed error (CellFormatException, TorCryptoException, NetDocException, DirectoryException,"
    echo "PayloadException; none at all for DNS, which must answer or drop every datagram)."
    if [ ${#rows[@]} -gt 0 ]; then
        echo
        echo "## AFL (SharpFuzz-instrumented assemblies, afl-fuzz $(afl-fuzz -h 2>&1 | grep -oE '\+\+[0-9.a-z]+' | head -n 1))"
        echo
        echo "| harness | seconds | executions | execs/s | corpus | edges | crashes saved | exceptions on replay | hangs |"
        echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |"
        printf '%s\n' "${rows[@]}"
    fi
    echo
    echo "## In-process mutator (no AFL; the same engine as the suite's smoke)"
    echo
    echo "| harness | seconds | executions | crashes | known, excluded |"
    echo "| --- | ---: | ---: | ---: | ---: |"
    printf '%s\n' "${inrows[@]}"
    echo
    cat "$ROOT/bench/Fuzz/FINDINGS.md"
} >"$out"
echo "== results: $out"
