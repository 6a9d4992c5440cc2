#!/usr/bin/env python3
"""Burrow's private Tor network on loopback (Debian's C tor). Run through ./testnet.

  testnet start DIR [--base-port N] [--large-size-mb N] [--voting-interval S]
                    [--http-address A] [--timeout S] [--link-delay-ms N]
                    [--consensus-params 'K=V ...'] [--node-torrc NODE:LINE]...
  testnet status DIR
  testnet stop DIR

3 directory authorities, 2 middle relays, 2 exits, one C tor client (the reference peer), a
threaded HTTP server on a test destination address (default 127.0.0.2) and a DNS stub for
the exits. Everything listens on 127.0.0.0/8; DIR/network.json describes the running network.
Facts behind the choices below: /work/shared/docs/TESTNET.md.
"""
import argparse
import datetime
import fcntl
import hashlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# (nickname, role); each node gets ORPort base+2i and DirPort base+2i+1.
NODES = [
    ("auth0", "authority"), ("auth1", "authority"), ("auth2", "authority"),
    ("relay0", "middle"), ("relay1", "middle"),
    ("exit0", "exit"), ("exit1", "exit"),
]
CLIENT = "client"
HTTP = "http"
DNS = "dns"
WATCH = "watch"  # optional: stops the network when the process that asked for it dies
DELAY = "delay"  # with --link-delay-ms N > 0: the proxy serving every advertised ORPort
ALL_PROCS = [n for n, _ in NODES] + [CLIENT, HTTP, DNS]
STOP_PROCS = ALL_PROCS + [DELAY, WATCH]
PORT_SPAN = 100  # ports base .. base+99 belong to one network
MAX_LINK_DELAY_MS = 1000

TOR_USER = "debian-tor"
ADDR = "127.0.0.1"
SMALL_SIZE = 4096

# Initial (pre-first-consensus) schedule and delays: TESTNET.md values.
INITIAL_VOTING_INTERVAL = 6
INITIAL_VOTE_DELAY = 2
INITIAL_DIST_DELAY = 2
VOTE_DELAY = 2
DIST_DELAY = 2
N_INTERVALS_VALID = 3
# Relays need ~1.7 s after start to upload their descriptors; the first vote must come later.
FIRST_VOTE_AFTER = 3.0
VOTE_LEAD = 2.0  # observed: vote at boundary-2, cut-off at boundary-1, publish at boundary

# The live network's performance parameters: without them a circuit is capped near 10 MB/s.
CONSENSUS_PARAMS = (
    "CircuitPriorityHalflifeMsec=30000 KISTSchedRunInterval=3 UseOptimisticData=1 cc_alg=2 "
    "cc_cwnd_full_gap=4 cc_cwnd_full_minpct=25 cc_cwnd_inc=1 cc_cwnd_inc_rate=31 cc_cwnd_min=124 "
    "cc_sscap_exit=600 cc_sscap_onion=475 cc_vegas_alpha_exit=186 cc_vegas_beta_onion=372 "
    "cc_vegas_delta_exit=310 cc_vegas_delta_onion=434 cc_vegas_gamma_onion=248 "
    "cfx_low_exit_threshold=5000 circ_max_cell_queue_size=1250 circ_max_cell_queue_size_out=1000 "
    "guard-n-primary-dir-guards-to-use=2 guard-n-primary-guards-to-use=2 hsdir_spread_store=4 "
    "sendme_accept_min_version=1"
)


class TestNetError(Exception):
    pass


# ---------------------------------------------------------------- layout

class Layout:
    def __init__(self, d, base=None, http_address="127.0.0.2", link_delay_ms=0):
        self.dir = d
        self.base = base
        self.http_address = http_address
        self.link_delay_ms = link_delay_ms

    def node(self, name):
        return os.path.join(self.dir, "nodes", name)

    def run_pid(self, name):
        return os.path.join(self.dir, "run", name + ".pid")

    def own_pid_file(self, name):
        """The pid file the process writes itself (tor's PidFile, the servers' own)."""
        if name == HTTP:
            return os.path.join(self.dir, "http", "http.pid")
        if name == DNS:
            return os.path.join(self.dir, "dns", "dnsstub.pid")
        if name == WATCH:
            return self.run_pid(WATCH)
        if name == DELAY:
            return os.path.join(self.dir, "delay", "delayproxy.pid")
        return os.path.join(self.node(name), "tor.pid")

    def or_port(self, name):
        i = [n for n, _ in NODES].index(name)
        return self.base + 2 * i

    def dir_port(self, name):
        return self.or_port(name) + 1

    def listen_or_port(self, name):
        """Where tor really listens: the advertised ORPort, or with a link delay the
        NoAdvertise port base+20+i behind the delay proxy (which serves the advertised one)."""
        if not self.link_delay_ms:
            return self.or_port(name)
        return self.base + 20 + [n for n, _ in NODES].index(name)

    def procs(self):
        return ALL_PROCS + ([DELAY] if self.link_delay_ms else [])

    @property
    def socks_port(self):
        return self.base + 50

    @property
    def trans_port(self):
        return self.base + 51

    @property
    def dns_port(self):
        return self.base + 52

    @property
    def control_port(self):
        return self.base + 53

    @property
    def http_port(self):
        return self.base + 80

    @property
    def dnsstub_port(self):
        return self.base + 81

    def tcp_ports(self):
        """(address, port) of every TCP listener."""
        out = []
        for n, _ in NODES:
            out.append((ADDR, self.or_port(n)))
            out.append((ADDR, self.dir_port(n)))
            if self.link_delay_ms:
                out.append((ADDR, self.listen_or_port(n)))
        for p in (self.socks_port, self.trans_port, self.control_port):
            out.append((ADDR, p))
        out.append((self.http_address, self.http_port))
        return out

    def udp_ports(self):
        """(address, port) of every UDP listener: the client's DNSPort and the DNS stub."""
        return [(ADDR, self.dns_port), (ADDR, self.dnsstub_port)]


def dns_names(http_address):
    return [
        {"name": "www.burrow.test", "address": http_address},
        {"name": "burrow.test", "address": http_address},
        {"name": "http.burrow.test", "address": http_address},
        # A second destination with nothing listening (refused-connection tests).
        {"name": "other.burrow.test", "address": "127.0.0.3"},
    ]


# ---------------------------------------------------------------- processes

def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            raw = f.read()
    except OSError:
        return None
    return [a.decode("utf-8", "replace") for a in raw.split(b"\0") if a]


def is_zombie(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return True
    return stat[stat.rfind(")") + 2:].startswith(("Z", "X"))


def owned(pid, d):
    """True when pid is a live process whose command line names the run directory (pids
    get reused; setsid forks; only processes of this network are ever signalled)."""
    args = cmdline(pid)
    if not args or is_zombie(pid):
        return False
    return any(a == d or a.startswith(d + "/") for a in args)


def read_pid(path):
    try:
        with open(path) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def pids_of(lay, name):
    found = []
    for path in (lay.own_pid_file(name), lay.run_pid(name)):
        pid = read_pid(path)
        if pid and pid not in found and owned(pid, lay.dir):
            found.append(pid)
    return found


def launch(lay, name, argv, cwd, out_path):
    out = open(out_path, "wb")
    try:
        # Own session: Ctrl+C or the caller's exit does not reach the daemons. No setsid(1),
        # which forks when its caller leads a process group: the pid we record is the daemon.
        p = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
                             stderr=subprocess.STDOUT, start_new_session=True, close_fds=True)
    finally:
        out.close()
    write_file(lay.run_pid(name), "%d\n" % p.pid)
    return p


def stop_processes(lay, timeout=10.0, quiet=False):
    """SIGTERM every process of the network by pid, SIGKILL what is left after timeout."""
    targets = {}
    for name in STOP_PROCS:
        for pid in pids_of(lay, name):
            if pid != os.getpid():  # the watcher stopping the network
                targets[pid] = name
    for pid in targets:
        try:
            os.kill(pid, signal.SIGTERM)  # SIGINT would make relays wait ShutdownWaitLength
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(owned(p, lay.dir) for p in targets):
        time.sleep(0.05)
    killed = []
    for pid, name in targets.items():
        if owned(pid, lay.dir):
            killed.append(name)
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and any(owned(p, lay.dir) for p in targets):
        time.sleep(0.05)
    left = [targets[p] for p in targets if owned(p, lay.dir)]
    for name in STOP_PROCS:
        for path in (lay.run_pid(name), lay.own_pid_file(name)):
            try:
                os.unlink(path)
            except OSError:
                pass
    if not quiet:
        print("stopped %d process(es)%s" % (len(targets),
              "; killed after %gs: %s" % (timeout, ", ".join(killed)) if killed else ""))
    if left:
        raise TestNetError("still running after SIGKILL: " + ", ".join(left))


# ---------------------------------------------------------------- files

def write_file(path, text, mode=0o644):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def tail(path, n=15):
    try:
        with open(path, errors="replace") as f:
            lines = f.readlines()
    except OSError:
        return "(no %s)" % path
    return "".join("    " + l for l in lines[-n:])


def chown_tree(path, uid, gid):
    os.chown(path, uid, gid)
    for root, dirs, files in os.walk(path):
        for n in dirs + files:
            os.lchown(os.path.join(root, n), uid, gid)


def check_traversable(d, pw):
    """tor drops to debian-tor early; every ancestor of DIR must let that user through."""
    p = d
    while True:
        st = os.stat(p)
        ok = (st.st_mode & 0o001) or (st.st_uid == pw.pw_uid and st.st_mode & 0o100) or \
             (st.st_gid == pw.pw_gid and st.st_mode & 0o010)
        if not ok:
            raise TestNetError("%s is not searchable by %s (tor runs as that user): use a run "
                               "directory under a world-searchable path such as /tmp" % (p, TOR_USER))
        if p == "/":
            return
        p = os.path.dirname(p)


def port_free(address, port, udp=False):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if udp else socket.SOCK_STREAM)
    try:
        # Same option as tor and the servers: TIME_WAIT leftovers do not count, listeners do.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((address, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


# ---------------------------------------------------------------- keys

def parse_cert(path):
    fields = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.strip().partition(" ")
            if k in ("dir-address", "fingerprint", "dir-key-expires") and k not in fields:
                fields[k] = v
    return fields


def auth_keys_usable(nd, dirport):
    k = os.path.join(nd, "keys")
    try:
        for f in ("authority_identity_key", "authority_signing_key"):
            if not os.access(os.path.join(k, f), os.R_OK):
                return False
        c = parse_cert(os.path.join(k, "authority_certificate"))
        expires = datetime.datetime.strptime(c["dir-key-expires"], "%Y-%m-%d %H:%M:%S")
    except (OSError, KeyError, ValueError):
        return False
    soon = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) + datetime.timedelta(days=7)
    return c.get("dir-address") == "%s:%d" % (ADDR, dirport) and expires > soon


def relay_keys_usable(nd):
    return all(os.access(os.path.join(nd, p), os.R_OK) for p in (
        "keys/secret_id_key", "keys/ed25519_master_id_secret_key", "fingerprint", "fingerprint-ed25519"))


def keep_only_keys(nd):
    """A restart reuses identities but nothing else: old consensuses, state and logs would
    make the readiness checks below see the previous run."""
    keep = {"keys", "fingerprint", "fingerprint-ed25519"}
    for n in os.listdir(nd):
        if n in keep:
            continue
        p = os.path.join(nd, n)
        if os.path.isdir(p) and not os.path.islink(p):
            shutil.rmtree(p)
        else:
            os.unlink(p)


def read_nick_value(path):
    with open(path) as f:
        return f.read().split()[1]


# ---------------------------------------------------------------- torrc

def torrc_common(lay, name, dirauth_lines, run_as):
    nd = lay.node(name)
    lines = [
        "# generated by tests/TestNet/testnet.py",
        "TestingTorNetwork 1",
        "DataDirectory " + nd,
        "PidFile %s/tor.pid" % nd,
        "Nickname " + name,
        "Log notice file %s/notice.log" % nd,
        "LogTimeGranularity 1",
        "SafeLogging 0",
        "RunAsDaemon 0",
        "ShutdownWaitLength 0",
        "ClientUseIPv6 0",
        "OutboundBindAddress " + ADDR,
        "# no GeoIP database: saves ~1 s of start-up and ~90 MB per process",
        "GeoIPFile %s/empty" % lay.dir,
        "GeoIPv6File %s/empty" % lay.dir,
    ]
    if run_as:
        lines.append("# nft rules exempt this user's sockets (loop avoidance)")
        lines.append("User " + run_as)
    return lines + dirauth_lines


def torrc_relay(lay, name, role, interval):
    lines = [
        "SocksPort 0",
    ] + ([
        "ORPort %s:%d IPv4Only" % (ADDR, lay.or_port(name)),
    ] if not lay.link_delay_ms else [
        "# --link-delay-ms: the advertised ORPort is the delay proxy's; tor listens behind it",
        "ORPort %s:%d NoListen IPv4Only" % (ADDR, lay.or_port(name)),
        "ORPort %s:%d NoAdvertise IPv4Only" % (ADDR, lay.listen_or_port(name)),
    ]) + [
        "DirPort %s:%d" % (ADDR, lay.dir_port(name)),
        "Address " + ADDR,
        "AddressDisableIPv6 1",
        "AssumeReachable 1",
        "ContactInfo testnet@burrow.test",
        "BridgeRelay 0",
        "# without it caches diff against every old consensus: CPU and memory grow unbounded",
        "MaxConsensusAgeForDiffs %d seconds" % (interval * N_INTERVALS_VALID),
    ]
    if role == "exit":
        lines += [
            "ExitRelay 1",
            "IPv6Exit 0",
            "ExitPolicyRejectPrivate 0",
            "ExitPolicyRejectLocalInterfaces 0",
            "# accept *:* (a loopback-only policy yields no 'p' line: clients see no exit)",
            "ExitPolicy accept *:*",
            "ServerDNSResolvConfFile %s/resolv.conf" % lay.dir,
            "ServerDNSDetectHijacking 0",
            "ServerDNSAllowBrokenConfig 1",
            "# a socket bound to 127.0.0.1 cannot reach a non-loopback address: nothing leaves",
            "OutboundBindAddressExit " + ADDR,
        ]
    else:
        lines += ["ExitRelay 0", "ExitPolicy reject *:*"]
    return lines


def torrc_authority(fps, interval, offset, extra_params=""):
    exits = ",".join("$" + fps[n] for n, r in NODES if r == "exit")
    guards = ",".join("$" + fps[n] for n, r in NODES if r != "exit")
    every = ",".join("$" + fps[n] for n, _ in NODES)
    return [
        "AuthoritativeDirectory 1",
        "V3AuthoritativeDirectory 1",
        "AuthDirTestReachability 0",
        "TestingV3AuthInitialVotingInterval %d" % INITIAL_VOTING_INTERVAL,
        "TestingV3AuthInitialVoteDelay %d" % INITIAL_VOTE_DELAY,
        "TestingV3AuthInitialDistDelay %d" % INITIAL_DIST_DELAY,
        "V3AuthVotingInterval %d" % interval,
        "V3AuthVoteDelay %d" % VOTE_DELAY,
        "V3AuthDistDelay %d" % DIST_DELAY,
        "V3AuthNIntervalsValid %d" % N_INTERVALS_VALID,
        "# a loopback network gets no Exit/Guard flags unless the authorities are told",
        "TestingDirAuthVoteExit " + exits,
        "TestingDirAuthVoteExitIsStrict 1",
        "TestingDirAuthVoteGuard " + guards,
        "TestingDirAuthVoteGuardIsStrict 1",
        "TestingDirAuthVoteHSDir " + every,
        "TestingDirAuthVoteHSDirIsStrict 1",
        "ConsensusParams " + CONSENSUS_PARAMS + ((" " + extra_params) if extra_params else ""),
        "# chosen at start so that the first vote comes ~%gs after the authorities start"
        % FIRST_VOTE_AFTER,
        "TestingV3AuthVotingStartOffset %d" % offset,
    ]


def onion_dirs(lay):
    """The C tor client also hosts the two test onion services (HiddenServiceDir under its DataDirectory)."""
    nd = lay.node(CLIENT)
    return {"public": os.path.join(nd, "onion-public"), "restricted": os.path.join(nd, "onion-restricted")}


def torrc_onion(lay):
    target = "%s:%d" % (lay.http_address, lay.http_port)
    lines = ["# onion services: the HTTP server on port 80, openly and with client authorization"]
    for name, path in onion_dirs(lay).items():
        lines += ["HiddenServiceDir " + path, "HiddenServicePort 80 " + target]
    return lines


def x25519_keypair():
    """A client-authorization keypair (raw 32-byte private, public) from openssl's X25519."""
    der = subprocess.run(["openssl", "genpkey", "-algorithm", "X25519", "-outform", "DER"],
                         check=True, capture_output=True).stdout
    pub = subprocess.run(["openssl", "pkey", "-inform", "DER", "-pubout", "-outform", "DER"],
                         input=der, check=True, capture_output=True).stdout
    return der[-32:], pub[-32:]


def b32(data):
    import base64
    return base64.b32encode(data).decode().rstrip("=")


def prepare_onion_services(lay):
    """Service directories (0700, tor's) and the restricted service's authorized client; returns the key."""
    dirs = onion_dirs(lay)
    for path in dirs.values():
        os.makedirs(path, mode=0o700, exist_ok=True)
    os.makedirs(os.path.join(dirs["restricted"], "authorized_clients"), mode=0o700, exist_ok=True)
    secret, public = x25519_keypair()
    write_file(os.path.join(dirs["restricted"], "authorized_clients", "burrow.auth"),
               "descriptor:x25519:%s\n" % b32(public), 0o600)
    return secret


def read_onion_services(lay, secret):
    """Addresses C tor wrote to DIR/hostname; the client's .auth_private goes to DIR/onion-auth."""
    dirs = onion_dirs(lay)
    out = {}
    for name, path in dirs.items():
        with open(os.path.join(path, "hostname")) as f:
            out[name] = f.read().strip()
    auth_dir = os.path.join(lay.dir, "onion-auth")
    os.makedirs(auth_dir, exist_ok=True)
    label = out["restricted"][:-len(".onion")]
    auth_file = os.path.join(auth_dir, "restricted.auth_private")
    write_file(auth_file, "%s:descriptor:x25519:%s\n" % (label, b32(secret)), 0o600)
    return {
        "public": {"address": out["public"], "port": 80, "serviceDir": dirs["public"]},
        "restricted": {"address": out["restricted"], "port": 80, "serviceDir": dirs["restricted"],
                       "clientAuthDir": auth_dir, "clientAuthFile": auth_file,
                       "clientPrivateKeyBase32": b32(secret)},
    }


def torrc_client(lay):
    nd = lay.node(CLIENT)
    return torrc_onion(lay) + [
        "SocksPort %s:%d" % (ADDR, lay.socks_port),
        "TransPort %s:%d" % (ADDR, lay.trans_port),
        "DNSPort %s:%d" % (ADDR, lay.dns_port),
        "ControlPort %s:%d" % (ADDR, lay.control_port),
        "CookieAuthentication 1",
        "CookieAuthFile %s/control_auth_cookie" % nd,
    ]


# ---------------------------------------------------------------- consensus

def read_consensus(path):
    """{nickname: flags} and valid-until (epoch seconds) of a cached consensus, or None."""
    try:
        with open(path, errors="replace") as f:
            text = f.read()
    except OSError:
        return None
    routers, cur, valid_until = {}, None, None
    for line in text.splitlines():
        if line.startswith("r "):
            parts = line.split()
            cur = parts[1] if len(parts) > 1 else None
            if cur:
                routers[cur] = set()
        elif line.startswith("s ") and cur:
            routers[cur] = set(line.split()[1:])
        elif line.startswith("valid-until "):
            try:
                valid_until = datetime.datetime.strptime(line[12:].strip(), "%Y-%m-%d %H:%M:%S") \
                    .replace(tzinfo=datetime.timezone.utc).timestamp()
            except ValueError:
                pass
    return routers, valid_until


def consensus_complete(path):
    c = read_consensus(path)
    if c is None:
        return False
    routers, valid_until = c
    if valid_until is None or valid_until <= time.time():
        return False
    for n, role in NODES:
        flags = routers.get(n)
        if flags is None or not {"Running", "Valid"} <= flags:
            return False
        if role == "exit" and "Exit" not in flags:
            return False
    return True


# ---------------------------------------------------------------- start

class Starter:
    def __init__(self, lay, args):
        self.lay = lay
        self.args = args
        self.t0 = time.monotonic()
        self.procs = {}
        self.timings = {}
        self.deadline = self.t0 + args.timeout

    def log(self, msg):
        sys.stderr.write("[%6.2fs] %s\n" % (time.monotonic() - self.t0, msg))

    def mark(self, key):
        self.timings[key] = round(time.monotonic() - self.t0, 2)

    def check_alive(self):
        for name, p in self.procs.items():
            rc = p.poll()
            if rc is not None:
                log = os.path.join(self.lay.node(name), "notice.log") if name not in (HTTP, DNS, DELAY) \
                    else os.path.join(self.lay.dir, name, "server.log")
                raise TestNetError("%s exited with code %s during start; its log:\n%s%s" % (
                    name, rc, tail(log), self.extra_output(name)))

    def extra_output(self, name):
        if name in (HTTP, DNS, DELAY):
            return ""
        return "\n  its stdout/stderr:\n" + tail(os.path.join(self.lay.node(name), "stdout.log"))

    def wait_for(self, what, pred, interval=0.05):
        while True:
            if pred():
                return
            self.check_alive()
            if time.monotonic() > self.deadline:
                raise TestNetError("timed out after %ss waiting for %s" % (self.args.timeout, what))
            time.sleep(interval)

    def run(self):
        a, lay = self.args, self.lay
        d = lay.dir
        root = os.geteuid() == 0
        pw = pwd.getpwnam(TOR_USER) if root else pwd.getpwuid(os.getuid())
        run_as = TOR_USER if root else None
        if root:
            check_traversable(d, pw)

        busy = [p for h, p in lay.tcp_ports() if not port_free(h, p)]
        busy += [p for h, p in lay.udp_ports() if not port_free(h, p, udp=True)]
        if busy:
            raise TestNetError("ports already in use: %s (another network on base port %d? choose "
                               "--base-port; one network uses %d ports)" % (
                                   ", ".join(map(str, busy)), lay.base, PORT_SPAN))

        for sub in ("nodes", "run", "http", "dns", "delay"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        write_file(os.path.join(d, "empty"), "")
        write_file(os.path.join(d, "resolv.conf"), "nameserver %s:%d\n" % (ADDR, lay.dnsstub_port))

        # 1. keys (parallel), test files, DNS stub and HTTP server meanwhile.
        keygen, reused = [], []
        for name, role in NODES:
            nd = lay.node(name)
            ok = relay_keys_usable(nd)
            if role == "authority":
                ok = ok and auth_keys_usable(nd, lay.dir_port(name))
            if ok:
                keep_only_keys(nd)
                reused.append(name)
                continue
            if os.path.exists(nd):
                shutil.rmtree(nd)
            os.makedirs(os.path.join(nd, "keys"), mode=0o700)
            os.chmod(nd, 0o700)
            kt = os.path.join(nd, "keygen.torrc")
            write_file(kt, "DataDirectory %s\nNickname %s\nORPort %s:%d\nSocksPort 0\n"
                           "ContactInfo testnet@burrow.test\nExitRelay 0\nGeoIPFile %s/empty\n"
                           "GeoIPv6File %s/empty\nLog err stderr\n" % (
                               nd, name, ADDR, lay.or_port(name), d, d))
            keygen.append((name, subprocess.Popen(
                ["tor", "--list-fingerprint", "-f", kt], cwd=nd, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)))
            if role == "authority":
                keygen.append((name + " (tor-gencert)", subprocess.Popen(
                    ["tor-gencert", "--create-identity-key", "-m", "12", "-a",
                     "%s:%d" % (ADDR, lay.dir_port(name)), "--passphrase-fd", "0"],
                    cwd=os.path.join(nd, "keys"), stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT)))
        self.keys_reused = not keygen
        self.log("keys: %s" % ("all reused" if not keygen else "generating for %d node(s), reusing %d"
                               % (len(NODES) - len(reused), len(reused))))

        client_nd = lay.node(CLIENT)
        if os.path.exists(client_nd):
            shutil.rmtree(client_nd)
        os.makedirs(client_nd, mode=0o700)

        names = dns_names(lay.http_address)
        self.procs[DNS] = launch(lay, DNS, [
            sys.executable, "-u", os.path.join(HERE, "dnsstub.py"), "--address", ADDR,
            "--port", str(lay.dnsstub_port), "--pid-file", lay.own_pid_file(DNS)] +
            [x for n in names for x in ("--name", "%s=%s" % (n["name"], n["address"]))],
            d, os.path.join(d, "dns", "server.log"))
        if lay.link_delay_ms:
            self.procs[DELAY] = launch(lay, DELAY, [
                sys.executable, "-u", os.path.join(HERE, "delayproxy.py"), "--address", ADDR,
                "--delay-ms", str(lay.link_delay_ms), "--pid-file", lay.own_pid_file(DELAY),
                "--stats-file", os.path.join(d, "delay", "stats.json")] +
                [x for n, _ in NODES for x in ("--map", "%d=%d" % (lay.or_port(n), lay.listen_or_port(n)))],
                d, os.path.join(d, "delay", "server.log"))
        self.files = prepare_http_files(d, a.large_size_mb)
        self.procs[HTTP] = launch(lay, HTTP, [
            sys.executable, "-u", os.path.join(HERE, "httpserver.py"),
            "--address", lay.http_address, "--port", str(lay.http_port),
            "--small", self.files["small"]["path"], "--large", self.files["large"]["path"],
            "--pid-file", lay.own_pid_file(HTTP)], d, os.path.join(d, "http", "server.log"))

        for name, p in keygen:
            out, _ = p.communicate()
            if p.returncode != 0:
                raise TestNetError("key generation for %s failed:\n%s" % (name, out.decode(errors="replace")))
        self.mark("keys")
        self.log("keys ready")

        # 2. torrc files; authorities, then relays straight away.
        fps, eds, v3 = {}, {}, {}
        for name, role in NODES:
            nd = lay.node(name)
            fps[name] = read_nick_value(os.path.join(nd, "fingerprint"))
            eds[name] = read_nick_value(os.path.join(nd, "fingerprint-ed25519"))
            if role == "authority":
                v3[name] = parse_cert(os.path.join(nd, "keys", "authority_certificate"))["fingerprint"]
        dirauth = ["DirAuthority %s orport=%d v3ident=%s %s:%d %s" % (
            n, lay.or_port(n), v3[n], ADDR, lay.dir_port(n), fps[n]) for n, r in NODES if r == "authority"]
        write_file(os.path.join(d, "dirauthorities.conf"), "\n".join(dirauth) + "\n")

        # Authorities publish consensuses at interval boundaries (k*6 + offset seconds of the
        # day); tor 0.4.9 votes on the first once-a-second tick after boundary-2 and takes
        # votes until boundary-1. A vote before the relays' descriptors arrive makes a
        # consensus without them, and a boundary in the first seconds fails outright (votes
        # come too late): both cost a whole interval. So the next boundary is put ~5 s out:
        # the vote comes ~FIRST_VOTE_AFTER seconds after the authorities start.
        boundary = round(time.time() + FIRST_VOTE_AFTER + VOTE_LEAD)
        offset = boundary % INITIAL_VOTING_INTERVAL

        for name, role in NODES:
            lines = torrc_common(lay, name, dirauth, run_as) + torrc_relay(lay, name, role, a.voting_interval)
            if role == "authority":
                lines += torrc_authority(fps, a.voting_interval, offset, a.consensus_params)
            extra = [line.split(":", 1)[1] for line in a.node_torrc if line.split(":", 1)[0] == name]
            if extra:
                lines += ["# --node-torrc"] + extra
            write_file(os.path.join(lay.node(name), "torrc"), "\n".join(lines) + "\n")
        write_file(os.path.join(client_nd, "torrc"),
                   "\n".join(torrc_common(lay, CLIENT, dirauth, run_as) + torrc_client(lay)) + "\n")
        onion_secret = prepare_onion_services(lay)

        for name in [n for n, _ in NODES] + [CLIENT]:
            nd = lay.node(name)
            for f in ("notice.log", "stdout.log"):
                write_file(os.path.join(nd, f), "", 0o600)
            if root:
                chown_tree(nd, pw.pw_uid, pw.pw_gid)
            os.chmod(nd, 0o700)
            if os.path.isdir(os.path.join(nd, "keys")):
                os.chmod(os.path.join(nd, "keys"), 0o700)

        for name, _ in NODES:
            nd = lay.node(name)
            self.procs[name] = launch(lay, name, ["tor", "-f", os.path.join(nd, "torrc")], nd,
                                      os.path.join(nd, "stdout.log"))
        self.mark("torsStarted")
        self.log("authorities and relays started (vote offset %d)" % offset)

        # 3. a consensus listing every relay at all authorities; SIGHUP resets the relays'
        # download back-off after their early 404s.
        self.wait_for("a consensus listing every relay at all authorities", lambda: all(
            consensus_complete(os.path.join(lay.node(n), "cached-microdesc-consensus"))
            for n, r in NODES if r == "authority"))
        self.mark("consensus")
        self.log("authorities hold a complete consensus")
        for name, role in NODES:
            if role != "authority":
                os.kill(self.procs[name].pid, signal.SIGHUP)

        # 4. the C tor client, right away: it fetches the consensus from the authorities
        # while the relays (just reset) fetch theirs; waiting for the relays first costs ~1 s.
        self.procs[CLIENT] = launch(lay, CLIENT, ["tor", "-f", os.path.join(client_nd, "torrc")],
                                    client_nd, os.path.join(client_nd, "stdout.log"))
        self.wait_for("the HTTP server and DNS stub", lambda: all(
            read_pid(lay.own_pid_file(n)) for n in (HTTP, DNS)))
        if lay.link_delay_ms:
            self.wait_for("the delay proxy", lambda: read_pid(lay.own_pid_file(DELAY)))
        self.wait_for("the client's 'Bootstrapped 100%'", lambda: client_bootstrapped(lay))
        self.mark("bootstrapped")
        self.log("client bootstrapped")
        self.wait_for("the onion services' hostname files", lambda: all(
            os.path.exists(os.path.join(p, "hostname")) for p in onion_dirs(lay).values()))
        self.onion = read_onion_services(lay, onion_secret)
        # Relays fetch the consensus within a second of the reset; their microdescriptor
        # caches fill over the next interval (tor writes them lazily), so they are not awaited.
        self.wait_for("every relay holding the consensus", lambda: all(
            consensus_complete(os.path.join(lay.node(n), "cached-microdesc-consensus"))
            for n, r in NODES if r != "authority"))
        self.mark("relaysHaveConsensus")
        self.mark("ready")

        desc = self.describe(pw, fps, eds, v3, dirauth, names)
        write_file(os.path.join(d, "network.json"), json.dumps(desc, indent=2) + "\n")
        return desc

    def describe(self, pw, fps, eds, v3, dirauth, names):
        lay, a, d = self.lay, self.args, self.lay.dir
        cnd = lay.node(CLIENT)
        base_url = "http://%s:%d" % (lay.http_address, lay.http_port)
        return {
            "formatVersion": 1,
            "dir": d,
            "torVersion": tor_version(),
            "basePort": lay.base,
            "portSpan": PORT_SPAN,
            "link_delay_ms": lay.link_delay_ms,
            "delayProxy": {
                "pid": self.procs[DELAY].pid,
                "statsFile": os.path.join(d, "delay", "stats.json"),
                "logFile": os.path.join(d, "delay", "server.log"),
            } if lay.link_delay_ms else None,
            "votingInterval": a.voting_interval,
            "consensusLifetime": a.voting_interval * N_INTERVALS_VALID,
            "startedAt": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "keysReused": self.keys_reused,
            "startSeconds": self.timings["ready"],
            "timings": self.timings,
            "torUser": pw.pw_name,
            "torUid": pw.pw_uid,
            "dirAuthorityFile": os.path.join(d, "dirauthorities.conf"),
            "dirAuthorityLines": dirauth,
            "authorities": [{
                "nickname": n,
                "v3ident": v3[n],
                "fingerprint": fps[n],
                "ed25519Id": eds[n],
                "address": ADDR,
                "orPort": lay.or_port(n),
                "listenOrPort": lay.listen_or_port(n),
                "dirPort": lay.dir_port(n),
                "dirAuthorityLine": dirauth[i],
            } for i, n in enumerate(n for n, r in NODES if r == "authority")],
            "relays": [{
                "nickname": n,
                "role": r,
                "fingerprint": fps[n],
                "ed25519Id": eds[n],
                "address": ADDR,
                "orPort": lay.or_port(n),
                "listenOrPort": lay.listen_or_port(n),
                "dirPort": lay.dir_port(n),
                "pid": self.procs[n].pid,
                "dataDirectory": lay.node(n),
                "logFile": os.path.join(lay.node(n), "notice.log"),
            } for n, r in NODES],
            "client": {
                "address": ADDR,
                "socksPort": lay.socks_port,
                "transPort": lay.trans_port,
                "dnsPort": lay.dns_port,
                "controlPort": lay.control_port,
                "controlCookieFile": os.path.join(cnd, "control_auth_cookie"),
                "pid": self.procs[CLIENT].pid,
                "dataDirectory": cnd,
                "logFile": os.path.join(cnd, "notice.log"),
                "torrc": os.path.join(cnd, "torrc"),
            },
            "cache": {
                "consensus": os.path.join(cnd, "cached-microdesc-consensus"),
                "certificates": os.path.join(cnd, "cached-certs"),
                "microdescriptors": os.path.join(cnd, "cached-microdescs"),
                "microdescriptorsJournal": os.path.join(cnd, "cached-microdescs.new"),
            },
            "http": {
                "address": lay.http_address,
                "port": lay.http_port,
                "hostName": names[0]["name"],
                "baseUrl": base_url,
                "smallUrl": base_url + "/small",
                "smallSize": self.files["small"]["size"],
                "smallSha256": self.files["small"]["sha256"],
                "largeUrl": base_url + "/large",
                "largeSize": self.files["large"]["size"],
                "largeSha256": self.files["large"]["sha256"],
                "echoUrl": base_url + "/echo",
                "uploadUrl": base_url + "/upload",
                "pid": self.procs[HTTP].pid,
            },
            "dnsStub": {
                "address": ADDR,
                "port": lay.dnsstub_port,
                "pid": self.procs[DNS].pid,
                "names": names,
            },
            "onionServices": self.onion,
            "watcherPid": self.watcher_pid,
            "tcpPorts": sorted(p for _, p in lay.tcp_ports()),
            "udpPorts": sorted(p for _, p in lay.udp_ports()),
        }


def client_bootstrapped(lay):
    try:
        with open(os.path.join(lay.node(CLIENT), "notice.log"), "rb") as f:
            return b"Bootstrapped 100%" in f.read()
    except OSError:
        return False


def tor_version():
    try:
        out = subprocess.run(["tor", "--version"], capture_output=True, text=True, timeout=10).stdout
        return out.split("Tor version ", 1)[1].split()[0].rstrip(".")
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown"


def prepare_http_files(d, large_mb):
    """Random /small and /large bodies with their SHA-256, reused while the size matches."""
    out = {}
    for key, size in (("small", SMALL_SIZE), ("large", large_mb * 1024 * 1024)):
        path = os.path.join(d, "http", key + ".bin")
        meta_path = path + ".json"
        meta = None
        try:
            with open(meta_path) as f:
                meta = json.load(f)
            if meta.get("size") != size or os.path.getsize(path) != size:
                meta = None
        except (OSError, ValueError):
            meta = None
        if meta is None:
            h = hashlib.sha256()
            with open(path + ".tmp", "wb") as f:
                left = size
                while left:
                    chunk = os.urandom(min(left, 1 << 20))
                    h.update(chunk)
                    f.write(chunk)
                    left -= len(chunk)
            os.replace(path + ".tmp", path)
            meta = {"size": size, "sha256": h.hexdigest()}
            write_file(meta_path, json.dumps(meta) + "\n")
        os.chmod(path, 0o644)
        out[key] = {"path": path, "size": size, "sha256": meta["sha256"]}
    return out


def _is_ipv4(text):
    try:
        return socket.inet_aton(text) and text.count(".") == 3
    except OSError:
        return False


def lock_dir(d):
    f = open(os.path.join(d, ".lock"), "w")
    fcntl.flock(f, fcntl.LOCK_EX)
    return f


def running_names(lay):
    return [n for n in STOP_PROCS if pids_of(lay, n)]


def proc_start_time(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
        return stat[stat.rfind(")") + 2:].split()[19]
    except (OSError, IndexError):
        return None


def cmd_watch(a):
    """Internal (started by `start --stop-with-pid`): waits for that process to end, then
    stops the network, unless --lock names a lock file somebody else holds by then (a new
    owner reusing the base port and the directory)."""
    d = os.path.realpath(a.dir)
    born = proc_start_time(a.pid)
    while born is not None and proc_start_time(a.pid) == born:
        time.sleep(1)
    if a.lock:
        try:
            held = open(a.lock, "a")
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            print("pid %d ended; %s is held by another process: leaving the network alone" % (a.pid, a.lock))
            return 0
    lock = lock_dir(d)
    try:
        print("pid %d ended; stopping the network" % a.pid)
        stop_processes(Layout(d))
        try:
            os.unlink(os.path.join(d, "network.json"))
        except OSError:
            pass
    finally:
        lock.close()
    return 0


def cmd_start(a):
    d = os.path.realpath(a.dir)
    if not 1024 <= a.base_port <= 65535 - PORT_SPAN:
        raise TestNetError("--base-port must be 1024..%d" % (65535 - PORT_SPAN))
    if a.voting_interval < 10 or a.voting_interval > 3600:
        raise TestNetError("--voting-interval must be 10..3600 seconds")
    if 86400 % a.voting_interval:
        raise TestNetError("--voting-interval must divide 86400 (a day) evenly")
    if not a.http_address.startswith("127.") or not _is_ipv4(a.http_address):
        raise TestNetError("--http-address must be an IPv4 address in 127.0.0.0/8")
    if a.large_size_mb < 1 or a.large_size_mb > 4096:
        raise TestNetError("--large-size-mb must be 1..4096")
    if not 0 <= a.link_delay_ms <= MAX_LINK_DELAY_MS:
        raise TestNetError("--link-delay-ms must be 0..%d (0: no delay proxy)" % MAX_LINK_DELAY_MS)
    for p in a.consensus_params.split():
        k, _, v = p.partition("=")
        if not k or not v.lstrip("-").isdigit():
            raise TestNetError("--consensus-params: '%s' is not NAME=INTEGER" % p)
    names = [n for n, _ in NODES]
    for line in a.node_torrc:
        node, sep, text = line.partition(":")
        if not sep or node not in names or not text.strip() or "\n" in text:
            raise TestNetError("--node-torrc: '%s' must be NODE:TORRC-LINE with NODE one of %s" % (line, ", ".join(names)))
    os.makedirs(d, exist_ok=True)
    os.chmod(d, 0o755)
    lock = lock_dir(d)
    lay = Layout(d, a.base_port, a.http_address, a.link_delay_ms)
    alive = running_names(lay)
    if alive:
        raise TestNetError("a network is already running in %s (%s); run 'testnet stop %s' first"
                           % (d, ", ".join(alive), d))
    try:
        os.unlink(os.path.join(d, "network.json"))
    except OSError:
        pass
    def terminated(signum, _frame):
        raise KeyboardInterrupt()
    watcher_pid = None
    if a.stop_with_pid is not None:
        if proc_start_time(a.stop_with_pid) is None:
            raise TestNetError("--stop-with-pid %d: no such process" % a.stop_with_pid)
        os.makedirs(os.path.join(d, "run"), exist_ok=True)
        watcher_pid = launch(lay, WATCH, [sys.executable, "-u", os.path.abspath(__file__), "watch", d,
                            "--pid", str(a.stop_with_pid)] + (["--lock", a.stop_lock] if a.stop_lock else []),
               d, os.path.join(d, "run", "watch.log")).pid
    # A killed start (a test runner's timeout) must not leave half a network behind.
    signal.signal(signal.SIGTERM, terminated)
    signal.signal(signal.SIGHUP, terminated)
    st = Starter(lay, a)
    st.watcher_pid = watcher_pid
    try:
        desc = st.run()
    except BaseException as e:
        try:
            stop_processes(lay, quiet=True)
        finally:
            for p in st.procs.values():
                try:
                    p.wait(timeout=1)
                except subprocess.TimeoutExpired:
                    pass
        if isinstance(e, KeyboardInterrupt):
            raise TestNetError("interrupted (signal); everything started was stopped")
        raise
    finally:
        lock.close()
    print("network up in %.1fs (keys %s): %s/network.json" % (
        desc["startSeconds"], "reused" if desc["keysReused"] else "new", d))
    print("  SOCKS %s:%d  TransPort %d  DNSPort %d  ControlPort %d" % (
        ADDR, lay.socks_port, lay.trans_port, lay.dns_port, lay.control_port))
    print("  HTTP %s  (/small, /large %d bytes, /upload)" % (desc["http"]["baseUrl"], desc["http"]["largeSize"]))
    if lay.link_delay_ms:
        print("  link delay %d ms each way (delay proxy pid %d)" % (lay.link_delay_ms, desc["delayProxy"]["pid"]))
    return 0


def cmd_status(a):
    d = os.path.realpath(a.dir)
    lay = Layout(d)
    healthy = True
    desc = None
    try:
        with open(os.path.join(d, "network.json")) as f:
            desc = json.load(f)
    except (OSError, ValueError):
        print("network.json: missing (not started, still starting, or stopped)")
        healthy = False
    if desc:
        lay.link_delay_ms = desc.get("link_delay_ms") or 0
    for name in lay.procs():
        pids = pids_of(lay, name)
        print("%-8s %s" % (name, "alive (pid %d)" % pids[0] if pids else "NOT RUNNING"))
        healthy &= bool(pids)
    for pid in pids_of(lay, WATCH):
        args = cmdline(pid) or []
        owner = args[args.index("--pid") + 1] if "--pid" in args else "?"
        print("%-8s alive (pid %d; stops the network when pid %s ends)" % (WATCH, pid, owner))
    boot = bool(pids_of(lay, CLIENT)) and client_bootstrapped(lay)
    print("%-8s %s" % ("client", "bootstrapped" if boot else "NOT BOOTSTRAPPED"))
    healthy &= boot
    # The authorities must keep making consensuses. A client fetches its next one at a
    # random time before the old one expires and may run a little late, which tor itself
    # tolerates: allow it one consensus lifetime.
    lifetime = desc["consensusLifetime"] if desc else 60
    now = time.time()
    for name in [n for n, r in NODES if r == "authority"] + [CLIENT]:
        c = read_consensus(os.path.join(lay.node(name), "cached-microdesc-consensus"))
        if not c or not c[1]:
            print("%-8s NO CONSENSUS" % name)
            healthy = False
            continue
        left = c[1] - now
        grace = lifetime if name == CLIENT else 0
        print("%-8s consensus of %d relays, %s" % (name, len(c[0]), "valid for %ds more" % left
              if left > 0 else "EXPIRED %ds ago" % -left))
        healthy &= left > -grace and len(c[0]) == len(NODES)
    if desc:
        print("%-8s base port %d, SOCKS %d, HTTP %s" % (
            "ports", desc["basePort"], desc["client"]["socksPort"], desc["http"]["baseUrl"]))
        print("%-8s %s" % ("delay", "%d ms each way on every relay link (delay proxy)" % lay.link_delay_ms
                           if lay.link_delay_ms else "none (relays listen on their advertised ORPorts)"))
    print("healthy" if healthy else "UNHEALTHY")
    return 0 if healthy else 1


def cmd_stop(a):
    d = os.path.realpath(a.dir)
    if not os.path.isdir(d):
        print("nothing to stop: %s does not exist" % d)
        return 0
    lock = lock_dir(d)
    try:
        stop_processes(Layout(d), timeout=a.timeout)
        try:
            os.unlink(os.path.join(d, "network.json"))
        except OSError:
            pass
    finally:
        lock.close()
    return 0


def main(argv):
    p = argparse.ArgumentParser(prog="testnet", description="Burrow's private Tor network on loopback")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("start", help="build and start a network in DIR, wait until bootstrapped")
    s.add_argument("dir")
    s.add_argument("--base-port", type=int, default=15000,
                   help="first of the %d ports the network uses (default 15000)" % PORT_SPAN)
    s.add_argument("--large-size-mb", type=int, default=50, help="size of /large in MiB (default 50)")
    s.add_argument("--voting-interval", type=int, default=20,
                   help="V3AuthVotingInterval in seconds (default 20; consensus lives 3 intervals)")
    s.add_argument("--http-address", default="127.0.0.2",
                   help="address of the test HTTP server (default 127.0.0.2; not 127.0.0.1)")
    s.add_argument("--timeout", type=float, default=120, help="give up after this many seconds")
    s.add_argument("--consensus-params", default="", metavar="'K=V ...'",
                   help="extra consensus parameters the authorities vote (e.g. 'pb_dropguards=1 pb_mincircs=10')")
    s.add_argument("--node-torrc", action="append", default=[], metavar="NODE:LINE",
                   help="an extra torrc line for one node (repeatable), e.g. 'relay0:ExtendAllowPrivateAddresses 0'")
    s.add_argument("--link-delay-ms", type=int, default=0, metavar="N",
                   help="hold every relay link's data N ms each way in a delay proxy (default 0: none)")
    s.add_argument("--stop-with-pid", type=int, metavar="PID",
                   help="stop the network by itself when process PID ends (test runners)")
    s.add_argument("--stop-lock", metavar="FILE",
                   help="with --stop-with-pid: skip that stop if FILE is flock'ed by another process then")
    s = sub.add_parser("status", help="liveness of every process and the client's bootstrap")
    s.add_argument("dir")
    s = sub.add_parser("stop", help="stop every process of the network in DIR (keys are kept)")
    s.add_argument("dir")
    s.add_argument("--timeout", type=float, default=10, help="seconds before SIGKILL (default 10)")
    s = sub.add_parser("watch", help=argparse.SUPPRESS)
    s.add_argument("dir")
    s.add_argument("--pid", type=int, required=True)
    s.add_argument("--lock")
    a = p.parse_args(argv)
    try:
        return {"start": cmd_start, "status": cmd_status, "stop": cmd_stop, "watch": cmd_watch}[a.cmd](a)
    except (TestNetError, OSError) as e:
        sys.stderr.write("testnet %s: %s\n" % (a.cmd, e))
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
