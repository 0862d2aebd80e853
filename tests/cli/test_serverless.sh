#!/usr/bin/env bash
#
# test_serverless.sh — the Serverless Framework front-end, end to end.
#
# tests/fixtures/serverless/<case>/ holds a serverless.yml and expect.txt:
#   RULE-ID RESOURCE LINE   a finding that must be reported; for every rule
#                           id named this way, the findings of that rule
#                           must be exactly the lines listed;
#   !RULE-ID                a rule that must not fire at all in this case.
# Cases whose name starts with bad- are broken inputs (a variable cycle, a
# ${file()} outside the root, a missing file): exit 2 and a message with
# file:line:col.
. "$(dirname "$0")/lib.sh"

FIX=tests/fixtures/serverless

compare_case() { # JSON EXPECT
    py_check "$1" '
want, rules, banned = set(), set(), set()
with open(args[0], encoding="utf-8") as f:
    for n, line in enumerate(f, 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("!"):
            banned.add(line[1:])
            continue
        p = line.split()
        if len(p) != 3 or not p[2].isdigit():
            print(f"{args[0]}:{n}: expected \"RULE-ID RESOURCE LINE\" or \"!RULE-ID\", got {line!r}")
            continue
        want.add((p[0], p[1], int(p[2])))
        rules.add(p[0])
got = {(f["rule_id"], f["resource"], f["location"]["line"]) for f in d["findings"] if f["rule_id"] in rules}
for t in sorted(want - got):
    print("missing finding:    %s %s %d" % t)
for t in sorted(got - want):
    print("unexpected finding: %s %s %d" % t)
for f in d["findings"]:
    if f["rule_id"] in banned:
        print("rule %s must stay silent, fired on %s line %d" % (f["rule_id"], f["resource"], f["location"]["line"]))
if not want and not banned:
    print("expect.txt lists nothing: the case would test nothing")
' "$2"
}

for dir in "$FIX"/*/; do
    dir=${dir%/}
    name=$(basename "$dir")
    case "$name" in bad-*) continue ;; esac
    case_begin "serverless $name: findings as expect.txt says"
    expect_exit 0 "$SLSEC" scan "$dir" --format json --fail-on none
    if [ "$RC" -eq 0 ]; then
        cp "$OUT" "$TMP/$name.json"
        compare_case "$TMP/$name.json" "$dir/expect.txt"
        py_check "$TMP/$name.json" '
files = {f["location"]["file"] for f in d["findings"]}
if files - {"serverless.yml"}:
    print("findings outside serverless.yml: %s" % sorted(files))
'
    fi
    case_end
done

# ---- the shared role names every function -----------------------------------

case_begin "serverless shared role: IAM-007 names all three functions"
expect_exit 1 "$SLSEC" scan "$FIX/shared-role" --format text --no-color
expect_contains "$OUT" "role IamRoleLambdaExecution is shared by 3 functions (UploadLambdaFunction, ResizeLambdaFunction, PurgeLambdaFunction)"
case_end

case_begin "serverless: logical ids are the Framework's"
expect_exit 0 "$SLSEC" scan "$FIX/http-auth" --format json --fail-on none
py_check "$OUT" '
ids = {f["resource"] for f in d["findings"]}
for want in ("ApiLambdaFunction", "ApiGatewayMethodOrdersGet", "ApiGatewayDeployment", "ApiLogGroup"):
    if want not in ids:
        print("no finding names " + want + "; got " + ", ".join(sorted(ids)))
'
case_end

# ---- variables -----------------------------------------------------------------

case_begin "serverless: \${env:} reads the process environment"
mkdir -p "$TMP/env"
cat >"$TMP/env/serverless.yml" <<'EOF'
service: envtest
provider:
  name: aws
  runtime: nodejs22.x
  logRetentionInDays: 30
functions:
  f:
    handler: f.handler
    timeout: ${env:SLSEC_TEST_TIMEOUT_VALUE, 10}
EOF
SLSEC_TEST_TIMEOUT_VALUE=700 expect_exit 0 "$SLSEC" scan "$TMP/env" --format json --fail-on none
py_check "$OUT" '
if not any(f["rule_id"] == "FN-002" for f in d["findings"]):
    print("timeout from the environment (700) not seen: no FN-002")
'
expect_exit 0 env -u SLSEC_TEST_TIMEOUT_VALUE "$SLSEC" scan "$TMP/env" --format json --fail-on none
py_check "$OUT" '
if any(f["rule_id"] == "FN-002" for f in d["findings"]):
    print("the default (10) was not used: FN-002 fired")
'
case_end

case_begin "serverless: --opt and --stage give \${opt:} its values, the last one winning"
mkdir -p "$TMP/opt"
cat >"$TMP/opt/serverless.yml" <<'EOF'
service: opttest
provider:
  name: aws
  runtime: ${opt:rt, 'nodejs24.x'}
  stage: ${opt:stage, 'dev'}
  logRetentionInDays: 30
functions:
  f:
    handler: f.handler
    timeout: ${opt:timeout, 10}
EOF
expect_exit 0 "$SLSEC" scan "$TMP/opt" --format json --fail-on none --no-code
py_check "$OUT" '
ids = {f["rule_id"] for f in d["findings"]}
if ids & {"FN-002", "FN-004"}:
    print("fallbacks not used without options: %s" % sorted(ids & {"FN-002", "FN-004"}))
if not any("opttest-dev-f" in f["message"] for f in d["findings"]):
    print("stage dev (the fallback) not in the log group name")
'
expect_exit 0 "$SLSEC" scan "$TMP/opt" --format json --fail-on none --no-code \
    --opt rt=nodejs12.x --opt timeout=20 --opt timeout=700 --opt stage=qa --stage prod
py_check "$OUT" '
ids = {f["rule_id"] for f in d["findings"]}
for want, why in (("FN-002", "--opt timeout=700 (the last of two)"), ("FN-004", "--opt rt=nodejs12.x")):
    if want not in ids:
        print("%s not seen: %s ignored" % (want, why))
if not any("opttest-prod-f" in f["message"] for f in d["findings"]):
    print("--stage prod (given after --opt stage=qa) not in the log group name")
'
expect_exit 2 "$SLSEC" scan "$TMP/opt" --opt timeout
expect_contains "$ERR" "--opt expects NAME=VALUE"
expect_exit 2 "$SLSEC" scan "$TMP/opt" --stage a=b
expect_contains "$ERR" "--stage expects a stage name"
case_end

# ---- bad input -------------------------------------------------------------------

case_begin "serverless: a variable cycle is exit 2 with the chain"
expect_exit 2 "$SLSEC" scan "$FIX/bad-cycle"
expect_contains "$ERR" "serverless.yml:6:6: variable cycle: \${self:custom.b}"
expect_contains "$ERR" "-> \${self:custom.c} (serverless.yml:7:6) -> \${self:custom.a} (serverless.yml:8:6) -> \${self:custom.b}"
case_end

case_begin "serverless: \${file()} outside the root is exit 2"
expect_exit 2 "$SLSEC" scan "$FIX/bad-outside/app"
expect_contains "$ERR" "serverless.yml:5:9: \${file(../secret.yml)} points outside the scanned root"
case_end

case_begin "serverless: a missing \${file()} is exit 2 naming the place"
expect_exit 2 "$SLSEC" scan "$FIX/bad-file-missing"
expect_contains "$ERR" "serverless.yml:8:18: \${file(./env.yml)}: cannot open ./env.yml"
case_end

case_begin "serverless: a broken config beside a good one is a warning"
expect_exit 1 "$SLSEC" scan "$FIX/bad-cycle" tests/fixtures/triple/serverless
expect_contains "$ERR" "variable cycle"
case_end

case_begin "serverless: a symbolic link out of the root is refused by \${file()}"
mkdir -p "$TMP/link/app"
echo "secret: 1" >"$TMP/link/outside.yml"
ln -s "$TMP/link/outside.yml" "$TMP/link/app/inside.yml"
cat >"$TMP/link/app/serverless.yml" <<'EOF'
service: linked
provider:
  name: aws
custom: ${file(./inside.yml)}
functions:
  f:
    handler: f.handler
EOF
expect_exit 2 "$SLSEC" scan "$TMP/link/app"
expect_contains "$ERR" "points outside the scanned root"
case_end

# ---- the same app in SAM and in serverless.yml ------------------------------------

case_begin "serverless: the triple app gives SAM's verdict, rule by rule"
expect_exit 0 "$SLSEC" scan tests/fixtures/triple/sam --format json --fail-on none
cp "$OUT" "$TMP/sam.json"
expect_exit 0 "$SLSEC" scan tests/fixtures/triple/serverless --format json --fail-on none
cp "$OUT" "$TMP/sls.json"
py_check "$TMP/sls.json" '
import json
names = {}
with open(args[1], encoding="utf-8") as f:
    for line in f:
        line = line.split("#", 1)[0].split()
        if len(line) >= 2:
            names.setdefault(line[0], set()).add(line[1])
with open(args[0], encoding="utf-8") as f:
    sam = json.load(f)
got = {(x["rule_id"], x["resource"]) for x in d["findings"]}
want = set()
for x in sam["findings"]:
    cands = names.get(x["resource"], set())
    if not cands:
        print("names.txt has no line for SAM resource " + x["resource"])
    if not any((x["rule_id"], c) in got for c in cands):
        print("SAM: %s on %s; serverless: on none of %s" % (x["rule_id"], x["resource"], sorted(cands)))
    want |= {(x["rule_id"], c) for c in cands}
for g in sorted(got - want):
    print("serverless only: %s on %s" % g)
' "$TMP/sam.json" tests/fixtures/triple/names.txt
case_end
