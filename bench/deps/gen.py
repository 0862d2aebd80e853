#!/usr/bin/env python3
"""bench/deps/gen.py OUT [ADVISORIES] [LOCKFILES] [PACKAGES] — a corpus for
the dependency benchmark (bench/deps/run.sh), deterministic for one seed.

Writes under OUT:
  osv/npm-all.zip, osv/PyPI-all.zip  OSV advisories as osv.dev publishes them
                                     (one JSON file per advisory in each zip);
                                     80 % npm, 20 % PyPI
  nedb/npm.nedb                      the same npm advisories, one per line: the
                                     layout @renovatebot/osv-offline-db reads
  monorepo/svc-NN/package-lock.json  LOCKFILES lockfileVersion 3 files holding
                                     PACKAGES packages in all
  packages.json                      the (name, version) list of those packages,
                                     for the peer, which does not read lockfiles

Package names come from one pool shared by advisories and lockfiles, so a
realistic share of packages has advisories (most with versions outside the
affected ranges). Ranges use introduced/fixed pairs, some last_affected, some
explicit versions lists, some pre-release boundaries.
"""
import json
import os
import random
import sys
import zipfile

SEED = 20240601


def version(r):
    return f"{r.randrange(0, 6)}.{r.randrange(0, 20)}.{r.randrange(0, 30)}"


def advisory(r, i, eco, name):
    major, minor = r.randrange(0, 6), r.randrange(0, 20)
    intro = "0" if r.random() < 0.4 else f"{major}.{minor}.0"
    fixed = f"{major}.{minor + r.randrange(0, 3)}.{r.randrange(1, 30)}"
    if eco == "npm" and r.random() < 0.1:
        fixed += "-rc.1"
    events = [{"introduced": intro}]
    if r.random() < 0.1:
        events.append({"last_affected": fixed})
    else:
        events.append({"fixed": fixed})
    affected = {
        "package": {"ecosystem": eco, "name": name,
                    "purl": f"pkg:{'npm' if eco == 'npm' else 'pypi'}/{name}"},
        "ranges": [{"type": "SEMVER" if eco == "npm" else "ECOSYSTEM", "events": events}],
    }
    if r.random() < 0.05:
        affected["versions"] = [version(r) for _ in range(3)]
    prefix = "GHSA" if eco == "npm" else "PYSEC"
    adv = {
        "schema_version": "1.4.0",
        "id": f"{prefix}-bench-{i:07d}",
        "modified": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T00:00:00Z",
        "published": "2023-01-01T00:00:00Z",
        "aliases": [f"CVE-2023-{i + 10000}"],
        "summary": f"Synthetic advisory {i} for {name}",
        "affected": [affected],
        "database_specific": {"severity": r.choice(["LOW", "MODERATE", "HIGH", "CRITICAL"])},
    }
    if r.random() < 0.01:
        adv["withdrawn"] = "2024-06-01T00:00:00Z"
    return adv


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    out = sys.argv[1]
    n_adv = int(sys.argv[2]) if len(sys.argv) > 2 else 200000
    n_lock = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    n_pkg = int(sys.argv[4]) if len(sys.argv) > 4 else 20000
    r = random.Random(SEED)
    pool = [f"bench-pkg-{i}" for i in range(40000)]
    os.makedirs(f"{out}/osv", exist_ok=True)
    os.makedirs(f"{out}/nedb", exist_ok=True)
    n_npm = n_adv * 8 // 10
    with zipfile.ZipFile(f"{out}/osv/npm-all.zip", "w", zipfile.ZIP_DEFLATED) as znpm, \
            zipfile.ZipFile(f"{out}/osv/PyPI-all.zip", "w", zipfile.ZIP_DEFLATED) as zpy, \
            open(f"{out}/nedb/npm.nedb", "w") as nedb:
        for i in range(n_adv):
            eco = "npm" if i < n_npm else "PyPI"
            adv = advisory(r, i, eco, r.choice(pool))
            text = json.dumps(adv)
            (znpm if eco == "npm" else zpy).writestr(f"{adv['id']}.json", text)
            if eco == "npm":
                nedb.write(text + "\n")
    packages = []
    per = n_pkg // n_lock
    for k in range(n_lock):
        names = r.sample(pool, per)
        pkgs = {"": {"name": f"svc-{k:02d}", "version": "1.0.0",
                     "dependencies": {n: "*" for n in names[:20]}}}
        for n in names:
            v = version(r)
            pkgs[f"node_modules/{n}"] = {"version": v, "resolved": f"https://registry.npmjs.org/{n}/-/{n}-{v}.tgz"}
            packages.append([n, v])
        os.makedirs(f"{out}/monorepo/svc-{k:02d}", exist_ok=True)
        with open(f"{out}/monorepo/svc-{k:02d}/package-lock.json", "w") as f:
            json.dump({"name": f"svc-{k:02d}", "version": "1.0.0", "lockfileVersion": 3,
                       "requires": True, "packages": pkgs}, f, indent=2)
    with open(f"{out}/packages.json", "w") as f:
        json.dump(packages, f)


if __name__ == "__main__":
    main()
