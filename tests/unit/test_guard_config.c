/*
 * test_guard_config.c — guard.yml (src/guard/config.c): the fixture
 * policy loads with its defaults, routes and keys; every file under
 * tests/fixtures/guard/bad/ is refused at the line:col and with the words
 * its first line (`# expect: LINE:COL text`) names; a reload's load
 * (SLSEC_GUARD_LOAD_DEFER_JWKS) leaves a jwks_url to the refresher.
 */
#include "slsec/guard.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define FIXTURES SLSEC_SOURCE_DIR "/tests/fixtures/guard"

static void fixture_loads(void **state)
{
    (void)state;
    slsec_guard_config *c = NULL;
    slsec_diag d = {0};
    int rc = slsec_guard_config_load(FIXTURES "/guard.yml", &c, &d);
    if (rc)
        fail_msg("%s:%d:%d: %s", d.file, d.line, d.col, d.message);
    assert_int_equal(c->route_count, 9);
    assert_non_null(c->waf);
    assert_int_equal(c->routes[7].waf, SLSEC_WAF_BLOCK);
    assert_int_equal(c->waf_opts.arguments_limit, 500);
    assert_int_equal(c->upstream_count, 2);
    assert_string_equal(c->upstreams[0].host, "127.0.0.1");
    assert_int_equal(c->upstreams[0].port, 9);
    assert_int_equal(c->limits.max_body_bytes, 65536);
    assert_int_equal(c->limits.upstream_connect_timeout_ms, 1000); /* a default */
    assert_int_equal(slsec_jwks_count(c->jwks), 1);
    const slsec_guard_route *r = &c->routes[1];
    assert_string_equal(r->name, "create-order");
    assert_int_equal(r->auth, SLSEC_AUTH_JWT);
    assert_true(r->rate_limited);
    assert_int_equal(r->rl_key, SLSEC_RL_KEY_SUB);
    assert_non_null(r->schema);
    assert_int_equal(c->routes[4].limits.max_body_bytes, 16);
    assert_int_equal(c->routes[4].limits.max_header_bytes, 8192); /* inherited */
    assert_true(c->routes[3].rl_shadow);

    /* routing */
    assert_ptr_equal(slsec_guard_route_match(c, "POST", "/orders"), &c->routes[1]);
    assert_ptr_equal(slsec_guard_route_match(c, "GET", "/orders/17"), &c->routes[2]);
    assert_null(slsec_guard_route_match(c, "GET", "/orders/17/items"));
    assert_null(slsec_guard_route_match(c, "GET", "/orders/"));
    assert_null(slsec_guard_route_match(c, "DELETE", "/orders"));
    assert_ptr_equal(slsec_guard_route_match(c, "GET", "/public"), &c->routes[0]);
    assert_ptr_equal(slsec_guard_route_match(c, "GET", "/public/a/b/c"), &c->routes[0]);
    assert_null(slsec_guard_route_match(c, "GET", "/publicity"));
    assert_ptr_equal(slsec_guard_route_match(c, "DELETE", "/reports/x"), &c->routes[3]);

    /* API keys by hash */
    const char *name = NULL;
    assert_true(slsec_guard_api_key_check(c, "test-api-key-0123456789", &name));
    assert_string_equal(name, "ci");
    assert_false(slsec_guard_api_key_check(c, "test-api-key-012345678", &name));
    assert_null(name);

    /* trusted proxies */
    assert_true(slsec_guard_trusted_proxy(c, "10.1.2.3"));
    assert_true(slsec_guard_trusted_proxy(c, "::1"));
    assert_false(slsec_guard_trusted_proxy(c, "11.0.0.1"));
    assert_false(slsec_guard_trusted_proxy(c, "127.0.0.1"));
    assert_false(slsec_guard_trusted_proxy(c, "not an address"));

    slsec_buf b;
    slsec_buf_init(&b);
    slsec_guard_config_print(c, &b);
    assert_non_null(strstr(b.data, "name: \"create-order\""));
    assert_non_null(strstr(b.data, "upstream_connect_timeout_ms: 1000"));
    assert_non_null(strstr(b.data, "shadow: true"));
    assert_null(strstr(b.data, "47bd0e2f")); /* key hashes are not printed */
    slsec_buf_free(&b);
    slsec_guard_config_free(c);
}

static void bad_configs_name_the_place(void **state)
{
    (void)state;
    DIR *dir = opendir(FIXTURES "/bad");
    assert_non_null(dir);
    struct dirent *e;
    int seen = 0;
    while ((e = readdir(dir))) {
        if (!strstr(e->d_name, ".yml"))
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/bad/%s", FIXTURES, e->d_name);
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        char first[256] = "";
        assert_non_null(fgets(first, sizeof first, f));
        fclose(f);
        int line = 0, col = 0, used = 0;
        assert_int_equal(sscanf(first, "# expect: %d:%d %n", &line, &col, &used), 2);
        char *text = first + used;
        text[strcspn(text, "\n")] = '\0';
        slsec_guard_config *c = NULL;
        slsec_diag d = {0};
        int rc = slsec_guard_config_load(path, &c, &d);
        assert_int_not_equal(rc, SLSEC_OK);
        assert_null(c);
        if (d.line != line || d.col != col || !strstr(d.message, text))
            fail_msg("%s: expected %d:%d '%s', got %d:%d '%s'", e->d_name, line, col, text, d.line, d.col, d.message);
        seen++;
    }
    closedir(dir);
    assert_true(seen >= 8);
}

static void parse_from_memory(void **state)
{
    (void)state;
    const char *text = "upstreams:\n  a: {url: \"http://[::1]:8081/\"}\nroutes:\n  - {path: /x, upstream: a, auth: none}\n";
    slsec_guard_config *c = NULL;
    slsec_diag d = {0};
    assert_int_equal(slsec_guard_config_parse("mem.yml", text, strlen(text), ".", &c, &d), SLSEC_OK);
    assert_string_equal(c->upstreams[0].host, "::1");
    assert_int_equal(c->upstreams[0].port, 8081);
    assert_string_equal(c->routes[0].name, "/x"); /* a route is named by its path by default */
    assert_string_equal(c->listen_host, "127.0.0.1");
    slsec_guard_config_free(c);
    const char *empty = "";
    assert_int_not_equal(slsec_guard_config_parse("mem.yml", empty, 0, ".", &c, &d), SLSEC_OK);
    const char *list = "- 1\n- 2\n";
    assert_int_not_equal(slsec_guard_config_parse("mem.yml", list, strlen(list), ".", &c, &d), SLSEC_OK);
    assert_int_equal(d.line, 1);
}

/* slsec_guard_jwks_start has nothing to do for a JWKS file: the keys
 * stay the config's and verify as before (the jwks_url case is
 * tests/unit/test_guard_jwks_url.c). */
static void jwks_file_is_not_refreshed(void **state)
{
    (void)state;
    slsec_guard_config *c = NULL;
    slsec_diag d = {0};
    assert_int_equal(slsec_guard_config_load(FIXTURES "/guard.yml", &c, &d), SLSEC_OK);
    assert_int_equal(slsec_guard_jwks_start(c, NULL, NULL, &d), SLSEC_OK);
    assert_null(c->jwks_refresher);
    assert_int_equal(slsec_jwks_count(c->jwks), 1);
    assert_int_equal(slsec_guard_jwt_verify(c, "a.b.c", 5, 1800000000LL, NULL), SLSEC_JWT_MALFORMED);
    slsec_guard_config_free(c);
}

/* A reload loads its config with SLSEC_GUARD_LOAD_DEFER_JWKS: no fetch
 * then (so the unreachable jwks_url below, which a plain load refuses,
 * loads), no keys, and slsec_guard_jwks_start's first fetch is the one
 * that reports whether the keys can be had. */
typedef struct first_fetch {
    atomic_int done; /* 1 ok, 2 failed */
    char error[512];
} first_fetch;

static void note_first_fetch(void *user, bool ok, size_t keys, const char *error)
{
    first_fetch *f = user;
    if (atomic_load(&f->done))
        return;
    if (!ok)
        snprintf(f->error, sizeof f->error, "%s", error);
    atomic_store(&f->done, ok ? 1 : 2);
}

static void deferred_jwks_is_fetched_by_the_refresher(void **state)
{
    (void)state;
    char path[] = "/tmp/slsec-guard-deferred-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "jwt: {jwks_url: \"http://127.0.0.1:9/jwks.json\"}\n"
                       "upstreams:\n  a: {url: \"http://127.0.0.1:8081\"}\n"
                       "routes:\n  - {path: /x, upstream: a, auth: jwt}\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    slsec_guard_config *c = NULL;
    slsec_diag d = {0};
    assert_int_not_equal(slsec_guard_config_load(path, &c, &d), SLSEC_OK);
    assert_non_null(strstr(d.message, "JWKS fetch failed"));
    assert_int_equal(slsec_guard_config_load_flags(path, SLSEC_GUARD_LOAD_DEFER_JWKS, &c, &d), SLSEC_OK);
    unlink(path);
    assert_null(c->jwks);
    assert_string_equal(c->jwks_url, "http://127.0.0.1:9/jwks.json");
    const char *token = "eyJhbGciOiJIUzI1NiIsImtpZCI6ImsifQ.e30.c2ln"; /* {"alg":"HS256","kid":"k"} */
    assert_int_equal(slsec_guard_jwt_verify(c, token, strlen(token), 1800000000LL, NULL), SLSEC_JWT_UNKNOWN_KID);
    first_fetch f = {0};
    assert_int_equal(slsec_guard_jwks_start(c, note_first_fetch, &f, &d), SLSEC_OK);
    assert_non_null(c->jwks_refresher);
    for (int i = 0; i < 500 && !atomic_load(&f.done); i++)
        usleep(20000);
    assert_int_equal(atomic_load(&f.done), 2);
    assert_non_null(strstr(f.error, "JWKS fetch failed"));
    slsec_guard_config_free(c);
}

/* The lambda: section: which keys each trigger takes, and --check shows them. */
static void lambda_triggers(void **state)
{
    (void)state;
    const char *text = "lambda:\n"
                       "  sqs: {schema: schemas/message.json, partial_batch: true, waf: off}\n"
                       "  s3: {schema: schemas/message.json}\n"
                       "  kinesis: {schema: schemas/message.json, partial_batch: true}\n"
                       "  dynamodb: {waf: off}\n"
                       "routes:\n  - {name: r, path: /x, auth: none}\n";
    slsec_guard_config *c = NULL;
    slsec_diag d = {0};
    int rc = slsec_guard_config_parse("mem.yml", text, strlen(text), FIXTURES, &c, &d);
    if (rc)
        fail_msg("%s:%d:%d: %s", d.file, d.line, d.col, d.message);
    assert_true(c->sqs.partial_batch);
    assert_true(c->sqs.configured);
    assert_false(c->sns.configured);
    assert_non_null(c->s3.schema);
    assert_true(c->kinesis.partial_batch);
    assert_true(c->dynamodb.configured);
    assert_false(c->dynamodb.partial_batch);
    slsec_buf b;
    slsec_buf_init(&b);
    slsec_guard_config_print(c, &b);
    assert_non_null(strstr(b.data, "lambda:\n  sqs:\n"));
    assert_non_null(strstr(b.data, "    partial_batch: true\n"));
    assert_non_null(strstr(b.data, "  s3:\n    schema: "));
    assert_null(strstr(b.data, "  sns:"));
    assert_non_null(strstr(b.data, "  kinesis:\n    schema: "));
    assert_non_null(strstr(b.data, "  dynamodb:\n    waf: off\n    partial_batch: false\n"));
    slsec_buf_free(&b);
    slsec_guard_config_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixture_loads),
        cmocka_unit_test(bad_configs_name_the_place),
        cmocka_unit_test(parse_from_memory),
        cmocka_unit_test(jwks_file_is_not_refreshed),
        cmocka_unit_test(deferred_jwks_is_fetched_by_the_refresher),
        cmocka_unit_test(lambda_triggers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
