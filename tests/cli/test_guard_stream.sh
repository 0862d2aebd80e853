#!/usr/bin/env bash
#
# test_guard_stream.sh — slsec guard relays answers as they arrive, end to
# end on loopback: tests/cli/guard_upstream.py sends reproducible bodies
# (/stream/BYTES, with the digest in X-Body-Sha256) framed by length, as
# chunks or by closing, slowly or at once, or cut short. Covered: a 64 MiB
# answer arrives byte-exact while the gateway's peak memory (VmHWM) stays
# far below it, both from a slow upstream and toward a slow client (the
# upstream is paused, not buffered); lengths, chunks, HEAD and HTTP/1.0
# framing; the first half of an answer reaches the client while the
# upstream holds back the rest; no header is invented (Content-Type); a
# malformed Content-Length is a 502 before anything is sent; once
# streaming, upstream_timeout_ms bounds the upstream's silence, not the
# answer (a steady download and a client pausing longer than it are not
# cut; an upstream falling silent is); an upstream failing mid-body, the
# silence and an oversized chunk all close the client connection (never a
# second answer, never a complete-looking one); a client leaving
# mid-stream, or not reading for header_timeout_ms, cancels the upstream
# request; connections are reused after streams; an upstream's headers are
# bounded; a stop with requests still in flight (one streaming on a config
# replaced by SIGHUP, one waiting for its upstream) frees them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/guard_lib.sh"

if ! command -v curl >/dev/null 2>&1; then
    case_skip "guard streaming" "curl is not installed"
    exit 0
fi

start_upstream "$TMP/upstream.events"

# /brief/stream/* has a short upstream timeout (the upstream serves any
# path ending in /stream/N); header_timeout_ms is also libevent's write
# timeout toward a client that stops reading
cat >"$TMP/stream.yml" <<YML
limits: {upstream_timeout_ms: 60000, header_timeout_ms: 5000}
upstreams:
  app: {url: "http://127.0.0.1:$UP", pool: 2}
routes:
  - {name: brief, path: /brief/stream/*, upstream: app, auth: none, limits: {upstream_timeout_ms: 1500}}
  - {name: stream, path: /stream/*, upstream: app, auth: none}
  - {name: headers, path: /headers/*, upstream: app, auth: none}
  - {name: slow, path: /slow/*, upstream: app, auth: none}
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
MiB=1048576
# client OUT PATH [options]: tests/cli/guard_stream_client.py, a raw-socket
# client reading at the pace its options say (--pause-at, --stall, --go)
client() {
    local out=$1 path=$2
    shift 2
    timeout 60 "$PY" tests/cli/guard_stream_client.py "$PORT" "$path" "$@" >"$out" 2>"$out.err" ||
        { fail "the client failed: $path $*"; note_file "$out.err"; }
}

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

case_begin "the first half of an answer reaches the client while the upstream holds back the rest"
# the upstream waits for the file the client makes once it has 16 MiB: a
# gateway buffering the answer whole would deadlock until the client's timeout
client "$TMP/c1" "/stream/$MiB64?hold=$TMP/go-1" --go "$TMP/go-1" --after $((16 * MiB))
py_check "$TMP/c1" '
if d["status"] != 200 or d["body_bytes"] != 67108864 or not d["complete"]: print(d["status"], d["body_bytes"], d["complete"])
if d["sha256"] != d["headers"].get("x-body-sha256"): print("the body differs from what the upstream sent")'
case_end

case_begin "no header is invented: an answer without Content-Type is relayed without one"
STATUS=$(curl -s -o /dev/null -D "$TMP/h" -w '%{http_code}' --max-time 10 "$BASE/stream/1000?type=none")
expect_eq "$STATUS" 200 "status"
if grep -qi '^Content-Type' "$TMP/h"; then fail "a Content-Type was invented"; note_file "$TMP/h"; fi
curl -s -o /dev/null -D "$TMP/h" --max-time 10 "$BASE/stream/1000"
expect_match "$TMP/h" "^Content-Type: application/octet-stream"
case_end

case_begin "a malformed upstream Content-Length is a 502 before anything is sent"
for length in "1x0" "99999999999999999999" "10&length=11" "-1" "" "%2B10"; do
    STATUS=$(curl -s -o "$TMP/b" -D "$TMP/h" -w '%{http_code}' --max-time 10 "$BASE/stream/10?length=$length")
    expect_eq "$STATUS" 502 "Content-Length [$length]"
    expect_contains "$TMP/b" '"error":"upstream_error"'
    sleep 0.1
    log_of "/stream/10?length=$length" >"$TMP/line.json"
    py_check "$TMP/line.json" 'if d.get("status") != 502 or "aborted" in d: print(args[0], d)' "$length"
done
expect_contains "$TMP/guard.err" "sent an invalid Content-Length"
STATUS=$(curl -s -o "$TMP/b" -D "$TMP/h" -w '%{http_code}' --max-time 10 "$BASE/stream/10?length=10&length=10")
expect_eq "$STATUS" 200 "two equal copies"
expect_match "$TMP/h" "^Content-Length: 10"
case_end

case_begin "once streaming, upstream_timeout_ms (1.5 s) bounds silence, not the answer: a steady 4 s download is whole"
fetch "/brief/stream/2621440?delay=0.1"
py_check "$TMP/fetch.json" '
if d["status"] != 200 or d["bytes"] != 2621440 or not d["digest_ok"] or not d["complete"]: print(d)'
case_end

case_begin "a client not reading for 3 s (upstream_timeout_ms 1.5 s) while the upstream is paused gets its whole answer"
client "$TMP/c2" "/brief/stream/$((32 * MiB))" --pause-at $((8 * MiB)) --pause 3
py_check "$TMP/c2" '
if d["status"] != 200 or not d["complete"] or d["body_bytes"] != 32 << 20: print(d["status"], d["complete"], d["body_bytes"])
if d["sha256"] != d["headers"].get("x-body-sha256"): print("the body differs from what the upstream sent")'
case_end

case_begin "a client that stops reading is cut at header_timeout_ms (5 s); the upstream request ends"
: >"$TMP/upstream.events"
client "$TMP/c3" "/stream/$MiB64?stop=1" --stall 8
py_check "$TMP/c3" 'if not d["closed"]: print("still open", d["body_bytes"])'
for _ in $(seq 100); do grep -q "gone /stream/67108864" "$TMP/upstream.events" && break; sleep 0.1; done
expect_contains "$TMP/upstream.events" "gone /stream/67108864"
log_of "/stream/$MiB64?stop=1" >"$TMP/line.json"
expect_eq "$(json_get "$TMP/line.json" 'd.get("aborted")')" "client_closed" "access log"
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

case_begin "an upstream silent mid-body past upstream_timeout_ms closes the connection: no second answer"
for framing in length chunked; do
    timeout 30 curl -s -o "$TMP/body" -D "$TMP/h" --max-time 20 "$BASE/brief/stream/4194304?stall=4&framing=$framing"
    rc=$?
    [ "$rc" -ne 0 ] || fail "curl saw a complete answer after the upstream fell silent ($framing)"
    expect_match "$TMP/h" "^HTTP/1.1 200"
    expect_not_contains "$TMP/h" "504"
    if LC_ALL=C grep -aq "Gateway Timeout" "$TMP/body"; then fail "a 504 was written after the status line"; fi
    sleep 0.1
    log_of "/brief/stream/4194304?stall=4&framing=$framing" >"$TMP/line.json"
    py_check "$TMP/line.json" '
if d.get("aborted") != "upstream_timeout" or d.get("status") != 200 or d.get("route") != "brief": print(d)'
done
expect_contains "$TMP/guard.err" "sent nothing for 1500 ms in the middle of its answer"
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
# the line for this stream: an upstream stalled by an earlier case notes its own late
for _ in $(seq 100); do grep -q "gone /stream/67108864" "$TMP/upstream.events" && break; sleep 0.1; done
expect_contains "$TMP/upstream.events" "gone /stream/67108864"
log_of "/stream/$MiB64?delay=0.01&leave=1" >"$TMP/line.json"
expect_eq "$(json_get "$TMP/line.json" 'd.get("aborted")')" "client_closed" "access log"
STATUS=$(curl -s -o "$TMP/metrics" -w '%{http_code}' --max-time 10 "$BASE/metrics")
expect_eq "$STATUS" 200 "metrics"
expect_contains "$TMP/metrics" 'slsec_guard_streams_aborted_total{reason="client_closed"} 2'
expect_contains "$TMP/metrics" 'slsec_guard_streams_aborted_total{reason="upstream_timeout"} 2'
case_end

case_begin "keep-alive connections carry several streamed answers in turn"
curl -s --max-time 30 -o "$TMP/a" -o "$TMP/b" -o "$TMP/c" -w '%{http_code} %{num_connects}\n' \
    "$BASE/stream/2000000?block=50000" "$BASE/stream/1000000?framing=chunked" "$BASE/stream/3000000" >"$TMP/codes"
expect_eq "$(tr '\n' ' ' <"$TMP/codes")" "200 1 200 0 200 0 " "statuses and new connections"
expect_eq "$(stat -c %s "$TMP/a") $(stat -c %s "$TMP/b") $(stat -c %s "$TMP/c")" "2000000 1000000 3000000" "sizes"
case_end

case_begin "stopping with requests in flight on a replaced config frees them (exit 0, no sanitizer report)"
# the grace is the longest upstream_timeout_ms (60 s) plus a second: the
# second signal ends it now, with a stream and a request waiting for its
# upstream (/slow/30) still in flight, both holding the config SIGHUP replaced
client "$TMP/c4" "/stream/$MiB64?delay=0.05" &
client_pid=$!
curl -s -o /dev/null --max-time 20 "$BASE/slow/30" &
curl_pid=$!
sleep 1
kill -HUP "$GUARD_PID"
for _ in $(seq 50); do grep -q "reloaded" "$TMP/guard.err" && break; sleep 0.1; done
expect_contains "$TMP/guard.err" "reloaded"
kill -TERM "$GUARD_PID"
sleep 0.5
expect_clean_stop "$TMP/guard.err"
wait "$client_pid"
wait "$curl_pid"
py_check "$TMP/c4" 'if d["status"] != 200 or d["complete"] or not d["closed"]: print("not cut", d["status"], d["complete"], d["closed"])'
case_end
