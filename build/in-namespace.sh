#!/usr/bin/env bash
# Runs a command inside a fresh network namespace made for it, then removes the namespace.
# Inside: loopback up (127.0.0.0/8 and ::1), fd00:b0::1/64 on loopback for IPv6 tests, and a default
# route into a void: a veth pair with both ends inside the namespace and no address on the far end,
# so neighbour resolution never completes and a packet that no redirect catches goes nowhere.
# (A dummy interface would do the same, but not every kernel has the dummy module; a blackhole
# route would fail connect() before the nat OUTPUT hook could redirect it.) Nothing can leave
# this machine from a test.
set -euo pipefail
NS="burrow-test-$$"
cleanup() { ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null || true; ip netns del "$NS" 2>/dev/null || true; rm -rf "/etc/netns/$NS"; }
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link add burrow-void type veth peer name burrow-sink
ip -n "$NS" link set burrow-void up
ip -n "$NS" link set burrow-sink up
ip -n "$NS" addr add 192.0.2.1/32 dev burrow-void
ip -n "$NS" route add default dev burrow-void
ip -n "$NS" -6 addr add fd00:b0::1/64 dev lo nodad
ip -n "$NS" -6 route add default dev burrow-void
# Loopback without delayed ACKs: C tor does not set TCP_NODELAY (TESTNET.md); only inside this namespace.
ip -n "$NS" route replace local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1 quickack 1 2>/dev/null || true
# Nothing inside resolves through the host's real resolver: `ip netns exec` bind-mounts this resolv.conf, and
# its server is a documentation address that only Burrow's own DNS capture (redirect.install) answers.
mkdir -p "/etc/netns/$NS"
echo "nameserver 198.51.100.53" > "/etc/netns/$NS/resolv.conf"
export BURROW_NETNS="$NS"
ip netns exec "$NS" "$@"
