#!/usr/bin/env bash
#
# test_rules_fixtures.sh — every rule against its own fixtures.
#
# tests/fixtures/rules/<ID>/ holds fail.yaml (a template the rule must flag),
# pass.yaml (the same idea done right: the rule must stay silent) and
# expect.txt, one "RULE-ID RESOURCE LINE" per finding the rule must report
# on fail.yaml ('#' comments and blank lines allowed; RESOURCE "-" for a
# finding with no resource). Rules that read other files than templates
# may use fail.<ext>/pass.<ext>, or folders fail/ and pass/, instead. The set of
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
# AUDIT rules fire from `slsec audit` on CloudTrail, not from scan: their
# fixtures are tests/fixtures/cloudtrail, checked by tests/cli/test_audit.sh.
# DEP rules fire on lockfiles against an advisory index: their fixtures are
# tests/fixtures/deps, checked by tests/cli/test_deps.sh.
# PIPE-006 fires only with scan --require-signatures: tests/cli/test_sign.sh.
# SECRET rules fire on bytes, not templates: their fixtures are
# tests/fixtures/secrets, checked by tests/unit/test_detect.c.
# CODE and LOG-1xx rules fire on handler source code: their fixtures are
# tests/fixtures/code, checked by tests/cli/test_code.sh.
ids = [r["id"] for r in d["rules"] if not r["id"].startswith(("AUDIT-", "DEP-", "SECRET-", "CODE-", "LOG-1"))
       and r["id"] != "PIPE-006"]
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
        # "-" stands for a finding about no one resource (resource null).
        got.add((f["rule_id"], f["resource"] or "-", f["location"]["line"]))
for t in sorted(want - got):
    print("missing finding:    %s %s %d" % t)
for t in sorted(got - want):
    print("unexpected finding: %s %s %d" % t)
' "$2" "$3"
}

# fixture_input DIR KIND: the input of kind fail or pass in DIR — a folder
# DIR/KIND/ (for rules that need several files: a template and its code, a
# .env next to a template) or the one file DIR/KIND.* (fail.yaml, fail.json,
# fail.env, ...). Prints nothing when there is none or more than one.
fixture_input() {
    if [ -d "$1/$2" ]; then
        printf '%s\n' "$1/$2"
        return
    fi
    local found=("$1/$2".*)
    if [ "${#found[@]}" -eq 1 ] && [ -f "${found[0]}" ]; then
        printf '%s\n' "${found[0]}"
    fi
}

for dir in "$FIX"/*/; do
    [ -d "$dir" ] || continue
    dir=${dir%/}
    id=$(basename "$dir")
    failin=$(fixture_input "$dir" fail)
    passin=$(fixture_input "$dir" pass)

    case_begin "rule $id fires on ${failin##*/} exactly as expect.txt says"
    if [ -z "$failin" ] || [ ! -f "$dir/expect.txt" ]; then
        fail "$dir needs expect.txt and one failing input: fail.yaml (or fail.<ext>, or a folder fail/)"
    else
        if ! grep -Eq '^[[:space:]]*[A-Z]' "$dir/expect.txt"; then
            fail "$dir/expect.txt lists no finding: a failing fixture must fail"
        fi
        expect_exit "0" "$SLSEC" scan "$failin" --format json --fail-on none
        if [ "$RC" -eq 0 ]; then
            cp "$OUT" "$TMP/fail.json"
            compare_findings "$TMP/fail.json" "$id" "$dir/expect.txt"
        fi
    fi
    case_end

    case_begin "rule $id stays silent on ${passin##*/}"
    if [ -z "$passin" ]; then
        fail "$dir needs one passing input: pass.yaml (or pass.<ext>, or a folder pass/)"
    else
        expect_exit "0" "$SLSEC" scan "$passin" --format json --fail-on none
        if [ "$RC" -eq 0 ]; then
            cp "$OUT" "$TMP/pass.json"
            compare_findings "$TMP/pass.json" "$id" /dev/null
        fi
    fi
    case_end
done
