/*
 * payload.c — the events `slsec lambda-runtime` receives (slsec/logs.h):
 * CloudWatch Logs subscription events and Kinesis Data Firehose
 * transformation records, decoded, redacted and answered.
 *
 * A CloudWatch Logs subscription delivers {"awslogs":{"data": D}} where D is
 * base64 of gzip of {"messageType","owner","logGroup","logStream",
 * "subscriptionFilters","logEvents":[{"id","timestamp","message"}]}; the
 * first delivery to a new subscription is a CONTROL_MESSAGE with no log
 * data. Firehose transformation events are {"invocationId",
 * "deliveryStreamArn","records":[{"recordId","approximateArrivalTimestamp",
 * "data": base64}]} and must come back as {"records":[{"recordId","result",
 * "data"}]} with every recordId (Firehose's contract); when the source is a
 * CloudWatch Logs subscription each record's data is that same gzip payload.
 *
 * Every payload is hostile: decompression is bounded by
 * SLSEC_MAX_LOG_PAYLOAD_BYTES, every JSON member is type-checked, and a
 * record that does not decode fails alone.
 */
#include "slsec/logs.h"

#include "slsec/sign.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

/* ---- base64 and gzip ---------------------------------------------------------------------- */

/* Base64 (slsec/sign.h) into a buffer; SLSEC_EPARSE when s is not base64. */
static int base64_decode(const char *s, size_t n, slsec_buf *out)
{
    unsigned char *raw = NULL;
    size_t len = 0;
    if (!slsec_base64_decode(s, n, &raw, &len))
        return SLSEC_EPARSE;
    slsec_buf_append(out, (const char *)raw, len);
    free(raw);
    return SLSEC_OK;
}

static void base64_encode(const void *data, size_t n, slsec_buf *out)
{
    char *s = slsec_base64_encode(data, n);
    if (!s)
        slsec_oom();
    slsec_buf_puts(out, s);
    free(s);
}

int slsec_gunzip(const void *data, size_t n, size_t max, slsec_buf *out, slsec_diag *d)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
        slsec_oom();
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)(n > UINT32_MAX ? UINT32_MAX : n);
    unsigned char chunk[65536];
    size_t total = 0;
    int rc;
    do {
        z.next_out = chunk;
        z.avail_out = sizeof chunk;
        rc = inflate(&z, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END)
            break;
        size_t got = sizeof chunk - z.avail_out;
        total += got;
        if (total > max) {
            inflateEnd(&z);
            slsec_diag_set(d, SLSEC_DIAG_ERROR, NULL, 0, 0, "the payload decompresses to more than %zu bytes", max);
            return SLSEC_ELIMIT;
        }
        slsec_buf_append(out, (const char *)chunk, got);
    } while (rc == Z_OK && (z.avail_in > 0 || z.avail_out == 0));
    inflateEnd(&z);
    if (rc != Z_STREAM_END) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, NULL, 0, 0, "%s",
                       rc == Z_OK || rc == Z_BUF_ERROR ? "the gzip data ends early" : "the payload is not gzip data");
        return SLSEC_EPARSE;
    }
    return SLSEC_OK;
}

void slsec_gzip(const void *data, size_t n, slsec_buf *out)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        slsec_oom();
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)n;
    unsigned char chunk[65536];
    int rc;
    do {
        z.next_out = chunk;
        z.avail_out = sizeof chunk;
        rc = deflate(&z, Z_FINISH);
        slsec_buf_append(out, (const char *)chunk, sizeof chunk - z.avail_out);
    } while (rc == Z_OK);
    deflateEnd(&z);
}

/* ---- CloudWatch Logs payloads ------------------------------------------------------------------ */

typedef enum { CWL_DATA, CWL_CONTROL, CWL_BAD } cwl_kind;

static void function_of_group(const char *group, char *out, size_t size)
{
    const char *p = strncmp(group, "/aws/lambda/", 12) == 0 ? group + 12 : group;
    snprintf(out, size, "%s", p);
}

/* Redacts a decoded CloudWatch Logs payload in place (its messages); its
 * events go to forward (when not NULL) and stats. */
static cwl_kind cwl_process(slsec_redactor *r, slsec_lambda_stats *stats, json_t *doc, slsec_buf *forward,
                            slsec_event_counts *c, slsec_diag *d)
{
    json_t *type = json_object_get(doc, "messageType");
    if (!json_is_string(type)) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, NULL, 0, 0, "CloudWatch Logs payload without a messageType");
        return CWL_BAD;
    }
    if (strcmp(json_string_value(type), "CONTROL_MESSAGE") == 0) {
        c->control_messages++;
        return CWL_CONTROL;
    }
    json_t *events = json_object_get(doc, "logEvents");
    if (strcmp(json_string_value(type), "DATA_MESSAGE") != 0 || !json_is_array(events)) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, NULL, 0, 0, "CloudWatch Logs payload: expected a DATA_MESSAGE with logEvents");
        return CWL_BAD;
    }
    json_t *group = json_object_get(doc, "logGroup"), *stream = json_object_get(doc, "logStream");
    char function[256];
    function_of_group(json_is_string(group) ? json_string_value(group) : "-", function, sizeof function);
    slsec_buf clean;
    slsec_buf_init(&clean);
    size_t i;
    json_t *ev;
    json_array_foreach(events, i, ev)
    {
        json_t *msg = json_object_get(ev, "message");
        if (!json_is_string(msg))
            continue;
        c->log_events++;
        uint64_t before = slsec_redactor_stats(r)->masked;
        slsec_buf_reset(&clean);
        slsec_redact_buffer(r, json_string_value(msg), json_string_length(msg), &clean);
        c->masked += slsec_redactor_stats(r)->masked - before;
        if (stats) {
            /* a message may hold several lines (a stack trace in one event) */
            const char *m = json_string_value(msg), *e = m + json_string_length(msg);
            while (m < e) {
                const char *nl = memchr(m, '\n', (size_t)(e - m));
                size_t len = nl ? (size_t)(nl - m) : (size_t)(e - m);
                slsec_lambda_stats_line(stats, function, m, len);
                m += len + 1;
            }
        }
        json_object_set_new(ev, "message", json_stringn(clean.data ? clean.data : "", clean.len));
        if (forward) {
            json_t *line = json_object();
            json_object_set(line, "logGroup", group ? group : json_null());
            json_object_set(line, "logStream", stream ? stream : json_null());
            json_object_set(line, "id", json_object_get(ev, "id") ? json_object_get(ev, "id") : json_null());
            json_object_set(line, "timestamp",
                            json_object_get(ev, "timestamp") ? json_object_get(ev, "timestamp") : json_null());
            json_object_set(line, "message", json_object_get(ev, "message"));
            char *s = json_dumps(line, JSON_COMPACT);
            json_decref(line);
            if (!s)
                slsec_oom();
            slsec_buf_puts(forward, s);
            slsec_buf_putc(forward, '\n');
            free(s);
        }
    }
    slsec_buf_free(&clean);
    return CWL_DATA;
}

/* base64 -> gzip -> JSON object; NULL with d set. */
static json_t *decode_cwl(const char *b, size_t n, slsec_diag *d)
{
    slsec_buf raw, text;
    slsec_buf_init(&raw);
    slsec_buf_init(&text);
    json_t *doc = NULL;
    if (base64_decode(b, n, &raw) != SLSEC_OK) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, NULL, 0, 0, "the payload is not base64");
    } else if (slsec_gunzip(raw.data, raw.len, SLSEC_MAX_LOG_PAYLOAD_BYTES, &text, d) == SLSEC_OK) {
        json_error_t err;
        doc = json_loadb(text.data ? text.data : "", text.len, 0, &err);
        if (!json_is_object(doc)) {
            slsec_diag_set(d, SLSEC_DIAG_ERROR, NULL, err.line, err.column,
                           "the decompressed payload is not a JSON object: %s", err.text);
            json_decref(doc);
            doc = NULL;
        }
    }
    slsec_buf_free(&raw);
    slsec_buf_free(&text);
    return doc;
}

static int subscription_event(slsec_redactor *r, slsec_lambda_stats *stats, json_t *awslogs, slsec_buf *response,
                              slsec_buf *forward, slsec_event_counts *c, slsec_diag *d)
{
    json_t *data = json_object_get(awslogs, "data");
    if (!json_is_string(data)) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, NULL, 0, 0, "awslogs.data must be a string");
        return SLSEC_EPARSE;
    }
    json_t *doc = decode_cwl(json_string_value(data), json_string_length(data), d);
    if (!doc)
        return SLSEC_EPARSE;
    cwl_kind k = cwl_process(r, stats, doc, forward, c, d);
    json_decref(doc);
    if (k == CWL_BAD)
        return SLSEC_EPARSE;
    slsec_buf_printf(response, "{\"messageType\":\"%s\",\"logEvents\":%llu,\"masked\":%llu}",
                     k == CWL_CONTROL ? "CONTROL_MESSAGE" : "DATA_MESSAGE", (unsigned long long)c->log_events,
                     (unsigned long long)c->masked);
    return SLSEC_OK;
}

/* ---- Firehose ------------------------------------------------------------------------------------ */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One record's data, redacted and re-encoded into out (base64); the result. */
static const char *firehose_record(slsec_redactor *r, slsec_lambda_stats *stats, const char *b, size_t n,
                                   slsec_buf *out, slsec_event_counts *c)
{
    slsec_buf raw, clean;
    slsec_buf_init(&raw);
    slsec_buf_init(&clean);
    const char *result = "Ok";
    slsec_diag d;
    if (base64_decode(b, n, &raw) != SLSEC_OK) {
        result = "ProcessingFailed";
    } else if (raw.len >= 2 && (unsigned char)raw.data[0] == 0x1f && (unsigned char)raw.data[1] == 0x8b) {
        /* a CloudWatch Logs subscription payload: it stays one, redacted */
        slsec_buf text;
        slsec_buf_init(&text);
        json_t *doc = NULL;
        if (slsec_gunzip(raw.data, raw.len, SLSEC_MAX_LOG_PAYLOAD_BYTES, &text, &d) == SLSEC_OK)
            doc = json_loadb(text.data ? text.data : "", text.len, 0, NULL);
        slsec_buf_free(&text);
        cwl_kind k = json_is_object(doc) ? cwl_process(r, stats, doc, NULL, c, &d) : CWL_BAD;
        if (k == CWL_CONTROL) {
            result = "Dropped";
        } else if (k == CWL_BAD) {
            result = "ProcessingFailed";
        } else {
            char *s = json_dumps(doc, JSON_COMPACT);
            if (!s)
                slsec_oom();
            slsec_gzip(s, strlen(s), &clean);
            free(s);
        }
        json_decref(doc);
    } else {
        uint64_t before = slsec_redactor_stats(r)->masked;
        slsec_redact_buffer(r, raw.data ? raw.data : "", raw.len, &clean);
        c->masked += slsec_redactor_stats(r)->masked - before;
    }
    if (strcmp(result, "Ok") == 0)
        base64_encode(clean.data ? clean.data : "", clean.len, out);
    slsec_buf_free(&raw);
    slsec_buf_free(&clean);
    return result;
}

static int firehose_event(slsec_redactor *r, slsec_lambda_stats *stats, json_t *records, int64_t deadline_ms,
                          slsec_buf *response, slsec_event_counts *c, slsec_diag *d)
{
    size_t i;
    json_t *rec;
    json_array_foreach(records, i, rec)
    {
        if (!json_is_string(json_object_get(rec, "recordId"))) {
            slsec_diag_set(d, SLSEC_DIAG_ERROR, NULL, 0, 0, "records[%zu] has no recordId", i);
            return SLSEC_EPARSE;
        }
    }
    slsec_buf data;
    slsec_buf_init(&data);
    slsec_buf_puts(response, "{\"records\":[");
    /* the closing "]}" and each record's punctuation must fit too */
    size_t limit = SLSEC_LAMBDA_RESPONSE_MAX - 64;
    json_array_foreach(records, i, rec)
    {
        json_t *id = json_object_get(rec, "recordId"), *payload = json_object_get(rec, "data");
        slsec_buf_reset(&data);
        const char *result;
        if (deadline_ms > 0 && now_ms() > deadline_ms - 500)
            result = "ProcessingFailed"; /* no time left: Firehose retries or keeps it as failed */
        else if (!json_is_string(payload))
            result = "ProcessingFailed";
        else
            result = firehose_record(r, stats, json_string_value(payload), json_string_length(payload), &data, c);
        char *qid = json_dumps(id, JSON_ENCODE_ANY);
        if (!qid)
            slsec_oom();
        size_t need = strlen(qid) + data.len + 64;
        if (response->len + need > limit) {
            /* past the 6 MB response limit: the record fails without its data */
            result = "ProcessingFailed";
            data.len = 0;
        }
        if (strcmp(result, "Ok") == 0)
            c->records_ok++;
        else if (strcmp(result, "Dropped") == 0)
            c->records_dropped++;
        else
            c->records_failed++;
        slsec_buf_printf(response, "%s{\"recordId\":%s,\"result\":\"%s\"", i ? "," : "", qid, result);
        if (strcmp(result, "Ok") == 0) {
            slsec_buf_puts(response, ",\"data\":\"");
            slsec_buf_append(response, data.data ? data.data : "", data.len);
            slsec_buf_putc(response, '"');
        }
        slsec_buf_putc(response, '}');
        free(qid);
    }
    slsec_buf_puts(response, "]}");
    slsec_buf_free(&data);
    return SLSEC_OK;
}

int slsec_lambda_event(slsec_redactor *r, slsec_lambda_stats *stats, const char *event, size_t n,
                       int64_t deadline_ms, slsec_buf *response, slsec_buf *forward, slsec_event_counts *counts,
                       slsec_diag *d)
{
    slsec_event_counts none;
    if (!counts)
        counts = &none;
    memset(counts, 0, sizeof *counts);
    json_error_t err;
    json_t *root = json_loadb(event, n, 0, &err);
    if (!json_is_object(root)) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, "event", err.line, err.column, "the event is not a JSON object: %s",
                       root ? "another JSON value" : err.text);
        json_decref(root);
        return SLSEC_EPARSE;
    }
    int rc;
    json_t *awslogs = json_object_get(root, "awslogs"), *records = json_object_get(root, "records");
    if (json_is_object(awslogs)) {
        rc = subscription_event(r, stats, awslogs, response, forward, counts, d);
    } else if (json_is_array(records)) {
        rc = firehose_event(r, stats, records, deadline_ms, response, counts, d);
    } else {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, "event", 0, 0,
                       "expected a CloudWatch Logs subscription event (awslogs.data) or a Firehose "
                       "transformation event (records)");
        rc = SLSEC_EPARSE;
    }
    json_decref(root);
    return rc;
}
