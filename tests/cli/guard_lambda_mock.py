#!/usr/bin/env python3
"""A mock AWS Lambda Runtime API for tests/cli/test_guard.sh.

usage: guard_lambda_mock.py EVENTS.json PORTFILE RECORD.jsonl

EVENTS.json is a list of {"id": ..., "event": {...}}. GET
/2018-06-01/runtime/invocation/next hands them out in order (with
Lambda-Runtime-Aws-Request-Id and Lambda-Runtime-Deadline-Ms), then blocks as
the real long poll does. An item with "wait_for": PATH is handed out only
once that file exists (a test's way to pace one event after something else
happened). POST .../invocation/ID/response and .../ID/error are
appended to RECORD.jsonl as {"id", "kind", "body", "error_type"} and answered
202. Listens on 127.0.0.1, any free port, written to PORTFILE.

The Extensions API too: POST /2020-01-01/extension/register (recorded as
kind "register" with the Lambda-Extension-Name and the body; answered with
Lambda-Extension-Identifier "ext-id-1"), and GET
/2020-01-01/extension/event/next, which blocks until the test asks for a
shutdown (POST /test/shutdown), then answers a SHUTDOWN event; a next
without the identifier is answered 403, as Lambda does."""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

events = json.load(open(sys.argv[1]))
lock = threading.Lock()
shutdown = threading.Event()
PREFIX = "/2018-06-01/runtime/invocation/"
EXT = "/2020-01-01/extension/"


class Api(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def record(self, **entry):
        with lock, open(sys.argv[3], "a") as f:
            f.write(json.dumps(entry) + "\n")

    def do_GET(self):
        if self.path == EXT + "event/next":
            if self.headers.get("Lambda-Extension-Identifier") != "ext-id-1":
                return self.reply(403, b'{"errorType":"Extension.Forbidden"}')
            self.record(id="ext", kind="next", body="", error_type=None)
            shutdown.wait()
            body = json.dumps({"eventType": "SHUTDOWN", "shutdownReason": "spindown",
                               "deadlineMs": int(time.time() * 1000) + 2000}).encode()
            return self.reply(200, body, [("Content-Type", "application/json")])
        if self.path != PREFIX + "next":
            return self.reply(404)
        with lock:
            item = events.pop(0) if events else None
        if item is None:
            time.sleep(3600)
            return
        while item.get("wait_for") and not os.path.exists(item["wait_for"]):
            time.sleep(0.05)
        body = json.dumps(item["event"]).encode()
        self.reply(200, body, [("Content-Type", "application/json"),
                               ("Lambda-Runtime-Aws-Request-Id", item["id"]),
                               ("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 30000))])

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode(errors="replace")
        if self.path == EXT + "register":
            self.record(id="ext", kind="register", body=body, error_type=None,
                        name=self.headers.get("Lambda-Extension-Name"))
            return self.reply(200, b'{"functionName":"f","functionVersion":"$LATEST","handler":"h"}',
                              [("Content-Type", "application/json"), ("Lambda-Extension-Identifier", "ext-id-1")])
        if self.path == "/test/shutdown":
            shutdown.set()
            return self.reply(200)
        parts = self.path[len(PREFIX):].split("/") if self.path.startswith(PREFIX) else []
        if len(parts) != 2 or parts[1] not in ("response", "error"):
            return self.reply(404)
        with lock, open(sys.argv[3], "a") as f:
            f.write(json.dumps({"id": parts[0], "kind": parts[1], "body": body,
                                "error_type": self.headers.get("Lambda-Runtime-Function-Error-Type")}) + "\n")
        self.reply(202, b'{"status":"OK"}', [("Content-Type", "application/json")])

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Api)
server.daemon_threads = True
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write("%d\n" % server.server_address[1])
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
server.serve_forever()
