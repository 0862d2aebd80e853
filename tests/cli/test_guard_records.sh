#!/usr/bin/env bash
#
# test_guard_records.sh — slsec guard on trigger records and rotating keys,
# end to end with the built binary:
#   - the Lambda proxy (--lambda-proxy) against the mock Runtime API
#     (tests/cli/guard_lambda_mock.py) and a runtime played here: SQS
#     partial batch responses (mixed batches, all refused, FIFO groups, the
#     handler's own failures, null and garbage answers, handler errors), S3
#     object keys under the WAF, SNS message attributes under the WAF,
#     jwks_url keys refreshed after an unknown kid, and Kinesis and DynamoDB
#     Streams partial batches (base64 data, unmarshalled items, sequence
#     numbers, the rest of a batch held back behind a refused record);
#   - the HTTP gateway with jwks_url keys from tests/cli/guard_jwks_server.py:
#     an unknown kid is refused at once and fetched in the background, at
#     most once a minute; a hanging key server holds no request up; a
#     failing one keeps the old keys and is counted in /metrics; a SIGHUP
#     reload fetches the new config's keys off the event loop (requests
#     are answered while the key server hangs) and installs the config
#     only once they are in, or refuses it when they cannot be had.
. "$(dirname "$0")/lib.sh"

if ! command -v curl >/dev/null 2>&1; then
    case_skip "guard records and key rotation" "curl is not installed"
    exit 0
fi

FIX=tests/fixtures/guard
G="$TMP/g"
mkdir -p "$G" "$TMP/jwks"
cp -r "$FIX"/. "$G"/

PIDS=""
GUARD_PID=""
stop_all() {
    [ -n "$GUARD_PID" ] && kill "$GUARD_PID" 2>/dev/null
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    cleanup_tmp
}
trap stop_all EXIT

wait_file() { # FILE: up to 30 s for it to be non-empty (the ASan build loads the WAF slowly)
    for _ in $(seq 600); do [ -s "$1" ] && return 0; sleep 0.05; done
    return 1
}
wait_grep() { # PATTERN FILE: up to 10 s for a line
    for _ in $(seq 200); do grep -q "$1" "$2" 2>/dev/null && return 0; sleep 0.05; done
    return 1
}
no_sanitizer_report() { # FILE
    if grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$1"; then
        fail "sanitizer report"
        note_file "$1" 40
    fi
}

# Keys: test-hs is the fixture's (tests/fixtures/guard/README.md); k2 and k3
# are the issuer's next ones, published during the test.
jwks() { # KID... : writes the key server's JWKS
    "$PY" - "$TMP/jwks/jwks.json" "$@" <<'PYEOF'
import base64, json, os, sys
from_kid = {"test-hs": b"slsec-guard-test-hmac-key-0123456789abcdef",
            "k2": b"slsec-guard-test-rotated-key-2-0123456789",
            "k3": b"slsec-guard-test-rotated-key-3-0123456789"}
keys = [{"kty": "oct", "kid": k, "alg": "HS256",
         "k": base64.urlsafe_b64encode(from_kid[k]).rstrip(b"=").decode()} for k in sys.argv[2:]]
json.dump({"keys": keys}, open(sys.argv[1] + ".tmp", "w"))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
PYEOF
}
token() { # KID SUB
    "$PY" - "$1" "$2" <<'PYEOF'
import base64, hashlib, hmac, json, sys, time
kid, sub = sys.argv[1], sys.argv[2]
secret = {"test-hs": b"slsec-guard-test-hmac-key-0123456789abcdef",
          "k2": b"slsec-guard-test-rotated-key-2-0123456789",
          "k3": b"slsec-guard-test-rotated-key-3-0123456789"}[kid]
b = lambda d: base64.urlsafe_b64encode(d).rstrip(b"=").decode()
h = b(json.dumps({"alg": "HS256", "kid": kid, "typ": "JWT"}).encode())
p = b(json.dumps({"sub": sub, "iss": "https://issuer.test", "aud": "orders", "exp": int(time.time()) + 600}).encode())
print(h + "." + p + "." + b(hmac.new(secret, (h + "." + p).encode(), hashlib.sha256).digest()))
PYEOF
}
fetches() { wc -l <"$TMP/jwks/hits" 2>/dev/null || echo 0; }

jwks test-hs
"$PY" tests/cli/guard_jwks_server.py "$TMP/jwks" "$TMP/jwks.port" 2>"$TMP/jwks.err" &
PIDS="$PIDS $!"
wait_file "$TMP/jwks.port"
JWKS_URL="http://127.0.0.1:$(cat "$TMP/jwks.port")/jwks.json"

# ---- the Lambda proxy: records ------------------------------------------------------

cat >"$G/records.yml" <<YML
jwt:
  jwks_url: $JWKS_URL
  issuer: https://issuer.test
  audience: orders
lambda:
  sqs: {schema: schemas/message.json, partial_batch: true}
  sns: {waf: block}
  s3: {waf: block}
  eventbridge: {waf: block}
routes:
  - {name: public, method: GET, path: /public/**, auth: none}
  - {name: orders, method: GET, path: /orders, auth: jwt}
YML

# The events, in the order the mock hands them out. b12 waits for the
# test's go (the guard has refetched the keys after b11's unknown kid).
"$PY" - "$TMP/events.json" "$(token k2 rotated-user)" "$TMP/go-b12" <<'PYEOF'
import json, sys
out, tok, go = sys.argv[1:4]
good = lambda i: json.dumps({"orderId": "o-%d" % i})
bad = json.dumps({"orderId": "DROP TABLE orders"})
def sqs(mid, body, group=None):
    r = {"messageId": mid, "receiptHandle": "rh-" + mid, "body": body, "eventSource": "aws:sqs",
         "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:orders" + (".fifo" if group else ""),
         "awsRegion": "eu-west-1", "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {}}
    if group:
        r["attributes"]["MessageGroupId"] = group
    return r
def s3(key):
    return {"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                         "s3": {"bucket": {"name": "uploads"}, "object": {"key": key, "size": 10}}}]}
def sns(note):
    return {"Records": [{"EventSource": "aws:sns", "Sns": {"Message": "order shipped",
                         "MessageAttributes": {"note": {"Type": "String", "Value": note}}}}]}
def http(tok):
    return {"version": "2.0", "rawPath": "/orders", "rawQueryString": "", "headers": {"authorization": "Bearer " + tok},
            "requestContext": {"http": {"method": "GET", "path": "/orders", "sourceIp": "198.51.100.7"}}}
events = [
    ("b1", {"Records": [sqs("m1", good(1)), sqs("m2", bad), sqs("m3", good(3))]}),
    ("b2", {"Records": [sqs("m4", bad), sqs("m5", "not json")]}),
    ("b3", {"Records": [sqs("m6", good(6)), sqs("m7", bad)]}),
    ("b4", {"Records": [sqs("f1", bad, "A"), sqs("f2", good(2), "B"), sqs("f3", good(3), "A")]}),
    ("b5", {"Records": [sqs("m8", good(8)), sqs("m9", bad)]}),
    ("b6", {"Records": [sqs("m10", good(10)), sqs("m11", good(11))]}),
    ("b7", s3("uploads/..%2F..%2F..%2Fetc%2Fpasswd")),
    ("b8", s3("uploads/cat+photo.jpg")),
    ("b9", sns("fragile, handle with care")),
    ("b10", sns("<script>alert(document.cookie)</script>")),
    ("b13", {"version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "detail-type": "OrderPlaced",
             "source": "shop.orders", "account": "111122223333", "time": "2017-12-22T18:43:48Z",
             "region": "eu-west-1", "resources": ["arn:aws:events:eu-west-1:111122223333:rule/orders"],
             "detail": {"orderId": "o-1", "note": "leave at the door", "items": [{"sku": "A-1", "qty": 2}]}}),
    ("b11", http(tok)),
    ("b12", http(tok)),
]
items = [{"id": i, "event": e} for i, e in events]
items[-1]["wait_for"] = go
json.dump(items, open(out, "w"))
PYEOF

"$PY" tests/cli/guard_lambda_mock.py "$TMP/events.json" "$TMP/api.port" "$TMP/api.record" 2>"$TMP/api.err" &
PIDS="$PIDS $!"
wait_file "$TMP/api.port"

case_begin "guard --check shows the lambda section with partial_batch"
expect_exit 0 "$SLSEC" guard --config "$G/records.yml" --check
expect_contains "$OUT" "partial_batch: true"
expect_contains "$OUT" "  s3:"
case_end

"$SLSEC" guard --lambda-proxy --config "$G/records.yml" --runtime-api "127.0.0.1:$(cat "$TMP/api.port")" \
    --listen 127.0.0.1:0 --ready-file "$TMP/guard.port" --access-log "$TMP/lambda.log" 2>"$TMP/lambda.err" &
GUARD_PID=$!
wait_file "$TMP/guard.port"
jwks test-hs k2 # the issuer publishes k2 after the guard started

# The runtime: takes events from the guard, notes the messageIds it was
# given, and answers each as the handler named in `answers` would.
timeout 60 "$PY" - "$(cat "$TMP/guard.port")" "$TMP/seen.json" >"$TMP/runtime.out" 2>&1 <<'PYEOF' &
import json, sys, urllib.request
base = "http://127.0.0.1:%s/2018-06-01/runtime/invocation/" % sys.argv[1]
answers = {"b1": ("response", '{"batchItemFailures":[{"itemIdentifier":"m3"}]}'),
           "b3": ("response", "null"),
           "b4": ("response", "{}"),
           "b5": ("error", '{"errorMessage":"boom","errorType":"Handler.Error"}'),
           "b6": ("response", '"ok"')}
seen = {}
for _ in range(9):
    with urllib.request.urlopen(base + "next", timeout=50) as r:
        rid = r.headers["Lambda-Runtime-Aws-Request-Id"]
        event = json.load(r)
    seen[rid] = [rec.get("messageId") for rec in event.get("Records", [])]
    json.dump(seen, open(sys.argv[2], "w"))
    kind, body = answers.get(rid, ("response", "{}"))
    req = urllib.request.Request(base + rid + "/" + kind, data=body.encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=30).read()
    print(rid)
PYEOF
RUNTIME_PID=$!

case_begin "Lambda proxy: an unknown kid is refused and refetched in the background; the next token with it passes"
wait_grep '"id":"b11"' "$TMP/lambda.log" || fail "no decision for b11"
wait_grep "JWKS refreshed" "$TMP/lambda.err" || fail "no JWKS refresh after the unknown kid"
expect_contains "$TMP/lambda.err" "2 keys"
touch "$TMP/go-b12"
wait "$RUNTIME_PID"
expect_eq "$?" 0 "the runtime finished"
expect_contains "$TMP/lambda.log" '"id":"b11","event":"http","decision":"blocked","reason":"auth: token refused: unknown_kid"'
expect_contains "$TMP/lambda.log" '"id":"b12","event":"http","decision":"allowed"'
case_end

case_begin "Lambda proxy: the runtime sees only the records that passed"
expect_eq "$(tr '\n' ' ' <"$TMP/runtime.out")" "b1 b3 b4 b5 b6 b8 b9 b13 b12 " "events the runtime saw"
py_check "$TMP/seen.json" '
want = {"b1": ["m1", "m3"], "b3": ["m6"], "b4": ["f2"], "b5": ["m8"], "b6": ["m10", "m11"]}
for rid, ids in want.items():
    if d.get(rid) != ids: print(rid, "handed", d.get(rid), "want", ids)'
case_end

case_begin "Lambda proxy: refused records are reported as batchItemFailures, merged with the handler's"
py_check - '
import json
recs = [json.loads(l) for l in open("'"$TMP/api.record"'")]
got = {r["id"]: r for r in recs}
def failures(rid):
    r = got.get(rid)
    if not r or r["kind"] != "response":
        print(rid, "no response:", r); return None
    return [f["itemIdentifier"] for f in json.loads(r["body"])["batchItemFailures"]]
want = {"b1": ["m3", "m2"],          # the handler failed m3, the guard m2
        "b2": ["m4", "m5"],          # all refused: answered by the guard alone
        "b3": ["m7"],                # the handler answered null
        "b4": ["f1", "f3"]}          # f3 held back behind f1 (FIFO group A)
for rid, ids in want.items():
    f = failures(rid)
    if f is not None and f != ids: print(rid, "failures", f, "want", ids)
if got.get("b5", {}).get("kind") != "error" or "boom" not in got["b5"]["body"]:
    print("b5: the handler error is not relayed as it was:", got.get("b5"))
if got.get("b6", {}).get("body") != "\"ok\"":
    print("b6: a batch with nothing refused is answered as the handler did:", got.get("b6"))
for r in recs:
    if "DROP TABLE" in r["body"]: print("a message echoed", r)'
py_check - '
import json
log = {l["id"]: l for l in map(json.loads, open("'"$TMP/lambda.log"'"))}
if log["b1"]["decision"] != "partial" or log["b1"].get("failed_items") != ["m2"]: print("b1", log["b1"])
if log["b2"]["decision"] != "blocked" or log["b2"].get("failed_items") != ["m4", "m5"]: print("b2", log["b2"])
if not log["b4"]["reason"].startswith("2 of 3 records refused: record 0: schema") or log["b4"].get("failed_items") != ["f1", "f3"]:
    print("b4", log["b4"])
if log["b6"]["decision"] != "allowed": print("b6", log["b6"])'
case_end

case_begin "Lambda proxy: S3 keys, SNS attributes and EventBridge details go through the WAF; harmless ones pass"
py_check - '
import json
got = {r["id"]: r for r in map(json.loads, open("'"$TMP/api.record"'"))}
for rid in ("b7", "b10"):
    r = got.get(rid)
    if not r or r["kind"] != "error" or r["error_type"] != "SlsecGuard.Blocked":
        print(rid, "not refused:", r); continue
    msg = json.loads(r["body"])["errorMessage"]
    if not msg.startswith("record 0: waf: rule"): print(rid, msg)
    if "passwd" in r["body"] or "script" in r["body"]: print(rid, "payload echoed", r["body"])
# harmless records must pass a WAF in block mode (the synthetic request
# carries Host and Content-Length, and plain text goes as a form field)
for rid in ("b8", "b9", "b13"):
    if got.get(rid, {}).get("kind") != "response": print(rid, "not handed over:", got.get(rid))'
case_end

case_begin "Lambda proxy with partial batches stops cleanly on SIGTERM"
kill -TERM "$GUARD_PID"
wait "$GUARD_PID"
expect_eq "$?" 0 "exit code"
GUARD_PID=""
expect_contains "$TMP/lambda.err" "4 partial batches"
no_sanitizer_report "$TMP/lambda.err"
case_end

# ---- the Lambda proxy: Kinesis and DynamoDB Streams ------------------------------------

cat >"$G/streams.yml" <<YML
lambda:
  kinesis: {schema: schemas/message.json, waf: block, partial_batch: true}
  dynamodb: {schema: schemas/dynamodb-item.json, partial_batch: true}
routes:
  - {name: public, method: GET, path: /public/**, auth: none}
YML

# Kinesis data is base64 (decoded before the schema and the WAF); DynamoDB
# items are in DynamoDB JSON (unmarshalled first). Stream records are
# reported by sequence number, and a refused record holds back the rest
# of its batch (one shard, resumed by Lambda at its lowest failed record).
"$PY" - "$TMP/stream-events.json" <<'PYEOF'
import base64, json, sys
def kin(seq, message):
    data = base64.b64encode(json.dumps(message).encode() if not isinstance(message, bytes) else message).decode()
    return {"eventSource": "aws:kinesis", "eventSourceARN": "arn:aws:kinesis:eu-west-1:1:stream/orders",
            "kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": "pk", "sequenceNumber": seq, "data": data}}
def ddb(seq, order_id):
    return {"eventSource": "aws:dynamodb", "eventName": "INSERT", "eventID": "e" + seq,
            "dynamodb": {"SequenceNumber": seq, "SizeBytes": 40, "StreamViewType": "NEW_IMAGE",
                         "Keys": {"orderId": {"S": order_id}},
                         "NewImage": {"orderId": {"S": order_id}, "qty": {"N": "2"}}}}
ok = lambda i: {"orderId": "o-%d" % i}
events = [
    ("s1", {"Records": [kin("101", ok(1)), kin("102", {"orderId": "DROP TABLE orders"}), kin("103", ok(3))]}),
    ("s2", {"Records": [kin("201", ok(1)), kin("202", {"orderId": "o-2", "note": "<script>alert(document.cookie)</script>"})]}),
    ("s3", {"Records": [ddb("301", "o-1"), ddb("302", "1 OR 1=1")]}),
    ("s4", {"Records": [ddb("401", "../../etc/passwd"), ddb("402", "o-2")]}),
    ("s5", {"Records": [kin("501", ok(5)), kin("502", b"\x00\x01 not json")]}),
    ("s6", {"Records": [kin("601", ok(6)), kin("602", ok(7))]}),
]
json.dump([{"id": i, "event": e} for i, e in events], open(sys.argv[1], "w"))
PYEOF
"$PY" tests/cli/guard_lambda_mock.py "$TMP/stream-events.json" "$TMP/sapi.port" "$TMP/sapi.record" 2>"$TMP/sapi.err" &
PIDS="$PIDS $!"
wait_file "$TMP/sapi.port"
"$SLSEC" guard --lambda-proxy --config "$G/streams.yml" --runtime-api "127.0.0.1:$(cat "$TMP/sapi.port")" \
    --listen 127.0.0.1:0 --ready-file "$TMP/sguard.port" --access-log "$TMP/streams.log" 2>"$TMP/streams.err" &
GUARD_PID=$!
wait_file "$TMP/sguard.port"

case_begin "Lambda proxy, Kinesis and DynamoDB Streams: the handler gets the records before the first refused one"
timeout 60 "$PY" - "$(cat "$TMP/sguard.port")" "$TMP/sseen.json" >"$TMP/sruntime.out" 2>&1 <<'PYEOF'
import json, sys, urllib.request
base = "http://127.0.0.1:%s/2018-06-01/runtime/invocation/" % sys.argv[1]
answers = {"s1": "{}", "s2": '{"batchItemFailures":[{"itemIdentifier":"201"}]}', "s3": "null", "s6": '"ok"'}
seen = {}
for _ in range(5):
    with urllib.request.urlopen(base + "next", timeout=50) as r:
        rid = r.headers["Lambda-Runtime-Aws-Request-Id"]
        event = json.load(r)
    seen[rid] = [rec.get("kinesis", rec.get("dynamodb", {})).get("sequenceNumber",
                 rec.get("dynamodb", {}).get("SequenceNumber")) for rec in event["Records"]]
    json.dump(seen, open(sys.argv[2], "w"))
    req = urllib.request.Request(base + rid + "/response", data=answers.get(rid, "{}").encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=30).read()
    print(rid)
PYEOF
expect_eq "$?" 0 "the runtime finished"
expect_eq "$(tr '\n' ' ' <"$TMP/sruntime.out")" "s1 s2 s3 s5 s6 " "events the runtime saw"
py_check "$TMP/sseen.json" '
want = {"s1": ["101"], "s2": ["201"], "s3": ["301"], "s5": ["501"], "s6": ["601", "602"]}
for rid, ids in want.items():
    if d.get(rid) != ids: print(rid, "handed", d.get(rid), "want", ids)'
case_end

case_begin "Lambda proxy, streams: refused and held-back records are reported by sequence number, merged with the handler's"
py_check - '
import json
got = {r["id"]: r for r in map(json.loads, open("'"$TMP/sapi.record"'"))}
def failures(rid):
    r = got.get(rid)
    if not r or r["kind"] != "response":
        print(rid, "no response:", r); return None
    return [f["itemIdentifier"] for f in json.loads(r["body"])["batchItemFailures"]]
want = {"s1": ["102", "103"],   # 102 refused by the schema, 103 held back behind it
        "s2": ["201", "202"],   # the handler failed 201, the WAF refused 202
        "s3": ["302"],          # the handler answered null
        "s4": ["401", "402"],   # the first refused: answered by the guard alone
        "s5": ["502"]}          # not JSON once decoded
for rid, ids in want.items():
    f = failures(rid)
    if f is not None and f != ids: print(rid, "failures", f, "want", ids)
if got.get("s6", {}).get("body") != "\"ok\"": print("s6: a batch with nothing refused is answered as the handler did:", got.get("s6"))
for r in got.values():
    if "DROP TABLE" in r["body"] or "script" in r["body"] or "passwd" in r["body"]: print("a record echoed", r)'
py_check - '
import json
log = {l["id"]: l for l in map(json.loads, open("'"$TMP/streams.log"'"))}
if log["s1"]["event"] != "kinesis" or log["s1"]["decision"] != "partial" or log["s1"].get("failed_items") != ["102", "103"]: print("s1", log["s1"])
if not log["s1"]["reason"].startswith("2 of 3 records refused: record 1: schema"): print("s1 reason", log["s1"]["reason"])
if not log["s2"]["reason"].startswith("1 of 2 records refused: record 1: waf: rule"): print("s2 reason", log["s2"]["reason"])
if log["s4"]["event"] != "dynamodb" or log["s4"]["decision"] != "blocked" or log["s4"].get("failed_items") != ["401", "402"]: print("s4", log["s4"])
if log["s6"]["decision"] != "allowed": print("s6", log["s6"])'
case_end

case_begin "Lambda proxy with stream batches stops cleanly on SIGTERM"
kill -TERM "$GUARD_PID"
wait "$GUARD_PID"
expect_eq "$?" 0 "exit code"
GUARD_PID=""
expect_contains "$TMP/streams.err" "4 partial batches"
no_sanitizer_report "$TMP/streams.err"
case_end

# ---- the HTTP gateway: keys rotating under it -----------------------------------------

"$PY" tests/cli/guard_upstream.py "$TMP/upstream.port" 2>"$TMP/upstream.err" &
PIDS="$PIDS $!"
wait_file "$TMP/upstream.port"
cat >"$G/rotate.yml" <<YML
jwt:
  jwks_url: $JWKS_URL
  issuer: https://issuer.test
  audience: orders
upstreams:
  app: {url: "http://127.0.0.1:$(cat "$TMP/upstream.port")"}
routes:
  - {name: orders, path: /orders/*, upstream: app, auth: jwt}
YML
cp "$G/rotate.yml" "$G/rotate.orig.yml"

start_gateway() {
    rm -f "$TMP/gw.port"
    "$SLSEC" guard --config "$G/rotate.yml" --listen 127.0.0.1:0 --ready-file "$TMP/gw.port" 2>"$TMP/gw.err" &
    GUARD_PID=$!
    wait_file "$TMP/gw.port"
    BASE="http://127.0.0.1:$(cat "$TMP/gw.port")"
}
stop_gateway() {
    kill -TERM "$GUARD_PID"
    wait "$GUARD_PID"
    expect_eq "$?" 0 "exit code"
    GUARD_PID=""
    no_sanitizer_report "$TMP/gw.err"
}
# reload_while_keys_held: a gateway on rotate.yml, then a SIGHUP for the
# same config plus the route /added/*, whose jwks_url fetch the key server
# holds unanswered until the test removes $TMP/jwks/hold.
reload_while_keys_held() {
    cp "$G/rotate.orig.yml" "$G/rotate.yml"
    start_gateway
    touch "$TMP/jwks/hold"
    : >"$TMP/jwks/hits"
    printf '  - {name: added, path: /added/*, upstream: app, auth: none}\n' >>"$G/rotate.yml"
    kill -HUP "$GUARD_PID"
    wait_grep jwks "$TMP/jwks/hits" || fail "no fetch after SIGHUP"
}
# call TOKEN PATH: the status in $STATUS
call() {
    STATUS=$(curl -s -o "$TMP/b" -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $1" "$BASE$2")
}

case_begin "gateway: an unknown kid is refused at once and fetched in the background, once a minute at most"
jwks test-hs
: >"$TMP/jwks/hits"
start_gateway
expect_eq "$(fetches)" 1 "fetches at start"
call "$(token test-hs u1)" /orders/1
expect_eq "$STATUS" 200 "the start key"
jwks test-hs k2
call "$(token k2 u2)" /orders/1
expect_eq "$STATUS" 401 "k2 before the refetch"
expect_contains "$TMP/b" "unknown_kid"
wait_grep "JWKS refreshed" "$TMP/gw.err" || fail "no refresh after the unknown kid"
call "$(token k2 u2)" /orders/1
expect_eq "$STATUS" 200 "k2 after the refetch"
jwks test-hs k2 k3
for _ in 1 2 3; do call "$(token k3 u3)" /orders/1; done
expect_eq "$STATUS" 401 "k3 within the minute"
sleep 1
expect_eq "$(fetches)" 2 "fetches (start + one unknown kid)"
STATUS=$(curl -s -o "$TMP/b" -w '%{http_code}' --max-time 10 "$BASE/metrics")
expect_contains "$TMP/b" 'slsec_guard_jwks_refreshes_total{result="ok"} 1'
stop_gateway
case_end

case_begin "gateway: a hanging key server holds no request up; a failing one keeps the old keys and is counted"
jwks test-hs
start_gateway
: >"$TMP/jwks/hits"
touch "$TMP/jwks/hold"
call "$(token k2 u2)" /orders/1 # unknown: asks for the fetch that hangs
expect_eq "$STATUS" 401 "unknown kid"
wait_grep jwks "$TMP/jwks/hits" || fail "no fetch after the unknown kid"
# the fetch (5 s timeout) is hanging now: answers must not wait for it
# (a request that did would run into curl's --max-time of 3 s)
for k in 1 2 3; do
    STATUS=$(curl -s -o "$TMP/b" -w '%{http_code}' --max-time 3 -H "Authorization: Bearer $(token test-hs u$k)" "$BASE/orders/$k")
    expect_eq "$STATUS" 200 "a known key while the fetch hangs ($k)"
done
echo 503 >"$TMP/jwks/status"
rm -f "$TMP/jwks/hold" # the held fetch is answered 503
wait_grep "JWKS refresh failed" "$TMP/gw.err" || fail "the failed fetch is not logged"
expect_contains "$TMP/gw.err" "keeping the old keys"
expect_contains "$TMP/gw.err" "HTTP 503"
call "$(token test-hs u4)" /orders/1
expect_eq "$STATUS" 200 "the old keys still verify"
STATUS=$(curl -s -o "$TMP/b" -w '%{http_code}' --max-time 10 "$BASE/metrics")
expect_contains "$TMP/b" 'slsec_guard_jwks_refreshes_total{result="failed"} 1'
rm -f "$TMP/jwks/status"
stop_gateway
case_end

case_begin "gateway: SIGHUP fetches a jwks_url in the background; requests are answered meanwhile, the new config applies once the keys are in"
jwks test-hs
reload_while_keys_held
# the fetch hangs (up to its 5 s timeout): a reload that waited for it on
# the event loop would run these into curl's --max-time of 3 s
for k in 1 2 3; do
    STATUS=$(curl -s -o "$TMP/b" -w '%{http_code}' --max-time 3 -H "Authorization: Bearer $(token test-hs u$k)" "$BASE/orders/$k")
    expect_eq "$STATUS" 200 "the running config answers while the keys are fetched ($k)"
done
STATUS=$(curl -s -o "$TMP/b" -w '%{http_code}' --max-time 3 "$BASE/added/x")
expect_eq "$STATUS" 404 "the new route before its config is installed"
expect_contains "$TMP/gw.err" "fetching the JWKS"
rm -f "$TMP/jwks/hold"
wait_grep "reloaded" "$TMP/gw.err" || fail "the new config was not installed once its keys came"
STATUS=$(curl -s -o "$TMP/b" -w '%{http_code}' --max-time 10 "$BASE/added/x")
expect_eq "$STATUS" 200 "the new route after its keys came"
call "$(token test-hs u4)" /orders/1
expect_eq "$STATUS" 200 "tokens verify with the new config's keys"
STATUS=$(curl -s -o "$TMP/b" -w '%{http_code}' --max-time 10 "$BASE/metrics")
expect_contains "$TMP/b" 'slsec_guard_reloads_total{result="ok"} 1'
stop_gateway
case_end

case_begin "gateway: a reload whose jwks_url cannot be fetched is refused; the running config stays"
reload_while_keys_held
STATUS=$(curl -s -o "$TMP/b" -w '%{http_code}' --max-time 3 -H "Authorization: Bearer $(token test-hs u5)" "$BASE/orders/5")
expect_eq "$STATUS" 200 "the running config answers while the keys are fetched"
echo 503 >"$TMP/jwks/status"
rm -f "$TMP/jwks/hold"
wait_grep "reload refused" "$TMP/gw.err" || fail "the failed fetch did not refuse the reload"
expect_contains "$TMP/gw.err" "jwt.jwks_url: JWKS fetch answered HTTP 503"
expect_not_contains "$TMP/gw.err" "reloaded"
STATUS=$(curl -s -o "$TMP/b" -w '%{http_code}' --max-time 10 "$BASE/added/x")
expect_eq "$STATUS" 404 "the refused config's route"
call "$(token test-hs u6)" /orders/1
expect_eq "$STATUS" 200 "the running config's keys"
STATUS=$(curl -s -o "$TMP/b" -w '%{http_code}' --max-time 10 "$BASE/metrics")
expect_contains "$TMP/b" 'slsec_guard_reloads_total{result="rejected"} 1'
rm -f "$TMP/jwks/status"
stop_gateway
case_end
