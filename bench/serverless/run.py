#!/usr/bin/env python3
"""How `slsec scan` of a serverless.yml grows with the number of functions.

    bench/serverless/run.py PATH/TO/slsec [--sizes 100 1000 2000 4000] [--repeat 3]

For each N, gen_serverless.py writes a service of N functions to
bench/serverless/out/N/serverless.yml, and the best of REPEAT runs is taken of
  scan   slsec scan FOLDER --format json --fail-on none >/dev/null
         (variables, the generated CloudFormation, the CFN front-end, every rule)
  parse  fy-tool --testsuite FILE >/dev/null
         (libfyaml parsing the file to its event stream and nothing else:
         the floor no YAML tool can go under)
with the peak RSS of the best scan (wait4's rusage). Times are CPU seconds
(user + system) as well as wall seconds: on a shared machine wall time mostly
measures the neighbours.
It prints a Markdown table with scan/parse and the scan's time per function,
which stays flat when the cost grows linearly, then the verdict of the
part 2 requirements: linear growth (from 1000 functions up, the time per
function may grow by at most half from one size to the next) and the scan
within 3x of the bare parse at 1000 functions.
Not a test: it fails only when a command fails.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def best_of(cmd, repeat):
    """Best (lowest CPU) of REPEAT runs: (cpu s, wall s, peak RSS KB).
    CPU time (user + system, from wait4) is what the ratios use: on a
    shared machine wall time mostly measures the neighbours."""
    best = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        err = p.stderr.read().decode(errors="replace")
        p.stderr.close()
        rc = os.waitstatus_to_exitcode(status)
        if rc != 0:
            sys.exit("bench: %s failed (exit %d): %s" % (" ".join(cmd), rc, err[-500:]))
        cpu = ru.ru_utime + ru.ru_stime
        if best is None or cpu < best[0]:
            best = (cpu, wall, ru.ru_maxrss)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("slsec")
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 2000, 4000])
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    slsec = os.path.abspath(a.slsec)
    fytool = shutil.which("fy-tool")
    if not fytool:
        sys.exit("bench: fy-tool missing (Debian package libfyaml-utils): no parse floor")
    with open("/proc/cpuinfo") as f:
        model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "?")
    ver = subprocess.run([slsec, "--version"], capture_output=True, text=True).stdout.strip().splitlines()
    print("slsec serverless bench: %s, %d cores, %s" % (ver[0] if ver else "?", os.cpu_count(), model))
    print("best of %d runs; CPU seconds (user + system) and wall seconds; peak RSS in MB\n" % a.repeat)
    print("| N functions | file MB | scan CPU s | scan wall s | scan MB | parse CPU s | scan/parse (CPU) | scan CPU µs/function |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    per_fn, ratios = [], {}
    for n in a.sizes:
        d = os.path.join(HERE, "out", str(n))
        os.makedirs(d, exist_ok=True)
        f = os.path.join(d, "serverless.yml")
        if not os.path.exists(f):
            subprocess.run([sys.executable, os.path.join(HERE, "gen_serverless.py"), str(n), "-o", f], check=True)
        scan_s, scan_wall, scan_kb = best_of([slsec, "scan", d, "--format", "json", "--fail-on", "none"], a.repeat)
        parse_s, _, _ = best_of([fytool, "--testsuite", f], a.repeat)
        us = scan_s * 1e6 / n
        per_fn.append((n, us))
        ratios[n] = scan_s / parse_s
        print("| %d | %.1f | %.3f | %.3f | %d | %.3f | %.2f | %.0f |" % (
            n, os.path.getsize(f) / 1048576, scan_s, scan_wall, scan_kb // 1024, parse_s, scan_s / parse_s, us))
    print()
    linear = None
    for (n0, u0), (n1, u1) in zip(per_fn, per_fn[1:]):
        if n0 >= 1000:
            print("time per function, %d -> %d functions: x%.2f" % (n0, n1, u1 / u0))
            linear = (linear is not False) and u1 / u0 <= 1.5
    print("growth: %s" % ("not checked (needs two sizes of 1000 or more)" if linear is None
                          else "linear" if linear else "NOT linear"))
    if 1000 in ratios:
        print("scan/parse at 1000 functions: %.2f (%s 3x)" % (ratios[1000], "within" if ratios[1000] <= 3 else "NOT within"))


if __name__ == "__main__":
    main()
