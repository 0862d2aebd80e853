// bench/deps/peer/match.mjs NEDB_DIR PACKAGES_JSON — the peer of slsec's
// dependency match step: every (name, version) of PACKAGES_JSON looked up in
// Renovate's offline OSV index (@renovatebot/osv-offline-db, reading
// NEDB_DIR/npm.nedb) and checked against each advisory's ranges with npm's
// own version order (semver), by the OSV rules slsec follows (introduced,
// fixed, last_affected, limit, explicit versions; withdrawn skipped).
// Prints the number of (package, advisory) matches and the seconds taken,
// index loading included, as one JSON line.
import { readFileSync } from 'node:fs';

const [nedbDir, packagesFile] = process.argv.slice(2);
process.env.OSV_OFFLINE_ROOT_DIR = nedbDir; // read when the module loads
const { OsvOfflineDb } = await import('@renovatebot/osv-offline-db');
const semver = (await import('semver')).default;

function cmp(a, b) {
  if (a === '0') return b === '0' ? 0 : -1;
  if (b === '0') return 1;
  return semver.compare(a, b);
}

function inRange(version, events) {
  const ev = events
    .map((e) => Object.entries(e)[0])
    .sort((x, y) => cmp(x[1], y[1]));
  let hit = false;
  for (const [kind, v] of ev) {
    const c = v === '0' ? 1 : semver.compare(version, v);
    if (kind === 'introduced' && c >= 0) hit = true;
    else if (kind === 'fixed' && c >= 0) hit = false;
    else if (kind === 'last_affected' && c > 0) hit = false;
    else if (kind === 'limit' && c >= 0) return false;
  }
  return hit;
}

function affects(adv, name, version) {
  return (adv.affected || []).some(
    (a) =>
      a.package?.name === name &&
      ((a.versions || []).includes(version) ||
        (a.ranges || []).some((r) => (r.type === 'SEMVER' || r.type === 'ECOSYSTEM') && inRange(version, r.events))),
  );
}

const packages = JSON.parse(readFileSync(packagesFile, 'utf8'));
const start = performance.now();
const db = OsvOfflineDb.create();
let matches = 0;
for (const [name, version] of packages) {
  for (const adv of await db.query('npm', name)) {
    if (!adv.withdrawn && affects(adv, name, version)) matches++;
  }
}
const seconds = (performance.now() - start) / 1000;
db[Symbol.dispose]();
console.log(JSON.stringify({ packages: packages.length, matches, seconds }));
