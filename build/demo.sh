#!/usr/bin/env bash
# The main job end to end, run inside the namespace made by build/in-namespace.sh: a private Tor
# network of real C tor relays, Burrow started from PowerShell, a redirected client fetching through
# Tor, the flows shown, everything stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
TN="$(pwd)/.testnet/demo"
echo "== Starting the private Tor network (3 authorities, 2 middle relays, 2 exits; its C tor client is only the reference peer) in $TN"
tests/TestNet/testnet stop "$TN" >/dev/null 2>&1 || true
tests/TestNet/testnet start "$TN" --base-port 17000 --large-size-mb 20 --stop-with-pid $$
trap 'echo "== Stopping the private Tor network"; tests/TestNet/testnet stop "$TN" >/dev/null' EXIT
dotnet pwsh -NoProfile -NonInteractive -File build/demo.ps1 -NetworkJson "$TN/network.json"
