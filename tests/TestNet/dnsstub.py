#!/usr/bin/env python3
"""Loopback DNS stub for the exits of the private Tor network (started by testnet.py).

UDP only (what tor's resolver uses). A queries for the configured names get their address,
other types for those names an empty NOERROR answer, every other name NXDOMAIN. Names are
compared case-insensitively: tor randomises the case of queries (0x20 hardening) and expects
the question echoed as sent.
"""
import argparse
import os
import signal
import socket
import struct
import sys


def parse_question(msg):
    """Returns (qname_lower, qtype, end_offset) of the first question, or None."""
    if len(msg) < 12:
        return None
    qdcount = struct.unpack_from("!H", msg, 4)[0]
    if qdcount < 1:
        return None
    pos, labels = 12, []
    while True:
        if pos >= len(msg):
            return None
        n = msg[pos]
        pos += 1
        if n == 0:
            break
        if n & 0xC0 or pos + n > len(msg):
            return None
        labels.append(msg[pos:pos + n].decode("ascii", "replace").lower())
        pos += n
    if pos + 4 > len(msg):
        return None
    qtype = struct.unpack_from("!H", msg, pos)[0]
    return ".".join(labels), qtype, pos + 4


def answer(msg, names):
    q = parse_question(msg)
    if q is None:
        if len(msg) < 12:
            return None
        # FORMERR, echo the id.
        return msg[:2] + struct.pack("!HHHHH", 0x8001, 0, 0, 0, 0)
    name, qtype, end = q
    qid = msg[:2]
    rd = struct.unpack_from("!H", msg, 2)[0] & 0x0100
    question = msg[12:end]
    addr = names.get(name.rstrip("."))
    if addr is None:
        flags = 0x8000 | 0x0400 | rd | 0x0080 | 3  # QR AA RD RA NXDOMAIN
        return qid + struct.pack("!HHHHH", flags, 1, 0, 0, 0) + question
    flags = 0x8000 | 0x0400 | rd | 0x0080
    if qtype != 1:
        return qid + struct.pack("!HHHHH", flags, 1, 0, 0, 0) + question
    rr = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton(addr)
    return qid + struct.pack("!HHHHH", flags, 1, 1, 0, 0) + question + rr


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--address", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--name", action="append", default=[], help="NAME=IPv4, repeatable")
    p.add_argument("--pid-file", required=True)
    a = p.parse_args()
    names = {}
    for item in a.name:
        n, _, ip = item.partition("=")
        names[n.lower().rstrip(".")] = ip
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.address, a.port))
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    tmp = a.pid_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % os.getpid())
    os.replace(tmp, a.pid_file)
    while True:
        try:
            msg, peer = s.recvfrom(4096)
            reply = answer(msg, names)
            if reply is not None:
                s.sendto(reply, peer)
        except OSError as e:
            sys.stderr.write("dnsstub: %s\n" % e)


if __name__ == "__main__":
    main()
