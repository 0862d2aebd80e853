#!/usr/bin/env bash
#
# bench/sign/run.sh SLSEC [MB] — signs and verifies one MB-megabyte file
# (default 1024) with slsec and with minisign, in the same run, on the same
# file and the same unencrypted key (made by minisign -W, so no scrypt is
# timed). Each operation runs 5 times, the tools alternating; the median
# wall time is reported, with the ratio slsec/minisign.
#
# The file is random bytes, written once and then read from the page cache
# by both tools: the numbers measure hashing (BLAKE2b-512) and signing, not
# the disk. Use a Release build of slsec.
set -eu

SLSEC=${1:?usage: bench/sign/run.sh SLSEC [MB]}
MB=${2:-1024}
RUNS=5
command -v minisign >/dev/null || { echo "bench: minisign is not installed" >&2; exit 2; }
W=$(mktemp -d "${TMPDIR:-/tmp}/slsec-bench-sign.XXXXXX")
trap 'rm -rf "$W"' EXIT

head -c "$((MB * 1024 * 1024))" /dev/urandom >"$W/art.bin"
minisign -G -W -p "$W/k.pub" -s "$W/k.key" >/dev/null
cat "$W/art.bin" >/dev/null # into the page cache

# secs CMD...: wall seconds of one run.
secs() {
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1 </dev/null || { echo "bench: failed: $*" >&2; exit 1; }
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc -l
}

median() { sort -n | awk '{ a[NR] = $1 } END { printf "%.3f", a[int((NR + 1) / 2)] }'; }

measure() { # NAME SLSEC-CMD -- MINISIGN-CMD
    local name=$1 s m i
    shift
    local -a scmd=() mcmd=()
    while [ "$1" != "--" ]; do scmd+=("$1"); shift; done
    shift
    mcmd=("$@")
    : >"$W/s.t"
    : >"$W/m.t"
    for i in $(seq "$RUNS"); do
        secs "${scmd[@]}" >>"$W/s.t"
        secs "${mcmd[@]}" >>"$W/m.t"
    done
    s=$(median <"$W/s.t")
    m=$(median <"$W/m.t")
    printf '%-7s %6d MB | slsec %7.3f s | minisign %7.3f s | slsec/minisign %.2fx\n' "$name" "$MB" "$s" "$m" \
        "$(echo "$s / $m" | bc -l)"
}

echo "slsec: $SLSEC; $(minisign -v); $(nproc) CPUs; median of $RUNS runs"
measure sign "$SLSEC" sign "$W/art.bin" -s "$W/k.key" -x "$W/s.minisig" -q -- \
    minisign -S -s "$W/k.key" -m "$W/art.bin" -x "$W/m.minisig"
measure verify "$SLSEC" verify "$W/art.bin" -p "$W/k.pub" -x "$W/m.minisig" -q -- \
    minisign -V -q -p "$W/k.pub" -m "$W/art.bin" -x "$W/s.minisig"
