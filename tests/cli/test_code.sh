#!/usr/bin/env bash
#
# test_code.sh — the code pass of `slsec scan` end to end (docs/code.md):
# the accuracy fixtures (every `expect: RULE` marker is a finding at that
# line, and nothing else is: each fixed twin stays silent), handlers found
# only through templates (SAM CodeUri + Handler, TypeScript next to dist/,
# Serverless), the data-flow path in text, JSON and SARIF codeFlows,
# inline suppressions, --no-code, and hostile sources (a 5 MB one-line
# bundle, invalid UTF-8, deep nesting, syntax errors).
. "$(dirname "$0")/lib.sh"

FX=tests/fixtures/code
RULES=(--rule 'CODE-*' --rule 'LOG-1*')

case_begin "every expect marker in $FX is a finding at its line, and there is no other"
expect_exit 1 "$SLSEC" scan --no-config "${RULES[@]}" -f json "$FX"
cp "$OUT" "$TMP/fx.json"
py_check "$TMP/fx.json" '
import os, re
root = args[0]
want = set()
for dirpath, _, files in os.walk(root):
    for name in files:
        path = os.path.join(dirpath, name)
        rel = os.path.relpath(path, root)
        with open(path, encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                for m in re.finditer(r"expect: ((?:CODE|LOG)-[0-9]{3})", line):
                    want.add((rel, n, m.group(1)))
got = {(f["location"]["file"], f["location"]["line"], f["rule_id"]) for f in d["findings"]}
if len(want) < 30:
    print("only %d expect markers; the fixtures need at least 30" % len(want))
for w in sorted(want - got):
    print("missed: %s:%d %s" % w)
for g in sorted(got - want):
    print("unexpected: %s:%d %s" % g)
fixed = [f for f in d["findings"] if ".fixed." in f["location"]["file"]]
for f in fixed:
    print("fixed twin reported: %s:%d %s" % (f["location"]["file"], f["location"]["line"], f["rule_id"]))
' "$FX"
case_end

case_begin "each vulnerable fixture has a fixed twin, and every CODE rule is covered in both languages"
py_check - '
import glob, os, re
root = args[0]
for v in glob.glob(root + "/*/*.vuln.*"):
    twin = v.replace(".vuln.", ".fixed.")
    if not os.path.exists(twin):
        print("no fixed twin for " + v)
langs = {}
for path in glob.glob(root + "/*/*.vuln.*"):
    lang = "py" if path.endswith(".py") else "js"
    for m in re.finditer(r"expect: (CODE-[0-9]{3})", open(path).read()):
        langs.setdefault(m.group(1), set()).add(lang)
for n in range(1, 13):
    rid = "CODE-%03d" % n
    if langs.get(rid) != {"js", "py"}:
        print("%s covered in %s, want js and py" % (rid, sorted(langs.get(rid, []))))
' "$FX"
case_end

case_begin "handlers named only by templates are analysed, and carry the function as resource"
expect_exit 1 "$SLSEC" scan --no-config "${RULES[@]}" -f json "$FX/app"
cp "$OUT" "$TMP/app.json"
py_check "$TMP/app.json" '
got = {(f["location"]["file"], f["location"]["line"], f["rule_id"], f["resource"]) for f in d["findings"]}
want = {("src/orders/app.js", 5, "CODE-001", "OrdersFunction"),
        ("ts/src/index.ts", 5, "CODE-005", "ReportFunction"),
        ("sls/api/users.py", 5, "CODE-001", "GetUserLambdaFunction")}
for w in sorted(want - got):
    print("missed: %s:%d %s resource %s" % w)
for g in sorted(got - want):
    print("unexpected: %s:%d %s resource %s" % g)
'
# Without the template, `process(req)` is no conventional handler.
expect_exit 0 "$SLSEC" scan --no-config "${RULES[@]}" -f json "$FX/app/src"
expect_eq "$(json_get "$OUT" 'len(d["findings"])')" 0 "findings without the template"
case_end

case_begin "text output shows the path from source to sink"
expect_exit 1 "$SLSEC" scan --no-config --no-color "${RULES[@]}" "$FX/js/cmd_exec.vuln.js"
expect_contains "$OUT" "CODE-001"
expect_contains "$OUT" "cmd_exec.vuln.js:6:3"
expect_contains "$OUT" "source: event.body (the event)"
expect_contains "$OUT" "assigned to cmd"
expect_contains "$OUT" "1 source file (1 handler)"
case_end

case_begin "JSON keeps the steps, SARIF has a codeFlow from source to sink"
expect_exit 1 "$SLSEC" scan --no-config "${RULES[@]}" -f sarif "$FX/py/sql_fstring.vuln.py"
cp "$OUT" "$TMP/flow.sarif"
py_check "$TMP/flow.sarif" '
res = d["runs"][0]["results"]
if len(res) != 1:
    print("expected 1 result, got %d" % len(res))
else:
    r = res[0]
    steps = r["codeFlows"][0]["threadFlows"][0]["locations"]
    lines = [s["location"]["physicalLocation"]["region"]["startLine"] for s in steps]
    if r["ruleId"] != "CODE-003":
        print("rule " + r["ruleId"])
    if lines[0] != 12 or lines[-1] != 7:
        print("flow lines %s: want the source (12) first and the sink (7) last" % lines)
    if "find()" not in json.dumps(steps):
        print("the flow does not go through find(): %s" % json.dumps(steps)[:300])
'
sch=$(sarif_schema)
if [ -n "$sch" ]; then
    run "$PY" tests/cli/sarif_validate.py "$sch" "$TMP/flow.sarif"
    expect_eq "$RC" 0 "SARIF schema validation"
fi
case_end

case_begin "slsec:ignore on the sink line suppresses, --no-code turns the pass off"
mkdir -p "$TMP/ign"
sed 's|// expect: CODE-001|// slsec:ignore CODE-001 folder names come from our own bucket|' \
    "$FX/js/cmd_exec.vuln.js" >"$TMP/ign/app.js"
expect_exit 0 "$SLSEC" scan --no-config "${RULES[@]}" -f json --show-suppressed "$TMP/ign"
py_check "$OUT" '
f = d["findings"]
if len(f) != 1 or not f[0].get("suppressed"):
    print("want one suppressed finding, got %s" % json.dumps(f)[:300])
elif "own bucket" not in (f[0].get("suppression") or ""):
    print("suppression reason lost: %r" % f[0].get("suppression"))
'
expect_exit 0 "$SLSEC" scan --no-config --no-code -f json "$FX/js"
expect_eq "$(json_get "$OUT" 'sum(1 for f in d["findings"] if f["rule_id"].startswith("CODE"))')" 0 "CODE findings with --no-code"
expect_eq "$(json_get "$OUT" 'd["summary"]["source_files"]')" 0 "source files with --no-code"
case_end

case_begin "calls into imported project files are followed one level, never through a link out of the root"
mkdir -p "$TMP/imp/app" "$TMP/outside"
printf '%s\n' "const { run } = require('./lib');" \
    'exports.handler = async (event) => run(event.body);' >"$TMP/imp/app/handler.js"
printf '%s\n' "exports.run = (cmd) => require('child_process').execSync(cmd);" >"$TMP/outside/lib.js"
cp "$TMP/outside/lib.js" "$TMP/imp/app/lib.js"
expect_exit 1 "$SLSEC" scan --no-config "${RULES[@]}" -f json "$TMP/imp/app"
py_check "$OUT" '
got = [(f["location"]["file"], f["location"]["line"], f["rule_id"], [r["file"] for r in f["related"]]) for f in d["findings"]]
if got != [("lib.js", 1, "CODE-001", ["handler.js", "handler.js"])]:
    print("want CODE-001 at lib.js:1 with the path in handler.js, got %s" % got)
'
rm "$TMP/imp/app/lib.js"
ln -s "$TMP/outside/lib.js" "$TMP/imp/app/lib.js"
expect_exit 0 "$SLSEC" scan --no-config "${RULES[@]}" -f json "$TMP/imp/app"
expect_eq "$(json_get "$OUT" 'len(d["findings"])')" 0 "findings through a link out of the root"
case_end

case_begin "hostile sources: 5 MB bundle skipped, invalid UTF-8, deep nesting, syntax errors"
mkdir -p "$TMP/bad"
"$PY" - "$TMP/bad" <<'PY'
import sys
d = sys.argv[1]
with open(d + "/bundle.min.js", "w") as f:
    f.write("exports.handler=async(event)=>{require('child_process').exec(event.body)};")
    f.write("var a=" + "1+" * (5 * 1024 * 1024 // 2) + "1;")
with open(d + "/utf8.js", "wb") as f:
    f.write(b"// \xff\xfe bad bytes \xc3\x28\nconst {exec}=require('child_process');\n"
            b"exports.handler=async(event)=>{ exec('x' + event.body); /* \xed\xa0\x80 */ };\n")
with open(d + "/deep.py", "w") as f:
    f.write("def handler(event, context):\n    x = " + "(" * 3000 + "event" + ")" * 3000 + "\n")
    f.write("    y = " + "[" * 3000 + "]" * 3000 + "\n")
with open(d + "/deep.js", "w") as f:
    f.write("exports.handler = (event) => " + "{a:" * 5000 + "event" + "}" * 5000 + ";\n")
with open(d + "/broken.py", "w") as f:
    f.write("def handler(event, context:\n    os.system(event['x']\n  return )))\n")
with open(d + "/broken.ts", "w") as f:
    f.write("export const handler = async (event: ) => { eval(event.body; }}}}\n")
PY
expect_exit 0\|1 "$SLSEC" scan --no-config "${RULES[@]}" -f json "$TMP/bad"
cp "$OUT" "$TMP/bad.json"
py_check "$TMP/bad.json" '
ws = d["summary"]["warnings"]
msgs = [(w["file"], w["message"]) for w in ws]
if not any(f == "bundle.min.js" and "code analysis limit" in m for f, m in msgs):
    print("no size warning for the 5 MB bundle: %s" % msgs)
if not any(f == "broken.py" and "syntax error" in m for f, m in msgs):
    print("no syntax warning for broken.py: %s" % msgs)
got = {(f["location"]["file"], f["rule_id"]) for f in d["findings"]}
if ("utf8.js", "CODE-001") not in got:
    print("the flow in the file with invalid UTF-8 was missed: %s" % sorted(got))
if any(f == "bundle.min.js" for f, _ in got):
    print("the skipped bundle produced findings")
'
expect_exit 0\|1 "$SLSEC" scan --no-config "${RULES[@]}" --max-code-size 8192 -f json "$TMP/bad"
# a larger limit lets the bundle through to the parser (its time budget still bounds it)
expect_eq "$(json_get "$OUT" 'sum(1 for w in d["summary"]["warnings"] if "code analysis limit" in w["message"])')" 0 "size warnings with an 8 MB limit"
expect_exit 2 "$SLSEC" scan --max-code-size 0 "$TMP/bad"
expect_contains "$ERR" "--max-code-size"
case_end

case_begin "CODE and LOG-1xx rules are in the catalogue with CWE, why and fix"
expect_exit 0 "$SLSEC" rules --format json
py_check "$OUT" '
rules = d if isinstance(d, list) else d.get("rules", [])
ids = {r.get("id"): r for r in rules}
for n in list(range(1, 13)):
    rid = "CODE-%03d" % n
    r = ids.get(rid)
    if not r:
        print("missing " + rid)
        continue
for rid in ["LOG-101", "LOG-102"]:
    if rid not in ids:
        print("missing " + rid)
'
expect_exit 0 "$SLSEC" explain CODE-003
expect_contains "$OUT" "CWE-89"
case_end

case_begin "the code pass gives the same report on one thread and on four"
expect_exit 1 "$SLSEC" scan tests/fixtures/code --no-secrets -j 1 --format json
cp "$OUT" "$TMP/one-thread.json"
expect_exit 1 "$SLSEC" scan tests/fixtures/code --no-secrets -j 4 --format json
if ! cmp -s "$OUT" "$TMP/one-thread.json"; then
    fail "-j 4 and -j 1 reports differ"
fi
case_end
