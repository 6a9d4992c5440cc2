#!/usr/bin/env python3
"""Test HTTP server of the private Tor network (started by testnet.py).

GET|HEAD /small, /large   the files given on the command line (Content-Length, sendfile)
POST /echo                returns the request body (Content-Length required, <= 256 MiB)
GET /health               "ok"

HTTP/1.1 with keep-alive, one thread per connection, TCP_NODELAY on every accepted socket:
C tor sets no TCP_NODELAY, and Nagle plus delayed ACKs on loopback turn small replies into
~50 ms stalls.
"""
import argparse
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ECHO_LIMIT = 256 * 1024 * 1024
CHUNK = 256 * 1024


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # TCP_NODELAY in StreamRequestHandler.setup
    server_version = "BurrowTestNet/1"
    sys_version = ""
    files = {}

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def log_request(self, code="-", size="-"):
        pass  # errors only: benchmarks make many requests and the log must not grow with them

    def _send_file(self, head):
        path = self.files.get(self.path.split("?", 1)[0])
        if path is None:
            self._send_bytes(404, b"not found\n", head)
            return
        size = os.path.getsize(path)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        if not head:
            with open(path, "rb") as f:
                self.connection.sendfile(f)

    def _send_bytes(self, code, body, head=False):
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def do_GET(self):
        if self.path == "/health":
            self._send_bytes(200, b"ok\n")
        else:
            self._send_file(False)

    def do_HEAD(self):
        self._send_file(True)

    def do_POST(self):
        if self.path != "/echo":
            self._send_bytes(404, b"not found\n")
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            length = -1
        if length < 0 or length > ECHO_LIMIT:
            self.close_connection = True
            self._send_bytes(411, b"Content-Length 0..268435456 required\n")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(length))
        self.end_headers()
        left = length
        while left > 0:
            data = self.rfile.read(min(CHUNK, left))
            if not data:
                self.close_connection = True
                return
            self.wfile.write(data)
            left -= len(data)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--address", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--small", required=True)
    p.add_argument("--large", required=True)
    p.add_argument("--pid-file", required=True)
    a = p.parse_args()
    Handler.files = {"/small": a.small, "/large": a.large}
    server = Server((a.address, a.port), Handler)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    # The pid file doubles as the readiness signal: it appears once the socket listens.
    tmp = a.pid_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % os.getpid())
    os.replace(tmp, a.pid_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
