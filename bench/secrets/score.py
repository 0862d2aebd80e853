#!/usr/bin/env python3
"""bench/secrets/score.py TRUTH CORPUS SLSEC_JSON SECRETLINT_JSON — recall
and false positives of both tools against the planted secrets. A report
counts as a true positive when it names the file and a line of a planted
secret (a PEM block counts on any of its lines); every other report is a
false positive. Also lists planted secrets secretlint found and slsec did
not (the benchmark requires none)."""
import json, os, sys

truth_path, corpus, slsec_path, sl_path = sys.argv[1:5]
truth = {}
for line in open(truth_path):
    p, ln, kind = line.rstrip("\n").split("\t")
    span = 14 if kind == "private-key" else 1
    for k in range(span):
        truth[(p, int(ln) + k)] = (p, int(ln), kind)

def score(hits):
    found, fps = set(), []
    for h in hits:
        if h in truth:
            found.add(truth[h])
        else:
            fps.append(h)
    return found, fps

slsec = json.load(open(slsec_path))
s_hits = {(f["location"]["file"], f["location"]["line"]) for f in slsec["findings"]}
corpus_abs = os.path.abspath(corpus)
sl_hits = set()
for f in json.load(open(sl_path)):
    rel = os.path.relpath(f["filePath"], corpus_abs)
    for m in f["messages"]:
        sl_hits.add((rel, m["loc"]["start"]["line"]))
planted = set(truth.values())
s_found, s_fp = score(s_hits)
l_found, l_fp = score(sl_hits)
print("planted secrets: %d" % len(planted))
print("slsec:      found %d (recall %.1f%%), false positives %d" % (len(s_found), 100.0 * len(s_found) / len(planted), len(s_fp)))
print("secretlint: found %d (recall %.1f%%), false positives %d" % (len(l_found), 100.0 * len(l_found) / len(planted), len(l_fp)))
missed = l_found - s_found
print("found by secretlint, missed by slsec: %d" % len(missed))
for m in sorted(missed)[:20]:
    print("  ", m)
kinds = {}
for t in planted:
    kinds.setdefault(t[2], [0, 0, 0])[0] += 1
for t in s_found:
    kinds[t[2]][1] += 1
for t in l_found:
    kinds[t[2]][2] += 1
print("per kind (planted / slsec / secretlint):")
for k in sorted(kinds):
    print("   %-14s %4d %4d %4d" % (k, *kinds[k]))
for name, fps in (("slsec", s_fp), ("secretlint", l_fp)):
    for h in sorted(fps)[:5]:
        print("  %s false positive: %s:%d" % (name, h[0], h[1]))
