/*
 * test_guard_params.c — query-string and path parameters
 * (src/guard/params.c, slsec_schema_coerce_params): decoding, repeated
 * keys, {named} segments in routes, typing by the schema, and the refusals
 * (bad percent-encoding, not UTF-8, too many parameters) that must never
 * be guessed at.
 */
#include "slsec/guard.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define FIXTURES SLSEC_SOURCE_DIR "/tests/fixtures/guard"

static char *dump(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

static void assert_query(const char *query, const char *want)
{
    char why[200] = "";
    json_t *o = slsec_guard_query_object(query, why, sizeof why);
    if (!want) {
        if (o)
            fail_msg("query %s decoded, expected a refusal", query);
        assert_true(why[0] != '\0');
        return;
    }
    if (!o)
        fail_msg("query %s refused: %s", query, why);
    char *got = dump(o);
    if (strcmp(got, want) != 0)
        fail_msg("query %s: got %s, want %s", query, got, want);
    free(got);
    json_decref(o);
}

static void query_strings_decode(void **state)
{
    (void)state;
    assert_query(NULL, "{}");
    assert_query("", "{}");
    assert_query("a=1&b=two", "{\"a\":\"1\",\"b\":\"two\"}");
    assert_query("q=red+shoes%21&&flag", "{\"flag\":\"\",\"q\":\"red shoes!\"}");
    assert_query("tag=a&tag=b&tag=c", "{\"tag\":[\"a\",\"b\",\"c\"]}");
    assert_query("k%3D=v%26w", "{\"k=\":\"v&w\"}");
    assert_query("e=%C3%A9", "{\"e\":\"\xc3\xa9\"}");
    assert_query("a=%zz", NULL);   /* not a percent escape */
    assert_query("a=%4", NULL);    /* cut short */
    assert_query("a=%00", NULL);   /* a NUL would end the text early upstream */
    assert_query("a=%ff", NULL);   /* not UTF-8 */
    char *many = malloc(SLSEC_GUARD_MAX_QUERY_PARAMS * 4 + 16);
    size_t n = 0;
    for (unsigned i = 0; i <= SLSEC_GUARD_MAX_QUERY_PARAMS; i++)
        n += (size_t)sprintf(many + n, "a=%u&", i % 10);
    assert_query(many, NULL);
    free(many);
}

static slsec_guard_config *load(const char *yml)
{
    slsec_guard_config *c = NULL;
    slsec_diag d = {0};
    if (slsec_guard_config_parse("t.yml", yml, strlen(yml), FIXTURES, &c, &d))
        fail_msg("%s:%d:%d: %s", d.file, d.line, d.col, d.message);
    return c;
}

static const char *const YML = "upstreams:\n  app: {url: \"http://127.0.0.1:9000\"}\n"
                               "routes:\n"
                               "  - {name: order, path: \"/customers/{customer}/orders/{id}\", upstream: app, auth: none,\n"
                               "     path_schema: schemas/order-path.json}\n"
                               "  - {name: search, path: /search, upstream: app, auth: none,\n"
                               "     query_schema: schemas/search-query.json}\n"
                               "  - {name: files, path: \"/files/{bucket}/**\", upstream: app, auth: none}\n";

static void named_segments_route_and_decode(void **state)
{
    (void)state;
    slsec_guard_config *c = load(YML);
    const slsec_guard_route *r = slsec_guard_route_match(c, "GET", "/customers/acme/orders/42");
    assert_ptr_equal(r, &c->routes[0]);
    assert_null(slsec_guard_route_match(c, "GET", "/customers//orders/42"));
    assert_null(slsec_guard_route_match(c, "GET", "/customers/acme/orders/42/x"));
    assert_null(slsec_guard_route_match(c, "GET", "/customers/acme/orders"));
    assert_ptr_equal(slsec_guard_route_match(c, "GET", "/files/b1/a/b"), &c->routes[2]);

    char why[200] = "";
    json_t *p = slsec_guard_path_params(r, "/customers/a%20b/orders/7", why, sizeof why);
    char *s = dump(p);
    assert_string_equal(s, "{\"customer\":\"a b\",\"id\":\"7\"}");
    free(s);
    json_decref(p);
    p = slsec_guard_path_params(&c->routes[2], "/files/b1/a/b", why, sizeof why);
    s = dump(p);
    assert_string_equal(s, "{\"bucket\":\"b1\"}");
    free(s);
    json_decref(p);
    assert_null(slsec_guard_path_params(r, "/customers/%ff/orders/7", why, sizeof why));
    assert_non_null(strstr(why, "customer"));
    slsec_guard_config_free(c);
}

static void check_params(const slsec_guard_route *r, const char *path, const char *query,
                         slsec_guard_params_status want, const char *want_why)
{
    char why[300] = "";
    slsec_guard_params_status st = slsec_guard_params_check(r, path, query, why, sizeof why);
    if (st != want)
        fail_msg("%s?%s: status %d (%s), want %d", path, query ? query : "", st, why, want);
    if (want_why && !strstr(why, want_why))
        fail_msg("%s?%s: why \"%s\", want \"%s\"", path, query ? query : "", why, want_why);
}

static void schemas_type_the_text(void **state)
{
    (void)state;
    slsec_guard_config *c = load(YML);
    const slsec_guard_route *order = &c->routes[0], *search = &c->routes[1];
    check_params(order, "/customers/acme/orders/42", NULL, SLSEC_PARAMS_OK, NULL);
    check_params(order, "/customers/acme/orders/0", NULL, SLSEC_PARAMS_PATH_SCHEMA, "path: /id: minimum");
    check_params(order, "/customers/acme/orders/x1", NULL, SLSEC_PARAMS_PATH_SCHEMA, "/id: type");
    check_params(order, "/customers/acme/orders/1.5", NULL, SLSEC_PARAMS_PATH_SCHEMA, "/id: type");
    check_params(order, "/customers/ACME/orders/1", NULL, SLSEC_PARAMS_PATH_SCHEMA, "/customer: pattern");
    check_params(order, "/customers/%ff/orders/1", NULL, SLSEC_PARAMS_INVALID_PATH, NULL);

    check_params(search, "/search", "q=shoes&limit=10&exact=true&tag=red&tag=blue", SLSEC_PARAMS_OK, NULL);
    check_params(search, "/search", "q=shoes&tag=red", SLSEC_PARAMS_OK, NULL); /* one tag is a list of one */
    check_params(search, "/search", "q=10", SLSEC_PARAMS_OK, NULL);            /* q is a string: never typed */
    check_params(search, "/search", NULL, SLSEC_PARAMS_QUERY_SCHEMA, "query: /: required");
    check_params(search, "/search", "q=a&limit=1000", SLSEC_PARAMS_QUERY_SCHEMA, "/limit: maximum");
    check_params(search, "/search", "q=a&limit=+10", SLSEC_PARAMS_QUERY_SCHEMA, "/limit: type");
    check_params(search, "/search", "q=a&limit=0x10", SLSEC_PARAMS_QUERY_SCHEMA, "/limit: type");
    check_params(search, "/search", "q=a&exact=yes", SLSEC_PARAMS_QUERY_SCHEMA, "/exact: type");
    check_params(search, "/search", "q=a&tag=RED", SLSEC_PARAMS_QUERY_SCHEMA, "/tag/0: pattern");
    check_params(search, "/search", "q=a&q=b", SLSEC_PARAMS_QUERY_SCHEMA, "/q: type");
    check_params(search, "/search", "q=a&debug=1", SLSEC_PARAMS_QUERY_SCHEMA, "/debug: false schema");
    check_params(search, "/search", "q=%e2%82", SLSEC_PARAMS_INVALID_QUERY, NULL);
    slsec_guard_config_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(query_strings_decode),
        cmocka_unit_test(named_segments_route_and_decode),
        cmocka_unit_test(schemas_type_the_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
