#!/usr/bin/env bash
#
# test_tfplan.sh — the Terraform plan front-end, end to end.
#
# tests/fixtures/tfplan/<case>/ holds a plan.json (the shape of
# `terraform show -json`, written by make_fixtures.py) and expect.txt:
#   RULE-ID RESOURCE   a finding that must be reported; for every rule id
#                      named this way, the findings of that rule must be
#                      exactly the ones listed;
#   -RULE-ID RESOURCE  must not fire on that resource;
#   !RULE-ID           must not fire at all;
#   ~RULE-ID TEXT      some finding of the rule has TEXT in its message;
#   count RULE-ID N    the rule fires exactly N times;
#   never TEXT         TEXT appears in no report (json, text, sarif).
# Every finding must point into plan.json, inside planned_values.
# Cases named bad-* are broken plans: exit 2 with file:line:col.
. "$(dirname "$0")/lib.sh"

FIX=tests/fixtures/tfplan

check_case() { # JSON EXPECT PLAN
    py_check "$1" '
import re
want, rules, banned, not_on, texts, never, counts = set(), set(), set(), set(), [], [], []
with open(args[0], encoding="utf-8") as f:
    for n, line in enumerate(f, 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("never "):
            never.append(line[6:])
        elif line.startswith("count "):
            _, r, k = line.split()
            counts.append((r, int(k)))
        elif line.startswith("!"):
            banned.add(line[1:])
        elif line.startswith("-"):
            r, res = line[1:].split(None, 1)
            not_on.add((r, res))
        elif line.startswith("~"):
            r, text = line[1:].split(None, 1)
            texts.append((r, text))
        else:
            p = line.split()
            if len(p) != 2:
                print(f"{args[0]}:{n}: cannot read {line!r}")
                continue
            want.add((p[0], p[1]))
            rules.add(p[0])
got = {(f["rule_id"], f["resource"]) for f in d["findings"]}
for t in sorted(want - got):
    print("missing finding:    %s %s" % t)
for t in sorted(x for x in got - want if x[0] in rules):
    print("unexpected finding: %s %s" % t)
for f in d["findings"]:
    if f["rule_id"] in banned or (f["rule_id"], f["resource"]) in not_on:
        print("%s must not fire on %s" % (f["rule_id"], f["resource"]))
for r, text in texts:
    if not any(f["rule_id"] == r and text in f["message"] for f in d["findings"]):
        print(f"no {r} finding says {text!r}")
for r, k in counts:
    n = sum(1 for f in d["findings"] if f["rule_id"] == r)
    if n != k:
        print(f"{r} fires {n} times, expected {k}")
if not (want or banned or not_on or texts):
    print("expect.txt lists nothing: the case would test nothing")
# Locations: inside planned_values of the plan.
with open(args[1], encoding="utf-8") as f:
    lines = f.read().split("\n")
start = next(i for i, l in enumerate(lines, 1) if l.startswith("  \"planned_values\""))
end = next(i for i, l in enumerate(lines, 1) if l.startswith("  \"resource_changes\""))
for f in d["findings"]:
    if f["rule_id"].startswith("SECRET-"):
        continue  # the secret scan reads the whole file (docs/secrets.md), not the model
    loc = f["location"]
    if loc["file"] != "plan.json" or not (start < loc["line"] < end) or loc["column"] < 1:
        print("%s on %s points at %s:%d:%d, outside planned_values (lines %d-%d)"
              % (f["rule_id"], f["resource"], loc["file"], loc["line"], loc["column"], start, end))
if d["summary"]["templates"] != 1:
    print("expected one plan loaded, got %d" % d["summary"]["templates"])
' "$2" "$3"
}

for dir in "$FIX"/*/; do
    dir=${dir%/}
    name=$(basename "$dir")
    case "$name" in bad-*) continue ;; esac
    case_begin "tfplan: $name"
    expect_exit 0 "$SLSEC" scan "$dir" --format json --fail-on none
    check_case "$OUT" "$dir/expect.txt" "$dir/plan.json"
    for fmt in text json sarif; do
        run "$SLSEC" scan "$dir" --format "$fmt" --fail-on none --no-color
        grep '^never ' "$dir/expect.txt" | cut -c7- | while IFS= read -r secret; do
            if grep -Fq -- "$secret" "$OUT" "$ERR"; then
                echo "the $fmt report shows a sensitive value" >"$TMP/.leak"
            fi
        done
        if [ -f "$TMP/.leak" ]; then
            fail "$(cat "$TMP/.leak")"
            rm -f "$TMP/.leak"
        fi
    done
    case_end
done

case_begin "tfplan: findings at or above --fail-on exit 1"
expect_exit 1 "$SLSEC" scan "$FIX/lambda" --fail-on high
case_end

case_begin "tfplan: a plan named on the command line is loaded"
expect_exit 0 "$SLSEC" scan "$FIX/net/plan.json" --format json --fail-on none
py_check "$OUT" '
if not any(f["rule_id"] == "NET-001" for f in d["findings"]):
    print("NET-001 not reported for the named plan")
'
case_end

case_begin "tfplan: plans are recognised by content, whatever their name"
mkdir -p "$TMP/any"
cp "$FIX/data/plan.json" "$TMP/any/terraform-output.json"
printf '{"format_version": "1.0", "provider_schemas": {}}\n' >"$TMP/any/schemas.json"
expect_exit 0 "$SLSEC" scan "$TMP/any" --format json --fail-on none
py_check "$OUT" '
if d["summary"]["templates"] != 1:
    print("expected the plan alone to load, got %d templates" % d["summary"]["templates"])
if not any(f["resource"] == "aws_s3_bucket.public" for f in d["findings"]):
    print("no finding on aws_s3_bucket.public")
'
case_end

case_begin "tfplan: a one-line plan (as terraform show -json writes it) gives the same findings, on line 1"
mkdir -p "$TMP/oneline"
"$PY" -c 'import json, sys; json.dump(json.load(open(sys.argv[1])), open(sys.argv[2], "w"), separators=(",", ":"))' \
    "$FIX/lambda/plan.json" "$TMP/oneline/plan.json"
expect_exit 0 "$SLSEC" scan "$FIX/lambda" --format json --fail-on none
cp "$OUT" "$TMP/indented.json"
expect_exit 0 "$SLSEC" scan "$TMP/oneline" --format json --fail-on none
py_check "$OUT" '
with open(args[0], encoding="utf-8") as f:
    ref = json.load(f)
# Model findings only: the byte-level secret detectors (SECRET-*) tell
# resources apart by line, which a one-line file does not have.
a = sorted((f["rule_id"], f["resource"]) for f in d["findings"] if not f["rule_id"].startswith("SECRET-"))
b = sorted((f["rule_id"], f["resource"]) for f in ref["findings"] if not f["rule_id"].startswith("SECRET-"))
if a != b:
    print("findings differ from the indented plan: %r" % sorted(set(a) ^ set(b)))
cols = {f["location"]["column"] for f in d["findings"]}
for f in d["findings"]:
    if f["location"]["line"] != 1:
        print("%s on %s at line %d of a one-line file" % (f["rule_id"], f["resource"], f["location"]["line"]))
if len(cols) < 3:
    print("columns do not tell the resources apart: %r" % sorted(cols))
' "$TMP/indented.json"
case_end

bad_case() { # NAME PATTERN
    case_begin "tfplan: $1 exits 2 naming the place"
    expect_exit 2 "$SLSEC" scan "$FIX/$1"
    expect_match "$ERR" "$2"
    case_end
}
bad_case bad-version 'plan\.json:2:[0-9]+: Terraform plan format_version 2\.0 is not supported'
bad_case bad-truncated 'plan\.json:[0-9]+:[0-9]+: invalid YAML/JSON'
bad_case bad-not-object 'plan\.json:1:1: .*must be a JSON object, found a list'

case_begin "tfplan: a broken plan beside a good one is a warning"
expect_exit 0 "$SLSEC" scan "$FIX/bad-version" "$FIX/net" --format json --fail-on none
expect_match "$ERR" 'warning: .*bad-version/plan\.json:2:[0-9]+: Terraform plan format_version 2\.0'
py_check "$OUT" '
if not any(f["rule_id"] == "NET-001" for f in d["findings"]):
    print("the good plan was not scanned")
'
case_end
