#!/usr/bin/env python3
"""Test HTTP server of the private Tor network (started by testnet.py).

GET|HEAD /small, /large   the files given on the command line (Content-Length, sendfile)
POST /echo                returns the request body (Content-Length required, <= 256 MiB)
POST|PUT /upload          upload sink: reads the body (Content-Length or chunked, <= 1 GiB),
                          hashes it as it streams, answers {"sha256": "<hex>", "bytes": N}
GET /health               "ok"

HTTP/1.1 with keep-alive, one thread per connection, TCP_NODELAY on every accepted socket:
C tor sets no TCP_NODELAY, and Nagle plus delayed ACKs on loopback turn small replies into
~50 ms stalls.
"""
import argparse
import hashlib
import json
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ECHO_LIMIT = 256 * 1024 * 1024
UPLOAD_LIMIT = 1024 * 1024 * 1024
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

    def do_PUT(self):
        if self.path.split("?", 1)[0] != "/upload":
            self._send_bytes(404, b"not found\n")
            return
        self._upload()

    def _upload(self):
        """Streams the body through SHA-256, CHUNK bytes at a time: nothing is held."""
        h = hashlib.sha256()
        total = 0
        chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
        if chunked:
            while True:
                line = self.rfile.readline(1024)
                try:
                    size = int(line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    self.close_connection = True
                    self._send_bytes(400, b"bad chunk size line\n")
                    return
                if size == 0:
                    while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    break
                if total + size > UPLOAD_LIMIT:
                    self.close_connection = True
                    self._send_bytes(413, b"upload limit is 1073741824 bytes\n")
                    return
                if not self._hash_body(h, size):
                    return
                total += size
                self.rfile.readline(8)  # CRLF after the chunk
        else:
            try:
                length = int(self.headers.get("Content-Length", ""))
            except ValueError:
                length = -1
            if length < 0:
                self.close_connection = True
                self._send_bytes(411, b"Content-Length or Transfer-Encoding: chunked required\n")
                return
            if length > UPLOAD_LIMIT:
                self.close_connection = True
                self._send_bytes(413, b"upload limit is 1073741824 bytes\n")
                return
            if not self._hash_body(h, length):
                return
            total = length
        body = json.dumps({"sha256": h.hexdigest(), "bytes": total}).encode() + b"\n"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _hash_body(self, h, n):
        while n > 0:
            data = self.rfile.read(min(CHUNK, n))
            if not data:
                self.close_connection = True
                return False
            h.update(data)
            n -= len(data)
        return True

    def do_POST(self):
        if self.path.split("?", 1)[0] == "/upload":
            self._upload()
            return
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
