/*
 * test_guard_schema.c — JSON Schema validation (src/guard/schema.c).
 *
 * Two parts: a few cases of our own (limits, the failure message, what a
 * gateway needs), and the official JSON-Schema-Test-Suite as Debian ships
 * it (json-schema-test-suite: drafts 4, 6 and 7). For the suite, every
 * keyword file listed in `claimed` must pass completely — that is the
 * claim docs/guard.md makes — and the pass rate over all files of each
 * draft is printed (bench/RESULTS.md quotes it). Files about what we do
 * not support (remote references, $id-relative resolution, unknown
 * formats) are counted, not asserted. Without the package the suite part
 * is skipped and says so.
 */
#include "slsec/guard.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#define SUITE "/usr/share/json-schema-test-suite/tests"

static bool check(const char *schema, const char *instance, char *why, size_t why_size)
{
    json_t *s = json_loads(schema, JSON_DECODE_ANY, NULL), *i = json_loads(instance, JSON_DECODE_ANY, NULL);
    assert_non_null(s);
    assert_non_null(i);
    slsec_schema *c = NULL;
    slsec_diag d = {0};
    assert_int_equal(slsec_schema_new(s, SLSEC_SCHEMA_AUTO, &c, &d), SLSEC_OK);
    bool ok = slsec_schema_validate(c, i, why, why_size);
    slsec_schema_free(c);
    json_decref(s);
    json_decref(i);
    return ok;
}

static void messages_name_place_and_keyword(void **state)
{
    (void)state;
    char why[200];
    const char *schema = "{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":"
                         "{\"type\":\"object\",\"properties\":{\"qty\":{\"minimum\":1}}}}}}";
    assert_false(check(schema, "{\"items\":[{\"qty\":1},{\"qty\":5},{\"qty\":0}]}", why, sizeof why));
    assert_string_equal(why, "/items/2/qty: minimum");
    assert_true(check(schema, "{\"items\":[{\"qty\":1}]}", why, sizeof why));
    assert_false(check("{\"required\":[\"a\"]}", "{}", why, sizeof why));
    assert_string_equal(why, "/: required");
    /* the failure inside anyOf is not the reason; anyOf is */
    assert_false(check("{\"anyOf\":[{\"type\":\"string\"},{\"minimum\":10}]}", "3", why, sizeof why));
    assert_string_equal(why, "/: anyOf");
}

static void depth_is_bounded(void **state)
{
    (void)state;
    char deep[4096];
    size_t n = 0;
    for (int i = 0; i < 100; i++)
        deep[n++] = '[';
    for (int i = 0; i < 100; i++)
        deep[n++] = ']';
    deep[n] = '\0';
    char why[64];
    assert_false(check("true", deep, why, sizeof why));
    assert_string_equal(why, "/: depth");
    /* a $ref cycle that consumes nothing ends, refused */
    assert_false(check("{\"$defs\":{\"a\":{\"$ref\":\"#/$defs/b\"},\"b\":{\"$ref\":\"#/$defs/a\"}},\"$ref\":\"#/$defs/a\"}", "1", why,
                       sizeof why));
}

static void bad_schemas_are_refused(void **state)
{
    (void)state;
    const char *bad[] = {"{\"pattern\":\"(\"}", "{\"$ref\":\"#/nowhere\"}", "{\"$ref\":\"http://example.com/s.json\"}",
                         "{\"properties\":{\"a\":{\"patternProperties\":{\"[\":{}}}}}", "3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *s = json_loads(bad[i], JSON_DECODE_ANY, NULL);
        slsec_schema *c = NULL;
        slsec_diag d = {0};
        assert_int_not_equal(slsec_schema_new(s, SLSEC_SCHEMA_AUTO, &c, &d), SLSEC_OK);
        assert_null(c);
        assert_true(d.message[0] != '\0');
        json_decref(s);
    }
}

static void gateway_formats(void **state)
{
    (void)state;
    struct { const char *fmt, *value; bool ok; } cases[] = {
        {"date-time", "\"2026-11-29T10:00:00Z\"", true},   {"date-time", "\"2026-02-30T10:00:00Z\"", false},
        {"date-time", "\"2026-11-29 10:00:00Z\"", false},  {"date", "\"2024-02-29\"", true},
        {"date", "\"2023-02-29\"", false},                 {"email", "\"a.b@example.com\"", true},
        {"email", "\"a..b@example.com\"", false},          {"ipv4", "\"192.168.0.1\"", true},
        {"ipv4", "\"192.168.0.01\"", false},               {"ipv6", "\"::1\"", true},
        {"ipv6", "\"12345::\"", false},                    {"uuid", "\"2eb8aa08-aa98-11ea-b4aa-73b441d16380\"", true},
        {"uuid", "\"2eb8aa08-aa98-11ea-b4aa-73b441d1638\"", false}, {"uri", "\"https://example.com/a?b=c\"", true},
        {"uri", "\"//example.com\"", false},               {"hostname", "\"-bad.example\"", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char schema[80];
        snprintf(schema, sizeof schema, "{\"format\":\"%s\"}", cases[i].fmt);
        if (check(schema, cases[i].value, NULL, 0) != cases[i].ok)
            fail_msg("format %s on %s should be %s", cases[i].fmt, cases[i].value, cases[i].ok ? "valid" : "invalid");
    }
}

static void draft_2020_keywords(void **state)
{
    (void)state;
    const char *tuple = "{\"prefixItems\":[{\"type\":\"integer\"},{\"type\":\"string\"}],\"items\":false}";
    assert_true(check(tuple, "[1,\"a\"]", NULL, 0));
    assert_false(check(tuple, "[1,\"a\",true]", NULL, 0));
    assert_false(check(tuple, "[\"a\"]", NULL, 0));
    const char *sib = "{\"$defs\":{\"n\":{\"type\":\"number\"}},\"$ref\":\"#/$defs/n\",\"maximum\":5}";
    assert_false(check(sib, "7", NULL, 0)); /* 2020-12: siblings of $ref apply */
    const char *dep = "{\"dependentRequired\":{\"card\":[\"cvc\"]}}";
    assert_false(check(dep, "{\"card\":1}", NULL, 0));
    assert_true(check(dep, "{\"card\":1,\"cvc\":2}", NULL, 0));
    const char *cont = "{\"contains\":{\"const\":1},\"minContains\":2,\"maxContains\":3}";
    assert_false(check(cont, "[1,2]", NULL, 0));
    assert_true(check(cont, "[1,1,2]", NULL, 0));
    assert_false(check(cont, "[1,1,1,1]", NULL, 0));
}

/* ---- the official suite ---------------------------------------------------------- */

typedef struct tally {
    unsigned pass, total;
} tally;

/* Runs one suite file; returns the failures and adds to t. */
static unsigned run_file(const char *path, slsec_schema_draft draft, tally *t, bool verbose)
{
    json_error_t err;
    json_t *groups = json_load_file(path, 0, &err);
    if (!groups) {
        /* a file jansson cannot read (bignums): every test counts as failed */
        t->total += 1;
        return 1;
    }
    unsigned failures = 0;
    size_t gi;
    json_t *g;
    json_array_foreach(groups, gi, g) {
        json_t *tests = json_object_get(g, "tests");
        slsec_schema *s = NULL;
        slsec_diag d = {0};
        int rc = slsec_schema_new(json_object_get(g, "schema"), draft, &s, &d);
        size_t ti;
        json_t *tc;
        json_array_foreach(tests, ti, tc) {
            t->total++;
            bool want = json_is_true(json_object_get(tc, "valid"));
            bool got = rc == SLSEC_OK && slsec_schema_validate(s, json_object_get(tc, "data"), NULL, 0);
            if (got == want) {
                t->pass++;
            } else {
                failures++;
                if (verbose)
                    print_message("    %s: %s / %s: expected %s%s\n", strrchr(path, '/') + 1,
                                  json_string_value(json_object_get(g, "description")),
                                  json_string_value(json_object_get(tc, "description")), want ? "valid" : "invalid",
                                  rc ? " (schema refused)" : "");
            }
        }
        slsec_schema_free(s);
    }
    json_decref(groups);
    return failures;
}

/* Keyword files we claim in full, per draft (docs/guard.md). */
static const char *const claimed[] = {
    "additionalItems.json", "additionalProperties.json", "allOf.json", "anyOf.json", "boolean_schema.json",
    "const.json", "contains.json", "default.json", "dependencies.json", "enum.json", "exclusiveMaximum.json",
    "exclusiveMinimum.json", "format.json", "if-then-else.json", "items.json", "maxItems.json",
    "maxLength.json", "maxProperties.json", "maximum.json", "minItems.json", "minLength.json",
    "minProperties.json", "minimum.json", "multipleOf.json", "not.json", "oneOf.json", "pattern.json",
    "patternProperties.json", "properties.json", "propertyNames.json", "required.json", "type.json",
    "uniqueItems.json", NULL,
};

static bool is_claimed(const char *name)
{
    for (size_t i = 0; claimed[i]; i++)
        if (strcmp(claimed[i], name) == 0)
            return true;
    return false;
}

static int by_name(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }

static void official_suite(void **state)
{
    (void)state;
    struct stat st;
    if (stat(SUITE, &st) != 0) {
        print_message("json-schema-test-suite is not installed (" SUITE "): conformance not measured; "
                      "scripts/deps.sh installs it\n");
        skip();
    }
    static const struct { const char *dir; slsec_schema_draft draft; } drafts[] = {
        {"draft4", SLSEC_SCHEMA_DRAFT4}, {"draft6", SLSEC_SCHEMA_DRAFT6}, {"draft7", SLSEC_SCHEMA_DRAFT7}};
    unsigned claimed_failures = 0;
    for (size_t di = 0; di < 3; di++) {
        char dir[512];
        snprintf(dir, sizeof dir, "%s/%s", SUITE, drafts[di].dir);
        struct dirent **names = NULL;
        int n = scandir(dir, &names, NULL, by_name);
        assert_true(n > 0);
        tally all = {0}, mine = {0};
        for (int i = 0; i < n; i++) {
            const char *name = names[i]->d_name;
            if (strstr(name, ".json") && name[0] != '.') {
                char path[1024];
                snprintf(path, sizeof path, "%s/%s", dir, name);
                bool c = is_claimed(name);
                tally one = {0};
                unsigned f = run_file(path, drafts[di].draft, &one, c || getenv("SLSEC_SCHEMA_VERBOSE"));
                all.pass += one.pass, all.total += one.total;
                if (c) {
                    mine.pass += one.pass, mine.total += one.total;
                    claimed_failures += f;
                }
            }
            free(names[i]);
        }
        free(names);
        print_message("json-schema-test-suite %s: %u/%u (%.1f%%) of all required tests; claimed keywords %u/%u\n",
                      drafts[di].dir, all.pass, all.total, 100.0 * all.pass / (all.total ? all.total : 1), mine.pass,
                      mine.total);
    }
    assert_int_equal(claimed_failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(messages_name_place_and_keyword),
        cmocka_unit_test(depth_is_bounded),
        cmocka_unit_test(bad_schemas_are_refused),
        cmocka_unit_test(gateway_formats),
        cmocka_unit_test(draft_2020_keywords),
        cmocka_unit_test(official_suite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
