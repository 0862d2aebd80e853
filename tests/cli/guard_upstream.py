#!/usr/bin/env python3
"""A tiny upstream for tests/cli/test_guard*.sh and bench/guard: answers every
request with a JSON echo of what it received (method, path, headers, body
length), HTTP/1.1 keep-alive. GET /slow/N sleeps N seconds first (upstream
timeout tests). GET /headers/N answers with a header of N bytes (the
gateway's bound on an upstream's headers).

GET .../stream/BYTES?framing=length|chunked|close&block=B&delay=S&cut=K
(any path ending in /stream/BYTES, so that routes with their own limits can
reach it) sends BYTES bytes of reproducible noise in writes of B bytes
(default 65536), sleeping S seconds between writes: framed by
Content-Length, as chunks (one chunk per write), or by closing the
connection. X-Body-Sha256 announces the digest of the whole body, so a
client can check it got every byte in order. cut=K stops after K bytes and
closes the connection (an upstream failing in the middle of its answer).
HEAD on it sends the headers alone. More options:
  type=none    no Content-Type (the gateway must not invent one)
  length=TEXT  TEXT as the Content-Length, once per length= (a malformed,
               overflowing or contradictory one)
  stall=S      once half the body is written, send nothing for S seconds
  hold=PATH    once half the body is written, wait (up to 60 s) until PATH
               exists: the client has the first half while the rest is
               still to come

Listens on 127.0.0.1, port 0 (any free port); writes the port to the file
given as the first argument once listening. With a second argument, each
stream the client stopped reading is noted there as one line
("gone PATH after N bytes")."""
import hashlib
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

EVENTS = sys.argv[2] if len(sys.argv) > 2 else None


def noise(total, block):
    """The body, block by block: a seeded digest chain, cheap to make
    and never periodic, so a reordered or dropped block changes the hash."""
    seed = hashlib.sha256(b"slsec-guard-stream").digest() * (block // 32 + 1)
    sent, n = 0, 0
    while sent < total:
        size = min(block, total - sent)
        head = hashlib.sha256(n.to_bytes(8, "big")).digest()
        yield (head + seed)[:size]
        sent += size
        n += 1


class Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if "/stream/" in urlsplit(self.path).path:
            self.stream()
            return
        if self.path.startswith("/slow/"):
            time.sleep(float(self.path.split("/")[2]))
        big = int(self.path.split("/")[2]) if self.path.startswith("/headers/") else 0
        out = json.dumps({
            "method": self.command,
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body_bytes": len(body),
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.send_header("X-Upstream", "echo")
        self.send_header("Connection", "keep-alive, X-Secret-Hop")
        self.send_header("X-Secret-Hop", "must not pass")
        if big:
            self.send_header("X-Big", "b" * big)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(out)

    def stream(self):
        url = urlsplit(self.path)
        lists = parse_qs(url.query, keep_blank_values=True)
        q = {k: v[-1] for k, v in lists.items()}
        total = int(url.path.rsplit("/", 1)[1])
        framing = q.get("framing", "length")
        block = int(q.get("block", 65536))
        delay = float(q.get("delay", 0))
        cut = int(q["cut"]) if "cut" in q else None
        digest = hashlib.sha256()
        for piece in noise(total, block):
            digest.update(piece)
        self.send_response(200)
        if q.get("type") != "none":
            self.send_header("Content-Type", "application/octet-stream")
        self.send_header("X-Body-Sha256", digest.hexdigest())
        if "length" in lists:
            for text in lists["length"]:
                self.send_header("Content-Length", text)
        elif framing == "length":
            self.send_header("Content-Length", str(total))
        elif framing == "chunked":
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command == "HEAD":
            return
        sent = 0
        try:
            for piece in noise(total, block):
                if cut is not None and sent + len(piece) > cut:
                    piece = piece[:cut - sent]
                if framing == "chunked":
                    self.wfile.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
                else:
                    self.wfile.write(piece)
                self.wfile.flush()
                sent += len(piece)
                if cut is not None and sent >= cut:
                    self.close_connection = True
                    return
                if sent - len(piece) < total // 2 <= sent:
                    self.midway(q)
                if delay:
                    time.sleep(delay)
            if framing == "chunked":
                self.wfile.write(b"0\r\n\r\n")
        except OSError:
            self.close_connection = True
            if EVENTS:
                with open(EVENTS, "a") as f:
                    f.write("gone %s after %d bytes\n" % (url.path, sent))

    @staticmethod
    def midway(q):
        if q.get("stall"):
            time.sleep(float(q["stall"]))
        if q.get("hold"):
            for _ in range(1200):
                if os.path.exists(q["hold"]):
                    break
                time.sleep(0.05)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = answer

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
server.daemon_threads = True
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % server.server_address[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
