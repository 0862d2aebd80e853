/*
 * test_report.c — the report writers on a scan result built by hand.
 *
 * The findings come from a rule made here (TEST-001), not from the
 * catalogue, so the test holds whatever the rule families contain; the
 * texts are the awkward ones templates can carry: quotes, <, &, |,
 * newlines, an escape byte, invalid UTF-8, a finding at line 0 and one
 * with no resource. Each format is checked for its contract: JSON parses
 * and has every documented field, SARIF has results/ruleId/
 * partialFingerprints and (when python3-jsonschema and the schema are
 * there) validates, JUnit is well-formed XML with nothing unescaped,
 * Markdown cells cannot break their table, text prints no escape byte.
 */
#include "slsec/report.h"

#include "report/report_internal.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#define SARIF_SCHEMA SLSEC_SOURCE_DIR "/../shared/schemas/sarif-schema-2.1.0.json"
#define SARIF_VALIDATE SLSEC_SOURCE_DIR "/tests/cli/sarif_validate.py"

static const slsec_rule test_rule = {
    .id = "TEST-001",
    .family = "TEST",
    .severity = SLSEC_SEV_HIGH,
    .title = "Test rule with <markup> & \"quotes\"",
    .why = "Because a test needs a rule.\n\nSecond paragraph of why.",
    .fix = "Do the right thing.\nSecond line of the fix.",
    .snippet = "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n",
    .cwe = "CWE-79 CWE-250",
    .owasp = "SAS-3",
    .checkov = "CKV_AWS_1",
    .cfn_nag = NULL,
    .cdk_nag = "",
};

static const slsec_rule other_rule = {
    .id = "TEST-002",
    .family = "TEST",
    .severity = SLSEC_SEV_LOW,
    .title = "Another test rule",
    .why = "Why.",
    .fix = "Fix.",
    .snippet = "",
};

typedef struct fixture {
    slsec_arena *arena;
    slsec_scan_result r;
} fixture;

static slsec_finding *add(fixture *fx, const slsec_rule *rule, slsec_severity sev, const char *msg,
                          const char *resource, const char *file, int line, int col)
{
    slsec_finding *f = slsec_arena_alloc(fx->arena, sizeof *f);
    f->rule = rule;
    f->severity = sev;
    f->message = msg;
    f->resource = resource;
    f->resource_type = resource ? "AWS::Serverless::Function" : NULL;
    f->loc = (slsec_loc){file, line, col};
    f->key = "";
    char hex[65];
    slsec_sha256_hex(msg, strlen(msg), hex);
    memcpy(f->fingerprint, hex, 32);
    f->fingerprint[32] = '\0';
    slsec_ptrvec_push(fx->arena, &fx->r.findings, f);
    return f;
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    fx->arena = slsec_arena_new();
    fx->r.arena = fx->arena;
    fx->r.root = "/tmp/my app";
    fx->r.templates = 2;
    fx->r.files_seen = 5;
    fx->r.unknown_resources = 1;

    slsec_finding *f = add(fx, &test_rule, SLSEC_SEV_HIGH,
                           "role \"OrdersRole\" grants <dynamodb:*> & more | pipes\nsecond line",
                           "OrdersFunction", "template.yaml", 12, 7);
    slsec_finding_relate(f, (slsec_loc){"template.yaml", 40, 3}, "the role is defined here");
    slsec_finding_relate(f, (slsec_loc){NULL, 0, 0}, "nowhere");
    add(fx, &test_rule, SLSEC_SEV_CRITICAL, "bad bytes: \xff\xfe \xc0\x80 \xed\xa0\x80 end \x1b[31mred",
        "OrdersFunction", "template.yaml", 30, 1);
    add(fx, &other_rule, SLSEC_SEV_LOW, "app-wide at line 0", NULL, "sub dir/other template.yaml",
        0, 0);
    slsec_finding *s = add(fx, &other_rule, SLSEC_SEV_LOW, "suppressed one", "Bucket",
                           "template.yaml", 50, 5);
    s->suppressed = true;
    s->suppression = "template.yaml:48: \"accepted risk\" <by> ops & sec";

    fx->r.counts[SLSEC_SEV_CRITICAL] = 1;
    fx->r.counts[SLSEC_SEV_HIGH] = 1;
    fx->r.counts[SLSEC_SEV_LOW] = 1;
    fx->r.suppressed = 1;
    slsec_diags_addf(&fx->r.warnings, SLSEC_DIAG_WARNING, "broken.yaml", 3, 4,
                     "expected a mapping \xff here");
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    slsec_diags_clear(&fx->r.warnings);
    slsec_arena_free(fx->arena);
    free(fx);
    return 0;
}

/* The writer's output as a NUL-terminated heap string. */
static char *render(const char *format, const slsec_scan_result *r, const slsec_report_opts *o)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    assert_int_equal(slsec_report_write(m, format, r, o), SLSEC_OK);
    fclose(m);
    return buf;
}

static char *render_rules(const char *format)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_int_equal(slsec_rules_write(m, format), SLSEC_OK);
    fclose(m);
    return buf;
}

static char *render_explain(const slsec_rule *rule, const char *format, bool color)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_int_equal(slsec_rule_explain(m, rule, format, color), SLSEC_OK);
    fclose(m);
    return buf;
}

static bool valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = slsec_utf8_decode(p + i, n - i, &cp);
        if (!k)
            return false;
        i += k;
    }
    return true;
}

/* Writes data to a fresh file under /tmp (unique: several builds may run
 * this test at once) and leaves its name in path. */
static void write_temp(char path[64], const char *suffix, const char *data)
{
    snprintf(path, 64, "/tmp/slsec-test-report-XXXXXX%s", suffix);
    int fd = mkstemps(path, (int)strlen(suffix));
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(data, f);
    assert_int_equal(fclose(f), 0);
}

/* Runs a command; its exit status, or -1 when it did not run. */
static int run(const char *cmd)
{
    int st = system(cmd);
    if (st == -1 || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

/* ---- shared helpers ------------------------------------------------------- */

static void test_utf8(void **state)
{
    (void)state;
    struct {
        const char *in, *out;
    } cases[] = {
        {"plain", "plain"},
        {"caf\xc3\xa9", "caf\xc3\xa9"},
        {"\xc0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD"},             /* overlong NUL */
        {"\xed\xa0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"}, /* surrogate */
        {"\xf5\x80\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
        {"a\xe2\x82", "a\xEF\xBF\xBD\xEF\xBF\xBD"}, /* truncated at the end */
        {"\xf0\x9f\x94\x92 ok", "\xf0\x9f\x94\x92 ok"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        slsec_buf b;
        slsec_buf_init(&b);
        slsec_rpt_utf8_clean(&b, cases[i].in);
        assert_string_equal(b.data, cases[i].out);
        slsec_buf_free(&b);
    }
}

static void test_formats_known(void **state)
{
    fixture *fx = *state;
    const char *known[] = {"text", "json", "sarif", "junit", "markdown"};
    for (size_t i = 0; i < 5; i++)
        assert_true(slsec_report_format_known(known[i]));
    assert_false(slsec_report_format_known("html"));
    assert_false(slsec_report_format_known("JSON"));
    assert_false(slsec_report_format_known(""));
    assert_false(slsec_report_format_known(NULL));
    slsec_report_opts o = {0};
    assert_int_equal(slsec_report_write(stdout, "yaml", &fx->r, &o), SLSEC_EUSAGE);
    assert_int_equal(slsec_rules_write(stdout, "sarif"), SLSEC_EUSAGE);
    assert_int_equal(slsec_rule_explain(stdout, &test_rule, "json", false), SLSEC_EUSAGE);
}

/* ---- json ------------------------------------------------------------------ */

static void assert_refs(json_t *refs)
{
    assert_true(json_is_object(refs));
    const char *keys[] = {"cwe", "owasp_serverless", "checkov", "cfn_nag", "cdk_nag"};
    for (size_t i = 0; i < 5; i++)
        assert_true(json_is_array(json_object_get(refs, keys[i])));
}

static void assert_location(json_t *loc)
{
    assert_true(json_is_object(loc));
    json_t *file = json_object_get(loc, "file");
    assert_true(json_is_string(file) || json_is_null(file));
    assert_true(json_is_integer(json_object_get(loc, "line")));
    assert_true(json_is_integer(json_object_get(loc, "column")));
}

static void test_json(void **state)
{
    fixture *fx = *state;
    slsec_report_opts o = {0};
    char *out = render("json", &fx->r, &o);
    json_error_t err;
    json_t *root = json_loads(out, 0, &err);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "tool")), "slsec");
    assert_string_equal(json_string_value(json_object_get(root, "version")), SLSEC_VERSION);

    json_t *findings = json_object_get(root, "findings");
    assert_int_equal(json_array_size(findings), 4);
    size_t i;
    json_t *f;
    json_array_foreach(findings, i, f)
    {
        const char *strs[] = {"rule_id", "severity", "title", "message", "fingerprint", "fix"};
        for (size_t k = 0; k < 6; k++)
            assert_true(json_is_string(json_object_get(f, strs[k])));
        const char *sev = json_string_value(json_object_get(f, "severity"));
        slsec_severity parsed;
        assert_true(slsec_severity_parse(sev, &parsed));
        json_t *res = json_object_get(f, "resource");
        assert_true(json_is_string(res) || json_is_null(res));
        json_t *rt = json_object_get(f, "resource_type");
        assert_true(json_is_string(rt) || json_is_null(rt));
        assert_location(json_object_get(f, "location"));
        json_t *related = json_object_get(f, "related");
        assert_true(json_is_array(related));
        size_t k;
        json_t *rl;
        json_array_foreach(related, k, rl)
        {
            assert_location(rl);
            assert_true(json_is_string(json_object_get(rl, "message")));
        }
        assert_refs(json_object_get(f, "references"));
        assert_true(json_is_boolean(json_object_get(f, "suppressed")));
    }

    json_t *first = json_array_get(findings, 0);
    assert_string_equal(json_string_value(json_object_get(first, "rule_id")), "TEST-001");
    assert_string_equal(json_string_value(json_object_get(first, "severity")), "high");
    assert_string_equal(json_string_value(json_object_get(first, "resource")), "OrdersFunction");
    assert_string_equal(json_string_value(json_object_get(first, "message")),
                        "role \"OrdersRole\" grants <dynamodb:*> & more | pipes\nsecond line");
    json_t *loc = json_object_get(first, "location");
    assert_string_equal(json_string_value(json_object_get(loc, "file")), "template.yaml");
    assert_int_equal(json_integer_value(json_object_get(loc, "line")), 12);
    assert_int_equal(json_integer_value(json_object_get(loc, "column")), 7);
    assert_int_equal(json_array_size(json_object_get(first, "related")), 2);
    json_t *cwe = json_object_get(json_object_get(first, "references"), "cwe");
    assert_int_equal(json_array_size(cwe), 2);
    assert_string_equal(json_string_value(json_array_get(cwe, 1)), "CWE-250");
    assert_int_equal(json_array_size(json_object_get(json_object_get(first, "references"), "cfn_nag")), 0);
    assert_false(json_is_true(json_object_get(first, "suppressed")));

    /* Invalid UTF-8 became U+FFFD; the escape byte is kept (JSON escapes it). */
    const char *bad = json_string_value(json_object_get(json_array_get(findings, 1), "message"));
    assert_non_null(strstr(bad, "\xEF\xBF\xBD"));
    assert_non_null(strstr(bad, "\x1b[31mred"));
    assert_null(strstr(out, "\x1b"));

    json_t *third = json_array_get(findings, 2);
    assert_true(json_is_null(json_object_get(third, "resource")));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(third, "location"), "line")), 0);

    json_t *fourth = json_array_get(findings, 3);
    assert_true(json_is_true(json_object_get(fourth, "suppressed")));
    assert_non_null(strstr(json_string_value(json_object_get(fourth, "suppression")), "accepted risk"));

    json_t *sum = json_object_get(root, "summary");
    assert_int_equal(json_integer_value(json_object_get(sum, "total")), 3);
    json_t *by = json_object_get(sum, "by_severity");
    const char *sevs[] = {"critical", "high", "medium", "low", "info"};
    const int want[] = {1, 1, 0, 1, 0};
    for (size_t k = 0; k < 5; k++)
        assert_int_equal(json_integer_value(json_object_get(by, sevs[k])), want[k]);
    assert_int_equal(json_integer_value(json_object_get(sum, "templates")), 2);
    assert_int_equal(json_integer_value(json_object_get(sum, "files")), 5);
    assert_int_equal(json_integer_value(json_object_get(sum, "suppressed")), 1);
    assert_int_equal(json_integer_value(json_object_get(sum, "unknown_resources")), 1);
    json_t *warnings = json_object_get(sum, "warnings");
    assert_int_equal(json_array_size(warnings), 1);
    json_t *w = json_array_get(warnings, 0);
    assert_string_equal(json_string_value(json_object_get(w, "file")), "broken.yaml");
    assert_int_equal(json_integer_value(json_object_get(w, "line")), 3);
    assert_int_equal(json_integer_value(json_object_get(w, "column")), 4);
    assert_true(json_is_string(json_object_get(w, "message")));
    json_decref(root);

    /* Deterministic: the same result gives the same bytes. */
    char *again = render("json", &fx->r, &o);
    assert_string_equal(out, again);
    free(again);
    free(out);
}

static void test_json_empty(void **state)
{
    (void)state;
    slsec_scan_result r = {0};
    slsec_report_opts o = {0};
    char *out = render("json", &r, &o);
    json_t *root = json_loads(out, 0, NULL);
    assert_non_null(root);
    assert_int_equal(json_array_size(json_object_get(root, "findings")), 0);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(root, "summary"), "total")), 0);
    assert_true(json_is_array(json_object_get(json_object_get(root, "summary"), "warnings")));
    json_decref(root);
    free(out);
}

/* ---- sarif ----------------------------------------------------------------- */

static json_t *rule_by_index(json_t *rules, json_int_t i)
{
    assert_true(i >= 0 && (size_t)i < json_array_size(rules));
    return json_array_get(rules, (size_t)i);
}

static void validate_sarif(const char *path)
{
    if (access(SARIF_SCHEMA, R_OK) != 0 || access("/usr/bin/python3", X_OK) != 0) {
        print_message("SARIF schema or python3 missing: schema validation skipped\n");
        return;
    }
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s' '%s' '%s'", SARIF_VALIDATE, SARIF_SCHEMA, path);
    int rc = run(cmd);
    if (rc == 77) {
        print_message("python3-jsonschema missing: schema validation skipped\n");
        return;
    }
    assert_int_equal(rc, 0);
}

static void test_sarif(void **state)
{
    fixture *fx = *state;
    slsec_report_opts o = {0};
    char *out = render("sarif", &fx->r, &o);
    char path[64];
    write_temp(path, ".sarif", out);
    validate_sarif(path);
    unlink(path);

    json_t *root = json_loads(out, 0, NULL);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "version")), "2.1.0");
    assert_true(json_is_string(json_object_get(root, "$schema")));
    json_t *runs = json_object_get(root, "runs");
    assert_int_equal(json_array_size(runs), 1);
    json_t *run0 = json_array_get(runs, 0);
    json_t *driver = json_object_get(json_object_get(run0, "tool"), "driver");
    assert_string_equal(json_string_value(json_object_get(driver, "name")), "slsec");
    json_t *rules = json_object_get(driver, "rules");
    size_t catalogue;
    slsec_rules_all(&catalogue);
    /* The catalogue plus the two test rules it does not hold. */
    assert_int_equal(json_array_size(rules), catalogue + 2);

    json_t *base = json_object_get(json_object_get(run0, "originalUriBaseIds"), "%SRCROOT%");
    assert_string_equal(json_string_value(json_object_get(base, "uri")), "file:///tmp/my%20app/");

    json_t *results = json_object_get(run0, "results");
    assert_int_equal(json_array_size(results), 4);
    size_t i;
    json_t *res;
    json_array_foreach(results, i, res)
    {
        const char *id = json_string_value(json_object_get(res, "ruleId"));
        assert_non_null(id);
        json_t *rule = rule_by_index(rules, json_integer_value(json_object_get(res, "ruleIndex")));
        assert_string_equal(json_string_value(json_object_get(rule, "id")), id);
        assert_true(json_is_string(
            json_object_get(json_object_get(res, "partialFingerprints"), "slsecFingerprint/v1")));
        assert_true(json_is_string(json_object_get(json_object_get(res, "message"), "text")));
    }
    json_t *r0 = json_array_get(results, 0);
    assert_string_equal(json_string_value(json_object_get(r0, "level")), "error");
    json_t *pl = json_object_get(json_array_get(json_object_get(r0, "locations"), 0), "physicalLocation");
    json_t *al = json_object_get(pl, "artifactLocation");
    assert_string_equal(json_string_value(json_object_get(al, "uri")), "template.yaml");
    assert_string_equal(json_string_value(json_object_get(al, "uriBaseId")), "%SRCROOT%");
    json_t *region = json_object_get(pl, "region");
    assert_int_equal(json_integer_value(json_object_get(region, "startLine")), 12);
    assert_int_equal(json_integer_value(json_object_get(region, "startColumn")), 7);
    /* Only the related location with a file is written. */
    json_t *related = json_object_get(r0, "relatedLocations");
    assert_int_equal(json_array_size(related), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(related, 0), "id")), 1);

    /* Line 0: no region; a space in the path is percent-encoded. */
    json_t *r2 = json_array_get(results, 2);
    assert_string_equal(json_string_value(json_object_get(r2, "level")), "note");
    pl = json_object_get(json_array_get(json_object_get(r2, "locations"), 0), "physicalLocation");
    assert_null(json_object_get(pl, "region"));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(pl, "artifactLocation"), "uri")),
        "sub%20dir/other%20template.yaml");

    json_t *r3 = json_array_get(results, 3);
    json_t *sup = json_array_get(json_object_get(r3, "suppressions"), 0);
    assert_string_equal(json_string_value(json_object_get(sup, "kind")), "inSource");
    assert_non_null(strstr(json_string_value(json_object_get(sup, "justification")), "accepted risk"));
    assert_null(json_object_get(r2, "suppressions"));

    /* The test rule's metadata: GitHub's security-severity and CWE tags. */
    json_t *trule = rule_by_index(rules, json_integer_value(json_object_get(r0, "ruleIndex")));
    json_t *props = json_object_get(trule, "properties");
    assert_string_equal(json_string_value(json_object_get(props, "security-severity")), "7.5");
    json_t *tags = json_object_get(props, "tags");
    bool has_cwe = false;
    json_array_foreach(tags, i, res) has_cwe |= strcmp(json_string_value(res), "CWE-79") == 0;
    assert_true(has_cwe);
    assert_true(json_is_string(json_object_get(json_object_get(trule, "help"), "markdown")));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(trule, "defaultConfiguration"), "level")),
        "error");
    json_decref(root);
    free(out);

    /* A relative root cannot be a file URI: no originalUriBaseIds. */
    fx->r.root = "relative/dir";
    out = render("sarif", &fx->r, &o);
    root = json_loads(out, 0, NULL);
    assert_null(json_object_get(json_array_get(json_object_get(root, "runs"), 0), "originalUriBaseIds"));
    json_decref(root);
    free(out);
    fx->r.root = "/tmp/my app";
}

static void test_sarif_empty(void **state)
{
    (void)state;
    slsec_scan_result r = {0};
    slsec_report_opts o = {0};
    char *out = render("sarif", &r, &o);
    char path[64];
    write_temp(path, ".sarif", out);
    validate_sarif(path);
    unlink(path);
    json_t *root = json_loads(out, 0, NULL);
    assert_non_null(root);
    json_t *run0 = json_array_get(json_object_get(root, "runs"), 0);
    assert_int_equal(json_array_size(json_object_get(run0, "results")), 0);
    json_decref(root);
    free(out);
}

/* ---- junit ----------------------------------------------------------------- */

/* Well-formed enough for every CI parser: valid UTF-8, no control bytes but
 * tab and newline, every '&' an entity, every '<' a tag, and balanced
 * elements. */
static void assert_xml_sane(const char *x)
{
    assert_true(valid_utf8(x));
    for (const char *p = x; *p; p++) {
        unsigned char c = (unsigned char)*p;
        assert_false(c < 0x20 && c != '\n' && c != '\t');
        if (c == '&') {
            const char *ents[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#10;", "&#9;"};
            bool ok = false;
            for (size_t i = 0; i < 7; i++)
                ok |= strncmp(p, ents[i], strlen(ents[i])) == 0;
            assert_true(ok);
        }
        if (c == '<') {
            const char *tags[] = {"<?xml ", "<testsuites", "</testsuites>", "<testsuite ",
                                  "</testsuite>", "<testcase ", "</testcase>", "<failure ",
                                  "</failure>", "<skipped ", "<properties>", "</properties>",
                                  "<property "};
            bool ok = false;
            for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
                ok |= strncmp(p, tags[i], strlen(tags[i])) == 0;
            assert_true(ok);
        }
    }
}

static void parse_with_python(const char *path)
{
    if (access("/usr/bin/python3", X_OK) != 0)
        return;
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "
             "'%s'",
             path);
    assert_int_equal(run(cmd), 0);
}

static void test_junit(void **state)
{
    fixture *fx = *state;
    slsec_report_opts o = {0};
    char *out = render("junit", &fx->r, &o);
    assert_xml_sane(out);
    char path[64];
    write_temp(path, ".xml", out);
    parse_with_python(path);
    unlink(path);
    assert_non_null(strstr(out, "<testsuite name=\"slsec\" tests=\"3\" failures=\"3\""));
    assert_non_null(strstr(out, "classname=\"TEST-001\" name=\"OrdersFunction (template.yaml:12)\""));
    assert_non_null(strstr(out, "type=\"high\""));
    assert_non_null(strstr(out, "role &quot;OrdersRole&quot; grants &lt;dynamodb:*&gt; &amp; more"));
    assert_null(strstr(out, "suppressed one"));
    assert_null(strstr(out, "slsec scan\""));
    free(out);

    o.show_suppressed = true;
    out = render("junit", &fx->r, &o);
    assert_xml_sane(out);
    assert_non_null(strstr(out, "tests=\"4\" failures=\"3\" errors=\"0\" skipped=\"1\""));
    assert_non_null(strstr(out, "<skipped message=\"suppressed: "));
    free(out);
}

static void test_junit_empty(void **state)
{
    (void)state;
    slsec_scan_result r = {0};
    slsec_report_opts o = {0};
    char *out = render("junit", &r, &o);
    assert_xml_sane(out);
    assert_non_null(strstr(out, "tests=\"1\" failures=\"0\""));
    assert_non_null(strstr(out, "<testcase classname=\"slsec\" name=\"slsec scan\"/>"));
    free(out);
}

/* ---- text ------------------------------------------------------------------ */

__attribute__((noinline)) static size_t count(const char *hay, const char *needle)
{
    /* Offsets rather than pointers: gcc -O3 mistakes the pointer walk for a
     * dangling pointer into the caller's buffer. */
    size_t n = 0, at = 0;
    const char *p;
    while ((p = strstr(hay + at, needle)) != NULL) {
        n++;
        at = (size_t)(p - hay) + 1;
    }
    return n;
}

static void test_text(void **state)
{
    fixture *fx = *state;
    slsec_report_opts o = {0};
    char *out = render("text", &fx->r, &o);
    assert_true(valid_utf8(out));
    assert_null(strchr(out, '\x1b')); /* neither our colours nor the template's */
    assert_non_null(strstr(out, "\\x1b[31mred"));
    assert_non_null(strstr(out, "template.yaml:12:7"));
    assert_non_null(strstr(out, "TEST-001"));
    assert_non_null(strstr(out, "HIGH"));
    assert_non_null(strstr(out, "CRITICAL"));
    assert_non_null(strstr(out, "fix: Do the right thing."));
    assert_null(strstr(out, "Second line of the fix"));
    assert_non_null(strstr(out, "second line"));
    assert_null(strstr(out, "suppressed one"));
    /* One heading per file, one per resource within it. */
    assert_int_equal(count(out, "\ntemplate.yaml\n") + (strncmp(out, "template.yaml\n", 14) == 0), 1);
    assert_int_equal(count(out, "  OrdersFunction"), 1);
    assert_non_null(strstr(out, "(application)"));
    /* Summary: counts, templates, suppressed, warnings; warnings themselves not printed. */
    assert_non_null(strstr(out, "3 findings"));
    assert_non_null(strstr(out, "1 critical, 1 high, 0 medium, 1 low, 0 info"));
    assert_non_null(strstr(out, "2 templates"));
    assert_non_null(strstr(out, "1 suppressed"));
    assert_non_null(strstr(out, "1 warning"));
    assert_null(strstr(out, "expected a mapping"));
    free(out);

    o.quiet = true;
    out = render("text", &fx->r, &o);
    assert_null(strstr(out, "3 findings"));
    free(out);

    o = (slsec_report_opts){.color = true, .show_suppressed = true};
    out = render("text", &fx->r, &o);
    assert_non_null(strstr(out, "\x1b["));
    assert_null(strstr(out, "\x1b[31mred")); /* the template's own escape stays defused */
    assert_non_null(strstr(out, "suppressed one"));
    assert_non_null(strstr(out, "accepted risk"));
    free(out);
}

static void test_text_empty(void **state)
{
    (void)state;
    slsec_scan_result r = {0};
    slsec_report_opts o = {0};
    char *out = render("text", &r, &o);
    assert_non_null(strstr(out, "no findings"));
    free(out);
}

/* ---- markdown --------------------------------------------------------------- */

static void test_markdown(void **state)
{
    fixture *fx = *state;
    slsec_report_opts o = {0};
    char *out = render("markdown", &fx->r, &o);
    assert_true(valid_utf8(out));
    assert_true(out[0] == '#');
    assert_non_null(strstr(out, "| critical | 1 |"));
    assert_non_null(strstr(out, "\\| pipes<br>second line"));
    assert_non_null(strstr(out, "\\<dynamodb:\\*\\>"));
    assert_null(strstr(out, "suppressed one"));
    assert_null(strchr(out, '\x1b'));
    /* Every table row is one line that starts and ends with a pipe, with as
     * many unescaped separators as its header. */
    for (char *line = out; *line;) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (len && line[0] == '|') {
            assert_true(line[len - 1] == '|');
            size_t seps = 0;
            for (size_t i = 0; i < len; i++)
                seps += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
            assert_true(seps == 3 || seps == 4 || seps == 6 || seps == 7);
        }
        line += len + (nl != NULL);
    }
    free(out);

    o.show_suppressed = true;
    out = render("markdown", &fx->r, &o);
    assert_non_null(strstr(out, "## Suppressed findings"));
    assert_non_null(strstr(out, "suppressed one"));
    free(out);
}

/* ---- the catalogue ---------------------------------------------------------- */

static void test_rules_json(void **state)
{
    (void)state;
    char *out = render_rules("json");
    json_t *root = json_loads(out, 0, NULL);
    assert_non_null(root);
    json_t *rules = json_object_get(root, "rules");
    assert_true(json_is_array(rules));
    size_t n;
    slsec_rules_all(&n);
    assert_int_equal(json_array_size(rules), n);
    size_t i;
    json_t *r;
    json_array_foreach(rules, i, r)
    {
        const char *strs[] = {"id", "family", "severity", "title", "why", "fix", "snippet"};
        for (size_t k = 0; k < 7; k++)
            assert_true(json_is_string(json_object_get(r, strs[k])));
        assert_refs(json_object_get(r, "references"));
    }
    json_decref(root);
    free(out);
}

static void test_rules_text_markdown(void **state)
{
    (void)state;
    char *out = render_rules("text");
    assert_true(strncmp(out, "ID", 2) == 0);
    assert_non_null(strstr(out, "SEVERITY"));
    free(out);
    out = render_rules("markdown");
    assert_true(strncmp(out, "# ", 2) == 0);
    assert_non_null(strstr(out, "generated by `slsec rules --format markdown`"));
    assert_non_null(strstr(out, "do not edit it by hand"));
    size_t n;
    const slsec_rule *const *all = slsec_rules_all(&n);
    for (size_t i = 0; i < n; i++)
        assert_non_null(strstr(out, all[i]->id));
    free(out);
}

static void test_explain(void **state)
{
    (void)state;
    char *out = render_explain(&test_rule, "text", false);
    assert_non_null(strstr(out, "TEST-001 — Test rule"));
    assert_non_null(strstr(out, "severity: high"));
    assert_non_null(strstr(out, "family: TEST"));
    assert_non_null(strstr(out, "\nWhy\n  Because a test needs a rule.\n\n  Second paragraph"));
    assert_non_null(strstr(out, "\nFix\n  Do the right thing. Second line of the fix.\n"));
    assert_non_null(strstr(out, "\n    Resources:\n      Fn:\n"));
    assert_non_null(strstr(out, "CWE: CWE-79, CWE-250"));
    assert_non_null(strstr(out, "https://cwe.mitre.org/data/definitions/79.html"));
    assert_non_null(strstr(out, "Checkov: CKV_AWS_1"));
    assert_null(strstr(out, "cfn-nag"));
    assert_null(strchr(out, '\x1b'));
    free(out);

    out = render_explain(&test_rule, "text", true);
    assert_non_null(strchr(out, '\x1b'));
    free(out);

    out = render_explain(&test_rule, "markdown", false);
    assert_true(strncmp(out, "# TEST-001 — ", strlen("# TEST-001 — ")) == 0);
    assert_non_null(strstr(out, "```yaml\nResources:\n"));
    assert_non_null(strstr(out, "Test rule with \\<markup\\> \\& \"quotes\""));
    assert_non_null(strstr(out, "[CWE-79](https://cwe.mitre.org/data/definitions/79.html)"));
    free(out);

    /* A rule with nothing but an id still explains. */
    static const slsec_rule bare = {.id = "BARE-001"};
    out = render_explain(&bare, "text", false);
    assert_non_null(strstr(out, "BARE-001"));
    free(out);
    out = render_explain(&bare, "markdown", false);
    assert_non_null(strstr(out, "BARE-001"));
    free(out);
}

/* The streaming writer lays out JSON exactly as jansson's JSON_INDENT(2)
 * does, escapes included, so a report's bytes never depend on the writer. */
static void test_jsonw_matches_jansson(void **state)
{
    (void)state;
    const char *odd = "tab\t nl\n ctl\x01 quote\" back\\ slash/ \xc3\xa9 bad\xff end";
    slsec_buf b;
    slsec_buf_init(&b);
    slsec_jw w;
    slsec_jw_init(&w, &b);
    slsec_jw_open(&w, '{');
    slsec_jw_key(&w, "s");
    slsec_jw_str(&w, odd);
    slsec_jw_key(&w, "n");
    slsec_jw_int(&w, -42);
    slsec_jw_key(&w, "zero");
    slsec_jw_int(&w, 0);
    slsec_jw_key(&w, "min");
    slsec_jw_int(&w, LLONG_MIN);
    slsec_jw_key(&w, "max");
    slsec_jw_int(&w, LLONG_MAX);
    slsec_jw_key(&w, "plain");
    slsec_jw_str(&w, "only printable ASCII");
    slsec_jw_key(&w, "empty_list");
    slsec_jw_open(&w, '[');
    slsec_jw_close(&w, ']');
    slsec_jw_key(&w, "empty_object");
    slsec_jw_open(&w, '{');
    slsec_jw_close(&w, '}');
    slsec_jw_key(&w, "list");
    slsec_jw_open(&w, '[');
    slsec_jw_bool(&w, true);
    slsec_jw_null(&w);
    slsec_jw_open(&w, '{');
    slsec_jw_key(&w, "k");
    slsec_jw_str(&w, NULL);
    slsec_jw_close(&w, '}');
    slsec_jw_close(&w, ']');
    slsec_jw_close(&w, '}');
    slsec_buf_putc(&b, '\0');

    json_t *root = json_object();
    json_object_set_new(root, "s", slsec_rpt_jstr(odd));
    json_object_set_new(root, "n", json_integer(-42));
    json_object_set_new(root, "zero", json_integer(0));
    json_object_set_new(root, "min", json_integer(LLONG_MIN));
    json_object_set_new(root, "max", json_integer(LLONG_MAX));
    json_object_set_new(root, "plain", json_string("only printable ASCII"));
    json_object_set_new(root, "empty_list", json_array());
    json_object_set_new(root, "empty_object", json_object());
    json_t *list = json_array();
    json_array_append_new(list, json_true());
    json_array_append_new(list, json_null());
    json_t *inner = json_object();
    json_object_set_new(inner, "k", json_null());
    json_array_append_new(list, inner);
    json_object_set_new(root, "list", list);
    char *want = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    assert_string_equal(b.data, want);
    free(want);
    slsec_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_jsonw_matches_jansson),
        cmocka_unit_test_setup_teardown(test_formats_known, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json, setup, teardown),
        cmocka_unit_test(test_json_empty),
        cmocka_unit_test_setup_teardown(test_sarif, setup, teardown),
        cmocka_unit_test(test_sarif_empty),
        cmocka_unit_test_setup_teardown(test_junit, setup, teardown),
        cmocka_unit_test(test_junit_empty),
        cmocka_unit_test_setup_teardown(test_text, setup, teardown),
        cmocka_unit_test(test_text_empty),
        cmocka_unit_test_setup_teardown(test_markdown, setup, teardown),
        cmocka_unit_test(test_rules_json),
        cmocka_unit_test(test_rules_text_markdown),
        cmocka_unit_test(test_explain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
