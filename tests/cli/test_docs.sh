#!/usr/bin/env bash
#
# test_docs.sh — generated documentation is not stale.
#
# docs/rules.md is generated from the rule registry (`make docs`); a rule
# changed without regenerating it fails here, so the committed catalogue
# never disagrees with `slsec rules`.
. "$(dirname "$0")/lib.sh"

case_begin "docs/rules.md equals 'slsec rules --format markdown'"
expect_exit 0 "$SLSEC" rules --format markdown
if [ ! -f docs/rules.md ]; then
    fail "docs/rules.md is missing: run make docs"
elif ! cmp -s "$OUT" docs/rules.md; then
    fail "docs/rules.md is stale: run make docs"
    diff -u docs/rules.md "$OUT" | head -n 20 | sed 's/^/        | /' >>"$CASE_LOG"
fi
case_end

# As curl does for its options: an option `--help` shows but the manual does
# not mention is an undocumented option.
case_begin "every option of scan, rules and explain is in the man page"
if [ ! -f docs/slsec.1 ]; then
    fail "docs/slsec.1 is missing"
else
    sed 's/\\//g' docs/slsec.1 >"$TMP/man.txt" # roff escapes: \-\-fail\-on
    for cmd in scan rules explain; do
        expect_exit 0 "$SLSEC" "$cmd" --help
        opts=$(grep -oE -- '--[a-z][a-z-]+' "$OUT" | sort -u)
        [ -n "$opts" ] || fail "'slsec $cmd --help' lists no option"
        for opt in $opts; do
            grep -Fq -- "$opt" "$TMP/man.txt" || fail "slsec $cmd $opt is not in docs/slsec.1"
        done
    done
fi
case_end
