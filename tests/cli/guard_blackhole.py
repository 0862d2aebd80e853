#!/usr/bin/env python3
"""An upstream whose connects never complete, for the upstream connect
timeout tests of tests/cli/test_guard_limits.sh — on loopback, without a
network: a listener with a backlog of 0 that never accepts, its accept
queue filled by our own connections. Linux then drops every further SYN,
so a client's connect stays in progress until the client gives up.

usage: guard_blackhole.py PORTFILE — writes the port once the queue is
full (or "unusable" when it could not be filled), then sleeps until killed."""
import os
import socket
import sys
import time

listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(0)
port = listener.getsockname()[1]
held = []
full = False
for _ in range(16):
    s = socket.socket()
    s.settimeout(0.5)
    try:
        s.connect(("127.0.0.1", port))
    except socket.timeout:
        full = True
    held.append(s)
    if full:
        break
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % port if full else "unusable\n")
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    time.sleep(3600)
