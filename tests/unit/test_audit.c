/*
 * test_audit.c — slsec audit (src/audit): the IAM action table, the
 * event-to-action exceptions, the CloudTrail splitter (every shape, every
 * chunking, the bad inputs), and the whole audit of
 * tests/fixtures/cloudtrail against its template with exact expected sets
 * and the expected least-privilege policies (tests/fixtures/cloudtrail/expected).
 */
#include "slsec/audit.h"
#include "audit/audit_internal.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define FIX SLSEC_SOURCE_DIR "/tests/fixtures/cloudtrail"
#define DAY2 FIX "/AWSLogs/111122223333/CloudTrail/us-east-1/2026/10/02/111122223333_CloudTrail_us-east-1_20261002T1000Z_b2.json"

/* ---- the IAM table --------------------------------------------------------------- */

static void count_cb(const char *service, const char *action, slsec_access_level level, void *user)
{
    (void)level;
    size_t *n = user;
    char full[256];
    snprintf(full, sizeof full, "%s:%s", service, action);
    assert_true(slsec_glob_match_ci("s3:Get*", full));
    (*n)++;
}

static void test_iam_table(void **state)
{
    (void)state;
    char canon[128];
    assert_int_equal(slsec_iam_action_level("s3:getobject", canon, sizeof canon), SLSEC_ACCESS_READ);
    assert_string_equal(canon, "s3:GetObject");
    assert_int_equal(slsec_iam_action_level("iam:PutRolePolicy", NULL, 0), SLSEC_ACCESS_PERMISSIONS);
    assert_int_equal(slsec_iam_action_level("s3:PutBucketTagging", NULL, 0), SLSEC_ACCESS_TAGGING);
    assert_int_equal(slsec_iam_action_level("s3:ListAllMyBuckets", NULL, 0), SLSEC_ACCESS_LIST);
    assert_int_equal(slsec_iam_action_level("dynamodb:DeleteTable", NULL, 0), SLSEC_ACCESS_WRITE);
    assert_int_equal(slsec_iam_action_level("s3:NoSuchAction", NULL, 0), SLSEC_ACCESS_UNKNOWN);
    assert_int_equal(slsec_iam_action_level("nosuchservice:Get", NULL, 0), SLSEC_ACCESS_UNKNOWN);
    assert_int_equal(slsec_iam_action_level("s3", NULL, 0), SLSEC_ACCESS_UNKNOWN);
    assert_int_equal(slsec_iam_action_level(NULL, NULL, 0), SLSEC_ACCESS_UNKNOWN);
    /* services whose prefix is a prefix of another sort the way C compares them */
    assert_int_equal(slsec_iam_action_level("s3-object-lambda:GetObject", NULL, 0), SLSEC_ACCESS_READ);

    size_t services, actions;
    const char *version;
    slsec_iam_table_size(&services, &actions, &version);
    assert_true(services > 400 && actions > 20000);
    assert_true(version && *version);
    assert_int_equal(slsec_iam_expand("*", NULL, NULL), actions);
    size_t n = 0;
    size_t m = slsec_iam_expand("s3:Get*", count_cb, &n);
    assert_int_equal(m, n);
    assert_true(n > 40);
    assert_int_equal(slsec_iam_expand("dynamodb:?etItem", NULL, NULL), 1);
    assert_int_equal(slsec_iam_expand("sqs:SendMessage", NULL, NULL), 1);
    assert_int_equal(slsec_iam_expand("nope:*", NULL, NULL), 0);
    assert_int_equal(slsec_iam_expand("s3:", NULL, NULL), 0);
    assert_true(slsec_iam_expand("s3*:*", NULL, NULL) > slsec_iam_expand("s3:*", NULL, NULL));
}

/* ---- events to actions ------------------------------------------------------------- */

static void expect_action(const char *source, const char *name, const char *want)
{
    char out[128] = "";
    bool ok = slsec_event_action(source, name, out, sizeof out);
    if (!want) {
        if (ok)
            fail_msg("%s %s mapped to %s, expected nothing", source, name, out);
        return;
    }
    if (!ok)
        fail_msg("%s %s mapped to nothing, expected %s", source, name, want);
    assert_string_equal(out, want);
}

static void test_event_actions(void **state)
{
    (void)state;
    expect_action("dynamodb.amazonaws.com", "DescribeTable", "dynamodb:DescribeTable");
    expect_action("s3.amazonaws.com", "ListObjectsV2", "s3:ListBucket");
    expect_action("s3.amazonaws.com", "ListBuckets", "s3:ListAllMyBuckets");
    expect_action("s3.amazonaws.com", "HeadObject", "s3:GetObject");
    expect_action("s3.amazonaws.com", "DeleteObjects", "s3:DeleteObject");
    expect_action("s3.amazonaws.com", "PutBucketEncryption", "s3:PutEncryptionConfiguration");
    expect_action("lambda.amazonaws.com", "UpdateFunctionCode20150331v2", "lambda:UpdateFunctionCode");
    expect_action("lambda.amazonaws.com", "ListFunctions20150331", "lambda:ListFunctions");
    expect_action("lambda.amazonaws.com", "Invoke", "lambda:InvokeFunction");
    expect_action("monitoring.amazonaws.com", "PutMetricData", "cloudwatch:PutMetricData");
    expect_action("email.amazonaws.com", "SendEmail", "ses:SendEmail");
    expect_action("streams.dynamodb.amazonaws.com", "GetRecords", "dynamodb:GetRecords");
    expect_action("sts.amazonaws.com", "AssumeRole", "sts:AssumeRole");
    expect_action("signin.amazonaws.com", "ConsoleLogin", NULL);
    expect_action("apigateway.amazonaws.com", "GetRestApis", NULL);
    expect_action("madeup.amazonaws.com", "DoThing", NULL);
    expect_action("s3.amazonaws.com", "NotAnAction", NULL);
    expect_action("s3.amazonaws.com", "", NULL);
    expect_action(NULL, "x", NULL);

    assert_true(slsec_action_is_data_event("s3:GetObject"));
    assert_true(slsec_action_is_data_event("s3:PutObjectAcl"));
    assert_true(slsec_action_is_data_event("dynamodb:PutItem"));
    assert_true(slsec_action_is_data_event("lambda:InvokeFunction"));
    assert_true(slsec_action_is_data_event("sqs:SendMessage"));
    assert_true(slsec_action_is_data_event("sns:Publish"));
    assert_false(slsec_action_is_data_event("dynamodb:DescribeTable"));
    assert_false(slsec_action_is_data_event("s3:ListAllMyBuckets"));
    assert_false(slsec_action_is_data_event("kms:Decrypt"));
    assert_false(slsec_action_is_data_event(NULL));
}

/* ---- the splitter ------------------------------------------------------------------ */

typedef struct collected {
    slsec_buf all;   /* records joined by '\n' */
    size_t records, problems;
    char last_problem[256];
} collected;

static void on_rec(void *user, const char *json, size_t len, size_t index)
{
    collected *c = user;
    c->records++;
    assert_true(index >= c->records); /* skipped records keep their number */
    slsec_buf_append(&c->all, json, len);
    slsec_buf_putc(&c->all, '\n');
}

static void on_prob(void *user, size_t index, const char *message)
{
    (void)index;
    collected *c = user;
    c->problems++;
    snprintf(c->last_problem, sizeof c->last_problem, "%s", message);
}

/* Splits data fed in chunks of `chunk` bytes (0: all at once). */
static void split(const char *data, size_t len, size_t chunk, size_t max, collected *c)
{
    memset(c, 0, sizeof *c);
    slsec_buf_init(&c->all);
    slsec_ct_splitter *s = slsec_ct_splitter_new(on_rec, on_prob, c, max);
    if (!chunk)
        chunk = len ? len : 1;
    for (size_t off = 0; off < len; off += chunk)
        slsec_ct_splitter_feed(s, data + off, len - off < chunk ? len - off : chunk);
    assert_int_equal(slsec_ct_splitter_finish(s), c->records);
    slsec_ct_splitter_free(s);
}

static void expect_split(const char *data, const char *want, size_t problems)
{
    for (size_t chunk = 0; chunk <= 7; chunk++) {
        collected c;
        split(data, strlen(data), chunk, 0, &c);
        const char *got = c.all.data ? c.all.data : "";
        if (strcmp(got, want) != 0 || c.problems != problems)
            fail_msg("chunk %zu of %s: got [%s] with %zu problems (last: %s), want [%s] with %zu", chunk, data,
                     got, c.problems, c.last_problem, want, problems);
        slsec_buf_free(&c.all);
    }
}

static void test_splitter_shapes(void **state)
{
    (void)state;
    /* S3 delivery, Records anywhere in the object, nested "Records" left alone */
    expect_split("{\"Records\":[{\"a\":1},{\"b\":{\"Records\":[2]}}]}", "{\"a\":1}\n{\"b\":{\"Records\":[2]}}\n", 0);
    expect_split("{\"x\":\"Records\",\"Records\" : [ {\"a\":\"}]{\\\"\"} ] }\n",
                 "{\"a\":\"}]{\\\"\"}\n", 0);
    /* JSON lines, an array, and both one after the other */
    expect_split("{\"a\":1}\n{\"b\":2}\n", "{\"a\":1}\n{\"b\":2}\n", 0);
    expect_split("[{\"a\":1},{\"b\":[{}]}]", "{\"a\":1}\n{\"b\":[{}]}\n", 0);
    expect_split("{\"Records\":[{\"a\":1}]}{\"c\":3}", "{\"a\":1}\n{\"c\":3}\n", 0);
    /* empty inputs */
    expect_split("", "", 0);
    expect_split("{\"Records\":[]}", "", 0);
    /* a key that only looks like Records */
    expect_split("{\"Records2\":[{\"a\":1}]}", "{\"Records2\":[{\"a\":1}]}\n", 0);
    expect_split("{\"Rec\\u006frds\":[{\"a\":1}]}", "{\"Rec\\u006frds\":[{\"a\":1}]}\n", 0);
}

static void test_splitter_bad_input(void **state)
{
    (void)state;
    collected c;
    /* Records that is not an array: reported, skipped, the next object read */
    expect_split("{\"Records\":{\"a\":1}}\n{\"b\":2}", "{\"b\":2}\n", 1);
    /* truncated inside a record: what came before survives */
    expect_split("{\"Records\":[{\"a\":1},{\"b\":", "{\"a\":1}\n", 1);
    expect_split("{\"Records\":[{\"a\":1},", "{\"a\":1}\n", 1);
    /* garbage and mismatched brackets: resynchronised */
    expect_split("garbage {\"a\":1}", "{\"a\":1}\n", 1);
    expect_split("{\"a\":[1}\n{\"b\":2}", "{\"b\":2}\n", 1);
    expect_split("}{\"b\":2}", "{\"b\":2}\n", 1);
    /* a record over the limit is skipped, the next one read */
    const char *big = "{\"Records\":[{\"pad\":\"0123456789012345678901234567890123456789\"},{\"a\":1}]}";
    for (size_t chunk = 0; chunk < 5; chunk++) {
        split(big, strlen(big), chunk, 32, &c);
        assert_int_equal(c.records, 1);
        assert_int_equal(c.problems, 1);
        assert_string_equal(c.all.data, "{\"a\":1}\n");
        assert_non_null(strstr(c.last_problem, "larger than 32 bytes"));
        slsec_buf_free(&c.all);
    }
    /* deep nesting does not crash */
    slsec_buf deep;
    slsec_buf_init(&deep);
    for (int i = 0; i < 1000; i++)
        slsec_buf_puts(&deep, "{\"a\":[");
    split(deep.data, deep.len, 0, 0, &c);
    assert_int_equal(c.records, 0);
    assert_int_equal(c.problems, 1);
    slsec_buf_free(&c.all);
    slsec_buf_free(&deep);
}

/* The day-2 fixture split whole and in small chunks gives the same records. */
static void test_splitter_chunked_fixture(void **state)
{
    (void)state;
    char *data;
    size_t len;
    slsec_diag d;
    assert_int_equal(slsec_read_file(DAY2, 1u << 24, &data, &len, &d), SLSEC_OK);
    collected whole;
    split(data, len, 0, 0, &whole);
    assert_int_equal(whole.problems, 0);
    assert_int_equal(whole.records, 25);
    static const size_t chunks[] = {1, 2, 3, 7, 64, 1000};
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        collected c;
        split(data, len, chunks[i], 0, &c);
        assert_int_equal(c.records, whole.records);
        assert_int_equal(c.all.len, whole.all.len);
        assert_memory_equal(c.all.data, whole.all.data, whole.all.len);
        slsec_buf_free(&c.all);
    }
    slsec_buf_free(&whole.all);
    free(data);
}

/* ---- one record's fields ------------------------------------------------------------ */

static void test_record_fields(void **state)
{
    (void)state;
    slsec_ct_record r = {0};
    const char *ok = "{\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"Get\\u0041\\n\\ud83d\\ude00\","
                     "\"requestParameters\":{\"userIdentity\":{\"type\":\"fake\"},\"bucketName\":\"b\",\"n\":[1,2.5e3,-0]},"
                     "\"userIdentity\":{\"type\":\"AssumedRole\",\"sessionContext\":{\"sessionIssuer\":"
                     "{\"arn\":\"arn:aws:iam::1:role/R\"}}},\"resources\":[{\"ARN\":\"arn:a\"},{\"type\":\"t\"},"
                     "{\"ARN\":\"arn:b\"}],\"eventTime\":null,\"readOnly\":true,\"x\":{\"eventSource\":\"nested\"}}";
    assert_true(slsec_ct_record_parse(&r, ok, strlen(ok)));
    assert_string_equal(r.f[SLSEC_CT_SOURCE], "s3.amazonaws.com");
    assert_string_equal(r.f[SLSEC_CT_NAME], "GetA\n\xf0\x9f\x98\x80");
    assert_string_equal(r.f[SLSEC_CT_U_TYPE], "AssumedRole"); /* not requestParameters.userIdentity.type */
    assert_string_equal(r.f[SLSEC_CT_ISSUER_ARN], "arn:aws:iam::1:role/R");
    assert_string_equal(r.f[SLSEC_CT_P_BUCKET], "b");
    assert_null(r.f[SLSEC_CT_TIME]);
    assert_true(r.has_identity);
    assert_int_equal(r.narns, 2);
    assert_string_equal(r.arns[1], "arn:b");
    static const char *const bad[] = {
        "", "[]", "{", "{\"a\":}", "{\"a\":1,}", "{\"a\":1} x", "{\"a\":\"\x01\"}", "{\"a\":\"\\q\"}",
        "{\"a\":\"\\u12\"}", "{\"a\":tru}", "{\"a\":[1 2]}", "{\"a\" 1}", "{\"a\":\"x}", "{\"a\":-}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (slsec_ct_record_parse(&r, bad[i], strlen(bad[i])))
            fail_msg("accepted malformed record %s", bad[i]);
    /* identity given as a string is no identity */
    const char *str_uid = "{\"userIdentity\":\"x\"}";
    assert_true(slsec_ct_record_parse(&r, str_uid, strlen(str_uid)));
    assert_false(r.has_identity);
    free(r.scratch);
}

/* ---- the whole audit ----------------------------------------------------------------- */

static void expect_set(const slsec_ptrvec *got, const char *const *want, size_t n, const char *what)
{
    bool same = got->count == n;
    for (size_t i = 0; same && i < n; i++)
        same = strcmp(got->items[i], want[i]) == 0;
    if (!same) {
        for (size_t i = 0; i < got->count; i++)
            print_message("  got %s[%zu] = %s\n", what, i, (const char *)got->items[i]);
        fail_msg("%s differs (got %zu items, want %zu)", what, got->count, n);
    }
}

#define EXPECT_SET(got, ...)                                                       \
    do {                                                                           \
        static const char *const want_[] = {__VA_ARGS__};                          \
        expect_set(&(got), want_, sizeof want_ / sizeof want_[0], #got);           \
    } while (0)
#define EXPECT_EMPTY(got) expect_set(&(got), NULL, 0, #got)

static const slsec_audit_role *role_of(const slsec_audit *au, const char *id)
{
    for (size_t i = 0; i < au->roles.count; i++) {
        const slsec_audit_role *ar = au->roles.items[i];
        if (strcmp(ar->role->id, id) == 0)
            return ar;
    }
    fail_msg("no role %s", id);
    return NULL;
}

static slsec_scan_result *load_template(void)
{
    static const char *const paths[] = {FIX "/template.yaml"};
    static const char *const only[] = {"AUDIT-*"};
    slsec_scan_opts so;
    slsec_scan_opts_init(&so);
    so.paths = paths;
    so.path_count = 1;
    so.no_config = true;
    so.extra_only = only;
    so.extra_only_count = 1;
    slsec_scan_result *r = NULL;
    slsec_diag err;
    assert_int_equal(slsec_scan_run(&so, &r, &err), SLSEC_OK);
    return r;
}

static size_t count_rule(const slsec_scan_result *r, const char *id)
{
    size_t n = 0;
    for (size_t i = 0; i < r->findings.count; i++)
        n += strcmp(((const slsec_finding *)r->findings.items[i])->rule->id, id) == 0;
    return n;
}

static bool has_warning(const slsec_scan_result *r, const char *file_part, const char *msg_part)
{
    for (size_t i = 0; i < r->warnings.count; i++)
        if (strstr(r->warnings.items[i].file, file_part) && strstr(r->warnings.items[i].message, msg_part))
            return true;
    return false;
}

static void expect_policy(slsec_scan_result *r, const slsec_audit_role *ar, const char *file)
{
    char *want;
    size_t len;
    slsec_diag d;
    char path[512];
    snprintf(path, sizeof path, FIX "/expected/%s", file);
    assert_int_equal(slsec_read_file(path, 1u << 20, &want, &len, &d), SLSEC_OK);
    const char *got = slsec_audit_policy_json(r, ar);
    /* the committed files have no final newline after the closing brace */
    if (strncmp(got, want, len) != 0)
        fail_msg("policy of %s differs from %s:\n%s", ar->role->id, path, got);
    free(want);
}

static void test_audit_fixture(void **state)
{
    (void)state;
    slsec_scan_result *r = load_template();
    static const char *const trails[] = {FIX "/AWSLogs", FIX "/lake.jsonl"};
    slsec_audit_opts o;
    slsec_audit_opts_init(&o);
    o.trails = trails;
    o.trail_count = 2;
    slsec_audit *au = NULL;
    slsec_diag err;
    assert_int_equal(slsec_audit_run(r, &o, &au, &err), SLSEC_OK);

    /* two functions sharing OrdersRole (generated name shop-OrdersRole-...) */
    const slsec_audit_role *orders = role_of(au, "OrdersRole");
    assert_string_equal(orders->arn, "arn:aws:iam::111122223333:role/shop-OrdersRole-1A2B3C4D5E6F");
    assert_int_equal(orders->events, 6); /* 5 on day 1 (one denied), 1 kept from the truncated file */
    EXPECT_SET(orders->used, "dynamodb:DescribeTable", "kms:Decrypt", "s3:ListAllMyBuckets");
    EXPECT_SET(orders->unused, "dynamodb:DeleteTable", "dynamodb:UpdateTable", "s3:GetBucketLocation",
               "sqs:CreateQueue", "sqs:DeleteQueue");
    EXPECT_SET(orders->unobservable, "dynamodb:GetItem", "dynamodb:PutItem", "s3:GetObject", "sqs:SendMessage");
    EXPECT_SET(orders->services_unused, "sqs");
    EXPECT_EMPTY(orders->used_not_granted);
    EXPECT_EMPTY(orders->opaque);
    expect_policy(r, orders, "OrdersRole.json");

    /* one function with its own role, named with Fn::Sub */
    const slsec_audit_role *reports = role_of(au, "ReportsRole");
    EXPECT_SET(reports->used, "cloudwatch:PutMetricData", "ssm:GetParameter");
    EXPECT_SET(reports->unused, "ssm:PutParameter");
    EXPECT_EMPTY(reports->unobservable);
    EXPECT_EMPTY(reports->services_unused);
    expect_policy(r, reports, "ReportsRole.json");

    /* SAM's implicit role with a managed policy, never seen */
    const slsec_audit_role *cleanup = role_of(au, "CleanupFunctionRole");
    assert_int_equal(cleanup->events, 0);
    EXPECT_SET(cleanup->granted, "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents");

    assert_int_equal(count_rule(r, "AUDIT-001"), 3); /* dynamodb, s3 of OrdersRole; ssm of ReportsRole */
    assert_int_equal(count_rule(r, "AUDIT-002"), 1);
    assert_int_equal(count_rule(r, "AUDIT-003"), 1);
    assert_int_equal(count_rule(r, "AUDIT-004"), 1);
    assert_int_equal(count_rule(r, "AUDIT-005"), 2); /* other-team-role, cdk-deploy */
    assert_int_equal(count_rule(r, "AUDIT-006"), 1);
    assert_int_equal(count_rule(r, "AUDIT-010"), 1); /* alice, not bob */
    assert_int_equal(count_rule(r, "AUDIT-011"), 1);
    assert_int_equal(count_rule(r, "AUDIT-012"), 1);
    assert_int_equal(count_rule(r, "AUDIT-013"), 1);
    assert_int_equal(count_rule(r, "AUDIT-014"), 1); /* alice; CloudFormation's change is not reported */
    assert_int_equal(count_rule(r, "AUDIT-015"), 2);
    size_t high = 0;
    for (size_t i = 0; i < r->findings.count; i++)
        high += ((const slsec_finding *)r->findings.items[i])->severity == SLSEC_SEV_HIGH;
    assert_int_equal(r->counts[SLSEC_SEV_HIGH], high);

    /* each security finding names principal, window, count and a sample event */
    for (size_t i = 0; i < r->findings.count; i++) {
        const slsec_finding *f = r->findings.items[i];
        if (strcmp(f->rule->id, "AUDIT-010") == 0) {
            assert_non_null(strstr(f->message, "user/alice"));
            assert_non_null(strstr(f->message, "1 time at 2026-10-02T10:00:00Z"));
            assert_non_null(strstr(f->message, "sample event ev-0009"));
        }
        if (strcmp(f->rule->id, "AUDIT-012") == 0)
            assert_non_null(strstr(f->message, "user/mallory was denied 12 times"));
    }

    /* bad input: a warning with file and record index, the rest goes on */
    assert_true(has_warning(r, "b2.json", "record 8: no eventSource"));
    assert_true(has_warning(r, "b2.json", "record 9: event DoThing from madeup.amazonaws.com"));
    assert_true(has_warning(r, "c3.json.gz", "gzip data ends early after record 1"));
    assert_true(has_warning(r, "c3.json.gz", "record 2: input ends inside a record"));
    assert_int_equal(au->stats.files, 4);
    assert_int_equal(au->stats.bad_records, 1);
    assert_string_equal(au->stats.first_time, "2026-10-01T07:00:00Z");
    assert_string_equal(au->stats.last_time, "2026-10-04T08:00:00Z");
    slsec_scan_result_free(r);
}

static void test_audit_window_and_map(void **state)
{
    (void)state;
    slsec_scan_result *r = load_template();
    static const char *const trails[] = {FIX "/lake.jsonl"};
    static const char *const map[] = {"OrdersRole=arn:aws:iam::111122223333:role/shop-reports"};
    slsec_audit_opts o;
    slsec_audit_opts_init(&o);
    o.trails = trails;
    o.trail_count = 1;
    o.role_map = map;
    o.role_map_count = 1;
    o.since = "2026-10-03T09:00:30Z";
    slsec_audit *au = NULL;
    slsec_diag err;
    assert_int_equal(slsec_audit_run(r, &o, &au, &err), SLSEC_OK);
    assert_int_equal(au->stats.records, 1);
    assert_int_equal(au->stats.out_of_window, 1);
    /* --role-map wins over the RoleName of ReportsRole */
    EXPECT_SET(role_of(au, "OrdersRole")->used, "ssm:GetParameter");
    EXPECT_SET(role_of(au, "OrdersRole")->used_not_granted, "ssm:GetParameter");
    assert_int_equal(role_of(au, "ReportsRole")->events, 0);
    slsec_scan_result_free(r);

    r = load_template();
    static const char *const bad_map[] = {"NoSuchRole=arn:aws:iam::1:role/x"};
    o.role_map = bad_map;
    assert_int_equal(slsec_audit_run(r, &o, &au, &err), SLSEC_EUSAGE);
    assert_non_null(strstr(err.message, "NoSuchRole"));
    slsec_scan_result_free(r);

    /* nothing readable: an error, not an empty audit */
    r = load_template();
    static const char *const unreadable[] = {FIX "/not-array.json", FIX "/no-such-file.json"};
    o.role_map_count = 0;
    o.since = NULL;
    o.trails = unreadable;
    o.trail_count = 2;
    assert_int_equal(slsec_audit_run(r, &o, &au, &err), SLSEC_EPARSE);
    slsec_scan_result_free(r);
}

/* Bursts and keys over several windows: one finding per principal, naming
 * the worst window (only the worst is kept, so memory stays flat). */
static void test_audit_windows_worst(void **state)
{
    (void)state;
    char path[] = "/tmp/slsec-test-audit-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    static const struct {
        int hour, n;
    } bursts[] = {{0, 10}, {1, 15}, {2, 3}};
    int id = 0;
    for (size_t b = 0; b < 3; b++)
        for (int i = 0; i < bursts[b].n; i++)
            fprintf(f, "{\"eventTime\":\"2026-10-01T%02d:00:%02dZ\",\"eventSource\":\"s3.amazonaws.com\","
                       "\"eventName\":\"ListBuckets\",\"errorCode\":\"AccessDenied\",\"eventID\":\"d%d\","
                       "\"userIdentity\":{\"type\":\"IAMUser\",\"arn\":\"arn:aws:iam::1:user/x\"}}\n",
                    bursts[b].hour, i, id++);
    static const char *const ips[] = {"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.1",
                                      "192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"};
    for (int i = 0; i < 8; i++)
        fprintf(f, "{\"eventTime\":\"2026-10-02T%02d:10:00Z\",\"eventSource\":\"sts.amazonaws.com\","
                   "\"eventName\":\"GetCallerIdentity\",\"sourceIPAddress\":\"%s\",\"eventID\":\"k%d\","
                   "\"userIdentity\":{\"type\":\"IAMUser\",\"arn\":\"arn:aws:iam::1:user/ci\","
                   "\"accessKeyId\":\"AKIAKEY\"}}\n",
                i < 4 ? 1 : 3, ips[i], i);
    fclose(f);
    slsec_scan_result *r = load_template();
    const char *trails[] = {path};
    slsec_audit_opts o;
    slsec_audit_opts_init(&o);
    o.trails = trails;
    o.trail_count = 1;
    slsec_audit *au = NULL;
    slsec_diag err;
    assert_int_equal(slsec_audit_run(r, &o, &au, &err), SLSEC_OK);
    unlink(path);
    assert_int_equal(count_rule(r, "AUDIT-012"), 1);
    assert_int_equal(count_rule(r, "AUDIT-013"), 1);
    for (size_t i = 0; i < r->findings.count; i++) {
        const slsec_finding *fd2 = r->findings.items[i];
        if (strcmp(fd2->rule->id, "AUDIT-012") == 0)
            assert_non_null(strstr(fd2->message, "denied 15 times"));
        if (strcmp(fd2->rule->id, "AUDIT-013") == 0)
            assert_non_null(strstr(fd2->message, "from 4 addresses"));
    }
    slsec_scan_result_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iam_table),
        cmocka_unit_test(test_event_actions),
        cmocka_unit_test(test_splitter_shapes),
        cmocka_unit_test(test_splitter_bad_input),
        cmocka_unit_test(test_splitter_chunked_fixture),
        cmocka_unit_test(test_record_fields),
        cmocka_unit_test(test_audit_fixture),
        cmocka_unit_test(test_audit_window_and_map),
        cmocka_unit_test(test_audit_windows_worst),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
