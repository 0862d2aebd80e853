#!/usr/bin/env bash
#
# test_baseline.sh — `slsec scan --write-baseline FILE` and `--baseline FILE`.
#
# A baseline accepts today's findings by fingerprint; later scans report
# (and fail on) only new ones. Fingerprints hash rule, file, resource and
# key, never the line: moving a resource down 30 lines, or reformatting,
# must keep every finding matched. The cases below check that the moved
# findings really changed lines, so the test cannot pass by accident.
. "$(dirname "$0")/lib.sh"

APP="$TMP/app"
mkdir -p "$APP"
# Resources is the last section of the copy (Outputs cut off), so blocks
# can be moved to, and added at, its end.
sed '/^Outputs:/,$d' examples/vulnerable-app/template.yaml >"$APP/template.yaml"

# move_down FILE RESOURCE: moves RESOURCE's block (its key at two spaces of
# indent, up to the next such key) to the end of the template, after 30
# comment lines.
move_down() {
    "$PY" - "$1" "$2" <<'EOF'
import re, sys
path, name = sys.argv[1], sys.argv[2]
lines = open(path, encoding="utf-8").read().split("\n")
start = next(i for i, l in enumerate(lines) if l == f"  {name}:")
end = start + 1
while end < len(lines) and not re.match(r"^(  [A-Za-z]|[A-Za-z])", lines[end]):
    end += 1
block = lines[start:end]
rest = lines[:start] + lines[end:]
while rest and rest[-1] == "":
    rest.pop()
rest += ["  # padding %d" % i for i in range(30)] + block + [""]
open(path, "w", encoding="utf-8").write("\n".join(rest))
EOF
}

case_begin "--write-baseline writes every finding and reports none of them"
expect_exit 0 "$SLSEC" scan "$APP" --write-baseline "$TMP/baseline.json" --format json
cp "$OUT" "$TMP/after-write.json"
expect_contains "$ERR" "baseline $TMP/baseline.json written with"
py_check "$TMP/after-write.json" 'if d["findings"]: print("findings reported after --write-baseline: %d" % len(d["findings"]))'
expect_exit 1 "$SLSEC" scan "$APP" --format json
cp "$OUT" "$TMP/full.json"
py_check "$TMP/baseline.json" '
full = json.load(open(args[0]))
want = {f["fingerprint"] for f in full["findings"]}
got = [f["fingerprint"] for f in d["findings"]]
if d.get("version") != 1: print("version is not 1")
if len(got) != len(set(got)): print("duplicate fingerprints")
if set(got) != want: print("baseline fingerprints differ from the scan: %d vs %d" % (len(set(got)), len(want)))
if not want: print("the vulnerable app has no findings: nothing was tested")
for f in d["findings"]:
    if not f.get("rule_id") or not f.get("file"): print("entry without rule_id or file: %r" % f)
' "$TMP/full.json"
case_end

case_begin "--write-baseline is deterministic"
expect_exit 0 "$SLSEC" scan "$APP" --write-baseline "$TMP/baseline2.json" -q
if ! cmp -s "$TMP/baseline.json" "$TMP/baseline2.json"; then
    fail "two baselines of the same app differ"
fi
case_end

case_begin "--baseline hides accepted findings and exits 0 at any --fail-on"
expect_exit 0 "$SLSEC" scan "$APP" --baseline "$TMP/baseline.json" --fail-on info --format json
py_check "$OUT" 'if d["findings"]: print("reported: " + ", ".join(f["rule_id"] for f in d["findings"]))'
expect_contains "$ERR" "listed in the baseline are not reported"
case_end

case_begin "a resource moved down 30 lines still matches the baseline"
cp "$APP/template.yaml" "$TMP/before.yaml"
move_down "$APP/template.yaml" OrdersApiFunction
move_down "$APP/template.yaml" InvoicesBucket
expect_exit 1 "$SLSEC" scan "$APP" --format json
cp "$OUT" "$TMP/moved.json"
py_check "$TMP/moved.json" '
before = json.load(open(args[0]))
def lines(doc, res):
    return sorted(f["location"]["line"] for f in doc["findings"] if f["resource"] == res)
for res in ("OrdersApiFunction", "InvoicesBucket"):
    a, b = lines(before, res), lines(d, res)
    if not a: print(f"{res} has no findings: the move tests nothing")
    elif len(a) != len(b): print(f"{res}: {len(a)} findings before the move, {len(b)} after")
    elif max(b) - max(a) < 30: print(f"{res} findings moved less than 30 lines: {a} -> {b}")
' "$TMP/full.json"
expect_exit 0 "$SLSEC" scan "$APP" --baseline "$TMP/baseline.json" --fail-on info --format json
py_check "$OUT" 'if d["findings"]: print("moved findings no longer match: " + ", ".join("%s %s:%d" % (f["rule_id"], f["resource"], f["location"]["line"]) for f in d["findings"]))'
case_end

case_begin "a new finding is reported and fails --fail-on despite the baseline"
cat >>"$APP/template.yaml" <<'EOF'
  BrandNewAdminRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: all
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: "*"
                Resource: "*"
EOF
expect_exit 1 "$SLSEC" scan "$APP" --baseline "$TMP/baseline.json" --format json
py_check "$OUT" '
res = {f["resource"] for f in d["findings"]}
if res != {"BrandNewAdminRole"}: print("expected findings only on BrandNewAdminRole, got %s" % sorted(res))
'
case_end

case_begin "a malformed baseline is a usage error naming file:line:col"
printf '{"version": 1,\n "findings": [{"fingerprint": "nothex"}]}\n' >"$TMP/bad.json"
expect_exit 2 "$SLSEC" scan "$APP" --baseline "$TMP/bad.json"
expect_match "$ERR" "bad\.json:2:[0-9]+: not a slsec baseline"
printf '{"version": 7, "findings": []}\n' >"$TMP/v7.json"
expect_exit 2 "$SLSEC" scan "$APP" --baseline "$TMP/v7.json"
expect_contains "$ERR" '"version": 1'
expect_exit 2 "$SLSEC" scan "$APP" --baseline "$TMP/missing.json"
expect_contains "$ERR" "missing.json"
printf '{"version": 1, "findings": [\n' >"$TMP/trunc.json"
expect_exit 2 "$SLSEC" scan "$APP" --baseline "$TMP/trunc.json"
expect_match "$ERR" "trunc\.json:[0-9]+:[0-9]+:"
case_end

case_begin "--write-baseline refuses to overwrite a scanned file or the report"
expect_exit 2 "$SLSEC" scan "$APP/template.yaml" --write-baseline "$APP/template.yaml"
expect_contains "$ERR" "refusing to overwrite"
expect_exit 2 "$SLSEC" scan "$APP" --write-baseline "$TMP/x.json" -o "$TMP/x.json"
case_end
