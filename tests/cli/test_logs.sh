#!/usr/bin/env bash
#
# test_logs.sh — slsec logs redact/stats/watch from the built binary.
#
# Redaction is checked byte for byte against tests/fixtures/logs/redact
# (mask, partial, hash, --ip with --field), from a file, from standard
# input, and through gzip folders; a Python check also proves the output
# is the input with only the masks substituted. stats is checked against
# a table and against metrics computed by hand in the fixtures. watch runs
# with a webhook receiver the test starts on 127.0.0.1 (answering, failing,
# hanging) and in --follow mode across rotation and truncation.
. "$(dirname "$0")/lib.sh"

FIX=tests/fixtures/logs
R=$FIX/redact
W="$TMP/w"
mkdir -p "$W"

# ---- redact ----------------------------------------------------------------

case_begin "redact: fixture masked byte for byte, from a file and from stdin"
expect_exit 0 "$SLSEC" logs redact -q "$R/lambda-node.log"
cmp -s "$OUT" "$R/lambda-node.expected" || fail "file: output differs from lambda-node.expected"
expect_empty "$ERR"
LAST_CMD="slsec logs redact < lambda-node.log"
timeout 20 "$SLSEC" logs redact -q <"$R/lambda-node.log" >"$W/stdin.out" 2>"$ERR"
cmp -s "$W/stdin.out" "$R/lambda-node.expected" || fail "stdin: output differs"
timeout 20 "$SLSEC" logs redact -q --line-buffered <"$R/lambda-node.log" >"$W/lb.out" 2>"$ERR"
cmp -s "$W/lb.out" "$R/lambda-node.expected" || fail "--line-buffered: output differs"
case_end

case_begin "redact: partial, hash and --ip --field modes byte for byte"
expect_exit 0 "$SLSEC" logs redact -q --mode partial "$R/lambda-node.log"
cmp -s "$OUT" "$R/lambda-node.partial.expected" || fail "partial differs"
expect_exit 0 "$SLSEC" logs redact -q --mode hash --key-file "$R/hmac.key" "$R/lambda-node.log"
cmp -s "$OUT" "$R/lambda-node.hash.expected" || fail "hash differs"
expect_exit 0 "$SLSEC" logs redact -q --ip --no-default-fields --field pin "$R/lambda-node.log"
cmp -s "$OUT" "$R/lambda-node.ip-pin.expected" || fail "ip-pin differs"
case_end

case_begin "redact: output is the input with only masks substituted, same line count"
expect_exit 0 "$SLSEC" logs redact -q --mode hash --key-file "$R/hmac.key" "$R/lambda-node.log"
py_check - '
import re, hmac, hashlib
src = open(args[0], "rb").read()
out = open(args[1], "rb").read()
if src.count(b"\n") != out.count(b"\n"):
    print("line count changed")
tok = re.compile(rb"\[REDACTED:[a-z0-9:._-]+\]")
pieces = tok.split(out)
# every piece of the output between masks appears in the input, in order,
# and what lies between two pieces in the input is the masked value
pos = 0
for i, p in enumerate(pieces):
    at = src.find(p, pos) if i else (0 if src.startswith(p) else -1)
    if at < 0:
        print("output piece %d not found in order in the input: %r" % (i, p[:60]))
        break
    pos = at + len(p)
if not out.endswith(pieces[-1]) or not src.endswith(pieces[-1]):
    print("the end differs")
key = open(args[2], "rb").read().rstrip(b"\n")
want = hmac.new(key, b"jane.doe@example.com", hashlib.sha256).hexdigest()[:16]
if ("[REDACTED:email:%s]" % want).encode() not in out:
    print("hash token of jane.doe@example.com is not HMAC-SHA256(key) truncated: want", want)
' "$R/lambda-node.log" "$OUT" "$R/hmac.key"
case_end

case_begin "redact: summary on stderr counts types and never shows a value"
expect_exit 0 "$SLSEC" logs redact "$R/lambda-node.log"
expect_contains "$ERR" "21 lines"
expect_contains "$ERR" "email 2"
expect_contains "$ERR" "password 1"
expect_contains "$ERR" "private-key 4"
expect_not_contains "$ERR" "jane.doe"
expect_not_contains "$ERR" "AKIA"
expect_exit 0 "$SLSEC" logs redact --format json "$R/lambda-node.log"
tail -n 1 "$ERR" >"$W/summary.json"
py_check "$W/summary.json" '
if d["lines"] != 21: print("lines", d["lines"])
if d["by_type"].get("card") != 1: print("card", d["by_type"])
if d["bytes_in"] <= 0: print("bytes_in")
'
case_end

case_begin "redact: --in/--out folders, .gz read by content and written by name"
mkdir -p "$W/raw/fn" "$W/clean"
cp "$R/lambda-node.log" "$W/raw/fn/a.log"
gzip -c "$R/lambda-node.log" >"$W/raw/fn/b.log.gz"
expect_exit 0 "$SLSEC" logs redact -q --in "$W/raw" --out "$W/clean"
cmp -s "$W/clean/fn/a.log" "$R/lambda-node.expected" || fail "a.log differs"
gzip -t "$W/clean/fn/b.log.gz" 2>/dev/null || fail "b.log.gz is not gzip"
gzip -dc "$W/clean/fn/b.log.gz" | cmp -s - "$R/lambda-node.expected" || fail "b.log.gz content differs"
ls -A "$W/clean/fn" | grep -q tmp && fail "a temporary file was left behind"
case_end

case_begin "redact: a gzip that ends early is reported, exit 2, the rest still processed"
gzip -c "$R/lambda-node.log" | head -c 300 >"$W/cut.gz"
expect_exit 2 "$SLSEC" logs redact "$W/cut.gz" "$R/lambda-node.log"
expect_contains "$ERR" "ends early"
expect_contains "$ERR" "1 input could not be read whole"
tail -c "$(wc -c <"$R/lambda-node.expected")" "$OUT" | cmp -s - "$R/lambda-node.expected" || fail "second input not redacted after the bad one"
case_end

case_begin "redact: --fail-closed drops an over-long line and counts it; --fail-open keeps it"
{ printf 'before jane@mail.example\n'; head -c 5000 /dev/zero | tr '\0' 'x'; printf ' bob@mail.example\nafter\n'; } >"$W/long.log"
expect_exit 0 "$SLSEC" logs redact --max-line 1024 --fail-closed "$W/long.log"
expect_eq "$(cat "$OUT")" "$(printf 'before [REDACTED:email]\nafter')" "fail-closed output"
expect_contains "$ERR" "1 lines longer than the limit dropped"
expect_exit 0 "$SLSEC" logs redact --max-line 1024 --fail-open "$W/long.log"
expect_eq "$(wc -l <"$OUT")" 3 "fail-open line count"
expect_contains "$OUT" "x [REDACTED:email]"
case_end

# A file named, redirected to standard input or piped must give the same
# bytes, with a value and an over-long line across read and batch
# boundaries (4 and 8 MiB are multiples of both).
"$PY" - "$W/windows.log" <<'PYEOF'
import sys
W = 4 << 20
buf = bytearray()
n = 0
def fill(upto):
    global n
    while len(buf) < upto:
        n += 1
        if n % 7 == 0:
            s = "2024-03-05T10:15:02.114Z\tid-%d\tINFO\tuser u%d@mail.example paid with 4111 1111 1111 1111" % (n, n)
        elif n % 11 == 0:
            s = '{"level":"info","password":"hunter%d","ip":"10.0.%d.1"}\r' % (n, n % 250)
        else:
            s = "line %d %s" % (n, "abcdefghij" * (n % 13))
        buf.extend(s.encode() + b"\n")
fill(W - 250)
buf.extend(b"x" * (W - 13 - len(buf)) + b" boundary.person@mail.example\n")  # the address starts 12 bytes before 4 MiB
fill(2 * W - 1000)
buf.extend(b"y" * 600 + b" long.line@mail.example " + b"z" * 600 + b"\n")   # 1225 bytes across 8 MiB
fill(2 * W + 100000)
open(sys.argv[1], "wb").write(buf)
PYEOF

case_begin "redact: a file (operand or standard input) gives the bytes a pipe gives, across read boundaries"
i=0
for opts in "" "--mode partial" "--fail-closed --max-line 300" "--fail-open --max-line 300" "--ip --mode hash --key-file $R/hmac.key"; do
    i=$((i + 1))
    # shellcheck disable=SC2086 # opts are words
    expect_exit 0 "$SLSEC" logs redact -q $opts "$W/windows.log"
    mv "$OUT" "$W/named.$i"
    LAST_CMD="cat windows.log | slsec logs redact $opts"
    # shellcheck disable=SC2086
    cat "$W/windows.log" | timeout 60 "$SLSEC" logs redact -q $opts >"$W/piped.$i" 2>"$ERR" || fail "pipe: $LAST_CMD"
    # shellcheck disable=SC2086
    timeout 60 "$SLSEC" logs redact -q $opts <"$W/windows.log" >"$W/stdin.$i" 2>>"$ERR" || fail "stdin: $opts"
    cmp -s "$W/named.$i" "$W/piped.$i" || fail "named file and pipe differ with '$opts'"
    cmp -s "$W/stdin.$i" "$W/piped.$i" || fail "standard input from the file and pipe differ with '$opts'"
    expect_not_contains "$W/named.$i" "@mail.example"
done
expect_contains "$W/named.1" "x [REDACTED:email]"
expect_eq "$(grep -c '^yyy' "$W/named.3")" 0 "the long line across 8 MiB dropped (--fail-closed)"
expect_eq "$(wc -l <"$W/named.4")" "$(wc -l <"$W/windows.log")" "line count with --fail-open"
case_end

case_begin "redact: standard input that is a file at an offset is read from there and left at its end"
"$PY" - "$SLSEC" "$W/windows.log" "$W/offset.out" "$W/offset.err" <<'PYEOF' >"$W/offset.problems" 2>&1
import os, subprocess, sys
slsec, path, out, err = sys.argv[1:5]
offset = (4 << 20) - 4097  # not a page or read boundary
with open(path, "rb") as f:
    f.seek(offset)
    p = subprocess.run([slsec, "logs", "redact", "-q"], stdin=f, stdout=open(out, "wb"), stderr=open(err, "wb"), timeout=60)
    if p.returncode != 0:
        print("exit", p.returncode)
    if os.lseek(f.fileno(), 0, os.SEEK_CUR) != os.path.getsize(path):
        print("standard input left at", os.lseek(f.fileno(), 0, os.SEEK_CUR))
    f.seek(offset)
    rest = f.read()
p = subprocess.run([slsec, "logs", "redact", "-q"], input=rest, capture_output=True, timeout=60)
if open(out, "rb").read() != p.stdout:
    print("output differs from the redaction of the file's rest through a pipe")
PYEOF
[ -s "$W/offset.problems" ] && { fail "offset"; note_file "$W/offset.problems"; }
grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$W/offset.err" && fail "sanitizer report"
case_end

case_begin "redact, stats, watch: empty input is fine"
: >"$W/empty.log"
printf '\n\n\r\n\n' >"$W/blank.log"
expect_exit 0 "$SLSEC" logs redact "$W/empty.log"
expect_empty "$OUT"
expect_contains "$ERR" "0 lines"
for f in "$W/empty.log" "$W/blank.log"; do
    expect_exit 0 "$SLSEC" logs stats "$f"
    expect_exit 0 "$SLSEC" logs watch "$f"
    expect_exit 0 "$SLSEC" logs redact -q "$f"
    cmp -s "$OUT" "$f" || fail "redact changed $f"
done
case_end

case_begin "redact: bad usage exits 2 with a message"
expect_exit 2 "$SLSEC" logs redact --mode hash "$R/lambda-node.log"
expect_contains "$ERR" "--key-file"
expect_exit 2 "$SLSEC" logs redact --mode bogus
expect_contains "$ERR" "mask, hash or partial"
printf 'short\n' >"$W/short.key"
expect_exit 2 "$SLSEC" logs redact --mode hash --key-file "$W/short.key" "$R/lambda-node.log"
expect_contains "$ERR" "16 bytes"
expect_exit 2 "$SLSEC" logs redact "$W/missing.log"
expect_contains "$ERR" "missing.log"
expect_exit 2 "$SLSEC" logs redact --field 'a"b' "$R/lambda-node.log"
expect_exit 2 "$SLSEC" logs frobnicate
expect_contains "$ERR" "unknown subcommand"
expect_exit 2 "$SLSEC" logs
expect_exit 0 "$SLSEC" logs --help
expect_contains "$OUT" "redact"
expect_exit 0 "$SLSEC" logs redact --help
expect_contains "$OUT" "--fail-closed"
case_end

# ---- stats -----------------------------------------------------------------

case_begin "stats: the per-function table of the fixtures"
expect_exit 0 "$SLSEC" logs stats $FIX/lambda/orders.log $FIX/lambda/payments.log.gz $FIX/lambda/api
cmp -s "$OUT" "$FIX/stats.expected" || { fail "table differs from stats.expected"; note_file "$OUT"; }
case_end

case_begin "stats: JSON metrics equal the values computed by hand"
expect_exit 0 "$SLSEC" logs stats --format json --in $FIX/lambda
py_check "$OUT" '
import math
want = {  # from the fixtures: see tests/fixtures/logs/README.md
  "orders":   dict(invocations=6, errors=2, timeouts=1, cold_starts=1, memory_mb=256, max_memory_used_mb=200,
                   billed_ms=4500, durations=[100, 200, 300, 400, 500, 2999.5]),
  "payments": dict(invocations=4, errors=1, timeouts=0, cold_starts=2, memory_mb=128, max_memory_used_mb=119,
                   billed_ms=100, durations=[10, 20, 30, 40]),
  "api":      dict(invocations=3, errors=2, timeouts=0, cold_starts=1, memory_mb=512, max_memory_used_mb=100,
                   billed_ms=45, durations=[5, 15, 25]),
}
got = {f["function"]: f for f in d["functions"]}
if sorted(got) != sorted(want): print("functions", sorted(got))
for name, w in want.items():
    g = got.get(name, {})
    for k in ("invocations", "errors", "timeouts", "cold_starts", "memory_mb", "max_memory_used_mb"):
        if g.get(k) != w[k]: print(name, k, g.get(k), "want", w[k])
    if abs(g.get("billed_ms", -1) - w["billed_ms"]) > 1e-6: print(name, "billed", g.get("billed_ms"))
    ds = sorted(w["durations"])
    for q in (50, 95, 99):
        exact = ds[max(0, math.ceil(q / 100 * len(ds)) - 1)]
        v = g["duration_ms"]["p%d" % q]
        if abs(v - exact) > 0.01 * exact: print(name, "p%d" % q, v, "exact", exact)
'
case_end

# ---- watch -----------------------------------------------------------------

case_begin "watch: alerts as JSON lines, exit 1, copy appended to --alert-file"
expect_exit 1 "$SLSEC" logs watch --format json --alert-file "$W/alerts.jsonl" --in $FIX/lambda
py_check - '
import json
lines = [json.loads(l) for l in open(args[0]) if l.strip()]
kinds = sorted((a["function"], a["kind"]) for a in lines)
want = [("api", "error_rate"), ("orders", "p99_near_timeout"), ("orders", "timeout"), ("payments", "memory")]
if kinds != want: print("alerts", kinds)
for a in lines:
    if a["type"] != "alert" or not a["message"] or not a["window"].endswith("Z"): print("shape", a)
t = [a for a in lines if a["kind"] == "timeout"][0]
if t["request_ids"] != ["3f1c7a52-9b0e-4d7a-8a43-2c1e5f0d9b15"]: print("timeout ids", t["request_ids"])
if open(args[1]).read() != open(args[0]).read(): print("--alert-file differs from stdout")
' "$OUT" "$W/alerts.jsonl"
expect_exit 1 "$SLSEC" logs watch --in $FIX/lambda --metrics
expect_contains "$OUT" "ALERT high   timeout"
expect_match "$OUT" "orders invocations=3 errors=1 timeouts=0"
expect_exit 1 "$SLSEC" logs watch --timeout-ms 900000 $FIX/lambda/orders.log --cooldown 0 --error-rate 1
expect_contains "$OUT" "timed out"
expect_not_contains "$OUT" "p99_near_timeout"
case_end

start_receiver() { # MODE
    rm -f "$W/port" "$W/bodies" "$W/bodies.times"
    "$PY" tests/cli/logs_webhook_server.py "$1" "$W/port" "$W/bodies" 2>>"$W/server.err" &
    RECEIVER=$!
    for _ in $(seq 100); do [ -s "$W/port" ] && break; sleep 0.1; done
    PORT=$(cat "$W/port" 2>/dev/null)
}
stop_receiver() { kill "$RECEIVER" 2>/dev/null; wait "$RECEIVER" 2>/dev/null; }

case_begin "watch: webhook receives every alert with a Slack-style text"
start_receiver ok
expect_exit 1 "$SLSEC" logs watch --in $FIX/lambda --alert-webhook "http://127.0.0.1:$PORT/hook"
expect_contains "$ERR" "webhook: 4 delivered, 0 undelivered"
py_check - '
import json
bodies = [json.loads(l) for l in open(args[0]) if l.strip()]
if len(bodies) != 4: print("bodies", len(bodies))
for b in bodies:
    if not b.get("text", "").startswith("[slsec] "): print("no text", b)
' "$W/bodies"
stop_receiver
case_end

case_begin "watch: a failing or hanging webhook never stops the stream; undelivered alerts are counted"
start_receiver fail
expect_exit 1 "$SLSEC" logs watch --format json --in $FIX/lambda --alert-webhook "http://127.0.0.1:$PORT/hook"
expect_eq "$(grep -c '"type":"alert"' "$OUT")" 4 "alerts on stdout"
expect_contains "$ERR" "0 delivered, 4 undelivered"
expect_match "$W/bodies" '"kind"'
stop_receiver
start_receiver hang
expect_exit 1 "$SLSEC" logs watch --format json --in $FIX/lambda --alert-webhook "http://127.0.0.1:$PORT/hook"
expect_eq "$(grep -c '"type":"alert"' "$OUT")" 4 "alerts on stdout"
expect_contains "$ERR" "0 delivered, 4 undelivered"
stop_receiver
expect_exit 2 "$SLSEC" logs watch --alert-webhook "ftp://example/x" $FIX/lambda/orders.log
expect_contains "$ERR" "http://"
case_end

case_begin "watch --follow: reads appended lines across rotation and truncation"
F="$W/follow/orders.log"
mkdir -p "$W/follow"
now() { date -u +%Y-%m-%dT%H:%M:%S.000Z; }
printf '%s\tc0ffee00-0000-4000-8000-000000000001\tTask timed out after 3.00 seconds\n' "$(now)" >"$F"
timeout -k 5 60 "$SLSEC" logs watch --follow --format json --cooldown 0 "$F" >"$W/follow.out" 2>"$W/follow.err" &
WATCHER=$!
sleep 0.5
printf '%s\tc0ffee00-0000-4000-8000-000000000002\tTask timed out after 3.00 seconds\n' "$(now)" >>"$F"
mv "$F" "$F.1"
printf '%s\tc0ffee00-0000-4000-8000-000000000003\tTask timed out after 3.00 seconds\n' "$(now)" >"$F"
sleep 0.6
: >"$F"
sleep 0.6
printf '%s\tc0ffee00-0000-4000-8000-000000000004\tTask timed out after 3.00 seconds\n' "$(now)" >>"$F"
sleep 0.6
kill -TERM "$WATCHER"
wait "$WATCHER"
RC=$?
[ "$RC" -ge 124 ] && fail "watch --follow exited $RC (hung or crashed)"
grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$W/follow.err" && fail "sanitizer report"
py_check - '
import json
ids = set()
for l in open(args[0]):
    a = json.loads(l)
    if a["kind"] == "timeout": ids.update(a["request_ids"])
want = {"c0ffee00-0000-4000-8000-00000000000%d" % i for i in range(1, 5)}
if ids != want: print("timeouts seen for", sorted(ids))
' "$W/follow.out"
case_end

# ---- lambda-runtime against a mock Runtime API -------------------------------

# The events: a CloudWatch Logs subscription (DATA and CONTROL), a Firehose
# batch (a CloudWatch payload, a plain record, a CONTROL payload, a record
# that is not base64), a malformed event, one whose deadline has passed,
# and a Firehose batch whose redacted response would pass 6 MB.
# hook-events.json and hang-events.json: the subscription event alone,
# with a deadline a minute away and 3 s away.
"$PY" - "$W/events.json" "$W/hook-events.json" "$W/hang-events.json" <<'PYEOF'
import base64, gzip, json, sys
def cwl(kind, msgs):
    doc = {"messageType": kind, "owner": "123456789012", "logGroup": "/aws/lambda/orders",
           "logStream": "2024/03/05/[$LATEST]abc", "subscriptionFilters": ["slsec"],
           "logEvents": [{"id": str(i), "timestamp": 1709633702000 + i, "message": m} for i, m in enumerate(msgs)]}
    if kind == "CONTROL_MESSAGE":
        doc["logEvents"] = []
    return base64.b64encode(gzip.compress(json.dumps(doc).encode())).decode()
msgs = ["START RequestId: 3f1c7a52-9b0e-4d7a-8a43-2c1e5f0d9b11 Version: $LATEST\n",
        "2024-03-05T10:15:02.114Z\t3f1c7a52-9b0e-4d7a-8a43-2c1e5f0d9b11\tINFO\tmail jane.doe@example.com\n",
        "2024-03-05T10:15:05.001Z\t3f1c7a52-9b0e-4d7a-8a43-2c1e5f0d9b11\tTask timed out after 3.00 seconds\n",
        "REPORT RequestId: 3f1c7a52-9b0e-4d7a-8a43-2c1e5f0d9b11\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB\tStatus: timeout\n"]
big = base64.b64encode(b"a@b.co\n" * 130000).decode()
events = [
    {"id": "req-cwl", "event": {"awslogs": {"data": cwl("DATA_MESSAGE", msgs)}}},
    {"id": "req-control", "event": {"awslogs": {"data": cwl("CONTROL_MESSAGE", [])}}},
    {"id": "req-firehose", "event": {"invocationId": "inv", "deliveryStreamArn": "arn:aws:firehose:eu-west-1:1:deliverystream/s",
        "records": [{"recordId": "r1", "approximateArrivalTimestamp": 1, "data": cwl("DATA_MESSAGE", msgs)},
                    {"recordId": "r2", "approximateArrivalTimestamp": 1, "data": base64.b64encode(b"card 4111 1111 1111 1111\n").decode()},
                    {"recordId": "r3", "approximateArrivalTimestamp": 1, "data": cwl("CONTROL_MESSAGE", [])},
                    {"recordId": "r4", "approximateArrivalTimestamp": 1, "data": "%%% not base64"}]}},
    {"id": "req-malformed", "raw": "{\"awslogs\": {\"data\": \"bm90IGd6aXA=\"}}"},
    {"id": "req-late", "deadline": "past", "event": {"awslogs": {"data": cwl("DATA_MESSAGE", msgs)}}},
    {"id": "req-big", "event": {"records": [{"recordId": "b%d" % i, "data": big} for i in range(4)]}},
]
json.dump(events, open(sys.argv[1], "w"))
json.dump([{"id": "req-hook", "event": events[0]["event"]}], open(sys.argv[2], "w"))
json.dump([{"id": "req-hang", "deadline": 3000, "event": events[0]["event"]}], open(sys.argv[3], "w"))
PYEOF

start_mock() { # EVENTS
    rm -f "$W/mport" "$W/mlog"
    "$PY" tests/cli/lambda_runtime_mock.py "$1" "$W/mport" "$W/mlog" 2>>"$W/server.err" &
    MOCK=$!
    for _ in $(seq 100); do [ -s "$W/mport" ] && break; sleep 0.1; done
    MPORT=$(cat "$W/mport" 2>/dev/null)
}
stop_mock() { kill "$MOCK" 2>/dev/null; wait "$MOCK" 2>/dev/null; }

case_begin "lambda-runtime: subscription and Firehose events, malformed, late and oversize"
start_mock "$W/events.json"
expect_exit 0 env AWS_LAMBDA_RUNTIME_API=127.0.0.1:$MPORT "$SLSEC" lambda-runtime --max-invocations 6
stop_mock
py_check - '
import base64, gzip, json
log = {}
for l in open(args[0]):
    e = json.loads(l)
    log[e["id"]] = e
want = {"req-cwl": "response", "req-control": "response", "req-firehose": "response",
        "req-malformed": "error", "req-late": "error", "req-big": "response"}
for rid, kind in want.items():
    if log.get(rid, {}).get("kind") != kind: print(rid, "expected", kind, "got", log.get(rid))
if log["req-cwl"]["body"] != {"messageType": "DATA_MESSAGE", "logEvents": 4, "masked": 1}: print("cwl", log["req-cwl"]["body"])
if log["req-control"]["body"].get("messageType") != "CONTROL_MESSAGE": print("control", log["req-control"]["body"])
recs = {r["recordId"]: r for r in log["req-firehose"]["body"]["records"]}
if sorted(recs) != ["r1", "r2", "r3", "r4"]: print("firehose ids", sorted(recs))
if [recs[k]["result"] for k in ("r1", "r2", "r3", "r4")] != ["Ok", "Ok", "Dropped", "ProcessingFailed"]:
    print("firehose results", [recs[k]["result"] for k in sorted(recs)])
doc = json.loads(gzip.decompress(base64.b64decode(recs["r1"]["data"])))
if "[REDACTED:email]" not in doc["logEvents"][1]["message"] or "jane.doe" in json.dumps(doc): print("r1 not redacted", doc["logEvents"][1])
if base64.b64decode(recs["r2"]["data"]) != b"card [REDACTED:card]\n": print("r2", base64.b64decode(recs["r2"]["data"]))
if "not gzip" not in log["req-malformed"]["body"]["errorMessage"]: print("malformed", log["req-malformed"]["body"])
if log["req-late"]["body"]["errorType"] != "Runtime.DeadlineExceeded": print("late", log["req-late"]["body"])
big = log["req-big"]["body"]["records"]
res = [r["result"] for r in big]
if len(big) != 4 or res[0] != "Ok" or "ProcessingFailed" not in res: print("big", res)
if len(json.dumps(log["req-big"]["body"])) > 6 * 1024 * 1024: print("response over 6 MB")
' "$W/mlog"
expect_contains "$OUT" '"logGroup":"/aws/lambda/orders"'
expect_contains "$OUT" '[REDACTED:email]'
expect_not_contains "$OUT" 'jane.doe'
expect_contains "$OUT" '"kind":"timeout"'
case_end

case_begin "lambda-runtime: bad configuration is an init error; no API is bad usage"
printf '[]' >"$W/none.json"
start_mock "$W/none.json"
expect_exit 2 env AWS_LAMBDA_RUNTIME_API=127.0.0.1:$MPORT SLSEC_LOGS_MODE=bogus "$SLSEC" lambda-runtime
stop_mock
expect_contains "$W/mlog" '"init_error"'
expect_contains "$W/mlog" 'Runtime.InvalidConfiguration'
start_mock "$W/none.json"
expect_exit 2 env AWS_LAMBDA_RUNTIME_API=127.0.0.1:$MPORT SLSEC_LOGS_ALERT_WEBHOOK=ftp://example/x "$SLSEC" lambda-runtime
stop_mock
expect_contains "$W/mlog" 'Runtime.InvalidConfiguration'
expect_contains "$W/mlog" 'alert webhook: webhook URL must start with http://'
expect_exit 2 env -u AWS_LAMBDA_RUNTIME_API "$SLSEC" lambda-runtime
expect_contains "$ERR" "AWS_LAMBDA_RUNTIME_API"
case_end

# The runtime's alerts reach the webhook before the invocation's response
# is posted (after it, Lambda may freeze the process with its threads).
# The mock logs when the response arrived ("at") and the deadline it gave;
# the receiver logs when each POST arrived and was answered.
case_begin "lambda-runtime: alerts POSTed to the webhook before the response, the stdout JSON plus a Slack text"
start_receiver slow
start_mock "$W/hook-events.json"
expect_exit 0 env AWS_LAMBDA_RUNTIME_API=127.0.0.1:$MPORT SLSEC_LOGS_ALERT_WEBHOOK="http://127.0.0.1:$PORT/hook" \
    "$SLSEC" lambda-runtime --max-invocations 1
stop_mock
stop_receiver
py_check - '
import json
stdout_alerts = [json.loads(l) for l in open(args[0]) if l.startswith("{\"type\":\"alert\"")]
bodies = [json.loads(l) for l in open(args[1]) if l.strip()]
if not stdout_alerts or "timeout" not in [a["kind"] for a in stdout_alerts]: print("alerts on stdout", stdout_alerts)
for a in stdout_alerts:
    if sorted(a) != sorted(["type", "kind", "severity", "function", "window", "value", "threshold", "baseline",
                            "message", "request_ids", "suppressed_since_last"]): print("stdout alert fields", sorted(a))
posted = []
for b in bodies:
    text = b.pop("text", "")
    if not text.startswith("[slsec] %s %s: %s" % (b.get("severity"), b.get("kind"), b.get("message"))): print("text", text)
    posted.append(b)
if posted != stdout_alerts: print("webhook bodies", posted, "differ from the stdout alerts", stdout_alerts)
t = [a for a in stdout_alerts if a["kind"] == "timeout"]
if t and (t[0]["function"] != "orders" or t[0]["request_ids"] != ["3f1c7a52-9b0e-4d7a-8a43-2c1e5f0d9b11"]): print("timeout", t[0])
answered = [int(l.split()[1]) for l in open(args[2]) if l.startswith("answered")]
resp = [json.loads(l) for l in open(args[3])]
if len(resp) != 1 or resp[0]["kind"] != "response": print("runtime API log", resp)
elif len(answered) != len(bodies) or max(answered) > resp[0]["at"]:
    print("the response was posted at %s, before every alert was delivered: %s" % (resp[0]["at"], answered))
' "$OUT" "$W/bodies" "$W/bodies.times" "$W/mlog"
expect_match "$ERR" "webhook, invocation req-hook: [1-9][0-9]* delivered, 0 undelivered, 0 dropped"
expect_match "$ERR" "webhook, since the start: [1-9][0-9]* delivered, 0 undelivered, 0 dropped"
case_end

case_begin "lambda-runtime: a webhook answering 500 is retried with back-off; a hanging one does not make the invocation miss its deadline"
start_receiver fail
start_mock "$W/hook-events.json"
expect_exit 0 env AWS_LAMBDA_RUNTIME_API=127.0.0.1:$MPORT "$SLSEC" lambda-runtime --max-invocations 1 \
    --alert-webhook "http://127.0.0.1:$PORT/hook"
stop_mock
stop_receiver
py_check - '
import json
bodies = [json.loads(l) for l in open(args[0]) if l.strip()]
arrived = [int(l.split()[1]) for l in open(args[1]) if l.startswith("arrived")]
resp = [json.loads(l) for l in open(args[2])]
kinds = sorted(set(b["kind"] for b in bodies))
if "timeout" not in kinds: print("kinds posted", kinds)
for k in kinds:
    times = [t for b, t in zip(bodies, arrived) if b["kind"] == k]
    if len(times) != 4: print(k, "attempts", len(times), "want 4 (3 retries)")
    gaps = [b - a for a, b in zip(times, times[1:])]
    for i, g in enumerate(gaps):  # back-off 250, 500, 1000 ms at least (sleeps are never shorter)
        if g < 0.9 * 250 * 2 ** i: print(k, "attempt", i + 2, "came", g, "ms after the previous one")
if resp and max(arrived) > resp[0]["at"]: print("the response was posted before the retries were done")
' "$W/bodies" "$W/bodies.times" "$W/mlog"
expect_match "$ERR" "webhook, invocation req-hook: 0 delivered, [1-9][0-9]* undelivered, 0 dropped"
start_receiver hang
start_mock "$W/hang-events.json"
expect_exit 0 env AWS_LAMBDA_RUNTIME_API=127.0.0.1:$MPORT "$SLSEC" lambda-runtime --max-invocations 1 \
    --alert-webhook "http://127.0.0.1:$PORT/hook"
stop_mock
stop_receiver
py_check - '
import json
resp = [json.loads(l) for l in open(args[0])]
if len(resp) != 1 or resp[0]["kind"] != "response": print("runtime API log", resp)
elif resp[0]["at"] >= resp[0]["deadline"]:
    print("response posted %d ms after the deadline" % (resp[0]["at"] - resp[0]["deadline"]))
if not open(args[1]).read().strip(): print("the webhook was never called")
' "$W/mlog" "$W/bodies"
expect_match "$ERR" "webhook, invocation req-hang: 0 delivered, [1-9][0-9]* undelivered, 0 dropped"
expect_contains "$OUT" '"kind":"timeout"'
case_end

case_begin "docs/lambda.md's SAM template is the tested one, and slsec scan finds nothing in it"
"$PY" - docs/lambda.md "$W/doc-template.yaml" <<'PYEOF'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"```yaml\n(.*?)```", text, re.S)
open(sys.argv[2], "w").write(m.group(1) if m else "")
PYEOF
cmp -s "$W/doc-template.yaml" "$FIX/sam/template.yaml" || fail "docs/lambda.md and tests/fixtures/logs/sam/template.yaml differ"
expect_exit 0 "$SLSEC" scan "$FIX/sam/template.yaml" --fail-on info
expect_contains "$OUT" "no findings"
case_end

case_begin "logs: settings from .slsec.yml (logs section), command line first, bad keys named with file:line:col"
mkdir -p "$W/cfg"
printf 'fail_on: high\nlogs:\n  redact:\n    mode: partial\n    fields: [pin]\n    fail: closed\n    max_line: 64\n  watch:\n    timeout_ms: 900000\n    cooldown_seconds: 0\n' >"$W/cfg/.slsec.yml"
printf '{"pin":"123456789012","n":1}\n' >"$W/cfg/in.log"
(cd "$W/cfg" && timeout 20 "$SLSEC" logs redact -q in.log >"$W/cfg.out" 2>"$W/cfg.err")
expect_eq "$(cat "$W/cfg.out")" '{"pin":"[REDACTED:field:pin:...9012]","n":1}' "redact with ./.slsec.yml"
expect_exit 0 "$SLSEC" logs redact -q --config "$W/cfg/.slsec.yml" --mode mask "$W/cfg/in.log"
expect_eq "$(cat "$OUT")" '{"pin":"[REDACTED:field:pin]","n":1}' "--mode over the file"
expect_exit 0 "$SLSEC" logs redact -q --no-config "$W/cfg/in.log"
expect_eq "$(cat "$OUT")" '{"pin":"123456789012","n":1}' "--no-config"
expect_exit 1 "$SLSEC" logs watch --config "$W/cfg/.slsec.yml" --format json $FIX/lambda/orders.log
expect_not_contains "$OUT" "p99_near_timeout"
printf 'logs:\n  watch:\n    colour: 1\n' >"$W/cfg/bad.yml"
expect_exit 2 "$SLSEC" logs watch --config "$W/cfg/bad.yml" $FIX/lambda/orders.log
expect_contains "$ERR" "bad.yml:3:5: logs.watch: unknown key"
printf 'logs:\n  redact:\n    mode: loud\n' >"$W/cfg/bad2.yml"
expect_exit 2 "$SLSEC" logs redact --config "$W/cfg/bad2.yml" "$W/cfg/in.log"
expect_contains "$ERR" "bad2.yml:3:11: logs.redact.mode: expected mask, hash or partial"
expect_exit 0 "$SLSEC" scan "$W/cfg" --config "$W/cfg/.slsec.yml" -q
case_end
