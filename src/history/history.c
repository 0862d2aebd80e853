/*
 * history.c — the SQLite history of scans (slsec/history.h has the
 * contract; docs/report.md the schema).
 *
 * Every write is one BEGIN IMMEDIATE transaction: the write lock is taken
 * before anything is read, so a second scan recording at the same moment
 * waits (busy timeout) instead of reading a "previous run" that is about
 * to change, and an interrupted process leaves SQLite's journal to roll
 * the half-written run back.
 *
 * Files are identified by PRAGMA application_id, so a random database
 * handed to --history is refused rather than filled with our tables.
 * Opening an older file read-only copies it into memory (the backup API)
 * and migrates the copy: the file on disk is never touched by a reader.
 */
#include "slsec/history.h"

#include <errno.h>
#include <git2.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* 'slsc': what PRAGMA application_id holds in a slsec history. */
#define HISTORY_APP_ID 0x736c7363

struct slsec_history {
    sqlite3 *db;
    char *path;
    int schema;
};

/* ---- errors ------------------------------------------------------------------ */

/* Maps an SQLite failure to a slsec code and a sentence naming the file. */
static int db_fail(sqlite3 *db, const char *path, int src, const char *doing, slsec_diag *d)
{
    int code = src & 0xff;
    const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(src);
    if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, path, 0, 0,
                       "the history is corrupt or not a database (%s while %s)", msg, doing);
        return SLSEC_EPARSE;
    }
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, path, 0, 0,
                       "the history stayed locked by another process for %d ms while %s",
                       SLSEC_HISTORY_BUSY_MS, doing);
        return SLSEC_EIO;
    }
    slsec_diag_set(d, SLSEC_DIAG_ERROR, path, 0, 0, "cannot use the history while %s: %s", doing, msg);
    return code == SQLITE_NOMEM ? SLSEC_ENOMEM : SLSEC_EIO;
}

static int exec(sqlite3 *db, const char *path, const char *sql, const char *doing, slsec_diag *d)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? SLSEC_OK : db_fail(db, path, rc, doing, d);
}

static int pragma_int(sqlite3 *db, const char *sql, int *out)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

/* ---- migrations ------------------------------------------------------------------- */

static const char schema_v1[] =
    "CREATE TABLE runs("
    " id INTEGER PRIMARY KEY,"
    " time INTEGER NOT NULL,"
    " root TEXT NOT NULL,"
    " commit_id TEXT,"
    " branch TEXT,"
    " tool_version TEXT NOT NULL,"
    " catalogue TEXT NOT NULL,"
    " info INTEGER NOT NULL, low INTEGER NOT NULL, medium INTEGER NOT NULL,"
    " high INTEGER NOT NULL, critical INTEGER NOT NULL);"
    "CREATE TABLE findings("
    " run_id INTEGER NOT NULL,"
    " fingerprint TEXT NOT NULL,"
    " rule_id TEXT NOT NULL,"
    " severity INTEGER NOT NULL,"
    " resource TEXT, file TEXT, line INTEGER, col INTEGER, message TEXT,"
    " PRIMARY KEY(run_id, fingerprint)) WITHOUT ROWID;";

static const char schema_v2[] =
    "ALTER TABLE runs ADD COLUMN prev_run INTEGER;"
    "ALTER TABLE runs ADD COLUMN commit_subject TEXT;"
    "ALTER TABLE runs ADD COLUMN new_count INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE runs ADD COLUMN fixed_count INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE runs ADD COLUMN open_count INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX runs_by_root ON runs(root, id);"
    "CREATE TABLE issues("
    " id INTEGER PRIMARY KEY,"
    " root TEXT NOT NULL,"
    " fingerprint TEXT NOT NULL,"
    " rule_id TEXT NOT NULL,"
    " severity INTEGER NOT NULL,"
    " resource TEXT, file TEXT,"
    " first_run INTEGER NOT NULL, first_time INTEGER NOT NULL,"
    " last_run INTEGER NOT NULL,"
    " fixed_run INTEGER, fixed_time INTEGER);"
    "CREATE INDEX issues_open ON issues(root, fingerprint) WHERE fixed_run IS NULL;"
    "CREATE INDEX issues_first ON issues(first_run);"
    "CREATE INDEX issues_fixed ON issues(fixed_run);"
    "CREATE TABLE run_families("
    " run_id INTEGER NOT NULL, family TEXT NOT NULL, count INTEGER NOT NULL,"
    " PRIMARY KEY(run_id, family)) WITHOUT ROWID;"
    "CREATE TABLE run_findings("
    " run_id INTEGER NOT NULL, issue_id INTEGER NOT NULL, line INTEGER, col INTEGER,"
    " PRIMARY KEY(run_id, issue_id)) WITHOUT ROWID;";

/* The findings of the run being recorded (or replayed by a migration):
 * a connection-private table the comparison reads. */
static const char current_table[] =
    "CREATE TEMP TABLE IF NOT EXISTS current("
    " fingerprint TEXT PRIMARY KEY, rule_id TEXT NOT NULL, severity INTEGER NOT NULL,"
    " resource TEXT, file TEXT, line INTEGER, col INTEGER) WITHOUT ROWID;"
    "DELETE FROM temp.current;";

static int track_run(sqlite3 *db, const char *path, int64_t run_id, slsec_diag *d);

static int run_sql(sqlite3 *db, const char *path, const char *sql, const char *root, const int64_t *args,
                   int nargs, int *changes, slsec_diag *d);

/* Version 1 kept each run's findings whole (with messages) in `findings`;
 * version 2 keeps each finding once as an issue and each run's sightings
 * as (run, issue, line, column): a thousand runs of thousands of findings
 * stay tens of megabytes. The version 2 tables are filled by replaying
 * every recorded run in order, as if each were just recorded. */
static int backfill_v2(sqlite3 *db, const char *path, slsec_diag *d)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, "SELECT id FROM runs ORDER BY id", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_fail(db, path, rc, "upgrading the schema", d);
    int out = SLSEC_OK;
    while (out == SLSEC_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id[1] = {sqlite3_column_int64(st, 0)};
        out = exec(db, path, current_table, "upgrading the schema", d);
        if (out == SLSEC_OK)
            out = run_sql(db, path,
                          "INSERT OR IGNORE INTO temp.current SELECT fingerprint, rule_id, severity, resource,"
                          " file, line, col FROM findings WHERE run_id=?1",
                          NULL, id, 1, NULL, d);
        if (out == SLSEC_OK)
            out = track_run(db, path, id[0], d);
    }
    if (out == SLSEC_OK && rc != SQLITE_DONE)
        out = db_fail(db, path, rc, "upgrading the schema", d);
    sqlite3_finalize(st);
    if (out == SLSEC_OK)
        out = exec(db, path, "DROP TABLE findings", "upgrading the schema", d);
    return out;
}

/* Brings db from schema `from` to SLSEC_HISTORY_SCHEMA. The caller holds a
 * write transaction. */
static int migrate(sqlite3 *db, const char *path, int from, slsec_diag *d)
{
    int rc = SLSEC_OK;
    if (from < 1)
        rc = exec(db, path, schema_v1, "creating the schema", d);
    if (rc == SLSEC_OK && from < 2) {
        rc = exec(db, path, schema_v2, "upgrading the schema to version 2", d);
        if (rc == SLSEC_OK)
            rc = backfill_v2(db, path, d);
    }
    if (rc == SLSEC_OK) {
        char sql[96];
        snprintf(sql, sizeof sql, "PRAGMA application_id=%d; PRAGMA user_version=%d;", HISTORY_APP_ID,
                 SLSEC_HISTORY_SCHEMA);
        rc = exec(db, path, sql, "recording the schema version", d);
    }
    return rc;
}

/* Reads the file's identity: its schema version, or a refusal. `empty` is
 * set for a database with no tables at all (a new file). */
static int identify(sqlite3 *db, const char *path, int *version, slsec_diag *d)
{
    int app = 0, tables = 0, rc;
    if ((rc = pragma_int(db, "SELECT count(*) FROM sqlite_master", &tables)) != SQLITE_OK ||
        (rc = pragma_int(db, "PRAGMA application_id", &app)) != SQLITE_OK ||
        (rc = pragma_int(db, "PRAGMA user_version", version)) != SQLITE_OK)
        return db_fail(db, path, rc, "reading its header", d);
    if (tables == 0 && app == 0) {
        *version = 0;
        return SLSEC_OK;
    }
    if (app != HISTORY_APP_ID) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, path, 0, 0,
                       "not a slsec history (an SQLite database of another application); "
                       "name another file with --history");
        return SLSEC_EPARSE;
    }
    if (*version > SLSEC_HISTORY_SCHEMA) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, path, 0, 0,
                       "the history has schema version %d, written by a newer slsec; this one (%s) "
                       "understands up to version %d and leaves the file unchanged: upgrade slsec",
                       *version, SLSEC_VERSION, SLSEC_HISTORY_SCHEMA);
        return SLSEC_EUSAGE;
    }
    if (*version < 1) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, path, 0, 0, "not a slsec history (no schema version)");
        return SLSEC_EPARSE;
    }
    return SLSEC_OK;
}

static int make_parent(const char *path, slsec_diag *d)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return SLSEC_OK;
    char dir[PATH_MAX];
    size_t n = (size_t)(slash - path);
    if (n >= sizeof dir) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, path, 0, 0, "the path is too long");
        return SLSEC_EIO;
    }
    memcpy(dir, path, n);
    dir[n] = '\0';
    struct stat st;
    if (stat(dir, &st) == 0)
        return SLSEC_OK;
    /* Only the last folder is made (.slsec): a mistyped deeper path is
     * more likely an error than a wish to create a tree. */
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, path, 0, 0, "cannot create the folder %s: %s", dir,
                       strerror(errno));
        return SLSEC_EIO;
    }
    return SLSEC_OK;
}

static int open_write(slsec_history *h, slsec_diag *d)
{
    int rc = make_parent(h->path, d);
    if (rc != SLSEC_OK)
        return rc;
    int src = sqlite3_open_v2(h->path, &h->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (src != SQLITE_OK)
        return db_fail(h->db, h->path, src, "opening it", d);
    sqlite3_busy_timeout(h->db, SLSEC_HISTORY_BUSY_MS);
    int version;
    if ((rc = identify(h->db, h->path, &version, d)) != SLSEC_OK)
        return rc;
    if (version == SLSEC_HISTORY_SCHEMA) {
        h->schema = version;
        return SLSEC_OK;
    }
    /* Another process may be migrating too: decide again under the lock. */
    if ((rc = exec(h->db, h->path, "BEGIN IMMEDIATE", "locking it to upgrade", d)) != SLSEC_OK)
        return rc;
    rc = identify(h->db, h->path, &version, d);
    if (rc == SLSEC_OK && version < SLSEC_HISTORY_SCHEMA)
        rc = migrate(h->db, h->path, version, d);
    if (rc == SLSEC_OK)
        rc = exec(h->db, h->path, "COMMIT", "upgrading the schema", d);
    if (rc != SLSEC_OK) {
        sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    h->schema = SLSEC_HISTORY_SCHEMA;
    return SLSEC_OK;
}

static int open_read(slsec_history *h, slsec_diag *d)
{
    struct stat st;
    if (stat(h->path, &st) != 0) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, h->path, 0, 0, "cannot open the history: %s%s",
                       strerror(errno),
                       errno == ENOENT ? " (record scans with `slsec scan --history`)" : "");
        return SLSEC_EIO;
    }
    if (!S_ISREG(st.st_mode)) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, h->path, 0, 0, "the history is not a regular file");
        return SLSEC_EIO;
    }
    int src = sqlite3_open_v2(h->path, &h->db, SQLITE_OPEN_READONLY, NULL);
    if (src != SQLITE_OK)
        return db_fail(h->db, h->path, src, "opening it", d);
    sqlite3_busy_timeout(h->db, SLSEC_HISTORY_BUSY_MS);
    int version, rc;
    if ((rc = identify(h->db, h->path, &version, d)) != SLSEC_OK)
        return rc;
    h->schema = version;
    if (version == SLSEC_HISTORY_SCHEMA)
        return SLSEC_OK;

    /* An older (or empty) file: migrate a copy in memory. */
    sqlite3 *mem = NULL;
    src = sqlite3_open_v2(":memory:", &mem, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, NULL);
    if (src != SQLITE_OK) {
        sqlite3_close(mem);
        return db_fail(NULL, h->path, src, "copying it to memory", d);
    }
    sqlite3_backup *b = sqlite3_backup_init(mem, "main", h->db, "main");
    src = b ? sqlite3_backup_step(b, -1) : sqlite3_errcode(mem);
    if (b)
        sqlite3_backup_finish(b);
    if (src != SQLITE_DONE) {
        rc = db_fail(h->db, h->path, src, "copying it to memory", d);
        sqlite3_close(mem);
        return rc;
    }
    sqlite3_close(h->db);
    h->db = mem;
    rc = exec(mem, h->path, "BEGIN", "reading an older schema", d);
    if (rc == SLSEC_OK)
        rc = migrate(mem, h->path, version, d);
    if (rc == SLSEC_OK)
        rc = exec(mem, h->path, "COMMIT", "reading an older schema", d);
    return rc;
}

int slsec_history_open(const char *path, int mode, slsec_history **out, slsec_diag *d)
{
    *out = NULL;
    if (!path || !*path) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, "", 0, 0, "no history file named");
        return SLSEC_EUSAGE;
    }
    slsec_history *h = calloc(1, sizeof *h);
    if (!h || !(h->path = strdup(path)))
        slsec_oom();
    int rc = mode == SLSEC_HISTORY_WRITE ? open_write(h, d) : open_read(h, d);
    if (rc != SLSEC_OK) {
        slsec_history_close(h);
        return rc;
    }
    *out = h;
    return SLSEC_OK;
}

void slsec_history_close(slsec_history *h)
{
    if (!h)
        return;
    sqlite3_close(h->db);
    free(h->path);
    free(h);
}

int slsec_history_schema(const slsec_history *h)
{
    return h ? h->schema : 0;
}

/* ---- recording ---------------------------------------------------------------------- */

static int step_done(sqlite3 *db, const char *path, sqlite3_stmt *st, const char *doing, slsec_diag *d)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SLSEC_OK : db_fail(db, path, rc, doing, d);
}

/* Runs one statement with int64 parameters ?1..?nargs and, when root is
 * not NULL, the text parameter ?9 (numbered, not named: a named parameter
 * takes the next free number and would collide with a later ?N). *changes
 * gets sqlite3_changes. */
static int run_sql(sqlite3 *db, const char *path, const char *sql, const char *root, const int64_t *args,
                   int nargs, int *changes, slsec_diag *d)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_fail(db, path, rc, "comparing runs", d);
    for (int i = 0; i < nargs; i++)
        sqlite3_bind_int64(st, i + 1, args[i]);
    if (root)
        sqlite3_bind_text(st, 9, root, -1, SQLITE_STATIC);
    int out = step_done(db, path, st, "comparing runs", d);
    if (changes)
        *changes = sqlite3_changes(db);
    sqlite3_finalize(st);
    return out;
}

/* Compares run_id (whose findings are stored) with the open issues of its
 * root: closes the ones it no longer has, extends the ones it still has,
 * opens the new ones, and stores the three counts and the family counts.
 * Issues of a root are only touched here, under the write lock, in run
 * order, so "the open issues of the root" are exactly the findings of the
 * previous run of that root. */
static int track_run(sqlite3 *db, const char *path, int64_t run_id, slsec_diag *d)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, "SELECT root, time FROM runs WHERE id=?", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_fail(db, path, rc, "comparing runs", d);
    sqlite3_bind_int64(st, 1, run_id);
    if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return db_fail(db, path, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, "comparing runs", d);
    }
    char *root = strdup((const char *)sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "");
    int64_t time = sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
    if (!root)
        slsec_oom();

    int fixed = 0, still = 0, fresh = 0;
    int64_t a3[3] = {run_id, time, run_id};
    int64_t a1[1] = {run_id};
    int out = run_sql(db, path,
                      "UPDATE issues SET fixed_run=?1, fixed_time=?2 WHERE root=?9 AND fixed_run IS NULL"
                      " AND fingerprint NOT IN (SELECT fingerprint FROM temp.current)",
                      root, a3, 2, &fixed, d);
    if (out == SLSEC_OK)
        out = run_sql(db, path,
                      "UPDATE issues SET last_run=?1 WHERE root=?9 AND fixed_run IS NULL"
                      " AND fingerprint IN (SELECT fingerprint FROM temp.current)",
                      root, a1, 1, &still, d);
    if (out == SLSEC_OK)
        out = run_sql(db, path,
                      "INSERT INTO issues(root, fingerprint, rule_id, severity, resource, file,"
                      " first_run, first_time, last_run)"
                      " SELECT ?9, f.fingerprint, f.rule_id, f.severity, f.resource, f.file, ?1, ?2, ?1"
                      " FROM temp.current f WHERE NOT EXISTS (SELECT 1 FROM issues i"
                      " WHERE i.root=?9 AND i.fingerprint=f.fingerprint AND i.fixed_run IS NULL)"
                      " ORDER BY f.fingerprint",
                      root, a3, 2, &fresh, d);
    if (out == SLSEC_OK) {
        int64_t counts[4] = {fresh, fixed, still, run_id};
        out = run_sql(db, path,
                      "UPDATE runs SET new_count=?1, fixed_count=?2, open_count=?3, prev_run=(SELECT"
                      " max(id) FROM runs WHERE root=?9 AND id<?4) WHERE id=?4",
                      root, counts, 4, NULL, d);
    }
    if (out == SLSEC_OK)
        out = run_sql(db, path,
                      "INSERT INTO run_findings(run_id, issue_id, line, col) SELECT ?1, i.id, f.line, f.col"
                      " FROM temp.current f JOIN issues i ON i.root=?9 AND i.fingerprint=f.fingerprint"
                      " AND i.fixed_run IS NULL",
                      root, a1, 1, NULL, d);
    if (out == SLSEC_OK)
        out = run_sql(db, path,
                      "INSERT INTO run_families(run_id, family, count) SELECT ?1,"
                      " CASE WHEN instr(rule_id,'-')>1 THEN substr(rule_id,1,instr(rule_id,'-')-1)"
                      " ELSE rule_id END, count(*) FROM temp.current GROUP BY 2",
                      NULL, a1, 1, NULL, d);
    if (out == SLSEC_OK)
        out = run_sql(db, path,
                      "UPDATE runs SET info=(SELECT count(*) FROM temp.current WHERE severity=0),"
                      " low=(SELECT count(*) FROM temp.current WHERE severity=1),"
                      " medium=(SELECT count(*) FROM temp.current WHERE severity=2),"
                      " high=(SELECT count(*) FROM temp.current WHERE severity=3),"
                      " critical=(SELECT count(*) FROM temp.current WHERE severity=4) WHERE id=?1",
                      NULL, a1, 1, NULL, d);
    free(root);
    return out;
}

void slsec_history_catalogue_version(char out[13])
{
    size_t n;
    const slsec_rule *const *all = slsec_rules_all(&n);
    slsec_buf b;
    slsec_buf_init(&b);
    for (size_t i = 0; i < n; i++)
        slsec_buf_printf(&b, "%s:%d\n", all[i]->id, (int)all[i]->severity);
    char hex[65];
    slsec_sha256_hex(b.data ? b.data : "", b.len, hex);
    slsec_buf_free(&b);
    memcpy(out, hex, 12);
    out[12] = '\0';
}

static void bind_opt_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static int insert_run(slsec_history *h, const slsec_history_meta *meta, const slsec_history_finding *f,
                      size_t count, int64_t *run_id, slsec_diag *d)
{
    size_t sev[5] = {0};
    for (size_t i = 0; i < count; i++)
        if ((unsigned)f[i].severity < 5)
            sev[f[i].severity]++;
    char catalogue[13];
    slsec_history_catalogue_version(catalogue);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(h->db,
                                "INSERT INTO runs(time, root, commit_id, branch, tool_version, catalogue,"
                                " info, low, medium, high, critical, commit_subject)"
                                " VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_fail(h->db, h->path, rc, "recording the run", d);
    sqlite3_bind_int64(st, 1, meta->time);
    sqlite3_bind_text(st, 2, meta->root, -1, SQLITE_STATIC);
    bind_opt_text(st, 3, meta->commit);
    bind_opt_text(st, 4, meta->branch && *meta->branch ? meta->branch : NULL);
    sqlite3_bind_text(st, 5, meta->tool_version ? meta->tool_version : SLSEC_VERSION, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, meta->catalogue ? meta->catalogue : catalogue, -1, SQLITE_TRANSIENT);
    for (int s = 0; s < 5; s++)
        sqlite3_bind_int64(st, 7 + s, (int64_t)sev[s]);
    bind_opt_text(st, 12, meta->subject);
    int out = step_done(h->db, h->path, st, "recording the run", d);
    sqlite3_finalize(st);
    if (out != SLSEC_OK)
        return out;
    *run_id = sqlite3_last_insert_rowid(h->db);

    if ((out = exec(h->db, h->path, current_table, "recording the findings", d)) != SLSEC_OK)
        return out;
    rc = sqlite3_prepare_v2(h->db,
                            "INSERT OR IGNORE INTO temp.current(fingerprint, rule_id, severity, resource, file,"
                            " line, col) VALUES(?,?,?,?,?,?,?)",
                            -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_fail(h->db, h->path, rc, "recording the findings", d);
    /* Duplicates (one fingerprint twice) are kept once: the first wins. */
    for (size_t i = 0; i < count && out == SLSEC_OK; i++) {
        sqlite3_bind_text(st, 1, f[i].fingerprint ? f[i].fingerprint : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, f[i].rule_id ? f[i].rule_id : "", -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, (unsigned)f[i].severity < 5 ? (int)f[i].severity : 0);
        bind_opt_text(st, 4, f[i].resource);
        bind_opt_text(st, 5, f[i].file);
        sqlite3_bind_int(st, 6, f[i].line);
        sqlite3_bind_int(st, 7, f[i].col);
        out = step_done(h->db, h->path, st, "recording the findings", d);
        sqlite3_clear_bindings(st);
    }
    sqlite3_finalize(st);
    return out;
}

int slsec_history_record(slsec_history *h, const slsec_history_meta *meta,
                         const slsec_history_finding *findings, size_t count, int64_t *run_id,
                         slsec_diag *d)
{
    if (!h || !meta || !meta->root || (count && !findings)) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, h ? h->path : "", 0, 0, "nothing to record (a bug)");
        return SLSEC_EUSAGE;
    }
    if (sqlite3_db_readonly(h->db, "main") == 1) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, h->path, 0, 0, "the history was opened read-only");
        return SLSEC_EUSAGE;
    }
    int rc = exec(h->db, h->path, "BEGIN IMMEDIATE", "locking it to record a run", d);
    if (rc != SLSEC_OK)
        return rc;
    int64_t id = 0;
    rc = insert_run(h, meta, findings, count, &id, d);
    if (rc == SLSEC_OK)
        rc = track_run(h->db, h->path, id, d);
    if (rc == SLSEC_OK)
        rc = exec(h->db, h->path, "COMMIT", "recording the run", d);
    if (rc != SLSEC_OK) {
        sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    if (run_id)
        *run_id = id;
    return SLSEC_OK;
}

bool slsec_history_git_head(const char *path, char commit[41], char *branch, size_t branch_size,
                            char *subject, size_t subject_size)
{
    commit[0] = '\0';
    if (branch_size)
        branch[0] = '\0';
    if (subject_size)
        subject[0] = '\0';
    git_commit *c = NULL;
    git_libgit2_init();
    git_repository *repo = NULL;
    git_reference *head = NULL, *resolved = NULL;
    bool ok = false;
    if (git_repository_open_ext(&repo, path, 0, NULL) != 0)
        goto done;
    if (git_repository_head(&head, repo) != 0)
        goto done;
    if (git_reference_resolve(&resolved, head) != 0 || !git_reference_target(resolved))
        goto done;
    git_oid_tostr(commit, 41, git_reference_target(resolved));
    if (branch_size && git_reference_is_branch(head))
        snprintf(branch, branch_size, "%s", git_reference_shorthand(head));
    if (subject_size && git_commit_lookup(&c, repo, git_reference_target(resolved)) == 0 && git_commit_summary(c))
        snprintf(subject, subject_size, "%s", git_commit_summary(c));
    ok = true;
done:
    git_commit_free(c);
    git_reference_free(resolved);
    git_reference_free(head);
    git_repository_free(repo);
    git_libgit2_shutdown();
    return ok;
}

int slsec_history_record_scan(slsec_history *h, const slsec_scan_result *r, int64_t when,
                              int64_t *run_id, slsec_diag *d)
{
    char root[PATH_MAX];
    if (!realpath(r->root ? r->root : ".", root))
        snprintf(root, sizeof root, "%s", r->root ? r->root : ".");
    char commit[41], branch[256], subject[512];
    bool git = slsec_history_git_head(root, commit, branch, sizeof branch, subject, sizeof subject);
    slsec_history_meta meta = {
        .time = when ? when : (int64_t)time(NULL),
        .root = root,
        .commit = git ? commit : NULL,
        .branch = git && branch[0] ? branch : NULL,
        .subject = git && subject[0] ? subject : NULL,
    };
    size_t n = 0;
    slsec_history_finding *f = calloc(r->findings.count + 1, sizeof *f);
    if (!f)
        slsec_oom();
    for (size_t i = 0; i < r->findings.count; i++) {
        const slsec_finding *x = r->findings.items[i];
        if (!x || x->suppressed)
            continue;
        f[n++] = (slsec_history_finding){
            .fingerprint = x->fingerprint,
            .rule_id = x->rule ? x->rule->id : "",
            .severity = x->severity,
            .resource = x->resource,
            .file = x->loc.file,
            .line = x->loc.line,
            .col = x->loc.col,
            .message = x->message,
        };
    }
    int rc = slsec_history_record(h, &meta, f, n, run_id, d);
    free(f);
    return rc;
}

/* ---- reading -------------------------------------------------------------------- */

static char *col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    if (!s)
        return NULL;
    char *c = strdup((const char *)s);
    if (!c)
        slsec_oom();
    return c;
}

int slsec_history_list(slsec_history *h, const char *root, size_t limit, slsec_history_runs *out,
                       slsec_diag *d)
{
    out->items = NULL;
    out->count = 0;
    sqlite3_stmt *st;
    /* The latest `limit` runs, returned oldest first. */
    int rc = sqlite3_prepare_v2(h->db,
                                "SELECT * FROM (SELECT id, time, root, commit_id, branch, tool_version,"
                                " catalogue, info, low, medium, high, critical, new_count, fixed_count,"
                                " open_count, prev_run, commit_subject FROM runs WHERE ?1 IS NULL OR root=?1"
                                " ORDER BY id DESC LIMIT ?2) ORDER BY id",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_fail(h->db, h->path, rc, "listing runs", d);
    bind_opt_text(st, 1, root);
    sqlite3_bind_int64(st, 2, limit ? (int64_t)limit : -1);
    size_t cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->count == cap) {
            cap = cap ? cap * 2 : 64;
            slsec_history_run *more = realloc(out->items, cap * sizeof *more);
            if (!more)
                slsec_oom();
            out->items = more;
        }
        slsec_history_run *x = &out->items[out->count++];
        memset(x, 0, sizeof *x);
        x->id = sqlite3_column_int64(st, 0);
        x->time = sqlite3_column_int64(st, 1);
        x->root = col_dup(st, 2);
        x->commit = col_dup(st, 3);
        x->branch = col_dup(st, 4);
        x->tool_version = col_dup(st, 5);
        x->catalogue = col_dup(st, 6);
        for (int s = 0; s < 5; s++) {
            int64_t v = sqlite3_column_int64(st, 7 + s);
            x->counts[s] = v > 0 ? (size_t)v : 0;
            x->total += x->counts[s];
        }
        int64_t v;
        x->new_count = (v = sqlite3_column_int64(st, 12)) > 0 ? (size_t)v : 0;
        x->fixed_count = (v = sqlite3_column_int64(st, 13)) > 0 ? (size_t)v : 0;
        x->open_count = (v = sqlite3_column_int64(st, 14)) > 0 ? (size_t)v : 0;
        x->first = sqlite3_column_type(st, 15) == SQLITE_NULL;
        x->subject = col_dup(st, 16);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        slsec_history_runs_free(out);
        return db_fail(h->db, h->path, rc, "listing runs", d);
    }
    return SLSEC_OK;
}

void slsec_history_runs_free(slsec_history_runs *runs)
{
    if (!runs)
        return;
    for (size_t i = 0; i < runs->count; i++) {
        slsec_history_run *x = &runs->items[i];
        free(x->root);
        free(x->commit);
        free(x->branch);
        free(x->subject);
        free(x->tool_version);
        free(x->catalogue);
    }
    free(runs->items);
    runs->items = NULL;
    runs->count = 0;
}

int slsec_history_families(slsec_history *h, int64_t run_id, slsec_history_family **out, size_t *count,
                           slsec_diag *d)
{
    *out = NULL;
    *count = 0;
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(h->db, "SELECT family, count FROM run_families WHERE run_id=? ORDER BY family",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_fail(h->db, h->path, rc, "reading family counts", d);
    sqlite3_bind_int64(st, 1, run_id);
    size_t cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*count == cap) {
            cap = cap ? cap * 2 : 16;
            slsec_history_family *more = realloc(*out, cap * sizeof *more);
            if (!more)
                slsec_oom();
            *out = more;
        }
        slsec_history_family *f = &(*out)[(*count)++];
        const unsigned char *name = sqlite3_column_text(st, 0);
        snprintf(f->family, sizeof f->family, "%s", name ? (const char *)name : "");
        int64_t v = sqlite3_column_int64(st, 1);
        f->count = v > 0 ? (size_t)v : 0;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        free(*out);
        *out = NULL;
        *count = 0;
        return db_fail(h->db, h->path, rc, "reading family counts", d);
    }
    return SLSEC_OK;
}

int slsec_history_fix_times(slsec_history *h, const char *root, slsec_history_fixes *out, slsec_diag *d)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(h->db,
                                "SELECT severity, fixed_run IS NULL, count(*), avg(fixed_time-first_time)"
                                " FROM issues WHERE ?1 IS NULL OR root=?1 GROUP BY 1, 2",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_fail(h->db, h->path, rc, "reading times to fix", d);
    bind_opt_text(st, 1, root);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int sev = sqlite3_column_int(st, 0);
        if (sev < 0 || sev > 4)
            continue;
        int64_t n = sqlite3_column_int64(st, 2);
        if (sqlite3_column_int(st, 1)) {
            out->open[sev] = n > 0 ? (size_t)n : 0;
        } else {
            out->fixed[sev] = n > 0 ? (size_t)n : 0;
            out->mean_seconds[sev] = sqlite3_column_double(st, 3);
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SLSEC_OK : db_fail(h->db, h->path, rc, "reading times to fix", d);
}

int slsec_history_changes(slsec_history *h, int64_t run_id, slsec_history_change **out, size_t *count,
                          slsec_diag *d)
{
    *out = NULL;
    *count = 0;
    sqlite3_stmt *st;
    /* An issue is open in run R of its root from the run after first_run
     * until the run before fixed_run. */
    int rc = sqlite3_prepare_v2(
        h->db,
        "SELECT CASE WHEN i.first_run=r.id THEN 0 WHEN i.fixed_run=r.id THEN 1 ELSE 2 END AS state,"
        " i.fingerprint, i.rule_id, i.resource, i.file, i.severity, i.first_time, i.fixed_time"
        " FROM runs r JOIN issues i ON i.root=r.root WHERE r.id=?1 AND i.first_run<=r.id"
        " AND (i.fixed_run IS NULL OR i.fixed_run>=r.id) ORDER BY state, i.fingerprint",
        -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_fail(h->db, h->path, rc, "reading changes", d);
    sqlite3_bind_int64(st, 1, run_id);
    size_t cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*count == cap) {
            cap = cap ? cap * 2 : 64;
            slsec_history_change *more = realloc(*out, cap * sizeof *more);
            if (!more)
                slsec_oom();
            *out = more;
        }
        slsec_history_change *c = &(*out)[(*count)++];
        memset(c, 0, sizeof *c);
        c->state = (slsec_history_state)sqlite3_column_int(st, 0);
        c->fingerprint = col_dup(st, 1);
        c->rule_id = col_dup(st, 2);
        c->resource = col_dup(st, 3);
        c->file = col_dup(st, 4);
        int sev = sqlite3_column_int(st, 5);
        c->severity = sev >= 0 && sev <= 4 ? (slsec_severity)sev : SLSEC_SEV_INFO;
        c->first_time = sqlite3_column_int64(st, 6);
        c->fixed_time = sqlite3_column_int64(st, 7);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        slsec_history_changes_free(*out, *count);
        *out = NULL;
        *count = 0;
        return db_fail(h->db, h->path, rc, "reading changes", d);
    }
    return SLSEC_OK;
}

void slsec_history_changes_free(slsec_history_change *changes, size_t count)
{
    for (size_t i = 0; changes && i < count; i++) {
        free(changes[i].fingerprint);
        free(changes[i].rule_id);
        free(changes[i].resource);
        free(changes[i].file);
    }
    free(changes);
}
