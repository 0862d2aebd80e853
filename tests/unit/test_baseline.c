/*
 * test_baseline.c — baselines (src/scan/baseline.c): a baseline written from
 * a scan, read back and applied, hides exactly that scan's findings and
 * takes them out of the counts; duplicate fingerprints are kept once;
 * suppressed findings are never baselined; each kind of malformed file is
 * reported at its line and column.
 */
#include "slsec/scan.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define TEMPLATE SLSEC_SOURCE_DIR "/tests/fixtures/rules/DATA-012/fail.yaml"

static slsec_scan_result *scan_one(const char *path, const char *baseline)
{
    slsec_scan_opts o;
    slsec_scan_opts_init(&o);
    const char *paths[] = {path};
    o.paths = paths;
    o.path_count = 1;
    o.no_config = true;
    o.baseline_path = baseline;
    slsec_scan_result *r = NULL;
    slsec_diag d = {0};
    int rc = slsec_scan_run(&o, &r, &d);
    if (rc != SLSEC_OK)
        fail_msg("scan failed: %s:%d:%d: %s", d.file, d.line, d.col, d.message);
    return r;
}

static size_t total(const slsec_scan_result *r)
{
    size_t n = 0;
    for (int s = 0; s < 5; s++)
        n += r->counts[s];
    return n;
}

/* A fresh temporary file name in buf (the file exists, empty). */
static void temp_path(char buf[64])
{
    snprintf(buf, 64, "/tmp/slsec-test-baseline-XXXXXX");
    int fd = mkstemp(buf);
    assert_true(fd >= 0);
    close(fd);
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void test_round_trip(void **state)
{
    (void)state;
    char path[64];
    temp_path(path);

    slsec_scan_result *first = scan_one(TEMPLATE, NULL);
    size_t n = first->findings.count;
    assert_true(n > 0);
    assert_int_equal(total(first), n);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    assert_int_equal(slsec_baseline_write(fp, first), SLSEC_OK);
    fclose(fp);

    slsec_baseline *b = NULL;
    slsec_diag d = {0};
    assert_int_equal(slsec_baseline_load(first->arena, path, &b, &d), SLSEC_OK);
    assert_int_equal(slsec_baseline_count(b), n);
    assert_int_equal(slsec_scan_apply_baseline(first, b), n);
    assert_int_equal(first->findings.count, 0);
    assert_int_equal(first->baselined.count, n);
    assert_int_equal(total(first), 0);
    assert_int_equal(slsec_scan_worst(first), -1);

    /* Through the pipeline: the same template scanned with the baseline. */
    slsec_scan_result *second = scan_one(TEMPLATE, path);
    assert_int_equal(second->findings.count, 0);
    assert_int_equal(second->baselined.count, n);
    assert_int_equal(total(second), 0);

    slsec_scan_result_free(second);
    slsec_scan_result_free(first);
    unlink(path);
}

/* A baseline that lists only some fingerprints hides only those. */
static void test_partial(void **state)
{
    (void)state;
    char path[64];
    temp_path(path);
    slsec_scan_result *r = scan_one(TEMPLATE, NULL);
    assert_true(r->findings.count >= 2);
    const slsec_finding *keep = r->findings.items[0];
    char text[512];
    /* The same fingerprint twice, and one that matches nothing. */
    snprintf(text, sizeof text,
             "{\"version\": 1, \"findings\": [{\"fingerprint\": \"%s\"}, {\"fingerprint\": \"%s\"},"
             " {\"fingerprint\": \"00000000000000000000000000000000\", \"extra\": true}]}\n",
             keep->fingerprint, keep->fingerprint);
    write_text(path, text);
    slsec_baseline *b = NULL;
    slsec_diag d = {0};
    assert_int_equal(slsec_baseline_load(r->arena, path, &b, &d), SLSEC_OK);
    assert_int_equal(slsec_baseline_count(b), 2);
    size_t before = r->findings.count;
    assert_int_equal(slsec_scan_apply_baseline(r, b), 1);
    assert_int_equal(r->findings.count, before - 1);
    assert_int_equal(total(r), before - 1);
    for (size_t i = 0; i < r->findings.count; i++)
        assert_string_not_equal(((const slsec_finding *)r->findings.items[i])->fingerprint, keep->fingerprint);
    slsec_scan_result_free(r);
    unlink(path);
}

static void expect_error(const char *text, int line, const char *needle)
{
    char path[64];
    temp_path(path);
    write_text(path, text);
    slsec_arena *a = slsec_arena_new();
    slsec_baseline *b = (slsec_baseline *)1;
    slsec_diag d = {0};
    int rc = slsec_baseline_load(a, path, &b, &d);
    assert_true(rc == SLSEC_EPARSE);
    assert_null(b);
    assert_int_equal(d.line, line);
    assert_true(d.col > 0);
    if (!strstr(d.message, needle))
        fail_msg("expected '%s' in: %s", needle, d.message);
    slsec_arena_free(a);
    unlink(path);
}

static void test_malformed(void **state)
{
    (void)state;
    expect_error("[1, 2]\n", 1, "JSON object");
    expect_error("{\"version\": 2, \"findings\": []}\n", 1, "\"version\": 1");
    expect_error("{\"version\": 1,\n \"findings\": {}}\n", 2, "list");
    expect_error("{\"version\": 1, \"findings\": [\n  {\"fingerprint\": \"ABC\"}]}\n", 2, "32 lower-case hex");
    expect_error("{\"version\": 1, \"findings\": [\n  {\"rule_id\": \"IAM-001\"}]}\n", 2, "fingerprint");
    /* Truncated JSON is a parse error with a position. */
    char path[64];
    temp_path(path);
    write_text(path, "{\"version\": 1, \"findings\": [\n");
    slsec_arena *a = slsec_arena_new();
    slsec_baseline *b = NULL;
    slsec_diag d = {0};
    assert_int_equal(slsec_baseline_load(a, path, &b, &d), SLSEC_EPARSE);
    assert_true(d.line > 0);
    slsec_arena_free(a);
    unlink(path);
    /* A missing file. */
    a = slsec_arena_new();
    assert_int_equal(slsec_baseline_load(a, "/nonexistent/baseline.json", &b, &d), SLSEC_EIO);
    slsec_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_partial),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
