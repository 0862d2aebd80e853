#!/usr/bin/env python3
"""bench/secrets/gen_repo.py DIR [COMMITS] — a git repository with COMMITS
commits (default 5000), written through `git fast-import` (a stream on
stdin, so no shell per commit): a tree of ~200 source files, each commit
changing one to three of them; every 50th commit adds a line with a secret,
and a tenth of those are removed again by a later commit (history only).
Seeded: reruns give the same repository."""
import random, string, subprocess, sys, zlib

d = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
R = random.Random(99)
AN = string.ascii_letters + string.digits
subprocess.run(["git", "init", "-q", d], check=True)
files = {"src/m%03d.js" % i: ["// module %d" % i] + ["export const v%d = %d;" % (k, R.randrange(10**6)) for k in range(60)] for i in range(200)}
out = []
def blob(text):
    data = text.encode()
    out.append(b"data %d\n" % len(data) + data + b"\n")
names = sorted(files)
for c in range(1, n + 1):
    changed = set(names) if c == 1 else set()
    for _ in range(R.randrange(1, 4)):
        f = R.choice(names)
        changed.add(f)
        files[f].append("export const w%d = %d;" % (c, R.randrange(10**9)))
    if c % 50 == 0:
        f = R.choice(names)
        changed.add(f)
        files[f].append('const key%d = "AKIA%s";' % (c, "".join(R.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))))
    if c % 500 == 250:
        f = R.choice(names)
        changed.add(f)
        files[f] = [l for l in files[f] if "AKIA" not in l]
    out.append(b"commit refs/heads/main\n")
    out.append(b"committer Bench <bench@example.test> %d +0000\n" % (1700000000 + c * 60))
    blob("commit %d" % c)
    for f in sorted(changed):
        out.append(b"M 100644 inline %s\n" % f.encode())
        blob("\n".join(files[f]) + "\n")
    out.append(b"\n")
subprocess.run(["git", "-C", d, "fast-import", "--quiet"], input=b"".join(out), check=True)
subprocess.run(["git", "-C", d, "checkout", "-q", "-f", "main"], check=True)
print("%d commits in %s" % (n, d))
