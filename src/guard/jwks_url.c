/*
 * jwks_url.c — JWKS documents over HTTP, and keeping them fresh without
 * ever making a request wait for the network.
 *
 * slsec_jwks_fetch is the one-shot fetch the config loader uses at start
 * (a config whose keys cannot be fetched does not load). The refresher
 * owns the keys afterwards: a thread of its own refetches them when they
 * reach their TTL, or when a token named a kid they lack. A config loaded
 * to replace a running one comes without keys, and its refresher's first
 * fetch, at once, is the one that decides whether it may. Requests only ever verify,
 * under a mutex held for that verification (microseconds) and for the
 * pointer swap after a fetch — never across a fetch.
 *
 * The thread's fetch goes through a curl multi handle, not
 * curl_easy_perform, for one reason: curl_multi_wakeup lets the
 * refresher's free interrupt a fetch that is waiting on a dead or slow
 * server at once. With curl_easy_perform the join could wait for the
 * whole fetch timeout, and a reload or a Lambda SHUTDOWN (two seconds to
 * finish) would wait with it.
 */
#include "slsec/guard.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#define JWKS_MAX_BYTES (1024 * 1024)

typedef struct fetch_buf {
    slsec_buf b;
    bool too_big;
} fetch_buf;

static size_t fetch_write(char *data, size_t size, size_t n, void *user)
{
    fetch_buf *fb = user;
    if (fb->b.len + size * n > JWKS_MAX_BYTES) {
        fb->too_big = true;
        return 0; /* curl then fails the transfer with CURLE_WRITE_ERROR */
    }
    slsec_buf_append(&fb->b, data, size * n);
    return size * n;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_start(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

/* One fetch on `multi`; gives up as soon as *stop is set (the refresher
 * is being freed). */
static int fetch(CURLM *multi, const atomic_bool *stop, const char *url, long timeout_ms, slsec_jwks **out,
                 slsec_diag *d)
{
    *out = NULL;
    if (!slsec_str_has_prefix(url, "https://") && !slsec_str_has_prefix(url, "http://")) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, "", 0, 0, "jwks_url must be http:// or https://: %s", url);
        return SLSEC_EUSAGE;
    }
    CURL *c = curl_easy_init();
    if (!c)
        slsec_oom();
    fetch_buf fb = {0};
    slsec_buf_init(&fb.b);
    char err[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fetch_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &fb);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "slsec-guard/" SLSEC_VERSION);
    CURLcode rc = CURLE_FAILED_INIT;
    bool stopped = false;
    CURLMcode mc = curl_multi_add_handle(multi, c);
    for (int running = 1; mc == CURLM_OK && running;) {
        mc = curl_multi_perform(multi, &running);
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(multi, &left)))
            if (m->msg == CURLMSG_DONE && m->easy_handle == c)
                rc = m->data.result;
        if (stop && atomic_load(stop)) {
            stopped = true;
            break;
        }
        if (mc == CURLM_OK && running)
            mc = curl_multi_poll(multi, NULL, 0, 1000, NULL);
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_multi_remove_handle(multi, c);
    curl_easy_cleanup(c);
    int ret;
    if (stopped) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, url, 0, 0, "JWKS fetch abandoned: stopping");
        ret = SLSEC_EIO;
    } else if (mc != CURLM_OK) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, url, 0, 0, "JWKS fetch failed: %s", curl_multi_strerror(mc));
        ret = SLSEC_EIO;
    } else if (rc != CURLE_OK) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, url, 0, 0, "JWKS fetch failed: %s",
                       fb.too_big ? "larger than 1 MiB" : err[0] ? err : curl_easy_strerror(rc));
        ret = SLSEC_EIO;
    } else if (status != 200) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, url, 0, 0, "JWKS fetch answered HTTP %ld", status);
        ret = SLSEC_EIO;
    } else {
        ret = slsec_jwks_parse(url, fb.b.data ? fb.b.data : "", fb.b.len, out, d);
    }
    slsec_buf_free(&fb.b);
    return ret;
}

int slsec_jwks_fetch(const char *url, long timeout_ms, slsec_jwks **out, slsec_diag *d)
{
    pthread_once(&curl_once, curl_start);
    CURLM *multi = curl_multi_init();
    if (!multi)
        slsec_oom();
    int rc = fetch(multi, NULL, url, timeout_ms, out, d);
    curl_multi_cleanup(multi);
    return rc;
}

/* ---- the refresher ------------------------------------------------------------------- */

struct slsec_jwks_refresher {
    slsec_jwks_refresh_opts o;
    char *url;
    CURLM *multi;
    pthread_t thread;
    atomic_bool stop;
    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t wake;  /* on CLOCK_MONOTONIC: the TTL is not fooled by the wall clock moving */
    slsec_jwks *keys;
    uint64_t next_ms;     /* monotonic time of the next scheduled fetch */
    bool kick;            /* an unknown kid asked for a fetch now */
    bool kid_asked;       /* one did, at kid_asked_ms */
    uint64_t kid_asked_ms;
    uint64_t fetched, failed;
};

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void *refresher_main(void *arg)
{
    slsec_jwks_refresher *r = arg;
    /* signals are the event loop's business (SIGHUP reload, SIGTERM stop) */
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    pthread_mutex_lock(&r->lock);
    while (!atomic_load(&r->stop)) {
        uint64_t now = mono_ms();
        if (!r->kick && now < r->next_ms) {
            struct timespec until = {(time_t)(r->next_ms / 1000), (long)(r->next_ms % 1000) * 1000000L};
            pthread_cond_timedwait(&r->wake, &r->lock, &until);
            continue;
        }
        r->kick = false;
        pthread_mutex_unlock(&r->lock);
        slsec_jwks *fresh = NULL;
        slsec_diag d = {0};
        int rc = fetch(r->multi, &r->stop, r->url, r->o.timeout_ms, &fresh, &d);
        if (atomic_load(&r->stop)) {
            slsec_jwks_free(fresh);
            return NULL;
        }
        pthread_mutex_lock(&r->lock);
        slsec_jwks *old = NULL;
        uint64_t done = mono_ms();
        if (rc == SLSEC_OK) {
            old = r->keys;
            r->keys = fresh;
            r->fetched++;
            r->next_ms = done + (uint64_t)r->o.ttl_ms;
        } else {
            r->failed++;
            r->next_ms = done + (uint64_t)(r->o.retry_ms < r->o.ttl_ms ? r->o.retry_ms : r->o.ttl_ms);
        }
        size_t count = slsec_jwks_count(r->keys);
        pthread_mutex_unlock(&r->lock);
        /* no request can be verifying with the old keys: that happens under the lock */
        slsec_jwks_free(old);
        if (r->o.on_fetch)
            r->o.on_fetch(r->o.user, rc == SLSEC_OK, count, rc == SLSEC_OK ? NULL : d.message);
        pthread_mutex_lock(&r->lock);
    }
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

int slsec_jwks_refresher_new(const slsec_jwks_refresh_opts *o, slsec_jwks *keys, slsec_jwks_refresher **out,
                             slsec_diag *d)
{
    *out = NULL;
    if (!o->url || o->ttl_ms <= 0 || o->kid_interval_ms < 0 || o->retry_ms <= 0 || o->timeout_ms <= 0) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, "", 0, 0, "JWKS refresher: a URL and positive intervals are needed");
        return SLSEC_EUSAGE;
    }
    /* curl's global state is set up here, before any thread of ours uses curl */
    pthread_once(&curl_once, curl_start);
    slsec_jwks_refresher *r = calloc(1, sizeof *r);
    if (!r || !(r->url = strdup(o->url)) || !(r->multi = curl_multi_init()))
        slsec_oom();
    r->o = *o;
    r->o.url = r->url;
    r->keys = keys;
    r->next_ms = mono_ms() + (keys ? (uint64_t)o->ttl_ms : 0);
    atomic_init(&r->stop, false);
    pthread_mutex_init(&r->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&r->wake, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&r->thread, NULL, refresher_main, r) != 0) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, "", 0, 0, "cannot start the JWKS refresh thread");
        pthread_cond_destroy(&r->wake);
        pthread_mutex_destroy(&r->lock);
        curl_multi_cleanup(r->multi);
        free(r->url);
        free(r);
        return SLSEC_EIO;
    }
    *out = r;
    return SLSEC_OK;
}

void slsec_jwks_refresher_free(slsec_jwks_refresher *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->lock);
    atomic_store(&r->stop, true);
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->lock);
    curl_multi_wakeup(r->multi); /* a fetch waiting in curl_multi_poll returns now */
    pthread_join(r->thread, NULL);
    curl_multi_cleanup(r->multi);
    pthread_cond_destroy(&r->wake);
    pthread_mutex_destroy(&r->lock);
    slsec_jwks_free(r->keys);
    free(r->url);
    free(r);
}

slsec_jwt_status slsec_jwks_refresher_verify(slsec_jwks_refresher *r, const slsec_jwt_policy *policy,
                                             const char *token, size_t len, long long now, slsec_jwt_claims *claims)
{
    pthread_mutex_lock(&r->lock);
    slsec_jwt_status st = slsec_jwt_verify(r->keys, policy, token, len, now, claims);
    if (st == SLSEC_JWT_UNKNOWN_KID) {
        /* keys may have been rotated at the issuer: fetch soon, but forged
         * kids must not turn into a stream of fetches */
        uint64_t t = mono_ms();
        if (!r->kid_asked || t - r->kid_asked_ms >= (uint64_t)r->o.kid_interval_ms) {
            r->kid_asked = true;
            r->kid_asked_ms = t;
            r->kick = true;
            pthread_cond_signal(&r->wake);
        }
    }
    pthread_mutex_unlock(&r->lock);
    return st;
}

void slsec_jwks_refresher_stats(slsec_jwks_refresher *r, uint64_t *fetched, uint64_t *failed, size_t *keys)
{
    pthread_mutex_lock(&r->lock);
    if (fetched)
        *fetched = r->fetched;
    if (failed)
        *failed = r->failed;
    if (keys)
        *keys = slsec_jwks_count(r->keys);
    pthread_mutex_unlock(&r->lock);
}

/* ---- the config's keys ------------------------------------------------------------------ */

int slsec_guard_jwks_start(slsec_guard_config *c, void (*on_fetch)(void *user, bool ok, size_t keys, const char *error),
                           void *user, slsec_diag *d)
{
    if (!c->jwks_url || c->jwks_refresher)
        return SLSEC_OK;
    slsec_jwks_refresh_opts o = {
        .url = c->jwks_url,
        .ttl_ms = c->jwks_ttl_s * 1000,
        .kid_interval_ms = 60 * 1000,
        .retry_ms = 60 * 1000,
        .timeout_ms = 5000,
        .on_fetch = on_fetch,
        .user = user,
    };
    int rc = slsec_jwks_refresher_new(&o, c->jwks, &c->jwks_refresher, d);
    if (rc == SLSEC_OK)
        c->jwks = NULL; /* the refresher's now */
    return rc;
}

slsec_jwt_status slsec_guard_jwt_verify(const slsec_guard_config *c, const char *token, size_t len, long long now,
                                        slsec_jwt_claims *claims)
{
    if (c->jwks_refresher)
        return slsec_jwks_refresher_verify(c->jwks_refresher, &c->jwt, token, len, now, claims);
    return slsec_jwt_verify(c->jwks, &c->jwt, token, len, now, claims);
}
