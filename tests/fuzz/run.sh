#!/usr/bin/env bash
#
# tests/fuzz/run.sh BUILD SECONDS — runs every libFuzzer target of BUILD
# (fuzz_* executables, built by `make fuzz` with -DSLSEC_FUZZ=ON) for
# SECONDS each, one after the other.
#
# Each target starts from its seed corpus, tests/fuzz/corpus/<name>/ (name
# without the fuzz_ prefix), copied into BUILD/fuzz-corpus/<name>/ so that
# what the fuzzer adds never lands in the source tree; the copy is kept
# between runs and grows. Its dictionary is tests/fuzz/<name>.dict when
# there is one. Crashes, leaks and timeouts are written to
# BUILD/fuzz-artifacts/<name>/ and reproduce with
#   BUILD/fuzz_<name> BUILD/fuzz-artifacts/<name>/crash-...
#
# Limits: -timeout=10 (one input taking longer is a hang: a finding),
# -rss_limit_mb=2048, -max_len=65536 (templates bigger than that add no
# code paths, only time). Exit status: 0 when every target ran clean, 1 when
# one found something (its artifacts are listed), 2 for bad usage.
set -u

if [ $# -ne 2 ]; then
    echo "usage: tests/fuzz/run.sh BUILD SECONDS" >&2
    exit 2
fi
BUILD=$(cd "$1" 2>/dev/null && pwd) || { echo "fuzz: no build folder $1" >&2; exit 2; }
SECONDS_EACH=$2
case "$SECONDS_EACH" in
'' | *[!0-9]*) echo "fuzz: SECONDS must be a whole number, got '$2'" >&2; exit 2 ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)

targets=$(find "$BUILD" -maxdepth 1 -type f -name 'fuzz_*' -perm -u+x | sort)
if [ -z "$targets" ]; then
    echo "fuzz: no fuzz_* target in $BUILD (configure with -DSLSEC_FUZZ=ON and clang)" >&2
    exit 2
fi

# Leaks are findings too; UBSan reports must stop the run like a crash.
export ASAN_OPTIONS="detect_leaks=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}"

status=0
summary=""
for t in $targets; do
    name=$(basename "$t")
    name=${name#fuzz_}
    corpus="$BUILD/fuzz-corpus/$name"
    artifacts="$BUILD/fuzz-artifacts/$name"
    mkdir -p "$corpus" "$artifacts"
    if [ -d "$HERE/corpus/$name" ]; then
        cp -n "$HERE/corpus/$name"/* "$corpus"/ 2>/dev/null
    else
        echo "fuzz: warning: no seed corpus tests/fuzz/corpus/$name/; starting from nothing" >&2
    fi
    dict=()
    [ -f "$HERE/$name.dict" ] && dict=(-dict="$HERE/$name.dict")

    echo "== fuzz_$name for ${SECONDS_EACH}s (corpus $corpus, $(find "$corpus" -type f | wc -l) inputs)"
    log="$artifacts/last-run.log"
    "$t" "$corpus" "${dict[@]}" \
        -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1
    rc=$?
    # The last status line says how far it got (cov, ft, corp, exec/s).
    tail_line=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
    found=$(find "$artifacts" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'slow-unit-*' \) -newer "$corpus" 2>/dev/null)
    if [ "$rc" -ne 0 ]; then
        status=1
        echo "FAIL fuzz_$name: exit $rc"
        grep -E 'ERROR: |SUMMARY: |runtime error:|Test unit written' "$log" | head -n 10 | sed 's/^/  /'
        echo "  full log: $log"
        summary="$summary fuzz_$name:FAIL"
    else
        echo "ok   fuzz_$name: ${tail_line:-ran}"
        summary="$summary fuzz_$name:ok"
    fi
    # Touch the corpus folder so the next run's artifact search starts here.
    touch "$corpus"
    [ -n "$found" ] && printf '  artifact: %s\n' $found
done

echo
echo "fuzz:$summary"
exit $status
