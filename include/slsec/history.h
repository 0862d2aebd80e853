/*
 * slsec/history.h — the history of scans: one SQLite file per project
 * (default .slsec/history.db in the scanned root), so a team sees whether
 * it is getting better.
 *
 * Each recorded run keeps its time, the scanned root, the git commit and
 * branch when the root is in a repository, the tool version, the rule
 * catalogue version and every unsuppressed finding (fingerprint, rule,
 * severity, resource, location). Recording also compares the run with the
 * previous run of the same root, by fingerprint: findings that are new,
 * fixed, or still open. Each finding is tracked as an "issue" from the run
 * that first saw it to the run that no longer did, which gives its
 * time-to-fix; a finding that comes back after a fix is a new issue.
 *
 * The comparison is made when the run is written, inside the write
 * transaction, so `slsec history` reads counts instead of re-diffing a
 * thousand runs, and two scans recording at once are ordered by SQLite's
 * lock (a busy timeout makes the second wait) and each compares with the
 * run that really preceded it.
 *
 * Schema: versioned (PRAGMA user_version) with forward-only migrations
 * applied in one transaction when a file is opened for writing. A file
 * from a newer slsec is refused and never modified; a file that is not a
 * slsec history (another database, random bytes) is refused with
 * SLSEC_EPARSE. Read-only opens never migrate: an older file is read
 * through the queries every version supports (runs with no counts of a
 * later schema show 0).
 *
 * Ownership: slsec_history is heap-owned (_open/_close); lists returned by
 * the queries are heap-owned and freed with their _free function.
 */
#ifndef SLSEC_HISTORY_H
#define SLSEC_HISTORY_H

#include <stdint.h>

#include "slsec/scan.h"

/* The schema this build writes. Version 1: runs and their findings whole;
 * 2: each finding once as an issue (first seen, fixed), each run's
 * sightings as (run, issue, line, column), per-run new/fixed/open and
 * family counts, the commit's subject. docs/report.md has the tables. */
#define SLSEC_HISTORY_SCHEMA 2

/* Milliseconds a writer waits for another writer's lock before giving up. */
#ifndef SLSEC_HISTORY_BUSY_MS
#define SLSEC_HISTORY_BUSY_MS 10000
#endif

typedef struct slsec_history slsec_history;

enum {
    SLSEC_HISTORY_READ = 0,  /* the file must exist; nothing is written */
    SLSEC_HISTORY_WRITE = 1, /* created (with its folder) when absent; migrated */
};

/* Opens (and for WRITE creates or migrates) the history at path.
 * SLSEC_EIO: cannot be opened/created; SLSEC_EPARSE: not a slsec history
 * or corrupt; SLSEC_EUSAGE: written by a newer slsec (schema > ours). d says
 * which, naming the file. */
int slsec_history_open(const char *path, int mode, slsec_history **out, slsec_diag *d);
void slsec_history_close(slsec_history *h);
/* The schema version of the opened file (after migration for WRITE). */
int slsec_history_schema(const slsec_history *h);

/* One finding as the history stores it. Strings are copied. */
typedef struct slsec_history_finding {
    const char *fingerprint;
    const char *rule_id;
    slsec_severity severity;
    const char *resource; /* may be NULL */
    const char *file;     /* may be NULL */
    int line, col;
    const char *message;  /* may be NULL */
} slsec_history_finding;

/* What a run is, besides its findings. */
typedef struct slsec_history_meta {
    int64_t time;              /* seconds since the epoch (UTC) */
    const char *root;          /* the scanned root, as an absolute path */
    const char *commit;        /* hex id or NULL */
    const char *branch;        /* short name, or NULL (detached, no repo) */
    const char *subject;       /* the commit message's first line, or NULL */
    const char *tool_version;  /* NULL: SLSEC_VERSION */
    const char *catalogue;     /* NULL: slsec_history_catalogue_version() */
} slsec_history_meta;

/* Records one run in one transaction: nothing of it is visible until all
 * of it is. *run_id (may be NULL) gets the new run's id. Findings with the
 * same fingerprint are stored once. */
int slsec_history_record(slsec_history *h, const slsec_history_meta *meta,
                         const slsec_history_finding *findings, size_t count, int64_t *run_id,
                         slsec_diag *d);

/* Records a scan result: its unsuppressed, non-baselined findings, its root
 * (made absolute), and the git commit and branch of the repository holding
 * the root when there is one. time 0 means now. */
int slsec_history_record_scan(slsec_history *h, const slsec_scan_result *r, int64_t time,
                              int64_t *run_id, slsec_diag *d);

/* The commit id (40 hex + NUL), branch and commit subject (first line of
 * its message, cut to fit) of the repository holding path; false when there
 * is none. branch is "" when HEAD is detached. */
bool slsec_history_git_head(const char *path, char commit[41], char *branch, size_t branch_size,
                            char *subject, size_t subject_size);

/* A short hash of the rule catalogue (ids and severities), 12 hex digits:
 * it changes when rules are added, removed or re-graded, which explains
 * jumps in counts. */
void slsec_history_catalogue_version(char out[13]);

/* ---- reading --------------------------------------------------------------- */

typedef struct slsec_history_run {
    int64_t id;
    int64_t time;
    char *root, *commit, *branch, *subject, *tool_version, *catalogue;
    size_t counts[5];   /* findings per slsec_severity */
    size_t total;
    size_t new_count, fixed_count, open_count; /* vs the previous run of the root */
    bool first;         /* no previous run of the root: everything is new */
} slsec_history_run;

typedef struct slsec_history_runs {
    slsec_history_run *items;
    size_t count;
} slsec_history_runs;

/* Runs in recording order (oldest first); root NULL for every root, and at
 * most `limit` of the latest (0: all). */
int slsec_history_list(slsec_history *h, const char *root, size_t limit, slsec_history_runs *out,
                       slsec_diag *d);
void slsec_history_runs_free(slsec_history_runs *runs);

/* Counts of findings per rule family in one run, sorted by family. */
typedef struct slsec_history_family {
    char family[16];
    size_t count;
} slsec_history_family;

int slsec_history_families(slsec_history *h, int64_t run_id, slsec_history_family **out,
                           size_t *count, slsec_diag *d);

/* Time-to-fix of the issues of a root fixed so far, per severity. */
typedef struct slsec_history_fix_times {
    size_t fixed[5];
    double mean_seconds[5]; /* 0 when none fixed */
    size_t open[5];         /* issues still open */
} slsec_history_fixes;

int slsec_history_fix_times(slsec_history *h, const char *root, slsec_history_fixes *out,
                            slsec_diag *d);

/* One finding's state in a run compared with the previous one. */
typedef enum { SLSEC_HISTORY_NEW, SLSEC_HISTORY_FIXED, SLSEC_HISTORY_OPEN } slsec_history_state;

typedef struct slsec_history_change {
    slsec_history_state state;
    char *fingerprint, *rule_id, *resource, *file;
    slsec_severity severity;
    int64_t first_time; /* when the issue was first seen */
    int64_t fixed_time; /* FIXED: when it was fixed (this run's time) */
} slsec_history_change;

/* The findings new, fixed and still open in run_id, sorted by state then
 * fingerprint. */
int slsec_history_changes(slsec_history *h, int64_t run_id, slsec_history_change **out,
                          size_t *count, slsec_diag *d);
void slsec_history_changes_free(slsec_history_change *changes, size_t count);

#endif
