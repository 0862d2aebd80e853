#!/usr/bin/env bash
#
# test_triple.sh — one application, three formats, one verdict.
#
# tests/fixtures/triple/ holds the same orders app as a SAM template
# (sam/), a serverless.yml (serverless/) and a Terraform plan
# (terraform/plan.json); names.txt maps each logical resource across the
# three (columns: sam serverless terraform). For every pair of formats and
# every rule id, each finding on a name N in one format must be matched,
# in the other, by a finding of the same rule on a name that shares a
# names.txt line with N; and each rule must fire as many times in both.
# A format whose folder is missing is skipped, saying so.
. "$(dirname "$0")/lib.sh"

FIX=tests/fixtures/triple
FORMATS="sam serverless terraform"

present=""
for f in $FORMATS; do
    case_begin "triple: the $f version scans"
    if [ ! -d "$FIX/$f" ]; then
        case_skip "triple: the $f version scans" "$FIX/$f is not there"
        continue
    fi
    expect_exit 0 "$SLSEC" scan "$FIX/$f" --format json --fail-on none
    cp "$OUT" "$TMP/$f.json"
    py_check "$TMP/$f.json" '
if d["summary"]["templates"] != 1:
    print("expected 1 template loaded, got %d" % d["summary"]["templates"])
if not d["findings"]:
    print("no findings: the comparison would prove nothing")
if d["summary"]["warnings"]:
    print("warnings: %r" % d["summary"]["warnings"][:3])
'
    case_end
    present="$present $f"
done

pair() { # A B
    case_begin "triple: $1 and $2 report the same rules on the same resources"
    py_check "$TMP/$1.json" '
import collections
cols = {"sam": 0, "serverless": 1, "terraform": 2}
a, b = args[0], args[1]
lines = []
with open(args[2], encoding="utf-8") as f:
    for n, line in enumerate(f, 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        p = line.split()
        if len(p) != 3:
            print(f"{args[2]}:{n}: expected three names, got {line!r}")
            continue
        lines.append(p)
def mapped(name, frm, to):
    return {l[cols[to]] for l in lines if l[cols[frm]] == name and l[cols[to]] != "-"}
with open(args[3], encoding="utf-8") as f:
    other = json.load(f)
fa = collections.Counter((x["rule_id"], x["resource"]) for x in d["findings"])
fb = collections.Counter((x["rule_id"], x["resource"]) for x in other["findings"])
for (x, y, fx, fy) in ((a, b, fa, fb), (b, a, fb, fa)):
    for (rule, name) in sorted(fx):
        targets = mapped(name, x, y)
        if not targets:
            print(f"{x}: {rule} on {name}, which names.txt does not map to {y}")
        elif not any((rule, t) in fy for t in targets):
            print(f"{x}: {rule} on {name} has no {y} counterpart on {sorted(targets)}")
ca = collections.Counter(r for r, _ in fa.elements())
cb = collections.Counter(r for r, _ in fb.elements())
for rule in sorted(set(ca) | set(cb)):
    if ca[rule] != cb[rule]:
        print(f"{rule} fires {ca[rule]} times in {a} but {cb[rule]} times in {b}")
' "$1" "$2" "$FIX/names.txt" "$TMP/$2.json"
    case_end
}

set -- $present
if [ $# -lt 2 ]; then
    case_skip "triple: formats agree" "fewer than two of sam/, serverless/, terraform/ are present"
    exit 0
fi
while [ $# -ge 2 ]; do
    first=$1
    shift
    for other in "$@"; do
        pair "$first" "$other"
    done
done
