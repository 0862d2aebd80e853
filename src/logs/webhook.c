/*
 * webhook.c — the alert webhook of `logs watch` (slsec/logs.h): JSON bodies
 * POSTed by libcurl from a thread of its own, so a slow or hanging endpoint
 * never holds up the log stream.
 *
 * The queue is bounded: when it is full an alert is dropped and counted
 * (the stream matters more than one more copy of an alert). Each delivery
 * gets a connect and a total timeout and up to `retries` further attempts
 * with doubling back-off (250 ms, 500 ms, 1 s, ...); a 2xx answer is
 * delivered, anything else (or no answer) a failure after the last try.
 * Only http:// and https:// URLs are accepted and redirects are not
 * followed.
 */
#include "slsec/logs.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct slsec_webhook {
    char *url;
    unsigned retries;
    long timeout_ms;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    char **queue;
    size_t cap, head, count;
    bool stopping, joined;
    struct timespec deadline; /* once stopping: alerts still queued after it are given up */
    uint64_t delivered, failed, dropped;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_start(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

static size_t discard(char *p, size_t size, size_t n, void *u)
{
    (void)p, (void)u;
    return size * n;
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
    long code = 0;
    bool ok = curl_easy_perform(c) == CURLE_OK && curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK &&
              code >= 200 && code < 300;
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return ok;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Past the drain deadline (only set once stopping)? Called with the lock held. */
static bool too_late(const slsec_webhook *w)
{
    if (!w->stopping)
        return false;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > w->deadline.tv_sec || (now.tv_sec == w->deadline.tv_sec && now.tv_nsec >= w->deadline.tv_nsec);
}

static void *worker(void *arg)
{
    slsec_webhook *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (w->count == 0 && !w->stopping)
            pthread_cond_wait(&w->cond, &w->lock);
        if (w->count == 0 && w->stopping)
            break;
        if (too_late(w)) {
            w->failed += w->count;
            for (size_t i = 0; i < w->count; i++)
                free(w->queue[(w->head + i) % w->cap]);
            w->count = 0;
            break;
        }
        char *body = w->queue[w->head];
        w->head = (w->head + 1) % w->cap;
        w->count--;
        pthread_mutex_unlock(&w->lock);
        bool ok = false;
        long backoff = 250;
        for (unsigned attempt = 0; !ok && attempt <= w->retries; attempt++) {
            if (attempt > 0) {
                pthread_mutex_lock(&w->lock);
                bool late = too_late(w);
                pthread_mutex_unlock(&w->lock);
                if (late)
                    break;
                sleep_ms(backoff);
                backoff *= 2;
            }
            ok = post(w, body);
        }
        free(body);
        pthread_mutex_lock(&w->lock);
        if (ok)
            w->delivered++;
        else
            w->failed++;
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
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cond, NULL);
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
    bool queued = w->count < w->cap;
    if (queued) {
        w->queue[(w->head + w->count) % w->cap] = copy;
        w->count++;
        pthread_cond_broadcast(&w->cond);
    } else {
        w->dropped++;
    }
    pthread_mutex_unlock(&w->lock);
    if (!queued)
        free(copy);
    return queued;
}

void slsec_webhook_finish(slsec_webhook *w, long drain_ms, uint64_t *delivered, uint64_t *failed, uint64_t *dropped)
{
    if (w->joined)
        goto done;
    pthread_mutex_lock(&w->lock);
    clock_gettime(CLOCK_MONOTONIC, &w->deadline);
    w->deadline.tv_sec += drain_ms / 1000;
    w->deadline.tv_nsec += (drain_ms % 1000) * 1000000L;
    if (w->deadline.tv_nsec >= 1000000000L) {
        w->deadline.tv_sec++;
        w->deadline.tv_nsec -= 1000000000L;
    }
    w->stopping = true;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    w->joined = true;
done:
    *delivered = w->delivered;
    *failed = w->failed;
    *dropped = w->dropped;
}

void slsec_webhook_free(slsec_webhook *w)
{
    if (!w)
        return;
    uint64_t a, b, c;
    slsec_webhook_finish(w, 0, &a, &b, &c);
    for (size_t i = 0; i < w->count; i++)
        free(w->queue[(w->head + i) % w->cap]);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->cond);
    free(w->queue);
    free(w->url);
    free(w);
}
