#!/usr/bin/env python3
"""A small HTTP proxy that sits in front of an S3 server (moto in the tests) and
injects faults on command. Standard library only.

    s3-fault-proxy.py --listen 127.0.0.1:0 --upstream 127.0.0.1:5000 [--port-file F]

Every request is forwarded unchanged (the Host header too, so SigV4 signatures made
for the proxy's address still verify upstream) unless a fault is armed. Faults are
armed over an admin endpoint under /__fault/ on the same port (no S3 bucket name can
start with an underscore, so it never shadows a real request):

    POST /__fault/fail?count=K          the next K requests fail
    POST /__fault/fail?seconds=S        every request in the next S seconds fails
         &mode=slowdown                 503 SlowDown (the default)
         &mode=internal                 500 InternalError
         &mode=drop                     the connection is closed without an answer
         &mode=stall&stall=T            the request is held T seconds, then forwarded
    POST /__fault/reset                 disarm, zero the counters
    GET  /__fault/stats                 {"forwarded": n, "failed": m, "armed": bool}

The multi-process scale-out test uses it for "S3 answers 503 for 10 s".
"""

import argparse
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
    "trailers", "transfer-encoding", "upgrade",
}


class FaultState:
    """What to inject, shared by the handler threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.remaining = 0
            self.until = 0.0
            self.mode = "slowdown"
            self.stall = 0.0
            self.forwarded = 0
            self.failed = 0

    def arm(self, count, seconds, mode, stall):
        with self.lock:
            self.remaining = count
            self.until = time.monotonic() + seconds if seconds > 0 else 0.0
            self.mode = mode
            self.stall = stall

    def take(self):
        """The fault mode for the request now arriving, or None to forward it."""
        with self.lock:
            if self.remaining > 0:
                self.remaining -= 1
            elif self.until and time.monotonic() < self.until:
                pass
            else:
                self.forwarded += 1
                return None
            if self.mode == "stall":
                self.forwarded += 1
            else:
                self.failed += 1
            return self.mode

    def stats(self):
        with self.lock:
            armed = self.remaining > 0 or (self.until and time.monotonic() < self.until)
            return {"forwarded": self.forwarded, "failed": self.failed, "armed": bool(armed)}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: FaultState
    upstream: tuple

    def log_message(self, fmt, *args):  # quiet: the tests read their own output
        pass

    def do_GET(self):
        self.handle_any()

    do_PUT = do_POST = do_DELETE = do_HEAD = do_GET

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def handle_any(self):
        body = self.read_body()
        if self.path.startswith("/__fault/"):
            return self.admin()
        mode = self.state.take()
        if mode == "drop":
            self.close_connection = True
            return
        if mode == "slowdown":
            return self.s3_error(503, "SlowDown", "Please reduce your request rate.")
        if mode == "internal":
            return self.s3_error(500, "InternalError", "We encountered an internal error. Please try again.")
        if mode == "stall":
            time.sleep(self.state.stall)
        self.forward(body)

    def s3_error(self, status, code, message):
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{code}</Code><Message>{message}</Message>"
            "<RequestId>FAULTPROXY</RequestId></Error>"
        ).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def forward(self, body):
        connection = http.client.HTTPConnection(*self.upstream, timeout=120)
        try:
            connection.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for name, value in self.headers.items():
                if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                    connection.putheader(name, value)
            if body or self.command in ("PUT", "POST"):
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            payload = response.read()
        except OSError as error:
            return self.s3_error(502, "BadGateway", f"fault proxy: upstream failed: {error}")
        finally:
            connection.close()
        self.send_response(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        if self.command == "HEAD":
            self.send_header("Content-Length", response.getheader("Content-Length") or "0")
        else:
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def admin(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        status, answer = 200, None
        try:
            if url.path == "/__fault/fail" and self.command == "POST":
                mode = query.get("mode", "slowdown")
                if mode not in ("slowdown", "internal", "drop", "stall"):
                    raise ValueError(f"unknown mode {mode!r}")
                self.state.arm(
                    int(query.get("count", 0)), float(query.get("seconds", 0)), mode,
                    float(query.get("stall", 0)))
            elif url.path == "/__fault/reset" and self.command == "POST":
                self.state.reset()
            elif url.path == "/__fault/stats" and self.command == "GET":
                pass
            else:
                status, answer = 404, {"error": f"no admin action {self.command} {url.path}"}
        except ValueError as error:
            status, answer = 400, {"error": str(error)}
        body = json.dumps(answer or self.state.stats()).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def address(text):
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", default="127.0.0.1:0", help="HOST:PORT to listen on (0: any free port)")
    parser.add_argument("--upstream", required=True, help="HOST:PORT of the S3 server")
    parser.add_argument("--port-file", help="write the port listened on here once ready")
    parser.add_argument("--die-with-parent", action="store_true", help="exit when the parent process does (Linux)")
    args = parser.parse_args()
    if args.die_with_parent:
        import ctypes
        import signal
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG

    Handler.state = FaultState()
    Handler.upstream = address(args.upstream)
    ThreadingHTTPServer.daemon_threads = True
    server = ThreadingHTTPServer(address(args.listen), Handler)
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(f"{port}\n")
        os.replace(args.port_file + ".tmp", args.port_file)
    print(f"s3-fault-proxy: 127.0.0.1:{port} -> {args.upstream}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
