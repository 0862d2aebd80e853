# shellcheck shell=bash
#
# tests/cli/guard_lib.sh — what the guard's end-to-end tests share, sourced
# after lib.sh: the echo upstream (tests/cli/guard_upstream.py) and the
# clean stop of a gateway.

# start_upstream [EVENTS-FILE]: the upstream on a free port, in $UP, with
# an EXIT trap that stops it and the gateway ($GUARD_PID) whatever happens.
start_upstream() {
    "$PY" tests/cli/guard_upstream.py "$TMP/upstream.port" "$@" 2>"$TMP/upstream.err" &
    UP_PID=$!
    GUARD_PID=""
    trap stop_all EXIT
    for _ in $(seq 100); do [ -s "$TMP/upstream.port" ] && break; sleep 0.1; done
    UP=$(cat "$TMP/upstream.port")
}

stop_all() {
    [ -n "$GUARD_PID" ] && kill "$GUARD_PID" 2>/dev/null
    kill "$UP_PID" 2>/dev/null
    cleanup_tmp
}

# expect_clean_stop STDERR-FILE: SIGTERM to the gateway, which must exit 0
# without a sanitizer report in what it wrote to STDERR-FILE.
expect_clean_stop() {
    kill -TERM "$GUARD_PID"
    wait "$GUARD_PID"
    local rc=$?
    GUARD_PID=""
    expect_eq "$rc" 0 "exit code"
    if grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$1"; then
        fail "sanitizer report"
        note_file "$1" 40
    fi
}
