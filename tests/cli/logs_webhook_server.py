#!/usr/bin/env python3
"""Loopback webhook receiver for tests/cli/test_logs.sh.

usage: logs_webhook_server.py MODE PORT_FILE BODIES_FILE
  MODE ok    answers 200 and appends each JSON body as one line to BODIES_FILE
  MODE slow  the same, half a second later
  MODE fail  answers 500 (and records the attempt)
  MODE hang  reads the request and never answers
Every request also appends "arrived MS" and, once answered, "answered MS"
(Unix ms) to BODIES_FILE.times.
Listens on 127.0.0.1 on a free port, written to PORT_FILE once listening.
"""
import http.server
import socketserver
import sys
import threading
import time

mode, port_file, bodies_file = sys.argv[1:4]
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    def stamp(self, what):
        with lock, open(bodies_file + ".times", "a") as f:
            f.write("%s %d\n" % (what, int(time.time() * 1000)))

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.stamp("arrived")
        with lock, open(bodies_file, "ab") as f:
            f.write(body.replace(b"\n", b" ") + b"\n")
        if mode == "hang":
            time.sleep(3600)
            return
        if mode == "slow":
            time.sleep(0.5)
        self.send_response(500 if mode == "fail" else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.wfile.flush()
        self.stamp("answered")

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


srv = Server(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(port_file + ".tmp", port_file)
srv.serve_forever()
