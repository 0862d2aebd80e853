#!/usr/bin/env bash
#
# bench/audit/run.sh [MEGABYTES] — slsec audit against jq on the same
# synthetic CloudTrail (gen.py, default 1024 MB uncompressed, 100 roles):
# both compute the distinct actions per role; wall time and peak RSS from
# GNU time, in the same run. Needs jq (Debian's: apt-get install jq) and a
# release build of slsec (make build, or SLSEC=path).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
MB=${1:-1024}
SLSEC=${SLSEC:-$REPO/build/slsec}
DATA=${BENCH_DATA:-${TMPDIR:-/tmp}/slsec-bench-audit-$MB} # outside the repo: bench/out is shared
command -v jq >/dev/null || { echo "bench: jq is needed (apt-get install jq)" >&2; exit 2; }
[ -x "$SLSEC" ] || { echo "bench: no slsec binary at $SLSEC" >&2; exit 2; }
[ -d "$DATA/AWSLogs" ] || python3 "$HERE/gen.py" "$DATA" "$MB"
BYTES=$(du -sb "$DATA/AWSLogs" | cut -f1)

measure() { # NAME CMD...: prints "NAME seconds peak_kb cpu_seconds"
    local name=$1
    shift
    /usr/bin/time -f "%e %M %U %S" -o "$DATA/.time" "$@" >"$DATA/.$name.out" 2>"$DATA/.$name.err"
    echo "$name $(cat "$DATA/.time")"
}

# jq: per role ARN, the distinct eventSource:eventName pairs (what slsec maps to actions)
JQ_PROG='reduce (.Records[] | [.userIdentity.sessionContext.sessionIssuer.arn, (.eventSource | sub("\\.amazonaws\\.com$"; "")) + ":" + .eventName]) as $p ({}; .[$p[0]][$p[1]] = true) | to_entries[] | [.key, (.value | keys)]'
S=$(measure slsec "$SLSEC" audit --cloudtrail "$DATA/AWSLogs" "$DATA/template.yaml" --format json --fail-on none -q --write-policies "$DATA/policies")
J=$(measure jq sh -c "find '$DATA/AWSLogs' -name '*.json' -print0 | sort -z | xargs -0 -n1 jq -c '$JQ_PROG' | sort -u")
# both saw the same per-role action sets: 100 roles, and the same count of (role, action) pairs
SL_PAIRS=$(python3 -c "
import json,glob,os
n=0
for p in glob.glob('$DATA/policies/*.json'):
    for s in json.load(open(p))['Statement']:
        n+=len(s['Action']) if 'Unobservable' not in s['Sid'] else 0
print(n)")
JQ_PAIRS=$(python3 -c "
import json,sys
seen={}
for line in open('$DATA/.jq.out'):
    k,v=json.loads(line); seen.setdefault(k,set()).update(v)
print(sum(len(v) for v in seen.values()))")
set -- $S; st=$2; sm=$3; sc=$(python3 -c "print(round($4+$5,2))")
set -- $J; jt=$2; jm=$3; jc=$(python3 -c "print(round($4+$5,2))")
echo "input: $(python3 -c "print(round($BYTES/1048576))") MB uncompressed, $(ls "$DATA/policies" | wc -l) role policies written"
echo "slsec audit: ${st}s, $(python3 -c "print(round($BYTES/1048576/max($st,0.01)))") MB/s, CPU ${sc}s, peak RSS $((sm / 1024)) MB, $SL_PAIRS (role, action) pairs"
echo "jq:          ${jt}s, $(python3 -c "print(round($BYTES/1048576/max($jt,0.01)))") MB/s, CPU ${jc}s, peak RSS $((jm / 1024)) MB, $JQ_PAIRS (role, action) pairs"
echo "speed-up: $(python3 -c "print(round($jt/max($st,0.01),1))")x wall, $(python3 -c "print(round($jc/max($sc,0.01),1))")x CPU"
