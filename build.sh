#!/usr/bin/env bash
# Burrow for PowerShell: build, test and demo entry point.
#   ./build.sh build   restore tools, build, lay out the module and its help in output/Burrow
#   ./build.sh test    build, then run every test (xunit + Pester) inside a fresh network namespace
#                      with the private Tor network; ends with "Total: N passed, N failed"
#   ./build.sh unit    build, then only the xunit unit tests (no [Trait("Category", "Integration")]):
#                      no Tor network, no namespace, seconds; same closing line
#   ./build.sh demo    build, then the whole job end to end (private Tor network, Burrow, a redirected fetch)
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

ensure_packages() {
    local missing=()
    command -v tor >/dev/null || missing+=(tor)
    command -v tor-gencert >/dev/null || missing+=(tor)
    command -v nft >/dev/null || missing+=(nftables)
    command -v ip >/dev/null || missing+=(iproute2)
    command -v jq >/dev/null || missing+=(jq)
    command -v curl >/dev/null || missing+=(curl)
    command -v python3 >/dev/null || missing+=(python3)
    command -v ss >/dev/null || missing+=(iproute2)
    if [ ${#missing[@]} -gt 0 ]; then
        echo "Installing: ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

build() {
    ensure_packages
    dotnet tool restore >/dev/null
    dotnet restore build/PesterPackage.csproj >/dev/null
    dotnet build Burrow.PowerShell.sln -c Release -v q -nologo
    rm -rf output/Burrow
    dotnet publish src/Burrow.Cmdlets -c Release --no-build -o output/Burrow -v q -nologo >/dev/null
    # Help (output/Burrow/en-US) from docs/help, checked against the built cmdlets; silent on success.
    dotnet pwsh -NoProfile -NonInteractive -File build/New-BurrowHelp.ps1 -ModulePath output/Burrow -SourcePath docs/help
    echo "Module laid out in output/Burrow"
}

case "${1:-}" in
    build) build ;;
    test)  build; exec build/in-namespace.sh build/run-tests.sh ;;
    unit)  build; exec build/run-tests.sh --unit ;;
    demo)  build; exec build/in-namespace.sh build/demo.sh ;;
    *) echo "usage: $0 build|test|unit|demo" >&2; exit 2 ;;
esac
