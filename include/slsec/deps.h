/*
 * slsec/deps.h — dependencies: lockfiles, version order per ecosystem, an
 * offline index of OSV advisories, and matching one against the other.
 *
 *   slsec_ptrvec pkgs = {0};
 *   slsec_lockfile_read(arena, root, "/abs/app/package-lock.json",
 *                       "app/package-lock.json", &pkgs, &warnings);
 *   slsec_osvdb *db; slsec_osvdb_open(path, &db, &err);
 *   slsec_osvdb_match(db, arena, pkg, &vulns, &warnings);   per package
 *   slsec_osvdb_close(db);
 *
 * Ownership: packages and matches live in the arena given; a database
 * handle is heap-owned (open/close; close(NULL) is a no-op).
 *
 * The index is one SQLite file, built by slsec_osvdb_import from the
 * per-ecosystem all.zip files osv.dev publishes, or from folders of OSV
 * JSON files. An import is one transaction: when it fails, the previous
 * index is untouched. Advisories already present are replaced only when
 * the imported copy has a newer `modified` date.
 */
#ifndef SLSEC_DEPS_H
#define SLSEC_DEPS_H

#include "slsec/rules.h"

/* Ecosystems whose versions slsec can order (OSV spellings). */
typedef enum {
    SLSEC_ECO_NPM,
    SLSEC_ECO_PYPI,
    SLSEC_ECO_GO,
    SLSEC_ECO_CRATES,
    SLSEC_ECO_RUBYGEMS,
    SLSEC_ECO_MAVEN,
    SLSEC_ECO_PACKAGIST,
    SLSEC_ECO_COUNT,
} slsec_ecosystem;

/* "npm", "PyPI", "Go", "crates.io", "RubyGems", "Maven", "Packagist". */
const char *slsec_ecosystem_name(slsec_ecosystem e);
bool slsec_ecosystem_parse(const char *osv_name, slsec_ecosystem *out);

/* ---- version order ------------------------------------------------------------ */

/* Compares two versions by the ecosystem's rules: SemVer 2.0 for npm, Go
 * (a leading 'v', pseudo-versions) and crates.io; PEP 440 for PyPI, where a
 * version PEP 440 rejects sorts as a "legacy" version, before every valid
 * one (as pip's packaging did); RubyGems by Gem::Version (runs of digits
 * or letters, a letter run making a pre-release, trailing zero segments
 * ignored); Maven by the POM reference's version order specification;
 * Packagist by PHP's version_compare(). *out is <0, 0 or >0. Returns SLSEC_OK, or
 * SLSEC_EPARSE when a version cannot be read in that ecosystem. */
int slsec_version_cmp(slsec_ecosystem e, const char *a, const char *b, int *out);

/* The name as the ecosystem compares names: PEP 503 for PyPI (lower case,
 * runs of "-_." as one '-'); lower case for Packagist; unchanged elsewhere
 * (Maven names are "groupId:artifactId"). */
const char *slsec_package_name_norm(slsec_arena *a, slsec_ecosystem e, const char *name);

/* ---- lockfiles ----------------------------------------------------------------- */

typedef struct slsec_package {
    slsec_ecosystem eco;
    const char *name;    /* as written in the lockfile */
    const char *version;
    bool dev;            /* only needed to develop or test (when the lockfile says) */
    bool direct;         /* a direct dependency (when the lockfile says) */
    slsec_loc loc;       /* where the package appears in the lockfile */
} slsec_package;

/* Is this file name (no folder) one of the lockfiles slsec reads:
 * package-lock.json, npm-shrinkwrap.json, yarn.lock, pnpm-lock.yaml,
 * requirements*.txt, poetry.lock, uv.lock, Pipfile.lock, Cargo.lock,
 * go.mod, go.sum, Gemfile.lock. */
bool slsec_lockfile_name(const char *basename);

/* Reads one lockfile (path to open; relpath names it in locations and
 * warnings) and appends slsec_package* to pkgs. `root` bounds what a
 * requirements file may include with -r (NULL: the lockfile's folder).
 * A file that is not what its name says, or entries that cannot be read,
 * are warnings; the rest is read. Returns SLSEC_OK, or SLSEC_EIO/EPARSE/
 * ELIMIT when nothing could be read (a warning says why). */
int slsec_lockfile_read(slsec_arena *a, const char *root, const char *path, const char *relpath,
                        slsec_ptrvec *pkgs, slsec_diags *warnings);

/* The same on bytes already in memory (the fuzz target's entry). */
int slsec_lockfile_parse(slsec_arena *a, const char *relpath, const char *data, size_t len,
                         slsec_ptrvec *pkgs, slsec_diags *warnings);

/* ---- the advisory index ---------------------------------------------------------- */

typedef struct slsec_osvdb slsec_osvdb;

/* $XDG_CACHE_HOME/slsec/osv.db, else $HOME/.cache/slsec/osv.db, into buf.
 * Returns SLSEC_OK, or SLSEC_EUSAGE when neither variable is set. */
int slsec_osvdb_default_path(char *buf, size_t size);

typedef struct slsec_osvdb_import_stats {
    size_t sources;     /* zips and folders read */
    size_t files;       /* JSON files met */
    size_t added;       /* advisories new to the index */
    size_t updated;     /* replaced by a newer modification */
    size_t unchanged;   /* already present, not newer */
    size_t withdrawn;   /* stored, but never matched */
    size_t skipped;     /* unreadable entries (a warning each) */
    double seconds;
} slsec_osvdb_import_stats;

/* Imports OSV advisories from zips (*.zip) and folders (walked for *.json)
 * into the index at db_path, created with its folder if absent. Bad
 * entries are warnings. Returns SLSEC_OK, or an error with err set when
 * the index could not be written (then it is left as it was). */
int slsec_osvdb_import(const char *db_path, const char *const *sources, size_t count,
                       slsec_osvdb_import_stats *stats, slsec_diags *warnings, slsec_diag *err);

/* Opens an index read-only. SLSEC_EIO with err set when it is absent or
 * not an slsec index. */
int slsec_osvdb_open(const char *db_path, slsec_osvdb **out, slsec_diag *err);
void slsec_osvdb_close(slsec_osvdb *db);

typedef struct slsec_osvdb_eco_status {
    const char *ecosystem;
    size_t advisories;   /* not withdrawn */
    size_t withdrawn;
    const char *newest;  /* the latest `modified` (RFC 3339) */
} slsec_osvdb_eco_status;

/* One slsec_osvdb_eco_status* per ecosystem, sorted by name. */
int slsec_osvdb_status(slsec_osvdb *db, slsec_arena *a, slsec_ptrvec *ecosystems, slsec_diag *err);

/* One flaw affecting one package: advisories that name each other as
 * aliases are merged. */
typedef struct slsec_vuln {
    const slsec_package *pkg;
    const char *id;         /* the representative advisory id */
    slsec_ptrvec aliases;   /* const char*: the other ids (CVE, GHSA, PYSEC...), sorted */
    const char *summary;    /* may be NULL */
    slsec_severity severity;
    bool severity_known;    /* from a CVSS v3 vector or database_specific.severity */
    slsec_ptrvec fixed;     /* const char*: versions that fix it, in version order */
} slsec_vuln;

/* Appends the slsec_vuln* that affect pkg, sorted by id. Advisory entries
 * whose versions or ranges cannot be read are warnings naming them. */
int slsec_osvdb_match(slsec_osvdb *db, slsec_arena *a, const slsec_package *pkg, slsec_ptrvec *vulns,
                      slsec_diags *warnings);

/* ---- the scan's dependency pass -------------------------------------------------- */

typedef struct slsec_deps_pass {
    const slsec_app *app;       /* functions whose code holds a lockfile are related */
    const char *root;           /* absolute scanned root */
    const char *db_path;        /* NULL: slsec_osvdb_default_path */
    int dev_drop;               /* levels a dev-only finding drops (scan: thresholds, default 1) */
    slsec_arena *arena;
    slsec_ptrvec *findings;     /* DEP findings are appended */
    slsec_diags *warnings;
    size_t packages;            /* out: packages read */
    size_t packaged_lockfiles;  /* out: lockfiles read inside deployment packages */
    bool checked;               /* out: an index was found and used */
} slsec_deps_pass;

/* Reads lockfiles (paths[i] to open, relpaths[i] to name them), and those
 * inside the .zip/.jar packages the app's functions deploy, and reports
 * DEP-001 for every vulnerable package. Without an index, one note says
 * that dependency checks were skipped and how to enable them. */
void slsec_deps_run(slsec_deps_pass *p, const char *const *paths, const char *const *relpaths, size_t count);

#endif
