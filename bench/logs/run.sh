#!/usr/bin/env bash
#
# bench/logs/run.sh SLSEC — `slsec logs redact` against the same masking
# written as a `perl -pe` pipeline and a `sed -E` pipeline, on a generated
# Lambda log (gen.py: MB megabytes, default 100, about 1% of the lines
# sensitive), plus `logs stats` and `logs watch` throughput.
#
# The peers run the same eight patterns (email, card, AWS key id, JWT,
# bearer token, SSN, phone, "password" JSON field) as plain regular
# expressions: no Luhn, no checksums, no other detectors. slsec runs its
# whole table (59 detectors with validators, JSON fields by name, private
# keys), so the comparison favours the peers. The peers run on the first
# PEER_MB megabytes (default 20) to keep the run short on a shared machine;
# all throughputs are MB/s of input, each the best of REPEAT (default 3)
# wall times, with user CPU shown too. Peak memory from /usr/bin/time.
# Not a test: it fails only when a command fails, never on a number.
set -eu

if [ $# -ne 1 ]; then
    echo "usage: bench/logs/run.sh PATH/TO/slsec (a release build)" >&2
    exit 2
fi
SLSEC=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
MB=${MB:-100}
PEER_MB=${PEER_MB:-20}
REPEAT=${REPEAT:-3}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/slsec-bench-logs.XXXXXX")}

mkdir -p "$WORK"
LOG="$WORK/lambda-$MB.log"
[ -s "$LOG" ] || python3 "$HERE/gen.py" "$MB" "$LOG"
PEERLOG="$WORK/lambda-peer-$PEER_MB.log"
head -c "$((PEER_MB * 1000 * 1000))" "$LOG" | sed '$d' >"$PEERLOG"

echo "slsec $("$SLSEC" version 2>/dev/null | head -n 1); perl $(perl -e 'print $^V'); $(sed --version | head -n 1)"
echo "cores: $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg)"

PERL_PROG='s/(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}(?![A-Za-z0-9-])/[REDACTED:email]/g;
s/(?<![0-9])(?:4[0-9]{3}|5[1-5][0-9]{2}|3[47][0-9]{2}|6011)(?:[ -]?[0-9]{4}){2}[ -]?[0-9]{3,4}(?![0-9])/[REDACTED:card]/g;
s/(?<![A-Za-z0-9_-])(?:AKIA|ASIA)[A-Z2-7]{16}(?![A-Za-z0-9_-])/[REDACTED:aws-access-key-id]/g;
s/eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{16,}/[REDACTED:jwt]/g;
s/((?i)bearer[ \t]+)[A-Za-z0-9._~+\/-]{8,}=*/$1\[REDACTED:bearer-token]/g;
s/(?<![0-9A-Za-z-])[0-9]{3}-[0-9]{2}-[0-9]{4}(?![0-9A-Za-z-])/[REDACTED:ssn]/g;
s/(?<![0-9A-Za-z+_.-])\+[1-9][0-9]{0,3}(?:[ .-]?[0-9]{1,5}){1,4}/[REDACTED:phone]/g;
s/("(?i:password)"\s*:\s*")[^"]*/$1\[REDACTED:field:password]/g;'

SED_PROG='s/[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}/[REDACTED:email]/g
s/\b(4[0-9]{3}|5[1-5][0-9]{2}|3[47][0-9]{2}|6011)([ -]?[0-9]{4}){2}[ -]?[0-9]{3,4}\b/[REDACTED:card]/g
s/\b(AKIA|ASIA)[A-Z2-7]{16}\b/[REDACTED:aws-access-key-id]/g
s/eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{16,}/[REDACTED:jwt]/g
s/([Bb]earer[ \t]+)[A-Za-z0-9._~+\/-]{8,}=*/\1[REDACTED:bearer-token]/g
s/\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b/[REDACTED:ssn]/g
s/\+[1-9][0-9]{0,3}([ .-]?[0-9]{1,5}){1,4}/[REDACTED:phone]/g
s/("[Pp]assword"[ \t]*:[ \t]*")[^"]*/\1[REDACTED:field:password]/g'

# measure LABEL FILE CMD...: best wall and its user CPU over REPEAT runs,
# peak RSS, MB/s of FILE; the output of the last run in $WORK/LABEL.out.
measure() {
    local label=$1 file=$2 best=999999 user=0 rss=0 i
    shift 2
    for i in $(seq "$REPEAT"); do
        /usr/bin/time -f '%e %U %M' -o "$WORK/time" "$@" <"$file" >"$WORK/$label.out" 2>/dev/null || true
        read -r wall u m < <(tail -n 1 "$WORK/time") # a failing command adds a line before
        if awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$wall user=$u rss=$m; fi
    done
    local mb
    mb=$(awk -v b="$(stat -c %s "$file")" 'BEGIN { printf "%.1f", b / 1e6 }')
    printf '%-28s %7s MB %8.2f s wall %7.2f s user %9.1f MB/s %8.1f MB/s cpu %7d KB peak  %6d masks\n' \
        "$label" "$mb" "$best" "$user" "$(awk -v s="$best" -v m="$mb" 'BEGIN { print m / s }')" \
        "$(awk -v s="$user" -v m="$mb" 'BEGIN { print (s > 0 ? m / s : 0) }')" "$rss" \
        "$(grep -o 'REDACTED' "$WORK/$label.out" | wc -l)"
    eval "WALL_$label=$best"
}

measure floor_cat "$LOG" cat
measure slsec_redact "$LOG" "$SLSEC" logs redact -q
measure slsec_redact_peerlog "$PEERLOG" "$SLSEC" logs redact -q
measure perl "$PEERLOG" perl -pe "$PERL_PROG"
measure sed "$PEERLOG" sed -E "$SED_PROG"
measure slsec_stats "$LOG" "$SLSEC" logs stats -q
measure slsec_watch "$LOG" "$SLSEC" logs watch -q --format json
echo
awk -v s="$WALL_slsec_redact_peerlog" -v p="$WALL_perl" -v d="$WALL_sed" \
    'BEGIN { printf "on the same %s MB: slsec is %.1fx faster than perl -pe, %.1fx faster than sed -E (wall)\n", "'"$PEER_MB"'", p / s, d / s }'
echo "work files: $WORK"
