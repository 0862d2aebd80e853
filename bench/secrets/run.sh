#!/usr/bin/env bash
#
# bench/secrets/run.sh SLSEC — the secret scan against its peer.
#
#   1. installs the peer, secretlint 12.0.0 with
#      @secretlint/secretlint-rule-preset-recommend 12.0.0, pinned in this
#      folder's package-lock.json (`npm ci`; 13.x needs Node 22);
#   2. generates a corpus (gen_corpus.py, MB megabytes, default 24) of
#      JS/Python/YAML/JSON/.env files with planted secrets and near misses;
#   3. runs both tools on it and scores recall and false positives against
#      the planted list (score.py);
#   4. times, best of REPEAT: the floor (cat of every file from page cache),
#      slsec -j 1, slsec -j 2, secretlint (once: it is slow);
#   5. generates a 5,000-commit repository (gen_repo.py) and times a scan of
#      its checkout against a scan with --git-history.
# Work files go to $WORK (default a fresh folder under /tmp). Not a test: it
# fails only when a command fails, never on a number.
set -eu

if [ $# -ne 1 ]; then
    echo "usage: bench/secrets/run.sh PATH/TO/slsec (a release build)" >&2
    exit 2
fi
SLSEC=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
MB=${MB:-24}
REPEAT=${REPEAT:-3}
COMMITS=${COMMITS:-5000}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/slsec-bench-secrets.XXXXXX")}

(cd "$HERE" && npm ci --no-audit --no-fund --silent)
SECRETLINT="$HERE/node_modules/.bin/secretlint"
echo "secretlint $("$SECRETLINT" --version)"
echo "slsec $("$SLSEC" --version 2>/dev/null | head -n 1)"
echo "cores: $(nproc)"

python3 "$HERE/gen_corpus.py" "$WORK/corpus" "$MB"
BYTES=$(find "$WORK/corpus" -type f -printf '%s\n' | awk '{s += $1} END {print s}')

best() { # LABEL CMD...: best wall time of REPEAT runs, in seconds
    local label=$1 t b=""
    shift
    for _ in $(seq "$REPEAT"); do
        /usr/bin/time -o "$WORK/.time" -f '%e' "$@" >/dev/null 2>&1 || true
        t=$(tail -n 1 "$WORK/.time")
        if [ -z "$b" ] || awk "BEGIN {exit !($t < $b)}"; then b=$t; fi
    done
    awk -v l="$label" -v t="$b" -v n="$BYTES" 'BEGIN {printf "%-22s %7.2f s  %8.1f MB/s\n", l, t, (t > 0 ? n / 1048576 / t : 0)}'
}

cd "$WORK"
printf '{"rules":[{"id":"@secretlint/secretlint-rule-preset-recommend"}]}\n' >.secretlintrc.json
find corpus -type f -print0 | xargs -0 cat >/dev/null # warm the page cache
echo "== accuracy"
"$SLSEC" scan --no-config --rule 'SECRET-*' -f json corpus >slsec.json 2>/dev/null || true
"$SECRETLINT" --secretlintrc .secretlintrc.json --format json "corpus/**/*" >secretlint.json 2>/dev/null || true
python3 "$HERE/score.py" truth.tsv corpus slsec.json secretlint.json

echo "== throughput on $(awk -v n="$BYTES" 'BEGIN {printf "%.1f MB", n / 1048576}')"
best "cat (floor)" sh -c 'find corpus -type f -print0 | xargs -0 cat >/dev/null'
mkdir -p empty
best "slsec startup (empty)" "$SLSEC" scan --no-config --rule 'SECRET-*' -f json empty
best "slsec -j 1" "$SLSEC" scan --no-config --rule 'SECRET-*' -f json -j 1 corpus
best "slsec -j 2" "$SLSEC" scan --no-config --rule 'SECRET-*' -f json -j 2 corpus
REPEAT=1 best "secretlint" "$SECRETLINT" --secretlintrc .secretlintrc.json --format json "corpus/**/*"

echo "== git history ($COMMITS commits)"
python3 "$HERE/gen_repo.py" "$WORK/repo" "$COMMITS"
BYTES=$(find repo -path repo/.git -prune -o -type f -printf '%s\n' | awk '{s += $1} END {print s}')
best "checkout only" "$SLSEC" scan --no-config --rule 'SECRET-*' -f json repo
best "with --git-history" "$SLSEC" scan --no-config --rule 'SECRET-*' -f json --git-history repo
for mode in "" --git-history; do
    "$SLSEC" scan --no-config --rule 'SECRET-*' -f json $mode repo >r.json 2>/dev/null || true
    python3 -c 'import json,sys; d=json.load(open("r.json")); print("  findings %s: %d" % (sys.argv[1] or "checkout", len(d["findings"])))' "$mode"
done
echo "(work files in $WORK)"
