#!/bin/sh
# bench/rules/run.sh BEFORE AFTER [TEMPLATE...] — the cost of the rule
# catalogue's breadth: the same scan with the part-1 binary (38 template
# rules) and with the current one restricted to the template families
# (IAM, FN, API, DATA, NET, LOG, PIPE), median of 5 runs each, alternating.
# Templates default to bench/out/sam-1000.yaml and sam-10000.yaml (made by
# bench/gen_sam.py). Prints seconds and the ratio AFTER/BEFORE.
set -eu
BEFORE=$1 AFTER=$2
shift 2
[ $# -gt 0 ] || set -- bench/out/sam-1000.yaml bench/out/sam-10000.yaml
FAMILIES='IAM-*,FN-*,API-*,DATA-*,NET-*,LOG-*,PIPE-*'
python3 - "$BEFORE" "$AFTER" "$FAMILIES" "$@" <<'PY'
import statistics, subprocess, sys, time
before, after, fams, *templates = sys.argv[1:]
def rules(binary, extra):
    out = subprocess.run([binary, "rules", "--format", "json"], capture_output=True, text=True).stdout
    import json
    ids = [r["id"] for r in json.loads(out)["rules"]]
    if extra:
        ids = [i for i in ids if i.split("-")[0] in ("IAM","FN","API","DATA","NET","LOG","PIPE")]
    return len(ids)
def run(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t
print(f"before: {before} ({rules(before, False)} rules); after: {after} ({rules(after, True)} template rules)")
for tpl in templates:
    a, b = [], []
    for _ in range(5):
        a.append(run([before, "scan", tpl, "--format", "json", "--fail-on", "none", "--no-config", "-q"]))
        b.append(run([after, "scan", tpl, "--format", "json", "--fail-on", "none", "--no-config", "-q",
                      "--rule", fams]))
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"{tpl:32s} before {ma:7.3f} s | after {mb:7.3f} s | after/before {mb/ma:5.2f}x")
PY
