#!/usr/bin/env python3
"""A JWKS server for the guard's jwks_url tests, steered through files.

usage: guard_jwks_server.py DIR PORTFILE

GET /jwks.json answers DIR/jwks.json, read again on every request, so a
test rotates keys by rewriting it. Each request first appends a line to
DIR/hits (the test counts fetches). While DIR/hold exists the request is
held unanswered (a hanging issuer); when DIR/status exists, its number is
the answer's status, with "{}" as the body (a failing issuer). Listens on
127.0.0.1, any free port, written to PORTFILE."""
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DIR = sys.argv[1]


class Jwks(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        with open(os.path.join(DIR, "hits"), "a") as f:
            f.write(self.path + "\n")
        while os.path.exists(os.path.join(DIR, "hold")):
            time.sleep(0.05)
        status, body = 200, b"{}"
        try:
            status = int(open(os.path.join(DIR, "status")).read())
        except (OSError, ValueError):
            body = open(os.path.join(DIR, "jwks.json"), "rb").read()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up on a held request

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Jwks)
server.daemon_threads = True
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write("%d\n" % server.server_address[1])
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
server.serve_forever()
