/*
 * proxy.c — the HTTP gateway: libevent's evhttp as server and as client.
 *
 * One event loop, one thread. A request goes through
 *
 *   route ─▶ header size ─▶ concurrency ─▶ body size ─▶ auth ─▶ rate limit
 *         ─▶ path/query schemas ─▶ body schema ─▶ WAF ─▶ upstream
 *
 * and the first step that refuses it answers (404, 431, 503, 413, 401, 429,
 * 400/415/422, 403) without the upstream ever seeing it; every answer, refused
 * or relayed, is one JSON access-log line whose path and subject went
 * through the detector engine (secrets in query strings are masked).
 *
 * The config is reference-counted: a request keeps the config (and the
 * upstream connection pools) it started with, and SIGHUP installs a new
 * one only when it loads; the old one is freed when its last request ends.
 * The rate-limit table and the metrics outlive reloads (buckets are keyed
 * by route name).
 *
 * Answers are streamed: the upstream's status and headers go to the client
 * as soon as they are read, then its body piece by piece, with the
 * upstream read paused while a slow client has too much waiting (see
 * "upstream" below). Request bodies are not: libevent 2.1 calls us only
 * once a request has arrived whole (it has no hook to see a request
 * before its body), and its HTTP client writes a body only whole, so a
 * request body is read, bounded by the largest route limit, then checked
 * and sent. The header limit before routing is the largest route's too.
 * Slow clients (client_conn) and the upstream deadlines
 * (on_upstream_timer: the connect, then the route's own
 * upstream_timeout_ms until the status line, then as the longest silence
 * allowed between two pieces of body) are ours. docs/guard.md lists the
 * rest.
 */
#include "slsec/guard.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "slsec/detect.h"

/* ---- metrics ------------------------------------------------------------------------ */

typedef enum {
    DENY_NO_ROUTE, DENY_HEADER_SIZE, DENY_CONCURRENCY, DENY_BODY_SIZE, DENY_AUTH, DENY_RATE_LIMIT,
    DENY_INVALID_PATH, DENY_PATH_SCHEMA, DENY_INVALID_QUERY, DENY_QUERY_SCHEMA, DENY_CONTENT_TYPE,
    DENY_INVALID_JSON, DENY_SCHEMA, DENY_WAF, DENY_UPSTREAM_ERROR, DENY_UPSTREAM_CONNECT_TIMEOUT,
    DENY_UPSTREAM_TIMEOUT, DENY_COUNT
} deny_reason;

static const char *const deny_names[DENY_COUNT] = {
    "no_route", "header_size", "concurrency", "body_size", "auth", "rate_limit",
    "invalid_path", "path_schema", "invalid_query", "query_schema", "content_type",
    "invalid_json", "schema", "waf", "upstream_error", "upstream_connect_timeout",
    "upstream_timeout",
};

/* Why a relayed answer was cut off after its status line went out. */
typedef enum { ABORT_NONE, ABORT_CLIENT_CLOSED, ABORT_UPSTREAM_ERROR, ABORT_UPSTREAM_TIMEOUT, ABORT_COUNT } abort_reason;

static const char *const abort_names[ABORT_COUNT] = {"", "client_closed", "upstream_error", "upstream_timeout"};

static const double latency_bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
enum { LATENCY_BUCKETS = sizeof latency_bounds / sizeof latency_bounds[0] };

typedef struct route_stats {
    char *name;
    uint64_t by_class[6]; /* 1xx..5xx by hundreds; [0] unused */
    struct route_stats *next;
} route_stats;

typedef struct metrics {
    uint64_t requests;
    uint64_t denials[DENY_COUNT];
    uint64_t shadow_rate_limited;
    uint64_t waf_detected;
    uint64_t latency_hist[LATENCY_BUCKETS + 1];
    double latency_sum;
    uint64_t reloads, reload_failures;
    uint64_t streams_aborted[ABORT_COUNT];
    atomic_uint_fast64_t jwks_fetched, jwks_failed; /* counted on the JWKS refreshers' threads */
    route_stats *routes;
} metrics;

/* ---- config generations ------------------------------------------------------------ */

/* Where a config's jwks_url keys are: a reloaded config is installed only
 * once its refresher's first fetch has them (see on_reload). */
enum { KEYS_LOADED, KEYS_AWAITED, KEYS_FAILED };

typedef struct guard guard;

typedef struct generation {
    guard *g;
    slsec_guard_config *cfg;
    struct evhttp_connection ***pools; /* [upstream][pool] */
    unsigned *next_conn;               /* round robin per upstream */
    long *in_flight;                   /* per route */
    int refs;
    atomic_int keys;        /* KEYS_*: set by the refresher's thread, read by the loop */
    char keys_error[512];   /* KEYS_FAILED: why (a slsec_diag message); written before `keys` */
} generation;

/* Every client connection, for the request deadline: evhttp's own timer is
 * an inactivity timer, which a client sending a byte a second never trips.
 * We make each connection's bufferevent ourselves (evhttp_set_bevcb), keep
 * a reference to it, count the bytes arriving on it, and four times a
 * second sweep them: a connection whose request is arriving slower than
 * the minimum rate (past the grace of header_timeout_ms, each byte earns
 * 1/min_bytes_per_second s: a large body sent briskly gets the time it
 * needs, a trickle does not) is shut down (evhttp then sees the end of the
 * stream and frees it); one evhttp has freed (its callbacks are cleared)
 * loses our reference, which closes its socket. */
typedef struct client_conn {
    struct bufferevent *bev;
    struct evbuffer_cb_entry *counter;
    uint64_t since_ns; /* the current request is awaited since; 0 while it is answered */
    uint64_t bytes;    /* received since since_ns */
} client_conn;

typedef struct conn_table {
    client_conn **items;
    size_t count, cap;
} conn_table;

struct guard {
    struct event_base *base;
    conn_table conns;
    uint64_t request_deadline_ns; /* the grace: header_timeout_ms */
    uint64_t min_rate;            /* bytes per second owed past the grace */
    uint64_t cut_off;
    long in_flight;           /* requests between on_request and their answer */
    bool tls;                 /* the listener speaks TLS (X-Forwarded-Proto, Forwarded proto=) */
    SSL_CTX *tls_ctx;         /* the one it started with: used when a reload drops listen_tls */
    uint64_t stop_deadline_ns; /* set by SIGTERM/SIGINT: drain until then */
    bool loop_over;            /* the event loop has returned: nothing can be freed "later" */
    struct pending *pendings;  /* every request in flight, freed at the stop deadline */
    struct evhttp_bound_socket *listener;
    struct evhttp *http;
    generation *current;
    generation *staged;     /* a reload waiting for its JWKS, or NULL */
    int wake[2];            /* a pipe: a refresher's thread tells the loop a staged config's keys came */
    slsec_ratelimit *rl;
    metrics m;
    const slsec_guard_run_opts *opts;
    slsec_detect_scanner *masker;
};

typedef struct pending {
    guard *g;
    struct pending *prev, *next; /* in g->pendings */
    generation *gen;
    const slsec_guard_route *route;
    size_t route_index;
    struct evhttp_request *req;
    uint64_t start_ns, upstream_start_ns, upstream_ns;
    int upstream_error; /* enum evhttp_request_error + 1, 0 = none */
    char id[40];
    char client[64];
    char sub[256];
    char method[16];
    char *uri;
    const char *decision;
    int waf_rule; /* the rule that blocked, or matched in detect mode */
    struct bufferevent *conn_bev; /* the client connection's, for its deadline */
    struct evhttp_request *ureq;  /* to the upstream, until it is done */
    struct evhttp_connection *uconn;
    struct event *upstream_timer; /* the connect's deadline, the status line's, then the upstream's silence */
    bool awaiting_connect;        /* the timer is the connect's */
    bool counted;                 /* in the route's in_flight */
    bool streaming;               /* the client's answer has started: no other answer can follow */
    bool paused;                  /* the upstream is not read until the client catches up */
    bool oversized;               /* the upstream held back more than SLSEC_GUARD_MAX_UPSTREAM_BUFFER */
    bool bad_length;              /* the upstream's Content-Length cannot be trusted: 502 */
    struct evbuffer_cb_entry *input_watch; /* on the upstream connection's input, while streaming */
    int status;                   /* relayed to the client */
    uint64_t response_bytes;      /* body bytes relayed */
    abort_reason aborted;
} pending;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void logf_err(guard *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_err(guard *g, const char *fmt, ...)
{
    if (!g->opts->errors)
        return;
    va_list ap;
    va_start(ap, fmt);
    /* the JWKS refresher's thread logs too: each line whole */
    flockfile(g->opts->errors);
    fputs("slsec guard: ", g->opts->errors);
    vfprintf(g->opts->errors, fmt, ap);
    fputc('\n', g->opts->errors);
    fflush(g->opts->errors);
    funlockfile(g->opts->errors);
    va_end(ap);
}

static client_conn *conn_find(guard *g, const struct bufferevent *bev)
{
    for (size_t i = 0; bev && i < g->conns.count; i++)
        if (g->conns.items[i]->bev == bev)
            return g->conns.items[i];
    return NULL;
}

/* since: 0 while a request is being answered (no deadline), else the
 * moment the next one is awaited from. */
static void conn_await(guard *g, struct bufferevent *bev, uint64_t since)
{
    client_conn *c = conn_find(g, bev);
    if (c) {
        c->since_ns = since;
        c->bytes = 0;
    }
}

static void count_bytes(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    client_conn *c = arg;
    c->bytes += info->n_added;
}

/* Has the connection's request been arriving too slowly? */
static bool conn_too_slow(const guard *g, const client_conn *c, uint64_t now)
{
    if (!c->since_ns || now <= c->since_ns)
        return false;
    double earned_ns = (double)c->bytes * 1e9 / (double)(g->min_rate ? g->min_rate : 1);
    return (double)(now - c->since_ns) > (double)g->request_deadline_ns + earned_ns;
}

static struct bufferevent *conn_bev(struct evhttp_request *req)
{
    struct evhttp_connection *cc = evhttp_request_get_connection(req);
    return cc ? evhttp_connection_get_bufferevent(cc) : NULL;
}

static struct bufferevent *make_client_bev(struct event_base *base, void *arg)
{
    guard *g = arg;
    struct bufferevent *bev;
    if (g->tls) {
        /* a reload may rotate the certificate: new connections take the current one */
        SSL_CTX *ctx = g->current->cfg->tls_ctx ? g->current->cfg->tls_ctx : g->tls_ctx;
        /* never NULL here: evhttp would then make a plain-text connection of its own */
        SSL *ssl = SSL_new(ctx);
        if (!ssl)
            slsec_oom();
        /* evhttp gives the accepted socket later (bufferevent_setfd), which starts the handshake */
        bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
        if (!bev)
            slsec_oom();
        /* a client closing without close_notify has still sent its whole request */
        bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
    } else {
        bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    }
    if (!bev)
        return NULL;
    bufferevent_incref(bev);
    if (g->conns.count == g->conns.cap) {
        g->conns.cap = g->conns.cap ? g->conns.cap * 2 : 256;
        client_conn **more = realloc(g->conns.items, g->conns.cap * sizeof *more);
        if (!more)
            slsec_oom();
        g->conns.items = more;
    }
    client_conn *c = calloc(1, sizeof *c);
    if (!c)
        slsec_oom();
    c->bev = bev;
    c->since_ns = now_ns();
    /* the input buffer stays the bufferevent's for its whole life; evhttp
     * only drains it, so this sees every byte the client sends */
    c->counter = evbuffer_add_cb(bufferevent_get_input(bev), count_bytes, c);
    g->conns.items[g->conns.count++] = c;
    return bev;
}

static void conn_release(client_conn *c)
{
    if (c->counter)
        evbuffer_remove_cb_entry(bufferevent_get_input(c->bev), c->counter);
    bufferevent_decref(c->bev);
    free(c);
}

static void sweep_conns(evutil_socket_t fd, short what, void *arg)
{
    guard *g = arg;
    uint64_t now = now_ns();
    /* stopping: done once the requests in flight are answered, or at the grace deadline */
    if (g->stop_deadline_ns && (g->in_flight == 0 || now > g->stop_deadline_ns)) {
        event_base_loopexit(g->base, NULL);
        return;
    }
    for (size_t i = 0; i < g->conns.count;) {
        client_conn *c = g->conns.items[i];
        bufferevent_event_cb eventcb = NULL;
        bufferevent_getcb(c->bev, NULL, NULL, &eventcb, NULL);
        /* evhttp clears the read callback while it writes an answer, and
         * every callback when it frees the connection */
        if (!eventcb) {
            /* evhttp is done with it: ours was the last reference */
            conn_release(c);
            g->conns.items[i] = g->conns.items[--g->conns.count];
            continue;
        }
        if (conn_too_slow(g, c, now)) {
            evutil_socket_t sock = bufferevent_getfd(c->bev);
            if (sock >= 0)
                shutdown(sock, SHUT_RDWR);
            c->since_ns = 0;
            g->cut_off++;
        }
        i++;
    }
}

static void release_conns(guard *g)
{
    for (size_t i = 0; i < g->conns.count; i++)
        conn_release(g->conns.items[i]);
    free(g->conns.items);
    g->conns.items = NULL;
    g->conns.count = g->conns.cap = 0;
}

static void wake_loop(guard *g)
{
    char byte = 0;
    ssize_t n = write(g->wake[1], &byte, 1); /* a full pipe already has a wake in it */
    (void)n;
}

/* On a refresher's thread: counters are atomic, log lines whole. The
 * counters are the guard's, so they survive reloads like the others. A
 * staged config's first fetch is not a refresh: the loop decides on it. */
static void on_jwks_fetch(void *user, bool ok, size_t keys, const char *error)
{
    generation *gen = user;
    guard *g = gen->g;
    if (atomic_load(&gen->keys) == KEYS_AWAITED) {
        if (!ok)
            snprintf(gen->keys_error, sizeof gen->keys_error, "%s", error);
        atomic_store(&gen->keys, ok ? KEYS_LOADED : KEYS_FAILED);
        wake_loop(g);
        return;
    }
    if (ok) {
        atomic_fetch_add(&g->m.jwks_fetched, 1);
        logf_err(g, "JWKS refreshed: %zu keys", keys);
    } else {
        atomic_fetch_add(&g->m.jwks_failed, 1);
        logf_err(g, "JWKS refresh failed, keeping the old keys: %s", error);
    }
}

/* await_keys: cfg was loaded without its jwks_url keys (a reload); its
 * refresher fetches them now and on_jwks_fetch wakes the loop when done. */
static generation *generation_new(guard *g, slsec_guard_config *cfg, bool await_keys)
{
    generation *gen = calloc(1, sizeof *gen);
    if (!gen)
        slsec_oom();
    gen->g = g;
    gen->cfg = cfg;
    gen->refs = 1;
    atomic_init(&gen->keys, await_keys ? KEYS_AWAITED : KEYS_LOADED);
    gen->pools = calloc(cfg->upstream_count + 1, sizeof *gen->pools);
    gen->next_conn = calloc(cfg->upstream_count + 1, sizeof *gen->next_conn);
    gen->in_flight = calloc(cfg->route_count + 1, sizeof *gen->in_flight);
    if (!gen->pools || !gen->next_conn || !gen->in_flight)
        slsec_oom();
    long max_timeout = 0;
    for (size_t r = 0; r < cfg->route_count; r++)
        if (cfg->routes[r].limits.upstream_timeout_ms > max_timeout)
            max_timeout = cfg->routes[r].limits.upstream_timeout_ms;
    for (size_t i = 0; i < cfg->upstream_count; i++) {
        const slsec_guard_upstream *u = &cfg->upstreams[i];
        gen->pools[i] = calloc((size_t)u->pool, sizeof **gen->pools);
        if (!gen->pools[i])
            slsec_oom();
        for (int k = 0; k < u->pool; k++) {
            struct evhttp_connection *c = evhttp_connection_base_new(g->base, NULL, u->host, (unsigned short)u->port);
            if (!c)
                slsec_oom();
            struct timeval tv = {max_timeout / 1000, (max_timeout % 1000) * 1000};
            evhttp_connection_set_timeout_tv(c, &tv);
            evhttp_connection_set_retries(c, 0);
            /* answers are relayed as they arrive, whatever their size
             * (upstream_body); only what is held at once is bounded */
            evhttp_connection_set_max_body_size(c, -1);
            evhttp_connection_set_max_headers_size(c, SLSEC_GUARD_MAX_UPSTREAM_HEADER_BYTES);
            gen->pools[i][k] = c;
        }
    }
    /* last: its thread may call back at once, with gen */
    slsec_diag jd = {0};
    if (slsec_guard_jwks_start(cfg, on_jwks_fetch, gen, &jd) != SLSEC_OK) {
        if (await_keys) {
            snprintf(gen->keys_error, sizeof gen->keys_error, "%s", jd.message);
            atomic_store(&gen->keys, KEYS_FAILED);
            wake_loop(g);
        } else {
            /* the keys fetched at load stay, unrefreshed: said, not fatal */
            logf_err(g, "JWKS keys from %s will not be refreshed: %s", cfg->jwks_url, jd.message);
        }
    }
    return gen;
}

static void generation_free(generation *gen)
{
    for (size_t i = 0; i < gen->cfg->upstream_count; i++) {
        for (int k = 0; k < gen->cfg->upstreams[i].pool; k++)
            evhttp_connection_free(gen->pools[i][k]);
        free(gen->pools[i]);
    }
    free(gen->pools);
    free(gen->next_conn);
    free(gen->in_flight);
    slsec_guard_config_free(gen->cfg);
    free(gen);
}

static void generation_free_later(evutil_socket_t fd, short what, void *arg)
{
    generation_free(arg);
}

/* The last reference may be dropped inside a callback of one of the
 * generation's own upstream connections, which evhttp still uses after the
 * callback returns: the connections are then freed from the event loop,
 * after the callback, never during it. */
static void generation_release(struct event_base *base, generation *gen)
{
    if (!gen || --gen->refs > 0)
        return;
    /* once the loop has returned, a callback scheduled now would never run */
    if (!base || gen->g->loop_over ||
        event_base_once(base, -1, EV_TIMEOUT, generation_free_later, gen, &(struct timeval){0, 0}) != 0)
        generation_free(gen);
}

/* ---- helpers -------------------------------------------------------------------------- */

static const char *method_name(enum evhttp_cmd_type t)
{
    switch (t) {
    case EVHTTP_REQ_GET: return "GET";
    case EVHTTP_REQ_POST: return "POST";
    case EVHTTP_REQ_HEAD: return "HEAD";
    case EVHTTP_REQ_PUT: return "PUT";
    case EVHTTP_REQ_DELETE: return "DELETE";
    case EVHTTP_REQ_OPTIONS: return "OPTIONS";
    case EVHTTP_REQ_TRACE: return "TRACE";
    case EVHTTP_REQ_CONNECT: return "CONNECT";
    case EVHTTP_REQ_PATCH: return "PATCH";
    }
    return "?";
}

static bool hop_by_hop(const char *name, const char *connection_header)
{
    static const char *const names[] = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
                                        "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
                                        "content-length"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (slsec_str_eq_ci(name, names[i]))
            return true;
    /* and whatever the Connection header lists */
    if (connection_header) {
        size_t n = strlen(name);
        for (const char *p = connection_header; *p;) {
            while (*p == ' ' || *p == '\t' || *p == ',')
                p++;
            size_t len = strcspn(p, ", \t");
            if (len == n && strncasecmp(p, name, n) == 0)
                return true;
            p += len;
        }
    }
    return false;
}

static bool valid_request_id(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.'))
            return false;
    }
    return n > 0 && n < 40;
}

typedef struct mask_ctx {
    char *text;
} mask_ctx;

static int mask_match(const slsec_match *m, void *user)
{
    mask_ctx *mc = user;
    for (size_t i = 0; i < m->length; i++)
        mc->text[m->offset + i] = '*';
    return 0;
}

/* Secrets and personal data in text become '*' of the same length. */
static void mask_text(guard *g, char *text)
{
    if (!g->masker || !text || !*text)
        return;
    mask_ctx mc = {text};
    size_t n = strlen(text);
    char *copy = strndup(text, n); /* the scanner reads while we write */
    if (!copy)
        slsec_oom();
    slsec_detect_scanner_scan(g->masker, copy, n, mask_match, &mc);
    free(copy);
}

static route_stats *stats_for(guard *g, const char *name)
{
    for (route_stats *s = g->m.routes; s; s = s->next)
        if (strcmp(s->name, name) == 0)
            return s;
    route_stats *s = calloc(1, sizeof *s);
    if (!s || !(s->name = strdup(name)))
        slsec_oom();
    s->next = g->m.routes;
    g->m.routes = s;
    return s;
}

static void access_log(pending *p, int status)
{
    guard *g = p->g;
    uint64_t elapsed = now_ns() - p->start_ns;
    double secs = (double)elapsed / 1e9;
    g->m.requests++;
    g->m.latency_sum += secs;
    size_t b = 0;
    while (b < LATENCY_BUCKETS && secs > latency_bounds[b])
        b++;
    g->m.latency_hist[b]++;
    if (p->route && status >= 100 && status < 600)
        stats_for(g, p->route->name)->by_class[status / 100]++;
    FILE *log = g->opts->access_log;
    if (!log)
        return;
    char *path = strdup(p->uri ? p->uri : "");
    char *sub = strdup(p->sub);
    if (!path || !sub)
        slsec_oom();
    mask_text(g, path);
    mask_text(g, sub);
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    char ts[40];
    struct tm tm;
    gmtime_r(&wall.tv_sec, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    json_t *o = json_object();
    json_object_set_new(o, "time", json_sprintf("%s.%03ldZ", ts, wall.tv_nsec / 1000000));
    json_object_set_new(o, "id", json_string(p->id));
    json_object_set_new(o, "client", json_string(p->client));
    json_object_set_new(o, "method", json_string(p->method));
    /* stringn: a path may hold bytes that are not UTF-8 */
    json_t *pj = json_string(path);
    json_object_set_new(o, "path", pj ? pj : json_string("(not UTF-8)"));
    json_object_set_new(o, "route", p->route ? json_string(p->route->name) : json_null());
    json_object_set_new(o, "status", json_integer(status));
    json_object_set_new(o, "latency_ms", json_real(round(secs * 1e6) / 1e3));
    if (p->upstream_ns)
        json_object_set_new(o, "upstream_ms", json_real(round((double)p->upstream_ns / 1e3) / 1e3));
    if (*sub) {
        json_t *sj = json_string(sub);
        json_object_set_new(o, "subject", sj ? sj : json_string("(not UTF-8)"));
    }
    json_object_set_new(o, "decision", json_string(p->decision ? p->decision : "allowed"));
    if (p->streaming)
        json_object_set_new(o, "bytes", json_integer((json_int_t)p->response_bytes));
    if (p->aborted)
        json_object_set_new(o, "aborted", json_string(abort_names[p->aborted]));
    if (p->waf_rule)
        json_object_set_new(o, "waf_rule", json_integer(p->waf_rule));
    char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (line) {
        fprintf(log, "%s\n", line);
        fflush(log);
        free(line);
    }
    json_decref(o);
    free(path);
    free(sub);
}

static void pending_free(pending *p)
{
    /* the next request on this connection has its own deadline */
    conn_await(p->g, p->conn_bev, now_ns());
    if (p->upstream_timer)
        event_free(p->upstream_timer);
    p->g->in_flight--;
    if (p->prev)
        p->prev->next = p->next;
    else
        p->g->pendings = p->next;
    if (p->next)
        p->next->prev = p->prev;
    if (p->counted)
        p->gen->in_flight[p->route_index]--;
    generation_release(p->g->base, p->gen);
    free(p->uri);
    free(p);
}

/* A refusal: a short JSON body that never echoes what the client sent. */
static void deny(pending *p, deny_reason why, int status, const char *reason_phrase, const char *detail)
{
    struct evhttp_request *req = p->req;
    struct evkeyvalq *out = evhttp_request_get_output_headers(req);
    evhttp_add_header(out, "Content-Type", "application/json");
    evhttp_add_header(out, "X-Request-Id", p->id);
    struct evbuffer *body = evbuffer_new();
    json_t *o = json_pack("{s:s, s:s, s:s}", "error", deny_names[why], "request_id", p->id, "detail",
                          detail ? detail : reason_phrase);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    evbuffer_add_printf(body, "%s\n", text ? text : "{}");
    free(text);
    json_decref(o);
    p->g->m.denials[why]++;
    p->decision = deny_names[why];
    evhttp_send_reply(req, status, reason_phrase, body);
    evbuffer_free(body);
    access_log(p, status);
    pending_free(p);
}

/* ---- upstream ----------------------------------------------------------------------------- */

/* The answer is relayed as it arrives: its status and headers once they
 * are read (upstream_headers), then each piece of body (upstream_body),
 * so the gateway holds a few buffers per request, never a whole body.
 * A client that reads slower than the upstream writes pauses the upstream
 * read once SLSEC_GUARD_STREAM_WATERMARK bytes wait for it, until they
 * are written (client_drained). Once the status line is sent there is no
 * second answer: a failure after it (upstream error, deadline, oversized
 * chunk) closes the client connection, so the client sees a truncated
 * body, never a complete-looking one.
 *
 * Once the answer has started, upstream_timeout_ms no longer bounds the
 * whole answer (a large download from a steady upstream may take any
 * time) but the upstream's silence: the timer is re-armed at each piece
 * of body, and stopped while we ourselves do not read the upstream for a
 * slow client (that wait is the client's, bounded by libevent's write
 * timeout on the client connection, header_timeout_ms). */

static void upstream_error(enum evhttp_request_error err, void *arg)
{
    pending *p = arg;
    p->upstream_error = (int)err + 1;
}

static void watch_upstream_input(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg);

static void stop_watching_upstream(pending *p)
{
    if (p->input_watch) {
        evbuffer_remove_cb_entry(bufferevent_get_input(evhttp_connection_get_bufferevent(p->uconn)), p->input_watch);
        p->input_watch = NULL;
    }
}

/* Stops reading the upstream; its request is freed (and its connection
 * reset) by evhttp. */
static void cancel_upstream(pending *p)
{
    stop_watching_upstream(p);
    if (p->upstream_timer)
        event_del(p->upstream_timer);
    if (p->ureq) {
        struct evhttp_request *ureq = p->ureq;
        p->ureq = NULL;
        evhttp_cancel_request(ureq); /* upstream_done is not called for a cancelled request */
    }
    if (!p->upstream_ns)
        p->upstream_ns = now_ns() - p->upstream_start_ns;
}

static void on_client_closed(struct evhttp_connection *cc, void *arg);

/* A relayed answer that cannot be finished: the client connection is
 * closed under it (evhttp frees the request with it). */
static void abort_stream(pending *p, abort_reason why)
{
    cancel_upstream(p);
    struct evhttp_connection *cc = evhttp_request_get_connection(p->req);
    if (cc) {
        evhttp_connection_set_closecb(cc, NULL, NULL);
        evhttp_connection_free(cc);
    } else {
        evhttp_request_free(p->req); /* already detached from its connection */
    }
    p->aborted = why;
    p->g->m.streams_aborted[why]++;
    access_log(p, p->status);
    pending_free(p);
}

/* The client went away (or stopped reading past evhttp's write timeout)
 * in the middle of an answer. */
static void on_client_closed(struct evhttp_connection *cc, void *arg)
{
    pending *p = arg;
    /* evhttp detached the unfinished request from the dying connection:
     * it is ours to free; otherwise it goes with the connection */
    if (!evhttp_request_get_connection(p->req))
        evhttp_request_free(p->req);
    cancel_upstream(p);
    p->aborted = ABORT_CLIENT_CLOSED;
    p->g->m.streams_aborted[ABORT_CLIENT_CLOSED]++;
    access_log(p, p->status);
    pending_free(p);
}

/* Streaming: the upstream has upstream_timeout_ms from now to send more. */
static void arm_idle_timer(pending *p)
{
    long ms = p->route->limits.upstream_timeout_ms;
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    evtimer_add(p->upstream_timer, &tv);
}

static void pause_upstream(pending *p, bool pause)
{
    if (p->paused == pause || !p->ureq)
        return;
    struct bufferevent *ubev = evhttp_connection_get_bufferevent(p->uconn);
    if (pause) {
        bufferevent_disable(ubev, EV_READ);
        event_del(p->upstream_timer); /* not the upstream's silence: ours */
    } else {
        bufferevent_enable(ubev, EV_READ);
        arm_idle_timer(p);
    }
    p->paused = pause;
}

/* Called once everything sent to the client so far is written. */
static void client_drained(struct evhttp_connection *cc, void *arg)
{
    pause_upstream(arg, false);
}

/* Unparsed upstream bytes pile up only while evhttp waits for the end of
 * a chunk (it relays chunks whole): past SLSEC_GUARD_MAX_UPSTREAM_BUFFER
 * the answer is given up. Not from here, inside the bufferevent's read:
 * reading stops, and the request's timer runs the cancellation next. */
static void watch_upstream_input(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    pending *p = arg;
    if (!info->n_added || p->oversized || evbuffer_get_length(buf) <= SLSEC_GUARD_MAX_UPSTREAM_BUFFER)
        return;
    p->oversized = true;
    bufferevent_disable(evhttp_connection_get_bufferevent(p->uconn), EV_READ);
    event_active(p->upstream_timer, EV_TIMEOUT, 0);
}

/* A Content-Length we can pass on: digits only, at most 18 of them (no
 * overflow), the same in every copy, and no Transfer-Encoding (which wins
 * over it, RFC 7230 3.3.3). NULL with *bad set: a Content-Length that is
 * none of these, which libevent would otherwise find out only after the
 * client's status line has gone. */
static const char *relayable_length(struct evkeyvalq *in, bool *bad)
{
    *bad = false;
    if (evhttp_find_header(in, "Transfer-Encoding"))
        return NULL;
    const char *len = NULL;
    for (struct evkeyval *h = in->tqh_first; h; h = h->next.tqe_next) {
        if (!slsec_str_eq_ci(h->key, "content-length"))
            continue;
        if (!*h->value || strspn(h->value, "0123456789") != strlen(h->value) || strlen(h->value) > 18 ||
            (len && strcmp(len, h->value) != 0)) {
            *bad = true;
            return NULL;
        }
        len = h->value;
    }
    return len;
}

/* The upstream's status and headers are in: the client's answer starts. */
static int upstream_headers(struct evhttp_request *ureq, void *arg)
{
    pending *p = arg;
    int code = evhttp_request_get_response_code(ureq);
    if (code < 200)
        return 0; /* an interim answer: evhttp reads on to the final one */
    struct evhttp_connection *cc = evhttp_request_get_connection(p->req);
    if (!cc)
        return -1; /* the client is gone: evhttp drops the upstream, upstream_done cleans up */
    struct evkeyvalq *in = evhttp_request_get_input_headers(ureq);
    bool bad_length;
    const char *length = relayable_length(in, &bad_length);
    if (bad_length) {
        /* before anything is sent: evhttp drops the upstream, upstream_done answers 502 */
        p->bad_length = true;
        return -1;
    }
    if (code == 204)
        length = NULL;
    struct evkeyvalq *out = evhttp_request_get_output_headers(p->req);
    const char *conn = evhttp_find_header(in, "Connection");
    for (struct evkeyval *h = in->tqh_first; h; h = h->next.tqe_next)
        if (!hop_by_hop(h->key, conn))
            evhttp_add_header(out, h->key, h->value);
    if (!evhttp_find_header(out, "X-Request-Id"))
        evhttp_add_header(out, "X-Request-Id", p->id);
    if (length) {
        /* known: non-chunked clients keep their connection, HEAD gets its length */
        evhttp_add_header(out, "Content-Length", length);
    } else {
        /* unknown: HTTP/1.1 clients get chunks; an HTTP/1.0 client's
         * keep-alive would make evhttp announce a length of 0, so its
         * answer ends with the connection instead */
        struct evkeyvalq *cin = evhttp_request_get_input_headers(p->req);
        const char *cconn = evhttp_find_header(cin, "Connection");
        if (cconn && strcasestr(cconn, "keep-alive"))
            evhttp_remove_header(cin, "Connection");
    }
    p->status = code;
    p->streaming = true;
    evhttp_connection_set_closecb(cc, on_client_closed, p);
    p->input_watch = evbuffer_add_cb(bufferevent_get_input(evhttp_connection_get_bufferevent(p->uconn)),
                                     watch_upstream_input, p);
    const char *phrase = code >= 500 ? "Upstream Error" : code >= 400 ? "Client Error" : "OK";
    evhttp_send_reply_start(p->req, code, phrase);
    p->awaiting_connect = false;
    arm_idle_timer(p); /* from now on the timer bounds the upstream's silence */
    return 0;
}

/* A piece of the upstream's body: handed on (evhttp empties the buffer
 * after this returns). */
static void upstream_body(struct evhttp_request *ureq, void *arg)
{
    pending *p = arg;
    struct evbuffer *piece = evhttp_request_get_input_buffer(ureq);
    if (!p->streaming)
        return;
    p->response_bytes += evbuffer_get_length(piece);
    evhttp_send_reply_chunk_with_cb(p->req, piece, client_drained, p);
    if (p->conn_bev && evbuffer_get_length(bufferevent_get_output(p->conn_bev)) > SLSEC_GUARD_STREAM_WATERMARK)
        pause_upstream(p, true);
    if (!p->paused && !p->oversized)
        arm_idle_timer(p); /* the upstream spoke: its silence counts from now */
}

static void upstream_done(struct evhttp_request *ureq, void *arg)
{
    pending *p = arg;
    p->ureq = NULL; /* evhttp frees it after this callback */
    stop_watching_upstream(p);
    if (p->upstream_timer)
        event_del(p->upstream_timer);
    p->upstream_ns = now_ns() - p->upstream_start_ns;
    bool failed = !ureq || evhttp_request_get_response_code(ureq) == 0 || p->upstream_error;
    if (p->streaming && failed) {
        logf_err(p->g, "request %s: upstream %s failed in the middle of its answer", p->id,
                 p->route->upstream->name);
        abort_stream(p, ABORT_UPSTREAM_ERROR);
        return;
    }
    if (p->streaming) {
        struct evhttp_connection *cc = evhttp_request_get_connection(p->req);
        if (cc)
            evhttp_connection_set_closecb(cc, NULL, NULL);
        evhttp_send_reply_end(p->req);
        access_log(p, p->status);
        pending_free(p);
        return;
    }
    bool timeout = p->upstream_error == (int)EVREQ_HTTP_TIMEOUT + 1;
    if (p->bad_length) {
        logf_err(p->g, "request %s: upstream %s sent an invalid Content-Length", p->id, p->route->upstream->name);
        deny(p, DENY_UPSTREAM_ERROR, 502, "Bad Gateway", "the upstream sent a malformed answer");
        return;
    }
    logf_err(p->g, "request %s: upstream %s %s", p->id, p->route->upstream->name,
             timeout ? "timed out" : "failed (refused, reset or malformed answer)");
    if (timeout)
        deny(p, DENY_UPSTREAM_TIMEOUT, 504, "Gateway Timeout", "the upstream did not answer in time");
    else
        deny(p, DENY_UPSTREAM_ERROR, 502, "Bad Gateway", "the upstream could not be reached");
}

/* Is the upstream connection's socket connected? (No socket yet, or a
 * connect still in progress, is not.) */
static bool upstream_connected(struct evhttp_connection *conn)
{
    struct bufferevent *bev = evhttp_connection_get_bufferevent(conn);
    evutil_socket_t fd = bev ? bufferevent_getfd(bev) : -1;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    return fd >= 0 && getpeername(fd, (struct sockaddr *)&ss, &sl) == 0;
}

/* libevent 2.1 has one timeout per connection, and a pooled connection
 * serves every route of its upstream: it is set to the longest route's
 * upstream_timeout_ms and only backs this timer up. The timer first bounds
 * the connect (upstream_connect_timeout_ms, when the request needed one),
 * then the wait for the status line, by the route's own
 * upstream_timeout_ms counted from when the request was sent, then the
 * upstream's silence while its body is relayed (arm_idle_timer). It also
 * carries out an oversized chunk's cancellation (watch_upstream_input). */
static void on_upstream_timer(evutil_socket_t fd, short what, void *arg)
{
    pending *p = arg;
    if (!p->ureq)
        return;
    if (p->oversized) { /* (watched only once the answer has started) */
        logf_err(p->g, "request %s: upstream %s sent a chunk larger than %u bytes", p->id, p->route->upstream->name,
                 SLSEC_GUARD_MAX_UPSTREAM_BUFFER);
        abort_stream(p, ABORT_UPSTREAM_ERROR);
        return;
    }
    if (p->streaming) {
        logf_err(p->g, "request %s: upstream %s sent nothing for %ld ms in the middle of its answer", p->id,
                 p->route->upstream->name, p->route->limits.upstream_timeout_ms);
        abort_stream(p, ABORT_UPSTREAM_TIMEOUT);
        return;
    }
    bool connect_late = p->awaiting_connect && !upstream_connected(p->uconn);
    p->awaiting_connect = false;
    long total_ms = p->route->limits.upstream_timeout_ms;
    long elapsed_ms = (long)((now_ns() - p->upstream_start_ns) / 1000000u);
    if (!connect_late && elapsed_ms < total_ms) {
        long left = total_ms - elapsed_ms; /* connected in time: now the answer's deadline */
        struct timeval tv = {left / 1000, (left % 1000) * 1000};
        evtimer_add(p->upstream_timer, &tv);
        return;
    }
    /* resets the connection; upstream_done is not called for a cancelled request */
    cancel_upstream(p);
    if (connect_late) {
        logf_err(p->g, "request %s: upstream %s did not accept the connection in time", p->id,
                 p->route->upstream->name);
        deny(p, DENY_UPSTREAM_CONNECT_TIMEOUT, 504, "Gateway Timeout",
             "the upstream did not accept a connection in time");
    } else {
        logf_err(p->g, "request %s: upstream %s timed out", p->id, p->route->upstream->name);
        deny(p, DENY_UPSTREAM_TIMEOUT, 504, "Gateway Timeout", "the upstream did not answer in time");
    }
}

/* An RFC 7239 value: a token as is, anything else as a quoted-string;
 * false when it holds a byte no quoted-string may carry. */
static bool forwarded_value(slsec_buf *b, const char *v)
{
    bool token = *v != '\0';
    for (const char *s = v; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f)
            return false;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("!#$%&'*+-.^_`|~", c)))
            token = false;
    }
    if (token) {
        slsec_buf_puts(b, v);
        return true;
    }
    slsec_buf_putc(b, '"');
    for (const char *s = v; *s; s++) {
        if (*s == '"' || *s == '\\')
            slsec_buf_putc(b, '\\');
        slsec_buf_putc(b, *s);
    }
    slsec_buf_putc(b, '"');
    return true;
}

/* Forwarded: the received elements only from a trusted proxy, then ours:
 * for= the peer (an IPv6 address bracketed and quoted), host= the Host the
 * client asked for, proto= the listener's scheme. */
static void add_forwarded(struct evkeyvalq *out, const char *received, bool trusted, const char *peer,
                          const char *host, const char *proto)
{
    slsec_buf b;
    slsec_buf_init(&b);
    if (received && trusted && *received)
        slsec_buf_printf(&b, "%s, ", received);
    slsec_buf_puts(&b, "for=");
    if (strchr(peer, ':'))
        slsec_buf_printf(&b, "\"[%s]\"", peer);
    else if (*peer)
        slsec_buf_puts(&b, peer);
    else
        slsec_buf_puts(&b, "unknown");
    if (host) {
        size_t mark = b.len;
        slsec_buf_puts(&b, ";host=");
        if (!forwarded_value(&b, host)) {
            b.len = mark;
            b.data[mark] = '\0';
        }
    }
    slsec_buf_printf(&b, ";proto=%s", proto);
    evhttp_add_header(out, "Forwarded", b.data);
    slsec_buf_free(&b);
}

static void forward(pending *p)
{
    generation *gen = p->gen;
    const slsec_guard_upstream *u = p->route->upstream;
    size_t ui = (size_t)(u - gen->cfg->upstreams);
    struct evhttp_connection *conn = gen->pools[ui][gen->next_conn[ui]++ % (unsigned)u->pool];
    struct evhttp_request *ureq = evhttp_request_new(upstream_done, p);
    if (!ureq)
        slsec_oom();
    evhttp_request_set_error_cb(ureq, upstream_error);
    evhttp_request_set_header_cb(ureq, upstream_headers);
    evhttp_request_set_chunked_cb(ureq, upstream_body);
    struct evkeyvalq *in = evhttp_request_get_input_headers(p->req);
    struct evkeyvalq *out = evhttp_request_get_output_headers(ureq);
    const char *connection = evhttp_find_header(in, "Connection");
    const char *xff = NULL;
    slsec_buf fwd; /* a repeated Forwarded header is one list (RFC 7230 3.2.2) */
    slsec_buf_init(&fwd);
    for (struct evkeyval *h = in->tqh_first; h; h = h->next.tqe_next) {
        if (hop_by_hop(h->key, connection) || slsec_str_eq_ci(h->key, "host") ||
            slsec_str_eq_ci(h->key, "x-request-id") || slsec_str_eq_ci(h->key, "x-forwarded-host") ||
            slsec_str_eq_ci(h->key, "x-forwarded-proto") || slsec_str_eq_ci(h->key, "expect"))
            continue; /* (evhttp answered Expect: 100-continue, and the body is here) */
        if (slsec_str_eq_ci(h->key, "x-forwarded-for")) {
            xff = h->value;
            continue;
        }
        if (slsec_str_eq_ci(h->key, "forwarded")) {
            slsec_buf_printf(&fwd, "%s%s", fwd.len ? ", " : "", h->value);
            continue;
        }
        evhttp_add_header(out, h->key, h->value);
    }
    char peer[64] = "";
    char *peer_addr = NULL;
    ev_uint16_t peer_port = 0;
    struct evhttp_connection *cc = evhttp_request_get_connection(p->req);
    if (cc)
        evhttp_connection_get_peer(cc, &peer_addr, &peer_port);
    snprintf(peer, sizeof peer, "%s", peer_addr ? peer_addr : "");
    char hostport[300];
    snprintf(hostport, sizeof hostport, "%s%s%s:%d", strchr(u->host, ':') ? "[" : "", u->host,
             strchr(u->host, ':') ? "]" : "", u->port);
    evhttp_add_header(out, "Host", hostport);
    const char *orig_host = evhttp_find_header(in, "Host");
    const char *proto = p->g->tls ? "https" : "http";
    if (orig_host)
        evhttp_add_header(out, "X-Forwarded-Host", orig_host);
    evhttp_add_header(out, "X-Forwarded-Proto", proto);
    evhttp_add_header(out, "X-Request-Id", p->id);
    bool trusted = slsec_guard_trusted_proxy(gen->cfg, peer);
    add_forwarded(out, fwd.len ? fwd.data : NULL, trusted, peer, orig_host, proto);
    slsec_buf_free(&fwd);
    /* a chain is kept only from a proxy we trust; otherwise it is the client's word */
    if (xff && trusted) {
        char *chain = NULL;
        if (asprintf(&chain, "%s, %s", xff, peer) < 0)
            slsec_oom();
        evhttp_add_header(out, "X-Forwarded-For", chain);
        free(chain);
    } else {
        evhttp_add_header(out, "X-Forwarded-For", peer);
    }
    evbuffer_add_buffer(evhttp_request_get_output_buffer(ureq), evhttp_request_get_input_buffer(p->req));
    p->upstream_start_ns = now_ns();
    enum evhttp_cmd_type cmd = evhttp_request_get_command(p->req);
    /* asked before the request starts a connect: an established keep-alive
     * connection needs no connect timer */
    bool needs_connect = !upstream_connected(conn);
    if (evhttp_make_request(conn, ureq, cmd, p->uri) != 0) {
        /* evhttp_make_request frees ureq on failure */
        deny(p, DENY_UPSTREAM_ERROR, 502, "Bad Gateway", "the upstream could not be reached");
        return;
    }
    p->ureq = ureq;
    p->uconn = conn;
    long ms = p->route->limits.upstream_timeout_ms;
    p->awaiting_connect = needs_connect && p->route->limits.upstream_connect_timeout_ms < ms;
    if (p->awaiting_connect)
        ms = p->route->limits.upstream_connect_timeout_ms;
    p->upstream_timer = evtimer_new(p->g->base, on_upstream_timer, p);
    if (!p->upstream_timer)
        slsec_oom();
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    evtimer_add(p->upstream_timer, &tv);
}

/* ---- the request pipeline ------------------------------------------------------------ */

/* The client address: the peer, or, behind trusted proxies, the rightmost
 * X-Forwarded-For entry that is not itself a trusted proxy. */
static void client_address(const slsec_guard_config *cfg, const char *peer, const char *xff, char *out, size_t size)
{
    snprintf(out, size, "%s", peer);
    if (!xff || !slsec_guard_trusted_proxy(cfg, peer))
        return;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", xff);
    for (;;) {
        char *comma = strrchr(buf, ',');
        char *item = comma ? comma + 1 : buf;
        while (*item == ' ' || *item == '\t')
            item++;
        char *end = item + strlen(item);
        while (end > item && (end[-1] == ' ' || end[-1] == '\t'))
            *--end = '\0';
        unsigned char tmp[16];
        bool is_ip = inet_pton(AF_INET, item, tmp) == 1 || inet_pton(AF_INET6, item, tmp) == 1;
        size_t len = strlen(item);
        if (!is_ip || len >= size)
            return; /* garbage in the chain: stop at the last address we could vouch for */
        memcpy(out, item, len + 1);
        if (!slsec_guard_trusted_proxy(cfg, item) || !comma)
            return;
        *comma = '\0';
    }
}

static bool content_is_json(const char *ct)
{
    if (!ct)
        return false;
    size_t n = strcspn(ct, ";");
    while (n && (ct[n - 1] == ' '))
        n--;
    if (n == 16 && strncasecmp(ct, "application/json", 16) == 0)
        return true;
    return n > 5 && strncasecmp(ct + n - 5, "+json", 5) == 0 && strncasecmp(ct, "application/", 12) == 0;
}

static void serve_metrics(guard *g, struct evhttp_request *req)
{
    struct evbuffer *b = evbuffer_new();
    evbuffer_add_printf(b, "# HELP slsec_guard_requests_total Requests answered.\n# TYPE slsec_guard_requests_total counter\n");
    evbuffer_add_printf(b, "slsec_guard_requests_total %llu\n", (unsigned long long)g->m.requests);
    evbuffer_add_printf(b, "# HELP slsec_guard_route_responses_total Responses per route and status class.\n"
                           "# TYPE slsec_guard_route_responses_total counter\n");
    for (route_stats *s = g->m.routes; s; s = s->next)
        for (int c = 1; c <= 5; c++)
            if (s->by_class[c]) {
                json_t *name = json_string(s->name);
                char *q = json_dumps(name, JSON_ENCODE_ANY);
                evbuffer_add_printf(b, "slsec_guard_route_responses_total{route=%s,class=\"%dxx\"} %llu\n", q ? q : "\"?\"", c,
                                    (unsigned long long)s->by_class[c]);
                free(q);
                json_decref(name);
            }
    evbuffer_add_printf(b, "# HELP slsec_guard_denials_total Requests refused, by reason.\n# TYPE slsec_guard_denials_total counter\n");
    for (int i = 0; i < DENY_COUNT; i++)
        evbuffer_add_printf(b, "slsec_guard_denials_total{reason=\"%s\"} %llu\n", deny_names[i],
                            (unsigned long long)g->m.denials[i]);
    evbuffer_add_printf(b, "# HELP slsec_guard_shadow_rate_limited_total Requests a shadow rate limit would have refused.\n"
                           "# TYPE slsec_guard_shadow_rate_limited_total counter\nslsec_guard_shadow_rate_limited_total %llu\n",
                        (unsigned long long)g->m.shadow_rate_limited);
    evbuffer_add_printf(b, "# HELP slsec_guard_slow_clients_cut_total Connections shut down at the request deadline.\n"
                           "# TYPE slsec_guard_slow_clients_cut_total counter\nslsec_guard_slow_clients_cut_total %llu\n",
                        (unsigned long long)g->cut_off);
    evbuffer_add_printf(b, "# HELP slsec_guard_waf_detected_total Requests the WAF flagged on detect-mode routes.\n"
                           "# TYPE slsec_guard_waf_detected_total counter\nslsec_guard_waf_detected_total %llu\n",
                        (unsigned long long)g->m.waf_detected);
    evbuffer_add_printf(b, "# HELP slsec_guard_request_seconds Time from request to answer.\n# TYPE slsec_guard_request_seconds histogram\n");
    uint64_t cum = 0;
    for (int i = 0; i < LATENCY_BUCKETS; i++) {
        cum += g->m.latency_hist[i];
        evbuffer_add_printf(b, "slsec_guard_request_seconds_bucket{le=\"%g\"} %llu\n", latency_bounds[i], (unsigned long long)cum);
    }
    cum += g->m.latency_hist[LATENCY_BUCKETS];
    evbuffer_add_printf(b, "slsec_guard_request_seconds_bucket{le=\"+Inf\"} %llu\n", (unsigned long long)cum);
    evbuffer_add_printf(b, "slsec_guard_request_seconds_sum %.6f\nslsec_guard_request_seconds_count %llu\n", g->m.latency_sum,
                        (unsigned long long)cum);
    evbuffer_add_printf(b, "# TYPE slsec_guard_reloads_total counter\nslsec_guard_reloads_total{result=\"ok\"} %llu\n"
                           "slsec_guard_reloads_total{result=\"rejected\"} %llu\n",
                        (unsigned long long)g->m.reloads, (unsigned long long)g->m.reload_failures);
    evbuffer_add_printf(b, "# HELP slsec_guard_jwks_refreshes_total Background JWKS fetches from jwks_url, by result.\n"
                           "# TYPE slsec_guard_jwks_refreshes_total counter\n"
                           "slsec_guard_jwks_refreshes_total{result=\"ok\"} %llu\n"
                           "slsec_guard_jwks_refreshes_total{result=\"failed\"} %llu\n",
                        (unsigned long long)atomic_load(&g->m.jwks_fetched),
                        (unsigned long long)atomic_load(&g->m.jwks_failed));
    evbuffer_add_printf(b, "# HELP slsec_guard_streams_aborted_total Answers cut off after their status was sent, by cause.\n"
                           "# TYPE slsec_guard_streams_aborted_total counter\n");
    for (int i = ABORT_CLIENT_CLOSED; i < ABORT_COUNT; i++)
        evbuffer_add_printf(b, "slsec_guard_streams_aborted_total{reason=\"%s\"} %llu\n", abort_names[i],
                            (unsigned long long)g->m.streams_aborted[i]);
    evbuffer_add_printf(b, "# TYPE slsec_guard_rate_limit_buckets gauge\nslsec_guard_rate_limit_buckets %zu\n"
                           "# TYPE slsec_guard_rate_limit_evictions_total counter\nslsec_guard_rate_limit_evictions_total %llu\n",
                        slsec_ratelimit_size(g->rl), (unsigned long long)slsec_ratelimit_evictions(g->rl));
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/plain; version=0.0.4");
    evhttp_send_reply(req, 200, "OK", b);
    evbuffer_free(b);
}

/* The WAF's verdict; false when it answered (blocked). In detect mode the
 * request goes on and the log line names the rule. */
static bool waf_allows(pending *p, struct evkeyvalq *in, const char *peer, int port, struct evbuffer *body)
{
    const slsec_guard_config *cfg = p->gen->cfg;
    size_t n = 0;
    for (struct evkeyval *h = in->tqh_first; h; h = h->next.tqe_next)
        n++;
    const char **names = calloc(n + 1, sizeof *names), **values = calloc(n + 1, sizeof *values);
    if (!names || !values)
        slsec_oom();
    size_t i = 0;
    for (struct evkeyval *h = in->tqh_first; h; h = h->next.tqe_next, i++) {
        names[i] = h->key;
        values[i] = h->value;
    }
    size_t len = evbuffer_get_length(body);
    slsec_waf_request wr = {
        .id = p->id,
        .client_ip = p->client, .client_port = port, .server_ip = cfg->listen_host, .server_port = cfg->listen_port,
        .method = p->method, .uri = p->uri, .http_version = "1.1", .header_names = names, .header_values = values,
        .header_count = n, .body = len ? (const char *)evbuffer_pullup(body, -1) : NULL, .body_len = len,
    };
    slsec_waf_verdict v;
    slsec_waf_check(cfg->waf, &wr, NULL, NULL, &v);
    free(names);
    free(values);
    if (!v.blocked) {
        if (v.last_logged_rule && p->route->waf == SLSEC_WAF_DETECT) {
            p->waf_rule = v.last_logged_rule;
            p->decision = "waf_detect";
            p->g->m.waf_detected++;
        }
        return true;
    }
    p->waf_rule = v.rule_id;
    if (p->route->waf == SLSEC_WAF_DETECT) {
        p->decision = "waf_detect";
        p->g->m.waf_detected++;
        return true;
    }
    /* the rule id only: never the matched payload */
    char detail[64];
    snprintf(detail, sizeof detail, "refused by the WAF (rule %d)", v.rule_id);
    deny(p, DENY_WAF, v.status == 400 ? 400 : 403, v.status == 400 ? "Bad Request" : "Forbidden", detail);
    return false;
}

static void on_request(struct evhttp_request *req, void *arg)
{
    guard *g = arg;
    const struct evhttp_uri *parsed = evhttp_request_get_evhttp_uri(req);
    const char *path = parsed ? evhttp_uri_get_path(parsed) : NULL;
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    if (path && cmd == EVHTTP_REQ_GET && strcmp(path, "/healthz") == 0) {
        struct evbuffer *b = evbuffer_new();
        evbuffer_add_printf(b, "ok\n");
        evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/plain");
        evhttp_send_reply(req, 200, "OK", b);
        evbuffer_free(b);
        return;
    }
    if (path && cmd == EVHTTP_REQ_GET && strcmp(path, "/metrics") == 0) {
        serve_metrics(g, req);
        return;
    }
    pending *p = calloc(1, sizeof *p);
    if (!p)
        slsec_oom();
    p->g = g;
    p->next = g->pendings;
    if (g->pendings)
        g->pendings->prev = p;
    g->pendings = p;
    p->req = req;
    p->conn_bev = conn_bev(req);
    conn_await(g, p->conn_bev, 0);
    g->in_flight++;
    p->gen = g->current;
    p->gen->refs++;
    p->start_ns = now_ns();
    /* origin form only: an absolute-form target (GET http://host/ ...) must
     * not reach the upstream as a proxy request */
    const char *query = parsed ? evhttp_uri_get_query(parsed) : NULL;
    if (path && *path) {
        if (asprintf(&p->uri, "%s%s%s", path, query ? "?" : "", query ? query : "") < 0)
            slsec_oom();
    } else {
        p->uri = strdup("/");
        if (!p->uri)
            slsec_oom();
    }
    snprintf(p->method, sizeof p->method, "%s", method_name(cmd));
    const slsec_guard_config *cfg = p->gen->cfg;
    struct evkeyvalq *in = evhttp_request_get_input_headers(req);

    char *peer = NULL;
    ev_uint16_t port = 0;
    struct evhttp_connection *cc = evhttp_request_get_connection(req);
    if (cc)
        evhttp_connection_get_peer(cc, &peer, &port);
    client_address(cfg, peer ? peer : "", evhttp_find_header(in, "X-Forwarded-For"), p->client, sizeof p->client);

    const char *rid = evhttp_find_header(in, "X-Request-Id");
    if (rid && valid_request_id(rid) && slsec_guard_trusted_proxy(cfg, peer ? peer : "")) {
        snprintf(p->id, sizeof p->id, "%s", rid);
    } else {
        unsigned char r[12];
        if (RAND_bytes(r, sizeof r) != 1)
            memset(r, 0, sizeof r);
        for (size_t i = 0; i < sizeof r; i++)
            snprintf(p->id + 2 * i, 3, "%02x", r[i]);
    }

    p->route = path ? slsec_guard_route_match(cfg, p->method, path) : NULL;
    if (!p->route) {
        deny(p, DENY_NO_ROUTE, 404, "Not Found", "no route for this method and path");
        return;
    }
    p->route_index = (size_t)(p->route - cfg->routes);
    const slsec_guard_route *r = p->route;
    /* evhttp's limit is the largest route's; this route's is applied here,
     * counted as it arrived: the request line and each "Name: value" line */
    const char *target = evhttp_request_get_uri(req);
    size_t header_bytes = strlen(p->method) + strlen(target ? target : "") + 12;
    for (struct evkeyval *h = in->tqh_first; h; h = h->next.tqe_next)
        header_bytes += strlen(h->key) + strlen(h->value) + 4;
    if ((long)header_bytes > r->limits.max_header_bytes) {
        deny(p, DENY_HEADER_SIZE, 431, "Request Header Fields Too Large",
             "the header block is larger than this route allows");
        return;
    }
    if (p->gen->in_flight[p->route_index] >= r->limits.max_concurrent) {
        deny(p, DENY_CONCURRENCY, 503, "Service Unavailable", "too many requests in flight on this route");
        return;
    }
    p->gen->in_flight[p->route_index]++;
    p->counted = true;
    struct evbuffer *body = evhttp_request_get_input_buffer(req);
    size_t body_len = evbuffer_get_length(body);
    if ((long)body_len > r->limits.max_body_bytes) {
        deny(p, DENY_BODY_SIZE, 413, "Payload Too Large", "the body is larger than this route allows");
        return;
    }

    const char *api_key_name = NULL;
    const char *api_key = NULL;
    if (r->auth == SLSEC_AUTH_JWT) {
        const char *authz = evhttp_find_header(in, "Authorization");
        evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate", "Bearer");
        if (!authz || strncasecmp(authz, "Bearer ", 7) != 0) {
            deny(p, DENY_AUTH, 401, "Unauthorized", "a bearer token is required");
            return;
        }
        const char *tok = authz + 7;
        while (*tok == ' ')
            tok++;
        slsec_jwt_claims claims;
        /* never waits on the network: jwks_url keys are refreshed by their
         * own thread (an unknown kid asks it for a refetch and is refused now) */
        slsec_jwt_status st = slsec_guard_jwt_verify(cfg, tok, strlen(tok), (long long)time(NULL), &claims);
        if (st != SLSEC_JWT_OK) {
            char detail[64];
            snprintf(detail, sizeof detail, "token refused: %s", slsec_jwt_status_name(st));
            deny(p, DENY_AUTH, 401, "Unauthorized", detail);
            return;
        }
        evhttp_remove_header(evhttp_request_get_output_headers(req), "WWW-Authenticate");
        snprintf(p->sub, sizeof p->sub, "%s", claims.sub);
    } else if (r->auth == SLSEC_AUTH_API_KEY) {
        api_key = evhttp_find_header(in, cfg->api_key_header);
        if (!api_key || !slsec_guard_api_key_check(cfg, api_key, &api_key_name)) {
            deny(p, DENY_AUTH, 401, "Unauthorized", "a valid API key is required");
            return;
        }
        snprintf(p->sub, sizeof p->sub, "apikey:%s", api_key_name);
    }

    if (r->rate_limited) {
        const char *key = p->client;
        switch (r->rl_key) {
        case SLSEC_RL_KEY_IP: key = p->client; break;
        case SLSEC_RL_KEY_API_KEY: key = api_key_name ? api_key_name : ""; break;
        case SLSEC_RL_KEY_SUB: key = p->sub; break;
        case SLSEC_RL_KEY_HEADER: {
            const char *h = evhttp_find_header(in, r->rl_header);
            key = h ? h : "";
            break;
        }
        }
        unsigned retry = 0;
        if (!slsec_ratelimit_take(g->rl, r->name, key, &r->rate, now_ns(), &retry)) {
            if (r->rl_shadow) {
                g->m.shadow_rate_limited++;
                p->decision = "shadow_rate_limit";
            } else {
                char ra[16];
                snprintf(ra, sizeof ra, "%u", retry);
                evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", ra);
                deny(p, DENY_RATE_LIMIT, 429, "Too Many Requests", "rate limit exceeded");
                return;
            }
        }
    }

    if (r->path_schema || r->query_schema) {
        char why[340];
        slsec_guard_params_status ps = slsec_guard_params_check(r, path, query, why, sizeof why);
        static const deny_reason reasons[] = {DENY_NO_ROUTE, DENY_INVALID_PATH, DENY_PATH_SCHEMA, DENY_INVALID_QUERY,
                                              DENY_QUERY_SCHEMA};
        if (ps != SLSEC_PARAMS_OK) {
            /* 400, not the body's 422: the request target is not content */
            deny(p, reasons[ps], 400, "Bad Request", why);
            return;
        }
    }
    if (r->schema && (cmd == EVHTTP_REQ_POST || cmd == EVHTTP_REQ_PUT || cmd == EVHTTP_REQ_PATCH)) {
        if (!content_is_json(evhttp_find_header(in, "Content-Type"))) {
            deny(p, DENY_CONTENT_TYPE, 415, "Unsupported Media Type", "this route takes application/json");
            return;
        }
        const char *data = (const char *)evbuffer_pullup(body, -1);
        json_error_t jerr;
        json_t *doc = json_loadb(data ? data : "", body_len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
        if (!doc) {
            char detail[200];
            snprintf(detail, sizeof detail, "the body is not JSON (line %d, column %d)", jerr.line, jerr.column);
            deny(p, DENY_INVALID_JSON, 400, "Bad Request", detail);
            return;
        }
        char why[300];
        bool ok = slsec_schema_validate(r->schema, doc, why, sizeof why);
        json_decref(doc);
        if (!ok) {
            /* the location and keyword only: never the value */
            char detail[340];
            snprintf(detail, sizeof detail, "schema: %s", why);
            deny(p, DENY_SCHEMA, 422, "Unprocessable Entity", detail);
            return;
        }
    }
    if (r->waf != SLSEC_WAF_OFF && cfg->waf && !waf_allows(p, in, peer ? peer : "", port, body))
        return;
    forward(p);
}

/* ---- signals and reload --------------------------------------------------------------- */

static void configure_server(guard *g, const slsec_guard_config *cfg)
{
    long max_body = 0, max_header = 0, timeout = 0, min_rate = 0;
    /* before routing, the connection gets the most lenient of the routes' values */
    for (size_t i = 0; i < cfg->route_count; i++) {
        const slsec_guard_limits *l = &cfg->routes[i].limits;
        if (l->max_body_bytes > max_body) max_body = l->max_body_bytes;
        if (l->max_header_bytes > max_header) max_header = l->max_header_bytes;
        if (l->header_timeout_ms > timeout) timeout = l->header_timeout_ms;
        if (!min_rate || l->min_bytes_per_second < min_rate) min_rate = l->min_bytes_per_second;
    }
    g->min_rate = (uint64_t)(min_rate > 0 ? min_rate : 1);
    evhttp_set_max_body_size(g->http, (ev_ssize_t)max_body);
    evhttp_set_max_headers_size(g->http, (ev_ssize_t)max_header);
    struct timeval tv = {timeout / 1000, (timeout % 1000) * 1000};
    evhttp_set_timeout_tv(g->http, &tv);
    g->request_deadline_ns = (uint64_t)timeout * 1000000ull;
}

static void install(guard *g, generation *gen)
{
    const slsec_guard_config *old = g->current->cfg, *cfg = gen->cfg;
    if (strcmp(old->listen_host, cfg->listen_host) != 0 || old->listen_port != cfg->listen_port)
        logf_err(g, "reload: listen changed; it takes effect at the next start");
    if (!cfg->tls_ctx != !g->tls)
        logf_err(g, "reload: listen_tls added or removed; it takes effect at the next start");
    generation_release(g->base, g->current);
    g->current = gen;
    configure_server(g, cfg);
    g->m.reloads++;
    logf_err(g, "reloaded %s: %zu routes", g->opts->config_path, cfg->route_count);
}

/* A staged config never served a request: it is freed now, not from the
 * loop later, so its refresher thread (which may still be fetching, and
 * writes to the wake pipe when done) is joined before anything else goes. */
static void drop_staged(guard *g)
{
    generation_release(NULL, g->staged);
    g->staged = NULL;
}

/* The config is read here, on the loop (files only); a jwks_url is not
 * fetched here but by the new config's own refresher thread, while the
 * running config goes on serving: the new one is staged, and installed
 * by on_staged_keys once its keys are in, or dropped if they cannot be
 * had. A newer SIGHUP replaces a config still staged. */
static void on_reload(evutil_socket_t sig, short what, void *arg)
{
    guard *g = arg;
    slsec_guard_config *cfg = NULL;
    slsec_diag d = {0};
    int rc = slsec_guard_config_load_flags(g->opts->config_path, SLSEC_GUARD_LOAD_DEFER_JWKS, &cfg, &d);
    for (size_t i = 0; rc == SLSEC_OK && i < cfg->route_count; i++)
        if (!cfg->routes[i].upstream) {
            slsec_diag_set(&d, SLSEC_DIAG_ERROR, cfg->file, cfg->routes[i].line, cfg->routes[i].col,
                           "route \"%s\" has no upstream", cfg->routes[i].name);
            slsec_guard_config_free(cfg);
            cfg = NULL;
            rc = SLSEC_EUSAGE;
        }
    if (rc != SLSEC_OK) {
        g->m.reload_failures++;
        logf_err(g, "reload refused, keeping the running config: %s:%d:%d: %s", d.file, d.line, d.col, d.message);
        return;
    }
    if (g->staged) {
        logf_err(g, "reload: the config still waiting for its JWKS is replaced by this one");
        drop_staged(g);
    }
    bool await_keys = cfg->jwks_url != NULL;
    generation *gen = generation_new(g, cfg, await_keys);
    if (!await_keys) {
        install(g, gen);
        return;
    }
    g->staged = gen;
    logf_err(g, "reload: fetching the JWKS from %s; the running config serves meanwhile", cfg->jwks_url);
}

/* A refresher's thread woke us: the staged config's first fetch ended. */
static void on_staged_keys(evutil_socket_t fd, short what, void *arg)
{
    guard *g = arg;
    char drain[64];
    while (read(fd, drain, sizeof drain) > 0)
        ;
    generation *gen = g->staged;
    int keys = gen ? atomic_load(&gen->keys) : KEYS_AWAITED;
    if (keys == KEYS_AWAITED)
        return; /* nothing staged, or a late wake from a replaced one */
    if (keys == KEYS_FAILED) {
        g->m.reload_failures++;
        logf_err(g, "reload refused, keeping the running config: %s: jwt.jwks_url: %s", gen->cfg->file,
                 gen->keys_error);
        drop_staged(g);
        return;
    }
    g->staged = NULL;
    install(g, gen);
}

/* The stop deadline passed with requests in flight (waiting for their
 * upstream, or streaming): they are given up, and freed with what they
 * hold (timer, generation reference) before evhttp frees their
 * connections, which would not tell us about a request not yet answered. */
static void drop_pendings(guard *g)
{
    while (g->pendings) {
        pending *p = g->pendings;
        cancel_upstream(p);
        struct evhttp_connection *cc = p->streaming ? evhttp_request_get_connection(p->req) : NULL;
        if (cc)
            evhttp_connection_set_closecb(cc, NULL, NULL);
        pending_free(p);
    }
}

/* Stops accepting, then lets the requests in flight finish (up to the
 * longest upstream timeout plus a second) before the loop ends. */
static void on_stop(evutil_socket_t sig, short what, void *arg)
{
    guard *g = arg;
    if (g->stop_deadline_ns) {
        event_base_loopexit(g->base, NULL); /* a second signal: now */
        return;
    }
    if (g->listener) {
        evhttp_del_accept_socket(g->http, g->listener);
        g->listener = NULL;
    }
    long grace_ms = 1000;
    for (size_t i = 0; i < g->current->cfg->route_count; i++)
        if (g->current->cfg->routes[i].limits.upstream_timeout_ms + 1000 > grace_ms)
            grace_ms = g->current->cfg->routes[i].limits.upstream_timeout_ms + 1000;
    g->stop_deadline_ns = now_ns() + (uint64_t)grace_ms * 1000000ull;
    if (g->in_flight == 0)
        event_base_loopexit(g->base, NULL);
}

int slsec_guard_run(const slsec_guard_run_opts *o, slsec_diag *d)
{
    slsec_guard_config *cfg = NULL;
    int rc = slsec_guard_config_load(o->config_path, &cfg, d);
    if (rc)
        return rc;
    for (size_t i = 0; i < cfg->route_count; i++)
        if (!cfg->routes[i].upstream) {
            slsec_diag_set(d, SLSEC_DIAG_ERROR, cfg->file, cfg->routes[i].line, cfg->routes[i].col,
                           "route \"%s\" has no upstream: this configuration is for --lambda-proxy",
                           cfg->routes[i].name);
            slsec_guard_config_free(cfg);
            return SLSEC_EUSAGE;
        }
    const char *host = cfg->listen_host;
    int port = cfg->listen_port;
    char *override_host = NULL;
    if (o->listen_override) {
        const char *colon = strrchr(o->listen_override, ':');
        long lp;
        if (!colon || !slsec_parse_long(colon + 1, &lp) || lp < 0 || lp > 65535) {
            slsec_guard_config_free(cfg);
            slsec_diag_set(d, SLSEC_DIAG_ERROR, "", 0, 0, "--listen must be host:port");
            return SLSEC_EUSAGE;
        }
        override_host = strndup(o->listen_override, (size_t)(colon - o->listen_override));
        host = override_host;
        port = (int)lp;
    }
    guard g = {.opts = o};
    if (pipe2(g.wake, O_NONBLOCK | O_CLOEXEC) != 0) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, "", 0, 0, "cannot make the reload pipe: %s", strerror(errno));
        slsec_guard_config_free(cfg);
        free(override_host);
        return SLSEC_EIO;
    }
    signal(SIGPIPE, SIG_IGN);
    slsec_diag dd = {0};
    if (slsec_detect_init(&dd) == SLSEC_OK)
        g.masker = slsec_detect_scanner_new(SLSEC_DETECT_ALL);
    g.base = event_base_new();
    g.http = g.base ? evhttp_new(g.base) : NULL;
    if (!g.http)
        slsec_oom();
    g.rl = slsec_ratelimit_new(cfg->ratelimit_capacity);
    evhttp_set_allowed_methods(g.http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
                                           EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
    evhttp_set_gencb(g.http, on_request, &g);
    /* evhttp would add text/html to an answer without a Content-Type: a
     * relayed answer has the upstream's headers, nothing invented */
    evhttp_set_default_content_type(g.http, NULL);
    evhttp_set_bevcb(g.http, make_client_bev, &g);
    configure_server(&g, cfg);
    g.current = generation_new(&g, cfg, false);
    if (cfg->tls_ctx) {
        g.tls = true;
        g.tls_ctx = cfg->tls_ctx;
        SSL_CTX_up_ref(g.tls_ctx);
    }
    struct evhttp_bound_socket *bound = evhttp_bind_socket_with_handle(g.http, host, (ev_uint16_t)port);
    g.listener = bound;
    rc = SLSEC_OK;
    if (!bound) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, "", 0, 0, "cannot listen on %s:%d: %s", host, port, strerror(errno));
        rc = SLSEC_EIO;
    } else {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int bound_port = port;
        if (getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&ss, &sl) == 0)
            bound_port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                                  : ntohs(((struct sockaddr_in *)&ss)->sin_port);
        logf_err(&g, "listening on %s:%d%s (%zu routes)", host, bound_port, g.tls ? " with TLS" : "",
                 cfg->route_count);
        if (o->ready_file) {
            char tmp[4096];
            snprintf(tmp, sizeof tmp, "%s.tmp", o->ready_file);
            FILE *f = fopen(tmp, "w");
            if (f) {
                fprintf(f, "%d\n", bound_port);
                fclose(f);
                rename(tmp, o->ready_file);
            }
        }
        struct event *sweep = event_new(g.base, -1, EV_PERSIST, sweep_conns, &g);
        event_add(sweep, &(struct timeval){0, 250000});
        struct event *hup = evsignal_new(g.base, SIGHUP, on_reload, &g);
        struct event *staged = event_new(g.base, g.wake[0], EV_READ | EV_PERSIST, on_staged_keys, &g);
        event_add(staged, NULL);
        struct event *term = evsignal_new(g.base, SIGTERM, on_stop, &g);
        struct event *intr = evsignal_new(g.base, SIGINT, on_stop, &g);
        event_add(hup, NULL);
        event_add(term, NULL);
        event_add(intr, NULL);
        event_base_dispatch(g.base);
        g.loop_over = true;
        drop_pendings(&g);
        event_free(sweep);
        event_free(hup);
        event_free(staged);
        event_free(term);
        event_free(intr);
        logf_err(&g, "stopped after %llu requests", (unsigned long long)g.m.requests);
    }
    evhttp_free(g.http);
    release_conns(&g);
    generation_release(NULL, g.current);
    drop_staged(&g); /* joins its refresher, the pipe's last writer */
    close(g.wake[0]);
    close(g.wake[1]);
    SSL_CTX_free(g.tls_ctx);
    event_base_free(g.base);
    slsec_ratelimit_free(g.rl);
    slsec_detect_scanner_free(g.masker);
    for (route_stats *s = g.m.routes, *next; s; s = next) {
        next = s->next;
        free(s->name);
        free(s);
    }
    free(override_host);
    return rc;
}
