/*
 * webhook.c — the alert webhook of `logs watch` and `lambda-runtime`
 * (slsec/logs.h): JSON bodies POSTed by libcurl from a thread of its own,
 * so a slow or hanging endpoint never holds up the log stream; and the
 * alert's JSON, shared by every sink.
 *
 * The queue is bounded: when it is full an alert is dropped and counted
 * (the stream matters more than one more copy of an alert). Each delivery
 * gets a connect and a total timeout and up to `retries` further attempts
 * with doubling back-off (250 ms, 500 ms, 1 s, ...); a 2xx answer is
 * delivered, anything else (or no answer) a failure after the last try.
 * Only http:// and https:// URLs are accepted and redirects are not
 * followed.
 *
 * Flushing waits, for a bounded time, until nothing is queued or being
 * delivered; what is left then is given up at once and counted as failed
 * by the flush itself: queued alerts are discarded, and the delivery in
 * flight is abandoned (its back-off sleep is woken, its transfer aborted
 * from libcurl's progress callback, which runs at least once a second) and
 * not counted again when the worker gets back. So the counts a flush
 * returns are final for every alert posted before it, even when the
 * process is frozen right after (Lambda, once the response is posted):
 * the worker only finishes aborting when it runs again. An abandoned
 * delivery whose answer was on its way may have arrived after all.
 */
#include "slsec/logs.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct slsec_webhook {
    char *url;
    unsigned retries;
    long timeout_ms;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond; /* CLOCK_MONOTONIC: work queued, a delivery done, given up or stopping */
    char **queue;
    size_t cap, head, count;
    bool busy;             /* the worker is delivering an alert taken off the queue */
    atomic_bool abandoned; /* ... which a flush gave up (and counted) */
    bool stopping, joined;
    slsec_webhook_counts counts;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_start(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

static size_t discard(char *p, size_t size, size_t n, void *u)
{
    (void)p, (void)u;
    return size * n;
}

/* Non-zero aborts the transfer: the delivery was given up. */
static int on_progress(void *user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    slsec_webhook *w = user;
    return atomic_load(&w->abandoned) ? 1 : 0;
}

static bool post(slsec_webhook *w, const char *body)
{
    CURL *c = curl_easy_init();
    if (!c)
        return false;
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, w->url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, w->timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, w->timeout_ms < 2000 ? w->timeout_ms : 2000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "slsec/" SLSEC_VERSION);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, w);
    long code = 0;
    bool ok = curl_easy_perform(c) == CURLE_OK && curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK &&
              code >= 200 && code < 300;
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return ok;
}

static struct timespec after_ms(long ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

/* Delivers body with its retries; false when every attempt failed or the
 * delivery was abandoned. Called without the lock. */
static bool deliver(slsec_webhook *w, const char *body)
{
    long backoff = 250;
    for (unsigned attempt = 0; attempt <= w->retries; attempt++) {
        if (attempt > 0) {
            struct timespec until = after_ms(backoff);
            pthread_mutex_lock(&w->lock);
            while (!atomic_load(&w->abandoned) && pthread_cond_timedwait(&w->cond, &w->lock, &until) == 0) {
            }
            pthread_mutex_unlock(&w->lock);
            backoff *= 2;
        }
        if (atomic_load(&w->abandoned))
            return false;
        if (post(w, body))
            return true;
    }
    return false;
}

static void *worker(void *arg)
{
    slsec_webhook *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (w->count == 0 && !w->stopping)
            pthread_cond_wait(&w->cond, &w->lock);
        if (w->count == 0)
            break; /* stopping, and nothing queued */
        char *body = w->queue[w->head];
        w->head = (w->head + 1) % w->cap;
        w->count--;
        w->busy = true;
        pthread_mutex_unlock(&w->lock);
        bool ok = deliver(w, body);
        free(body);
        pthread_mutex_lock(&w->lock);
        if (atomic_load(&w->abandoned))
            atomic_store(&w->abandoned, false); /* counted by the flush that gave it up */
        else if (ok)
            w->counts.delivered++;
        else
            w->counts.failed++;
        w->busy = false;
        pthread_cond_broadcast(&w->cond);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

slsec_webhook *slsec_webhook_new(const char *url, unsigned queue, unsigned retries, long timeout_ms, slsec_diag *d)
{
    if (!url || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, NULL, 0, 0, "webhook URL must start with http:// or https://");
        return NULL;
    }
    pthread_once(&curl_once, curl_start);
    slsec_webhook *w = calloc(1, sizeof *w);
    if (!w || !(w->url = strdup(url)))
        slsec_oom();
    w->cap = queue ? queue : 256;
    w->queue = calloc(w->cap, sizeof *w->queue);
    if (!w->queue)
        slsec_oom();
    w->retries = retries;
    w->timeout_ms = timeout_ms > 0 ? timeout_ms : 5000;
    atomic_init(&w->abandoned, false);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cond, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&w->thread, NULL, worker, w) != 0) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, NULL, 0, 0, "cannot start the webhook thread");
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->cond);
        free(w->queue);
        free(w->url);
        free(w);
        return NULL;
    }
    return w;
}

bool slsec_webhook_post(slsec_webhook *w, const char *body)
{
    char *copy = strdup(body);
    if (!copy)
        slsec_oom();
    pthread_mutex_lock(&w->lock);
    bool queued = w->count < w->cap && !w->stopping;
    if (queued) {
        w->queue[(w->head + w->count) % w->cap] = copy;
        w->count++;
        pthread_cond_broadcast(&w->cond);
    } else {
        w->counts.dropped++;
    }
    pthread_mutex_unlock(&w->lock);
    if (!queued)
        free(copy);
    return queued;
}

bool slsec_webhook_flush(slsec_webhook *w, long wait_ms, slsec_webhook_counts *counts)
{
    struct timespec until = after_ms(wait_ms > 0 ? wait_ms : 0);
    pthread_mutex_lock(&w->lock);
    while ((w->count > 0 || (w->busy && !atomic_load(&w->abandoned))) &&
           pthread_cond_timedwait(&w->cond, &w->lock, &until) == 0) {
    }
    bool all = true;
    if (w->count > 0) {
        for (size_t i = 0; i < w->count; i++)
            free(w->queue[(w->head + i) % w->cap]);
        w->counts.failed += w->count;
        w->count = 0;
        all = false;
    }
    if (w->busy && !atomic_load(&w->abandoned)) {
        atomic_store(&w->abandoned, true);
        w->counts.failed++;
        pthread_cond_broadcast(&w->cond); /* out of its back-off sleep */
        all = false;
    }
    if (counts)
        *counts = w->counts;
    pthread_mutex_unlock(&w->lock);
    return all;
}

void slsec_webhook_finish(slsec_webhook *w, long drain_ms, slsec_webhook_counts *counts)
{
    if (!w->joined) {
        slsec_webhook_flush(w, drain_ms, NULL);
        pthread_mutex_lock(&w->lock);
        w->stopping = true;
        pthread_cond_broadcast(&w->cond);
        pthread_mutex_unlock(&w->lock);
        pthread_join(w->thread, NULL);
        w->joined = true;
    }
    if (counts)
        *counts = w->counts;
}

void slsec_webhook_free(slsec_webhook *w)
{
    if (!w)
        return;
    slsec_webhook_finish(w, 0, NULL);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->cond);
    free(w->queue);
    free(w->url);
    free(w);
}

/* ---- the alert as JSON ------------------------------------------------------------------------- */

void slsec_format_iso8601(int64_t ms, char *out, size_t size)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

char *slsec_alert_json(const slsec_alert *al, bool slack_text)
{
    char when[32];
    slsec_format_iso8601(al->window_ms, when, sizeof when);
    json_t *o = json_object();
    json_object_set_new(o, "type", json_string("alert"));
    json_object_set_new(o, "kind", json_string(al->kind));
    json_object_set_new(o, "severity", json_string(al->severity));
    json_object_set_new(o, "function", json_string(al->function));
    json_object_set_new(o, "window", json_string(when));
    json_object_set_new(o, "value", json_real(al->value));
    json_object_set_new(o, "threshold", json_real(al->threshold));
    json_object_set_new(o, "baseline", al->baseline >= 0 ? json_real(al->baseline) : json_null());
    json_object_set_new(o, "message", json_string(al->message));
    json_t *ids = json_array();
    for (size_t i = 0; i < al->nrequest_ids; i++)
        json_array_append_new(ids, json_string(al->request_ids[i]));
    json_object_set_new(o, "request_ids", ids);
    json_object_set_new(o, "suppressed_since_last", json_integer((json_int_t)al->suppressed));
    if (slack_text) {
        char text[700];
        snprintf(text, sizeof text, "[slsec] %s %s: %s (window %s)", al->severity, al->kind, al->message, when);
        json_object_set_new(o, "text", json_string(text));
    }
    char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6));
    json_decref(o);
    if (!s)
        slsec_oom();
    return s;
}
