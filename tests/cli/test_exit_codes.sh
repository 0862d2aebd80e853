#!/usr/bin/env bash
#
# test_exit_codes.sh — the exit codes CI gates on (DESIGN.md): 0 nothing at
# or above --fail-on, 1 findings at or above it, 2 bad usage or nothing
# scannable, 3 internal error.
#
# The --fail-on cases do not hard-code what the examples contain: the JSON
# report (with --fail-on none) says which severities are present, and the
# exit code of every gate must agree with it.
. "$(dirname "$0")/lib.sh"

VULN=examples/vulnerable-app
HARD=examples/hardened-app
LEVELS="critical high medium low info"

# gate_agrees PATH: for each --fail-on level, exit 1 iff a finding is at or
# above it; --fail-on none always 0; no --fail-on behaves as high.
gate_agrees() {
    local path=$1 lvl want worst
    expect_exit 0 "$SLSEC" scan "$path" --format json --fail-on none
    cp "$OUT" "$TMP/gate.json"
    # Rank of the worst finding: 0 critical .. 4 info, 5 when none.
    worst=$(json_get "$TMP/gate.json" \
        'min([("critical","high","medium","low","info").index(f["severity"]) for f in d["findings"]] or [5])')
    if [ -z "$worst" ]; then
        fail "no JSON report for $path"
        return
    fi
    local rank=0
    for lvl in $LEVELS; do
        if [ "$worst" -le "$rank" ]; then want=1; else want=0; fi
        expect_exit "$want" "$SLSEC" scan "$path" --fail-on "$lvl"
        rank=$((rank + 1))
    done
    if [ "$worst" -le 1 ]; then want=1; else want=0; fi
    expect_exit "$want" "$SLSEC" scan "$path"
    expect_exit 0 "$SLSEC" scan "$path" --fail-on none
}

case_begin "--fail-on gates agree with the findings of $VULN"
gate_agrees "$VULN"
case_end

case_begin "--fail-on gates agree with the findings of $HARD"
gate_agrees "$HARD"
case_end

# A template with a high finding and nothing critical: the one place where
# critical and high gates must differ.
cat >"$TMP/high-only.yaml" <<'EOF'
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: 30
      KmsKeyId: arn:aws:kms:eu-west-1:111122223333:key/abcd
  OpsPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: "s3:*"
            Resource: arn:aws:s3:::my-bucket/*
EOF

case_begin "--fail-on critical passes and --fail-on high fails on a high-only template"
expect_exit 0 "$SLSEC" scan "$TMP/high-only.yaml" --format json --fail-on none
cp "$OUT" "$TMP/high-only.json"
py_check "$TMP/high-only.json" '
sev = sorted({f["severity"] for f in d["findings"]})
if "high" not in sev or "critical" in sev:
    print("fixture drifted: expected high findings and no critical one, got %s" % sev)
'
expect_exit 0 "$SLSEC" scan "$TMP/high-only.yaml" --fail-on critical
expect_exit 1 "$SLSEC" scan "$TMP/high-only.yaml" --fail-on high
expect_exit 1 "$SLSEC" scan "$TMP/high-only.yaml"
expect_exit 0 "$SLSEC" scan "$TMP/high-only.yaml" --fail-on none
case_end

# ---- bad usage: exit 2, a message on stderr, nothing on stdout ---------------

usage_case() { # NAME ARGS...
    local name=$1
    shift
    case_begin "bad usage exits 2: $name"
    expect_exit 2 "$SLSEC" "$@"
    expect_nonempty "$ERR"
    expect_empty "$OUT"
    case_end
}

usage_case "unknown option" scan --no-such-option "$VULN"
usage_case "unknown format" scan "$VULN" --format yaml-ish
usage_case "unknown --fail-on level" scan "$VULN" --fail-on severe
usage_case "--format without a value" scan "$VULN" --format
usage_case "unknown command" frobnicate
usage_case "nonexistent path" scan "$TMP/does-not-exist"
usage_case "unknown rules format" rules --format pdf
usage_case "explain without an id" explain
usage_case "config file that does not exist" scan "$VULN" --config "$TMP/nope.yml"

case_begin "nonexistent path: the message names the path"
expect_exit 2 "$SLSEC" scan "$TMP/does-not-exist"
expect_contains "$ERR" "does-not-exist"
case_end

# The issue: "exit code 2 when nothing could be scanned, otherwise a warning
# and the rest scanned" — a missing path next to a good one is the latter.
case_begin "nonexistent path next to a good one: warning, the good one scanned"
expect_exit 1 "$SLSEC" scan "$VULN" "$TMP/does-not-exist.yaml"
expect_contains "$ERR" "does-not-exist.yaml"
expect_contains "$OUT" "IAM-001"
case_end

case_begin "--help and --version exit 0 on stdout"
expect_exit 0 "$SLSEC" --help
expect_nonempty "$OUT"
expect_exit 0 "$SLSEC" scan --help
expect_contains "$OUT" "--fail-on"
expect_exit 0 "$SLSEC" --version
expect_match "$OUT" '[0-9]+\.[0-9]+\.[0-9]+'
case_end

case_begin "an empty folder is not an error (exit 0)"
mkdir -p "$TMP/empty-dir"
expect_exit 0 "$SLSEC" scan "$TMP/empty-dir" --format json
case_end
