#!/usr/bin/env bash
#
# test_guard_stream.sh — slsec guard relays answers as they arrive, end to
# end on loopback: tests/cli/guard_upstream.py sends reproducible bodies
# (/stream/BYTES, with the digest in X-Body-Sha256) framed by length, as
# chunks or by closing, slowly or at once, or cut short. Covered: a 64 MiB
# answer arrives byte-exact while the gateway's peak memory (VmHWM) stays
# far below it, both from a slow upstream and toward a slow client (the
# upstream is paused, not buffered); lengths, chunks, HEAD and HTTP/1.0
# framing; an upstream failing mid-body, the deadline firing mid-body and
# an oversized chunk all close the client connection (never a second
# answer, never a complete-looking one); a client leaving mid-stream
# cancels the upstream request; connections are reused after streams; an
# upstream's headers are bounded.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/guard_lib.sh"

if ! command -v curl >/dev/null 2>&1; then
    case_skip "guard streaming" "curl is not installed"
    exit 0
fi

start_upstream "$TMP/upstream.events"

# POST /stream/* has a short deadline (the upstream streams for POST too)
cat >"$TMP/stream.yml" <<YML
limits: {upstream_timeout_ms: 60000, header_timeout_ms: 20000}
upstreams:
  app: {url: "http://127.0.0.1:$UP", pool: 2}
routes:
  - {name: short, method: POST, path: /stream/*, upstream: app, auth: none, limits: {upstream_timeout_ms: 1500}}
  - {name: stream, path: /stream/*, upstream: app, auth: none}
  - {name: headers, path: /headers/*, upstream: app, auth: none}
YML

rm -f "$TMP/guard.port"
"$SLSEC" guard --config "$TMP/stream.yml" --listen 127.0.0.1:0 --ready-file "$TMP/guard.port" \
    --access-log "$TMP/access.log" 2>"$TMP/guard.err" &
GUARD_PID=$!
for _ in $(seq 600); do [ -s "$TMP/guard.port" ] && break; sleep 0.05; done
PORT=$(cat "$TMP/guard.port")
BASE="http://127.0.0.1:$PORT"

# Peak memory is meaningful in the release build only: ASan keeps freed
# memory in quarantine (hundreds of MB), so there it grows with the
# bytes that went through, whatever the gateway holds.
MEASURE_PEAK=1
grep -q __asan_init "$SLSEC" && MEASURE_PEAK=0
peak_kb() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$GUARD_PID/status"; }

# fetch PATH [python-args]: GET through the gateway with a Python client
# that reads in 1 MiB pieces (sleeping READ_PAUSE s after each: a slow
# client), then prints status, bytes, whether the digest matched, whether
# the answer was complete, and the framing headers, as JSON.
cat >"$TMP/fetch.py" <<'PYEOF'
import hashlib, http.client, json, sys, time
port, path, pause, version = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), sys.argv[4]
c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
if version == "1.0":
    c._http_vsn, c._http_vsn_str = 10, "HTTP/1.0"
headers = {"Connection": "keep-alive"} if version == "1.0" else {}
c.request("GET", path, headers=headers)
r = c.getresponse()
h, n, complete = hashlib.sha256(), 0, True
try:
    while True:
        b = r.read(1 << 20)
        if not b:
            break
        h.update(b)
        n += len(b)
        if pause:
            time.sleep(pause)
except (http.client.IncompleteRead, OSError):
    complete = False
# read(amt) ends quietly at a premature close: a short body is incomplete
if r.getheader("Content-Length") is not None and n != int(r.getheader("Content-Length")):
    complete = False
print(json.dumps({"status": r.status, "bytes": n, "digest_ok": h.hexdigest() == r.getheader("X-Body-Sha256"),
                  "complete": complete, "length": r.getheader("Content-Length"),
                  "te": r.getheader("Transfer-Encoding"), "version": r.version}))
PYEOF
fetch() { # PATH [READ_PAUSE] [HTTP-VERSION]
    timeout 120 "$PY" "$TMP/fetch.py" "$PORT" "$1" "${2:-0}" "${3:-1.1}" >"$TMP/fetch.json" 2>"$TMP/fetch.err"
}
log_of() { # REQUEST-PATH: the access-log line of the last request for it
    "$PY" - "$TMP/access.log" "$1" <<'PYEOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
match = [l for l in lines if l["path"] == sys.argv[2]]
print(json.dumps(match[-1] if match else {}))
PYEOF
}
MiB64=67108864

case_begin "a 64 MiB answer from a slow upstream arrives byte-exact; the gateway's peak memory stays far below it"
before=$(peak_kb)
fetch "/stream/$MiB64?delay=0.002"
py_check "$TMP/fetch.json" '
if d["status"] != 200 or d["bytes"] != 67108864 or not d["digest_ok"] or not d["complete"]: print(d)
if d["length"] != "67108864": print("Content-Length not passed on:", d["length"])'
after=$(peak_kb)
if [ "$MEASURE_PEAK" = 1 ]; then
    # a buffered relay would hold the 64 MiB at least once
    [ $((after - before)) -lt 16384 ] || fail "peak memory grew by $((after - before)) kB (before $before kB, after $after kB)"
fi
sleep 0.2
log_of "/stream/$MiB64?delay=0.002" >"$TMP/line.json"
py_check "$TMP/line.json" '
if d.get("status") != 200 or d.get("bytes") != 67108864 or "aborted" in d or "upstream_ms" not in d: print(d)'
case_end

case_begin "a slow client pauses the upstream instead of the gateway buffering for it"
before=$(peak_kb)
fetch "/stream/$MiB64" 0.02
py_check "$TMP/fetch.json" '
if d["bytes"] != 67108864 or not d["digest_ok"] or not d["complete"]: print(d)'
after=$(peak_kb)
if [ "$MEASURE_PEAK" = 1 ]; then
    [ $((after - before)) -lt 16384 ] || fail "peak memory grew by $((after - before)) kB (before $before kB, after $after kB)"
fi
case_end

case_begin "chunked and close-delimited answers reach HTTP/1.1 clients as chunks"
for framing in chunked close; do
    fetch "/stream/5000000?framing=$framing&block=100000&delay=0.001"
    py_check "$TMP/fetch.json" '
if d["bytes"] != 5000000 or not d["digest_ok"] or not d["complete"]: print(args[0], d)
if d["te"] != "chunked" or d["length"] is not None: print(args[0], "framing", d)' "$framing"
done
case_end

case_begin "an HTTP/1.0 keep-alive client gets an unknown length as a close-delimited body, not Content-Length: 0"
fetch "/stream/300000?framing=chunked" 0 1.0
py_check "$TMP/fetch.json" '
if d["version"] != 10 or d["bytes"] != 300000 or not d["digest_ok"] or d["length"] not in (None,): print(d)'
fetch "/stream/300000" 0 1.0
py_check "$TMP/fetch.json" '
if d["bytes"] != 300000 or not d["digest_ok"] or d["length"] != "300000": print("known length", d)'
case_end

case_begin "HEAD gets the upstream's Content-Length and no body"
STATUS=$(curl -s -I -o "$TMP/h" -w '%{http_code}' --max-time 10 "$BASE/stream/12345")
expect_eq "$STATUS" 200 "status"
expect_match "$TMP/h" "^Content-Length: 12345"
expect_not_contains "$TMP/h" "Transfer-Encoding"
case_end

case_begin "an upstream failing mid-body: the client connection is closed under a truncated body"
for framing in length chunked; do
    fetch "/stream/1000000?cut=300000&block=100000&framing=$framing"
    py_check "$TMP/fetch.json" '
if d["status"] != 200 or d["complete"] or d["bytes"] >= 1000000: print(args[0], "a truncated answer looked complete:", d)' "$framing"
    sleep 0.1
    log_of "/stream/1000000?cut=300000&block=100000&framing=$framing" >"$TMP/line.json"
    expect_eq "$(json_get "$TMP/line.json" 'd.get("aborted")')" "upstream_error" "access log ($framing)"
done
expect_contains "$TMP/guard.err" "failed in the middle of its answer"
STATUS=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$BASE/healthz")
expect_eq "$STATUS" 200 "still serving"
case_end

case_begin "the deadline firing mid-body closes the connection: no second answer"
timeout 30 curl -s -X POST -o "$TMP/body" -D "$TMP/h" --max-time 20 "$BASE/stream/$MiB64?delay=0.05"
rc=$?
[ "$rc" -ne 0 ] || fail "curl saw a complete answer after the deadline"
expect_match "$TMP/h" "^HTTP/1.1 200"
expect_not_contains "$TMP/h" "504"
if LC_ALL=C grep -aq "Gateway Timeout" "$TMP/body"; then fail "a 504 was written after the status line"; fi
sleep 0.1
log_of "/stream/$MiB64?delay=0.05" >"$TMP/line.json"
py_check "$TMP/line.json" '
if d.get("aborted") != "upstream_timeout" or d.get("status") != 200 or d.get("route") != "short": print(d)'
case_end

case_begin "a chunk larger than the gateway holds is not buffered: the connection is closed"
fetch "/stream/20000000?framing=chunked&block=10000000"
py_check "$TMP/fetch.json" 'if d["complete"] or d["bytes"] != 0: print(d)'
expect_contains "$TMP/guard.err" "sent a chunk larger than"
case_end

case_begin "an upstream's headers are bounded: over 64 KiB is a 502, under passes"
STATUS=$(curl -s -o "$TMP/b" -w '%{http_code}' --max-time 10 "$BASE/headers/100000")
expect_eq "$STATUS" 502 "100 kB of headers"
STATUS=$(curl -s -o "$TMP/b" -w '%{http_code}' --max-time 10 "$BASE/headers/30000")
expect_eq "$STATUS" 200 "30 kB of headers"
case_end

case_begin "a client leaving mid-stream cancels the upstream request; the gateway keeps serving"
: >"$TMP/upstream.events"
timeout 30 "$PY" - "$PORT" <<'PYEOF' >"$TMP/leave.out" 2>&1
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /stream/67108864?delay=0.01&leave=1 HTTP/1.1\r\nHost: a\r\n\r\n")
got = 0
while got < 1000000:
    got += len(s.recv(65536))
s.close()
PYEOF
for _ in $(seq 100); do [ -s "$TMP/upstream.events" ] && break; sleep 0.1; done
expect_contains "$TMP/upstream.events" "gone /stream/67108864"
log_of "/stream/$MiB64?delay=0.01&leave=1" >"$TMP/line.json"
expect_eq "$(json_get "$TMP/line.json" 'd.get("aborted")')" "client_closed" "access log"
STATUS=$(curl -s -o "$TMP/metrics" -w '%{http_code}' --max-time 10 "$BASE/metrics")
expect_eq "$STATUS" 200 "metrics"
expect_contains "$TMP/metrics" 'slsec_guard_streams_aborted_total{reason="client_closed"} 1'
expect_contains "$TMP/metrics" 'slsec_guard_streams_aborted_total{reason="upstream_timeout"} 1'
case_end

case_begin "keep-alive connections carry several streamed answers in turn"
curl -s --max-time 30 -o "$TMP/a" -o "$TMP/b" -o "$TMP/c" -w '%{http_code} %{num_connects}\n' \
    "$BASE/stream/2000000?block=50000" "$BASE/stream/1000000?framing=chunked" "$BASE/stream/3000000" >"$TMP/codes"
expect_eq "$(tr '\n' ' ' <"$TMP/codes")" "200 1 200 0 200 0 " "statuses and new connections"
expect_eq "$(stat -c %s "$TMP/a") $(stat -c %s "$TMP/b") $(stat -c %s "$TMP/c")" "2000000 1000000 3000000" "sizes"
case_end

case_begin "the gateway stops cleanly after streaming (exit 0, no sanitizer report)"
expect_clean_stop "$TMP/guard.err"
case_end
