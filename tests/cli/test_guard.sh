#!/usr/bin/env bash
#
# test_guard.sh — slsec guard end to end: the built binary as a gateway on
# 127.0.0.1 (a free port) in front of tests/cli/guard_upstream.py (an echo
# server, also on a free port), driven with curl. Covers --check and its
# errors, routing, JWT and API-key auth, rate limits (429 + Retry-After,
# shadow mode), body limits, JSON Schema, hop-by-hop and X-Forwarded-For
# handling, upstream down (502) and too slow (504), /healthz, /metrics,
# the masked access log, SIGHUP reload (a bad config is refused, a good
# one applied), and a clean stop on SIGTERM with no sanitizer report.
# Tokens are signed here with the fixture's HS256 test key.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/guard_lib.sh"

FIX=tests/fixtures/guard
G="$TMP/g"
mkdir -p "$G"
cp -r "$FIX"/. "$G"/

case_begin "guard --help documents the options"
expect_exit 0 "$SLSEC" guard --help
expect_contains "$OUT" "--config"
expect_contains "$OUT" "--check"
case_end

case_begin "guard without --config is a usage error"
expect_exit 2 "$SLSEC" guard
expect_contains "$ERR" "--config is required"
case_end

case_begin "guard --runtime-api without --lambda-proxy is a usage error"
expect_exit 2 "$SLSEC" guard --runtime-api 127.0.0.1:1 --config "$G/guard.yml"
expect_contains "$ERR" "only makes sense with --lambda-proxy"
case_end

case_begin "guard --check prints the effective policy"
expect_exit 0 "$SLSEC" guard --config "$G/guard.yml" --check
expect_contains "$OUT" 'name: "create-order"'
expect_contains "$OUT" "upstream_connect_timeout_ms: 1000"
expect_not_contains "$OUT" "47bd0e2f"
case_end

case_begin "guard --check --format json is the same policy as JSON"
expect_exit 0 "$SLSEC" guard --config "$G/guard.yml" --check --format json -o "$TMP/policy.json"
py_check "$TMP/policy.json" '
r = {x["name"]: x for x in d["routes"]}
if r["create-order"]["rate_limit"]["burst"] != 3: print("burst", r["create-order"]["rate_limit"])
if r["search"]["waf"] != "block": print("waf", r["search"])
if d["limits"]["max_body_bytes"] != 65536: print("limits", d["limits"])
if d["jwt"]["require_exp"] is not True: print("require_exp", d["jwt"])'
case_end

for bad in "$FIX"/bad/*.yml; do
    want=$(head -n 1 "$bad" | sed -n 's/^# expect: \([0-9]*:[0-9]*\) .*/\1/p')
    case_begin "guard --check refuses $(basename "$bad") at $want"
    expect_exit 2 "$SLSEC" guard --config "$bad" --check
    expect_contains "$ERR" "$(basename "$bad"):$want:"
    expect_empty "$OUT"
    case_end
done

case_begin "guard --hash-api-key prints the sha256 the config lists"
printf 'test-api-key-0123456789\n' >"$TMP/key.txt"
timeout 10 "$SLSEC" guard --hash-api-key <"$TMP/key.txt" >"$OUT" 2>"$ERR"
expect_eq "$?" 0 "exit code"
expect_contains "$OUT" "47bd0e2f856fe258ebba4d00930ab811d0c004dafae068c9d72511ca3512cca6"
case_end

# ---- the running gateway ---------------------------------------------------

if ! command -v curl >/dev/null 2>&1; then
    case_skip "guard end to end" "curl is not installed"
    exit 0
fi

start_upstream
# the first 127.0.0.1:9 is the app upstream; the second stays a closed port
sed -i "0,/127.0.0.1:9\$/s//127.0.0.1:$UP/" "$G/guard.yml"

start_guard() {
    rm -f "$TMP/guard.port"
    # not under timeout(1), which would take the signals meant for the
    # gateway; the EXIT trap stops it whatever happens
    "$SLSEC" guard --config "$G/guard.yml" --listen 127.0.0.1:0 --ready-file "$TMP/guard.port" \
        --access-log "$TMP/access.log" 2>"$TMP/guard.err" &
    GUARD_PID=$!
    for _ in $(seq 200); do [ -s "$TMP/guard.port" ] && break; sleep 0.05; done
    PORT=$(cat "$TMP/guard.port" 2>/dev/null)
    BASE="http://127.0.0.1:$PORT"
}
start_guard

# call [CURL ARGS...] URL-PATH: status in $STATUS, headers in $TMP/h, body in $TMP/b
call() {
    local path=${*: -1}
    STATUS=$(curl -s -o "$TMP/b" -D "$TMP/h" -w '%{http_code}' --max-time 10 "${@:1:$#-1}" "$BASE$path")
}

token() { # SUB EXP-OFFSET [ALG]
    "$PY" - "$1" "$2" "${3:-HS256}" <<'PYEOF'
import base64, hashlib, hmac, json, sys, time
sub, off, alg = sys.argv[1], int(sys.argv[2]), sys.argv[3]
b = lambda d: base64.urlsafe_b64encode(d).rstrip(b"=").decode()
h = b(json.dumps({"alg": alg, "kid": "test-hs", "typ": "JWT"}).encode())
p = b(json.dumps({"sub": sub, "iss": "https://issuer.test", "aud": "orders", "exp": int(time.time()) + off}).encode())
key = b"slsec-guard-test-hmac-key-0123456789abcdef"
sig = b(hmac.new(key, (h + "." + p).encode(), hashlib.sha256).digest()) if alg == "HS256" else ""
print(h + "." + p + "." + sig)
PYEOF
}

case_begin "the gateway starts and answers /healthz"
expect_nonempty "$TMP/guard.port"
call /healthz
expect_eq "$STATUS" 200 "status"
case_end

case_begin "an open route is relayed; hop-by-hop headers stop at the gateway"
call -H 'Connection: keep-alive, X-Drop' -H 'X-Drop: 1' -H 'X-Keep: 2' -H 'Proxy-Authorization: Basic eA==' /public/a?b=c
expect_eq "$STATUS" 200 "status"
py_check "$TMP/b" '
h = d["headers"]
if d["path"] != "/public/a?b=c": print("path", d["path"])
if "x-drop" in h or "proxy-authorization" in h: print("hop-by-hop header relayed", h)
if h.get("x-keep") != "2": print("end-to-end header lost", h)
if h.get("x-forwarded-for") != "127.0.0.1": print("x-forwarded-for", h.get("x-forwarded-for"))
if not h.get("x-request-id"): print("no request id")
if not h.get("host", "").endswith(":'"$UP"'"): print("host", h.get("host"))'
expect_not_contains "$TMP/h" "X-Secret-Hop"
expect_contains "$TMP/h" "X-Upstream: echo"
expect_match "$TMP/h" "^X-Request-Id: [0-9a-f]{24}"
case_end

case_begin "X-Forwarded-For and X-Request-Id from an untrusted client are replaced"
call -H 'X-Forwarded-For: 6.6.6.6' -H 'X-Request-Id: forged-id' /public/a
expect_eq "$STATUS" 200 "status"
py_check "$TMP/b" '
h = d["headers"]
if h.get("x-forwarded-for") != "127.0.0.1": print("x-forwarded-for", h.get("x-forwarded-for"))
if h.get("x-request-id") == "forged-id": print("client request id believed")'
case_end

case_begin "an absolute-form request target reaches the upstream in origin form"
timeout 10 "$PY" - "$PORT" >"$TMP/raw" 2>&1 <<'PYEOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET http://evil.example/public/abs?q=1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk: break
    data += chunk
print(data.decode(errors="replace"))
PYEOF
expect_contains "$TMP/raw" '"path": "/public/abs?q=1"'
expect_not_contains "$TMP/raw" "evil.example/public"
case_end

case_begin "no route is 404 with a JSON reason"
call /nowhere
expect_eq "$STATUS" 404 "status"
expect_eq "$(json_get "$TMP/b" 'd["error"]')" "no_route" "error"
case_end

case_begin "a JWT route refuses missing, expired and alg-none tokens"
call /orders/1
expect_eq "$STATUS" 401 "status without token"
expect_contains "$TMP/h" "WWW-Authenticate: Bearer"
call -H "Authorization: Bearer $(token u1 -3600)" /orders/1
expect_eq "$STATUS" 401 "status of an expired token"
expect_contains "$TMP/b" "expired"
call -H "Authorization: Bearer $(token u1 600 none)" /orders/1
expect_eq "$STATUS" 401 "status of alg none"
expect_contains "$TMP/b" "alg_none"
call -H "Authorization: Bearer $(token u1 600)" /orders/1
expect_eq "$STATUS" 200 "status of a good token"
case_end

case_begin "JSON Schema: valid body passes, invalid is 422 without echo, bad JSON 400, wrong type 415"
T=$(token schema-user 600)
call -X POST -H "Authorization: Bearer $T" -H 'Content-Type: application/json' --data '{"item":"ABC-1234","qty":2}' /orders
expect_eq "$STATUS" 200 "valid body"
expect_eq "$(json_get "$TMP/b" 'd["body_bytes"]')" "27" "body relayed"
T=$(token schema-user-2 600)
call -X POST -H "Authorization: Bearer $T" -H 'Content-Type: application/json' --data '{"item":"<script>alert(1)</script>","qty":2}' /orders
expect_eq "$STATUS" 422 "invalid body"
expect_contains "$TMP/b" "/item: pattern"
expect_not_contains "$TMP/b" "script"
T=$(token schema-user-3 600)
call -X POST -H "Authorization: Bearer $T" -H 'Content-Type: application/json' --data '{"item":"ABC-1234","qty":2,"qty":3}' /orders
expect_eq "$STATUS" 400 "duplicate keys"
T=$(token schema-user-4 600)
call -X POST -H "Authorization: Bearer $T" -H 'Content-Type: text/plain' --data 'hello' /orders
expect_eq "$STATUS" 415 "text body"
case_end

case_begin "rate limit per JWT subject: burst 3, then 429 with Retry-After"
T=$(token rl-user 600)
codes=""
for _ in 1 2 3 4; do
    call -X POST -H "Authorization: Bearer $T" -H 'Content-Type: application/json' --data '{"item":"ABC-1234","qty":1}' /orders
    codes="$codes $STATUS"
done
expect_eq "$codes" " 200 200 200 429" "statuses"
expect_match "$TMP/h" "^Retry-After: [0-9]+"
call -X POST -H "Authorization: Bearer $(token other-user 600)" -H 'Content-Type: application/json' --data '{"item":"ABC-1234","qty":1}' /orders
expect_eq "$STATUS" 200 "another subject has its own bucket"
case_end

case_begin "API-key route: missing or wrong key 401; a shadow rate limit never refuses"
call /reports/x
expect_eq "$STATUS" 401 "no key"
call -H 'x-api-key: test-api-key-01234567' /reports/x
expect_eq "$STATUS" 401 "wrong key"
codes=""
for _ in 1 2 3 4 5; do
    call -H 'x-api-key: test-api-key-0123456789' /reports/x
    codes="$codes $STATUS"
done
expect_eq "$codes" " 200 200 200 200 200" "statuses"
call /metrics
expect_match "$TMP/b" "^slsec_guard_shadow_rate_limited_total [1-9]"
case_end

case_begin "WAF (CRS): an injection is refused without echo; detect mode relays and logs"
call '/search?q=1%27%20OR%201%3D1--'
expect_eq "$STATUS" 403 "sql injection"
expect_eq "$(json_get "$TMP/b" 'd["error"]')" "waf" "error"
expect_contains "$TMP/b" "rule 949110"
expect_not_contains "$TMP/b" "OR 1=1"
call '/search?q=red%20shoes'
expect_eq "$STATUS" 200 "ordinary query"
call '/search-detect?q=%3Cscript%3Ealert(document.cookie)%3C/script%3E'
expect_eq "$STATUS" 200 "detect mode relays"
call /metrics
expect_match "$TMP/b" '^slsec_guard_denials_total\{reason="waf"\} [1-9]'
expect_match "$TMP/b" '^slsec_guard_waf_detected_total [1-9]'
case_end

case_begin "body and header limits"
call -X POST --data 'this body is longer than sixteen bytes' /small
expect_eq "$STATUS" 413 "body over the route limit"
call -X POST --data 'short' /small
expect_eq "$STATUS" 200 "body under the limit"
big=$(head -c 9000 /dev/zero | tr '\0' a)
call -H "X-Big: $big" /public/a
case "$STATUS" in 4*) ;; *) fail "oversized headers answered $STATUS" ;; esac
call /healthz
expect_eq "$STATUS" 200 "still serving"
case_end

case_begin "malformed HTTP is refused and the gateway keeps serving"
printf 'GARBAGE / HTTP/9.9\r\n\r\n' | timeout 5 "$PY" -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(sys.stdin.buffer.read()); s.settimeout(3)
try: print(s.recv(100).decode(errors="replace"))
except Exception as e: print("no answer", e)' "$PORT" >"$TMP/raw" 2>&1
expect_not_contains "$TMP/raw" "200 OK"
call /healthz
expect_eq "$STATUS" 200 "still serving"
case_end

case_begin "upstream down is a fast 502; slower than its timeout is 504"
call /down/x
expect_eq "$STATUS" 502 "closed port"
call /slow/3
expect_eq "$STATUS" 504 "slow upstream"
expect_eq "$(json_get "$TMP/b" 'd["error"]')" "upstream_timeout" "error"
sleep 0.2
# Which deadline fired, not how fast: the route's own 400 ms, not the
# pooled connection's 3000 ms (the longest route's), which would race the
# upstream's 3 s sleep.
py_check - '
import json
slow = [json.loads(l) for l in open("'"$TMP/access.log"'") if "/slow/" in l]
if not slow: print("no access-log line for /slow/3")
elif slow[-1]["latency_ms"] >= 2500: print("504 after", slow[-1]["latency_ms"], "ms: the route deadline (400 ms) did not fire")
'
case_end

case_begin "/metrics is Prometheus text with denials by reason"
call /metrics
expect_eq "$STATUS" 200 "status"
expect_match "$TMP/b" '^slsec_guard_denials_total\{reason="auth"\} [1-9]'
expect_match "$TMP/b" '^slsec_guard_denials_total\{reason="rate_limit"\} [1-9]'
expect_match "$TMP/b" '^slsec_guard_request_seconds_bucket\{le="\+Inf"\} [1-9]'
expect_contains "$TMP/b" 'slsec_guard_route_responses_total{route="create-order",class="2xx"}'
case_end

case_begin "the access log is JSON lines with personal data masked"
call '/public/contact?email=jane.doe@example.org'
expect_eq "$STATUS" 200 "status"
sleep 0.2
py_check - '
import json
lines = [json.loads(l) for l in open("'"$TMP/access.log"'")]
if len(lines) < 20: print("only", len(lines), "lines")
for l in lines:
    for k in ("time", "id", "client", "method", "path", "status", "latency_ms", "decision"):
        if k not in l: print("missing", k, l)
contact = [l for l in lines if l["path"].startswith("/public/contact")]
if not contact: print("no line for the contact request")
elif "jane.doe" in contact[0]["path"] or "example.org" in contact[0]["path"]: print("email not masked", contact[0]["path"])
if not any(l["decision"] == "rate_limit" and l["status"] == 429 for l in lines): print("no rate_limit line")
if not any(l.get("subject") == "rl-user" for l in lines): print("no subject")
if not any(l["decision"] == "waf_detect" and l.get("waf_rule") for l in lines): print("no waf_detect line")
if not any(l["decision"] == "waf" and l.get("waf_rule") == 949110 for l in lines): print("no waf block line")'
case_end

case_begin "SIGHUP with a bad config keeps the running one; a good one is applied"
cp "$G/guard.yml" "$G/good.yml"
printf 'routes: [\n' >"$G/guard.yml"
kill -HUP "$GUARD_PID"
sleep 0.5
expect_contains "$TMP/guard.err" "reload refused"
call /public/a
expect_eq "$STATUS" 200 "old config still serves"
cp "$G/good.yml" "$G/guard.yml"
printf '  - {name: added, path: /added, upstream: app, auth: none}\n' >>"$G/guard.yml"
kill -HUP "$GUARD_PID"
for _ in $(seq 40); do grep -q "reloaded" "$TMP/guard.err" && break; sleep 0.1; done
call /added
expect_eq "$STATUS" 200 "new route after reload"
call /metrics
expect_contains "$TMP/b" 'slsec_guard_reloads_total{result="rejected"} 1'
case_end

case_begin "SIGTERM stops the gateway cleanly (exit 0, no sanitizer report)"
expect_clean_stop "$TMP/guard.err"
case_end

# ---- Lambda Runtime API proxy mode --------------------------------------------

case_begin "--lambda-proxy without a Runtime API is a usage error"
env -u AWS_LAMBDA_RUNTIME_API timeout 20 "$SLSEC" guard --lambda-proxy --config "$G/lambda.yml" >"$OUT" 2>"$ERR"
expect_eq "$?" 2 "exit code"
expect_contains "$ERR" "AWS_LAMBDA_RUNTIME_API"
case_end

case_begin "guard --check accepts a Lambda policy without upstreams; the HTTP mode refuses it"
expect_exit 0 "$SLSEC" guard --config "$G/lambda.yml" --check
expect_contains "$OUT" "upstream: ~"
expect_exit 2 "$SLSEC" guard --config "$G/lambda.yml" --listen 127.0.0.1:0
expect_contains "$ERR" "this configuration is for --lambda-proxy"
case_end

# e2 carries a valid token, so its refusal is the schema's
"$PY" - "$G/lambda-events.json" "$(token lambda-user 600)" <<'PYEOF'
import json, sys
events = json.load(open(sys.argv[1]))
events[1]["event"]["headers"]["Authorization"] = "Bearer " + sys.argv[2]
json.dump(events, open(sys.argv[1], "w"))
PYEOF
"$PY" tests/cli/guard_lambda_mock.py "$G/lambda-events.json" "$TMP/api.port" "$TMP/api.record" 2>"$TMP/api.err" &
API_PID=$!
trap 'stop_all; kill $API_PID 2>/dev/null' EXIT
for _ in $(seq 100); do [ -s "$TMP/api.port" ] && break; sleep 0.1; done
rm -f "$TMP/guard.port"
"$SLSEC" guard --lambda-proxy --config "$G/lambda.yml" --runtime-api "127.0.0.1:$(cat "$TMP/api.port")" \
    --listen 127.0.0.1:0 --ready-file "$TMP/guard.port" --access-log "$TMP/lambda.log" 2>"$TMP/lambda.err" &
GUARD_PID=$!
for _ in $(seq 200); do [ -s "$TMP/guard.port" ] && break; sleep 0.05; done

case_begin "Lambda proxy: the runtime gets allowed events only; blocked ones get an invocation error"
timeout 60 "$PY" - "$(cat "$TMP/guard.port")" >"$TMP/runtime.out" 2>&1 <<'PYEOF'
import json, sys, urllib.request
base = "http://127.0.0.1:%s/2018-06-01/runtime/invocation/" % sys.argv[1]
for _ in range(5):
    with urllib.request.urlopen(base + "next", timeout=30) as r:
        rid = r.headers["Lambda-Runtime-Aws-Request-Id"]
        json.load(r)
    req = urllib.request.Request(base + rid + "/response", data=b'"done"', method="POST")
    urllib.request.urlopen(req, timeout=30).read()
    print(rid)
PYEOF
expect_eq "$(tr '\n' ' ' <"$TMP/runtime.out")" "e1 e3 e7 e8 e9 " "events the runtime saw"
py_check - '
import json
recs = [json.loads(l) for l in open("'"$TMP/api.record"'")]
got = {r["id"]: r for r in recs}
for rid in ("e1", "e3", "e7", "e8", "e9"):
    if got.get(rid, {}).get("kind") != "response": print("no response for", rid)
for rid in ("e2", "e4", "e5", "e6"):
    r = got.get(rid)
    if not r or r["kind"] != "error": print("no error for", rid); continue
    if r["error_type"] != "SlsecGuard.Blocked": print("error type", r)
    if "SECRET-PAYLOAD" in r["body"] or "UNION" in r["body"]: print("payload echoed", r)
why = {rid: json.loads(got[rid]["body"])["errorMessage"] for rid in ("e2", "e4", "e5", "e6") if rid in got}
if "schema" not in why.get("e2", ""): print("e2", why.get("e2"))
if "record 1" not in why.get("e4", ""): print("e4", why.get("e4"))
if "waf" not in why.get("e5", ""): print("e5", why.get("e5"))
if why.get("e6") != "no_route": print("e6", why.get("e6"))'
expect_contains "$TMP/lambda.log" '"event":"eventbridge","decision":"blocked"'
case_end

case_begin "Lambda proxy stops cleanly on SIGTERM"
expect_clean_stop "$TMP/lambda.err"
case_end

# ---- JWKS from a URL ------------------------------------------------------------

"$PY" -u -m http.server 0 --bind 127.0.0.1 --directory "$G" >"$TMP/files.out" 2>/dev/null &
FILES_PID=$!
trap 'stop_all; kill $API_PID $FILES_PID 2>/dev/null' EXIT
for _ in $(seq 100); do grep -q "port" "$TMP/files.out" 2>/dev/null && break; sleep 0.1; done
FP=$(sed -n 's/.* port \([0-9]*\) .*/\1/p' "$TMP/files.out" | head -n 1)
cat >"$G/url.yml" <<YML
jwt:
  jwks_url: http://127.0.0.1:$FP/jwks.json
  issuer: https://issuer.test
  audience: orders
upstreams:
  app: {url: "http://127.0.0.1:$UP"}
routes:
  - {name: orders, path: /orders/*, upstream: app, auth: jwt}
YML
sed "s#/jwks.json#/missing.json#" "$G/url.yml" >"$G/url-missing.yml"

case_begin "jwt.jwks_url: keys fetched at start; a JWKS that does not load is exit 2"
expect_exit 0 "$SLSEC" guard --config "$G/url.yml" --check
expect_contains "$OUT" "jwks_url: \"http://127.0.0.1:$FP/jwks.json\"  # 1 keys"
expect_exit 2 "$SLSEC" guard --config "$G/url-missing.yml" --check
expect_contains "$ERR" "url-missing.yml:2:13:"
expect_contains "$ERR" "HTTP 404"
case_end

case_begin "jwt.jwks_url: a token signed with the fetched key is accepted"
rm -f "$TMP/guard.port"
"$SLSEC" guard --config "$G/url.yml" --listen 127.0.0.1:0 --ready-file "$TMP/guard.port" 2>"$TMP/url.err" &
GUARD_PID=$!
for _ in $(seq 200); do [ -s "$TMP/guard.port" ] && break; sleep 0.05; done
BASE="http://127.0.0.1:$(cat "$TMP/guard.port")"
call -H "Authorization: Bearer $(token url-user 600)" /orders/1
expect_eq "$STATUS" 200 "status"
call /orders/1
expect_eq "$STATUS" 401 "without token"
expect_clean_stop "$TMP/url.err"
case_end

# ---- slow clients --------------------------------------------------------------

cat >"$G/slow.yml" <<YML
limits: {header_timeout_ms: 1000}
upstreams:
  app: {url: "http://127.0.0.1:$UP"}
routes:
  - {name: public, path: /public/**, upstream: app, auth: none}
YML

case_begin "a client trickling its headers is cut off at the request deadline; others are served"
rm -f "$TMP/guard.port"
"$SLSEC" guard --config "$G/slow.yml" --listen 127.0.0.1:0 --ready-file "$TMP/guard.port" 2>"$TMP/slow.err" &
GUARD_PID=$!
for _ in $(seq 200); do [ -s "$TMP/guard.port" ] && break; sleep 0.05; done
BASE="http://127.0.0.1:$(cat "$TMP/guard.port")"
# one byte every 0.2 s never trips an inactivity timer; the deadline (1 s) must
timeout 30 "$PY" - "$(cat "$TMP/guard.port")" >"$TMP/trickle" 2>&1 <<'PYEOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(0.2)
msg = b"GET /public/x HTTP/1.1\r\nHost: a\r\nX-Slow: " + b"a" * 200
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
call /public/after
expect_eq "$STATUS" 200 "an ordinary request"
call /metrics
expect_match "$TMP/b" '^slsec_guard_slow_clients_cut_total [1-9]'
expect_clean_stop "$TMP/slow.err"
case_end
