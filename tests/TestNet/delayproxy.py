#!/usr/bin/env python3
"""Link-delay proxy of the private Tor network (started by testnet.py --link-delay-ms N).

  delayproxy.py --delay-ms N --map LISTEN_PORT=TARGET_PORT ... --address A --pid-file F
                [--stats-file F]

This kernel has no netem qdisc, so latency is added in user space: every relay advertises an
ORPort served here, and each chunk read from one side is written to the other N ms after it was
read, in order, in both directions. Backpressure: each direction of a connection holds at most
QUEUE_CHUNKS chunks of at most CHUNK bytes; when that is full we stop reading and TCP pushes
back on the sender. EOF (half-close) is passed on after the delay too; a reset or error on one
side closes both. One asyncio process serves every relay.
"""
import argparse
import asyncio
import json
import os
import signal
import socket
import sys
import time

CHUNK = 64 * 1024
QUEUE_CHUNKS = 64          # <= 4 MiB in flight per direction per connection
MAX_CONNECTIONS = 4096     # a test network has a few dozen; refuse beyond this
STATS_EVERY = 0.5

stats = {"connections": 0, "open": 0, "refused": 0, "chunksDelayed": 0, "bytesDelayed": 0,
         "delayMs": 0}


def nodelay(writer):
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass


async def pump(reader, writer, delay, loop):
    """One direction: reader -> (delay) -> writer. Returns when EOF was passed on."""
    queue = asyncio.Queue(maxsize=QUEUE_CHUNKS)

    async def read_side():
        while True:
            data = await reader.read(CHUNK)
            await queue.put((loop.time() + delay, data))  # blocks when full: backpressure
            if not data:
                return

    async def write_side():
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            stats["chunksDelayed"] += 1
            stats["bytesDelayed"] += len(data)
            await writer.drain()

    r = asyncio.ensure_future(read_side())
    w = asyncio.ensure_future(write_side())
    try:
        await asyncio.gather(r, w)
    finally:
        r.cancel()
        w.cancel()


async def serve(address, target, delay, c_reader, c_writer):
    loop = asyncio.get_running_loop()
    if stats["open"] >= MAX_CONNECTIONS:
        stats["refused"] += 1
        c_writer.close()
        return
    stats["connections"] += 1
    stats["open"] += 1
    s_writer = None
    try:
        try:
            s_reader, s_writer = await asyncio.open_connection(address, target)
        except OSError:
            return
        nodelay(c_writer)
        nodelay(s_writer)
        # Both directions until both have passed EOF on; an error in one ends both.
        tasks = [asyncio.ensure_future(pump(c_reader, s_writer, delay, loop)),
                 asyncio.ensure_future(pump(s_reader, c_writer, delay, loop))]
        try:
            await asyncio.gather(*tasks)
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    except (OSError, asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        stats["open"] -= 1
        for w in (c_writer, s_writer):
            if w is not None:
                w.close()


async def write_stats(path):
    while True:
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(stats, f)
        os.replace(tmp, path)
        await asyncio.sleep(STATS_EVERY)


async def main_async(a):
    delay = a.delay_ms / 1000.0
    stats["delayMs"] = a.delay_ms
    servers = []
    for m in a.map:
        listen, _, target = m.partition("=")
        listen, target = int(listen), int(target)
        servers.append(await asyncio.start_server(
            lambda r, w, t=target: serve(a.address, t, delay, r, w),
            a.address, listen, reuse_address=True, backlog=256))
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, lambda: stop.done() or stop.set_result(None))
    if a.stats_file:
        asyncio.ensure_future(write_stats(a.stats_file))
    # The pid file doubles as the readiness signal: it appears once every port listens.
    tmp = a.pid_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % os.getpid())
    os.replace(tmp, a.pid_file)
    await stop
    for s in servers:
        s.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--address", required=True)
    p.add_argument("--delay-ms", type=int, required=True)
    p.add_argument("--map", action="append", required=True, metavar="LISTEN=TARGET")
    p.add_argument("--pid-file", required=True)
    p.add_argument("--stats-file")
    a = p.parse_args()
    if not 0 <= a.delay_ms <= 10000:
        sys.exit("--delay-ms must be 0..10000")
    asyncio.run(main_async(a))
    os._exit(0)


if __name__ == "__main__":
    main()
