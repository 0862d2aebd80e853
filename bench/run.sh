#!/usr/bin/env bash
#
# bench/run.sh SLSEC — how `slsec scan` grows with the size of an application.
#
# For N = 10, 100, 1000, 10000 functions (bench/gen_sam.py: each with its own
# role, an API route and a table) it measures, best of REPEAT runs:
#   scan   slsec scan FILE --format json --fail-on none >/dev/null
#   parse  fy-tool --testsuite FILE >/dev/null   libfyaml parsing the file to
#          its event stream and nothing else: the floor no YAML tool can beat
#   dump   fy-tool --dump FILE >/dev/null        libfyaml building its own
#          document and printing it back (the brief's "--mode=dump"; fy-tool
#          0.7.12 spells it --dump)
# and prints wall and CPU time, peak RSS (/usr/bin/time, Debian package
# `time`), the ratios scan/parse and scan/dump, and the scan's CPU time per
# function, which is roughly constant when cost grows linearly. Ratios use
# CPU time: on a shared 2-core machine wall time mostly measures the others.
#
# The report goes to stdout, not to `-o /dev/null`: -o writes a temporary
# file and renames it over the destination, and the cost measured should be
# the scan's, not that of a file system.
#
# Environment: SIZES="10 100" to choose sizes, REPEAT=3 runs per measure,
# DUMP_MAX_N=1000: the largest N fy-tool --dump runs on (its time grows much
# faster than linearly: minutes at N=10000, see RESULTS.md).
# Not a test: it never fails on a number, only when a command fails.
set -u

if [ $# -ne 1 ]; then
    echo "usage: bench/run.sh PATH/TO/slsec" >&2
    exit 2
fi
SLSEC=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
OUTDIR="$HERE/out"
SIZES=${SIZES:-"10 100 1000 10000"}
REPEAT=${REPEAT:-3}
DUMP_MAX_N=${DUMP_MAX_N:-1000}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

[ -x "$SLSEC" ] || { echo "bench: $SLSEC is not an executable" >&2; exit 2; }
if [ ! -x /usr/bin/time ]; then
    echo "bench: /usr/bin/time is missing (Debian package 'time'): no peak memory without it" >&2
    exit 2
fi
FYTOOL=$(command -v fy-tool || true)
[ -n "$FYTOOL" ] || echo "bench: fy-tool missing (Debian package libfyaml-utils): no parse floor" >&2

mkdir -p "$OUTDIR"

# measure CMD...: over REPEAT runs, the best wall time and the best CPU time
# (user + system; far less disturbed than wall time when other jobs share
# the machine), in seconds with 3 decimals (measured to the microsecond), and the peak RSS (KB) of the
# run with the best wall time. A run over 20 s is not repeated.
# Prints "WALL CPU KB", or "fail RC -" when the command failed.
measure() {
    local best="" best_cpu="" best_kb="" i t0 t1 ns cpu kb rc
    for i in $(seq "$REPEAT"); do
        # bench/rusage.py: wall and CPU to the microsecond (GNU time prints
        # hundredths, too coarse for a 0.04 s floor)
        read -r ns cpu kb rc <<<"$("$PY" "$HERE/rusage.py" "$@" 2>"$OUTDIR/.err" |
            awk '{ printf "%d %d %s %s", $1 * 1e9, $2 * 1e6, $3, $4 }')"
        if [ -z "$rc" ] || [ "$rc" -ne 0 ]; then
            echo "fail ${rc:-?} -"
            return
        fi
        if [ -z "$best" ] || [ "$ns" -lt "$best" ]; then
            best=$ns
            best_kb=$kb
        fi
        if [ -z "$best_cpu" ] || [ "$cpu" -lt "$best_cpu" ]; then best_cpu=$cpu; fi
        [ "$ns" -gt 20000000000 ] && break
    done
    printf '%d.%03d %d.%03d %s\n' $((best / 1000000000)) $((best / 1000000 % 1000)) \
        $((best_cpu / 1000000)) $((best_cpu / 1000 % 1000)) "$best_kb"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

machine="$(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
echo "slsec bench: $("$SLSEC" --version 2>/dev/null | head -n 1), $machine"
echo "binary: $SLSEC"
echo "fy-tool: ${FYTOOL:-missing} ($(dpkg-query -W -f='${Version}' libfyaml-utils 2>/dev/null || echo '?'))"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "best of $REPEAT runs; wall and CPU (user+sys) seconds; MB of peak RSS; ratios and"
echo "per-function cost on CPU time; dump measured up to N=$DUMP_MAX_N"
echo
header="| N | file MB | scan wall s | scan CPU s | scan MB | parse CPU s | scan/parse | dump CPU s | scan/dump | scan CPU µs/function |"
rule="|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
echo "$header"
echo "$rule"
{
    echo "$header"
    echo "$rule"
} >"$OUTDIR/results.md"

status=0
per_fn="" # "N:µs" pairs for the linearity check
for n in $SIZES; do
    f="$OUTDIR/sam-$n.yaml"
    [ -f "$f" ] || "$PY" "$HERE/gen_sam.py" "$n" -o "$f" || { status=1; continue; }
    mb=$(awk -v b="$(stat -c %s "$f")" 'BEGIN { printf "%.1f", b / 1048576 }')

    read -r scan_s scan_cpu scan_kb <<<"$(measure "$SLSEC" scan "$f" --format json --fail-on none)"
    if [ "$scan_s" = fail ]; then
        echo "bench: slsec scan $f failed (exit $scan_cpu):" >&2
        head -n 5 "$OUTDIR/.err" >&2
        status=1
        continue
    fi
    parse_cpu="-" dump_cpu="-"
    if [ -n "$FYTOOL" ]; then
        read -r _ parse_cpu _ <<<"$(measure "$FYTOOL" --testsuite "$f")"
        if [ "$n" -le "$DUMP_MAX_N" ]; then
            read -r _ dump_cpu _ <<<"$(measure "$FYTOOL" --dump "$f")"
        fi
    fi
    us=$(awk -v s="$scan_cpu" -v n="$n" 'BEGIN { printf "%.0f", s * 1e6 / n }')
    per_fn="$per_fn $n:$us"
    line="| $n | $mb | $scan_s | $scan_cpu | $((scan_kb / 1024)) | $parse_cpu | $(ratio "$scan_cpu" "$parse_cpu") | $dump_cpu | $(ratio "$scan_cpu" "$dump_cpu") | $us |"
    echo "$line"
    echo "$line" >>"$OUTDIR/results.md"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -f "$OUTDIR/.time" "$OUTDIR/.err"

# Linear growth: from one size to the next (from 1000 functions up, where
# process start-up no longer dominates), the time per function may not grow
# by more than half.
echo
verdict="not checked (needs two sizes of 1000 or more)"
prev_n="" prev_us=""
for p in $per_fn; do
    n=${p%%:*} us=${p##*:}
    if [ -n "$prev_n" ] && [ "$prev_n" -ge 1000 ]; then
        growth=$(ratio "$us" "$prev_us")
        echo "time per function, $prev_n -> $n functions: x$growth"
        [ "$verdict" = "NOT linear" ] || verdict=linear
        if awk -v g="$growth" 'BEGIN { exit !(g > 1.5) }'; then verdict="NOT linear"; fi
    fi
    prev_n=$n prev_us=$us
done
echo "growth: $verdict" | tee -a "$OUTDIR/results.md"
exit $status
