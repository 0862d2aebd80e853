#!/usr/bin/env bash
#
# test_examples.sh — the two example apps of the README demo.
#
# examples/vulnerable-app must trip the default gate (exit 1) with findings
# in every family the first wave of rules covers; examples/hardened-app, the
# same app fixed, must pass even a --fail-on medium gate, with no finding at
# medium or above in its JSON report.
. "$(dirname "$0")/lib.sh"

VULN=examples/vulnerable-app
HARD=examples/hardened-app
FAMILIES="IAM FN API DATA NET LOG PIPE"

case_begin "scan $VULN (text, default gate) exits 1 and names each family"
expect_exit 1 "$SLSEC" scan "$VULN"
for fam in $FAMILIES; do
    expect_match "$OUT" "\\b$fam-[0-9]{3}\\b"
done
case_end

case_begin "scan $VULN --format json has findings in $FAMILIES"
expect_exit 1 "$SLSEC" scan "$VULN" --format json
cp "$OUT" "$TMP/vuln.json"
py_check "$TMP/vuln.json" '
fams = {f["rule_id"].split("-")[0] for f in d["findings"]}
for fam in args[0].split():
    if fam not in fams:
        print(f"no {fam}-* finding in the vulnerable example (families seen: {sorted(fams)})")
if not any(f["severity"] in ("critical", "high") for f in d["findings"]):
    print("no finding at high or above, yet the default gate is high")
' "$FAMILIES"
case_end

case_begin "scan $HARD --fail-on medium exits 0 with nothing at medium or above"
expect_exit 0 "$SLSEC" scan "$HARD" --fail-on medium
expect_exit 0 "$SLSEC" scan "$HARD" --fail-on medium --format json
cp "$OUT" "$TMP/hard.json"
py_check "$TMP/hard.json" '
bad = [f for f in d["findings"] if f["severity"] in ("critical", "high", "medium")]
for f in bad:
    print("%s %s %s at %s:%s" % (f["severity"], f["rule_id"], f["resource"],
                                f["location"]["file"], f["location"]["line"]))
if d["summary"].get("templates", 1) < 1:
    print("the hardened example was not scanned as a template")
'
case_end
