# shellcheck shell=bash
#
# tests/cli/lib.sh — helpers for the end-to-end tests of the slsec binary.
#
# Sourced by every tests/cli/test_*.sh, which tests/run-all.sh runs once per
# build (release, then ASan+UBSan). The environment it expects:
#   SLSEC         the binary under test (absolute path)
#   REPO          the repository root; tests run from there
#   RESULTS       a file to which each finished case appends one line:
#                 "pass|fail|skip<TAB>name<TAB>reason"
#   SLSEC_LABEL   a short tag for the build ("release", "asan") shown in names
#
# A test file is a list of cases:
#
#   case_begin "scan of the vulnerable example exits 1"
#   expect_exit 1 "$SLSEC" scan examples/vulnerable-app
#   expect_contains "$OUT" "IAM-001"
#   case_end
#
# Assertions never stop the file: a failed one marks the case failed and
# says why (indented, under the case), so one run shows every broken case.
# Every command runs under `timeout` and is checked for crashes (a signal, an
# exit code of 128 or more, a sanitizer report on stderr) whatever exit code
# the case expects: a crash is always a failure, never "exit code != 0".
#
# JSON and XML are inspected with the system python (/usr/bin/python3, the
# Debian one, which has python3-jsonschema), never with grep.

set -u

: "${SLSEC:?SLSEC must name the binary under test}"
: "${REPO:?REPO must name the repository root}"
: "${RESULTS:?RESULTS must name the results file}"
SLSEC_LABEL=${SLSEC_LABEL:-$(basename "$(dirname "$SLSEC")")}
PY=/usr/bin/python3
# Seconds any single command may take. Generous: the ASan build is slow, and
# the point is to catch hangs, not to measure (tests never assert on time).
TIMEOUT=${SLSEC_TEST_TIMEOUT:-20}

cd "$REPO" || exit 1

# One scratch folder per test file, removed on exit (files made unreadable
# by a test are made readable again first so rm can go through).
TMP=$(mktemp -d "${TMPDIR:-/tmp}/slsec-cli.XXXXXX")
cleanup_tmp() {
    chmod -R u+rwX "$TMP" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup_tmp EXIT

OUT="$TMP/.stdout" # stdout of the last command run by run/expect_exit
ERR="$TMP/.stderr" # its stderr
RC=0               # its exit code
LAST_CMD=""

CASE=""
CASE_FAILED=0
CASE_LOG="$TMP/.case"

# ---- cases ---------------------------------------------------------------

case_begin() {
    CASE=$1
    CASE_FAILED=0
    : >"$CASE_LOG"
}

# fail MESSAGE...: marks the current case failed, with a reason.
fail() {
    CASE_FAILED=1
    printf '      %s\n' "$@" >>"$CASE_LOG"
}

# note TEXT: extra context shown under a failed case (e.g. stderr).
note_file() { # FILE [LINES]
    local n=${2:-15}
    if [ -s "$1" ]; then
        head -n "$n" "$1" | sed 's/^/        | /' >>"$CASE_LOG"
    fi
}

case_end() {
    if [ "$CASE_FAILED" -eq 0 ]; then
        printf 'ok   [%s] %s\n' "$SLSEC_LABEL" "$CASE"
        printf 'pass\t[%s] %s\t\n' "$SLSEC_LABEL" "$CASE" >>"$RESULTS"
    else
        printf 'FAIL [%s] %s\n' "$SLSEC_LABEL" "$CASE"
        cat "$CASE_LOG"
        printf 'fail\t[%s] %s\t\n' "$SLSEC_LABEL" "$CASE" >>"$RESULTS"
    fi
    CASE=""
}

# case_skip NAME REASON: a case that cannot run here, and why.
case_skip() {
    printf 'skip [%s] %s: %s\n' "$SLSEC_LABEL" "$1" "$2"
    printf 'skip\t[%s] %s\t%s\n' "$SLSEC_LABEL" "$1" "$2" >>"$RESULTS"
}

# ---- running commands ----------------------------------------------------

# run CMD...: runs CMD with a time bound, stdout in $OUT, stderr in $ERR,
# exit code in $RC, and fails the case on a hang, a crash or a sanitizer
# report. Returns 0 so `set -e` never trips on an expected non-zero exit.
run() {
    LAST_CMD="$*"
    timeout -k 5 "$TIMEOUT" "$@" >"$OUT" 2>"$ERR" </dev/null
    RC=$?
    if [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; then
        fail "timed out after ${TIMEOUT}s: $LAST_CMD"
    elif [ "$RC" -ge 128 ]; then
        fail "crashed (exit $RC, signal $((RC - 128))): $LAST_CMD"
        note_file "$ERR" 30
    fi
    if grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|UndefinedBehaviorSanitizer' "$ERR"; then
        fail "sanitizer report: $LAST_CMD"
        note_file "$ERR" 40
    fi
    return 0
}

# expect_exit CODES CMD...: runs CMD; CODES is one code or several
# separated by '|' ("0|1").
expect_exit() {
    local want=$1
    shift
    run "$@"
    case "|$want|" in
    *"|$RC|"*) ;;
    *)
        fail "expected exit $want, got $RC: $*"
        note_file "$ERR"
        ;;
    esac
}

# ---- assertions on files -------------------------------------------------

# expect_contains FILE TEXT: FILE holds TEXT (fixed string).
expect_contains() {
    if ! grep -Fq -- "$2" "$1"; then
        fail "expected '$2' in $(label_of "$1")"
        note_file "$1"
    fi
}

expect_not_contains() {
    if grep -Fq -- "$2" "$1"; then
        fail "did not expect '$2' in $(label_of "$1")"
        grep -F -- "$2" "$1" | head -n 5 | sed 's/^/        | /' >>"$CASE_LOG"
    fi
}

# expect_match FILE ERE: some line of FILE matches the extended regex.
expect_match() {
    if ! grep -Eq -- "$2" "$1"; then
        fail "expected a line matching /$2/ in $(label_of "$1")"
        note_file "$1"
    fi
}

expect_empty() {
    if [ -s "$1" ]; then
        fail "expected $(label_of "$1") to be empty"
        note_file "$1"
    fi
}

expect_nonempty() {
    if [ ! -s "$1" ]; then
        fail "expected $(label_of "$1") to be non-empty"
    fi
}

expect_file() {
    if [ ! -f "$1" ]; then
        fail "expected file $1 to exist"
    fi
}

# expect_eq ACTUAL EXPECTED WHAT
expect_eq() {
    if [ "$1" != "$2" ]; then
        fail "$3: expected '$2', got '$1'"
    fi
}

label_of() {
    case "$1" in
    "$OUT") echo "stdout of: $LAST_CMD" ;;
    "$ERR") echo "stderr of: $LAST_CMD" ;;
    *) echo "$1" ;;
    esac
}

# ---- JSON ----------------------------------------------------------------

# json_get FILE EXPR: prints the Python expression EXPR evaluated with `d`
# bound to the parsed JSON document (strings as is, the rest as JSON).
# Prints nothing and returns 1 when the file is not JSON.
json_get() {
    "$PY" - "$1" "$2" <<'EOF'
import json, sys
try:
    with open(sys.argv[1], encoding="utf-8") as f:
        d = json.load(f)
except (OSError, ValueError) as e:
    print(f"not JSON: {e}", file=sys.stderr)
    sys.exit(1)
v = eval(sys.argv[2], {"d": d})
print(v if isinstance(v, str) else json.dumps(v, sort_keys=True))
EOF
}

# py_check FILE SCRIPT [ARGS...]: runs the Python SCRIPT with `d` bound to
# the JSON in FILE (None if FILE is "-") and `args` to ARGS; every line the
# script prints is a problem, and any problem fails the case.
py_check() {
    local file=$1 script=$2 problems
    shift 2
    problems=$("$PY" - "$file" "$script" "$@" 2>&1 <<'EOF'
import json, sys
path, script, args = sys.argv[1], sys.argv[2], sys.argv[3:]
d = None
if path != "-":
    try:
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
    except (OSError, ValueError) as e:
        print(f"{path}: not valid JSON: {e}")
        sys.exit(1)
try:
    exec(script, {"d": d, "args": args, "json": json})
except Exception as e:  # a broken document shape is a finding, not a crash
    print(f"check raised {type(e).__name__}: {e}")
    sys.exit(1)
EOF
)
    if [ -n "$problems" ]; then
        CASE_FAILED=1
        printf '%s\n' "$problems" | head -n 30 | sed 's/^/      /' >>"$CASE_LOG"
    fi
}

# ---- misc ----------------------------------------------------------------

# shared_schema: path of the SARIF schema kept next to the repository
# (../shared/schemas), printed only when present.
sarif_schema() {
    local p
    p="$(cd "$REPO/.." && pwd)/shared/schemas/sarif-schema-2.1.0.json"
    [ -f "$p" ] && printf '%s\n' "$p"
}

# is_asan: is the binary under test a sanitizer build? (Some cases only
# make sense on one of the two builds.)
is_asan() {
    [ "$SLSEC_LABEL" = asan ]
}
