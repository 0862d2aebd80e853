#!/usr/bin/env bash
#
# test_formats.sh — the report formats and the catalogue commands.
#
# JSON and `rules --format json` are documented contracts (docs/json-format.md):
# the fields checked here may gain siblings but never disappear. SARIF is
# validated against the official 2.1.0 schema, which lives outside the
# repository (../shared/schemas); a clone without it skips that case, saying
# so, and still checks the SARIF fields slsec promises.
. "$(dirname "$0")/lib.sh"

VULN=examples/vulnerable-app
HARD=examples/hardened-app

# ---- json ----------------------------------------------------------------

case_begin "json report has the contract fields"
expect_exit 1 "$SLSEC" scan "$VULN" --format json
cp "$OUT" "$TMP/vuln.json"
py_check "$TMP/vuln.json" '
SEV = ("critical", "high", "medium", "low", "info")
for k in ("tool", "version", "findings", "summary"):
    if k not in d:
        print(f"top-level field {k!r} missing")
if d.get("tool") != "slsec":
    print("tool is %r, expected slsec" % d.get("tool"))
if not isinstance(d.get("findings"), list) or not d["findings"]:
    print("findings is not a non-empty list")
for i, f in enumerate(d.get("findings", [])):
    where = "findings[%d] (%s)" % (i, f.get("rule_id"))
    for k in ("rule_id", "severity", "title", "message", "resource", "fingerprint"):
        if not isinstance(f.get(k), str) or not f.get(k):
            print(f"{where}: {k} missing or not a non-empty string")
    if f.get("severity") not in SEV:
        print("%s: severity %r not one of %s" % (where, f.get("severity"), SEV))
    loc = f.get("location") or {}
    if not isinstance(loc.get("file"), str) or loc.get("file", "/").startswith("/"):
        print("%s: location.file must be a path relative to the scanned root, got %r" % (where, loc.get("file")))
    for k in ("line", "column"):
        if not isinstance(loc.get(k), int) or loc.get(k) < 1:
            print(f"{where}: location.{k} must be an integer >= 1, got {loc.get(k)!r}")
s = d.get("summary", {})
if isinstance(s, dict) and "total" in s and s["total"] != len(d.get("findings", [])):
    print("summary.total %s != %d findings" % (s["total"], len(d["findings"])))
fps = [f.get("fingerprint") for f in d.get("findings", [])]
if len(set(fps)) != len(fps):
    print("two findings share a fingerprint")
'
case_end

case_begin "json report is deterministic (two runs, same bytes)"
expect_exit 1 "$SLSEC" scan "$VULN" --format json
if ! cmp -s "$OUT" "$TMP/vuln.json"; then
    fail "two scans of $VULN gave different JSON"
    diff "$TMP/vuln.json" "$OUT" | head -n 10 | sed 's/^/        | /' >>"$CASE_LOG"
fi
case_end

# ---- sarif ---------------------------------------------------------------

case_begin "sarif report has rules, results, regions and fingerprints"
expect_exit 1 "$SLSEC" scan "$VULN" --format sarif -o "$TMP/vuln.sarif"
expect_empty "$OUT"
expect_exit 0 "$SLSEC" scan "$HARD" --format sarif -o "$TMP/hard.sarif" --fail-on none
py_check "$TMP/vuln.sarif" '
if d.get("version") != "2.1.0":
    print("version is %r" % d.get("version"))
run = d["runs"][0]
rules = run["tool"]["driver"].get("rules", [])
ids = {r["id"] for r in rules}
if not rules:
    print("tool.driver.rules is empty")
for r in rules:
    if not (r.get("help") or {}).get("text"):
        print("rule %s has no help text" % r.get("id"))
results = run.get("results", [])
if not results:
    print("no results for the vulnerable example")
for i, res in enumerate(results):
    w = f"results[{i}]"
    if res.get("ruleId") not in ids:
        print("%s: ruleId %r not in tool.driver.rules" % (w, res.get("ruleId")))
    if res.get("level") not in ("error", "warning", "note", "none"):
        print("%s: level %r" % (w, res.get("level")))
    reg = res["locations"][0]["physicalLocation"]["region"]
    if reg.get("startLine", 0) < 1 or reg.get("startColumn", 0) < 1:
        print(f"{w}: region without startLine/startColumn: {reg}")
    if not res.get("partialFingerprints"):
        print(f"{w}: no partialFingerprints")
'
case_end

schema=$(sarif_schema)
if [ -z "$schema" ]; then
    case_skip "sarif validates against the SARIF 2.1.0 schema" \
        "../shared not present: SARIF schema validation not run"
else
    case_begin "sarif validates against the SARIF 2.1.0 schema"
    for f in "$TMP/vuln.sarif" "$TMP/hard.sarif"; do
        expect_exit 0 "$PY" tests/cli/sarif_validate.py "$schema" "$f"
        if [ "$RC" -eq 77 ]; then
            fail "python3-jsonschema missing (scripts/deps.sh installs it)"
        fi
    done
    case_end
fi

# ---- junit, markdown, text -------------------------------------------------

case_begin "junit report is well-formed XML with one failure per finding"
expect_exit 1 "$SLSEC" scan "$VULN" --format junit
cp "$OUT" "$TMP/vuln.xml"
py_check - '
import xml.etree.ElementTree as ET
try:
    root = ET.parse(args[0]).getroot()
except ET.ParseError as e:
    print(f"not XML: {e}")
    raise SystemExit(1)
if root.tag not in ("testsuites", "testsuite"):
    print(f"root element is <{root.tag}>")
cases = root.findall(".//testcase")
fails = [c for c in cases if c.find("failure") is not None]
n = len(json.load(open(args[1]))["findings"])
if len(fails) != n:
    print(f"{len(fails)} failed testcases for {n} findings")
' "$TMP/vuln.xml" "$TMP/vuln.json"
case_end

case_begin "markdown report holds a findings table"
expect_exit 1 "$SLSEC" scan "$VULN" --format markdown
expect_match "$OUT" '^\|.*\|$'
expect_match "$OUT" '^\|[ :]*-{3,}[ :]*\|'
expect_contains "$OUT" "IAM-001"
case_end

case_begin "text report: no ANSI colour when not a TTY or with NO_COLOR"
expect_exit 1 "$SLSEC" scan "$VULN"
if grep -q $'\033\\[' "$OUT"; then fail "ANSI escapes in text written to a pipe"; fi
expect_exit 1 env NO_COLOR=1 "$SLSEC" scan "$VULN"
if grep -q $'\033\\[' "$OUT"; then fail "ANSI escapes with NO_COLOR=1"; fi
case_end

# ---- -o FILE ---------------------------------------------------------------

case_begin "-o FILE writes the report there and nothing to stdout"
for fmt in text json sarif junit markdown; do
    rm -f "$TMP/report.$fmt"
    expect_exit 1 "$SLSEC" scan "$VULN" --format "$fmt" -o "$TMP/report.$fmt"
    expect_empty "$OUT"
    expect_nonempty "$TMP/report.$fmt"
done
expect_exit 1 "$SLSEC" scan "$VULN" --format json --output "$TMP/long.json"
if ! cmp -s "$TMP/long.json" "$TMP/vuln.json"; then
    fail "--output FILE differs from the same report on stdout"
fi
case_end

# `-o /dev/null` is how benchmarks and CI discard a report. The report is
# written to a temporary file and renamed into place; done blindly, that
# rename replaces /dev/null itself with a regular file (as root). A FIFO
# stands in for /dev/null here, so a failure cannot harm the machine.
case_begin "-o to a non-regular file (a FIFO, like /dev/null) writes into it, never replaces it"
mkfifo "$TMP/pipe"
timeout 25 cat "$TMP/pipe" >"$TMP/pipe.out" &
reader=$!
expect_exit 1 "$SLSEC" scan "$VULN" --format json -o "$TMP/pipe"
if [ -p "$TMP/pipe" ]; then
    wait "$reader"
    if ! cmp -s "$TMP/pipe.out" "$TMP/vuln.json"; then
        fail "the report read from the FIFO differs from the one on stdout"
    fi
else
    fail "-o replaced the FIFO with a regular file: 'slsec scan -o /dev/null' run as root replaces /dev/null"
    kill "$reader" 2>/dev/null
    wait "$reader" 2>/dev/null
fi
case_end

case_begin "-o into a folder that does not exist is a usage error (exit 2)"
expect_exit 2 "$SLSEC" scan "$VULN" -o "$TMP/no/such/dir/out.json" --format json
expect_nonempty "$ERR"
case_end

# ---- rules and explain ----------------------------------------------------------

case_begin "rules --format json has the contract fields"
expect_exit 0 "$SLSEC" rules --format json
cp "$OUT" "$TMP/rules.json"
py_check "$TMP/rules.json" '
import re
FAMILIES = {"IAM", "FN", "API", "DATA", "NET", "LOG", "PIPE", "SECRET", "CODE", "DEP", "AUDIT"}
SEV = ("critical", "high", "medium", "low", "info")
REFS = ("cwe", "owasp_serverless", "checkov", "cfn_nag", "cdk_nag")
rules = d["rules"]
if len(rules) < 30:
    print(f"only {len(rules)} rules; the issue asks for at least 30")
ids = [r.get("id") for r in rules]
if len(set(ids)) != len(ids):
    print("duplicate rule ids")
for r in rules:
    rid = r.get("id")
    if not re.fullmatch(r"[A-Z]+-[0-9]{3}", rid or ""):
        print(f"id {rid!r} is not FAMILY-NNN")
        continue
    if r.get("family") != rid.split("-")[0] or r.get("family") not in FAMILIES:
        print("%s: family %r" % (rid, r.get("family")))
    if r.get("severity") not in SEV:
        print("%s: severity %r" % (rid, r.get("severity")))
    if not isinstance(r.get("title"), str) or not r["title"]:
        print(f"{rid}: no title")
    refs = r.get("references")
    if not isinstance(refs, dict):
        print(f"{rid}: references missing")
        continue
    for k in REFS:
        v = refs.get(k)
        if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
            print(f"{rid}: references.{k} must be a list of strings, got {v!r}")
    for c in refs.get("cwe") or []:
        if not re.fullmatch(r"CWE-[0-9]+", c):
            print(f"{rid}: cwe {c!r}")
    for c in refs.get("checkov") or []:
        if not re.fullmatch(r"CKV2?_AWS_[0-9]+", c):
            print(f"{rid}: checkov {c!r}")
'
case_end

case_begin "explain IAM-001 exits 0 and shows Why and Fix"
expect_exit 0 "$SLSEC" explain IAM-001
expect_contains "$OUT" "IAM-001"
expect_match "$OUT" '^(#+ *)?Why'
expect_match "$OUT" '^(#+ *)?Fix'
case_end

case_begin "explain works for every rule of the catalogue"
ids=$(json_get "$TMP/rules.json" '" ".join(r["id"] for r in d["rules"])' 2>/dev/null)
[ -n "$ids" ] || fail "no rule ids from 'slsec rules --format json'"
for id in $ids; do
    expect_exit 0 "$SLSEC" explain "$id"
    expect_contains "$OUT" "$id"
done
case_end

case_begin "explain NOPE-999 exits 2 and says the rule is unknown"
expect_exit 2 "$SLSEC" explain NOPE-999
expect_contains "$ERR" "NOPE-999"
expect_empty "$OUT"
case_end
