/*
 * metrics.c — per-function invocation metrics from Lambda log lines, per
 * window and in total, and the anomaly detectors of `logs watch`
 * (slsec/logs.h).
 *
 * Errors and timeouts are counted per invocation, not per line: a timeout
 * shows up as "Task timed out" and again as REPORT "Status: timeout", an
 * error as "Invoke Error" and again as platform.runtimeDone "error". A ring
 * of the last request ids of each function remembers what was counted.
 * Like CloudWatch's Errors metric, a timeout is also an error.
 *
 * Windows follow the log's own clock (the lines' timestamps), never the
 * machine's, so a file gives the same alerts whenever it is read. A line
 * without a time belongs to its function's current window.
 *
 * Baselines are exponentially weighted moving averages with a mean absolute
 * deviation band (robust to one wild window, cheap, no history kept);
 * minutes without a line count as zero-invocation windows, so a burst after
 * a quiet hour is a spike.
 */
#include "slsec/logs.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

/* ---- histogram --------------------------------------------------------------------------- */

#define HIST_LOW 0.01
#define HIST_RATIO 1.02

static size_t bucket_of(double v)
{
    if (!(v > HIST_LOW))
        return 0;
    double b = log(v / HIST_LOW) / log(HIST_RATIO);
    return b >= SLSEC_HIST_BUCKETS - 1 ? SLSEC_HIST_BUCKETS - 1 : (size_t)b;
}

void slsec_histogram_add(slsec_histogram *h, double v)
{
    if (!(v >= 0) || v > 1e12) /* NaN and absurd values are not durations */
        return;
    if (h->count == 0 || v < h->min)
        h->min = v;
    if (h->count == 0 || v > h->max)
        h->max = v;
    h->count++;
    h->sum += v;
    h->buckets[bucket_of(v)]++;
}

double slsec_histogram_quantile(const slsec_histogram *h, double q)
{
    if (h->count == 0)
        return 0;
    if (q <= 0)
        return h->min;
    if (q >= 1)
        return h->max;
    /* the rank of the nearest-rank definition: ceil(q * n) */
    uint64_t rank = (uint64_t)ceil(q * (double)h->count), seen = 0;
    for (size_t b = 0; b < SLSEC_HIST_BUCKETS; b++) {
        seen += h->buckets[b];
        if (seen >= rank) {
            double mid = b == 0 ? HIST_LOW : HIST_LOW * pow(HIST_RATIO, (double)b + 0.5);
            return mid < h->min ? h->min : mid > h->max ? h->max : mid;
        }
    }
    return h->max;
}

void slsec_histogram_merge(slsec_histogram *into, const slsec_histogram *from)
{
    if (from->count == 0)
        return;
    if (into->count == 0 || from->min < into->min)
        into->min = from->min;
    if (into->count == 0 || from->max > into->max)
        into->max = from->max;
    into->count += from->count;
    into->sum += from->sum;
    for (size_t b = 0; b < SLSEC_HIST_BUCKETS; b++)
        into->buckets[b] += from->buckets[b];
}

/* ---- per-function state -------------------------------------------------------------------- */

void slsec_watch_defaults(slsec_watch_options *o)
{
    *o = (slsec_watch_options){
        .error_rate_floor = 0.05,
        .ewma_alpha = 0.3,
        .band_k = 3,
        .warmup_windows = 5,
        .spike_factor = 3,
        .spike_min = 20,
        .timeout_fraction = 0.8,
        .timeout_ms = 0,
        .memory_fraction = 0.9,
        .cold_storm_min = 10,
        .cold_storm_fraction = 0.5,
        .cooldown_ms = 15 * 60 * 1000,
        .security_min = 10,
        .window_ms = 60 * 1000,
    };
}

#define RING 128
enum { K_TIMEOUT, K_ERROR_RATE, K_SPIKE, K_P99, K_MEMORY, K_COLD, K_SECURITY, K_COUNT };
static const char *const kind_names[K_COUNT] = {"timeout", "error_rate", "invocation_spike", "p99_near_timeout",
                                                "memory", "cold_start_storm", "security_burst"};

typedef struct req_flags {
    char id[64];
    bool error, timeout;
} req_flags;

typedef struct fn_state {
    char *name;
    slsec_fn_metrics total, win;
    bool win_open;
    int64_t win_start, last_time;
    req_flags ring[RING];
    size_t ring_next;
    char samples[5][64];
    size_t nsamples;
    unsigned windows_seen;
    double err_ewma, err_dev, inv_ewma, inv_dev, sec_ewma, sec_dev;
    double learned_timeout_ms;
    bool alerted[K_COUNT];
    int64_t last_alert[K_COUNT];
    uint64_t suppressed[K_COUNT];
} fn_state;

struct slsec_lambda_stats {
    bool watch;
    slsec_watch_options o;
    slsec_alert_fn on_alert;
    slsec_window_fn on_window;
    void *user;
    fn_state **fns; /* sorted by name */
    size_t nfns, cap;
    uint64_t alerts;
};

static void metrics_init(slsec_fn_metrics *m)
{
    memset(m, 0, sizeof *m);
    m->memory_mb = m->max_memory_used_mb = -1;
}

slsec_lambda_stats *slsec_lambda_stats_new(const slsec_watch_options *opts, slsec_alert_fn on_alert,
                                           slsec_window_fn on_window, void *user)
{
    slsec_lambda_stats *s = calloc(1, sizeof *s);
    if (!s)
        slsec_oom();
    s->watch = opts != NULL;
    if (opts)
        s->o = *opts;
    else
        slsec_watch_defaults(&s->o);
    if (s->o.window_ms <= 0)
        s->o.window_ms = 60000;
    s->on_alert = on_alert;
    s->on_window = on_window;
    s->user = user;
    return s;
}

void slsec_lambda_stats_free(slsec_lambda_stats *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nfns; i++) {
        free(s->fns[i]->name);
        free(s->fns[i]);
    }
    free(s->fns);
    free(s);
}

static fn_state *function(slsec_lambda_stats *s, const char *name)
{
    size_t lo = 0, hi = s->nfns;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(s->fns[mid]->name, name);
        if (c == 0)
            return s->fns[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (s->nfns == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        fn_state **more = realloc(s->fns, s->cap * sizeof *more);
        if (!more)
            slsec_oom();
        s->fns = more;
    }
    fn_state *f = calloc(1, sizeof *f);
    if (!f || !(f->name = strdup(name)))
        slsec_oom();
    metrics_init(&f->total);
    metrics_init(&f->win);
    f->last_time = -1;
    memmove(s->fns + lo + 1, s->fns + lo, (s->nfns - lo) * sizeof *s->fns);
    s->fns[lo] = f;
    s->nfns++;
    return f;
}

const char *slsec_lambda_stats_function(const slsec_lambda_stats *s, size_t i, const slsec_fn_metrics **total)
{
    if (i >= s->nfns)
        return NULL;
    *total = &s->fns[i]->total;
    return s->fns[i]->name;
}

uint64_t slsec_lambda_stats_alerts(const slsec_lambda_stats *s) { return s->alerts; }

/* ---- detectors ------------------------------------------------------------------------------- */

static void fire(slsec_lambda_stats *s, fn_state *f, int kind, const char *severity, double value,
                 double threshold, double baseline, const char *message)
{
    if (f->alerted[kind] && f->win_start - f->last_alert[kind] < s->o.cooldown_ms) {
        f->suppressed[kind]++;
        return;
    }
    slsec_alert a = {
        .kind = kind_names[kind],
        .severity = severity,
        .function = f->name,
        .window_ms = f->win_start,
        .value = value,
        .threshold = threshold,
        .baseline = baseline,
        .message = message,
        .suppressed = f->suppressed[kind],
    };
    for (size_t i = 0; i < f->nsamples; i++)
        a.request_ids[a.nrequest_ids++] = f->samples[i];
    f->alerted[kind] = true;
    f->last_alert[kind] = f->win_start;
    f->suppressed[kind] = 0;
    s->alerts++;
    if (s->on_alert)
        s->on_alert(&a, s->user);
}

static void update(double *ewma, double *dev, double x, double alpha, bool first)
{
    if (first) {
        *ewma = x;
        *dev = 0;
        return;
    }
    *dev = (1 - alpha) * *dev + alpha * fabs(x - *ewma);
    *ewma = (1 - alpha) * *ewma + alpha * x;
}

static void detect(slsec_lambda_stats *s, fn_state *f)
{
    const slsec_watch_options *o = &s->o;
    const slsec_fn_metrics *w = &f->win;
    char msg[512];
    bool warm = f->windows_seen >= o->warmup_windows;
    double inv = (double)w->invocations;
    double rate = w->invocations ? (double)w->errors / inv : (w->errors ? 1 : 0);

    if (w->timeouts > 0) {
        snprintf(msg, sizeof msg, "function %s: %llu invocation%s timed out", f->name,
                 (unsigned long long)w->timeouts, w->timeouts == 1 ? "" : "s");
        fire(s, f, K_TIMEOUT, "high", (double)w->timeouts, 0, -1, msg);
    }
    double err_band = f->err_ewma + o->band_k * (f->err_dev > 0.01 ? f->err_dev : 0.01);
    if (w->errors >= 2 && rate >= o->error_rate_floor && (warm ? rate > err_band : rate >= 0.5)) {
        if (warm)
            snprintf(msg, sizeof msg, "function %s: error rate %.1f%% (%llu of %llu invocations), baseline %.1f%%",
                     f->name, rate * 100, (unsigned long long)w->errors, (unsigned long long)w->invocations,
                     f->err_ewma * 100);
        else
            snprintf(msg, sizeof msg, "function %s: error rate %.1f%% (%llu of %llu invocations) while the "
                     "baseline is still being learned", f->name, rate * 100, (unsigned long long)w->errors,
                     (unsigned long long)w->invocations);
        fire(s, f, K_ERROR_RATE, "high", rate, warm ? err_band : 0.5, warm ? f->err_ewma : -1, msg);
    }
    double spike_at = o->spike_factor * f->inv_ewma;
    if (spike_at < f->inv_ewma + o->band_k * f->inv_dev)
        spike_at = f->inv_ewma + o->band_k * f->inv_dev;
    if (spike_at < o->spike_min)
        spike_at = o->spike_min;
    if (warm && inv > spike_at) {
        snprintf(msg, sizeof msg, "function %s: %llu invocations in the window, baseline %.1f", f->name,
                 (unsigned long long)w->invocations, f->inv_ewma);
        fire(s, f, K_SPIKE, "medium", inv, spike_at, f->inv_ewma, msg);
    }
    double timeout = o->timeout_ms > 0 ? o->timeout_ms : f->learned_timeout_ms;
    if (timeout > 0 && w->duration.count > 0) {
        double p99 = slsec_histogram_quantile(&w->duration, 0.99);
        if (p99 > o->timeout_fraction * timeout) {
            snprintf(msg, sizeof msg, "function %s: p99 duration %.0f ms is %.0f%% of its %.0f ms timeout",
                     f->name, p99, 100 * p99 / timeout, timeout);
            fire(s, f, K_P99, "medium", p99, o->timeout_fraction * timeout, -1, msg);
        }
    }
    if (w->memory_mb > 0 && w->max_memory_used_mb >= 0 &&
        w->max_memory_used_mb > o->memory_fraction * w->memory_mb) {
        snprintf(msg, sizeof msg, "function %s: %d MB of %d MB memory used (%.0f%%)", f->name,
                 w->max_memory_used_mb, w->memory_mb, 100.0 * w->max_memory_used_mb / w->memory_mb);
        fire(s, f, K_MEMORY, "medium", w->max_memory_used_mb, o->memory_fraction * w->memory_mb, -1, msg);
    }
    double sec = (double)w->security_lines;
    if (o->security_min > 0 && sec >= o->security_min && (!warm || sec > 3 * f->sec_ewma)) {
        snprintf(msg, sizeof msg,
                 "function %s: %llu security-relevant lines (authorization failures, injection-looking input), "
                 "baseline %.1f", f->name, (unsigned long long)w->security_lines, warm ? f->sec_ewma : 0.0);
        fire(s, f, K_SECURITY, "high", sec, o->security_min, warm ? f->sec_ewma : -1, msg);
    }
    if (w->cold_starts >= o->cold_storm_min && (double)w->cold_starts >= o->cold_storm_fraction * inv) {
        snprintf(msg, sizeof msg, "function %s: %llu cold starts in %llu invocations", f->name,
                 (unsigned long long)w->cold_starts, (unsigned long long)w->invocations);
        fire(s, f, K_COLD, "medium", (double)w->cold_starts, o->cold_storm_min, -1, msg);
    }
}

/* Ends f's open window: callback, detectors, baselines; then zero windows
 * up to (not including) next_start, at most an hour of them. */
static void close_window(slsec_lambda_stats *s, fn_state *f, int64_t next_start)
{
    if (!f->win_open)
        return;
    if (s->on_window)
        s->on_window(f->name, f->win_start, &f->win, s->user);
    if (s->watch)
        detect(s, f);
    double a = s->o.ewma_alpha;
    double inv = (double)f->win.invocations;
    double rate = f->win.invocations ? (double)f->win.errors / inv : 0;
    update(&f->err_ewma, &f->err_dev, rate, a, f->windows_seen == 0);
    update(&f->inv_ewma, &f->inv_dev, inv, a, f->windows_seen == 0);
    update(&f->sec_ewma, &f->sec_dev, (double)f->win.security_lines, a, f->windows_seen == 0);
    f->windows_seen++;
    if (next_start != INT64_MAX && next_start > f->win_start) {
        int64_t empty = (next_start - f->win_start) / s->o.window_ms - 1;
        for (int64_t k = 0; k < empty && k < 60; k++) {
            update(&f->err_ewma, &f->err_dev, 0, a, false);
            update(&f->inv_ewma, &f->inv_dev, 0, a, false);
            update(&f->sec_ewma, &f->sec_dev, 0, a, false);
            f->windows_seen++;
        }
    }
    metrics_init(&f->win);
    f->nsamples = 0;
    f->win_open = false;
}

void slsec_lambda_stats_close(slsec_lambda_stats *s, int64_t before_ms)
{
    for (size_t i = 0; i < s->nfns; i++)
        if (s->fns[i]->win_open && s->fns[i]->win_start < before_ms)
            close_window(s, s->fns[i], INT64_MAX);
}

/* ---- lines ---------------------------------------------------------------------------------- */

static req_flags *flags_of(fn_state *f, const char *id)
{
    if (!*id)
        return NULL;
    for (size_t i = 0; i < RING; i++)
        if (strcmp(f->ring[i].id, id) == 0)
            return &f->ring[i];
    req_flags *r = &f->ring[f->ring_next];
    f->ring_next = (f->ring_next + 1) % RING;
    memset(r, 0, sizeof *r);
    snprintf(r->id, sizeof r->id, "%s", id);
    return r;
}

static void mark_failed(fn_state *f, const char *id, bool timeout)
{
    req_flags none = {0}, *r = flags_of(f, id);
    if (!r)
        r = &none;
    if (timeout && !r->timeout) {
        r->timeout = true;
        f->total.timeouts++;
        f->win.timeouts++;
    }
    if (!r->error) {
        r->error = true;
        f->total.errors++;
        f->win.errors++;
        if (*id && f->nsamples < 5)
            snprintf(f->samples[f->nsamples++], sizeof f->samples[0], "%s", id);
    }
}

static void add_report(slsec_fn_metrics *m, const slsec_lambda_record *r)
{
    m->invocations++;
    if (r->duration_ms >= 0)
        slsec_histogram_add(&m->duration, r->duration_ms);
    if (r->billed_ms > 0)
        m->billed_ms += r->billed_ms;
    if (r->memory_mb > 0)
        m->memory_mb = r->memory_mb;
    if (r->max_memory_mb > m->max_memory_used_mb)
        m->max_memory_used_mb = r->max_memory_mb;
    if (r->init_ms >= 0 || r->restore_ms >= 0) {
        m->cold_starts++;
        m->init_ms_sum += r->init_ms >= 0 ? r->init_ms : r->restore_ms;
    }
}

/* Lines that say someone is knocking: authorization failures and input
 * shaped like an injection. Case-insensitive substrings, kept short and
 * specific so ordinary lines rarely match. */
#define MARK(lit) {lit, sizeof lit - 1 + 0 * sizeof(char[sizeof lit > 3 ? 1 : -1])} /* 3 bytes or more */
static const struct {
    const char *s;
    size_t n;
} security_marks[] = {
    MARK("accessdenied"),      MARK("unauthorized"), MARK("forbidden"),    MARK("invalid token"),
    MARK("invalid signature"), MARK("authentication failed"), MARK("permission denied"), MARK("union select"),
    MARK("<script"),           MARK("../../"),       MARK("' or '1'='1"),  MARK("; drop table"),
    MARK("${jndi:"),
};
#undef MARK

static unsigned char lower_ascii(unsigned char c) { return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c; }

enum { NMARKS = sizeof security_marks / sizeof security_marks[0] };
_Static_assert(NMARKS <= 16, "mark_starts holds 16 marks per byte");

/* Per byte value, the marks that start with it (either case), as bits;
 * and a bit set of the marks' first two bytes with bit 5 set (which
 * lower-cases letters: bytes equal ignoring case stay equal), also as
 * the distinct pairs, each byte repeated across a vector, for the search
 * 16 or 32 positions at a time. */
static uint16_t mark_starts[256];
static uint8_t mark_pairs[8192];
static unsigned char pair_vectors[NMARKS][2][32] __attribute__((aligned(32)));
static unsigned npairs;
static pthread_once_t marks_once = PTHREAD_ONCE_INIT;

static unsigned pair_at(const char *s) { return ((unsigned char)s[0] | 0x20u) << 8 | ((unsigned char)s[1] | 0x20u); }

/* Does a mark start at s[i]? */
static bool mark_at(const char *s, size_t n, size_t i)
{
    unsigned ks = mark_starts[(unsigned char)s[i]];
    while (ks) {
        unsigned k = (unsigned)__builtin_ctz(ks);
        ks &= ks - 1;
        const char *mark = security_marks[k].s;
        size_t m = security_marks[k].n;
        /* the third byte first: "INFO" starts like "invalid" on every line */
        if (n - i >= m && lower_ascii((unsigned char)s[i + 1]) == (unsigned char)mark[1] &&
            lower_ascii((unsigned char)s[i + 2]) == (unsigned char)mark[2] && strncasecmp(s + i, mark, m) == 0)
            return true;
    }
    return false;
}

/* Test the positions from i on whose two bytes can start a mark, a block
 * at a time; return where the blocks ended (the rest is tested one by
 * one), or SIZE_MAX at a mark. After the AVX2 blocks, one SSE2 block can
 * still fit: so both run on every CPU with AVX2, and both are tested. */
#if defined(__x86_64__)
static size_t mark_blocks_sse2(const char *s, size_t n, size_t i)
{
    const __m128i fold = _mm_set1_epi8(0x20);
    for (; i + 17 <= n; i += 16) {
        __m128i x = _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(s + i)), fold);
        __m128i y = _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(s + i + 1)), fold);
        __m128i hit = _mm_setzero_si128();
        for (unsigned k = 0; k < npairs; k++)
            hit = _mm_or_si128(hit, _mm_and_si128(_mm_cmpeq_epi8(x, _mm_load_si128((const void *)pair_vectors[k][0])),
                                                  _mm_cmpeq_epi8(y, _mm_load_si128((const void *)pair_vectors[k][1]))));
        for (unsigned m = (unsigned)_mm_movemask_epi8(hit); m; m &= m - 1)
            if (mark_at(s, n, i + (unsigned)__builtin_ctz(m)))
                return SIZE_MAX;
    }
    return i;
}

__attribute__((target("avx2"))) static size_t mark_blocks_avx2(const char *s, size_t n, size_t i)
{
    const __m256i fold = _mm256_set1_epi8(0x20);
    for (; i + 33 <= n; i += 32) {
        __m256i x = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(const void *)(s + i)), fold);
        __m256i y = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(const void *)(s + i + 1)), fold);
        __m256i hit = _mm256_setzero_si256();
        for (unsigned k = 0; k < npairs; k++)
            hit = _mm256_or_si256(
                hit, _mm256_and_si256(_mm256_cmpeq_epi8(x, _mm256_load_si256((const void *)pair_vectors[k][0])),
                                      _mm256_cmpeq_epi8(y, _mm256_load_si256((const void *)pair_vectors[k][1]))));
        for (uint32_t m = (uint32_t)_mm256_movemask_epi8(hit); m; m &= m - 1)
            if (mark_at(s, n, i + (unsigned)__builtin_ctz(m)))
                return SIZE_MAX;
    }
    return i;
}

static bool has_avx2;
#endif

static void index_marks(void)
{
    for (unsigned k = 0; k < NMARKS; k++) {
        unsigned char c = (unsigned char)security_marks[k].s[0];
        mark_starts[c] |= (uint16_t)(1u << k);
        if (c >= 'a' && c <= 'z')
            mark_starts[c - 32] |= (uint16_t)(1u << k);
        unsigned p = pair_at(security_marks[k].s);
        if (!(mark_pairs[p >> 3] & (1u << (p & 7)))) {
            memset(pair_vectors[npairs][0], (int)(p >> 8), 32);
            memset(pair_vectors[npairs++][1], (int)(p & 0xff), 32);
        }
        mark_pairs[p >> 3] |= (uint8_t)(1u << (p & 7));
    }
#if defined(__x86_64__)
    has_avx2 = __builtin_cpu_supports("avx2");
#endif
}

/* Does s hold a mark, ignoring case? One pass over the line, where a
 * position whose two bytes start no mark (nearly all) is ruled out 16 or
 * 32 at a time by comparing them with each pair (AVX2 or SSE2, whichever
 * the CPU has), or one at a time by a look-up. (A pass per mark made
 * `watch` read logs at a fifth of the speed of `stats`; the look-up per
 * byte alone was still a third of its time.) */
static bool security_line(const char *s, size_t n)
{
    pthread_once(&marks_once, index_marks);
    size_t i = 0;
#if defined(__x86_64__)
    if (has_avx2 && (i = mark_blocks_avx2(s, n, i)) == SIZE_MAX)
        return true;
    if ((i = mark_blocks_sse2(s, n, i)) == SIZE_MAX)
        return true;
#endif
    for (; i + 1 < n; i++) { /* every mark has 2 bytes or more */
        unsigned p = pair_at(s + i);
        if ((mark_pairs[p >> 3] & (1u << (p & 7))) && mark_at(s, n, i))
            return true;
    }
    return false;
}

static bool failed_status(const char *st) { return strcmp(st, "error") == 0 || strcmp(st, "failure") == 0; }

void slsec_lambda_stats_line(slsec_lambda_stats *s, const char *function_name, const char *line, size_t len)
{
    slsec_lambda_record r;
    slsec_lambda_parse_line(line, len, &r);
    fn_state *f = function(s, function_name && *function_name ? function_name : "-");
    f->total.lines++;
    int64_t t = r.time_ms >= 0 ? r.time_ms : f->last_time;
    if (r.time_ms >= 0)
        f->last_time = r.time_ms;
    if (s->watch || s->on_window) {
        int64_t start = t < 0 ? 0 : t - t % s->o.window_ms;
        if (f->win_open && start > f->win_start)
            close_window(s, f, start);
        if (!f->win_open) {
            f->win_open = true;
            f->win_start = start;
        }
    }
    f->win.lines++;
    if (s->watch && s->o.security_min > 0 && security_line(line, len)) {
        f->total.security_lines++;
        f->win.security_lines++;
    }
    switch (r.kind) {
    case SLSEC_LAMBDA_REPORT:
        add_report(&f->total, &r);
        add_report(&f->win, &r);
        if (strcmp(r.status, "timeout") == 0)
            mark_failed(f, r.request_id, true);
        else if (failed_status(r.status))
            mark_failed(f, r.request_id, false);
        break;
    case SLSEC_LAMBDA_TIMEOUT:
        if (r.timeout_s > 0 && r.timeout_s < 1e6)
            f->learned_timeout_ms = r.timeout_s * 1000;
        mark_failed(f, r.request_id, true);
        break;
    case SLSEC_LAMBDA_ERROR: mark_failed(f, r.request_id, false); break;
    case SLSEC_LAMBDA_RUNTIME_DONE:
        if (strcmp(r.status, "timeout") == 0)
            mark_failed(f, r.request_id, true);
        else if (failed_status(r.status))
            mark_failed(f, r.request_id, false);
        break;
    case SLSEC_LAMBDA_INIT_REPORT:
        if (failed_status(r.status) || strcmp(r.status, "timeout") == 0) {
            f->total.init_errors++;
            f->win.init_errors++;
        }
        break;
    default: break;
    }
}
