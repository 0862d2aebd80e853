#!/usr/bin/env bash
#
# test_rules_fixtures.sh — every rule against its own fixtures.
#
# tests/fixtures/rules/<ID>/ holds fail.yaml (a template the rule must flag),
# pass.yaml (the same idea done right: the rule must stay silent) and
# expect.txt, one "RULE-ID RESOURCE LINE" per finding the rule must report
# on fail.yaml ('#' comments and blank lines allowed). The set of
# (rule_id, resource, line) of that rule's findings must equal expect.txt
# exactly: a missing finding and an extra one both fail. Other rules may
# fire on the fixtures; they have fixtures of their own.
#
# Also: every rule of the catalogue has a fixture folder, and every fixture
# folder names a rule of the catalogue.
. "$(dirname "$0")/lib.sh"

FIX=${SLSEC_RULE_FIXTURES:-tests/fixtures/rules} # overridable to test this test

# ---- the catalogue and the fixture folders match ----------------------------

case_begin "every rule has a fixture folder and every folder a rule"
expect_exit 0 "$SLSEC" rules --format json
cp "$OUT" "$TMP/rules.json"
folders=$(cd "$FIX" 2>/dev/null && ls -d -- */ 2>/dev/null | tr -d /)
py_check "$TMP/rules.json" '
ids = [r["id"] for r in d["rules"]]
folders = set(args[0].split())
missing = [i for i in ids if i not in folders]
stale = sorted(folders - set(ids))
if missing:
    print(f"rules without a fixture folder in {args[1]}/: " + " ".join(missing))
if stale:
    print("fixture folders naming no rule of the catalogue: " + " ".join(stale))
' "$folders" "$FIX"
case_end

# ---- each fixture -----------------------------------------------------------

# compare_findings JSON ID EXPECT: the findings of rule ID in JSON equal the
# lines of EXPECT (an empty EXPECT, or /dev/null, means "none").
compare_findings() {
    py_check "$1" '
rid, expect_path = args
want = set()
with open(expect_path, encoding="utf-8") as f:
    for n, line in enumerate(f, 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 3 or not parts[2].isdigit():
            print(f"{expect_path}:{n}: expected \"RULE-ID RESOURCE LINE\", got {line!r}")
            continue
        if parts[0] != rid:
            print(f"{expect_path}:{n}: names rule {parts[0]}, not {rid}")
            continue
        want.add((parts[0], parts[1], int(parts[2])))
got = set()
for f in d["findings"]:
    if f["rule_id"] == rid:
        got.add((f["rule_id"], f["resource"], f["location"]["line"]))
for t in sorted(want - got):
    print("missing finding:    %s %s %d" % t)
for t in sorted(got - want):
    print("unexpected finding: %s %s %d" % t)
' "$2" "$3"
}

for dir in "$FIX"/*/; do
    [ -d "$dir" ] || continue
    dir=${dir%/}
    id=$(basename "$dir")

    case_begin "rule $id fires on fail.yaml exactly as expect.txt says"
    if [ ! -f "$dir/fail.yaml" ] || [ ! -f "$dir/expect.txt" ]; then
        fail "$dir needs fail.yaml and expect.txt"
    else
        if ! grep -Eq '^[[:space:]]*[A-Z]' "$dir/expect.txt"; then
            fail "$dir/expect.txt lists no finding: a failing fixture must fail"
        fi
        expect_exit "0" "$SLSEC" scan "$dir/fail.yaml" --format json --fail-on none
        if [ "$RC" -eq 0 ]; then
            cp "$OUT" "$TMP/fail.json"
            compare_findings "$TMP/fail.json" "$id" "$dir/expect.txt"
        fi
    fi
    case_end

    case_begin "rule $id stays silent on pass.yaml"
    if [ ! -f "$dir/pass.yaml" ]; then
        fail "$dir needs pass.yaml"
    else
        expect_exit "0" "$SLSEC" scan "$dir/pass.yaml" --format json --fail-on none
        if [ "$RC" -eq 0 ]; then
            cp "$OUT" "$TMP/pass.json"
            compare_findings "$TMP/pass.json" "$id" /dev/null
        fi
    fi
    case_end
done
