#!/usr/bin/env python3
"""bench/guard/slow_clients.py PORT N SECONDS — opens N connections to the
gateway on 127.0.0.1:PORT that trickle a request header one byte per second
(a slowloris), and meanwhile times ordinary requests (GET /healthz and GET
/plain) on fresh connections. Prints how many trickling connections were
still open at the end, and the p50/max latency of the ordinary requests."""
import socket
import sys
import time
import http.client

port, n, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
slow = []
for i in range(n):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.setblocking(False)
        slow.append(s)
    except OSError as e:
        print("connection %d failed: %s" % (i, e))
        break
header = b"GET /plain HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 10000
lat = []
errors = 0
start = time.time()
k = 0
while time.time() - start < seconds:
    for s in list(slow):
        try:
            s.send(header[k:k + 1])
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            slow.remove(s)
    k += 1
    for path in ("/healthz", "/plain"):
        t = time.time()
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request("GET", path)
            r = c.getresponse()
            r.read()
            c.close()
            if r.status != 200:
                errors += 1
        except OSError:
            errors += 1
        lat.append(time.time() - t)
    time.sleep(max(0, 1 - (time.time() - start) % 1))
lat.sort()
print("slow connections opened %d, still open after %.0f s: %d" % (n, seconds, len(slow)))
print("ordinary requests meanwhile: %d, errors %d, p50 %.2f ms, max %.2f ms"
      % (len(lat), errors, 1000 * lat[len(lat) // 2], 1000 * lat[-1]))
