/*
 * osvdb.c — the offline advisory index: OSV JSON (from osv.dev's
 * per-ecosystem all.zip files, read as a stream with libarchive, or from
 * folders) into one SQLite file, and its status.
 *
 * Schema (meta.schema = 2), both tables WITHOUT ROWID so a lookup is one
 * range of one b-tree (schema 1 took three b-tree descents per row):
 *   advisories(id PRIMARY KEY, modified, withdrawn, aliases, summary, severity)
 *   affected(ecosystem, name, advisory, seq, data)  PRIMARY KEY in that order
 * `aliases` is a space-separated list; `severity` is a slsec_severity or
 * -1 when the advisory gives none we can read; `name` is normalised per
 * ecosystem (PEP 503 for PyPI) so lookups are one index probe; `data` is
 * the affected entry's `ranges` and `versions`, kept as compact JSON and
 * read only for the packages a scan actually has (match.c).
 *
 * An import is one transaction: an error that stops it (the index cannot
 * be written) rolls everything back, and the previous index stays usable.
 * Entries that cannot be read (a corrupt zip member, JSON that is not an
 * advisory) are warnings naming the source and entry; the rest goes on.
 * Re-importing replaces an advisory only when the new copy's `modified` is
 * later (RFC 3339 timestamps in UTC order as strings).
 *
 * Severity: a CVSS v3 vector in `severity[]` gives the base score (the
 * FIRST CVSS 3.1 formula, mapped to none/low/medium/high/critical as the
 * specification's rating scale does; "none" becomes info); otherwise
 * `database_specific.severity` (GitHub's LOW, MODERATE, HIGH, CRITICAL).
 */
#include "osvdb_internal.h"

#include "slsec/limits.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

/* One advisory file: far larger than any real one (the largest are a few
 * hundred KB), small enough to bound memory per entry. */
#define OSV_MAX_ENTRY_BYTES (16u * 1024u * 1024u)

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE IF NOT EXISTS advisories(id TEXT PRIMARY KEY, modified TEXT NOT NULL, withdrawn INTEGER "
    "NOT NULL, aliases TEXT NOT NULL, summary TEXT, severity INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS affected(ecosystem TEXT NOT NULL, name TEXT NOT NULL, advisory TEXT NOT NULL, "
    "seq INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY(ecosystem, name, advisory, seq)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS affected_adv ON affected(advisory);"
    "INSERT OR IGNORE INTO meta(key, value) VALUES('schema', '2');";

int slsec_osvdb_default_path(char *buf, size_t size)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (xdg && xdg[0] == '/')
        snprintf(buf, size, "%s/slsec/osv.db", xdg);
    else if (home && *home)
        snprintf(buf, size, "%s/.cache/slsec/osv.db", home);
    else
        return SLSEC_EUSAGE;
    return SLSEC_OK;
}

/* ---- severity ----------------------------------------------------------------------- */

static double roundup(double x)
{
    long i = lround(x * 100000.0);
    return i % 10000 == 0 ? (double)i / 100000.0 : (double)(i / 10000 + 1) / 10.0;
}

/* The CVSS 3.x base score of a vector, or -1 when it is not one. */
double osv_cvss3_score(const char *vec)
{
    if (!vec || strncmp(vec, "CVSS:3.", 7) != 0)
        return -1;
    double av = -1, ac = -1, pr = -1, ui = -1, c = -1, i = -1, a = -1;
    int scope = -1;
    char pr_letter = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", vec);
    char *save = NULL;
    for (char *t = strtok_r(buf, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
        char *colon = strchr(t, ':');
        if (!colon || !colon[1])
            continue;
        *colon = '\0';
        char v = colon[1];
        if (strcmp(t, "AV") == 0)
            av = v == 'N' ? 0.85 : v == 'A' ? 0.62 : v == 'L' ? 0.55 : v == 'P' ? 0.2 : -1;
        else if (strcmp(t, "AC") == 0)
            ac = v == 'L' ? 0.77 : v == 'H' ? 0.44 : -1;
        else if (strcmp(t, "PR") == 0)
            pr_letter = v;
        else if (strcmp(t, "UI") == 0)
            ui = v == 'N' ? 0.85 : v == 'R' ? 0.62 : -1;
        else if (strcmp(t, "S") == 0)
            scope = v == 'U' ? 0 : v == 'C' ? 1 : -1;
        else if (strcmp(t, "C") == 0 || strcmp(t, "I") == 0 || strcmp(t, "A") == 0) {
            double x = v == 'H' ? 0.56 : v == 'L' ? 0.22 : v == 'N' ? 0 : -1;
            if (t[0] == 'C')
                c = x;
            else if (t[0] == 'I')
                i = x;
            else
                a = x;
        }
    }
    if (scope < 0)
        return -1;
    pr = pr_letter == 'N' ? 0.85 : pr_letter == 'L' ? (scope ? 0.68 : 0.62) : pr_letter == 'H' ? (scope ? 0.5 : 0.27) : -1;
    if (av < 0 || ac < 0 || pr < 0 || ui < 0 || c < 0 || i < 0 || a < 0)
        return -1;
    double iss = 1 - (1 - c) * (1 - i) * (1 - a);
    double impact = scope ? 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15) : 6.42 * iss;
    double expl = 8.22 * av * ac * pr * ui;
    if (impact <= 0)
        return 0;
    double base = scope ? 1.08 * (impact + expl) : impact + expl;
    return roundup(base > 10 ? 10 : base);
}

static int severity_of_score(double s)
{
    return s >= 9.0 ? SLSEC_SEV_CRITICAL : s >= 7.0 ? SLSEC_SEV_HIGH : s >= 4.0 ? SLSEC_SEV_MEDIUM
           : s > 0 ? SLSEC_SEV_LOW : SLSEC_SEV_INFO;
}

static int advisory_severity(json_t *adv)
{
    json_t *sev = json_object_get(adv, "severity");
    double best = -1;
    for (size_t k = 0; json_is_array(sev) && k < json_array_size(sev); k++) {
        json_t *e = json_array_get(sev, k);
        const char *type = json_string_value(json_object_get(e, "type"));
        if (type && strcmp(type, "CVSS_V3") == 0) {
            double s = osv_cvss3_score(json_string_value(json_object_get(e, "score")));
            if (s > best)
                best = s;
        }
    }
    if (best >= 0)
        return severity_of_score(best);
    const char *ds = json_string_value(json_object_get(json_object_get(adv, "database_specific"), "severity"));
    if (ds) {
        if (strcasecmp(ds, "critical") == 0)
            return SLSEC_SEV_CRITICAL;
        if (strcasecmp(ds, "high") == 0)
            return SLSEC_SEV_HIGH;
        if (strcasecmp(ds, "moderate") == 0 || strcasecmp(ds, "medium") == 0)
            return SLSEC_SEV_MEDIUM;
        if (strcasecmp(ds, "low") == 0)
            return SLSEC_SEV_LOW;
    }
    return -1;
}

/* ---- the import ------------------------------------------------------------------------ */

typedef struct importer {
    sqlite3 *db;
    sqlite3_stmt *get, *del, *put, *aff;
    slsec_osvdb_import_stats *st;
    slsec_diags *warnings;
    slsec_arena *scratch;
    int fatal; /* an SQLite error: the import is rolled back */
    char fatal_msg[256];
} importer;

static void warn_entry(importer *im, const char *source, const char *entry, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void warn_entry(importer *im, const char *source, const char *entry, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (entry)
        slsec_diags_addf(im->warnings, SLSEC_DIAG_WARNING, source, 0, 0, "%s: %s; skipped", entry, msg);
    else
        slsec_diags_addf(im->warnings, SLSEC_DIAG_WARNING, source, 0, 0, "%s", msg);
}

static bool step_ok(importer *im, sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        return true;
    im->fatal = rc;
    snprintf(im->fatal_msg, sizeof im->fatal_msg, "%s", sqlite3_errmsg(im->db));
    return false;
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, i);
}

/* Stores one advisory (a parsed OSV object). */
static void import_advisory(importer *im, const char *source, const char *entry, json_t *adv)
{
    const char *id = json_string_value(json_object_get(adv, "id"));
    const char *modified = json_string_value(json_object_get(adv, "modified"));
    if (!id || !*id || !modified) {
        im->st->skipped++;
        warn_entry(im, source, entry, "not an OSV advisory (no \"id\" or \"modified\")");
        return;
    }
    sqlite3_bind_text(im->get, 1, id, -1, SQLITE_TRANSIENT);
    bool exists = false, newer = true;
    if (sqlite3_step(im->get) == SQLITE_ROW) {
        exists = true;
        const char *old = (const char *)sqlite3_column_text(im->get, 0);
        newer = !old || strcmp(modified, old) > 0;
    }
    sqlite3_reset(im->get);
    if (exists && !newer) {
        im->st->unchanged++;
        return;
    }
    slsec_buf aliases;
    slsec_buf_init(&aliases);
    json_t *al = json_object_get(adv, "aliases");
    for (size_t k = 0; json_is_array(al) && k < json_array_size(al); k++) {
        const char *a = json_string_value(json_array_get(al, k));
        if (a && *a && !strchr(a, ' ')) {
            if (aliases.len)
                slsec_buf_putc(&aliases, ' ');
            slsec_buf_puts(&aliases, a);
        }
    }
    bool withdrawn = json_string_value(json_object_get(adv, "withdrawn")) != NULL;
    if (exists) {
        sqlite3_bind_text(im->del, 1, id, -1, SQLITE_TRANSIENT);
        if (!step_ok(im, im->del))
            goto out;
    }
    sqlite3_bind_text(im->put, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(im->put, 2, modified, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(im->put, 3, withdrawn);
    sqlite3_bind_text(im->put, 4, aliases.data ? aliases.data : "", -1, SQLITE_TRANSIENT);
    bind_text(im->put, 5, json_string_value(json_object_get(adv, "summary")));
    sqlite3_bind_int(im->put, 6, advisory_severity(adv));
    if (!step_ok(im, im->put))
        goto out;
    json_t *affected = json_object_get(adv, "affected");
    for (size_t k = 0; json_is_array(affected) && k < json_array_size(affected); k++) {
        json_t *aff = json_array_get(affected, k);
        json_t *pkg = json_object_get(aff, "package");
        const char *eco = json_string_value(json_object_get(pkg, "ecosystem"));
        const char *name = json_string_value(json_object_get(pkg, "name"));
        if (!eco || !name)
            continue; /* git-only entries name no package */
        slsec_ecosystem e;
        if (slsec_ecosystem_parse(eco, &e))
            name = slsec_package_name_norm(im->scratch, e, name);
        json_t *data = json_object();
        json_t *ranges = json_object_get(aff, "ranges"), *versions = json_object_get(aff, "versions");
        if (ranges)
            json_object_set(data, "ranges", ranges);
        if (versions)
            json_object_set(data, "versions", versions);
        char *text = json_dumps(data, JSON_COMPACT);
        json_decref(data);
        if (!text)
            slsec_oom();
        sqlite3_bind_text(im->aff, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(im->aff, 2, eco, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(im->aff, 3, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(im->aff, 4, text, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(im->aff, 5, (sqlite3_int64)k);
        bool ok = step_ok(im, im->aff);
        free(text);
        if (!ok)
            goto out;
    }
    if (withdrawn)
        im->st->withdrawn++;
    if (exists)
        im->st->updated++;
    else
        im->st->added++;
out:
    slsec_buf_free(&aliases);
}

static void import_bytes(importer *im, const char *source, const char *entry, const char *data, size_t len)
{
    im->st->files++;
    json_error_t jerr;
    json_t *adv = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!adv) {
        im->st->skipped++;
        warn_entry(im, source, entry, "line %d column %d: %s", jerr.line, jerr.column, jerr.text);
        return;
    }
    if (!json_is_object(adv)) {
        im->st->skipped++;
        warn_entry(im, source, entry, "not an OSV advisory (expected a JSON object)");
    } else {
        import_advisory(im, source, entry, adv);
    }
    json_decref(adv);
}

static int import_zip(importer *im, const char *path)
{
    struct archive *ar = archive_read_new();
    archive_read_support_format_zip(ar);
    if (archive_read_open_filename(ar, path, 64 * 1024) != ARCHIVE_OK) {
        warn_entry(im, path, NULL, "cannot read the zip: %s; skipped", archive_error_string(ar));
        archive_read_free(ar);
        return SLSEC_EIO;
    }
    struct archive_entry *e;
    char *buf = NULL;
    size_t cap = 0;
    int r;
    while (!im->fatal && (r = archive_read_next_header(ar, &e)) != ARCHIVE_EOF) {
        if (r == ARCHIVE_FATAL) {
            warn_entry(im, path, NULL, "the zip is damaged after %zu entries: %s; the rest was not read",
                       im->st->files, archive_error_string(ar));
            break;
        }
        const char *name = archive_entry_pathname(e);
        if (!name || archive_entry_filetype(e) != AE_IFREG || !slsec_str_has_suffix(name, ".json"))
            continue;
        la_int64_t size = archive_entry_size_is_set(e) ? archive_entry_size(e) : -1;
        if (size > (la_int64_t)OSV_MAX_ENTRY_BYTES) {
            im->st->skipped++;
            warn_entry(im, path, name, "%lld bytes, over the %u byte limit for one advisory", (long long)size,
                       OSV_MAX_ENTRY_BYTES);
            continue;
        }
        size_t len = 0;
        bool bad = false;
        for (;;) {
            if (cap - len < 65536) {
                cap = cap ? cap * 2 : 262144;
                char *more = realloc(buf, cap);
                if (!more)
                    slsec_oom();
                buf = more;
            }
            la_ssize_t n = archive_read_data(ar, buf + len, cap - len);
            if (n < 0) {
                bad = true;
                break;
            }
            if (n == 0)
                break;
            len += (size_t)n;
            if (len > OSV_MAX_ENTRY_BYTES) {
                bad = true;
                break;
            }
        }
        if (bad) {
            im->st->files++;
            im->st->skipped++;
            warn_entry(im, path, name, "cannot be read (%s)",
                       archive_error_string(ar) ? archive_error_string(ar) : "over the size limit");
            continue;
        }
        import_bytes(im, path, name, buf, len);
    }
    free(buf);
    archive_read_free(ar);
    return SLSEC_OK;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void import_file(importer *im, const char *path, const char *shown)
{
    char *data;
    size_t len;
    slsec_diag d;
    if (slsec_read_file(path, OSV_MAX_ENTRY_BYTES, &data, &len, &d) != SLSEC_OK) {
        im->st->files++;
        im->st->skipped++;
        warn_entry(im, shown, NULL, "%s; skipped", d.message);
        return;
    }
    import_bytes(im, shown, NULL, data, len);
    free(data);
}

/* Every *.json under a folder, in name order; links are not followed. */
static void import_folder(importer *im, const char *path, int depth)
{
    if (depth > SLSEC_MAX_WALK_DEPTH)
        return;
    DIR *dir = opendir(path);
    if (!dir) {
        warn_entry(im, path, NULL, "cannot read folder: %s", strerror(errno));
        return;
    }
    slsec_ptrvec names = {0};
    struct dirent *de;
    while ((de = readdir(dir)) != NULL)
        if (de->d_name[0] != '.')
            slsec_ptrvec_push(im->scratch, &names, slsec_arena_strdup(im->scratch, de->d_name));
    closedir(dir);
    if (names.count > 1)
        qsort(names.items, names.count, sizeof *names.items, by_name);
    for (size_t i = 0; i < names.count && !im->fatal; i++) {
        char *child = slsec_arena_printf(im->scratch, "%s/%s", path, (const char *)names.items[i]);
        struct stat st;
        if (lstat(child, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            import_folder(im, child, depth + 1);
        else if (S_ISREG(st.st_mode) && slsec_str_has_suffix(child, ".json"))
            import_file(im, child, child);
    }
}

/* mkdir -p of the folder part of a path. */
static void make_parent(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(buf, 0700);
            *p = '/';
        }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int slsec_osvdb_import(const char *db_path, const char *const *sources, size_t count,
                       slsec_osvdb_import_stats *stats, slsec_diags *warnings, slsec_diag *err)
{
    double start = now();
    slsec_osvdb_import_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    for (size_t i = 0; i < count; i++) {
        struct stat st;
        if (stat(sources[i], &st) != 0) {
            slsec_diag_set(err, SLSEC_DIAG_ERROR, sources[i], 0, 0, "cannot read: %s", strerror(errno));
            return SLSEC_EIO;
        }
    }
    make_parent(db_path);
    importer im = {.st = stats, .warnings = warnings};
    if (sqlite3_open_v2(db_path, &im.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        slsec_diag_set(err, SLSEC_DIAG_ERROR, db_path, 0, 0, "cannot open the index: %s",
                       im.db ? sqlite3_errmsg(im.db) : "out of memory");
        sqlite3_close(im.db);
        return SLSEC_EIO;
    }
    sqlite3_busy_timeout(im.db, 5000);
    char *msg = NULL;
    int rc = SLSEC_OK;
    if (sqlite3_exec(im.db, "PRAGMA journal_mode=DELETE; PRAGMA cache_size=-131072; BEGIN IMMEDIATE;", NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(im.db, schema_sql, NULL, NULL, &msg) != SQLITE_OK) {
        slsec_diag_set(err, SLSEC_DIAG_ERROR, db_path, 0, 0, "cannot write the index: %s",
                       msg ? msg : sqlite3_errmsg(im.db));
        sqlite3_free(msg);
        sqlite3_close(im.db);
        return SLSEC_EIO;
    }
    const char *schema = NULL;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(im.db, "SELECT value FROM meta WHERE key='schema'", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        schema = (const char *)sqlite3_column_text(q, 0);
    if (!schema || strcmp(schema, "2") != 0) {
        slsec_diag_set(err, SLSEC_DIAG_ERROR, db_path, 0, 0,
                       "not an slsec advisory index (schema %s); remove it or choose another --db",
                       schema ? schema : "unknown");
        sqlite3_finalize(q);
        sqlite3_exec(im.db, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close(im.db);
        return SLSEC_EUSAGE;
    }
    sqlite3_finalize(q);
    if (sqlite3_prepare_v2(im.db, "SELECT modified FROM advisories WHERE id=?", -1, &im.get, NULL) ||
        sqlite3_prepare_v2(im.db, "DELETE FROM affected WHERE advisory=?", -1, &im.del, NULL) ||
        sqlite3_prepare_v2(im.db,
                           "INSERT OR REPLACE INTO advisories(id, modified, withdrawn, aliases, summary, severity) "
                           "VALUES(?,?,?,?,?,?)",
                           -1, &im.put, NULL) ||
        sqlite3_prepare_v2(im.db,
                           "INSERT OR REPLACE INTO affected(advisory, ecosystem, name, data, seq) VALUES(?,?,?,?,?)",
                           -1, &im.aff, NULL)) {
        im.fatal = 1;
        snprintf(im.fatal_msg, sizeof im.fatal_msg, "%s", sqlite3_errmsg(im.db));
    }
    for (size_t i = 0; i < count && !im.fatal; i++) {
        im.scratch = slsec_arena_new();
        struct stat st;
        stats->sources++;
        if (stat(sources[i], &st) == 0 && S_ISDIR(st.st_mode))
            import_folder(&im, sources[i], 0);
        else if (slsec_str_has_suffix(sources[i], ".zip") || slsec_str_has_suffix(sources[i], ".ZIP"))
            import_zip(&im, sources[i]);
        else
            import_file(&im, sources[i], sources[i]);
        slsec_arena_free(im.scratch);
        im.scratch = NULL;
    }
    sqlite3_finalize(im.get);
    sqlite3_finalize(im.del);
    sqlite3_finalize(im.put);
    sqlite3_finalize(im.aff);
    if (!im.fatal) {
        char when[64];
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        char *sql = sqlite3_mprintf("INSERT OR REPLACE INTO meta(key, value) VALUES('imported', %Q)", when);
        if (sqlite3_exec(im.db, sql, NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(im.db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
            im.fatal = 1;
            snprintf(im.fatal_msg, sizeof im.fatal_msg, "%s", msg ? msg : sqlite3_errmsg(im.db));
            sqlite3_free(msg);
        }
        sqlite3_free(sql);
    }
    if (im.fatal) {
        sqlite3_exec(im.db, "ROLLBACK", NULL, NULL, NULL);
        slsec_diag_set(err, SLSEC_DIAG_ERROR, db_path, 0, 0,
                       "cannot write the index: %s; nothing was imported, the previous index is unchanged",
                       im.fatal_msg);
        rc = SLSEC_EIO;
    }
    sqlite3_close(im.db);
    stats->seconds = now() - start;
    return rc;
}

/* ---- opening and status ---------------------------------------------------------------- */

int slsec_osvdb_open(const char *db_path, slsec_osvdb **out, slsec_diag *err)
{
    *out = NULL;
    struct stat st;
    if (stat(db_path, &st) != 0) {
        slsec_diag_set(err, SLSEC_DIAG_ERROR, db_path, 0, 0, "no advisory index here: %s", strerror(errno));
        return SLSEC_EIO;
    }
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        slsec_diag_set(err, SLSEC_DIAG_ERROR, db_path, 0, 0, "cannot open the advisory index: %s",
                       db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return SLSEC_EIO;
    }
    sqlite3_busy_timeout(db, 5000);
    /* Lookups touch pages all over the index: map it rather than copy
     * each page with pread (a third of a scan's time otherwise). */
    sqlite3_exec(db, "PRAGMA mmap_size=2147483648; PRAGMA cache_size=-65536;", NULL, NULL, NULL);
    sqlite3_stmt *q = NULL;
    bool ok = sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key='schema'", -1, &q, NULL) == SQLITE_OK &&
              sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) &&
              strcmp((const char *)sqlite3_column_text(q, 0), "2") == 0;
    sqlite3_finalize(q);
    slsec_osvdb *h = calloc(1, sizeof *h);
    if (!h)
        slsec_oom();
    h->db = db;
    if (!ok || sqlite3_prepare_v2(db,
                                  "SELECT a.id, a.aliases, a.summary, a.severity, f.data FROM affected f JOIN "
                                  "advisories a ON a.id = f.advisory WHERE f.ecosystem = ? AND f.name = ? AND "
                                  "a.withdrawn = 0 ORDER BY f.advisory, f.seq",
                                  -1, &h->lookup, NULL) != SQLITE_OK) {
        slsec_diag_set(err, SLSEC_DIAG_ERROR, db_path, 0, 0,
                       "not an slsec advisory index (build one with `slsec db import`)");
        slsec_osvdb_close(h);
        return SLSEC_EIO;
    }
    /* One read transaction for the handle's life: every lookup would
     * otherwise take and drop the file lock (fcntl, fstat) on its own. */
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    *out = h;
    return SLSEC_OK;
}

void slsec_osvdb_close(slsec_osvdb *db)
{
    if (!db)
        return;
    sqlite3_finalize(db->lookup);
    if (!sqlite3_get_autocommit(db->db))
        sqlite3_exec(db->db, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(db->db);
    free(db);
}

int slsec_osvdb_status(slsec_osvdb *db, slsec_arena *a, slsec_ptrvec *ecos, slsec_diag *err)
{
    sqlite3_stmt *q = NULL;
    const char *sql = "SELECT f.ecosystem, SUM(a.withdrawn = 0), SUM(a.withdrawn), MAX(a.modified) FROM "
                      "(SELECT DISTINCT advisory, ecosystem FROM affected) f JOIN advisories a ON a.id = "
                      "f.advisory GROUP BY f.ecosystem ORDER BY f.ecosystem";
    if (sqlite3_prepare_v2(db->db, sql, -1, &q, NULL) != SQLITE_OK) {
        slsec_diag_set(err, SLSEC_DIAG_ERROR, NULL, 0, 0, "cannot read the advisory index: %s",
                       sqlite3_errmsg(db->db));
        return SLSEC_EIO;
    }
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        slsec_osvdb_eco_status *s = slsec_arena_alloc(a, sizeof *s);
        s->ecosystem = slsec_arena_strdup(a, (const char *)sqlite3_column_text(q, 0));
        s->advisories = (size_t)sqlite3_column_int64(q, 1);
        s->withdrawn = (size_t)sqlite3_column_int64(q, 2);
        const char *newest = (const char *)sqlite3_column_text(q, 3);
        s->newest = slsec_arena_strdup(a, newest ? newest : "");
        slsec_ptrvec_push(a, ecos, s);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        slsec_diag_set(err, SLSEC_DIAG_ERROR, NULL, 0, 0, "cannot read the advisory index: %s",
                       sqlite3_errmsg(db->db));
        return SLSEC_EIO;
    }
    return SLSEC_OK;
}
