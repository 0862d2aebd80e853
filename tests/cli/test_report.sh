#!/usr/bin/env bash
#
# test_report.sh — `slsec scan --history`, `slsec history`, `slsec report`
# and `slsec inventory` end to end.
#
# The history cases change the scanned template between scans and check
# that the fixed and new counts follow; the bad-history cases check that a
# corrupt or newer file is reported, left byte-for-byte unchanged, and does
# not change the scan's exit code. The report is checked for being
# self-contained (nothing to fetch) and for escaping (a template value and
# a commit message holding markup). The browser case renders the report
# in headless Chromium from a file:// URL, asserts that the page logs no
# console message or policy violation and that the counts it shows equal
# the JSON report's, and keeps a screenshot next to the binary; it is
# skipped, with the reason, where Chromium is not installed.
. "$(dirname "$0")/lib.sh"

VULN=examples/vulnerable-app
APP="$TMP/app"
cp -r "$VULN" "$APP"

sha() { sha256sum "$1" | cut -d' ' -f1; }

case_begin "every new command has --help"
for c in report history inventory; do
    expect_exit 0 "$SLSEC" "$c" --help
    expect_contains "$OUT" "usage: slsec $c"
done
expect_exit 0 "$SLSEC" scan --help
expect_contains "$OUT" "--history[=FILE]"
case_end

case_begin "scan --history records runs; history shows new, fixed and still open"
expect_exit 1 "$SLSEC" scan "$APP" --history --format json
cp "$OUT" "$TMP/scan1.json"
expect_file "$APP/.slsec/history.db"
expect_contains "$ERR" "recorded as run 1"
# Fix the deprecated runtime of the worker: its FN-004 finding goes away.
sed -i 's/Runtime: python3.7/Runtime: python3.12/' "$APP/template.yaml"
expect_exit 1 "$SLSEC" scan "$APP" --history --format json
cp "$OUT" "$TMP/scan2.json"
expect_exit 0 "$SLSEC" history "$APP" --format json
cp "$OUT" "$TMP/history.json"
py_check "$TMP/history.json" '
s1 = json.load(open(args[0])); s2 = json.load(open(args[1]))
runs = d["runs"]
if len(runs) != 2: print("expected 2 runs, got %d" % len(runs)); raise SystemExit
fp1 = {f["fingerprint"] for f in s1["findings"] if not f.get("suppressed")}
fp2 = {f["fingerprint"] for f in s2["findings"] if not f.get("suppressed")}
r1, r2 = runs
if r1["total"] != len(fp1): print("run 1 total %d, scan had %d" % (r1["total"], len(fp1)))
if r2["total"] != len(fp2): print("run 2 total %d, scan had %d" % (r2["total"], len(fp2)))
if not r1["first_of_root"] or r1["new"] != len(fp1): print("run 1 should be first with all new: %r" % r1)
if r2["fixed"] != len(fp1 - fp2): print("fixed %d, expected %d" % (r2["fixed"], len(fp1 - fp2)))
if r2["new"] != len(fp2 - fp1): print("new %d, expected %d" % (r2["new"], len(fp2 - fp1)))
if r2["still_open"] != len(fp1 & fp2): print("open %d, expected %d" % (r2["still_open"], len(fp1 & fp2)))
if not fp1 - fp2: print("the edit fixed nothing: the case tests nothing")
for r in runs:
    if sum(r["families"].values()) != r["total"]: print("run %d: families %r do not add up to %d" % (r["id"], r["families"], r["total"]))
fam2 = {}
for f in s2["findings"]:
    fam2[f["rule_id"].split("-")[0]] = fam2.get(f["rule_id"].split("-")[0], 0) + 1
if r2["families"] != fam2: print("run 2 families %r, scan %r" % (r2["families"], fam2))
for sev in ("critical", "high", "medium", "low", "info"):
    want = sum(1 for f in s2["findings"] if f["severity"] == sev and not f.get("suppressed"))
    if r2["counts"][sev] != want: print("run 2 %s: %d vs %d" % (sev, r2["counts"][sev], want))
' "$TMP/scan1.json" "$TMP/scan2.json"
expect_exit 0 "$SLSEC" history "$APP"
expect_match "$OUT" '^RUN +DATE'
expect_eq "$(grep -c '^[0-9]' "$OUT")" 2 "lines of runs"
expect_exit 0 "$SLSEC" history "$APP" --run 2
expect_match "$OUT" '^fixed +high +FN-004 +OrderWorkerFunction'
case_end

case_begin "--history=FILE writes where it is told, and only there"
expect_exit 1 "$SLSEC" scan "$VULN" --history="$TMP/elsewhere.db" -q
expect_file "$TMP/elsewhere.db"
if [ -e "$VULN/.slsec" ]; then fail "a history was created in the example folder"; fi
expect_exit 0 "$SLSEC" history --history "$TMP/elsewhere.db" --limit 1 -f json
py_check "$OUT" 'if len(d["runs"]) != 1: print("limit 1 gave %d runs" % len(d["runs"]))'
case_end

case_begin "a corrupt history is reported, left alone, and the scan still succeeds"
head -c 8192 /dev/urandom >"$TMP/corrupt.db"
before=$(sha "$TMP/corrupt.db")
expect_exit 1 "$SLSEC" scan "$VULN" --history="$TMP/corrupt.db" --format json
expect_contains "$ERR" "corrupt or not a database"
expect_contains "$ERR" "not recorded"
py_check "$OUT" 'if not d["findings"]: print("no report written")'
expect_eq "$(sha "$TMP/corrupt.db")" "$before" "corrupt history checksum"
expect_exit 2 "$SLSEC" history --history "$TMP/corrupt.db"
expect_contains "$ERR" "corrupt"
case_end

case_begin "a history from a newer slsec is refused and never rewritten"
"$PY" -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript("CREATE TABLE runs(id INTEGER PRIMARY KEY, x TEXT); PRAGMA application_id=1936487267; PRAGMA user_version=7;")
c.close()' "$TMP/newer.db"
before=$(sha "$TMP/newer.db")
expect_exit 1 "$SLSEC" scan "$VULN" --history="$TMP/newer.db" -q
expect_contains "$ERR" "written by a newer slsec"
expect_exit 2 "$SLSEC" history --history "$TMP/newer.db"
expect_contains "$ERR" "schema version 7"
expect_exit 2 "$SLSEC" report "$VULN" --history "$TMP/newer.db" -q -o "$TMP/never.html"
if [ -e "$TMP/never.html" ]; then fail "a report was written from a refused history"; fi
expect_eq "$(sha "$TMP/newer.db")" "$before" "newer history checksum"
case_end

case_begin "history: bad usage and a missing file exit 2"
expect_exit 2 "$SLSEC" history --limit many
expect_exit 2 "$SLSEC" history --run 0
expect_exit 2 "$SLSEC" history --history "$TMP/missing.db"
expect_contains "$ERR" "scan --history"
expect_exit 2 "$SLSEC" report -f docx "$VULN"
expect_exit 2 "$SLSEC" inventory -f png "$VULN"
case_end

case_begin "report: one self-contained HTML page whose counts equal the scan's"
expect_exit 0 "$SLSEC" report "$APP" -q -o "$TMP/report.html"
expect_exit 1 "$SLSEC" scan "$APP" --format json
cp "$OUT" "$TMP/now.json"
"$PY" - "$TMP/report.html" "$TMP/now.json" >"$TMP/problems" <<'EOF'
import json, re, sys
html = open(sys.argv[1], encoding="utf-8").read()
scan = json.load(open(sys.argv[2]))
for sev in ("critical", "high", "medium", "low", "info"):
    m = re.search(r'id="count-%s" data-count="(\d+)"' % sev, html)
    want = sum(1 for f in scan["findings"] if f["severity"] == sev and not f.get("suppressed"))
    if not m or int(m.group(1)) != want:
        print("count-%s: %s vs %d" % (sev, m and m.group(1), want))
# Nothing to fetch: no external URL in src/href, no CSS import or url().
for pat in (r'\ssrc=', r'href="(?!#)', r'@import', r'url\(', r'<link', r'<iframe', r'<img'):
    if re.search(pat, html): print("not self-contained: %s" % pat)
for section in ("summary", "by-function", "by-rule", "trends", "compliance", "inventory"):
    if 'id="%s"' % section not in html: print("missing section %s" % section)
for sas in range(1, 11):
    if 'data-control="SAS-%d"' % sas not in html: print("missing SAS-%d" % sas)
for c in ("least-privilege", "input-validation", "dependencies", "secrets", "logging", "timeouts", "identity",
          "code-review", "monitoring", "perimeter", "encryption", "pipeline", "network", "data-stores",
          "third-parties", "compliance"):
    if 'data-control="%s"' % c not in html: print("missing control %s" % c)
if "@media print" not in html: print("no print stylesheet")
if html.count("<script") != 1: print("expected exactly one script element, found %d" % html.count("<script"))
if 'id="trend-chart"' not in html: print("no trend chart despite two recorded runs")
m = re.search(r'<table id="families">.*?</table>', html, re.S)
if not m or m.group(0).count("<th class=\"n\">run ") != 2: print("no family table with the two runs")
if 'id="inventory-map"' not in html: print("no inventory map")
EOF
if [ -s "$TMP/problems" ]; then fail "report problems:"; note_file "$TMP/problems" 30; fi
case_end

case_begin "markup in template values and commit messages stays text"
X="$TMP/xss"
mkdir -p "$X"
cat >"$X/template.yaml" <<'EOF'
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  "Fn<img src=x onerror=alert(3)>":
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Environment:
        Variables:
          "DB_PASSWORD<script>alert(1)</script>": "S3cr3tPassw0rd!xyz9"
EOF
git -C "$X" init -q 2>/dev/null
git -C "$X" add template.yaml
git -C "$X" -c user.email=t@example.com -c user.name=t commit -qm '<script>alert("commit")</script> fix' 2>/dev/null
expect_exit "0|1" "$SLSEC" scan "$X" --history --no-secrets -q
expect_exit 0 "$SLSEC" report "$X" -q -o "$TMP/xss.html"
expect_contains "$TMP/xss.html" "DB_PASSWORD&lt;script&gt;alert(1)&lt;/script&gt;"
expect_contains "$TMP/xss.html" "&lt;script&gt;alert(&quot;commit&quot;)&lt;/script&gt;"
expect_contains "$TMP/xss.html" "Fn&lt;img src=x onerror=alert(3)&gt;"
expect_not_contains "$TMP/xss.html" "<script>alert"
expect_not_contains "$TMP/xss.html" "<img"
# Markdown: markup is backslash-escaped, never left bare.
expect_exit 0 "$SLSEC" report "$X" -q -f markdown
expect_contains "$OUT" 'DB\_PASSWORD\<script\>'
if grep -En '(^|[^\\])<(script|img)' "$OUT" >"$TMP/bare"; then fail "bare markup in Markdown:"; note_file "$TMP/bare"; fi
expect_exit 0 "$SLSEC" inventory "$X" -q -f mermaid
expect_contains "$OUT" "#60;img"
expect_not_contains "$OUT" "<img"
# DOT: the name stays inside its quoted label; no HTML-like label is made.
expect_exit 0 "$SLSEC" inventory "$X" -q -f dot
expect_contains "$OUT" 'label="Fn<img src=x onerror=alert(3)>\nhigh"'
expect_not_contains "$OUT" "label=<"
case_end

case_begin "report --format markdown has every section"
expect_exit 0 "$SLSEC" report "$APP" -q -f markdown
for h in "## Summary" "## Findings by rule" "## Findings by function" "## Trends" "## Compliance" "## Inventory" '```mermaid'; do
    expect_contains "$OUT" "$h"
done
expect_contains "$OUT" "| OWASP Serverless Top 10 | SAS-4 "
case_end

case_begin "inventory: JSON, DOT and Mermaid of the vulnerable example"
expect_exit 0 "$SLSEC" inventory "$VULN" -q
py_check "$OUT" '
ids = [n["id"] for n in d["nodes"]]
if len(ids) != len(set(ids)): print("duplicate node ids")
kinds = {k: sum(1 for n in d["nodes"] if n["kind"] == k) for k in ("function", "trigger", "role", "store", "key", "host")}
if kinds != {"function": 4, "trigger": 7, "role": 4, "store": 6, "key": 1, "host": 1}: print("kinds: %r" % kinds)
if d["counts"]["edges"] != len(d["edges"]): print("edge count")
for e in d["edges"]:
    if e["from"] not in ids or e["to"] not in ids: print("dangling edge %r" % e)
acc = [e for e in d["edges"] if e["from"] == "function:OrdersApiFunction" and e["to"] == "store:OrdersTable"]
if not acc or "dynamodb:*" not in acc[0]["actions"]: print("OrdersApiFunction -> OrdersTable lacks dynamodb:*")
'
expect_exit 0 "$SLSEC" inventory "$VULN" -q -f dot
expect_match "$OUT" '^digraph inventory \{'
expect_contains "$OUT" '-> '
expect_exit 0 "$SLSEC" inventory "$VULN" -q -f mermaid -o "$TMP/inv.mmd"
expect_match "$TMP/inv.mmd" '^flowchart LR'
case_end

case_begin "--format pdf says so when Chromium is missing"
run env -u SLSEC_CHROMIUM PATH=/nonexistent "$SLSEC" report "$VULN" -q -f pdf -o "$TMP/r.pdf"
expect_eq "$RC" 2 "exit code"
expect_contains "$ERR" "Chromium"
if [ -e "$TMP/r.pdf" ]; then fail "a PDF file was left behind"; fi
case_end

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
    case_skip "the report renders in headless Chromium with no console error" \
        "chromium is not installed (scripts/deps.sh installs Debian's chromium)"
    case_skip "--format pdf prints through Chromium" "chromium is not installed"
else
    case_begin "the report renders in headless Chromium with no console error"
    expect_exit 0 "$SLSEC" report "$VULN" -q --no-history -o "$TMP/browser.html"
    expect_exit 1 "$SLSEC" scan "$VULN" --format json
    cp "$OUT" "$TMP/browser.json"
    SHOT="$(dirname "$SLSEC")/report-screenshot.png"
    rm -f "$SHOT"
    # The network flags keep Chromium from calling home; the page itself
    # has nothing to fetch (its CSP would refuse it anyway, loudly).
    FLAGS=(--headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run
           --disable-dev-shm-usage --enable-logging=stderr --v=0)
    TIMEOUT=120 run "$CHROMIUM" "${FLAGS[@]}" --user-data-dir="$TMP/chrome-dom" --dump-dom "file://$TMP/browser.html"
    cp "$OUT" "$TMP/dom.html"
    cp "$ERR" "$TMP/chrome-dom.log"
    TIMEOUT=120 run "$CHROMIUM" "${FLAGS[@]}" --user-data-dir="$TMP/chrome-shot" --window-size=1280,4000 \
        --screenshot="$SHOT" "file://$TMP/browser.html"
    cat "$ERR" >>"$TMP/chrome-dom.log"
    expect_file "$SHOT"
    if grep -E 'CONSOLE|Uncaught|Refused to|Content Security Policy' "$TMP/chrome-dom.log" >"$TMP/console"; then
        fail "console messages while rendering:"
        note_file "$TMP/console" 20
    fi
    "$PY" - "$TMP/dom.html" "$TMP/browser.json" >"$TMP/problems" <<'EOF'
import json, re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
scan = json.load(open(sys.argv[2]))
if "</html>" not in dom: print("no DOM dumped")
total = 0
for sev in ("critical", "high", "medium", "low", "info"):
    m = re.search(r'id="count-%s" data-count="\d+">(\d+)<' % sev, dom)
    want = sum(1 for f in scan["findings"] if f["severity"] == sev and not f.get("suppressed"))
    total += want
    if not m or int(m.group(1)) != want: print("shown %s: %s, JSON: %d" % (sev, m and m.group(1), want))
m = re.search(r'id="count-total" data-count="\d+">(\d+)<', dom)
if not m or int(m.group(1)) != total: print("shown total %s, JSON %d" % (m and m.group(1), total))
# The filter script ran: it un-hides the filter box.
if not re.search(r'<input id="filter" class=""', dom): print("the filter script did not run")
rows = len(re.findall(r'<tr><td><span class="sev sev-', dom))
if rows != total: print("finding rows by function: %d, findings: %d" % (rows, total))
EOF
    if [ -s "$TMP/problems" ]; then fail "rendered page:"; note_file "$TMP/problems" 20; fi
    case_end

    case_begin "--format pdf prints through Chromium"
    TIMEOUT=120 expect_exit 0 "$SLSEC" report "$VULN" -q -f pdf -o "$TMP/r.pdf"
    expect_eq "$(head -c 5 "$TMP/r.pdf" 2>/dev/null)" "%PDF-" "PDF header"
    case_end
fi
