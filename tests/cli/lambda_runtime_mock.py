#!/usr/bin/env python3
"""Mock AWS Lambda Runtime API for tests/cli/test_logs.sh.

usage: lambda_runtime_mock.py EVENTS_JSON PORT_FILE LOG_FILE
EVENTS_JSON is a list of {"id": request id, "event": the event (any JSON,
or "raw" for a string sent as is), "deadline": "past" | "future" (a minute
away, the default) | milliseconds from when it is handed out}.
GET /2018-06-01/runtime/invocation/next hands them out in order with the
Lambda-Runtime-Aws-Request-Id, Lambda-Runtime-Deadline-Ms and
Lambda-Runtime-Trace-Id headers (and blocks once they are used up);
POST .../invocation/ID/response, .../invocation/ID/error and
.../runtime/init/error are appended to LOG_FILE as JSON lines
{"kind", "id", "body", "at": Unix ms received, "deadline": the one handed
out}. Listens on 127.0.0.1, port written to PORT_FILE.
"""
import http.server
import json
import os
import socketserver
import sys
import threading
import time

events_file, port_file, log_file = sys.argv[1:4]
events = json.load(open(events_file))
lock = threading.Lock()
state = {"next": 0}
deadlines = {}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def record(self, kind, rid, body):
        at = int(time.time() * 1000)
        with lock, open(log_file, "a") as f:
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = body.decode("utf-8", "replace")
            f.write(json.dumps({"kind": kind, "id": rid, "body": parsed, "at": at,
                                "deadline": deadlines.get(rid)}) + "\n")

    def reply(self, code, body=b"", headers=None):
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path != "/2018-06-01/runtime/invocation/next":
            return self.reply(404)
        with lock:
            i = state["next"]
            state["next"] += 1
        if i >= len(events):
            time.sleep(3600)
            return
        ev = events[i]
        body = ev["raw"].encode() if "raw" in ev else json.dumps(ev["event"]).encode()
        now = int(time.time() * 1000)
        when = ev.get("deadline", "future")
        deadline = now - 1000 if when == "past" else now + 60000 if when == "future" else now + int(when)
        with lock:
            deadlines[ev["id"]] = deadline
        self.reply(200, body, {"Lambda-Runtime-Aws-Request-Id": ev["id"],
                               "Lambda-Runtime-Deadline-Ms": str(deadline),
                               "Lambda-Runtime-Trace-Id": "Root=1-5759e988-bd862e3fe1be46a994272793",
                               "Content-Type": "application/json"})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        parts = self.path.split("/")
        if self.path == "/2018-06-01/runtime/init/error":
            self.record("init_error", None, body)
        elif len(parts) == 6 and parts[3] == "invocation" and parts[5] in ("response", "error"):
            self.record(parts[5], parts[4], body)
        else:
            return self.reply(404)
        self.reply(202, b'{"status":"OK"}')


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


srv = Server(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(port_file + ".tmp", port_file)
srv.serve_forever()
