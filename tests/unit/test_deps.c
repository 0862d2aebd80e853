/*
 * test_deps.c — the OSV index and matching (src/deps): import of the
 * fixture folder (tests/fixtures/deps/osv) and of a zip built from it,
 * incremental and atomic re-import, status, and exact matches at the
 * boundaries (the fixed version itself is not affected, last_affected is,
 * pre-releases, withdrawn advisories never match, aliases merged, PEP 503
 * names, explicit version lists, unknown range types), CVSS v3 scores,
 * and the scan's dependency pass with and without an index.
 *
 * Every index lives in a fresh mkdtemp folder: never the user's cache.
 */
#include "slsec/deps.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#define OSV SLSEC_SOURCE_DIR "/tests/fixtures/deps/osv"

double osv_cvss3_score(const char *vector); /* src/deps/osvdb.c, internal */

typedef struct fixture {
    char dir[64];
    char db[128];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/slsec-test-deps-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/sub/osv.db", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void import_ok(const char *db, const char *source, slsec_osvdb_import_stats *st, size_t want_warnings)
{
    slsec_diags w = {0};
    slsec_diag err = {0};
    const char *sources[] = {source};
    int rc = slsec_osvdb_import(db, sources, 1, st, &w, &err);
    if (rc != SLSEC_OK)
        fprintf(stderr, "import: %s\n", err.message);
    assert_int_equal(rc, SLSEC_OK);
    for (size_t i = 0; w.count != want_warnings && i < w.count; i++)
        fprintf(stderr, "warning: %s: %s\n", w.items[i].file, w.items[i].message);
    assert_int_equal(w.count, want_warnings);
    slsec_diags_clear(&w);
}

/* The matches of one package, as "ID [aliases] sev fixed..." lines. */
static char *match(const char *db_path, slsec_ecosystem eco, const char *name, const char *version,
                   size_t *warnings)
{
    slsec_osvdb *db = NULL;
    slsec_diag err;
    assert_int_equal(slsec_osvdb_open(db_path, &db, &err), SLSEC_OK);
    slsec_arena *a = slsec_arena_new();
    slsec_package pkg = {.eco = eco, .name = name, .version = version, .loc = {"lock", 1, 1}};
    slsec_ptrvec vulns = {0};
    slsec_diags w = {0};
    slsec_osvdb_match(db, a, &pkg, &vulns, &w);
    slsec_buf b;
    slsec_buf_init(&b);
    for (size_t i = 0; i < vulns.count; i++) {
        const slsec_vuln *v = vulns.items[i];
        slsec_buf_printf(&b, "%s [", v->id);
        for (size_t k = 0; k < v->aliases.count; k++)
            slsec_buf_printf(&b, "%s%s", k ? " " : "", (const char *)v->aliases.items[k]);
        slsec_buf_printf(&b, "] %s", v->severity_known ? slsec_severity_name(v->severity) : "unknown");
        for (size_t k = 0; k < v->fixed.count; k++)
            slsec_buf_printf(&b, " %s", (const char *)v->fixed.items[k]);
        slsec_buf_putc(&b, '\n');
    }
    slsec_buf_putc(&b, '\0');
    if (warnings)
        *warnings = w.count;
    slsec_diags_clear(&w);
    slsec_arena_free(a);
    slsec_osvdb_close(db);
    return b.data;
}

static void expect_match(const char *db, slsec_ecosystem eco, const char *name, const char *version,
                         const char *expected)
{
    char *got = match(db, eco, name, version, NULL);
    if (strcmp(got, expected) != 0)
        fprintf(stderr, "%s %s: expected '%s', got '%s'\n", name, version, expected, got);
    assert_string_equal(got, expected);
    free(got);
}

static void import_folder_and_match(void **state)
{
    fixture *f = *state;
    slsec_osvdb_import_stats st;
    import_ok(f->db, OSV, &st, 1); /* broken.json */
    assert_int_equal(st.files, 15);
    assert_int_equal(st.added, 14);
    assert_int_equal(st.withdrawn, 1);
    assert_int_equal(st.skipped, 1);

    const char *db = f->db;
    /* ranges: introduced 0, fixed 4.17.21; introduced 3.7.0, fixed 4.17.19 */
    expect_match(db, SLSEC_ECO_NPM, "lodash", "4.17.20", "GHSA-35jh-r3h4-6jhm [CVE-2021-23337] high 4.17.21\n");
    expect_match(db, SLSEC_ECO_NPM, "lodash", "4.17.21", ""); /* the fixed version is not affected */
    expect_match(db, SLSEC_ECO_NPM, "lodash", "4.17.18",
                 "GHSA-35jh-r3h4-6jhm [CVE-2021-23337] high 4.17.21\n"
                 "GHSA-p6mc-m468-83gw [CVE-2020-8203] high 4.17.19\n");
    expect_match(db, SLSEC_ECO_NPM, "lodash", "3.6.9", "GHSA-35jh-r3h4-6jhm [CVE-2021-23337] high 4.17.21\n");
    expect_match(db, SLSEC_ECO_NPM, "lodash", "3.7.0",
                 "GHSA-35jh-r3h4-6jhm [CVE-2021-23337] high 4.17.21\n"
                 "GHSA-p6mc-m468-83gw [CVE-2020-8203] high 4.17.19\n");
    /* pre-releases: 4.17.21-beta.1 precedes the fix */
    expect_match(db, SLSEC_ECO_NPM, "lodash", "4.17.21-beta.1",
                 "GHSA-35jh-r3h4-6jhm [CVE-2021-23337] high 4.17.21\n");
    /* two affected entries, two ranges; critical from the CVSS vector */
    expect_match(db, SLSEC_ECO_NPM, "minimist", "0.0.8", "GHSA-xvch-5gv4-984h [CVE-2021-44906] critical 0.2.4\n");
    expect_match(db, SLSEC_ECO_NPM, "minimist", "0.2.4", "");
    expect_match(db, SLSEC_ECO_NPM, "minimist", "1.2.5", "GHSA-xvch-5gv4-984h [CVE-2021-44906] critical 1.2.6\n");
    expect_match(db, SLSEC_ECO_NPM, "minimist", "1.2.6", "");
    /* last_affected is affected; after it nothing is */
    expect_match(db, SLSEC_ECO_NPM, "slsec-test-pre", "2.0.0-beta.1", "");
    expect_match(db, SLSEC_ECO_NPM, "slsec-test-pre", "2.0.0-beta.2", "SLSEC-TEST-0002 [] low\n");
    expect_match(db, SLSEC_ECO_NPM, "slsec-test-pre", "2.0.0-rc.1", "SLSEC-TEST-0002 [] low\n");
    expect_match(db, SLSEC_ECO_NPM, "slsec-test-pre", "2.0.0-rc.2", "");
    expect_match(db, SLSEC_ECO_NPM, "slsec-test-pre", "2.0.0", "");
    /* aliases merged: GHSA and PYSEC name each other */
    expect_match(db, SLSEC_ECO_PYPI, "requests", "2.30.0",
                 "GHSA-j8r2-6x86-q33q [CVE-2023-32681 PYSEC-2023-74] medium 2.31.0\n");
    expect_match(db, SLSEC_ECO_PYPI, "Requests", "2.3", /* PEP 440: 2.3 == 2.3.0 */
                 "GHSA-j8r2-6x86-q33q [CVE-2023-32681 PYSEC-2023-74] medium 2.31.0\n");
    expect_match(db, SLSEC_ECO_PYPI, "requests", "2.31.0", "");
    expect_match(db, SLSEC_ECO_PYPI, "requests", "2.2.1", "");
    expect_match(db, SLSEC_ECO_PYPI, "requests", "2.31.0rc1",
                 "GHSA-j8r2-6x86-q33q [CVE-2023-32681 PYSEC-2023-74] medium 2.31.0\n");
    /* PEP 503 names, explicit versions, an unknown range type warned about */
    size_t warnings = 0;
    char *got = match(db, SLSEC_ECO_PYPI, "slsec-test-pkg", "1.0", &warnings);
    assert_string_equal(got, "SLSEC-TEST-0003 [] unknown\n");
    assert_int_equal(warnings, 1);
    free(got);
    expect_match(db, SLSEC_ECO_PYPI, "SLSEC.test__pkg", "1.0.1", "");
    /* Go with its v prefix, crates with two stretches */
    expect_match(db, SLSEC_ECO_GO, "golang.org/x/text", "v0.3.2",
                 "GO-2020-0015 [CVE-2020-14040 GHSA-5rcv-m4m3-hfh7] unknown 0.3.3\n");
    expect_match(db, SLSEC_ECO_GO, "golang.org/x/text", "v0.3.3", "");
    expect_match(db, SLSEC_ECO_CRATES, "smallvec", "0.6.13",
                 "RUSTSEC-2021-0003 [CVE-2021-25900 GHSA-43w2-9j62-hq99] unknown 0.6.14\n");
    expect_match(db, SLSEC_ECO_CRATES, "smallvec", "0.6.14", "");
    expect_match(db, SLSEC_ECO_CRATES, "smallvec", "1.6.0",
                 "RUSTSEC-2021-0003 [CVE-2021-25900 GHSA-43w2-9j62-hq99] unknown 1.6.1\n");
    /* RubyGems: four segments, the fixed version itself not affected */
    expect_match(db, SLSEC_ECO_RUBYGEMS, "rack", "2.2.3", "GHSA-wq4h-7r42-5hrr [CVE-2022-30122] high 2.2.3.1\n");
    expect_match(db, SLSEC_ECO_RUBYGEMS, "rack", "2.2.3.1", "");
    expect_match(db, SLSEC_ECO_RUBYGEMS, "rack", "2.2.4.rc1", "");
    expect_match(db, SLSEC_ECO_RUBYGEMS, "nokogiri", "1.13.9.rc1",
                 "GHSA-2qc6-mcvw-92cw [CVE-2022-40303] high 1.13.9\n");
    expect_match(db, SLSEC_ECO_RUBYGEMS, "nokogiri", "1.13.9", "");
    /* Maven: two stretches, a pre-release qualifier as the lower bound */
    expect_match(db, SLSEC_ECO_MAVEN, "org.apache.logging.log4j:log4j-core", "2.14.1",
                 "GHSA-jfh8-c2jp-5v3q [CVE-2021-44228] critical 2.15.0\n");
    expect_match(db, SLSEC_ECO_MAVEN, "org.apache.logging.log4j:log4j-core", "2.0-beta9",
                 "GHSA-jfh8-c2jp-5v3q [CVE-2021-44228] critical 2.12.2\n");
    expect_match(db, SLSEC_ECO_MAVEN, "org.apache.logging.log4j:log4j-core", "2.0-beta8", "");
    expect_match(db, SLSEC_ECO_MAVEN, "org.apache.logging.log4j:log4j-core", "2.12.2", "");
    expect_match(db, SLSEC_ECO_MAVEN, "org.apache.logging.log4j:log4j-core", "2.15.0", "");
    /* Packagist: a 'v' prefix and case in names do not matter */
    expect_match(db, SLSEC_ECO_PACKAGIST, "guzzlehttp/guzzle", "7.4.2",
                 "GHSA-w248-ffj2-4v5q [CVE-2022-29248] high 7.4.3\n");
    expect_match(db, SLSEC_ECO_PACKAGIST, "GuzzleHttp/Guzzle", "v6.5.5",
                 "GHSA-w248-ffj2-4v5q [CVE-2022-29248] high 6.5.6\n");
    expect_match(db, SLSEC_ECO_PACKAGIST, "guzzlehttp/guzzle", "7.4.3", "");
    expect_match(db, SLSEC_ECO_PACKAGIST, "guzzlehttp/guzzle", "6.5.6", "");
    /* an unreadable installed version is a warning, not a match */
    got = match(db, SLSEC_ECO_NPM, "lodash", "latest", &warnings);
    assert_string_equal(got, "");
    assert_int_equal(warnings, 1);
    free(got);

    /* status: the withdrawn advisory is counted apart */
    slsec_osvdb *h;
    slsec_diag err;
    assert_int_equal(slsec_osvdb_open(db, &h, &err), SLSEC_OK);
    slsec_arena *a = slsec_arena_new();
    slsec_ptrvec ecos = {0};
    assert_int_equal(slsec_osvdb_status(h, a, &ecos, &err), SLSEC_OK);
    assert_int_equal(ecos.count, 7);
    const slsec_osvdb_eco_status *npm = ecos.items[6];
    assert_string_equal(npm->ecosystem, "npm");
    assert_int_equal(npm->advisories, 4);
    assert_int_equal(npm->withdrawn, 1);
    assert_string_equal(npm->newest, "2024-02-16T08:20:00Z");
    slsec_arena_free(a);
    slsec_osvdb_close(h);
}

/* ---- zips -------------------------------------------------------------------------------- */

static void zip_add(struct archive *ar, const char *name, const char *data, size_t len)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, name);
    archive_entry_set_size(e, (la_int64_t)len);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    assert_int_equal(archive_write_header(ar, e), ARCHIVE_OK);
    assert_int_equal(archive_write_data(ar, data, len), (la_ssize_t)len);
    archive_entry_free(e);
}

static void zip_of_fixture(const char *zip, const char *const *files, size_t n, const char *modified_override)
{
    struct archive *ar = archive_write_new();
    archive_write_set_format_zip(ar);
    assert_int_equal(archive_write_open_filename(ar, zip), ARCHIVE_OK);
    for (size_t i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, OSV "/%s", files[i]);
        char *data;
        size_t len;
        slsec_diag d;
        assert_int_equal(slsec_read_file(path, 1 << 20, &data, &len, &d), SLSEC_OK);
        if (modified_override) {
            /* a newer copy: same advisory, later modified date, fixed moved */
            char *m = strstr(data, "\"modified\": \"");
            assert_non_null(m);
            memcpy(m + 13, modified_override, strlen(modified_override));
        }
        const char *base = strrchr(files[i], '/');
        zip_add(ar, base ? base + 1 : files[i], data, len);
        free(data);
    }
    archive_write_close(ar);
    archive_write_free(ar);
}

static void import_zip_incremental(void **state)
{
    fixture *f = *state;
    char zip[256];
    snprintf(zip, sizeof zip, "%s/npm-all.zip", f->dir);
    const char *files[] = {"npm/GHSA-35jh-r3h4-6jhm.json", "npm/GHSA-xvch-5gv4-984h.json"};
    zip_of_fixture(zip, files, 2, NULL);
    slsec_osvdb_import_stats st;
    import_ok(f->db, zip, &st, 0);
    assert_int_equal(st.added, 2);
    import_ok(f->db, zip, &st, 0);
    assert_int_equal(st.added, 0);
    assert_int_equal(st.unchanged, 2);
    /* a newer export replaces what changed, and only that */
    zip_of_fixture(zip, files, 1, "2030-01-01T00:00:00Z");
    import_ok(f->db, zip, &st, 0);
    assert_int_equal(st.updated, 1);
    assert_int_equal(st.unchanged, 0);
    expect_match(f->db, SLSEC_ECO_NPM, "lodash", "4.17.20", "GHSA-35jh-r3h4-6jhm [CVE-2021-23337] high 4.17.21\n");
}

static void corrupt_zip(void **state)
{
    fixture *f = *state;
    char zip[256];
    snprintf(zip, sizeof zip, "%s/bad.zip", f->dir);
    const char *files[] = {"npm/GHSA-35jh-r3h4-6jhm.json", "npm/GHSA-xvch-5gv4-984h.json"};
    zip_of_fixture(zip, files, 2, NULL);
    /* damage the compressed bytes of the first member */
    FILE *fp = fopen(zip, "r+b");
    assert_non_null(fp);
    fseek(fp, 80, SEEK_SET);
    fputs("\xff\xff\xff\xff\xff\xff\xff\xff", fp);
    fclose(fp);
    slsec_diags w = {0};
    slsec_diag err = {0};
    slsec_osvdb_import_stats st;
    const char *sources[] = {zip};
    assert_int_equal(slsec_osvdb_import(f->db, sources, 1, &st, &w, &err), SLSEC_OK);
    assert_true(w.count >= 1);
    assert_non_null(strstr(w.items[0].file, "bad.zip"));
    assert_true(st.skipped >= 1);
    slsec_diags_clear(&w);
    /* not a zip at all */
    FILE *junk = fopen(zip, "wb");
    assert_non_null(junk);
    fputs("not a zip", junk);
    fclose(junk);
    assert_int_equal(slsec_osvdb_import(f->db, sources, 1, &st, &w, &err), SLSEC_OK);
    assert_int_equal(w.count, 1);
    slsec_diags_clear(&w);
}

/* A failed import (the index is not writable) leaves the old one intact. */
static void atomic_import(void **state)
{
    fixture *f = *state;
    slsec_osvdb_import_stats st;
    import_ok(f->db, OSV "/npm", &st, 0);
    /* an index that is not ours is refused, and not changed */
    char other[256];
    snprintf(other, sizeof other, "%s/other.db", f->dir);
    FILE *fp = fopen(other, "wb");
    assert_non_null(fp);
    fputs("SQLite format 3", fp);
    fclose(fp);
    slsec_diags w = {0};
    slsec_diag err = {0};
    const char *sources[] = {OSV};
    assert_int_not_equal(slsec_osvdb_import(other, sources, 1, &st, &w, &err), SLSEC_OK);
    slsec_diags_clear(&w);
    /* a source that does not exist: an error before anything is written */
    const char *missing[] = {OSV "/npm", "/nonexistent/osv.zip"};
    assert_int_equal(slsec_osvdb_import(f->db, missing, 2, &st, &w, &err), SLSEC_EIO);
    assert_non_null(strstr(err.file, "nonexistent"));
    expect_match(f->db, SLSEC_ECO_PYPI, "requests", "2.30.0", "");
    expect_match(f->db, SLSEC_ECO_NPM, "lodash", "4.17.21", "");
    expect_match(f->db, SLSEC_ECO_NPM, "minimist", "1.2.5", "GHSA-xvch-5gv4-984h [CVE-2021-44906] critical 1.2.6\n");
    slsec_osvdb *h;
    assert_int_equal(slsec_osvdb_open(other, &h, &err), SLSEC_EIO);
    assert_null(h);
    assert_int_equal(slsec_osvdb_open("/nonexistent/osv.db", &h, &err), SLSEC_EIO);
}

static void cvss(void **state)
{
    (void)state;
    /* scores from the CVSS 3.1 calculator's examples */
    assert_true(osv_cvss3_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H") == 9.8);
    assert_true(osv_cvss3_score("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H") == 7.2);
    assert_true(osv_cvss3_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N") == 6.1);
    assert_true(osv_cvss3_score("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H") == 10.0);
    assert_true(osv_cvss3_score("CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N") == 0.0);
    assert_true(osv_cvss3_score("CVSS:3.1/AV:N/AC:L") < 0);
    assert_true(osv_cvss3_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N") < 0);
    assert_true(osv_cvss3_score(NULL) < 0);
}

/* ---- the scan's pass ---------------------------------------------------------------------- */

static void pass_with_and_without_index(void **state)
{
    fixture *f = *state;
    const char *paths[] = {SLSEC_SOURCE_DIR "/tests/fixtures/deps/lockfiles/npm-v3/package-lock.json"};
    const char *rels[] = {"npm-v3/package-lock.json"};
    slsec_arena *a = slsec_arena_new();
    slsec_ptrvec findings = {0};
    slsec_diags w = {0};
    slsec_deps_pass p = {.db_path = f->db, .dev_drop = 1, .arena = a, .findings = &findings, .warnings = &w};
    slsec_deps_run(&p, paths, rels, 1);
    assert_false(p.checked);
    assert_int_equal(p.packages, 6);
    assert_int_equal(findings.count, 0);
    assert_int_equal(w.count, 1);
    assert_int_equal(w.items[0].level, SLSEC_DIAG_NOTE);
    assert_non_null(strstr(w.items[0].message, "dependency checks skipped"));
    slsec_diags_clear(&w);

    slsec_osvdb_import_stats st;
    import_ok(f->db, OSV, &st, 1);
    slsec_deps_run(&p, paths, rels, 1);
    assert_true(p.checked);
    assert_int_equal(w.count, 0);
    assert_int_equal(findings.count, 3);
    const slsec_finding *lodash = findings.items[0], *minimist = findings.items[1], *pre = findings.items[2];
    assert_string_equal(lodash->rule->id, "DEP-001");
    assert_string_equal(lodash->resource, "lodash");
    assert_int_equal(lodash->loc.line, 18);
    assert_int_equal(lodash->severity, SLSEC_SEV_HIGH);
    assert_string_equal(lodash->message, "lodash 4.17.20 (npm, direct) is affected by GHSA-35jh-r3h4-6jhm "
                                         "(CVE-2021-23337): Command Injection in lodash; fixed in 4.17.21");
    /* dev only: critical drops to high */
    assert_string_equal(minimist->resource, "minimist");
    assert_int_equal(minimist->severity, SLSEC_SEV_HIGH);
    assert_non_null(strstr(minimist->message, "dev only"));
    /* npm alias: the real package name, last_affected inclusive */
    assert_string_equal(pre->resource, "slsec-test-pre");
    assert_non_null(strstr(pre->message, "no fixed version published"));
    /* fingerprints differ per advisory and ignore the line */
    assert_string_not_equal(lodash->fingerprint, minimist->fingerprint);
    slsec_diags_clear(&w);
    slsec_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(import_folder_and_match, setup, teardown),
        cmocka_unit_test_setup_teardown(import_zip_incremental, setup, teardown),
        cmocka_unit_test_setup_teardown(corrupt_zip, setup, teardown),
        cmocka_unit_test_setup_teardown(atomic_import, setup, teardown),
        cmocka_unit_test(cvss),
        cmocka_unit_test_setup_teardown(pass_with_and_without_index, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
