#!/usr/bin/env bash
#
# test_guard_extension.sh — slsec guard as an external Lambda extension,
# deployed as a layer would deploy it: tools/guard/slsec-guard-extension.sh
# (copied as extensions/slsec-guard) starts the guard, which registers with
# the Extensions API of a mock Runtime API (tests/cli/guard_lambda_mock.py)
# for SHUTDOWN; tools/guard/lambda-wrapper.sh starts a stand-in runtime
# pointed at the guard; the runtime sees the allowed events only; the guard
# exits 0 at SHUTDOWN, and an Extensions API that cannot be reached is a
# failed start (exit 3), never a guard that runs unregistered.
. "$(dirname "$0")/lib.sh"

G="$TMP/g"
mkdir -p "$G/extensions"
cp -r tests/fixtures/guard/schemas "$G"/
cp tools/guard/slsec-guard-extension.sh "$G/extensions/slsec-guard"
chmod +x "$G/extensions/slsec-guard"
cat >"$G/guard.yml" <<'YML'
lambda:
  sqs: {schema: schemas/message.json}
routes:
  - {name: public, method: GET, path: /public/**, auth: none}
YML
cat >"$G/events.json" <<'JSON'
[
 {"id": "x1", "event": {"version": "2.0", "rawPath": "/public/a", "rawQueryString": "",
   "requestContext": {"http": {"method": "GET", "path": "/public/a", "sourceIp": "198.51.100.7"}}}},
 {"id": "x2", "event": {"version": "2.0", "rawPath": "/admin", "rawQueryString": "",
   "requestContext": {"http": {"method": "GET", "path": "/admin", "sourceIp": "198.51.100.7"}}}},
 {"id": "x3", "event": {"Records": [{"messageId": "m1", "eventSource": "aws:sqs", "body": "{\"orderId\":\"o-1\"}"}]}}
]
JSON

case_begin "--extension without --lambda-proxy is a usage error"
expect_exit 2 "$SLSEC" guard --extension slsec-guard --config "$G/guard.yml"
expect_contains "$ERR" "only makes sense with --lambda-proxy"
case_end

case_begin "an Extensions API that cannot be reached fails the start (exit 3)"
# a port nothing listens on: bind one, note it, close it
closed=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
expect_exit 3 "$SLSEC" guard --lambda-proxy --extension slsec-guard --config "$G/guard.yml" \
    --runtime-api "127.0.0.1:$closed" --listen 127.0.0.1:0
expect_contains "$ERR" "extension registration failed"
case_end

"$PY" tests/cli/guard_lambda_mock.py "$G/events.json" "$TMP/api.port" "$TMP/api.record" 2>"$TMP/api.err" &
API_PID=$!
EXT_PID=""
trap 'kill $API_PID $EXT_PID 2>/dev/null; cleanup_tmp' EXIT
for _ in $(seq 100); do [ -s "$TMP/api.port" ] && break; sleep 0.1; done
API="127.0.0.1:$(cat "$TMP/api.port")"

# as Lambda does: the extension first, with the real Runtime API in its environment
AWS_LAMBDA_RUNTIME_API=$API SLSEC_BIN=$SLSEC SLSEC_GUARD_CONFIG="$G/guard.yml" SLSEC_GUARD_PORT=0 \
    SLSEC_GUARD_READY="$TMP/guard.port" "$G/extensions/slsec-guard" >"$TMP/ext.out" 2>"$TMP/ext.err" &
EXT_PID=$!

case_begin "the extension registers for SHUTDOWN under its file name, then waits for the event"
for _ in $(seq 200); do grep -q '"kind": "next"' "$TMP/api.record" 2>/dev/null && break; sleep 0.05; done
py_check - '
import json
recs = [json.loads(l) for l in open("'"$TMP/api.record"'")]
reg = [r for r in recs if r["kind"] == "register"]
if len(reg) != 1: print("registrations:", reg)
elif reg[0]["name"] != "slsec-guard": print("name", reg[0]["name"])
elif json.loads(reg[0]["body"]) != {"events": ["SHUTDOWN"]}: print("body", reg[0]["body"])
if not any(r["kind"] == "next" for r in recs): print("no event/next after registering")'
expect_contains "$TMP/ext.err" "registered as the Lambda extension slsec-guard"
case_end

case_begin "the wrapper points the runtime at the extension; blocked events never reach it"
AWS_LAMBDA_RUNTIME_API=$API SLSEC_GUARD_EXTENSION="$G/extensions/slsec-guard" SLSEC_GUARD_READY="$TMP/guard.port" \
    timeout 60 tools/guard/lambda-wrapper.sh "$PY" - "$API" >"$TMP/runtime.out" 2>&1 <<'PYEOF'
import os, sys, urllib.request
api = os.environ["AWS_LAMBDA_RUNTIME_API"]
if api == sys.argv[1]:
    sys.exit("the runtime was left on the real Runtime API")
base = "http://%s/2018-06-01/runtime/invocation/" % api
for _ in range(2):
    with urllib.request.urlopen(base + "next", timeout=30) as r:
        rid = r.headers["Lambda-Runtime-Aws-Request-Id"]
    urllib.request.urlopen(urllib.request.Request(base + rid + "/response", data=b'"ok"', method="POST"),
                           timeout=30).read()
    print(rid)
PYEOF
expect_eq "$(tr '\n' ' ' <"$TMP/runtime.out")" "x1 x3 " "events the runtime saw"
py_check - '
import json
recs = [json.loads(l) for l in open("'"$TMP/api.record"'")]
got = {r["id"]: r["kind"] for r in recs if r["id"] != "ext"}
if got != {"x1": "response", "x2": "error", "x3": "response"}: print("recorded", got)'
case_end

case_begin "SHUTDOWN stops the extension cleanly (exit 0, no sanitizer report)"
curl -s -X POST "http://$API/test/shutdown" >/dev/null 2>&1 ||
    "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(urllib.request.Request("http://%s/test/shutdown" % sys.argv[1], data=b"", method="POST"), timeout=10).read()' "$API"
rc=124
for _ in $(seq 200); do
    if ! kill -0 "$EXT_PID" 2>/dev/null; then wait "$EXT_PID"; rc=$?; break; fi
    sleep 0.05
done
EXT_PID=""
expect_eq "$rc" 0 "exit code"
expect_contains "$TMP/ext.err" "SHUTDOWN (spindown)"
if grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$TMP/ext.err"; then
    fail "sanitizer report"
    note_file "$TMP/ext.err" 40
fi
case_end
