#!/usr/bin/env bash
#
# bench/deps/run.sh SLSEC [OUT] — the dependency pass at scale (issue 5).
#
# Generates (bench/deps/gen.py, once, into OUT, default bench/out/deps) an OSV
# corpus of ADVISORIES advisories (default 200000: npm-all.zip + PyPI-all.zip)
# and a monorepo of LOCKFILES package-lock.json files holding PACKAGES packages
# (defaults 50 and 20000), then measures, best of REPEAT runs (default 3):
#   import   slsec db import --db FRESH.db npm-all.zip PyPI-all.zip  (and the
#            index size); then the same import again into the full index,
#            which finds every advisory unchanged
#   scan     slsec scan MONOREPO --offline-db DB --format json --fail-on none
#            (lockfile reading + matching: the monorepo holds no template)
#   peer     node bench/deps/peer/match.mjs: Renovate's offline OSV index
#            (@renovatebot/osv-offline-db 3.0.12, loading nedb/npm.nedb, the
#            same npm advisories) + npm's semver 7.6.3 for ranges, over the
#            same 20000 (name, version) pairs, given as a list (it reads no
#            lockfiles). Its index is built in memory on each run.
# and checks that slsec and the peer find the same number of matches.
# The peer's packages come from `npm ci` in bench/deps/peer (done here).
# Not a test: it fails only when a command fails.
set -u

if [ $# -lt 1 ]; then
    echo "usage: bench/deps/run.sh PATH/TO/slsec [OUT]" >&2
    exit 2
fi
SLSEC=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${2:-$HERE/../out/deps}
ADVISORIES=${ADVISORIES:-200000}
LOCKFILES=${LOCKFILES:-50}
PACKAGES=${PACKAGES:-20000}
REPEAT=${REPEAT:-3}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

stamp="$ADVISORIES-$LOCKFILES-$PACKAGES"
if [ "$(cat "$OUT/.stamp" 2>/dev/null)" != "$stamp" ]; then
    echo "generating $ADVISORIES advisories, $LOCKFILES lockfiles, $PACKAGES packages in $OUT ..." >&2
    rm -rf "$OUT/osv" "$OUT/nedb" "$OUT/monorepo"
    python3 "$HERE/gen.py" "$OUT" "$ADVISORIES" "$LOCKFILES" "$PACKAGES" || exit 1
    echo "$stamp" >"$OUT/.stamp"
fi

# best WALL and CPU (user + system) seconds of REPEAT runs of a command, as
# "WALL CPU"; its output goes to a scratch file, not /dev/null (on this
# shared machine something keeps replacing /dev/null with a regular file).
# CPU time is the figure that holds up when other jobs load the machine.
best() {
    local bw="" bc="" line w c
    for _ in $(seq "$REPEAT"); do
        /usr/bin/time -f "%e %U %S" -o "$OUT/.time" "$@" >"$OUT/.stdout" 2>"$OUT/.stderr" ||
            { echo "failed: $*" >&2; cat "$OUT/.stderr" >&2; exit 1; }
        line=$(tail -n 1 "$OUT/.time")
        w=$(echo "$line" | cut -d' ' -f1)
        c=$(echo "$line" | awk '{print $2 + $3}')
        if [ -z "$bw" ] || [ "$(echo "$w < $bw" | bc -l)" = 1 ]; then bw=$w; fi
        if [ -z "$bc" ] || [ "$(echo "$c < $bc" | bc -l)" = 1 ]; then bc=$c; fi
    done
    printf '%.2f %.2f' "$bw" "$bc"
}

DB="$OUT/osv.db"
# each import into a new file (the sh and rm cost nothing next to it)
read -r w_import c_import <<<"$(best sh -c 'rm -f "$1"; "$2" db import -q --db "$1" "$3" "$4"' sh \
    "$OUT/fresh.db" "$SLSEC" "$OUT/osv/npm-all.zip" "$OUT/osv/PyPI-all.zip")"
mv "$OUT/fresh.db" "$DB"
size=$(stat -c %s "$DB")
read -r w_reimport c_reimport <<<"$(best "$SLSEC" db import -q --db "$DB" "$OUT/osv/npm-all.zip" "$OUT/osv/PyPI-all.zip")"
read -r w_scan c_scan <<<"$(best "$SLSEC" scan "$OUT/monorepo" --offline-db "$DB" --format json --fail-on none)"
"$SLSEC" scan "$OUT/monorepo" --offline-db "$DB" --format json --fail-on none >"$OUT/scan.json" 2>"$OUT/.stderr"
slsec_matches=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$OUT/scan.json")

peer_line=""
# The peer is a benchmark's, not the build's: installed here, pinned by its
# package-lock.json, only when a benchmark runs.
if [ ! -d "$HERE/peer/node_modules/@renovatebot/osv-offline-db" ] && command -v npm >/dev/null; then
    (cd "$HERE/peer" && npm ci --no-audit --no-fund --silent) || echo "deps bench: peer install failed; peer skipped" >&2
fi
if [ -d "$HERE/peer/node_modules/@renovatebot/osv-offline-db" ] && command -v node >/dev/null; then
    read -r w_peer c_peer <<<"$(best node "$HERE/peer/match.mjs" "$OUT/nedb" "$OUT/packages.json")"
    peer_line=$(node "$HERE/peer/match.mjs" "$OUT/nedb" "$OUT/packages.json")
fi

echo "corpus: $ADVISORIES advisories, $LOCKFILES lockfiles, $PACKAGES packages (best of $REPEAT; load $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-26s %8s %8s\n' "" "wall s" "cpu s"
printf '%-26s %8s %8s   index %.1f MB\n' "db import (fresh)" "$w_import" "$c_import" "$(echo "$size / 1048576" | bc -l)"
printf '%-26s %8s %8s   every advisory unchanged\n' "db import (again)" "$w_reimport" "$c_reimport"
printf '%-26s %8s %8s   %s findings (JSON report written)\n' "scan (dependency pass)" "$w_scan" "$c_scan" "$slsec_matches"
if [ -n "$peer_line" ]; then
    printf '%-26s %8s %8s   %s\n' "peer: osv-offline-db+semver" "$w_peer" "$c_peer" "$peer_line"
    if [ "$(echo "$w_scan > 0 && $c_scan > 0" | bc -l)" = 1 ]; then
        printf 'ratio peer/slsec: wall %.1fx, cpu %.1fx\n' "$(echo "$w_peer / $w_scan" | bc -l)" \
            "$(echo "$c_peer / $c_scan" | bc -l)"
    fi
else
    echo "peer: skipped (run scripts/deps.sh for bench/deps/peer/node_modules, and install node)"
fi
