#!/usr/bin/env bash
#
# test_integrations.sh — `slsec scan --inventory` end to end (docs/code.md,
# "Outbound integrations"): the AWS services and operations and the HTTP
# hosts each function's code calls, read from JavaScript (SDK v2 and v3),
# TypeScript and Python (boto3) handlers and the project files they import.
# The fixture's expected calls are data beside it
# (tests/fixtures/integrations/expected-integrations.txt); the negative
# cases (URLs in comments and log strings, hosts from input or from the
# environment, test files) must stay out; text, Markdown, the JSON null
# without the option, usage errors, code-only repositories, `slsec
# inventory`'s map and thread-count independence are checked too.
. "$(dirname "$0")/lib.sh"

FX=tests/fixtures/integrations
NOFIND=(--no-config --skip '*')

case_begin "--inventory -f json lists exactly the expected calls, in order"
expect_exit 0 "$SLSEC" scan "${NOFIND[@]}" --inventory -f json "$FX"
cp "$OUT" "$TMP/fx.json"
py_check "$TMP/fx.json" '
got = ["%s %s %s %s %s:%d:%d" % (c["function"], c["kind"], c["service"] or c["host"], c["operation"] or "-",
                                c["location"]["file"], c["location"]["line"], c["location"]["column"])
       for c in d["integrations"]]
want = [l.rstrip("\n") for l in open(args[0], encoding="utf-8") if l.strip() and not l.startswith("#")]
if got != want:
    import difflib
    for l in difflib.unified_diff(want, got, "expected", "got", lineterm="", n=0):
        print(l)
for c in d["integrations"]:
    if (c["kind"] == "aws") != (c["service"] is not None) or (c["kind"] == "host") != (c["host"] is not None):
        print("kind and fields disagree: %s" % c)
    if c["template_function"] != (c["function"] != "tools/sync.py"):
        print("template_function wrong: %s" % c)
    if not c["via"]:
        print("no via: %s" % c)
' "$FX/expected-integrations.txt"
case_end

case_begin "comments, log strings, input-controlled and configured hosts, and test files are not integrations"
py_check "$TMP/fx.json" '
hosts = {c["host"] for c in d["integrations"] if c["host"]}
for h in ["docs.example.org", "log-only.example.org", "print-only.example.org", "test-only.example.com",
          "mirror.example.com"]:
    if h in hosts:
        print("listed a host that is never called, or not fixed by the code: " + h)
for h in hosts:
    if any(ch in h for ch in "/?@:{}$ ") or h != h.lower():
        print("not a bare host: %r" % h)
files = {c["location"]["file"] for c in d["integrations"]}
if "src/orders.test.js" in files:
    print("a test file is in the inventory")
'
# The input-controlled URLs are SSRF findings instead, at the same calls.
expect_exit 1 "$SLSEC" scan --no-config --rule CODE-006 -f json "$FX"
py_check "$OUT" '
got = sorted((f["location"]["file"], f["location"]["line"]) for f in d["findings"])
want = [("reports/app.py", 26), ("reports/app.py", 30), ("src/orders.js", 25), ("src/orders.js", 26)]
if got != want:
    print("CODE-006 at %s, want %s" % (got, want))
'
case_end

case_begin "text: a section per function, operations over bare clients, (+N more), files without a function"
expect_exit 0 "$SLSEC" scan "${NOFIND[@]}" --inventory --no-color "$FX"
expect_contains "$OUT" "Outbound integrations: 6 functions call 8 AWS services and 11 hosts"
cat >"$TMP/legacy.txt" <<'EOF'
  LegacyExportFunction
    aws   dynamodb:GetItem               src/legacy.js:11:22
    aws   dynamodb:PutItem               src/legacy.js:12:9
    aws   s3:GetObject                   src/legacy.js:13:15
    aws   s3:PutObject                   src/legacy.js:14:9
    aws   sns:Publish                    src/legacy.js:16:9
    aws   sqs:SendMessage                src/legacy.js:15:9
    host  partner.example.io             src/legacy.js:17:9
  NightlyReportsFunction
EOF
if ! grep -A8 -x '  LegacyExportFunction' "$OUT" | cmp -s - "$TMP/legacy.txt"; then
    fail "the LegacyExportFunction block differs:"
    grep -A8 -x '  LegacyExportFunction' "$OUT" | diff "$TMP/legacy.txt" - | sed 's/^/        | /' >>"$CASE_LOG"
fi
expect_contains "$OUT" "    aws   s3:PutObject                   reports/app.py:22:5 (+1 more)"
expect_contains "$OUT" "    host  api.stripe.com                 src/lib/payments.js:8:17 (+1 more)"
expect_contains "$OUT" "    host  hooks.slack.com                reports/helpers/notify.py:8:11"
expect_contains "$OUT" "    aws   secretsmanager:GetSecretValue  ts/src/index.ts:18:34"
expect_contains "$OUT" "  tools/sync.py  (no template function)"
expect_not_contains "$OUT" "aws   s3      " # a bare client line hidden behind s3's operations
# the summary line still ends the report
expect_match "$OUT" "^Scanned 1 template"
case_end

case_begin "functions sharing a handler both get its calls"
py_check "$TMP/fx.json" '
by = {}
for c in d["integrations"]:
    by.setdefault(c["function"], []).append((c["kind"], c["service"] or c["host"], c["operation"], c["location"]["line"]))
if by.get("OrdersFunction") != by.get("OrdersReplayFunction") or not by.get("OrdersFunction"):
    print("OrdersFunction and OrdersReplayFunction differ")
'
case_end

case_begin "markdown lists them in a table; without --inventory JSON has null and text no section"
expect_exit 0 "$SLSEC" scan "${NOFIND[@]}" --inventory -f markdown "$FX"
expect_contains "$OUT" "## Outbound integrations"
expect_contains "$OUT" "| LegacyExportFunction | aws | sns:Publish | src/legacy.js:16:9 |"
expect_contains "$OUT" "| tools/sync.py (no template function) | host | upload.partner.example.com | tools/sync.py:10:5 |"
expect_exit 0 "$SLSEC" scan "${NOFIND[@]}" -f json "$FX"
expect_eq "$(json_get "$OUT" 'd["integrations"] is None')" "true" "integrations is null without --inventory"
expect_exit 0 "$SLSEC" scan "${NOFIND[@]}" --no-color "$FX"
expect_not_contains "$OUT" "Outbound integrations"
case_end

case_begin "--inventory is refused where it cannot be shown"
expect_exit 2 "$SLSEC" scan "${NOFIND[@]}" --inventory -f sarif "$FX"
expect_contains "$ERR" "--inventory"
expect_exit 2 "$SLSEC" scan "${NOFIND[@]}" --inventory -f junit "$FX"
expect_exit 2 "$SLSEC" scan "${NOFIND[@]}" --inventory --no-code "$FX"
expect_contains "$ERR" "--no-code"
case_end

case_begin "without templates: files with handlers stand for functions, helpers count for their importers"
expect_exit 0 "$SLSEC" scan "${NOFIND[@]}" --inventory -f json "$FX/src"
py_check "$OUT" '
fns = sorted({(c["function"], c["template_function"]) for c in d["integrations"]})
if fns != [("legacy.js", False), ("orders.js", False)]:
    print("functions %s: want legacy.js and orders.js (lib/payments.js is orders.js helper, tests are out)" % fns)
stripe = [c["location"]["file"] for c in d["integrations"] if c["host"] == "api.stripe.com"]
if stripe != ["lib/payments.js", "lib/payments.js"]:
    print("api.stripe.com found at %s, want lib/payments.js twice under orders.js" % stripe)
'
case_end

case_begin "slsec inventory draws the code's calls: service nodes, operations on the edges, files as functions"
expect_exit 0 "$SLSEC" inventory --no-config -f json "$FX"
py_check "$OUT" '
nodes = {n["id"]: n for n in d["nodes"]}
for s in ["dynamodb", "events", "s3", "secretsmanager", "sns", "sqs", "ssm", "states"]:
    if "service:" + s not in nodes:
        print("no service:" + s)
if d["counts"].get("aws services") != 8 or d["counts"].get("external hosts") != 11:
    print("counts %s" % d["counts"])
f = nodes.get("function:tools/sync.py")
if not f or f["type"] != "source file" or f["location"]["file"] != "tools/sync.py":
    print("the operator script is not a source-file function: %s" % f)
edges = {(e["from"], e["to"]): e for e in d["edges"]}
e = edges.get(("function:OrdersFunction", "service:dynamodb"))
if not e or e["kind"] != "calls" or e["actions"] != ["dynamodb:PutItem", "dynamodb:Query"]:
    print("OrdersFunction -> dynamodb: %s" % e)
e = edges.get(("function:NightlyReportsFunction", "host:hooks.slack.com"))
if not e or e["kind"] != "calls" or e["actions"]:
    print("NightlyReportsFunction -> hooks.slack.com: %s" % e)
'
expect_exit 0 "$SLSEC" inventory --no-config -f mermaid "$FX"
expect_contains "$OUT" '[["s3 · no findings"]]'
expect_exit 0 "$SLSEC" inventory --no-config -f dot "$FX"
expect_contains "$OUT" "shape=component"
case_end

case_begin "the same integrations whatever the thread count"
expect_exit 0 "$SLSEC" scan "${NOFIND[@]}" --inventory -f json -j 1 "$FX"
cp "$OUT" "$TMP/j1.json"
expect_exit 0 "$SLSEC" scan "${NOFIND[@]}" --inventory -f json -j 4 "$FX"
if ! cmp -s "$OUT" "$TMP/j1.json"; then
    fail "-j 1 and -j 4 give different reports"
fi
case_end

case_begin "the example apps: the vulnerable one's handlers call four AWS services, no host"
expect_exit 1 "$SLSEC" scan --no-config --inventory -f json examples/vulnerable-app
py_check "$OUT" '
ops = sorted({(c["function"], c["service"], c["operation"]) for c in d["integrations"] if c["operation"]})
want = [("CleanupFunction", "dynamodb", "DeleteItem"), ("CleanupFunction", "dynamodb", "Scan"),
        ("CleanupFunction", "s3", "PutObject"), ("OrderWorkerFunction", "dynamodb", "UpdateItem"),
        ("OrderWorkerFunction", "sns", "Publish"), ("OrdersApiFunction", "dynamodb", "DeleteItem"),
        ("OrdersApiFunction", "dynamodb", "ExecuteStatement"), ("OrdersApiFunction", "dynamodb", "PutItem"),
        ("OrdersApiFunction", "s3", "GetObject"), ("OrdersApiFunction", "sqs", "SendMessage"),
        ("ReceiptFunction", "s3", "GetObject"), ("ReceiptFunction", "s3", "PutObject"),
        ("ReceiptFunction", "sns", "Publish")]
if ops != want:
    print("operations %s" % ops)
if any(c["host"] for c in d["integrations"]):
    print("a host where the code names none (the payments URL comes from the environment)")
'
case_end
