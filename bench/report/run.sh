#!/usr/bin/env bash
#
# bench/report/run.sh SLSEC [RUNS] — `slsec history` and `slsec report` on a
# history of RUNS (default 1000) recorded scans of a 1,000-function app,
# and the report of a 10,000-function app: its size, the time to write it,
# and the time headless Chromium takes to render it (when installed).
#
# The apps come from bench/gen_sam.py; the history is written once by
# fill_history.c (built here against the libslsec.a next to SLSEC) through
# slsec_history_record, with a different 2% of the findings missing in each
# run so every run has new and fixed findings. Everything lands in
# bench/report/out/ and is reused by later runs (delete it to start over).
# Each command runs 3 times (the best wall and CPU seconds are printed),
# the Chromium renders once.
set -eu

SLSEC=$(cd "$(dirname "${1:?usage: bench/report/run.sh SLSEC [RUNS]}")" && pwd)/$(basename "$1")
RUNS=${2:-1000}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT="$HERE/out"
mkdir -p "$OUT"
LIB="$(dirname "$SLSEC")/libslsec.a"
[ -f "$LIB" ] || { echo "bench: no $LIB (build slsec first)" >&2; exit 2; }

# shellcheck disable=SC2046
cc -O2 -std=c11 -D_GNU_SOURCE -I"$REPO/include" "$HERE/fill_history.c" "$LIB" \
    $(pkg-config --libs libfyaml jansson libcrypto libhs libpcre2-8 libgit2 libarchive zlib sqlite3) -lm \
    -o "$OUT/fill_history"

for n in 1000 10000; do
    mkdir -p "$OUT/app$n"
    [ -f "$OUT/app$n/template.yaml" ] || python3 "$REPO/bench/gen_sam.py" "$n" -o "$OUT/app$n/template.yaml"
done
DB="$OUT/history-$RUNS.db"
if [ ! -f "$DB" ]; then
    t0=$(date +%s.%N)
    "$OUT/fill_history" "$OUT/app1000" "$DB.tmp" "$RUNS"
    mv "$DB.tmp" "$DB"
    t1=$(date +%s.%N)
    printf 'history of %s runs written in %.1f s (%.1f ms per recorded run), %s\n' "$RUNS" \
        "$(awk "BEGIN{print $t1 - $t0}")" "$(awk "BEGIN{print ($t1 - $t0) * 1000 / $RUNS}")" "$(du -h "$DB" | cut -f1)"
fi

# best LABEL CMD...: best wall and CPU seconds of 3 runs.
best() {
    local label=$1 bw=999 bc=999 i w u s c
    shift
    for i in 1 2 3; do
        /usr/bin/time -f '%e %U %S' -o "$OUT/.time" "$@" >/dev/null 2>"$OUT/.err" </dev/null ||
            { echo "bench: failed: $*" >&2; cat "$OUT/.err" >&2; exit 1; }
        read -r w u s <"$OUT/.time"
        c=$(awk "BEGIN{print $u + $s}")
        if awk "BEGIN{exit !($w < $bw)}"; then bw=$w; fi
        if awk "BEGIN{exit !($c < $bc)}"; then bc=$c; fi
    done
    printf '%-44s %7.2f %8.2f\n' "$label" "$bw" "$bc"
}

printf '%-44s %7s %8s\n' "" "wall s" "cpu s"
best "history ($RUNS runs, text)" "$SLSEC" history --history "$DB"
best "history ($RUNS runs, json)" "$SLSEC" history --history "$DB" -f json
best "report html, 1,000 functions + $RUNS runs" "$SLSEC" report "$OUT/app1000" --history "$DB" -q -o "$OUT/r1000.html"
best "report markdown, 1,000 functions" "$SLSEC" report "$OUT/app1000" --history "$DB" -q -f markdown -o "$OUT/r1000.md"
best "scan alone, 1,000 functions (for reference)" "$SLSEC" scan "$OUT/app1000" -q --no-secrets -f json --fail-on none -o "$OUT/s1000.json"
best "report html, 10,000 functions" "$SLSEC" report "$OUT/app10000" --no-history -q -o "$OUT/r10000.html"
best "inventory json, 10,000 functions" "$SLSEC" inventory "$OUT/app10000" -q -o "$OUT/i10000.json"
printf 'report sizes: 1,000 functions %s, 10,000 functions %s\n' "$(du -h "$OUT/r1000.html" | cut -f1)" \
    "$(du -h "$OUT/r10000.html" | cut -f1)"

CHROMIUM=$(command -v chromium || true)
if [ -n "$CHROMIUM" ]; then
    # One run each (a 27 MB page takes a while): load, lay out and paint
    # the page into a screenshot, with a fresh profile.
    for n in 1000 10000; do
        rm -rf "$OUT/profile"
        /usr/bin/time -f '%e %U %S' -o "$OUT/.time" timeout 300 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
            --disable-background-networking --no-first-run --user-data-dir="$OUT/profile" --window-size=1280,1000 \
            --screenshot="$OUT/r$n.png" "file://$OUT/r$n.html" >/dev/null 2>&1 </dev/null || echo "bench: chromium failed on r$n.html" >&2
        read -r w u s <"$OUT/.time"
        printf '%-44s %7.2f %8.2f\n' "chromium render (screenshot), $n functions" "$w" "$(awk "BEGIN{print $u + $s}")"
    done
    rm -rf "$OUT/profile"
else
    echo "chromium not installed: render times not measured"
fi
