#!/usr/bin/env python3
"""bench/code/score.py FIXTURES SLSEC_JSON BANDIT_JSON — accuracy on the fixtures.

Truth is the `expect: RULE` markers in FIXTURES (a flow that must be
reported at that line); every other line, and every `.fixed.` twin, must
stay silent. Prints slsec's precision and recall (overall and per
language), then bandit's findings on the Python fixtures: those at a marked
line (matched), the marked lines it misses (slsec adds), and those on
unmarked lines (slsec drops), grouped by bandit test id.
"""
import collections
import json
import os
import re
import sys


def markers(root):
    want = set()
    for dirpath, _, files in os.walk(root):
        for name in files:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            with open(path, encoding="utf-8", errors="replace") as f:
                for n, line in enumerate(f, 1):
                    for m in re.finditer(r"expect: ((?:CODE|LOG)-[0-9]{3})", line):
                        want.add((rel, n, m.group(1)))
    return want


def ratio(a, b):
    return "%.3f" % (a / b) if b else "n/a"


def main():
    root, sj, bj = sys.argv[1:4]
    want = markers(root)
    d = json.load(open(sj))
    got = {(f["location"]["file"], f["location"]["line"], f["rule_id"]) for f in d["findings"]}
    print("slsec on %d marked flows (%d files):" % (len(want), sum(len(f) for _, _, f in os.walk(root))))
    for lang, test in (("all", lambda p: True), ("js/ts", lambda p: not p.endswith(".py")),
                       ("python", lambda p: p.endswith(".py"))):
        w = {x for x in want if test(x[0])}
        g = {x for x in got if test(x[0])}
        tp, fp, fn = len(w & g), len(g - w), len(w - g)
        print("  %-7s TP %3d  FP %3d  FN %3d  precision %s  recall %s" % (lang, tp, fp, fn, ratio(tp, tp + fp), ratio(tp, tp + fn)))
    for x in sorted(got - want):
        print("  false positive: %s:%d %s" % x)
    for x in sorted(want - got):
        print("  missed: %s:%d %s" % x)

    try:
        b = json.load(open(bj))
    except (OSError, ValueError):
        print("bandit: no report")
        return
    pyroot = os.path.join(root, "py")
    marked = {(f, n) for f, n, _ in want if f.startswith("py/")}
    bres = [(os.path.relpath(r["filename"], root), r["line_number"], r["test_id"], r["test_name"], r["issue_severity"])
            for r in b.get("results", [])]
    on_marked = {(f, n) for f, n, *_ in bres if (f, n) in marked}
    print("bandit 1.6 on the Python fixtures (%d marked flows):" % len(marked))
    print("  findings: %d; at a marked line (matched): %d; marked lines it misses (slsec adds): %d"
          % (len(bres), len(on_marked), len(marked - on_marked)))
    vuln_files = {f for f, _ in marked}
    fixed_hits = [r for r in bres if ".fixed." in r[0]]
    print("  precision against the markers: %s; recall: %s; findings in fixed twins: %d"
          % (ratio(len(on_marked), len(bres)), ratio(len(on_marked), len(marked)), len(fixed_hits)))
    drop = collections.Counter((r[2], r[3], r[4]) for r in bres if (r[0], r[1]) not in marked)
    print("  on unmarked lines (slsec drops), by test:")
    for (tid, name, sev), n in sorted(drop.items(), key=lambda x: (-x[1], x[0])):
        print("    %3d  %s %s (%s)" % (n, tid, name, sev))
    print("  marked flows bandit misses:")
    for f, n in sorted(marked - on_marked):
        rules = sorted(r for ff, nn, r in want if ff == f and nn == n)
        print("    %s:%d %s" % (f, n, " ".join(rules)))
    del vuln_files, pyroot


if __name__ == "__main__":
    main()
