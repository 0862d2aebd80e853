#!/usr/bin/env bash
#
# test_guard_limits.sh — slsec guard's limits and parameters end to end,
# on loopback only: the upstream connect timeout (an upstream whose accept
# queue is full, tests/cli/guard_blackhole.py, never completes a connect),
# the minimum transfer rate (a brisk large body gets past header_timeout_ms,
# a trickle is cut), per-route header limits (431), query-string and path
# parameter schemas, and the Forwarded header (trusted only from
# trusted_proxies, switched by a SIGHUP reload).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/guard_lib.sh"

if ! command -v curl >/dev/null 2>&1; then
    case_skip "guard limits end to end" "curl is not installed"
    exit 0
fi

G="$TMP/g"
mkdir -p "$G"
cp -r tests/fixtures/guard/. "$G"/

"$PY" tests/cli/guard_upstream.py "$TMP/upstream.port" 2>"$TMP/upstream.err" &
UP_PID=$!
"$PY" tests/cli/guard_blackhole.py "$TMP/hole.port" 2>"$TMP/hole.err" &
HOLE_PID=$!
GUARD_PID=""
stop_all() {
    [ -n "$GUARD_PID" ] && kill "$GUARD_PID" 2>/dev/null
    kill "$UP_PID" "$HOLE_PID" 2>/dev/null
    cleanup_tmp
}
trap stop_all EXIT
for _ in $(seq 100); do [ -s "$TMP/upstream.port" ] && [ -s "$TMP/hole.port" ] && break; sleep 0.1; done
UP=$(cat "$TMP/upstream.port")
HOLE=$(cat "$TMP/hole.port")
[ "$HOLE" = unusable ] && HOLE=9 # the connect timeout case is skipped below

write_config() { # TRUSTED-PROXIES
    cat >"$G/limits.yml" <<YML
trusted_proxies: [$1]
limits:
  header_timeout_ms: 1000
  min_bytes_per_second: 4096
  upstream_connect_timeout_ms: 300
  upstream_timeout_ms: 5000
upstreams:
  app: {url: "http://127.0.0.1:$UP"}
  hole: {url: "http://127.0.0.1:$HOLE", pool: 1}
routes:
  - {name: hole, path: /hole/**, upstream: hole, auth: none}
  - {name: tight, path: /tight/**, upstream: app, auth: none, limits: {max_header_bytes: 1024}}
  - {name: search, method: GET, path: /search, upstream: app, auth: none, query_schema: schemas/search-query.json}
  - {name: order, method: GET, path: "/customers/{customer}/orders/{id}", upstream: app, auth: none,
     path_schema: schemas/order-path.json}
  - {name: upload, method: POST, path: /upload, upstream: app, auth: none}
  - {name: public, path: /public/**, upstream: app, auth: none}
YML
}
write_config "10.0.0.0/8"

case_begin "guard --check shows the rate, the parameter schemas and {named} paths"
expect_exit 0 "$SLSEC" guard --config "$G/limits.yml" --check
expect_contains "$OUT" "min_bytes_per_second: 4096"
expect_match "$OUT" '^    query_schema: ".*/schemas/search-query.json"$'
expect_match "$OUT" '^    path_schema: ".*/schemas/order-path.json"$'
expect_contains "$OUT" 'path: "/customers/{customer}/orders/{id}"'
case_end

rm -f "$TMP/guard.port"
"$SLSEC" guard --config "$G/limits.yml" --listen 127.0.0.1:0 --ready-file "$TMP/guard.port" \
    --access-log "$TMP/access.log" 2>"$TMP/guard.err" &
GUARD_PID=$!
for _ in $(seq 200); do [ -s "$TMP/guard.port" ] && break; sleep 0.05; done
PORT=$(cat "$TMP/guard.port" 2>/dev/null)
BASE="http://127.0.0.1:$PORT"

call() {
    local path=${*: -1}
    STATUS=$(curl -s -o "$TMP/b" -D "$TMP/h" -w '%{http_code}' --max-time 10 "${@:1:$#-1}" "$BASE$path")
}

# ---- upstream connect timeout ---------------------------------------------------

if [ "$(cat "$TMP/hole.port")" = unusable ]; then
    case_skip "an upstream that never accepts is 504 upstream_connect_timeout" \
        "the kernel accepted every connect (no full accept queue to test against)"
else
    case_begin "an upstream that never accepts is 504 upstream_connect_timeout, not a 5 s upstream_timeout"
    # two at once on a pool of one: the second waits behind the first's connect
    curl -s -o "$TMP/b1" -w '%{http_code}' --max-time 10 "$BASE/hole/1" >"$TMP/s1" &
    c1=$!
    call /hole/2
    wait "$c1"
    expect_eq "$STATUS" 504 "status"
    expect_eq "$(cat "$TMP/s1")" 504 "status of the concurrent request"
    expect_eq "$(json_get "$TMP/b" 'd["error"]')" "upstream_connect_timeout" "error"
    expect_eq "$(json_get "$TMP/b1" 'd["error"]')" "upstream_connect_timeout" "error of the concurrent request"
    call /public/after
    expect_eq "$STATUS" 200 "other upstreams are unaffected"
    call /metrics
    expect_match "$TMP/b" '^slsec_guard_denials_total\{reason="upstream_connect_timeout"\} 2$'
    expect_match "$TMP/b" '^slsec_guard_denials_total\{reason="upstream_timeout"\} 0$'
    case_end
fi

# ---- minimum transfer rate --------------------------------------------------------

case_begin "a large body sent briskly outlasts header_timeout_ms; a trickle is cut"
# 24 KiB at about 8 KiB/s takes 3 s: three times the 1 s grace, yet above
# the 4096 B/s minimum, so every byte earns more time than it takes
timeout 30 "$PY" - "$PORT" >"$TMP/brisk" 2>&1 <<'PYEOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
body = b"x" * 24576
s.sendall(b"POST /upload HTTP/1.1\r\nHost: a\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(body))
start = time.time()
try:
    for i in range(0, len(body), 2048):
        time.sleep(0.25)
        s.sendall(body[i:i + 2048])
    data = b""
    s.settimeout(10)
    while True:
        chunk = s.recv(65536)
        if not chunk: break
        data += chunk
    print("took %.1f s" % (time.time() - start))
    print(data.decode(errors="replace"))
except OSError as e:
    print("cut after %.1f s: %s" % (time.time() - start, e))
PYEOF
expect_contains "$TMP/brisk" "HTTP/1.1 200"
expect_contains "$TMP/brisk" '"body_bytes": 24576'
# one byte every 0.2 s (5 B/s) never trips an inactivity timer; the rate must
timeout 30 "$PY" - "$PORT" >"$TMP/trickle" 2>&1 <<'PYEOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(0.2)
msg = b"POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n" + b"y" * 100
for i in range(len(msg)):
    try:
        s.send(msg[i:i + 1])
        if s.recv(100) == b"":
            print("closed by the gateway"); break
    except socket.timeout:
        pass
    except OSError:
        print("closed by the gateway"); break
else:
    print("still open after %d bytes" % len(msg))
PYEOF
expect_contains "$TMP/trickle" "closed by the gateway"
call /metrics
expect_match "$TMP/b" '^slsec_guard_slow_clients_cut_total [1-9]'
case_end

# ---- per-route header limit ----------------------------------------------------------

case_begin "a header block over the route's max_header_bytes is 431 header_size; other routes take it"
big=$(head -c 2000 /dev/zero | tr '\0' a)
call -H "X-Big: $big" /tight/x
expect_eq "$STATUS" 431 "status"
expect_eq "$(json_get "$TMP/b" 'd["error"]')" "header_size" "error"
expect_not_contains "$TMP/b" "aaaa"
call -H "X-Big: $big" /public/x
expect_eq "$STATUS" 200 "a route with the default limit"
call -H "X-Small: 1" /tight/x
expect_eq "$STATUS" 200 "a small header block"
case_end

# ---- query and path schemas --------------------------------------------------------

case_begin "query_schema: typed parameters pass; failures are 400 query_schema without echo"
call '/search?q=red+shoes&limit=10&exact=true&tag=red&tag=blue'
expect_eq "$STATUS" 200 "valid query"
expect_eq "$(json_get "$TMP/b" 'd["path"]')" "/search?q=red+shoes&limit=10&exact=true&tag=red&tag=blue" "relayed as sent"
call '/search?q=shoes&limit=1000'
expect_eq "$STATUS" 400 "limit over its maximum"
expect_eq "$(json_get "$TMP/b" 'd["error"]')" "query_schema" "error"
expect_eq "$(json_get "$TMP/b" 'd["detail"]')" "query: /limit: maximum" "detail"
call '/search?q=shoes&limit=SECRETVALUE'
expect_eq "$STATUS" 400 "limit not a number"
expect_not_contains "$TMP/b" "SECRETVALUE"
call '/search?limit=5'
expect_eq "$STATUS" 400 "q missing"
expect_contains "$TMP/b" "required"
call '/search?q=%zz'
expect_eq "$STATUS" 400 "bad percent-encoding"
expect_eq "$(json_get "$TMP/b" 'd["error"]')" "invalid_query" "error"
case_end

case_begin "path_schema: {named} segments are validated; failures are 400 path_schema"
call /customers/acme-1/orders/42
expect_eq "$STATUS" 200 "valid path"
call /customers/acme-1/orders/0
expect_eq "$STATUS" 400 "id below its minimum"
expect_eq "$(json_get "$TMP/b" 'd["error"]')" "path_schema" "error"
expect_eq "$(json_get "$TMP/b" 'd["detail"]')" "path: /id: minimum" "detail"
call '/customers/%3Cscript%3E/orders/1'
expect_eq "$STATUS" 400 "customer fails its pattern"
expect_not_contains "$TMP/b" "script"
call '/customers/%ff/orders/1'
expect_eq "$(json_get "$TMP/b" 'd["error"]')" "invalid_path" "not UTF-8"
call /metrics
expect_match "$TMP/b" '^slsec_guard_denials_total\{reason="path_schema"\} [1-9]'
expect_match "$TMP/b" '^slsec_guard_denials_total\{reason="query_schema"\} [1-9]'
case_end

# ---- Forwarded ----------------------------------------------------------------------

case_begin "Forwarded (RFC 7239): ours toward the upstream; a client's own is dropped"
call -H 'Forwarded: for=6.6.6.6;proto=https' -H 'Host: shop.example:8443' /public/f
expect_eq "$STATUS" 200 "status"
expect_eq "$(json_get "$TMP/b" 'd["headers"]["forwarded"]')" 'for=127.0.0.1;host="shop.example:8443";proto=http' "forwarded"
case_end

case_begin "Forwarded from a trusted proxy (after a SIGHUP reload) keeps the received elements"
write_config '"127.0.0.1"'
kill -HUP "$GUARD_PID"
for _ in $(seq 40); do grep -q "reloaded" "$TMP/guard.err" && break; sleep 0.1; done
call -H 'Forwarded: for=192.0.2.60;proto=https' -H 'Forwarded: for="[2001:db8::1]"' -H 'Host: shop' /public/f
expect_eq "$STATUS" 200 "status"
expect_eq "$(json_get "$TMP/b" 'd["headers"]["forwarded"]')" \
    'for=192.0.2.60;proto=https, for="[2001:db8::1]", for=127.0.0.1;host=shop;proto=http' "forwarded"
case_end

case_begin "the gateway stops cleanly (exit 0, no sanitizer report)"
expect_clean_stop "$TMP/guard.err"
case_end
