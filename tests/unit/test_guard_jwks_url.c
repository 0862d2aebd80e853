/*
 * test_guard_jwks_url.c — keys from a jwks_url kept fresh off the request
 * path (src/guard/jwks_url.c): the TTL refetches without anyone asking,
 * an unknown kid asks for one refetch per interval and is answered with
 * the keys there are, a failing server leaves the keys in place, and
 * neither verification nor freeing waits for a server that hangs, and a
 * refresher started without keys fetches them at once.
 *
 * The JWKS server is a thread of this test on 127.0.0.1 (a free port):
 * each connection gets the current status and body, or, while `hold` is
 * set, no answer at all. Keys are HS256 (kid k1, k2, k3); tokens are
 * signed here.
 */
#include "slsec/guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#define NOW 1800000000LL

/* ---- the JWKS server ------------------------------------------------------------------ */

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int fd, port;
    pthread_t thread;
    bool stop, hold;
    int status;
    char body[2048];
    unsigned hits;
} srv = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static void *serve(void *arg)
{
    (void)arg;
    for (;;) {
        int c = accept(srv.fd, NULL, NULL);
        if (c < 0)
            break; /* the listener was shut down */
        char req[4096];
        size_t got = 0;
        ssize_t n;
        while (got < sizeof req - 1 && (n = read(c, req + got, sizeof req - 1 - got)) > 0) {
            got += (size_t)n;
            req[got] = '\0';
            if (strstr(req, "\r\n\r\n"))
                break;
        }
        pthread_mutex_lock(&srv.lock);
        srv.hits++;
        pthread_cond_broadcast(&srv.cond);
        while (srv.hold && !srv.stop)
            pthread_cond_wait(&srv.cond, &srv.lock);
        char resp[4096];
        int len = snprintf(resp, sizeof resp, "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                           "Connection: close\r\n\r\n%s", srv.status, strlen(srv.body), srv.body);
        pthread_mutex_unlock(&srv.lock);
        if (write(c, resp, (size_t)len) < 0) {
            /* the client gave up (the refresher was freed): fine */
        }
        close(c);
        pthread_mutex_lock(&srv.lock);
        bool stop = srv.stop;
        pthread_mutex_unlock(&srv.lock);
        if (stop)
            break;
    }
    return NULL;
}

static void b64url(const unsigned char *d, size_t n, char *out)
{
    static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)d[i] << 16 | (i + 1 < n ? (uint32_t)d[i + 1] << 8 : 0) | (i + 2 < n ? d[i + 2] : 0);
        size_t chars = n - i >= 3 ? 4 : n - i + 1;
        for (size_t c = 0; c < chars; c++)
            out[o++] = alpha[(v >> (18 - 6 * c)) & 63];
    }
    out[o] = '\0';
}

/* The HS256 secret of kid k1, k2 or k3 (32 bytes and more, as the JWKS loader wants). */
static const char *secret_of(const char *kid)
{
    return strcmp(kid, "k1") == 0   ? "slsec-test-jwks-url-key-one-0123456789"
           : strcmp(kid, "k2") == 0 ? "slsec-test-jwks-url-key-two-0123456789"
                                    : "slsec-test-jwks-url-key-three-012345678";
}

/* The server answers `status` with a JWKS of the kids named in `kids`. */
static void serve_keys(int status, const char *kids)
{
    static const char *const all[] = {"k1", "k2", "k3"};
    pthread_mutex_lock(&srv.lock);
    srv.status = status;
    size_t o = (size_t)snprintf(srv.body, sizeof srv.body, "{\"keys\":[");
    for (size_t i = 0; i < 3; i++) {
        if (!strstr(kids, all[i]))
            continue;
        char k[128];
        b64url((const unsigned char *)secret_of(all[i]), strlen(secret_of(all[i])), k);
        o += (size_t)snprintf(srv.body + o, sizeof srv.body - o,
                              "%s{\"kty\":\"oct\",\"kid\":\"%s\",\"alg\":\"HS256\",\"k\":\"%s\"}",
                              srv.body[o - 1] == '[' ? "" : ",", all[i], k);
    }
    snprintf(srv.body + o, sizeof srv.body - o, "]}");
    pthread_mutex_unlock(&srv.lock);
}

static void set_hold(bool hold)
{
    pthread_mutex_lock(&srv.lock);
    srv.hold = hold;
    pthread_cond_broadcast(&srv.cond);
    pthread_mutex_unlock(&srv.lock);
}

static unsigned hits(void)
{
    pthread_mutex_lock(&srv.lock);
    unsigned h = srv.hits;
    pthread_mutex_unlock(&srv.lock);
    return h;
}

static int start_server(void **state)
{
    (void)state;
    srv.fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    if (srv.fd < 0 || bind(srv.fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(srv.fd, 16) != 0 ||
        getsockname(srv.fd, (struct sockaddr *)&a, &al) != 0)
        return -1;
    srv.port = ntohs(a.sin_port);
    return pthread_create(&srv.thread, NULL, serve, NULL) == 0 ? 0 : -1;
}

static int stop_server(void **state)
{
    (void)state;
    pthread_mutex_lock(&srv.lock);
    srv.stop = true;
    pthread_cond_broadcast(&srv.cond);
    pthread_mutex_unlock(&srv.lock);
    shutdown(srv.fd, SHUT_RDWR); /* accept returns */
    pthread_join(srv.thread, NULL);
    close(srv.fd);
    return 0;
}

/* Before each case: a fresh count, answers given. */
static int reset(void **state)
{
    (void)state;
    pthread_mutex_lock(&srv.lock);
    srv.hits = 0;
    srv.hold = false;
    pthread_mutex_unlock(&srv.lock);
    return 0;
}

/* ---- tokens ------------------------------------------------------------------------------ */

/* A token for kid, signed with that kid's secret. */
static char *token(const char *kid)
{
    const char *secret = secret_of(kid);
    char header[128], payload[128], h64[256], p64[256], input[600], sig64[64];
    snprintf(header, sizeof header, "{\"alg\":\"HS256\",\"kid\":\"%s\",\"typ\":\"JWT\"}", kid);
    snprintf(payload, sizeof payload, "{\"sub\":\"u1\",\"exp\":%lld}", NOW + 600);
    b64url((const unsigned char *)header, strlen(header), h64);
    b64url((const unsigned char *)payload, strlen(payload), p64);
    snprintf(input, sizeof input, "%s.%s", h64, p64);
    unsigned char mac[32];
    unsigned int ml = 0;
    HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)input, strlen(input), mac, &ml);
    b64url(mac, ml, sig64);
    size_t n = strlen(input) + strlen(sig64) + 2;
    char *t = malloc(n);
    assert_non_null(t);
    snprintf(t, n, "%s.%s", input, sig64);
    return t;
}

static slsec_jwks *keys_of(const char *kids)
{
    serve_keys(200, kids);
    slsec_jwks *k = NULL;
    slsec_diag d = {0};
    pthread_mutex_lock(&srv.lock);
    int rc = slsec_jwks_parse("test", srv.body, strlen(srv.body), &k, &d);
    pthread_mutex_unlock(&srv.lock);
    if (rc)
        fail_msg("%s", d.message);
    return k;
}

static const slsec_jwt_policy policy = {.leeway_s = 30, .require_exp = true};

static slsec_jwt_status verify(slsec_jwks_refresher *r, const char *kid)
{
    char *tok = token(kid);
    slsec_jwt_status st = slsec_jwks_refresher_verify(r, &policy, tok, strlen(tok), NOW, NULL);
    free(tok);
    return st;
}

/* ---- the refresher ---------------------------------------------------------------------- */

typedef struct fetch_log {
    pthread_mutex_t lock;
    unsigned ok, failed;
    size_t last_keys;
    char last_error[256];
} fetch_log;

static void on_fetch(void *user, bool ok, size_t keys, const char *error)
{
    fetch_log *l = user;
    pthread_mutex_lock(&l->lock);
    if (ok) {
        l->ok++;
        l->last_keys = keys;
    } else {
        l->failed++;
        snprintf(l->last_error, sizeof l->last_error, "%s", error);
    }
    pthread_mutex_unlock(&l->lock);
}

static slsec_jwks_refresher *start(slsec_jwks *initial, long ttl_ms, long kid_ms, long retry_ms, long timeout_ms,
                                   fetch_log *log)
{
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/jwks.json", srv.port);
    slsec_jwks_refresh_opts o = {.url = url, .ttl_ms = ttl_ms, .kid_interval_ms = kid_ms, .retry_ms = retry_ms,
                                 .timeout_ms = timeout_ms, .on_fetch = on_fetch, .user = log};
    slsec_jwks_refresher *r = NULL;
    slsec_diag d = {0};
    assert_int_equal(slsec_jwks_refresher_new(&o, initial, &r, &d), SLSEC_OK);
    return r;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits (10 s at most: a failure, not a timing) until the refresher has
 * counted `ok` good and `failed` failed fetches. */
static bool wait_for(slsec_jwks_refresher *r, uint64_t ok, uint64_t failed)
{
    for (int i = 0; i < 500; i++) {
        uint64_t f = 0, e = 0;
        slsec_jwks_refresher_stats(r, &f, &e, NULL);
        if (f >= ok && e >= failed)
            return true;
        sleep_ms(20);
    }
    return false;
}

static void ttl_refetches_in_the_background(void **state)
{
    (void)state;
    fetch_log log = {.lock = PTHREAD_MUTEX_INITIALIZER};
    slsec_jwks *initial = keys_of("k1");
    serve_keys(200, "k1 k2"); /* the issuer added k2 */
    /* no token asks: only the TTL can bring k2 */
    slsec_jwks_refresher *r = start(initial, 200, 3600000, 200, 5000, &log);
    assert_true(wait_for(r, 1, 0));
    assert_int_equal(verify(r, "k2"), SLSEC_JWT_OK);
    assert_int_equal(verify(r, "k1"), SLSEC_JWT_OK);
    size_t keys = 0;
    slsec_jwks_refresher_stats(r, NULL, NULL, &keys);
    assert_int_equal(keys, 2);
    slsec_jwks_refresher_free(r);
    assert_true(log.ok >= 1);
    assert_int_equal(log.last_keys, 2);
}

static void unknown_kid_asks_once_per_interval(void **state)
{
    (void)state;
    fetch_log log = {.lock = PTHREAD_MUTEX_INITIALIZER};
    slsec_jwks *initial = keys_of("k1");
    serve_keys(200, "k1 k2");
    slsec_jwks_refresher *r = start(initial, 3600000, 3600000, 3600000, 5000, &log);
    /* answered with the keys there are, and a refetch is asked for */
    assert_int_equal(verify(r, "k2"), SLSEC_JWT_UNKNOWN_KID);
    assert_true(wait_for(r, 1, 0));
    assert_int_equal(verify(r, "k2"), SLSEC_JWT_OK);
    assert_int_equal(hits(), 1);
    /* within the interval, forged or new kids fetch nothing more */
    serve_keys(200, "k1 k2 k3");
    for (int i = 0; i < 20; i++)
        assert_int_equal(verify(r, "k3"), SLSEC_JWT_UNKNOWN_KID);
    sleep_ms(300);
    assert_int_equal(hits(), 1);
    uint64_t fetched = 0;
    slsec_jwks_refresher_stats(r, &fetched, NULL, NULL);
    assert_int_equal(fetched, 1);
    slsec_jwks_refresher_free(r);
}

static void failures_keep_the_keys(void **state)
{
    (void)state;
    fetch_log log = {.lock = PTHREAD_MUTEX_INITIALIZER};
    slsec_jwks *initial = keys_of("k1");
    serve_keys(500, "k1 k2");
    slsec_jwks_refresher *r = start(initial, 100, 3600000, 100, 5000, &log);
    assert_true(wait_for(r, 0, 2)); /* retried after retry_ms, and failed again */
    assert_int_equal(verify(r, "k1"), SLSEC_JWT_OK);
    pthread_mutex_lock(&log.lock);
    assert_non_null(strstr(log.last_error, "HTTP 500"));
    pthread_mutex_unlock(&log.lock);
    serve_keys(200, "k2"); /* back, with k1 retired */
    assert_true(wait_for(r, 1, 2));
    assert_int_equal(verify(r, "k2"), SLSEC_JWT_OK);
    assert_int_equal(verify(r, "k1"), SLSEC_JWT_UNKNOWN_KID);
    slsec_jwks_refresher_free(r);
}

/* A server that accepts and never answers: verification goes on with the
 * keys there are, and freeing abandons the fetch instead of waiting out
 * its 20 s timeout. */
static void a_hanging_server_holds_nothing_up(void **state)
{
    (void)state;
    fetch_log log = {.lock = PTHREAD_MUTEX_INITIALIZER};
    slsec_jwks *initial = keys_of("k1");
    set_hold(true);
    slsec_jwks_refresher *r = start(initial, 3600000, 3600000, 3600000, 20000, &log);
    assert_int_equal(verify(r, "k2"), SLSEC_JWT_UNKNOWN_KID); /* asks for the fetch that will hang */
    for (int i = 0; i < 500 && hits() == 0; i++)
        sleep_ms(20);
    assert_int_equal(hits(), 1);
    assert_int_equal(verify(r, "k1"), SLSEC_JWT_OK); /* while the fetch hangs */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    slsec_jwks_refresher_free(r);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* not a benchmark: the regression this catches takes the whole 20 s */
    assert_true(t1.tv_sec - t0.tv_sec < 10);
    set_hold(false);
    assert_int_equal(log.ok + log.failed, 0); /* an abandoned fetch is not reported */
}

/* A config staged by a reload starts its refresher without keys: the
 * first fetch is made at once (not after the TTL), tokens are refused
 * until keys arrive, and a failed first fetch is retried. */
static void without_keys_the_first_fetch_starts_at_once(void **state)
{
    (void)state;
    fetch_log log = {.lock = PTHREAD_MUTEX_INITIALIZER};
    serve_keys(500, "k1");
    slsec_jwks_refresher *r = start(NULL, 3600000, 3600000, 100, 5000, &log);
    assert_true(wait_for(r, 0, 1));
    assert_int_equal(verify(r, "k1"), SLSEC_JWT_UNKNOWN_KID);
    size_t keys = 1;
    slsec_jwks_refresher_stats(r, NULL, NULL, &keys);
    assert_int_equal(keys, 0);
    serve_keys(200, "k1");
    assert_true(wait_for(r, 1, 1));
    assert_int_equal(verify(r, "k1"), SLSEC_JWT_OK);
    slsec_jwks_refresher_free(r);
    pthread_mutex_lock(&log.lock);
    assert_non_null(strstr(log.last_error, "HTTP 500"));
    pthread_mutex_unlock(&log.lock);
}

static void bad_options_are_refused(void **state)
{
    (void)state;
    slsec_jwks *initial = keys_of("k1");
    slsec_jwks_refresh_opts o = {.url = "http://127.0.0.1:9/", .ttl_ms = 0, .retry_ms = 1, .timeout_ms = 1};
    slsec_jwks_refresher *r = NULL;
    slsec_diag d = {0};
    assert_int_equal(slsec_jwks_refresher_new(&o, initial, &r, &d), SLSEC_EUSAGE);
    assert_null(r);
    slsec_jwks_free(initial); /* still ours after a failure */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(ttl_refetches_in_the_background, reset),
        cmocka_unit_test_setup(unknown_kid_asks_once_per_interval, reset),
        cmocka_unit_test_setup(failures_keep_the_keys, reset),
        cmocka_unit_test_setup(a_hanging_server_holds_nothing_up, reset),
        cmocka_unit_test_setup(without_keys_the_first_fetch_starts_at_once, reset),
        cmocka_unit_test_setup(bad_options_are_refused, reset),
    };
    return cmocka_run_group_tests(tests, start_server, stop_server);
}
