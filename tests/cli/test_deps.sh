#!/usr/bin/env bash
#
# test_deps.sh — `slsec db import|status` and the DEP findings of
# `slsec scan` (docs/dependencies.md), end to end on the fixtures of
# tests/fixtures/deps: an OSV folder written for the tests, lockfiles of
# every supported format, and a small SAM app whose OrdersFunction ships a
# vulnerable lodash. Every index is an explicit temporary path (--db,
# --offline-db) and XDG_CACHE_HOME points into the scratch folder, so the
# user's cache is never read or written.
. "$(dirname "$0")/lib.sh"

OSV=tests/fixtures/deps/osv
LOCKS=tests/fixtures/deps/lockfiles
APP=tests/fixtures/deps/app
DB="$TMP/index/osv.db"
export XDG_CACHE_HOME="$TMP/cache"

case_begin "db import of an OSV folder: counts, and a warning naming the broken file"
expect_exit 0 "$SLSEC" db import --db "$DB" "$OSV"
expect_contains "$OUT" "15 files, 14 new, 0 updated, 0 unchanged, 1 withdrawn, 1 skipped"
expect_match "$ERR" "warning: .*osv/other/broken.json: line 1 column"
expect_file "$DB"
case_end

case_begin "db import again: incremental, nothing changes"
expect_exit 0 "$SLSEC" db import --db "$DB" "$OSV"
expect_contains "$OUT" "0 new, 0 updated, 14 unchanged"
case_end

case_begin "db status lists ecosystems, counts and newest modification (text and json)"
expect_exit 0 "$SLSEC" db status --db "$DB"
expect_match "$OUT" "^npm +4 +1 +2024-02-16T08:20:00Z$"
expect_match "$OUT" "^PyPI +3 +0 +2024-06-10T18:30:00Z$"
expect_contains "$OUT" "index: $DB"
expect_exit 0 "$SLSEC" db status --db "$DB" --format json
py_check "$OUT" '
e = {x["ecosystem"]: x for x in d["ecosystems"]}
if sorted(e) != ["Go", "Maven", "Packagist", "PyPI", "RubyGems", "crates.io", "npm"]: print("ecosystems", sorted(e))
if e["npm"]["advisories"] != 4 or e["npm"]["withdrawn"] != 1: print("npm counts", e["npm"])
'
case_end

case_begin "db status without an index: exit 2 and how to build one"
expect_exit 2 "$SLSEC" db status --db "$TMP/none.db"
expect_contains "$ERR" "no advisory index here"
expect_contains "$ERR" "slsec db import"
case_end

case_begin "db usage errors exit 2"
expect_exit 2 "$SLSEC" db
expect_exit 2 "$SLSEC" db frobnicate
expect_exit 2 "$SLSEC" db import --db "$DB"
expect_exit 2 "$SLSEC" db import --db "$DB" "$TMP/missing.zip"
expect_contains "$ERR" "missing.zip"
expect_exit 2 "$SLSEC" db status --format xml
expect_exit 0 "$SLSEC" db --help
expect_contains "$OUT" "--db PATH"
case_end

case_begin "db import of a zip that is not one: a warning, the index still usable"
printf 'not a zip' >"$TMP/npm-all.zip"
expect_exit 0 "$SLSEC" db import --db "$DB" "$TMP/npm-all.zip"
expect_contains "$ERR" "npm-all.zip"
expect_exit 0 "$SLSEC" db status --db "$DB"
expect_match "$OUT" "^npm +4 "
case_end

case_begin "scan reports DEP-001 at the lockfile line, with advisory, aliases, fixed version"
expect_exit 1 "$SLSEC" scan "$LOCKS/npm-v3" --offline-db "$DB" --format json
py_check "$OUT" '
f = [(x["rule_id"], x["resource"], x["location"]["file"], x["location"]["line"], x["severity"]) for x in d["findings"]]
want = [("DEP-001", "lodash", "package-lock.json", 18, "high"),
        ("DEP-001", "minimist", "package-lock.json", 22, "high"),
        ("DEP-001", "slsec-test-pre", "package-lock.json", 36, "low")]
if f != want: print("findings", f)
m = d["findings"][0]["message"]
for part in ["lodash 4.17.20", "GHSA-35jh-r3h4-6jhm", "CVE-2021-23337", "fixed in 4.17.21"]:
    if part not in m: print("message lacks", part, m)
'
case_end

case_begin "scan of every lockfile format: one finding per vulnerable entry, aliases merged"
expect_exit 1 "$SLSEC" scan "$LOCKS" --offline-db "$DB" --format json
py_check "$OUT" '
got = sorted((x["location"]["file"], x["resource"], x["message"].split(" is affected by ")[1].split(" ")[0].rstrip(":;")) for x in d["findings"])
want = sorted([
  ("cargo/Cargo.lock", "smallvec", "RUSTSEC-2021-0003"),
  ("composer/composer.lock", "guzzlehttp/guzzle", "GHSA-w248-ffj2-4v5q"),
  ("maven/pom.xml", "org.apache.logging.log4j:log4j-core", "GHSA-jfh8-c2jp-5v3q"),
  ("go/go.mod", "golang.org/x/text", "GO-2020-0015"),
  ("gosum-only/go.sum", "golang.org/x/text", "GO-2020-0015"),
  ("npm-v1/package-lock.json", "lodash", "GHSA-35jh-r3h4-6jhm"),
  ("npm-v1/package-lock.json", "lodash", "GHSA-p6mc-m468-83gw"),
  ("npm-v1/package-lock.json", "minimist", "GHSA-xvch-5gv4-984h"),
  ("npm-v3/package-lock.json", "lodash", "GHSA-35jh-r3h4-6jhm"),
  ("npm-v3/package-lock.json", "minimist", "GHSA-xvch-5gv4-984h"),
  ("npm-v3/package-lock.json", "slsec-test-pre", "SLSEC-TEST-0002"),
  ("pip/requirements.txt", "requests", "GHSA-j8r2-6x86-q33q"),
  ("pip/requirements.txt", "Slsec_Test.Pkg", "SLSEC-TEST-0003"),
  ("pipenv/Pipfile.lock", "requests", "GHSA-j8r2-6x86-q33q"),
  ("ruby/Gemfile.lock", "rack", "GHSA-wq4h-7r42-5hrr"),
  ("pnpm-v5/pnpm-lock.yaml", "lodash", "GHSA-35jh-r3h4-6jhm"),
  ("pnpm-v5/pnpm-lock.yaml", "minimist", "GHSA-xvch-5gv4-984h"),
  ("pnpm-v6/pnpm-lock.yaml", "lodash", "GHSA-35jh-r3h4-6jhm"),
  ("pnpm-v6/pnpm-lock.yaml", "minimist", "GHSA-xvch-5gv4-984h"),
  ("pnpm-v9/pnpm-lock.yaml", "lodash", "GHSA-35jh-r3h4-6jhm"),
  ("pnpm-v9/pnpm-lock.yaml", "minimist", "GHSA-xvch-5gv4-984h"),
  ("uv/uv.lock", "requests", "GHSA-j8r2-6x86-q33q"),
  ("yarn-berry/yarn.lock", "minimist", "GHSA-xvch-5gv4-984h"),
  ("yarn-v1/yarn.lock", "lodash", "GHSA-35jh-r3h4-6jhm"),
])
if got != want:
    print("missing", sorted(set(want) - set(got)))
    print("extra", sorted(set(got) - set(want)))
if any("PYSEC-2023-74 " in x["message"].split(" is affected by ")[1][:14] for x in d["findings"]): print("PYSEC not merged")
'
expect_contains "$ERR" "unknown range type 'WEIRD'"
expect_contains "$ERR" "outside the scanned folder"
case_end

case_begin "the functions whose code holds the lockfile are related to the finding"
expect_exit 1 "$SLSEC" scan "$APP" --offline-db "$DB" --format json --rule DEP-001
py_check "$OUT" '
f = d["findings"]
if len(f) != 1: print("findings", [x["message"] for x in f])
r = f[0]["related"]
if f[0]["location"]["file"] != "orders/package-lock.json": print("file", f[0]["location"])
msgs = [x.get("message", "") for x in r]
if not any("OrdersFunction" in m for m in msgs) or any("ReportsFunction" in m for m in msgs): print("related", r)
'
case_end

case_begin "lockfiles inside the deployment package a function names are read (not node_modules' own)"
PKG="$TMP/packaged"
mkdir -p "$PKG/build" "$TMP/outside"
cat >"$PKG/template.yaml" <<'EOF2'
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      CodeUri: build/orders.zip
  EscapeFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      CodeUri: ../outside/escape.zip
EOF2
$PY - "$PKG/build/orders.zip" "$TMP/outside/escape.zip" "$LOCKS/npm-v3/package-lock.json" <<'EOF2'
import sys, zipfile
lock = open(sys.argv[3], "rb").read()
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("index.js", "exports.handler = async () => 1;\n")
    z.writestr("package-lock.json", lock)
    z.writestr("node_modules/dep/package-lock.json", lock)
with zipfile.ZipFile(sys.argv[2], "w") as z:
    z.writestr("package-lock.json", lock)
EOF2
expect_exit 1 "$SLSEC" scan "$PKG" --offline-db "$DB" --format json --rule DEP-001
py_check "$OUT" '
f = d["findings"]
files = sorted(set(x["location"]["file"] for x in f))
if files != ["build/orders.zip!/package-lock.json"]: print("files", files)
if len(f) != 3: print("count", len(f), [x["resource"] for x in f])
for x in f:
    msgs = [r.get("message", "") for r in x.get("related", [])]
    if not any("OrdersFunction deploys build/orders.zip" in m for m in msgs): print("related", msgs)
'
case_end

case_begin "without an index, scan says once that dependency checks were skipped"
expect_exit 0 "$SLSEC" scan "$LOCKS/npm-v3"
expect_contains "$ERR" "dependency checks skipped"
expect_contains "$ERR" "$XDG_CACHE_HOME/slsec/osv.db"
n=$(grep -c "dependency checks skipped" "$ERR")
expect_eq "$n" "1" "notes about skipped dependency checks"
case_end

case_begin "the default index is \$XDG_CACHE_HOME/slsec/osv.db"
expect_exit 0 "$SLSEC" db import "$OSV/npm"
expect_file "$XDG_CACHE_HOME/slsec/osv.db"
expect_exit 1 "$SLSEC" scan "$LOCKS/npm-v3"
expect_contains "$OUT" "GHSA-35jh-r3h4-6jhm"
case_end

case_begin "--skip DEP-001 and a configuration ignore silence DEP findings"
expect_exit 0 "$SLSEC" scan "$LOCKS/npm-v3" --offline-db "$DB" --skip DEP-001
expect_not_contains "$OUT" "DEP-001"
expect_not_contains "$ERR" "dependency checks skipped"
mkdir -p "$TMP/ign"
cp "$LOCKS/npm-v3/package-lock.json" "$TMP/ign/"
printf 'ignore:\n  - id: DEP-001\n    resource: "*"\n    reason: accepted until the next release\n' >"$TMP/ign/.slsec.yml"
expect_exit 0 "$SLSEC" scan "$TMP/ign" --offline-db "$DB"
expect_not_contains "$OUT" "GHSA-"
case_end

case_begin "a lockfile that is not what its name says: a warning naming it, the rest goes on"
mkdir -p "$TMP/bad/a" "$TMP/bad/b"
printf 'this is not JSON' >"$TMP/bad/a/package-lock.json"
cp "$LOCKS/npm-v3/package-lock.json" "$TMP/bad/b/"
expect_exit 1 "$SLSEC" scan "$TMP/bad" --offline-db "$DB"
expect_contains "$ERR" "a/package-lock.json"
expect_contains "$OUT" "GHSA-35jh-r3h4-6jhm"
case_end

case_begin "a lockfile named on the command line is read, not held to being a template"
expect_exit 1 "$SLSEC" scan "$LOCKS/yarn-v1/yarn.lock" --offline-db "$DB"
expect_contains "$OUT" "lodash 4.17.20"
case_end

case_begin "--offline-db pointing at something that is no index: a warning, exit by findings"
printf 'junk' >"$TMP/junk.db"
expect_exit 0 "$SLSEC" scan "$LOCKS/npm-v3" --offline-db "$TMP/junk.db"
expect_contains "$ERR" "dependency checks skipped"
case_end

case_begin "thresholds.dev_dependency_severity_drop: 0 keeps dev-only findings at the advisory's severity"
mkdir -p "$TMP/devkeep"
cp "$LOCKS/npm-v3/package-lock.json" "$TMP/devkeep/"
expect_exit 1 "$SLSEC" scan "$TMP/devkeep" --offline-db "$DB" --format json
expect_eq "$(json_get "$OUT" '[x["severity"] for x in d["findings"] if x["resource"] == "minimist"][0]')" "high" "dev-only minimist by default"
printf 'thresholds:\n  dev_dependency_severity_drop: 0\n' >"$TMP/devkeep/.slsec.yml"
expect_exit 1 "$SLSEC" scan "$TMP/devkeep" --offline-db "$DB" --format json
expect_eq "$(json_get "$OUT" '[x["severity"] for x in d["findings"] if x["resource"] == "minimist"][0]')" "critical" "dev-only minimist kept"
printf 'thresholds:\n  dev_dependency_severity_drop: 9\n' >"$TMP/devkeep/.slsec.yml"
expect_exit 2 "$SLSEC" scan "$TMP/devkeep" --offline-db "$DB"
expect_contains "$ERR" "dev_dependency_severity_drop"
case_end

schema=$(sarif_schema)
if [ -z "$schema" ]; then
    case_skip "DEP findings in SARIF validate against the schema" "../shared/schemas/sarif-schema-2.1.0.json is absent"
else
    case_begin "DEP findings in SARIF validate against the schema, with the rule in tool.driver.rules"
    expect_exit 1 "$SLSEC" scan "$LOCKS" --offline-db "$DB" --format sarif -o "$TMP/deps.sarif"
    run "$PY" tests/cli/sarif_validate.py "$schema" "$TMP/deps.sarif"
    expect_eq "$RC" "0" "sarif_validate.py exit code"
    py_check "$TMP/deps.sarif" '
rules = [r["id"] for r in d["runs"][0]["tool"]["driver"]["rules"]]
if "DEP-001" not in rules: print("DEP-001 not in rules")
if not any(r["ruleId"] == "DEP-001" for r in d["runs"][0]["results"]): print("no DEP-001 result")
'
    case_end
fi

case_begin "a 500 MB lockfile is skipped with a warning, checked before reading"
mkdir -p "$TMP/huge/a" "$TMP/huge/b"
truncate -s 500M "$TMP/huge/a/package-lock.json" # sparse: costs nothing
cp "$LOCKS/npm-v3/package-lock.json" "$TMP/huge/b/"
expect_exit 1 "$SLSEC" scan "$TMP/huge" --offline-db "$DB"
expect_match "$ERR" "a/package-lock.json: lockfile is 500.0 MB, over the .* limit"
expect_contains "$OUT" "GHSA-35jh-r3h4-6jhm"
case_end
