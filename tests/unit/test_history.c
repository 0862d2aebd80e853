/*
 * test_history.c — the history of scans (src/history/history.c): new /
 * fixed / still-open by fingerprint between consecutive runs of one root,
 * roots kept apart, time to fix, family counts, duplicates stored once;
 * the schema migrated from version 1 (for writing in place, for reading in
 * memory with the file untouched); a newer, a foreign and a corrupt file
 * refused without being modified; two processes recording into one file
 * at the same time; a writer killed mid-run leaving no partial run.
 */
#include "slsec/history.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

static void temp_path(char buf[64])
{
    snprintf(buf, 64, "/tmp/slsec-test-history-XXXXXX");
    int fd = mkstemp(buf);
    assert_true(fd >= 0);
    close(fd);
    unlink(buf); /* the history creates it */
}

/* Findings named by short keys: "a" → fingerprint "fp-a", rule "IAM-001". */
static int record(slsec_history *h, const char *root, int64_t when, const char *const *keys, size_t n)
{
    slsec_history_finding f[32];
    char fps[32][16];
    assert_true(n <= 32);
    for (size_t i = 0; i < n; i++) {
        snprintf(fps[i], sizeof fps[i], "fp-%s", keys[i]);
        f[i] = (slsec_history_finding){
            .fingerprint = fps[i],
            .rule_id = keys[i][0] < 'm' ? "IAM-001" : "DATA-006",
            .severity = keys[i][0] < 'm' ? SLSEC_SEV_HIGH : SLSEC_SEV_MEDIUM,
            .resource = keys[i],
            .file = "template.yaml",
            .line = 1,
            .col = 1,
        };
    }
    slsec_history_meta meta = {.time = when, .root = root, .commit = "0123456789abcdef", .branch = "main"};
    slsec_diag d = {0};
    int64_t id = 0;
    int rc = slsec_history_record(h, &meta, f, n, &id, &d);
    if (rc != SLSEC_OK)
        fail_msg("record failed: %s", d.message);
    return (int)id;
}

static slsec_history *open_write(const char *path)
{
    slsec_history *h = NULL;
    slsec_diag d = {0};
    int rc = slsec_history_open(path, SLSEC_HISTORY_WRITE, &h, &d);
    if (rc != SLSEC_OK)
        fail_msg("open failed: %s", d.message);
    return h;
}

static void expect_run(const slsec_history_run *r, size_t total, size_t fresh, size_t fixed, size_t open, bool first)
{
    assert_int_equal(r->total, total);
    assert_int_equal(r->new_count, fresh);
    assert_int_equal(r->fixed_count, fixed);
    assert_int_equal(r->open_count, open);
    assert_int_equal(r->first, first);
}

static void test_diff_between_runs(void **state)
{
    (void)state;
    char path[64];
    temp_path(path);
    slsec_history *h = open_write(path);
    assert_int_equal(slsec_history_schema(h), SLSEC_HISTORY_SCHEMA);
    const char *r1[] = {"a", "b", "x"};
    const char *r2[] = {"a", "x", "y", "z"};
    const char *r3[] = {"a", "b"};
    record(h, "/app", 1000, r1, 3);
    record(h, "/other", 1500, r3, 2); /* another root: must not disturb /app */
    int id2 = record(h, "/app", 2000, r2, 4);
    int id3 = record(h, "/app", 3000 + 86400, r3, 2);

    slsec_history_runs runs;
    slsec_diag d = {0};
    assert_int_equal(slsec_history_list(h, "/app", 0, &runs, &d), SLSEC_OK);
    assert_int_equal(runs.count, 3);
    expect_run(&runs.items[0], 3, 3, 0, 0, true);
    expect_run(&runs.items[1], 4, 2, 1, 2, false); /* y z new; b fixed; a x open */
    expect_run(&runs.items[2], 2, 1, 3, 1, false); /* b back (a new issue); x y z fixed; a open */
    assert_string_equal(runs.items[1].branch, "main");
    assert_int_equal(runs.items[1].counts[SLSEC_SEV_HIGH], 1);   /* a */
    assert_int_equal(runs.items[1].counts[SLSEC_SEV_MEDIUM], 3); /* x y z */
    slsec_history_runs_free(&runs);

    assert_int_equal(slsec_history_list(h, NULL, 2, &runs, &d), SLSEC_OK);
    assert_int_equal(runs.count, 2); /* the latest two, oldest first */
    assert_int_equal(runs.items[0].id, id2);
    assert_int_equal(runs.items[1].id, id3);
    slsec_history_runs_free(&runs);

    slsec_history_change *c = NULL;
    size_t n = 0;
    assert_int_equal(slsec_history_changes(h, id2, &c, &n, &d), SLSEC_OK);
    /* new y z, fixed b, open a x: sorted by state then fingerprint */
    const char *want[][2] = {{"0", "fp-y"}, {"0", "fp-z"}, {"1", "fp-b"}, {"2", "fp-a"}, {"2", "fp-x"}};
    assert_int_equal(n, 5);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal((int)c[i].state, want[i][0][0] - '0');
        assert_string_equal(c[i].fingerprint, want[i][1]);
    }
    assert_int_equal(c[2].fixed_time - c[2].first_time, 1000);
    slsec_history_changes_free(c, n);

    slsec_history_fixes fx;
    assert_int_equal(slsec_history_fix_times(h, "/app", &fx, &d), SLSEC_OK);
    /* high: b fixed after 1000 s; a still open, b reopened */
    assert_int_equal(fx.fixed[SLSEC_SEV_HIGH], 1);
    assert_true(fx.mean_seconds[SLSEC_SEV_HIGH] > 999.0 && fx.mean_seconds[SLSEC_SEV_HIGH] < 1001.0);
    assert_int_equal(fx.open[SLSEC_SEV_HIGH], 2);
    /* medium: x fixed after 2000 + 86400 s, y z after 1000 + 86400 s */
    assert_int_equal(fx.fixed[SLSEC_SEV_MEDIUM], 3);
    assert_int_equal(fx.open[SLSEC_SEV_MEDIUM], 0);

    slsec_history_family *fam = NULL;
    size_t nf = 0;
    assert_int_equal(slsec_history_families(h, id2, &fam, &nf, &d), SLSEC_OK);
    assert_int_equal(nf, 2);
    assert_string_equal(fam[0].family, "DATA");
    assert_int_equal(fam[0].count, 3);
    assert_string_equal(fam[1].family, "IAM");
    assert_int_equal(fam[1].count, 1);
    free(fam);
    slsec_history_close(h);
    unlink(path);
}

static void test_duplicates_stored_once(void **state)
{
    (void)state;
    char path[64];
    temp_path(path);
    slsec_history *h = open_write(path);
    const char *keys[] = {"a", "a", "b"};
    record(h, "/app", 10, keys, 3);
    slsec_history_runs runs;
    slsec_diag d = {0};
    assert_int_equal(slsec_history_list(h, NULL, 0, &runs, &d), SLSEC_OK);
    expect_run(&runs.items[0], 2, 2, 0, 0, true);
    slsec_history_runs_free(&runs);
    slsec_history_close(h);
    unlink(path);
}

static void sql(const char *path, const char *text)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *err = NULL;
    if (sqlite3_exec(db, text, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("sql: %s", err);
    sqlite3_close(db);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *len = (size_t)n;
    return buf;
}

/* A file exactly as schema version 1 wrote it: two runs of one root. */
static void make_v1(const char *path)
{
    sql(path,
        "CREATE TABLE runs(id INTEGER PRIMARY KEY, time INTEGER NOT NULL, root TEXT NOT NULL, commit_id TEXT,"
        " branch TEXT, tool_version TEXT NOT NULL, catalogue TEXT NOT NULL, info INTEGER NOT NULL,"
        " low INTEGER NOT NULL, medium INTEGER NOT NULL, high INTEGER NOT NULL, critical INTEGER NOT NULL);"
        "CREATE TABLE findings(run_id INTEGER NOT NULL, fingerprint TEXT NOT NULL, rule_id TEXT NOT NULL,"
        " severity INTEGER NOT NULL, resource TEXT, file TEXT, line INTEGER, col INTEGER, message TEXT,"
        " PRIMARY KEY(run_id, fingerprint)) WITHOUT ROWID;"
        "INSERT INTO runs VALUES(1, 100, '/app', NULL, NULL, '0.0.9', 'x', 0, 0, 0, 2, 0);"
        "INSERT INTO runs VALUES(2, 200, '/app', NULL, NULL, '0.0.9', 'x', 0, 0, 0, 1, 0);"
        "INSERT INTO findings VALUES(1, 'fp-a', 'IAM-001', 3, 'A', 't.yaml', 1, 1, 'm');"
        "INSERT INTO findings VALUES(1, 'fp-b', 'IAM-002', 3, 'B', 't.yaml', 2, 1, 'm');"
        "INSERT INTO findings VALUES(2, 'fp-b', 'IAM-002', 3, 'B', 't.yaml', 2, 1, 'm');"
        "PRAGMA application_id=1936487267; PRAGMA user_version=1;");
}

static void check_v1_runs(slsec_history *h)
{
    slsec_history_runs runs;
    slsec_diag d = {0};
    assert_int_equal(slsec_history_list(h, NULL, 0, &runs, &d), SLSEC_OK);
    assert_int_equal(runs.count, 2);
    expect_run(&runs.items[0], 2, 2, 0, 0, true);
    expect_run(&runs.items[1], 1, 0, 1, 1, false);
    slsec_history_runs_free(&runs);
}

static void test_migration_from_v1(void **state)
{
    (void)state;
    char path[64];
    temp_path(path);
    make_v1(path);

    /* Reading: migrated in memory, the file left exactly as it was. */
    size_t before_len, after_len;
    char *before = slurp(path, &before_len);
    slsec_history *h = NULL;
    slsec_diag d = {0};
    assert_int_equal(slsec_history_open(path, SLSEC_HISTORY_READ, &h, &d), SLSEC_OK);
    assert_int_equal(slsec_history_schema(h), 1);
    check_v1_runs(h);
    slsec_history_close(h);
    char *after = slurp(path, &after_len);
    assert_int_equal(before_len, after_len);
    assert_memory_equal(before, after, before_len);
    free(before);
    free(after);

    /* Writing: migrated in place, old runs kept, new runs compared with them. */
    h = open_write(path);
    assert_int_equal(slsec_history_schema(h), SLSEC_HISTORY_SCHEMA);
    check_v1_runs(h);
    const char *keys[] = {"b", "c"};
    record(h, "/app", 300, keys, 2);
    slsec_history_runs runs;
    assert_int_equal(slsec_history_list(h, NULL, 0, &runs, &d), SLSEC_OK);
    assert_int_equal(runs.count, 3);
    /* fp-b of version 1 and "b" here differ (fp-b vs fp-b): same fingerprint */
    expect_run(&runs.items[2], 2, 1, 0, 1, false);
    slsec_history_runs_free(&runs);
    slsec_history_close(h);
    unlink(path);
}

static void expect_refused(const char *path, int mode, int want, const char *words)
{
    size_t before_len, after_len;
    char *before = slurp(path, &before_len);
    slsec_history *h = (slsec_history *)1;
    slsec_diag d = {0};
    assert_int_equal(slsec_history_open(path, mode, &h, &d), want);
    assert_null(h);
    if (!strstr(d.message, words))
        fail_msg("message '%s' lacks '%s'", d.message, words);
    assert_string_equal(d.file, path);
    char *after = slurp(path, &after_len);
    assert_int_equal(before_len, after_len);
    assert_memory_equal(before, after, before_len);
    free(before);
    free(after);
}

static void test_newer_schema_refused(void **state)
{
    (void)state;
    char path[64];
    temp_path(path);
    sql(path, "CREATE TABLE runs(id INTEGER PRIMARY KEY, future TEXT);"
              "PRAGMA application_id=1936487267; PRAGMA user_version=99;");
    expect_refused(path, SLSEC_HISTORY_WRITE, SLSEC_EUSAGE, "newer slsec");
    expect_refused(path, SLSEC_HISTORY_READ, SLSEC_EUSAGE, "schema version 99");
    unlink(path);
}

static void test_foreign_and_corrupt_refused(void **state)
{
    (void)state;
    char path[64];
    temp_path(path);
    sql(path, "CREATE TABLE notes(t TEXT);");
    expect_refused(path, SLSEC_HISTORY_WRITE, SLSEC_EPARSE, "not a slsec history");
    unlink(path);

    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    for (int i = 0; i < 4096; i++)
        fputc((i * 7919) & 0xff, fp);
    fclose(fp);
    expect_refused(path, SLSEC_HISTORY_WRITE, SLSEC_EPARSE, "corrupt");
    expect_refused(path, SLSEC_HISTORY_READ, SLSEC_EPARSE, "corrupt");
    unlink(path);

    /* A real history whose pages were damaged after the header. */
    slsec_history *h = open_write(path);
    const char *keys[] = {"a", "b", "c"};
    for (int i = 0; i < 20; i++)
        record(h, "/app", i, keys, 3);
    slsec_history_close(h);
    fp = fopen(path, "r+b");
    assert_non_null(fp);
    fseek(fp, 4096, SEEK_SET);
    for (int i = 0; i < 8192; i++)
        fputc(0xA5, fp);
    fclose(fp);
    slsec_diag d = {0};
    h = NULL;
    int rc = slsec_history_open(path, SLSEC_HISTORY_READ, &h, &d);
    if (rc == SLSEC_OK) {
        slsec_history_runs runs;
        rc = slsec_history_list(h, NULL, 0, &runs, &d);
        slsec_history_close(h);
        if (rc == SLSEC_OK)
            slsec_history_runs_free(&runs);
    }
    assert_int_equal(rc, SLSEC_EPARSE);
    assert_non_null(strstr(d.message, "corrupt"));
    unlink(path);

    /* Missing file, read-only: a clear error, no file made. */
    d = (slsec_diag){0};
    assert_int_equal(slsec_history_open(path, SLSEC_HISTORY_READ, &h, &d), SLSEC_EIO);
    assert_non_null(strstr(d.message, "scan --history"));
    struct stat st;
    assert_int_not_equal(stat(path, &st), 0);
}

static void test_read_only_cannot_record(void **state)
{
    (void)state;
    char path[64];
    temp_path(path);
    slsec_history *h = open_write(path);
    slsec_history_close(h);
    slsec_diag d = {0};
    assert_int_equal(slsec_history_open(path, SLSEC_HISTORY_READ, &h, &d), SLSEC_OK);
    slsec_history_meta meta = {.time = 1, .root = "/app"};
    assert_int_equal(slsec_history_record(h, &meta, NULL, 0, NULL, &d), SLSEC_EUSAGE);
    slsec_history_close(h);
    unlink(path);
}

/* Two processes record 25 runs each into one file at once. Each run of a
 * root must be compared with the run that really preceded it, whichever
 * process wrote that: new + open = this run's findings, and
 * fixed + open = the previous run's. */
static void test_two_writers(void **state)
{
    (void)state;
    char path[64];
    temp_path(path);
    slsec_history_close(open_write(path));
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        assert_true(kids[k] >= 0);
        if (kids[k] == 0) {
            slsec_history *h = NULL;
            slsec_diag d = {0};
            if (slsec_history_open(path, SLSEC_HISTORY_WRITE, &h, &d) != SLSEC_OK)
                _exit(10);
            static const char *const pool[] = {"a", "b", "c", "d", "n", "o", "p", "q"};
            for (int i = 0; i < 25; i++) {
                const char *keys[8];
                size_t n = 0;
                for (size_t j = 0; j < 8; j++)
                    if (((size_t)(i + k * 3) >> (j % 4)) & 1)
                        keys[n++] = pool[j];
                slsec_history_finding f[8];
                char fps[8][16];
                for (size_t j = 0; j < n; j++) {
                    snprintf(fps[j], sizeof fps[j], "fp-%s", keys[j]);
                    f[j] = (slsec_history_finding){.fingerprint = fps[j], .rule_id = "FN-001",
                                                   .severity = SLSEC_SEV_LOW};
                }
                slsec_history_meta meta = {.time = i, .root = "/shared"};
                if (slsec_history_record(h, &meta, f, n, NULL, &d) != SLSEC_OK)
                    _exit(11);
            }
            slsec_history_close(h);
            _exit(0);
        }
    }
    for (int k = 0; k < 2; k++) {
        int status = 0;
        assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    slsec_history *h = NULL;
    slsec_diag d = {0};
    assert_int_equal(slsec_history_open(path, SLSEC_HISTORY_READ, &h, &d), SLSEC_OK);
    slsec_history_runs runs;
    assert_int_equal(slsec_history_list(h, "/shared", 0, &runs, &d), SLSEC_OK);
    assert_int_equal(runs.count, 50);
    for (size_t i = 0; i < runs.count; i++) {
        const slsec_history_run *x = &runs.items[i];
        assert_int_equal(x->new_count + x->open_count, x->total);
        if (i == 0)
            assert_true(x->first);
        else
            assert_int_equal(x->fixed_count + x->open_count, runs.items[i - 1].total);
    }
    slsec_history_runs_free(&runs);
    slsec_history_close(h);
    unlink(path);
}

/* A writer killed in the middle of recording leaves no partial run: the
 * run is either all there (the kill came after COMMIT) or absent. The kill
 * lands at whatever point the writer reached; either outcome passes, a
 * half-written run fails. */
static void test_killed_writer(void **state)
{
    (void)state;
    char path[64];
    temp_path(path);
    slsec_history_close(open_write(path));
    enum { MANY = 60000 };
    int ready[2];
    assert_int_equal(pipe(ready), 0);
    pid_t kid = fork();
    assert_true(kid >= 0);
    if (kid == 0) {
        close(ready[0]);
        slsec_history *h = NULL;
        slsec_diag d = {0};
        if (slsec_history_open(path, SLSEC_HISTORY_WRITE, &h, &d) != SLSEC_OK)
            _exit(10);
        slsec_history_finding *f = calloc(MANY, sizeof *f);
        char (*fps)[24] = calloc(MANY, sizeof *fps);
        if (!f || !fps)
            _exit(11);
        for (int i = 0; i < MANY; i++) {
            snprintf(fps[i], sizeof fps[i], "fp-%d", i);
            f[i] = (slsec_history_finding){.fingerprint = fps[i], .rule_id = "NET-001", .severity = SLSEC_SEV_HIGH};
        }
        slsec_history_meta meta = {.time = 1, .root = "/killed"};
        if (write(ready[1], "x", 1) != 1)
            _exit(12);
        slsec_history_record(h, &meta, f, MANY, NULL, &d);
        _exit(0);
    }
    close(ready[1]);
    char c;
    assert_int_equal(read(ready[0], &c, 1), 1);
    close(ready[0]);
    usleep(20000);
    kill(kid, SIGKILL);
    waitpid(kid, NULL, 0);

    slsec_history *h = open_write(path); /* a hot journal is rolled back here */
    slsec_history_runs runs;
    slsec_diag d = {0};
    assert_int_equal(slsec_history_list(h, NULL, 0, &runs, &d), SLSEC_OK);
    assert_true(runs.count <= 1);
    if (runs.count == 1) {
        assert_int_equal(runs.items[0].total, MANY);
        assert_int_equal(runs.items[0].new_count, MANY);
    }
    slsec_history_runs_free(&runs);
    /* and the file takes the next run normally */
    const char *keys[] = {"a"};
    record(h, "/killed", 2, keys, 1);
    slsec_history_close(h);
    unlink(path);
    char journal[80];
    snprintf(journal, sizeof journal, "%s-journal", path);
    unlink(journal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diff_between_runs),
        cmocka_unit_test(test_duplicates_stored_once),
        cmocka_unit_test(test_migration_from_v1),
        cmocka_unit_test(test_newer_schema_refused),
        cmocka_unit_test(test_foreign_and_corrupt_refused),
        cmocka_unit_test(test_read_only_cannot_record),
        cmocka_unit_test(test_two_writers),
        cmocka_unit_test(test_killed_writer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
