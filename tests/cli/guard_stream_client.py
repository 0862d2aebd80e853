#!/usr/bin/env python3
"""A client for the guard's streaming tests (tests/cli/test_guard_stream.sh):
one request over a raw socket, the answer read at a pace the test chooses,
and a JSON summary on standard output.

usage: guard_stream_client.py PORT PATH [options]
  --http10            send an HTTP/1.0 request (with --keep-alive:
                      "Connection: keep-alive")
  --head              a HEAD request
  --go FILE --after N create FILE once N body bytes have arrived
  --pace S            sleep S seconds after each read of at most 64 KiB
  --pause-at N --pause S
                      once N body bytes have arrived, read nothing for S s
  --leave-after N     close the connection once N body bytes have arrived
  --stall S           read the status line and headers, then nothing for S
                      seconds (a small receive buffer), then the rest: has
                      the gateway closed the connection meanwhile?

The summary: status, headers (lower-case names), body_bytes, sha256 of the
body, complete (the body as long as its framing said, or the connection
closed after a close-delimited one), closed (the gateway closed the
connection), and raw_tail (the last bytes received, to spot a second
answer after a cut)."""
import argparse
import hashlib
import json
import socket
import time

ap = argparse.ArgumentParser()
ap.add_argument("port", type=int)
ap.add_argument("path")
ap.add_argument("--http10", action="store_true")
ap.add_argument("--keep-alive", action="store_true")
ap.add_argument("--head", action="store_true")
ap.add_argument("--go")
ap.add_argument("--after", type=int, default=0)
ap.add_argument("--pace", type=float, default=0)
ap.add_argument("--pause-at", type=int, default=-1)
ap.add_argument("--pause", type=float, default=0)
ap.add_argument("--leave-after", type=int, default=-1)
ap.add_argument("--stall", type=float, default=0)
a = ap.parse_args()

s = socket.socket()
if a.stall:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
s.connect(("127.0.0.1", a.port))
s.settimeout(30)
version = "HTTP/1.0" if a.http10 else "HTTP/1.1"
extra = "Connection: keep-alive\r\n" if a.keep_alive else ""
s.sendall(("%s %s %s\r\nHost: gateway\r\n%s\r\n" % ("HEAD" if a.head else "GET", a.path, version, extra)).encode())

raw = b""
while b"\r\n\r\n" not in raw:
    d = s.recv(65536)
    if not d:
        break
    raw += d
head, _, rest = raw.partition(b"\r\n\r\n")
lines = head.decode("latin-1").split("\r\n")
status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
headers = {}
for line in lines[1:]:
    k, _, v = line.partition(":")
    headers[k.strip().lower()] = v.strip()

summary = {"status": status, "headers": headers, "body_bytes": 0, "sha256": None, "complete": False,
           "closed": False, "raw_tail": ""}
if a.stall:
    time.sleep(a.stall)
    got = len(rest)
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            got += len(d)
    except OSError:
        pass
    summary["body_bytes"] = got
    summary["closed"] = got < int(headers.get("content-length", "-1"))  # cut short, not ended
    print(json.dumps(summary))
    raise SystemExit(0)

chunked = headers.get("transfer-encoding", "").lower() == "chunked"
length = int(headers["content-length"]) if "content-length" in headers and not chunked else None
if a.head:
    length = 0

digest = hashlib.sha256()
body = 0
wire = rest          # bytes received and not yet parsed (chunked framing)
tail = rest[-64:]
went = left = paused = False


def on_body(data):
    global body, went, left, paused
    digest.update(data)
    body += len(data)
    if a.go and not went and body >= a.after:
        open(a.go, "w").close()
        went = True
    if a.pause_at >= 0 and not paused and body >= a.pause_at:
        paused = True
        time.sleep(a.pause)
    if a.leave_after >= 0 and body >= a.leave_after:
        left = True


def receive():
    global wire, tail
    d = s.recv(65536)
    if d:
        wire += d
        tail = (tail + d)[-64:]
    if a.pace:
        time.sleep(a.pace)
    return d


try:
    if chunked:
        while not left:
            while b"\r\n" not in wire:
                if not receive():
                    raise EOFError
            size_line, _, wire = wire.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                summary["complete"] = True
                break
            while len(wire) < size + 2:
                if not receive():
                    raise EOFError
            on_body(wire[:size])
            wire = wire[size + 2:]
    else:
        if wire:
            on_body(wire[:length] if length is not None else wire)
            wire = b""
        while not left and (length is None or body < length):
            d = receive()
            if not d:
                raise EOFError
            on_body(d)
            wire = b""
        summary["complete"] = length is not None and body == length
except EOFError:
    summary["closed"] = True
    summary["complete"] = length is None and not chunked  # close-delimited: the close is its end
except OSError:
    summary["closed"] = True
if not left and not summary["closed"]:
    # is the connection closed after the answer (HTTP/1.0), or kept?
    s.settimeout(1)
    try:
        d = s.recv(65536)
        summary["closed"] = not d
        tail = (tail + d)[-64:]
    except socket.timeout:
        pass
    except OSError:
        summary["closed"] = True
s.close()
summary["body_bytes"] = body
summary["sha256"] = digest.hexdigest()
summary["raw_tail"] = tail.decode("latin-1")
print(json.dumps(summary))
