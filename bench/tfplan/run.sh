#!/usr/bin/env bash
#
# bench/tfplan/run.sh [SLSEC] — `slsec scan` on generated Terraform plans
# (bench/tfplan/gen.py: 125, 250, 500 and 1,000 functions, nine resources
# and a data source each), against two bare parses of the same file in the
# same run: Python's json.load (python3 -c 'import json; json.load(...)')
# and libfyaml's own tool building its document tree (fy-tool --dump
# --null-output), the parser slsec itself uses. Best of 3 wall-clock runs
# each. Prints one line per size and the ratios; asserts nothing (timing
# is not a test). SLSEC defaults to build/slsec (a release build).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SLSEC=${1:-$HERE/../../build/slsec}
[ -x "$SLSEC" ] || { echo "bench: no slsec binary at $SLSEC" >&2; exit 2; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/slsec-tfbench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# best CMD... → "WALL CPU": the best wall-clock and the best user+system
# CPU seconds of 3 runs. CPU time is the fairer ratio on a busy machine
# (other jobs stretch the wall clock, not the CPU a process uses).
best() {
    local bw="" bc="" w c
    for _ in 1 2 3; do
        /usr/bin/time -o "$WORK/time" -f '%e %U %S' "$@" >/dev/null 2>&1
        read -r w c < <(tail -n 1 "$WORK/time" | awk '{ printf "%s %.2f\n", $1, $2 + $3 }')
        if [ -z "$bw" ] || [ "$(echo "$w < $bw" | bc -l)" = 1 ]; then bw=$w; fi
        if [ -z "$bc" ] || [ "$(echo "$c < $bc" | bc -l)" = 1 ]; then bc=$c; fi
    done
    echo "$bw $bc"
}

printf '%-9s %6s | %-19s | %-19s | %-19s | %-15s | %s\n' functions MB "slsec wall/cpu s" "json.load wall/cpu" \
    "fy-tool wall/cpu" "cpu vs json.load" "cpu vs fy-tool"
for n in 125 250 500 1000; do
    mkdir -p "$WORK/$n"
    python3 "$HERE/gen.py" "$n" "$WORK/$n/plan.json"
    mb=$(echo "$(stat -c %s "$WORK/$n/plan.json") / 1048576" | bc -l)
    read -r sw sc < <(best "$SLSEC" scan "$WORK/$n" --format json --fail-on none -o "$WORK/out.json")
    read -r pw pc < <(best python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$WORK/$n/plan.json")
    read -r fw fc < <(best fy-tool --dump --null-output "$WORK/$n/plan.json")
    printf '%-9s %6.1f | %8s / %-8s | %8s / %-8s | %8s / %-8s | %14.2fx | %.2fx\n' "$n" "$mb" "$sw" "$sc" "$pw" "$pc" \
        "$fw" "$fc" "$(echo "$sc / $pc" | bc -l)" "$(echo "$sc / $fc" | bc -l)"
done
findings=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["total"])' "$WORK/out.json")
echo "findings at 1000 functions: $findings"
