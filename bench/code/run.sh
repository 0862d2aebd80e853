#!/usr/bin/env bash
#
# bench/code/run.sh SLSEC — the code pass against bandit, in the same run.
#
#   1. generates FILES handler files (gen.py, default 2000: half JS/TS, half
#      Python, about 200 lines each);
#   2. times `slsec scan` with only the code rules (--no-secrets, CODE-* and
#      LOG-1*) on the whole repository, best of REPEAT, with peak memory;
#   3. times `bandit -r` (Debian's bandit, bench only) on the Python half,
#      once per REPEAT as well, with peak memory, and prints the ratio of
#      files per second on the same Python half;
#   4. scores both tools on tests/fixtures/code (score.py): precision and
#      recall of slsec against the `expect:` markers, and bandit's findings
#      on the Python fixtures matched, added and dropped.
# Work files go to $WORK (default a fresh folder under /tmp). Not a test: it
# fails only when a command fails, never on a number.
set -eu

if [ $# -ne 1 ]; then
    echo "usage: bench/code/run.sh PATH/TO/slsec (a release build)" >&2
    exit 2
fi
SLSEC=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
FILES=${FILES:-2000}
REPEAT=${REPEAT:-3}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/slsec-bench-code.XXXXXX")}
command -v bandit >/dev/null || { echo "bench/code: bandit is not installed (apt-get install bandit)" >&2; exit 2; }

echo "slsec $("$SLSEC" --version 2>/dev/null | head -n 1)"
echo "$(bandit --version 2>&1 | head -n 1)"
echo "cores: $(nproc)"

t0=$(date +%s.%N)
python3 "$HERE/gen.py" "$WORK/repo" "$FILES"
t1=$(date +%s.%N)
LINES=$(cat "$WORK"/repo/*/* | wc -l)
NPY=$(find "$WORK/repo/py" -name '*.py' | wc -l)
awk -v a="$t0" -v b="$t1" -v n="$FILES" -v l="$LINES" \
    'BEGIN {printf "generated %d files (%d lines) in %.2f s\n", n, l, b - a}'
find "$WORK/repo" -type f -print0 | xargs -0 cat >/dev/null # warm the page cache

# best LABEL FILES CMD...: best wall time of REPEAT runs, with the CPU time
# (user + system) and peak RSS of that run; "wall cpu" of it go to .last
best() {
    local label=$1 n=$2 t m u k c b="" bm="" bc=""
    shift 2
    for _ in $(seq "$REPEAT"); do
        /usr/bin/time -o "$WORK/.time" -f '%e %M %U %S' "$@" >/dev/null 2>&1 || true
        # the last line: GNU time first says "Command exited with non-zero status 1"
        read -r t m u k < <(tail -n 1 "$WORK/.time")
        c=$(awk -v u="$u" -v k="$k" 'BEGIN {printf "%.2f", u + k}')
        if [ -z "$b" ] || awk "BEGIN {exit !($t < $b)}"; then b=$t; bm=$m; bc=$c; fi
    done
    awk -v l="$label" -v t="$b" -v c="$bc" -v m="$bm" -v n="$n" \
        'BEGIN {printf "%-36s %7.2f s wall %7.2f s cpu  %6.0f files/s  peak %6.1f MB\n", l, t, c, (t > 0 ? n / t : 0), m / 1024}'
    echo "$b $bc" >"$WORK/.last"
}

echo "== throughput"
best "slsec, all $FILES files" "$FILES" "$SLSEC" scan --no-config --no-secrets --rule 'CODE-*' --rule 'LOG-1*' -q -f json "$WORK/repo"
best "slsec, Python half ($NPY files)" "$NPY" "$SLSEC" scan --no-config --no-secrets --rule 'CODE-*' --rule 'LOG-1*' -q -f json "$WORK/repo/py"
read -r SW SC <"$WORK/.last"
best "bandit -r, Python half ($NPY files)" "$NPY" bandit -r -q -f json -o "$WORK/bandit.json" "$WORK/repo/py"
read -r BW BC <"$WORK/.last"
awk -v sw="$SW" -v sc="$SC" -v bw="$BW" -v bc="$BC" \
    'BEGIN {printf "ratio on the Python half: slsec %.1fx faster than bandit (wall), %.1fx (cpu)\n", (sw > 0 ? bw / sw : 0), (sc > 0 ? bc / sc : 0)}'
"$SLSEC" scan --no-config --no-secrets --rule 'CODE-*' --rule 'LOG-1*' -q -f json "$WORK/repo" >"$WORK/slsec.json" || true
python3 - "$WORK/slsec.json" "$FILES" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
planted = len(range(0, n // 2, 5)) * 2
print("findings on the generated repository: %d (planted flows: %d), handlers analysed: %d"
      % (len(d["findings"]), planted, d["summary"]["handlers"]))
PY

echo "== accuracy on tests/fixtures/code"
"$SLSEC" scan --no-config --no-secrets --rule 'CODE-*' --rule 'LOG-1*' -q -f json "$REPO/tests/fixtures/code" >"$WORK/fx.json" || true
bandit -r -q -f json -o "$WORK/fx-bandit.json" "$REPO/tests/fixtures/code/py" >/dev/null 2>&1 || true
python3 "$HERE/score.py" "$REPO/tests/fixtures/code" "$WORK/fx.json" "$WORK/fx-bandit.json"
