#!/usr/bin/env bash
#
# test_audit.sh — `slsec audit` end to end on tests/fixtures/cloudtrail
# (written for the tests by its make_fixtures.py): the findings of each
# rule, the least-privilege policies (compared with the committed expected
# files), stdin, the time window, the report formats, and the bad inputs
# (truncated gzip, a record without eventSource, Records not an array,
# nothing readable at all, a large single-line file).
. "$(dirname "$0")/lib.sh"

FIX=tests/fixtures/cloudtrail
LOGS=$FIX/AWSLogs
DAY1=$(ls "$LOGS"/*/CloudTrail/us-east-1/2026/10/01/*.json.gz)
AUDIT_ALL="--cloudtrail $LOGS --cloudtrail $FIX/lake.jsonl $FIX/template.yaml"

# rule_counts JSON: "AUDIT-001=3 AUDIT-002=1 ..." sorted by rule id.
rule_counts() {
    json_get "$1" '" ".join("%s=%d" % (k, v) for k, v in sorted(__import__("collections").Counter(f["rule_id"] for f in d["findings"]).items()))'
}

case_begin "audit of the fixture trail: every AUDIT rule fires as the events say"
# shellcheck disable=SC2086
expect_exit 1 "$SLSEC" audit $AUDIT_ALL --format json
cp "$OUT" "$TMP/all.json"
expect_eq "$(rule_counts "$TMP/all.json")" \
    "AUDIT-001=3 AUDIT-002=1 AUDIT-003=1 AUDIT-004=1 AUDIT-005=2 AUDIT-006=1 AUDIT-010=1 AUDIT-011=1 AUDIT-012=1 AUDIT-013=1 AUDIT-014=1 AUDIT-015=2" \
    "findings per rule"
py_check "$TMP/all.json" '
by = {}
for f in d["findings"]:
    by.setdefault((f["rule_id"], f["resource"]), []).append(f)
def ev(rule, res):
    return sorted(f.get("evidence") or "" for f in by.get((rule, res), []))
want = {
    ("AUDIT-001", "OrdersRole"): ["dynamodb:DeleteTable, dynamodb:UpdateTable", "s3:GetBucketLocation"],
    ("AUDIT-001", "ReportsRole"): ["ssm:PutParameter"],
    ("AUDIT-002", "OrdersRole"): ["sqs:CreateQueue, sqs:DeleteQueue"],
    ("AUDIT-004", "OrdersRole"): ["dynamodb:GetItem, dynamodb:PutItem, s3:GetObject, sqs:SendMessage"],
}
for k, v in want.items():
    if ev(*k) != v:
        print(f"{k}: evidence {ev(*k)}, expected {v}")
for rule, who in [("AUDIT-010", "user/alice"), ("AUDIT-012", "user/mallory"), ("AUDIT-014", "user/alice")]:
    fs = [f for f in d["findings"] if f["rule_id"] == rule]
    if not fs or who not in fs[0]["message"] or "sample event ev-" not in fs[0]["message"]:
        print(f"{rule}: message should name {who} and a sample event: {fs}")
if any("bob" in f["message"] for f in d["findings"]):
    print("bob signed in with MFA and should not be reported")
'
case_end

case_begin "warnings name the file and record index; the rest goes on"
# shellcheck disable=SC2086
expect_exit 1 "$SLSEC" audit $AUDIT_ALL --cloudtrail "$FIX/not-array.json"
expect_match "$ERR" "b2\.json: record 8: no eventSource; skipped"
expect_match "$ERR" "c3\.json\.gz: gzip data ends early after record 1"
expect_match "$ERR" "c3\.json\.gz: record 2: input ends inside a record"
expect_match "$ERR" "not-array\.json: \"Records\" is not an array"
expect_contains "$ERR" "unobservable, not unused"
case_end

case_begin "--write-policies writes the expected least-privilege policy per seen role"
# shellcheck disable=SC2086
expect_exit 1 "$SLSEC" audit $AUDIT_ALL --write-policies "$TMP/policies" --quiet
for role in OrdersRole ReportsRole; do
    if ! cmp -s "$TMP/policies/$role.json" "$FIX/expected/$role.json"; then
        fail "policy of $role differs from $FIX/expected/$role.json"
        diff -u "$FIX/expected/$role.json" "$TMP/policies/$role.json" 2>&1 | head -20 | sed 's/^/        | /' >>"$CASE_LOG"
    fi
done
if [ -e "$TMP/policies/CleanupFunctionRole.json" ]; then
    fail "a role never seen in the trail got a policy"
fi
expect_empty "$ERR"
case_end

case_begin "standard input (gzip) gives what the file gives"
expect_exit 1 "$SLSEC" audit --cloudtrail "$DAY1" "$FIX/template.yaml" --format json --fail-on info
cp "$OUT" "$TMP/file.json"
run sh -c '"$1" audit --cloudtrail - "$2" --format json --fail-on info < "$3"' sh "$SLSEC" "$FIX/template.yaml" "$DAY1"
expect_eq "$RC" 1 "exit code"
expect_eq "$(json_get "$OUT" '[(f["rule_id"], f["resource"], f["message"]) for f in d["findings"] if f["rule_id"] < "AUDIT-005"]')" \
    "$(json_get "$TMP/file.json" '[(f["rule_id"], f["resource"], f["message"]) for f in d["findings"] if f["rule_id"] < "AUDIT-005"]')" \
    "role findings from stdin"
case_end

case_begin "--since/--until keep only the window"
# shellcheck disable=SC2086
expect_exit 0 "$SLSEC" audit $AUDIT_ALL --since 2026-10-03 --until 2026-10-03 --format json --fail-on none
cp "$OUT" "$TMP/win.json"
expect_contains "$ERR" "2 records from"
expect_eq "$(json_get "$TMP/win.json" 'sorted(set(f["rule_id"] for f in d["findings"]))')" \
    '["AUDIT-001", "AUDIT-006"]' "rules within 2026-10-03"
case_end

case_begin "--deploy-role: changes by the deployment principal are not reported"
# shellcheck disable=SC2086
expect_exit 1 "$SLSEC" audit $AUDIT_ALL --format json --deploy-role alice
expect_eq "$(json_get "$OUT" 'sorted(set(f["rule_id"] for f in d["findings"] if f["rule_id"] in ("AUDIT-010", "AUDIT-014", "AUDIT-015")))')" \
    '["AUDIT-010"]' "rules left for alice"
case_end

case_begin "every report format of scan works for audit"
for fmt in text sarif junit markdown; do
    # shellcheck disable=SC2086
    expect_exit 1 "$SLSEC" audit $AUDIT_ALL --format "$fmt" --no-color -q
    expect_contains "$OUT" "AUDIT-010"
done
# shellcheck disable=SC2086
expect_exit 0 "$SLSEC" audit $AUDIT_ALL --fail-on none -o "$TMP/report.txt" -q
expect_contains "$TMP/report.txt" "AUDIT-002"
case_end

case_begin "bad usage and unreadable input exit 2"
expect_exit 2 "$SLSEC" audit "$FIX/template.yaml"
expect_contains "$ERR" "--cloudtrail is required"
expect_exit 2 "$SLSEC" audit --cloudtrail "$FIX/no-such.json" "$FIX/template.yaml"
expect_contains "$ERR" "no-such.json"
expect_exit 2 "$SLSEC" audit --cloudtrail "$FIX/not-array.json" "$FIX/template.yaml"
expect_contains "$ERR" "nothing could be read"
expect_exit 2 "$SLSEC" audit --cloudtrail "$LOGS" --since yesterday "$FIX/template.yaml"
expect_exit 2 "$SLSEC" audit --cloudtrail "$LOGS" --role-map NoSuchRole=arn:aws:iam::1:role/x "$FIX/template.yaml"
expect_contains "$ERR" "NoSuchRole"
printf 'not a gzip at all' | gzip -c | head -c 12 >"$TMP/cut.json.gz"
expect_exit 2 "$SLSEC" audit --cloudtrail "$TMP/cut.json.gz" "$FIX/template.yaml"
expect_contains "$ERR" "truncated"
expect_exit 0 "$SLSEC" audit --help
expect_contains "$OUT" "--write-policies"
case_end

case_begin "a large single-line trail (20 MB) streams through"
"$PY" - "$TMP/big.json" <<'PYEOF'
import json, sys
rec = {"eventVersion": "1.09", "eventTime": "2026-10-05T00:00:00Z", "eventSource": "dynamodb.amazonaws.com",
       "eventName": "DescribeTable", "awsRegion": "us-east-1", "requestParameters": {"tableName": "Orders"},
       "recipientAccountId": "111122223333", "eventID": "big",
       "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/shop-OrdersRole-1A2B3C4D5E6F/x",
                        "sessionContext": {"sessionIssuer": {"arn": "arn:aws:iam::111122223333:role/shop-OrdersRole-1A2B3C4D5E6F"}}},
       "pad": "x" * 1000}
line = json.dumps(rec)
with open(sys.argv[1], "w") as f:
    f.write('{"Records":[' + ",".join([line] * 20000) + "]}")
PYEOF
expect_exit 0 "$SLSEC" audit --cloudtrail "$TMP/big.json" "$FIX/template.yaml" --fail-on none --format json
expect_contains "$ERR" "20000 records from 1 file"
case_end
