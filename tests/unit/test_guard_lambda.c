/*
 * test_guard_lambda.c — Lambda events under the guard's policy
 * (src/guard/lambda.c): which trigger an event comes from, and what is
 * allowed to reach the handler. The policy is tests/fixtures/guard/
 * lambda.yml without its WAF part (the WAF has its own test), so the cases
 * here are routes, auth, schemas, base64 bodies and malformed events.
 */
#include "slsec/guard.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static const char policy[] =
    "lambda:\n"
    "  sqs: {schema: schemas/message.json}\n"
    "  sns: {schema: schemas/message.json}\n"
    "  eventbridge: {schema: schemas/message.json}\n"
    "routes:\n"
    "  - {name: public, method: GET, path: /public/**, auth: none}\n"
    "  - {name: create-order, method: POST, path: /orders, auth: none, schema: schemas/order.json,\n"
    "     limits: {max_body_bytes: 200}}\n"
    "  - {name: search, method: GET, path: /search, auth: none, query_schema: schemas/search-query.json}\n"
    "  - {name: order, method: GET, path: \"/customers/{customer}/orders/{id}\", auth: none,\n"
    "     path_schema: schemas/order-path.json}\n";

static slsec_guard_config *cfg;

static int setup(void **state)
{
    (void)state;
    slsec_diag d = {0};
    int rc = slsec_guard_config_parse("lambda.yml", policy, strlen(policy), SLSEC_SOURCE_DIR "/tests/fixtures/guard",
                                      &cfg, &d);
    if (rc)
        fprintf(stderr, "%s:%d:%d: %s\n", d.file, d.line, d.col, d.message);
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    slsec_guard_config_free(cfg);
    return 0;
}

static slsec_event_kind kind_of(const char *text)
{
    json_t *e = json_loads(text, 0, NULL);
    slsec_event_kind k = slsec_guard_event_kind(e);
    json_decref(e);
    return k;
}

static void kinds(void **state)
{
    (void)state;
    assert_int_equal(kind_of("{\"httpMethod\":\"GET\",\"path\":\"/\"}"), SLSEC_EVENT_HTTP);
    assert_int_equal(kind_of("{\"requestContext\":{\"http\":{\"method\":\"GET\"}},\"rawPath\":\"/\"}"), SLSEC_EVENT_HTTP);
    assert_int_equal(kind_of("{\"Records\":[{\"eventSource\":\"aws:sqs\",\"body\":\"x\"}]}"), SLSEC_EVENT_SQS);
    assert_int_equal(kind_of("{\"Records\":[{\"EventSource\":\"aws:sns\",\"Sns\":{}}]}"), SLSEC_EVENT_SNS);
    assert_int_equal(kind_of("{\"Records\":[{\"eventSource\":\"aws:s3\"}]}"), SLSEC_EVENT_S3);
    assert_int_equal(kind_of("{\"detail-type\":\"x\",\"source\":\"y\",\"detail\":{}}"), SLSEC_EVENT_EVENTBRIDGE);
    assert_int_equal(kind_of("{\"Records\":[]}"), SLSEC_EVENT_UNKNOWN);
    assert_int_equal(kind_of("[1]"), SLSEC_EVENT_UNKNOWN);
    assert_int_equal(slsec_guard_event_kind(NULL), SLSEC_EVENT_UNKNOWN);
}

static bool allowed(const char *event, char *why)
{
    return slsec_guard_event_allowed(cfg, NULL, event, strlen(event), 1800000000LL, 0, why, 200);
}

static void http_events(void **state)
{
    (void)state;
    char why[200];
    assert_true(allowed("{\"httpMethod\":\"GET\",\"path\":\"/public/a\"}", why));
    assert_false(allowed("{\"httpMethod\":\"GET\",\"path\":\"/private\"}", why));
    assert_string_equal(why, "no_route");
    assert_true(allowed("{\"httpMethod\":\"POST\",\"path\":\"/orders\",\"body\":\"{\\\"item\\\":\\\"ABC-1234\\\",\\\"qty\\\":1}\"}", why));
    assert_false(allowed("{\"httpMethod\":\"POST\",\"path\":\"/orders\",\"body\":\"{\\\"item\\\":\\\"x\\\",\\\"qty\\\":1}\"}", why));
    assert_string_equal(why, "schema: /item: pattern");
    /* the same valid body, base64 as API Gateway sends binary: decoded first */
    assert_true(allowed("{\"httpMethod\":\"POST\",\"path\":\"/orders\",\"isBase64Encoded\":true,"
                        "\"body\":\"eyJpdGVtIjoiQUJDLTEyMzQiLCJxdHkiOjF9\"}", why));
    assert_false(allowed("{\"httpMethod\":\"POST\",\"path\":\"/orders\",\"isBase64Encoded\":true,\"body\":\"***\"}", why));
    assert_string_equal(why, "malformed: the body is not base64");
    char big[600];
    snprintf(big, sizeof big, "{\"httpMethod\":\"POST\",\"path\":\"/orders\",\"body\":\"%0300d\"}", 0);
    assert_false(allowed(big, why));
    assert_string_equal(why, "body_size");
    assert_false(allowed("{\"httpMethod\":\"POST\"}", why));
    assert_false(allowed("not json", why));
    assert_string_equal(why, "malformed: the event is not JSON");
}

static void http_parameters(void **state)
{
    (void)state;
    char why[200];
    /* HTTP API (v2): the raw query string */
    assert_true(allowed("{\"rawPath\":\"/search\",\"rawQueryString\":\"q=a&limit=5\","
                        "\"requestContext\":{\"http\":{\"method\":\"GET\"}}}", why));
    assert_false(allowed("{\"rawPath\":\"/search\",\"rawQueryString\":\"q=a&limit=500\","
                         "\"requestContext\":{\"http\":{\"method\":\"GET\"}}}", why));
    assert_string_equal(why, "query_schema: query: /limit: maximum");
    /* REST API (v1): decoded maps, repeated keys in the multi-value one */
    assert_true(allowed("{\"httpMethod\":\"GET\",\"path\":\"/search\",\"queryStringParameters\":{\"q\":\"a b&c\"},"
                        "\"multiValueQueryStringParameters\":{\"q\":[\"a b&c\"],\"tag\":[\"x\",\"y\"]}}", why));
    assert_false(allowed("{\"httpMethod\":\"GET\",\"path\":\"/search\",\"queryStringParameters\":{\"limit\":\"5\"}}",
                         why));
    assert_string_equal(why, "query_schema: query: /: required");
    assert_false(allowed("{\"httpMethod\":\"GET\",\"path\":\"/search\"}", why));
    assert_true(allowed("{\"httpMethod\":\"GET\",\"path\":\"/customers/c1/orders/3\"}", why));
    assert_false(allowed("{\"httpMethod\":\"GET\",\"path\":\"/customers/c1/orders/-3\"}", why));
    assert_string_equal(why, "path_schema: path: /id: minimum");
}

static void record_events(void **state)
{
    (void)state;
    char why[200];
    assert_true(allowed("{\"Records\":[{\"eventSource\":\"aws:sqs\",\"body\":\"{\\\"orderId\\\":\\\"o-1\\\"}\"}]}", why));
    assert_false(allowed("{\"Records\":[{\"eventSource\":\"aws:sqs\",\"body\":\"{\\\"orderId\\\":\\\"o-1\\\"}\"},"
                         "{\"eventSource\":\"aws:sqs\",\"body\":\"plain text\"}]}", why));
    assert_string_equal(why, "record 1: the message is not JSON");
    assert_false(allowed("{\"Records\":[{\"EventSource\":\"aws:sns\",\"Sns\":{\"Message\":\"{\\\"orderId\\\":7}\"}}]}", why));
    assert_string_equal(why, "record 0: schema: /orderId: type");
    assert_true(allowed("{\"detail-type\":\"t\",\"source\":\"s\",\"detail\":{\"orderId\":\"o-9\"}}", why));
    assert_false(allowed("{\"detail-type\":\"t\",\"source\":\"s\",\"detail\":{\"amount\":-1}}", why));
    /* S3 and unknown events pass: nothing configured for them */
    assert_true(allowed("{\"Records\":[{\"eventSource\":\"aws:s3\"}]}", why));
    assert_true(allowed("{\"anything\":1}", why));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kinds),
        cmocka_unit_test(http_events),
        cmocka_unit_test(http_parameters),
        cmocka_unit_test(record_events),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
