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
 *   SQS, SNS, EventBridge, Kinesis,              lambda.<trigger>: schemas and
 *   DynamoDB Streams                             WAF on each record's message
 *                                                (Kinesis: data decoded;
 *                                                DynamoDB: the item
 *                                                unmarshalled) and attributes
 *   S3                                           lambda.s3: schema and WAF on
 *                                                each record's object key
 *   anything else                                passed
 *
 * A refused event is answered on the invocation's own error endpoint
 * (POST /runtime/invocation/{id}/error, errorType SlsecGuard.Blocked), and
 * we ask for the next event, so the runtime's long poll simply continues:
 * the handler never sees the event.
 *
 * SQS, Kinesis and DynamoDB Streams with partial_batch (the event source
 * mapping reports batch item failures) are decided record by record
 * instead: the runtime gets the event rewritten to the records that
 * passed, and we remember the refused ones until the runtime POSTs that
 * invocation's response, to which they are added as batchItemFailures
 * (slsec_guard_batch_response). When no record passed, we answer the
 * invocation ourselves with all of them. Records that must not overtake a
 * refused one (the rest of its SQS FIFO message group; the rest of a
 * stream batch, since Lambda resumes a shard at its lowest failed record)
 * are held back with it.
 * Decisions are logged as JSON lines (id, event kind, decision, reason).
 */
#include "slsec/guard.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
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
    static const char *const names[] = {"unknown", "http", "sqs", "sns", "s3", "eventbridge", "kinesis", "dynamodb"};
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
        if (src && strcmp(src, "aws:kinesis") == 0) return SLSEC_EVENT_KINESIS;
        if (src && strcmp(src, "aws:dynamodb") == 0) return SLSEC_EVENT_DYNAMODB;
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
    const char **names = calloc(n + 4, sizeof *names), **values = calloc(n + 4, sizeof *values);
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
    /* What every real request carries and a trigger's record does not: the
     * CRS counts their absence (920280, 920180), and those points alone
     * would refuse a harmless message. */
    char clen[32];
    if (!event_header(headers, "host")) {
        names[i] = "Host";
        values[i++] = "lambda";
    }
    if ((body_len || strcmp(method, "POST") == 0) && !event_header(headers, "content-length")) {
        snprintf(clen, sizeof clen, "%zu", body_len);
        names[i] = "Content-Length";
        values[i++] = clen;
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

/* Percent-encodes n bytes (NUL included: a Kinesis record may hold any). */
static void encode_bytes(slsec_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-._~", c))
            slsec_buf_putc(b, (char)c);
        else
            slsec_buf_printf(b, "%%%02X", c);
    }
}

static void encode_into(slsec_buf *b, const char *s)
{
    encode_bytes(b, s, strlen(s));
}

/* Standard base64, as API Gateway sends binary bodies and Kinesis its
 * data: a malloc'd copy of the bytes (NUL-terminated past *len), or NULL
 * when the text is not base64. */
static unsigned char *decode_base64(const char *text, size_t n, size_t *len)
{
    unsigned char *bytes = malloc(n + 4);
    char *url = malloc(n + 1);
    if (!bytes || !url)
        slsec_oom();
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (text[i] != '=')
            url[k++] = text[i] == '+' ? '-' : text[i] == '/' ? '_' : text[i];
    bool ok = slsec_base64url_decode(url, k, bytes, len);
    free(url);
    if (!ok) {
        free(bytes);
        return NULL;
    }
    bytes[*len] = '\0';
    return bytes;
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
        slsec_jwt_status st = slsec_guard_jwt_verify(c, authz + 7, strlen(authz + 7), now_s, &claims);
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
        char why[200];
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
        decoded = decode_base64(body, body_len, &body_len);
        if (!decoded) {
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

/* ---- records: SQS, SNS, EventBridge, S3 ------------------------------------------------------ */

/* Message attributes arrive as text in wrappers ({"dataType": "Number",
 * "stringValue": "3"} in SQS, {"Type": "Number", "Value": "3"} in SNS):
 * unwrapped into {name: text} (Binary ones as their base64), which the
 * schema then types like query parameters. EventBridge has no attributes;
 * its envelope (source, detail-type, account, resources...) is what says
 * where an event comes from, so it takes their place. Stream records have
 * none either: theirs are the record's own fields around the payload
 * (Kinesis: partitionKey, sequenceNumber...; DynamoDB: eventName,
 * SequenceNumber, SizeBytes, StreamViewType...), as they come. */
static json_t *attributes_of(slsec_event_kind kind, json_t *rec)
{
    json_t *o = json_object();
    if (kind == SLSEC_EVENT_EVENTBRIDGE) {
        json_object_update(o, rec);
        json_object_del(o, "detail");
        return o;
    }
    if (kind == SLSEC_EVENT_KINESIS) {
        json_object_update(o, json_object_get(rec, "kinesis"));
        json_object_del(o, "data");
        return o;
    }
    if (kind == SLSEC_EVENT_DYNAMODB) {
        json_object_update(o, json_object_get(rec, "dynamodb"));
        json_object_del(o, "NewImage");
        json_object_del(o, "OldImage");
        json_object_del(o, "Keys");
        json_t *name = json_object_get(rec, "eventName");
        if (name)
            json_object_set(o, "eventName", name);
        return o;
    }
    json_t *attrs = kind == SLSEC_EVENT_SQS ? json_object_get(rec, "messageAttributes")
                                            : json_object_get(json_object_get(rec, "Sns"), "MessageAttributes");
    const char *name;
    json_t *a;
    json_object_foreach(attrs, name, a) {
        json_t *v = kind == SLSEC_EVENT_SQS ? json_object_get(a, "stringValue") : json_object_get(a, "Value");
        if (!json_is_string(v) && kind == SLSEC_EVENT_SQS)
            v = json_object_get(a, "binaryValue");
        if (json_is_string(v))
            json_object_set(o, name, v);
    }
    return o;
}

/* The attributes as a query string for the WAF, which inspects them as
 * arguments (ARGS): text members, and the text items of arrays. */
static void attributes_query(slsec_buf *b, json_t *attrs)
{
    const char *name;
    json_t *v;
    json_object_foreach(attrs, name, v) {
        for (size_t i = 0; i < (json_is_array(v) ? json_array_size(v) : 1); i++) {
            const char *text = json_string_value(json_is_array(v) ? json_array_get(v, i) : v);
            if (!text)
                continue;
            slsec_buf_putc(b, b->data && strchr(b->data, '?') ? '&' : '?');
            encode_into(b, name);
            slsec_buf_putc(b, '=');
            encode_into(b, text);
        }
    }
}

/* Prefixes the refusal reason with the record it is about. */
static void name_record(char *reason, size_t reason_size, size_t index)
{
    char inner[200];
    snprintf(inner, sizeof inner, "%s", reason);
    snprintf(reason, reason_size, "record %zu: %s", index, inner);
}

/* One record's payload (`len` bytes of text, or of anything for Kinesis)
 * and attributes under a trigger's policy. `doc` is the payload as JSON
 * when the caller has it, else it is parsed here if needed. */
static bool payload_allowed(const slsec_guard_config *c, const slsec_guard_trigger *t, slsec_event_kind kind,
                            const char *text, size_t len, json_t *doc, json_t *rec, size_t index, char *reason,
                            size_t reason_size)
{
    json_t *attrs = NULL, *parsed = NULL;
    bool allowed = true;
    char why[200];
    if (t->attributes_schema || t->waf != SLSEC_WAF_OFF)
        attrs = attributes_of(kind, rec);
    if (t->attributes_schema) {
        /* only SQS and SNS attributes are text standing for typed values */
        if (kind == SLSEC_EVENT_SQS || kind == SLSEC_EVENT_SNS)
            slsec_schema_coerce_params(t->attributes_schema, attrs);
        if (!slsec_schema_validate(t->attributes_schema, attrs, why, sizeof why)) {
            snprintf(reason, reason_size, "record %zu: attributes_schema: %s", index, why);
            allowed = false;
        }
    }
    /* parsed for the schema, and for the WAF's JSON body processor */
    if (!doc && text && (t->schema || t->waf != SLSEC_WAF_OFF))
        doc = parsed = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
    if (allowed && t->schema) {
        if (!doc) {
            snprintf(reason, reason_size, "record %zu: the message is not JSON", index);
            allowed = false;
        } else if (!slsec_schema_validate(t->schema, doc, why, sizeof why)) {
            snprintf(reason, reason_size, "record %zu: schema: %s", index, why);
            allowed = false;
        }
    }
    if (allowed && t->waf != SLSEC_WAF_OFF && (text || json_object_size(attrs))) {
        slsec_buf uri;
        slsec_buf_init(&uri);
        slsec_buf_printf(&uri, "/%s", slsec_event_kind_name(kind));
        attributes_query(&uri, attrs);
        /* a JSON object or array goes to the JSON body processor, anything
         * else as a form field: either way the rules read it as arguments
         * (text/plain bodies are not parsed, and the CRS refuses the type) */
        slsec_buf body;
        slsec_buf_init(&body);
        bool structured = json_is_object(doc) || json_is_array(doc);
        if (structured) {
            slsec_buf_append(&body, text, len);
        } else if (text) {
            slsec_buf_puts(&body, "message=");
            encode_bytes(&body, text, len);
        }
        allowed = waf_ok(c, t->waf, "POST", uri.data, NULL,
                         structured ? "application/json" : "application/x-www-form-urlencoded", NULL,
                         body.data ? body.data : "", body.len, reason, reason_size);
        slsec_buf_free(&body);
        slsec_buf_free(&uri);
        if (!allowed)
            name_record(reason, reason_size, index);
    }
    json_decref(attrs);
    json_decref(parsed);
    return allowed;
}

/* One record's message, text (SQS body, SNS Message) or JSON (EventBridge
 * detail, a DynamoDB item), under a trigger's policy. */
static bool message_allowed(const slsec_guard_config *c, const slsec_guard_trigger *t, slsec_event_kind kind,
                            json_t *message, json_t *rec, size_t index, char *reason, size_t reason_size)
{
    if (json_is_string(message))
        return payload_allowed(c, t, kind, json_string_value(message), json_string_length(message), NULL, rec, index,
                               reason, reason_size);
    char *text = message ? json_dumps(message, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    bool allowed = payload_allowed(c, t, kind, text, text ? strlen(text) : 0, message, rec, index, reason,
                                   reason_size);
    free(text);
    return allowed;
}

/* A Kinesis record's payload is its data, base64-decoded: checked like an
 * SQS body (JSON for the schema; the WAF reads JSON as JSON and anything
 * else, bytes included, as a form field). */
static bool kinesis_allowed(const slsec_guard_config *c, json_t *rec, size_t index, char *reason, size_t reason_size)
{
    const slsec_guard_trigger *t = &c->kinesis;
    if (!t->schema && !t->attributes_schema && t->waf == SLSEC_WAF_OFF)
        return true;
    json_t *data = json_object_get(json_object_get(rec, "kinesis"), "data");
    size_t len = 0;
    unsigned char *bytes =
        json_is_string(data) ? decode_base64(json_string_value(data), json_string_length(data), &len) : NULL;
    if (!bytes) {
        snprintf(reason, reason_size, "record %zu: kinesis.data is %s", index, data ? "not base64" : "missing");
        return false;
    }
    bool allowed = payload_allowed(c, t, SLSEC_EVENT_KINESIS, (const char *)bytes, len, NULL, rec, index, reason,
                                   reason_size);
    free(bytes);
    return allowed;
}

static json_t *dynamodb_item(json_t *map, unsigned depth);

/* An "N" value: numbers are text in DynamoDB JSON (up to 38 digits): an
 * integer when it is one that fits, else a double; NULL when not a number. */
static json_t *dynamodb_number(const char *s)
{
    if (!*s || strspn(s, "0123456789+-.eE") != strlen(s))
        return NULL;
    char *end;
    errno = 0;
    long long i = strtoll(s, &end, 10);
    if (!*end && errno == 0)
        return json_integer(i);
    errno = 0;
    double d = strtod(s, &end);
    return *end || errno == ERANGE || !isfinite(d) ? NULL : json_real(d);
}

/* A DynamoDB attribute value ({"S": "x"}, {"N": "3"}, {"M": {...}}...) as
 * plain JSON, the way the SDKs unmarshal an item (binary values stay
 * their base64 text, sets become arrays); NULL when it is not one. */
static json_t *dynamodb_value(json_t *av, unsigned depth)
{
    if (!json_is_object(av) || json_object_size(av) != 1 || depth > SLSEC_GUARD_MAX_JSON_DEPTH)
        return NULL;
    void *it = json_object_iter(av);
    const char *type = json_object_iter_key(it);
    json_t *v = json_object_iter_value(it);
    if (strcmp(type, "S") == 0 || strcmp(type, "B") == 0)
        return json_is_string(v) ? json_incref(v) : NULL;
    if (strcmp(type, "N") == 0)
        return json_is_string(v) ? dynamodb_number(json_string_value(v)) : NULL;
    if (strcmp(type, "BOOL") == 0)
        return json_is_boolean(v) ? json_incref(v) : NULL;
    if (strcmp(type, "NULL") == 0)
        return json_is_true(v) ? json_null() : NULL;
    if (strcmp(type, "M") == 0)
        return dynamodb_item(v, depth + 1);
    bool list = strcmp(type, "L") == 0, numbers = strcmp(type, "NS") == 0;
    if (!json_is_array(v) || !(list || numbers || strcmp(type, "SS") == 0 || strcmp(type, "BS") == 0))
        return NULL;
    json_t *out = json_array();
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item) {
        json_t *x = list ? dynamodb_value(item, depth + 1)
                    : !json_is_string(item) ? NULL
                    : numbers ? dynamodb_number(json_string_value(item))
                    : json_incref(item);
        if (!x) {
            json_decref(out);
            return NULL;
        }
        json_array_append_new(out, x);
    }
    return out;
}

static json_t *dynamodb_item(json_t *map, unsigned depth)
{
    if (!json_is_object(map))
        return NULL;
    json_t *out = json_object();
    const char *name;
    json_t *av;
    json_object_foreach(map, name, av) {
        json_t *x = dynamodb_value(av, depth);
        if (!x) {
            json_decref(out);
            return NULL;
        }
        json_object_set_new(out, name, x);
    }
    return out;
}

/* A DynamoDB Streams record's payload is the item as the handler will
 * read it: its NewImage (INSERT, MODIFY with a stream view that has it),
 * else its Keys (REMOVE, KEYS_ONLY), unmarshalled to plain JSON. */
static bool dynamodb_allowed(const slsec_guard_config *c, json_t *rec, size_t index, char *reason, size_t reason_size)
{
    const slsec_guard_trigger *t = &c->dynamodb;
    if (!t->schema && !t->attributes_schema && t->waf == SLSEC_WAF_OFF)
        return true;
    json_t *ddb = json_object_get(rec, "dynamodb");
    const char *which = json_object_get(ddb, "NewImage") ? "NewImage" : "Keys";
    json_t *item = dynamodb_item(json_object_get(ddb, which), 0);
    if (!item) {
        snprintf(reason, reason_size, "record %zu: dynamodb.%s is not a DynamoDB item", index, which);
        return false;
    }
    bool allowed = message_allowed(c, t, SLSEC_EVENT_DYNAMODB, item, rec, index, reason, reason_size);
    json_decref(item);
    return allowed;
}

json_t *slsec_guard_s3_object(const json_t *record, char *why, size_t why_size)
{
    json_t *s3 = json_object_get(record, "s3");
    json_t *object = json_object_get(s3, "object");
    json_t *o = json_object();
    json_t *v;
    if (json_is_string(v = json_object_get(record, "eventName")))
        json_object_set(o, "eventName", v);
    if (json_is_string(v = json_object_get(json_object_get(s3, "bucket"), "name")))
        json_object_set(o, "bucket", v);
    if (json_is_string(v = json_object_get(object, "key"))) {
        /* S3 form-encodes the key in notifications ("a b.txt" arrives as
         * "a+b.txt"): the policy is about the key the handler will open */
        size_t n = json_string_length(v);
        json_t *key = n <= SLSEC_GUARD_MAX_PARAM_BYTES ? slsec_guard_decode_text(json_string_value(v), n, true) : NULL;
        if (!key) {
            snprintf(why, why_size, n > SLSEC_GUARD_MAX_PARAM_BYTES ? "the object key is longer than %u bytes"
                                                                    : "the object key is not percent-encoded UTF-8 text",
                     SLSEC_GUARD_MAX_PARAM_BYTES);
            json_decref(o);
            return NULL;
        }
        json_object_set_new(o, "key", key);
    }
    if (json_is_integer(v = json_object_get(object, "size")))
        json_object_set(o, "size", v);
    if (json_is_string(v = json_object_get(object, "versionId")))
        json_object_set(o, "versionId", v);
    if (json_is_string(v = json_object_get(json_object_get(record, "requestParameters"), "sourceIPAddress")))
        json_object_set(o, "sourceIPAddress", v);
    return o;
}

/* One S3 record: the object's fields under lambda.s3's schema, and its
 * bucket and key given to the WAF as the arguments of a GET (the CRS
 * path-traversal and injection rules read arguments). */
static bool s3_allowed(const slsec_guard_config *c, const slsec_guard_trigger *t, json_t *rec, size_t index,
                       char *reason, size_t reason_size)
{
    if (!t->schema && t->waf == SLSEC_WAF_OFF)
        return true;
    char why[200];
    json_t *o = slsec_guard_s3_object(rec, why, sizeof why);
    if (!o) {
        snprintf(reason, reason_size, "record %zu: %s", index, why);
        return false;
    }
    bool allowed = true;
    if (t->schema && !slsec_schema_validate(t->schema, o, why, sizeof why)) {
        snprintf(reason, reason_size, "record %zu: schema: %s", index, why);
        allowed = false;
    }
    if (allowed && t->waf != SLSEC_WAF_OFF) {
        slsec_buf uri;
        slsec_buf_init(&uri);
        slsec_buf_puts(&uri, "/s3");
        json_t *args = json_object();
        json_object_set(args, "bucket", json_object_get(o, "bucket"));
        json_object_set(args, "key", json_object_get(o, "key"));
        attributes_query(&uri, args);
        json_decref(args);
        allowed = waf_ok(c, t->waf, "GET", uri.data, NULL, NULL, NULL, NULL, 0, reason, reason_size);
        slsec_buf_free(&uri);
        if (!allowed)
            name_record(reason, reason_size, index);
    }
    json_decref(o);
    return allowed;
}

static bool record_allowed(const slsec_guard_config *c, slsec_event_kind kind, json_t *rec, size_t index,
                           char *reason, size_t reason_size)
{
    switch (kind) {
    case SLSEC_EVENT_SQS:
        return message_allowed(c, &c->sqs, kind, json_object_get(rec, "body"), rec, index, reason, reason_size);
    case SLSEC_EVENT_SNS:
        return message_allowed(c, &c->sns, kind, json_object_get(json_object_get(rec, "Sns"), "Message"), rec, index,
                               reason, reason_size);
    case SLSEC_EVENT_S3:
        return s3_allowed(c, &c->s3, rec, index, reason, reason_size);
    case SLSEC_EVENT_KINESIS:
        return kinesis_allowed(c, rec, index, reason, reason_size);
    case SLSEC_EVENT_DYNAMODB:
        return dynamodb_allowed(c, rec, index, reason, reason_size);
    default:
        return true;
    }
}

static const slsec_guard_trigger *trigger_of(const slsec_guard_config *c, slsec_event_kind kind)
{
    switch (kind) {
    case SLSEC_EVENT_SQS: return &c->sqs;
    case SLSEC_EVENT_SNS: return &c->sns;
    case SLSEC_EVENT_S3: return &c->s3;
    case SLSEC_EVENT_EVENTBRIDGE: return &c->eventbridge;
    case SLSEC_EVENT_KINESIS: return &c->kinesis;
    case SLSEC_EVENT_DYNAMODB: return &c->dynamodb;
    default: return NULL;
    }
}

/* How batchItemFailures names a record: SQS by messageId, streams by
 * sequence number. */
static const char *item_id(slsec_event_kind kind, json_t *rec)
{
    if (kind == SLSEC_EVENT_KINESIS)
        return json_string_value(json_object_get(json_object_get(rec, "kinesis"), "sequenceNumber"));
    if (kind == SLSEC_EVENT_DYNAMODB)
        return json_string_value(json_object_get(json_object_get(rec, "dynamodb"), "SequenceNumber"));
    return json_string_value(json_object_get(rec, "messageId"));
}

/* The message group a record's successors wait behind, or NULL when order
 * does not matter: a record with a MessageGroupId (FIFO queues), or any
 * record of a queue whose ARN ends in ".fifo" (one group, to be safe). */
static const char *fifo_group(json_t *rec)
{
    const char *g = json_string_value(json_object_get(json_object_get(rec, "attributes"), "MessageGroupId"));
    if (g)
        return g;
    const char *arn = json_string_value(json_object_get(rec, "eventSourceARN"));
    size_t n = arn ? strlen(arn) : 0;
    return n >= 5 && strcmp(arn + n - 5, ".fifo") == 0 ? "" : NULL;
}

/* The group a record's successors wait behind once it is refused, or NULL
 * when order does not matter. A stream batch is one group: it comes from
 * one shard, and Lambda resumes a shard at the lowest sequence number
 * reported failed, so a record after a refused one that the handler
 * processed would be processed again at every retry. */
static const char *order_group(slsec_event_kind kind, json_t *rec)
{
    return kind == SLSEC_EVENT_SQS ? fifo_group(rec) : "";
}

/* A batch whose event source mapping has ReportBatchItemFailures: each
 * record decided alone. The refused ones (and those held back behind
 * them) are reported failed and come again (SQS: until the queue's
 * maxReceiveCount sends them to its dead-letter queue; streams: until the
 * mapping's retry attempts or record age run out), the rest reach the
 * handler. */
static void batch_partial(const slsec_guard_config *c, slsec_event_kind kind, json_t *e, slsec_event_decision *out)
{
    json_t *records = json_object_get(e, "Records");
    size_t n = json_array_size(records);
    json_t *failed = json_array(), *handed = json_array(), *kept = json_array();
    json_t *seen = json_object(), *stopped_groups = json_object();
    bool ids_ok = true;
    size_t refused = 0;
    char first[300] = "";
    for (size_t i = 0; i < n; i++) {
        json_t *rec = json_array_get(records, i);
        const char *id = item_id(kind, rec);
        /* a failure is reported by its id: without one, unique, it cannot be */
        if (!id || !*id || json_object_get(seen, id))
            ids_ok = false;
        else
            json_object_set_new(seen, id, json_true());
        char why[300];
        bool ok = record_allowed(c, kind, rec, i, why, sizeof why);
        const char *group = order_group(kind, rec);
        if (ok && group && json_object_get(stopped_groups, group)) {
            ok = false;
            snprintf(why, sizeof why, "record %zu: held back behind a refused record of its %s", i,
                     kind == SLSEC_EVENT_SQS ? "message group" : "shard");
        }
        if (ok) {
            json_array_append(kept, rec);
            if (id)
                json_array_append_new(handed, json_string(id));
            continue;
        }
        refused++;
        if (group)
            json_object_set_new(stopped_groups, group, json_true());
        if (!first[0])
            snprintf(first, sizeof first, "%s", why);
        if (id)
            json_array_append_new(failed, json_string(id));
    }
    if (refused == 0) {
        /* PASS: the event goes over untouched */
    } else if (!ids_ok) {
        out->action = SLSEC_EVENT_REFUSE;
        snprintf(out->reason, sizeof out->reason, "%.200s (the whole batch: a record has no unique %s)", first,
                 kind == SLSEC_EVENT_SQS ? "messageId" : "sequence number");
    } else if (json_array_size(kept) == 0) {
        out->action = SLSEC_EVENT_ALL_FAILED;
        snprintf(out->reason, sizeof out->reason, "%zu of %zu records refused: %.200s", refused, n, first);
        out->failed = json_incref(failed);
    } else {
        out->action = SLSEC_EVENT_PARTIAL;
        snprintf(out->reason, sizeof out->reason, "%zu of %zu records refused: %.200s", refused, n, first);
        /* the event as it came, but for the records: every other member
         * (and each record kept) is the Runtime API's own */
        json_object_set(e, "Records", kept);
        out->event = json_dumps(e, JSON_COMPACT);
        if (!out->event)
            slsec_oom();
        out->event_len = strlen(out->event);
        out->failed = json_incref(failed);
        out->handed = json_incref(handed);
    }
    json_decref(failed);
    json_decref(handed);
    json_decref(kept);
    json_decref(seen);
    json_decref(stopped_groups);
}

void slsec_guard_event_decide(const slsec_guard_config *c, slsec_ratelimit *rl, const char *event, size_t len,
                              long long now_s, uint64_t now_ns, slsec_event_decision *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->reason, sizeof out->reason, "allowed");
    json_t *e = json_loadb(event, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
    if (!e) {
        out->action = SLSEC_EVENT_REFUSE;
        snprintf(out->reason, sizeof out->reason, "malformed: the event is not JSON");
        return;
    }
    out->kind = slsec_guard_event_kind(e);
    bool allowed = true;
    switch (out->kind) {
    case SLSEC_EVENT_HTTP:
        allowed = http_event_allowed(c, rl, e, now_s, now_ns, out->reason, sizeof out->reason);
        break;
    case SLSEC_EVENT_EVENTBRIDGE:
        allowed = message_allowed(c, &c->eventbridge, out->kind, json_object_get(e, "detail"), e, 0, out->reason,
                                  sizeof out->reason);
        break;
    case SLSEC_EVENT_SQS:
    case SLSEC_EVENT_SNS:
    case SLSEC_EVENT_S3:
    case SLSEC_EVENT_KINESIS:
    case SLSEC_EVENT_DYNAMODB: {
        if (trigger_of(c, out->kind)->partial_batch) {
            batch_partial(c, out->kind, e, out);
            break;
        }
        /* one bad record refuses the batch */
        json_t *records = json_object_get(e, "Records");
        for (size_t i = 0; allowed && i < json_array_size(records); i++)
            allowed = record_allowed(c, out->kind, json_array_get(records, i), i, out->reason, sizeof out->reason);
        break;
    }
    case SLSEC_EVENT_UNKNOWN:
        break;
    }
    if (!allowed)
        out->action = SLSEC_EVENT_REFUSE;
    json_decref(e);
}

void slsec_event_decision_free(slsec_event_decision *d)
{
    if (!d)
        return;
    free(d->event);
    json_decref(d->failed);
    json_decref(d->handed);
    d->event = NULL;
    d->failed = d->handed = NULL;
}

bool slsec_guard_event_allowed(const slsec_guard_config *c, slsec_ratelimit *rl, const char *event, size_t len,
                               long long now_s, uint64_t now_ns, char *reason, size_t reason_size)
{
    slsec_event_decision d;
    slsec_guard_event_decide(c, rl, event, len, now_s, now_ns, &d);
    snprintf(reason, reason_size, "%s", d.reason);
    slsec_event_decision_free(&d);
    return d.action == SLSEC_EVENT_PASS;
}

/* Is every item of batchItemFailures one Lambda reads as "this record
 * failed"? An item naming a record the handler was not given (or no
 * record) makes Lambda fail the whole batch. */
static bool items_valid(json_t *items, const json_t *handed)
{
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item) {
        const char *id = json_string_value(json_object_get(item, "itemIdentifier"));
        if (!id || !*id)
            return false;
        bool known = false;
        for (size_t k = 0; !known && k < json_array_size(handed); k++)
            known = strcmp(id, json_string_value(json_array_get(handed, k))) == 0;
        if (!known)
            return false;
    }
    return true;
}

char *slsec_guard_batch_response(const char *response, size_t len, const json_t *failed, const json_t *handed,
                                 size_t *out_len)
{
    json_t *r = NULL;
    size_t skip = 0;
    while (skip < len && response[skip] && strchr(" \t\r\n", response[skip]))
        skip++;
    if (skip == len) {
        r = json_object(); /* no response at all: Lambda's "all succeeded" */
    } else {
        json_t *doc = json_loadb(response, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
        if (json_is_object(doc))
            r = json_incref(doc);
        else if (json_is_null(doc))
            r = json_object();
        json_decref(doc);
    }
    json_t *items = r ? json_object_get(r, "batchItemFailures") : NULL;
    bool whole = !r || (items && !json_is_null(items) && !(json_is_array(items) && items_valid(items, handed)));
    json_t *list = json_array();
    if (whole) {
        /* Lambda would fail the whole batch on this response; say so in a
         * form it reads, with every record (ours and the handler's) */
        json_decref(r);
        r = json_object();
        const json_t *parts[] = {handed, failed};
        for (size_t p = 0; p < 2; p++)
            for (size_t i = 0; i < json_array_size(parts[p]); i++)
                json_array_append_new(list, json_pack("{s:O}", "itemIdentifier", json_array_get(parts[p], i)));
    } else {
        if (json_is_array(items))
            json_array_extend(list, items);
        for (size_t i = 0; i < json_array_size(failed); i++)
            json_array_append_new(list, json_pack("{s:O}", "itemIdentifier", json_array_get(failed, i)));
    }
    json_object_set_new(r, "batchItemFailures", list);
    char *text = json_dumps(r, JSON_COMPACT);
    json_decref(r);
    if (!text)
        slsec_oom();
    *out_len = strlen(text);
    return text;
}

/* ---- the proxy ------------------------------------------------------------------------------ */

/* An invocation handed over as a partial batch, until the runtime answers
 * it: its answer gets the refused records added. */
typedef struct batch {
    char id[128];
    json_t *failed, *handed;
    struct batch *next;
} batch;

/* A runtime answers each invocation before asking for the next, so one
 * entry is the usual; a runtime that dies mid-invocation leaves its entry
 * behind (Lambda then fails the batch whole), so the list is bounded
 * (SLSEC_GUARD_MAX_PENDING_BATCHES) and the oldest entries go first. */

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
    batch *batches; /* newest first */
    size_t batch_count;
    uint64_t events, blocked, partial;
    atomic_uint_fast64_t jwks_fetched, jwks_failed; /* counted on the refresher's thread */
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

static void log_event(lproxy *lp, const char *request_id, const slsec_event_decision *d)
{
    if (!lp->opts->access_log)
        return;
    static const char *const decisions[] = {"allowed", "blocked", "partial", "blocked"};
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "id", request_id ? request_id : "", "event",
                          slsec_event_kind_name(d->kind), "decision", decisions[d->action], "reason", d->reason);
    /* messageIds, not content: what an operator needs to find them in the dead-letter queue */
    if (o && d->failed)
        json_object_set(o, "failed_items", d->failed);
    char *line = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (line) {
        flockfile(lp->opts->access_log);
        fprintf(lp->opts->access_log, "%s\n", line);
        fflush(lp->opts->access_log);
        funlockfile(lp->opts->access_log);
    }
    free(line);
    json_decref(o);
}

static void logf_err(lproxy *lp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_err(lproxy *lp, const char *fmt, ...)
{
    if (!lp->opts->errors)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* one write per line: the JWKS refresher's thread logs too */
    fprintf(lp->opts->errors, "slsec guard: %s\n", line);
    fflush(lp->opts->errors);
}

static void answer_posted(struct evhttp_request *ureq, void *arg)
{
    lproxy *lp = arg;
    int code = ureq ? evhttp_request_get_response_code(ureq) : 0;
    if (code < 200 || code > 299)
        logf_err(lp, "the Runtime API refused the guard's answer to an invocation (HTTP %d)", code);
}

/* Answers invocation `id` ourselves: "error" (with errorType) or "response". */
static void answer_invocation(lproxy *lp, const char *id, const char *what, const char *error_type, const char *body)
{
    char uri[512];
    snprintf(uri, sizeof uri, "/2018-06-01/runtime/invocation/%s/%s", id, what);
    struct evhttp_request *req = evhttp_request_new(answer_posted, lp);
    if (!req)
        slsec_oom();
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Host", lp->opts->runtime_api);
    evhttp_add_header(h, "Content-Type", "application/json");
    if (error_type)
        evhttp_add_header(h, "Lambda-Runtime-Function-Error-Type", error_type);
    evbuffer_add(evhttp_request_get_output_buffer(req), body, strlen(body));
    /* evhttp runs a connection's requests in order: the answer is posted
     * before we ask for the next event on the same connection */
    evhttp_make_request(lp->api, req, EVHTTP_REQ_POST, uri);
}

/* A request id goes into a URI: only what a Lambda request id holds. */
static bool valid_id(const char *s)
{
    size_t n = 0;
    for (; s && s[n]; n++)
        if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= '0' && s[n] <= '9') ||
              s[n] == '-' || s[n] == '_' || s[n] == '.'))
            return false;
    return n > 0 && n < 128;
}

static void batch_remember(lproxy *lp, const char *id, slsec_event_decision *d)
{
    batch *b = calloc(1, sizeof *b);
    if (!b)
        slsec_oom();
    snprintf(b->id, sizeof b->id, "%s", id);
    b->failed = json_incref(d->failed);
    b->handed = json_incref(d->handed);
    b->next = lp->batches;
    lp->batches = b;
    if (++lp->batch_count > SLSEC_GUARD_MAX_PENDING_BATCHES) {
        batch **pp = &lp->batches;
        while ((*pp)->next)
            pp = &(*pp)->next;
        logf_err(lp, "invocation %s was never answered; forgetting its refused records", (*pp)->id);
        json_decref((*pp)->failed);
        json_decref((*pp)->handed);
        free(*pp);
        *pp = NULL;
        lp->batch_count--;
    }
}

/* Takes the entry of invocation id out of the list (the caller frees it), or NULL. */
static batch *batch_take(lproxy *lp, const char *id, size_t id_len)
{
    for (batch **pp = &lp->batches; *pp; pp = &(*pp)->next)
        if (strlen((*pp)->id) == id_len && memcmp((*pp)->id, id, id_len) == 0) {
            batch *b = *pp;
            *pp = b->next;
            lp->batch_count--;
            return b;
        }
    return NULL;
}

static void batch_free(batch *b)
{
    if (!b)
        return;
    json_decref(b->failed);
    json_decref(b->handed);
    free(b);
}

static void relay_reply(relay *r, int code, struct evkeyvalq *in, struct evbuffer *body)
{
    struct evkeyvalq *out = evhttp_request_get_output_headers(r->req);
    for (struct evkeyval *h = in->tqh_first; h; h = h->next.tqe_next)
        if (!slsec_str_eq_ci(h->key, "content-length") && !slsec_str_eq_ci(h->key, "connection") &&
            !slsec_str_eq_ci(h->key, "transfer-encoding"))
            evhttp_add_header(out, h->key, h->value);
    evhttp_send_reply(r->req, code, "OK", body);
    free(r);
}

/* The event from /next, decided: handed over as it came, rewritten to
 * the records that passed, or answered by us — then the runtime's long
 * poll goes on with the next event, so the handler never sees a refused one. */
static void next_event(relay *r, int code, struct evkeyvalq *in, struct evbuffer *body)
{
    lproxy *lp = r->lp;
    size_t len = evbuffer_get_length(body);
    const char *data = len ? (const char *)evbuffer_pullup(body, -1) : "";
    const char *id = evhttp_find_header(in, "Lambda-Runtime-Aws-Request-Id");
    slsec_event_decision d;
    lp->events++;
    slsec_guard_event_decide(lp->cfg, lp->rl, data, len, (long long)time(NULL), mono_ns(), &d);
    log_event(lp, id, &d);
    if (d.action != SLSEC_EVENT_PASS && !valid_id(id)) {
        /* no invocation to answer for it: the runtime must not get it either */
        logf_err(lp, "an event without a valid request id was refused (%s)", d.reason);
        lp->blocked++;
        evhttp_send_error(r->req, 502, "Runtime API answer without a request id");
        free(r);
    } else if (d.action == SLSEC_EVENT_REFUSE || d.action == SLSEC_EVENT_ALL_FAILED) {
        lp->blocked++;
        if (d.action == SLSEC_EVENT_REFUSE) {
            json_t *err = json_pack("{s:s, s:s}", "errorMessage", d.reason, "errorType", "SlsecGuard.Blocked");
            char *text = json_dumps(err, JSON_COMPACT);
            answer_invocation(lp, id, "error", "SlsecGuard.Blocked", text ? text : "{}");
            free(text);
            json_decref(err);
        } else {
            size_t n;
            char *text = slsec_guard_batch_response("", 0, d.failed, NULL, &n);
            answer_invocation(lp, id, "response", NULL, text);
            free(text);
        }
        send_upstream(r, EVHTTP_REQ_GET, "/2018-06-01/runtime/invocation/next", NULL, NULL);
    } else if (d.action == SLSEC_EVENT_PARTIAL) {
        lp->partial++;
        batch_remember(lp, id, &d);
        struct evbuffer *rewritten = evbuffer_new();
        if (!rewritten)
            slsec_oom();
        evbuffer_add(rewritten, d.event, d.event_len);
        relay_reply(r, code, in, rewritten);
        evbuffer_free(rewritten);
    } else {
        relay_reply(r, code, in, body);
    }
    slsec_event_decision_free(&d);
}

static void relay_done(struct evhttp_request *ureq, void *arg)
{
    relay *r = arg;
    int code = ureq ? evhttp_request_get_response_code(ureq) : 0;
    if (code == 0) {
        evhttp_send_error(r->req, 502, "Runtime API unreachable");
        free(r);
        return;
    }
    struct evbuffer *body = evhttp_request_get_input_buffer(ureq);
    struct evkeyvalq *in = evhttp_request_get_input_headers(ureq);
    if (r->is_next && code == 200)
        next_event(r, code, in, body);
    else
        relay_reply(r, code, in, body);
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

/* POST .../invocation/{id}/response or /error: the id when it is one of
 * the two, else NULL. */
static const char *answered_invocation(const char *uri, size_t *id_len, bool *is_response)
{
    static const char prefix[] = "/2018-06-01/runtime/invocation/";
    if (!uri || strncmp(uri, prefix, sizeof prefix - 1) != 0)
        return NULL;
    const char *id = uri + sizeof prefix - 1;
    const char *slash = strchr(id, '/');
    if (!slash || slash == id)
        return NULL;
    if (strcmp(slash, "/response") != 0 && strcmp(slash, "/error") != 0)
        return NULL;
    *id_len = (size_t)(slash - id);
    *is_response = strcmp(slash, "/response") == 0;
    return id;
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
    struct evbuffer *body = evhttp_request_get_input_buffer(req);
    size_t id_len;
    bool is_response;
    const char *id = cmd == EVHTTP_REQ_POST ? answered_invocation(uri, &id_len, &is_response) : NULL;
    batch *b = id ? batch_take(lp, id, id_len) : NULL;
    if (b && is_response) {
        /* the handler answered for the records it got: ours go with it.
         * (An error fails the whole batch in Lambda, ours included: relayed as is.) */
        size_t len = evbuffer_get_length(body), n;
        char *merged = slsec_guard_batch_response(len ? (const char *)evbuffer_pullup(body, -1) : "", len, b->failed,
                                                  b->handed, &n);
        struct evbuffer *nb = evbuffer_new();
        if (!nb)
            slsec_oom();
        evbuffer_add(nb, merged, n);
        free(merged);
        send_upstream(r, cmd, uri, evhttp_request_get_input_headers(req), nb);
        evbuffer_free(nb);
    } else {
        send_upstream(r, cmd, uri ? uri : "/", evhttp_request_get_input_headers(req), body);
    }
    batch_free(b);
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

/* On the refresher's thread: counters are atomic, log lines one write each. */
static void on_jwks_fetch(void *user, bool ok, size_t keys, const char *error)
{
    lproxy *lp = user;
    if (ok) {
        atomic_fetch_add(&lp->jwks_fetched, 1);
        logf_err(lp, "JWKS refreshed from %s: %zu keys", lp->cfg->jwks_url, keys);
    } else {
        atomic_fetch_add(&lp->jwks_failed, 1);
        logf_err(lp, "JWKS refresh failed, keeping the old keys: %s", error);
    }
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
    slsec_diag jd = {0};
    /* a failure leaves the keys fetched at load in place, unrefreshed: said, not fatal */
    if (slsec_guard_jwks_start(cfg, on_jwks_fetch, &lp, &jd) != SLSEC_OK)
        logf_err(&lp, "JWKS keys will not be refreshed: %s", jd.message);
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
        logf_err(&lp, "stopped after %llu events, %llu blocked, %llu partial batches",
                 (unsigned long long)lp.events, (unsigned long long)lp.blocked, (unsigned long long)lp.partial);
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
    /* before lp goes: the refresher's thread calls back into it */
    slsec_guard_config_free(cfg);
    while (lp.batches) {
        batch *next = lp.batches->next;
        batch_free(lp.batches);
        lp.batches = next;
    }
    free(api_host);
    free(ohost);
    return rc;
}
