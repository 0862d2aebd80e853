#!/usr/bin/env bash
#
# tests/run-all.sh BUILD ASAN_BUILD — every test of slsec, in the order a
# failure is cheapest to read:
#   1. the unit tests (cmocka, through ctest) of the release build, then of
#      the ASan+UBSan build;
#   2. the end-to-end tests of tests/cli/test_*.sh against BUILD/slsec, then
#      against ASAN_BUILD/slsec with leak detection on.
#
# The last line printed is the summary CI reads, exactly
#   N passed, M failed[, K skipped]
# counting CLI test cases, plus one case per ctest run (so that a failing
# unit test can never hide behind "0 failed"). Skipped cases print why.
# Exit status: 0 when nothing failed, 1 otherwise, 2 for bad usage.
set -u

if [ $# -ne 2 ]; then
    echo "usage: tests/run-all.sh BUILD ASAN_BUILD" >&2
    exit 2
fi

REPO=$(cd "$(dirname "$0")/.." && pwd)
abs() { (cd "$1" 2>/dev/null && pwd); }
BUILD=$(abs "$1") || { echo "run-all: no build folder $1" >&2; exit 2; }
ASAN_BUILD=$(abs "$2") || { echo "run-all: no build folder $2" >&2; exit 2; }

RESULTS=$(mktemp "${TMPDIR:-/tmp}/slsec-results.XXXXXX")
trap 'rm -f "$RESULTS"' EXIT
export RESULTS REPO

record() { printf '%s\t%s\t%s\n' "$1" "$2" "${3:-}" >>"$RESULTS"; }

# ---- unit tests -----------------------------------------------------------

# The sanitizer settings apply to the unit tests of the ASan build as well;
# harmless for the release build, which ignores them.
export ASAN_OPTIONS="detect_leaks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"

for b in "$BUILD" "$ASAN_BUILD"; do
    name="unit tests (ctest in $(basename "$b"))"
    echo "== $name"
    if [ ! -f "$b/CTestTestfile.cmake" ]; then
        echo "FAIL $name: $b has no CTestTestfile.cmake (was it configured?)"
        record fail "$name"
        continue
    fi
    if (cd "$b" && ctest --output-on-failure); then
        record pass "$name"
    else
        echo "FAIL $name"
        record fail "$name"
    fi
done

# ---- CLI tests ------------------------------------------------------------

run_cli() { # BINARY LABEL
    local bin=$1 label=$2 t
    echo "== CLI tests against $bin ($label)"
    if [ ! -x "$bin" ]; then
        echo "FAIL [$label] binary $bin missing"
        record fail "[$label] binary present"
        return
    fi
    for t in "$REPO"/tests/cli/test_*.sh; do
        [ -f "$t" ] || continue
        echo "-- $(basename "$t")"
        # Each file runs in its own shell so that one file's state (or a
        # syntax error in it) cannot leak into the next; a file that dies
        # before reporting its cases is itself a failed case.
        local before after
        before=$(wc -l <"$RESULTS")
        SLSEC="$bin" SLSEC_LABEL="$label" bash "$t"
        local rc=$?
        after=$(wc -l <"$RESULTS")
        if [ "$rc" -ne 0 ]; then
            echo "FAIL [$label] $(basename "$t") exited $rc"
            record fail "[$label] $(basename "$t") ran to the end"
        elif [ "$after" -eq "$before" ]; then
            echo "FAIL [$label] $(basename "$t") reported no case"
            record fail "[$label] $(basename "$t") reported cases"
        fi
    done
}

run_cli "$BUILD/slsec" release
run_cli "$ASAN_BUILD/slsec" asan

# A test (or the binary) replacing /dev/null with a regular file breaks
# every later job on the machine: say so loudly rather than let it pass.
if [ ! -c /dev/null ]; then
    echo "FAIL /dev/null is no longer a character device (something wrote over it; as root:"
    echo "     rm /dev/null && mknod -m 666 /dev/null c 1 3)"
    record fail "/dev/null is still a character device"
fi

# ---- summary ----------------------------------------------------------------

passed=$(grep -c '^pass' "$RESULTS")
failed=$(grep -c '^fail' "$RESULTS")
skipped=$(grep -c '^skip' "$RESULTS")

echo
if [ "$failed" -gt 0 ]; then
    echo "failed:"
    grep '^fail' "$RESULTS" | cut -f2 | sed 's/^/  /'
fi
if [ "$skipped" -gt 0 ]; then
    echo "skipped:"
    grep '^skip' "$RESULTS" | cut -f2,3 | sed 's/\t/: /; s/^/  /'
fi
if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
