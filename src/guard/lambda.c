/*
 * lambda.c — the guard inside a Lambda function: a Runtime API proxy.
 *
 * The runtime is pointed at us (AWS_LAMBDA_RUNTIME_API=127.0.0.1:PORT, set
 * by the wrapper script); we relay everything to the real Runtime API. The
 * one call we look into is GET /2018-06-01/runtime/invocation/next: the
 * event it returns is decided before the runtime sees it —
 *
 *   API Gateway (REST, HTTP), ALB, function URL  the routes' policy: route,
 *                                                auth, rate limit, schema, WAF
 *   SQS, SNS, EventBridge                        lambda.<trigger>: schema and
 *                                                WAF on each record's message
 *   S3 and anything else                         passed (nothing to check yet)
 *
 * A refused event is answered on the invocation's own error endpoint
 * (POST /runtime/invocation/{id}/error, errorType SlsecGuard.Blocked), and
 * we ask for the next event, so the runtime's long poll simply continues:
 * the handler never sees the event. Decisions are logged like the HTTP
 * mode's access log, with `path` holding the event kind.
 */
#include "slsec/guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

const char *slsec_event_kind_name(slsec_event_kind k)
{
    static const char *const names[] = {"unknown", "http", "sqs", "sns", "s3", "eventbridge"};
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "unknown";
}

slsec_event_kind slsec_guard_event_kind(const json_t *e)
{
    if (!json_is_object(e))
        return SLSEC_EVENT_UNKNOWN;
    json_t *records = json_object_get(e, "Records");
    if (json_is_array(records) && json_array_size(records) > 0) {
        json_t *r0 = json_array_get(records, 0);
        const char *src = json_string_value(json_object_get(r0, "eventSource"));
        if (!src)
            src = json_string_value(json_object_get(r0, "EventSource"));
        if (src && strcmp(src, "aws:sqs") == 0) return SLSEC_EVENT_SQS;
        if (src && strcmp(src, "aws:sns") == 0) return SLSEC_EVENT_SNS;
        if (src && strcmp(src, "aws:s3") == 0) return SLSEC_EVENT_S3;
        return SLSEC_EVENT_UNKNOWN;
    }
    if (json_object_get(e, "detail-type") && json_object_get(e, "source") && json_object_get(e, "detail"))
        return SLSEC_EVENT_EVENTBRIDGE;
    json_t *rc = json_object_get(e, "requestContext");
    if (json_object_get(e, "httpMethod") || json_object_get(json_object_get(rc, "http"), "method"))
        return SLSEC_EVENT_HTTP;
    return SLSEC_EVENT_UNKNOWN;
}

/* Case-insensitive header lookup in an event's "headers" object. */
static const char *event_header(json_t *headers, const char *name)
{
    const char *k;
    json_t *v;
    json_object_foreach(headers, k, v) {
        if (slsec_str_eq_ci(k, name))
            return json_string_value(v);
    }
    return NULL;
}

static bool waf_ok(const slsec_guard_config *c, slsec_guard_waf_mode mode, const char *method, const char *uri,
                   json_t *headers, const char *ctype, const char *client, const char *body, size_t body_len,
                   char *reason, size_t reason_size)
{
    if (mode == SLSEC_WAF_OFF || !c->waf)
        return true;
    size_t n = json_object_size(headers);
    const char **names = calloc(n + 2, sizeof *names), **values = calloc(n + 2, sizeof *values);
    if (!names || !values)
        slsec_oom();
    size_t i = 0;
    const char *k;
    json_t *v;
    json_object_foreach(headers, k, v) {
        if (json_is_string(v)) {
            names[i] = k;
            values[i++] = json_string_value(v);
        }
    }
    if (ctype && !event_header(headers, "content-type")) {
        names[i] = "Content-Type";
        values[i++] = ctype;
    }
    slsec_waf_request r = {.client_ip = client ? client : "0.0.0.0", .server_ip = "127.0.0.1", .server_port = 443,
                           .method = method, .uri = uri, .http_version = "1.1", .header_names = names,
                           .header_values = values, .header_count = i, .body = body, .body_len = body_len};
    slsec_waf_verdict verdict;
    slsec_waf_check(c->waf, &r, NULL, NULL, &verdict);
    free(names);
    free(values);
    if (verdict.blocked && mode == SLSEC_WAF_BLOCK) {
        snprintf(reason, reason_size, "waf: rule %d", verdict.rule_id);
        return false;
    }
    return true;
}

static void encode_into(slsec_buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-._~", c))
            slsec_buf_putc(b, (char)c);
        else
            slsec_buf_printf(b, "%%%02X", c);
    }
}

/* REST (v1) events carry the query decoded, as maps: encoded again here so
 * both event versions go through the one query parser. */
static char *query_of_v1(json_t *e)
{
    json_t *multi = json_object_get(e, "multiValueQueryStringParameters");
    json_t *single = json_object_get(e, "queryStringParameters");
    if (!json_is_object(multi) && !json_is_object(single))
        return NULL;
    slsec_buf b;
    slsec_buf_init(&b);
    const char *k;
    json_t *v;
    json_object_foreach(json_is_object(multi) ? multi : single, k, v) {
        for (size_t i = 0; i < (json_is_array(v) ? json_array_size(v) : 1); i++) {
            const char *val = json_string_value(json_is_array(v) ? json_array_get(v, i) : v);
            if (!val)
                continue;
            if (b.len)
                slsec_buf_putc(&b, '&');
            encode_into(&b, k);
            slsec_buf_putc(&b, '=');
            encode_into(&b, val);
        }
    }
    if (!b.len) {
        slsec_buf_free(&b);
        return NULL;
    }
    return b.data; /* slsec_buf_free only frees data */
}

static bool http_event_allowed(const slsec_guard_config *c, slsec_ratelimit *rl, json_t *e, long long now_s,
                               uint64_t now_ns, char *reason, size_t reason_size)
{
    json_t *rctx = json_object_get(e, "requestContext");
    json_t *http = json_object_get(rctx, "http");
    const char *method = json_string_value(json_object_get(e, "httpMethod"));
    if (!method)
        method = json_string_value(json_object_get(http, "method"));
    const char *path = json_string_value(json_object_get(e, "rawPath"));
    if (!path)
        path = json_string_value(json_object_get(e, "path"));
    const char *query = json_string_value(json_object_get(e, "rawQueryString"));
    const char *client = json_string_value(json_object_get(http, "sourceIp"));
    if (!client)
        client = json_string_value(json_object_get(json_object_get(rctx, "identity"), "sourceIp"));
    json_t *headers = json_object_get(e, "headers");
    if (!json_is_object(headers))
        headers = NULL;
    if (!method || !path) {
        snprintf(reason, reason_size, "malformed: an HTTP event without method or path");
        return false;
    }
    const slsec_guard_route *r = slsec_guard_route_match(c, method, path);
    if (!r) {
        snprintf(reason, reason_size, "no_route");
        return false;
    }
    char subject[300] = "";
    const char *api_key_name = NULL;
    if (r->auth == SLSEC_AUTH_JWT) {
        const char *authz = event_header(headers, "authorization");
        if (!authz || strncasecmp(authz, "Bearer ", 7) != 0) {
            snprintf(reason, reason_size, "auth: a bearer token is required");
            return false;
        }
        slsec_jwt_claims claims;
        slsec_jwt_status st = slsec_jwt_verify(c->jwks, &c->jwt, authz + 7, strlen(authz + 7), now_s, &claims);
        if (st != SLSEC_JWT_OK) {
            snprintf(reason, reason_size, "auth: token refused: %s", slsec_jwt_status_name(st));
            return false;
        }
        snprintf(subject, sizeof subject, "%s", claims.sub);
    } else if (r->auth == SLSEC_AUTH_API_KEY) {
        const char *key = event_header(headers, c->api_key_header);
        if (!key || !slsec_guard_api_key_check(c, key, &api_key_name)) {
            snprintf(reason, reason_size, "auth: a valid API key is required");
            return false;
        }
        snprintf(subject, sizeof subject, "apikey:%s", api_key_name);
    }
    if (r->rate_limited && rl) {
        const char *key = client ? client : "";
        if (r->rl_key == SLSEC_RL_KEY_API_KEY) key = api_key_name ? api_key_name : "";
        else if (r->rl_key == SLSEC_RL_KEY_SUB) key = subject;
        else if (r->rl_key == SLSEC_RL_KEY_HEADER) {
            const char *h = event_header(headers, r->rl_header);
            key = h ? h : "";
        }
        if (!slsec_ratelimit_take(rl, r->name, key, &r->rate, now_ns, NULL) && !r->rl_shadow) {
            snprintf(reason, reason_size, "rate_limit");
            return false;
        }
    }
    if (r->path_schema || r->query_schema) {
        char *v1_query = query ? NULL : query_of_v1(e);
        char why[300];
        slsec_guard_params_status ps = slsec_guard_params_check(r, path, query ? query : v1_query, why, sizeof why);
        free(v1_query);
        static const char *const names[] = {"", "invalid_path", "path_schema", "invalid_query", "query_schema"};
        if (ps != SLSEC_PARAMS_OK) {
            snprintf(reason, reason_size, "%s: %s", names[ps], why);
            return false;
        }
    }
    const char *body = json_string_value(json_object_get(e, "body"));
    size_t body_len = body ? strlen(body) : 0;
    unsigned char *decoded = NULL;
    if (body && json_is_true(json_object_get(e, "isBase64Encoded"))) {
        /* standard base64, as API Gateway sends it */
        decoded = malloc(body_len + 4);
        char *url = strdup(body);
        if (!decoded || !url)
            slsec_oom();
        size_t k = 0;
        for (size_t i = 0; i < body_len; i++)
            if (url[i] != '=')
                url[k++] = url[i] == '+' ? '-' : url[i] == '/' ? '_' : url[i];
        bool ok = slsec_base64url_decode(url, k, decoded, &body_len);
        free(url);
        if (!ok) {
            free(decoded);
            snprintf(reason, reason_size, "malformed: the body is not base64");
            return false;
        }
        body = (const char *)decoded;
    }
    bool allowed = true;
    if ((long)body_len > r->limits.max_body_bytes) {
        snprintf(reason, reason_size, "body_size");
        allowed = false;
    }
    if (allowed && r->schema && body_len) {
        json_t *doc = json_loadb(body, body_len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
        char why[200];
        if (!doc) {
            snprintf(reason, reason_size, "invalid_json");
            allowed = false;
        } else if (!slsec_schema_validate(r->schema, doc, why, sizeof why)) {
            snprintf(reason, reason_size, "schema: %s", why);
            allowed = false;
        }
        json_decref(doc);
    }
    if (allowed) {
        char uri[2048];
        snprintf(uri, sizeof uri, "%s%s%s", path, query && *query ? "?" : "", query ? query : "");
        allowed = waf_ok(c, r->waf, method, uri, headers, NULL, client, body, body_len, reason, reason_size);
    }
    free(decoded);
    return allowed;
}

/* One record's message under a trigger's policy. */
static bool message_allowed(const slsec_guard_config *c, const slsec_guard_trigger *t, slsec_event_kind kind,
                            json_t *message, size_t index, char *reason, size_t reason_size)
{
    char *text = NULL;
    json_t *doc = NULL;
    bool allowed = true;
    if (json_is_string(message)) {
        text = strdup(json_string_value(message));
        if (!text)
            slsec_oom();
        if (t->schema)
            doc = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
    } else if (message) {
        text = json_dumps(message, JSON_COMPACT | JSON_ENCODE_ANY);
        doc = json_incref(message);
    }
    if (t->schema) {
        char why[200];
        if (!doc) {
            snprintf(reason, reason_size, "record %zu: the message is not JSON", index);
            allowed = false;
        } else if (!slsec_schema_validate(t->schema, doc, why, sizeof why)) {
            snprintf(reason, reason_size, "record %zu: schema: %s", index, why);
            allowed = false;
        }
    }
    if (allowed && text) {
        char uri[64];
        snprintf(uri, sizeof uri, "/%s", slsec_event_kind_name(kind));
        allowed = waf_ok(c, t->waf, "POST", uri, NULL, doc ? "application/json" : "text/plain", NULL, text,
                         strlen(text), reason, reason_size);
    }
    json_decref(doc);
    free(text);
    return allowed;
}

bool slsec_guard_event_allowed(const slsec_guard_config *c, slsec_ratelimit *rl, const char *event, size_t len,
                               long long now_s, uint64_t now_ns, char *reason, size_t reason_size)
{
    snprintf(reason, reason_size, "allowed");
    json_t *e = json_loadb(event, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
    if (!e) {
        snprintf(reason, reason_size, "malformed: the event is not JSON");
        return false;
    }
    bool allowed = true;
    slsec_event_kind kind = slsec_guard_event_kind(e);
    const slsec_guard_trigger *t = kind == SLSEC_EVENT_SQS ? &c->sqs
                                   : kind == SLSEC_EVENT_SNS ? &c->sns
                                   : kind == SLSEC_EVENT_EVENTBRIDGE ? &c->eventbridge
                                                                     : NULL;
    if (kind == SLSEC_EVENT_HTTP) {
        allowed = http_event_allowed(c, rl, e, now_s, now_ns, reason, reason_size);
    } else if (kind == SLSEC_EVENT_EVENTBRIDGE) {
        allowed = message_allowed(c, t, kind, json_object_get(e, "detail"), 0, reason, reason_size);
    } else if (t) {
        json_t *records = json_object_get(e, "Records");
        for (size_t i = 0; allowed && i < json_array_size(records); i++) {
            json_t *rec = json_array_get(records, i);
            json_t *msg = kind == SLSEC_EVENT_SQS ? json_object_get(rec, "body")
                                                  : json_object_get(json_object_get(rec, "Sns"), "Message");
            allowed = message_allowed(c, t, kind, msg, i, reason, reason_size);
        }
    }
    json_decref(e);
    return allowed;
}

/* ---- the proxy ------------------------------------------------------------------------------ */

typedef struct lproxy {
    struct event_base *base;
    struct evhttp *http;
    struct evhttp_connection *api; /* to the real Runtime API */
    struct evhttp_connection *ext; /* the Extensions API: its own, for its long poll */
    char ext_id[128];              /* Lambda-Extension-Identifier, once registered */
    int ext_failed;                /* registration or the event loop failed: exit non-zero */
    const slsec_guard_config *cfg;
    slsec_ratelimit *rl;
    const slsec_guard_run_opts *opts;
    uint64_t events, blocked;
} lproxy;

typedef struct relay {
    lproxy *lp;
    struct evhttp_request *req; /* the runtime's request */
    bool is_next;
} relay;

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void send_upstream(relay *rl, enum evhttp_cmd_type cmd, const char *uri, struct evkeyvalq *headers,
                          struct evbuffer *body);

static void log_event(lproxy *lp, const char *request_id, slsec_event_kind kind, bool allowed, const char *reason)
{
    if (!lp->opts->access_log)
        return;
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "id", request_id ? request_id : "", "event",
                          slsec_event_kind_name(kind), "decision", allowed ? "allowed" : "blocked", "reason", reason);
    char *line = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (line) {
        fprintf(lp->opts->access_log, "%s\n", line);
        fflush(lp->opts->access_log);
    }
    free(line);
    json_decref(o);
}

static void error_posted(struct evhttp_request *ureq, void *arg)
{
    (void)ureq;
    (void)arg;
}

static void relay_done(struct evhttp_request *ureq, void *arg)
{
    relay *r = arg;
    lproxy *lp = r->lp;
    int code = ureq ? evhttp_request_get_response_code(ureq) : 0;
    if (code == 0) {
        evhttp_send_error(r->req, 502, "Runtime API unreachable");
        free(r);
        return;
    }
    struct evbuffer *body = evhttp_request_get_input_buffer(ureq);
    struct evkeyvalq *in = evhttp_request_get_input_headers(ureq);
    if (r->is_next && code == 200) {
        size_t len = evbuffer_get_length(body);
        const char *data = len ? (const char *)evbuffer_pullup(body, -1) : "";
        const char *id = evhttp_find_header(in, "Lambda-Runtime-Aws-Request-Id");
        char reason[300];
        lp->events++;
        bool ok = slsec_guard_event_allowed(lp->cfg, lp->rl, data, len, (long long)time(NULL), mono_ns(), reason,
                                            sizeof reason);
        json_t *e = json_loadb(data, len, 0, NULL);
        slsec_event_kind kind = slsec_guard_event_kind(e);
        json_decref(e);
        log_event(lp, id, kind, ok, reason);
        if (!ok && id) {
            lp->blocked++;
            char uri[512];
            snprintf(uri, sizeof uri, "/2018-06-01/runtime/invocation/%s/error", id);
            struct evhttp_request *ereq = evhttp_request_new(error_posted, NULL);
            struct evkeyvalq *eh = evhttp_request_get_output_headers(ereq);
            evhttp_add_header(eh, "Host", lp->opts->runtime_api);
            evhttp_add_header(eh, "Content-Type", "application/json");
            evhttp_add_header(eh, "Lambda-Runtime-Function-Error-Type", "SlsecGuard.Blocked");
            json_t *err = json_pack("{s:s, s:s}", "errorMessage", reason, "errorType", "SlsecGuard.Blocked");
            char *text = json_dumps(err, JSON_COMPACT);
            evbuffer_add_printf(evhttp_request_get_output_buffer(ereq), "%s", text ? text : "{}");
            free(text);
            json_decref(err);
            /* evhttp runs a connection's requests in order: the error is
             * posted before we ask for the next event */
            evhttp_make_request(lp->api, ereq, EVHTTP_REQ_POST, uri);
            send_upstream(r, EVHTTP_REQ_GET, "/2018-06-01/runtime/invocation/next", NULL, NULL);
            return;
        }
    }
    struct evkeyvalq *out = evhttp_request_get_output_headers(r->req);
    for (struct evkeyval *h = in->tqh_first; h; h = h->next.tqe_next)
        if (!slsec_str_eq_ci(h->key, "content-length") && !slsec_str_eq_ci(h->key, "connection") &&
            !slsec_str_eq_ci(h->key, "transfer-encoding"))
            evhttp_add_header(out, h->key, h->value);
    evhttp_send_reply(r->req, code, "OK", body);
    free(r);
}

static void send_upstream(relay *r, enum evhttp_cmd_type cmd, const char *uri, struct evkeyvalq *headers,
                          struct evbuffer *body)
{
    struct evhttp_request *ureq = evhttp_request_new(relay_done, r);
    if (!ureq)
        slsec_oom();
    struct evkeyvalq *out = evhttp_request_get_output_headers(ureq);
    for (struct evkeyval *h = headers ? headers->tqh_first : NULL; h; h = h->next.tqe_next)
        if (!slsec_str_eq_ci(h->key, "host") && !slsec_str_eq_ci(h->key, "connection") &&
            !slsec_str_eq_ci(h->key, "content-length"))
            evhttp_add_header(out, h->key, h->value);
    evhttp_add_header(out, "Host", r->lp->opts->runtime_api);
    if (body)
        evbuffer_add_buffer(evhttp_request_get_output_buffer(ureq), body);
    if (evhttp_make_request(r->lp->api, ureq, cmd, uri) != 0) {
        evhttp_send_error(r->req, 502, "Runtime API unreachable");
        free(r);
    }
}

static void on_runtime_request(struct evhttp_request *req, void *arg)
{
    lproxy *lp = arg;
    relay *r = calloc(1, sizeof *r);
    if (!r)
        slsec_oom();
    r->lp = lp;
    r->req = req;
    const char *uri = evhttp_request_get_uri(req);
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    r->is_next = cmd == EVHTTP_REQ_GET && uri && strcmp(uri, "/2018-06-01/runtime/invocation/next") == 0;
    send_upstream(r, cmd, uri ? uri : "/", evhttp_request_get_input_headers(req), evhttp_request_get_input_buffer(req));
}

/* ---- the Extensions API ------------------------------------------------------------------ */

/* As an external extension, Lambda starts us before the runtime, keeps the
 * sandbox alive while we run, and tells us when it shuts down. We register
 * for SHUTDOWN only: the proxy serves the runtime whatever the Extensions
 * API says, so an INVOKE event would be one more wake-up for nothing. */

static void ext_next(lproxy *lp);

static void ext_fail(lproxy *lp, const char *what, int code)
{
    if (lp->opts->errors)
        fprintf(lp->opts->errors, "slsec guard: extension %s failed (HTTP %d): stopping\n", what, code);
    lp->ext_failed = 1;
    event_base_loopexit(lp->base, NULL);
}

static void ext_event(struct evhttp_request *ureq, void *arg)
{
    lproxy *lp = arg;
    int code = ureq ? evhttp_request_get_response_code(ureq) : 0;
    if (code != 200) {
        ext_fail(lp, "event/next", code);
        return;
    }
    struct evbuffer *body = evhttp_request_get_input_buffer(ureq);
    size_t len = evbuffer_get_length(body);
    json_t *e = json_loadb(len ? (const char *)evbuffer_pullup(body, -1) : "", len, 0, NULL);
    const char *type = json_string_value(json_object_get(e, "eventType"));
    if (type && strcmp(type, "SHUTDOWN") == 0) {
        const char *why = json_string_value(json_object_get(e, "shutdownReason"));
        if (lp->opts->errors)
            fprintf(lp->opts->errors, "slsec guard: SHUTDOWN (%s): stopping\n", why ? why : "no reason given");
        event_base_loopexit(lp->base, NULL);
    } else {
        ext_next(lp); /* anything else: not ours to act on; wait for the next */
    }
    json_decref(e);
}

static void ext_next(lproxy *lp)
{
    struct evhttp_request *req = evhttp_request_new(ext_event, lp);
    if (!req)
        slsec_oom();
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Host", lp->opts->runtime_api);
    evhttp_add_header(h, "Lambda-Extension-Identifier", lp->ext_id);
    if (evhttp_make_request(lp->ext, req, EVHTTP_REQ_GET, "/2020-01-01/extension/event/next") != 0)
        ext_fail(lp, "event/next", 0);
}

static bool valid_ext_id(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= '0' && s[n] <= '9') ||
              s[n] == '-' || s[n] == '_' || s[n] == '.'))
            return false;
    return n > 0 && n < 128;
}

static void ext_registered(struct evhttp_request *ureq, void *arg)
{
    lproxy *lp = arg;
    int code = ureq ? evhttp_request_get_response_code(ureq) : 0;
    const char *id = code == 200 ? evhttp_find_header(evhttp_request_get_input_headers(ureq),
                                                      "Lambda-Extension-Identifier")
                                 : NULL;
    /* the id goes back into a header: only what an id can hold */
    if (!id || !valid_ext_id(id)) {
        ext_fail(lp, "registration", code);
        return;
    }
    snprintf(lp->ext_id, sizeof lp->ext_id, "%s", id);
    if (lp->opts->errors)
        fprintf(lp->opts->errors, "slsec guard: registered as the Lambda extension %s\n", lp->opts->extension_name);
    ext_next(lp);
}

static void ext_register(lproxy *lp)
{
    struct evhttp_request *req = evhttp_request_new(ext_registered, lp);
    if (!req)
        slsec_oom();
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Host", lp->opts->runtime_api);
    evhttp_add_header(h, "Lambda-Extension-Name", lp->opts->extension_name);
    evhttp_add_header(h, "Content-Type", "application/json");
    evbuffer_add_printf(evhttp_request_get_output_buffer(req), "{\"events\":[\"SHUTDOWN\"]}");
    if (evhttp_make_request(lp->ext, req, EVHTTP_REQ_POST, "/2020-01-01/extension/register") != 0)
        ext_fail(lp, "registration", 0);
}

static void on_lambda_stop(evutil_socket_t sig, short what, void *arg)
{
    lproxy *lp = arg;
    event_base_loopexit(lp->base, NULL);
}

int slsec_guard_lambda_run(const slsec_guard_run_opts *o, slsec_diag *d)
{
    if (!o->runtime_api || !strchr(o->runtime_api, ':')) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, "", 0, 0,
                       "the real Runtime API is unknown: set AWS_LAMBDA_RUNTIME_API or --runtime-api HOST:PORT");
        return SLSEC_EUSAGE;
    }
    slsec_guard_config *cfg = NULL;
    int rc = slsec_guard_config_load(o->config_path, &cfg, d);
    if (rc)
        return rc;
    if (cfg->tls_ctx) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, cfg->file, 0, 0,
                       "listen_tls is for the HTTP gateway: the runtime calls the proxy in plain HTTP");
        slsec_guard_config_free(cfg);
        return SLSEC_EUSAGE;
    }
    const char *api = o->runtime_api;
    const char *colon = strrchr(api, ':');
    long api_port;
    char *api_host = strndup(api, (size_t)(colon - api));
    if (!api_host)
        slsec_oom();
    if (!slsec_parse_long(colon + 1, &api_port) || api_port <= 0 || api_port > 65535) {
        free(api_host);
        slsec_guard_config_free(cfg);
        slsec_diag_set(d, SLSEC_DIAG_ERROR, "", 0, 0, "the Runtime API must be host:port, got %s", api);
        return SLSEC_EUSAGE;
    }
    signal(SIGPIPE, SIG_IGN);
    lproxy lp = {.cfg = cfg, .opts = o};
    lp.base = event_base_new();
    lp.http = evhttp_new(lp.base);
    lp.api = evhttp_connection_base_new(lp.base, NULL, api_host, (unsigned short)api_port);
    if (!lp.base || !lp.http || !lp.api)
        slsec_oom();
    if (o->extension_name) {
        lp.ext = evhttp_connection_base_new(lp.base, NULL, api_host, (unsigned short)api_port);
        if (!lp.ext)
            slsec_oom();
        /* event/next waits for as long as the sandbox lives */
        evhttp_connection_set_timeout(lp.ext, 24 * 3600);
    }
    /* /next is a long poll: it may wait for hours */
    evhttp_connection_set_timeout(lp.api, 24 * 3600);
    evhttp_set_timeout(lp.http, 24 * 3600);
    evhttp_set_max_body_size(lp.http, 6 * 1024 * 1024 + 65536);
    evhttp_set_allowed_methods(lp.http, EVHTTP_REQ_GET | EVHTTP_REQ_POST);
    lp.rl = slsec_ratelimit_new(cfg->ratelimit_capacity);
    evhttp_set_gencb(lp.http, on_runtime_request, &lp);
    const char *host = cfg->listen_host;
    int port = cfg->listen_port;
    char *ohost = NULL;
    if (o->listen_override && strrchr(o->listen_override, ':')) {
        const char *c2 = strrchr(o->listen_override, ':');
        long p2;
        if (slsec_parse_long(c2 + 1, &p2) && p2 >= 0 && p2 <= 65535) {
            ohost = strndup(o->listen_override, (size_t)(c2 - o->listen_override));
            host = ohost;
            port = (int)p2;
        }
    }
    struct evhttp_bound_socket *bound = evhttp_bind_socket_with_handle(lp.http, host, (ev_uint16_t)port);
    if (!bound) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, "", 0, 0, "cannot listen on %s:%d", host, port);
        rc = SLSEC_EIO;
    } else {
        evutil_socket_t fd = evhttp_bound_socket_get_fd(bound);
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int bound_port = port;
        if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 && ss.ss_family == AF_INET)
            bound_port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        if (o->errors)
            fprintf(o->errors, "slsec guard: Lambda Runtime API proxy on %s:%d for %s\n", host, bound_port, api);
        if (o->ready_file) {
            /* written whole, then renamed: a reader never sees half a port */
            char tmp[4096];
            snprintf(tmp, sizeof tmp, "%s.tmp", o->ready_file);
            FILE *f = fopen(tmp, "w");
            if (f) {
                fprintf(f, "%d\n", bound_port);
                fclose(f);
                rename(tmp, o->ready_file);
            }
        }
        struct event *term = evsignal_new(lp.base, SIGTERM, on_lambda_stop, &lp);
        struct event *intr = evsignal_new(lp.base, SIGINT, on_lambda_stop, &lp);
        event_add(term, NULL);
        event_add(intr, NULL);
        /* registered only once listening: Lambda may start the runtime as soon as we are */
        if (lp.ext)
            ext_register(&lp);
        event_base_dispatch(lp.base);
        event_free(term);
        event_free(intr);
        if (o->errors)
            fprintf(o->errors, "slsec guard: stopped after %llu events, %llu blocked\n",
                    (unsigned long long)lp.events, (unsigned long long)lp.blocked);
    }
    if (lp.ext_failed && rc == SLSEC_OK) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, "", 0, 0, "the Extensions API at %s failed (see above)", api);
        rc = SLSEC_EIO;
    }
    evhttp_free(lp.http);
    evhttp_connection_free(lp.api);
    if (lp.ext)
        evhttp_connection_free(lp.ext);
    event_base_free(lp.base);
    slsec_ratelimit_free(lp.rl);
    slsec_guard_config_free(cfg);
    free(api_host);
    free(ohost);
    return rc;
}
