/*
 * test_config.c — .slsec.yml (src/scan/config.c): a complete good file read
 * into every field, and each kind of mistake reported as file:line:col with
 * the key's path and what was expected. Each case writes its configuration
 * to a private temporary folder.
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

typedef struct fixture {
    char dir[64];
    char path[128];
    slsec_arena *arena;
    slsec_config cfg;
    slsec_diag d;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/slsec-test-config-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/.slsec.yml", f->dir);
    f->arena = slsec_arena_new();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    unlink(f->path);
    rmdir(f->dir);
    slsec_arena_free(f->arena);
    free(f);
    return 0;
}

/* Writes text as the configuration and loads it. */
static int load(fixture *f, const char *text)
{
    FILE *fp = fopen(f->path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
    memset(&f->d, 0, sizeof f->d);
    return slsec_config_load(f->arena, f->path, &f->cfg, &f->d);
}

/* The error is at line:col and its message contains `text`. */
static void assert_error(fixture *f, int rc, int line, int col, const char *text)
{
    if (rc != SLSEC_EUSAGE || f->d.line != line || f->d.col != col || !strstr(f->d.message, text))
        fail_msg("expected %d:%d '%s', got rc %d at %d:%d: %s", line, col, text, rc, f->d.line, f->d.col,
                 f->d.message);
    assert_string_equal(f->d.file, f->path);
}

static void test_defaults(void **state)
{
    fixture *f = *state;
    slsec_config cfg;
    slsec_config_init(&cfg);
    assert_false(cfg.fail_on_set);
    assert_int_equal(cfg.settings.max_timeout, 300);
    assert_int_equal(cfg.settings.api_max_timeout, 29);
    assert_int_equal(cfg.disabled_rules.count, 0);
    assert_int_equal(load(f, ""), SLSEC_OK);
    assert_int_equal(f->cfg.settings.max_timeout, 300);
    assert_int_equal(load(f, "# only a comment\n"), SLSEC_OK);
    assert_int_equal(f->cfg.ignores.count, 0);
}

static void test_good(void **state)
{
    fixture *f = *state;
    int rc = load(f, "fail_on: medium\n"
                     "rules:\n"
                     "  disable: [FN-009, \"LOG-*\"]\n"
                     "  only:\n"
                     "    - IAM-*\n"
                     "    - FN-001\n"
                     "  severity:\n"
                     "    FN-003: low\n"
                     "    \"API-*\": info\n"
                     "thresholds:\n"
                     "  max_timeout: 120\n"
                     "  api_max_timeout: 25\n"
                     "  min_log_retention_days: 30\n"
                     "ignore_paths:\n"
                     "  - legacy/**\n"
                     "  - \"*.generated.yaml\"\n"
                     "ignore:\n"
                     "  - id: IAM-001\n"
                     "    resource: OrdersRole\n"
                     "    path: \"legacy/**\"\n"
                     "    reason: accepted until the rewrite (SEC-42)\n"
                     "  - resource: Debug*\n");
    assert_int_equal(rc, SLSEC_OK);
    slsec_config *c = &f->cfg;
    assert_string_equal(c->file, f->path);
    assert_true(c->fail_on_set);
    assert_int_equal(c->fail_on, SLSEC_SEV_MEDIUM);
    assert_int_equal(c->disabled_rules.count, 2);
    assert_string_equal(c->disabled_rules.items[0], "FN-009");
    assert_string_equal(c->disabled_rules.items[1], "LOG-*");
    assert_int_equal(c->only_rules.count, 2);
    assert_string_equal(c->only_rules.items[0], "IAM-*");
    assert_int_equal(c->severity_overrides.count, 2);
    const slsec_severity_override *o = c->severity_overrides.items[0];
    assert_string_equal(o->rule_id, "FN-003");
    assert_int_equal(o->severity, SLSEC_SEV_LOW);
    o = c->severity_overrides.items[1];
    assert_string_equal(o->rule_id, "API-*");
    assert_int_equal(o->severity, SLSEC_SEV_INFO);
    assert_int_equal(c->settings.max_timeout, 120);
    assert_int_equal(c->settings.api_max_timeout, 25);
    assert_int_equal(c->settings.min_log_retention_days, 30);
    assert_int_equal(c->ignore_paths.count, 2);
    assert_string_equal(c->ignore_paths.items[1], "*.generated.yaml");
    assert_int_equal(c->ignores.count, 2);
    const slsec_config_ignore *ig = c->ignores.items[0];
    assert_string_equal(ig->rule_id, "IAM-001");
    assert_string_equal(ig->resource, "OrdersRole");
    assert_string_equal(ig->path, "legacy/**");
    assert_string_equal(ig->reason, "accepted until the rewrite (SEC-42)");
    assert_int_equal(ig->loc.line, 18);
    assert_int_equal(ig->loc.col, 5);
    ig = c->ignores.items[1];
    assert_null(ig->rule_id);
    assert_string_equal(ig->resource, "Debug*");
    assert_null(ig->reason); /* reported as PIPE-003 by the scan */
}

static void test_lenient_forms(void **state)
{
    fixture *f = *state;
    /* A single id for a list, ids in any case, JSON syntax, empty sections. */
    assert_int_equal(load(f, "{\"rules\": {\"disable\": \"fn-009\"}, \"ignore_paths\": \"build\", "
                             "\"thresholds\": null}"),
                     SLSEC_OK);
    assert_int_equal(f->cfg.disabled_rules.count, 1);
    assert_int_equal(f->cfg.ignore_paths.count, 1);
    assert_int_equal(f->cfg.settings.max_timeout, 300);
}

static void test_unknown_key(void **state)
{
    fixture *f = *state;
    assert_error(f, load(f, "fail_on: high\nrulez: {}\n"), 2, 1,
                 "rulez: unknown key (expected fail_on, ignore, ignore_paths, logs, rules, secrets or thresholds)");
    assert_error(f, load(f, "rules:\n  disabel: [FN-001]\n"), 2, 3,
                 "rules.disabel: unknown key (expected disable, only or severity)");
    assert_error(f, load(f, "thresholds:\n  timeout: 3\n"), 2, 3, "thresholds.timeout: unknown key");
    assert_error(f, load(f, "ignore:\n  - id: FN-001\n    reson: x\n"), 3, 5, "ignore[0].reson: unknown key");
    assert_error(f, load(f, "fail_on: high\nfail_on: low\n"), 2, 1, "fail_on: duplicate key");
}

static void test_wrong_types(void **state)
{
    fixture *f = *state;
    assert_error(f, load(f, "- fail_on\n"), 1, 1, "the configuration: expected a mapping");
    assert_error(f, load(f, "rules: [FN-001]\n"), 1, 8, "rules: expected a mapping with disable, only or "
                                                       "severity, found a list");
    assert_error(f, load(f, "rules:\n  disable: {FN-001: true}\n"), 2, 12,
                 "rules.disable: expected a list of rule ids, found a mapping");
    assert_error(f, load(f, "rules:\n  only:\n    - [IAM-001]\n"), 3, 7, "rules.only[0]: expected a rule id");
    assert_error(f, load(f, "thresholds:\n  max_timeout: lots\n"), 2, 16,
                 "thresholds.max_timeout: expected a whole number of seconds from 1 to 900, found 'lots'");
    assert_error(f, load(f, "thresholds:\n  api_max_timeout: 0\n"), 2, 20,
                 "thresholds.api_max_timeout: expected a whole number of seconds from 1 to 900, found '0'");
    assert_error(f, load(f, "thresholds:\n  max_timeout: 12.5\n"), 2, 16, "found '12.5'");
    assert_error(f, load(f, "ignore_paths:\n  - {a: b}\n"), 2, 5, "ignore_paths[0]: expected a path glob");
    assert_error(f, load(f, "ignore:\n  id: FN-001\n"), 2, 3, "ignore: expected a list of");
    assert_error(f, load(f, "ignore:\n  - FN-001\n"), 2, 5, "ignore[0]: expected a mapping");
    assert_error(f, load(f, "ignore:\n  - reason: because\n"), 2, 5,
                 "ignore[0]: expected at least one of id, resource or path");
    assert_error(f, load(f, "ignore:\n  - id: FN-001\n    reason: [a]\n"), 3, 13,
                 "ignore[0].reason: expected a sentence");
}

static void test_unknown_rules(void **state)
{
    fixture *f = *state;
    assert_error(f, load(f, "rules:\n  disable: [FN-001, IAM-01]\n"), 2, 21,
                 "rules.disable[1]: unknown rule 'IAM-01' (did you mean IAM-001?)");
    assert_error(f, load(f, "rules:\n  severity:\n    NOPE-999: low\n"), 3, 5,
                 "rules.severity: unknown rule 'NOPE-999'");
    assert_error(f, load(f, "ignore:\n  - id: XYZ\n    reason: r\n"), 2, 9, "ignore[0].id: unknown rule 'XYZ'");
    /* globs are not checked against the catalogue */
    assert_int_equal(load(f, "rules:\n  disable: [\"NEW-*\", \"IAM-00?\"]\n"), SLSEC_OK);
}

static void test_unknown_severity(void **state)
{
    fixture *f = *state;
    assert_error(f, load(f, "fail_on: hihg\n"), 1, 10,
                 "fail_on: expected one of critical, high, medium, low, info, found 'hihg'");
    assert_error(f, load(f, "rules:\n  severity:\n    FN-003: hgih\n"), 3, 13,
                 "rules.severity.FN-003: expected one of critical, high, medium, low, info, found 'hgih'");
    assert_error(f, load(f, "rules:\n  severity:\n    FN-003: [low]\n"), 3, 13, "found a list");
    /* fail_on is not case sensitive */
    assert_int_equal(load(f, "fail_on: CRITICAL\n"), SLSEC_OK);
    assert_int_equal(f->cfg.fail_on, SLSEC_SEV_CRITICAL);
}

static void test_hostile_text_is_cleaned(void **state)
{
    fixture *f = *state;
    /* Control bytes in a value are not echoed into a terminal. */
    int rc = load(f, "fail_on: \"\\e[31mred\"\n");
    assert_int_equal(rc, SLSEC_EUSAGE);
    assert_null(strchr(f->d.message, '\x1b'));
    assert_non_null(strstr(f->d.message, "found '?[31mred'"));
}

static void test_bad_files(void **state)
{
    fixture *f = *state;
    int rc = load(f, "rules: [\n");
    assert_int_equal(rc, SLSEC_EPARSE);
    assert_int_equal(f->d.line, 2);
    assert_string_equal(f->d.file, f->path);

    char missing[160];
    snprintf(missing, sizeof missing, "%s/absent.yml", f->dir);
    rc = slsec_config_load(f->arena, missing, &f->cfg, &f->d);
    assert_int_equal(rc, SLSEC_EIO);
    assert_string_equal(f->d.file, missing);
    assert_non_null(strstr(f->d.message, "no such file"));

    /* Over the size limit: refused before reading. */
    FILE *fp = fopen(f->path, "w");
    assert_non_null(fp);
    assert_int_equal(ftruncate(fileno(fp), 2 * 1024 * 1024), 0);
    fclose(fp);
    rc = slsec_config_load(f->arena, f->path, &f->cfg, &f->d);
    assert_int_equal(rc, SLSEC_ELIMIT);
    assert_non_null(strstr(f->d.message, "over the"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_good, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lenient_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_severity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_text_is_cleaned, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_files, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
