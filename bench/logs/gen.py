#!/usr/bin/env python3
"""bench/logs/gen.py MB OUT — writes about MB megabytes of realistic Lambda
log lines (Node.js text format: START, app lines with JSON payloads, END,
REPORT; some Python-style lines) where about 1% of the lines carry a
sensitive value (email, card number, AWS key, JWT, bearer token, SSN,
phone, a password field). Seeded: the same file every run."""
import random
import sys
import uuid

mb, out = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(42)
target = mb * 1000 * 1000


def luhn_card():
    digits = [4] + [rnd.randrange(10) for _ in range(14)]
    s = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        s += d
    digits.append((10 - s % 10) % 10)
    return "".join(map(str, digits))


def sensitive():
    k = rnd.randrange(8)
    if k == 0:
        return "customer %s@example.com" % "".join(rnd.choice("abcdefghij") for _ in range(8))
    if k == 1:
        return "card %s" % luhn_card()
    if k == 2:
        return "using key AKIA%s" % "".join(rnd.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
    if k == 3:
        return ("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkw%s.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
                % "".join(rnd.choice("abcdefghij") for _ in range(6)))
    if k == 4:
        return "Authorization: Bearer %032x" % rnd.getrandbits(128)
    if k == 5:
        return "ssn %03d-%02d-%04d" % (rnd.randrange(1, 600), rnd.randrange(1, 99), rnd.randrange(1, 9999))
    if k == 6:
        return "call +1 415 555 %04d" % rnd.randrange(10000)
    return '{"user":"u%d","password":"%s"}' % (rnd.randrange(1000), "".join(rnd.choice("xyz123!") for _ in range(12)))


routes = ["/orders", "/orders/{id}", "/payments", "/users/{id}/cart", "/health"]
written = 0
lines = 0
sens = 0
ts_ms = 1709633700000
with open(out, "w") as f:
    while written < target:
        rid = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
        ts_ms += rnd.randrange(5, 400)
        s, ms = divmod(ts_ms, 1000)
        import time
        t = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + ".%03dZ" % ms
        block = ["START RequestId: %s Version: $LATEST" % rid]
        for _ in range(rnd.randrange(2, 6)):
            if rnd.random() < 0.01 * 1.9:  # ~1% of all lines, counting START/END/REPORT
                msg = sensitive()
                sens += 1
            else:
                msg = ('{"level":"info","route":"%s","status":%d,"latency_ms":%d,"items":%d,"region":"eu-west-1",'
                       '"trace":"Root=1-%08x-%024x"}' % (rnd.choice(routes), rnd.choice([200, 200, 200, 201, 404]),
                                                          rnd.randrange(1, 900), rnd.randrange(20),
                                                          rnd.getrandbits(32), rnd.getrandbits(96)))
            block.append("%s\t%s\tINFO\t%s" % (t, rid, msg))
        block.append("END RequestId: %s" % rid)
        d = rnd.uniform(2, 900)
        block.append("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: 256 MB\t"
                     "Max Memory Used: %d MB\t" % (rid, d, int(d) + 1, rnd.randrange(60, 200)))
        text = "\n".join(block) + "\n"
        f.write(text)
        written += len(text)
        lines += len(block)
print("%s: %.1f MB, %d lines, %d sensitive (%.2f%%)" % (out, written / 1e6, lines, sens, 100.0 * sens / lines))
