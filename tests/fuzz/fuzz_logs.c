/*
 * fuzz_logs.c — libFuzzer target for src/logs: the redaction stream, the
 * Lambda line parser and the metrics/detector state.
 *
 * The input is redacted twice, whole and cut into pieces whose size the
 * first byte picks, with a small line limit (fail-open or fail-closed,
 * from the second byte) so the long-line paths run too; the two outputs
 * must be identical (chunking never changes the output) and, when nothing
 * was masked or dropped, equal to the input. Every line then goes through
 * the Lambda parser and the watch detectors.
 */
#include "slsec/logs.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int to_buf(const char *d, size_t n, void *user)
{
    slsec_buf_append(user, d, n);
    return 0;
}

static void redact(const slsec_redact_options *o, const char *d, size_t n, size_t chunk, slsec_buf *out,
                   slsec_redact_stats *st)
{
    slsec_diag diag;
    slsec_redactor *r = slsec_redactor_new(o, to_buf, out, &diag);
    if (!r)
        abort();
    for (size_t at = 0; at < n; at += chunk)
        slsec_redactor_feed(r, d + at, n - at < chunk ? n - at : chunk);
    slsec_redactor_finish(r);
    *st = *slsec_redactor_stats(r);
    slsec_redactor_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *d = (const char *)data;
    size_t chunk = size ? (size_t)data[0] % 13 + 1 : 1;
    slsec_redact_options o = {.max_line = 64 + (size > 1 ? data[1] % 64 : 0),
                              .fail_closed = size > 1 && (data[1] & 0x80),
                              .mask_ip = size > 2 && (data[2] & 1)};
    slsec_buf whole, pieces;
    slsec_buf_init(&whole);
    slsec_buf_init(&pieces);
    slsec_redact_stats a, b;
    redact(&o, d, size, size ? size : 1, &whole, &a);
    redact(&o, d, size, chunk, &pieces, &b);
    if (whole.len != pieces.len || (whole.len && memcmp(whole.data, pieces.data, whole.len) != 0))
        abort();
    if (a.masked == 0 && a.dropped_lines == 0 && (whole.len != size || (size && memcmp(whole.data, d, size) != 0)))
        abort();
    slsec_buf_free(&whole);
    slsec_buf_free(&pieces);

    slsec_watch_options wo;
    slsec_watch_defaults(&wo);
    wo.warmup_windows = 1;
    slsec_lambda_stats *st = slsec_lambda_stats_new(&wo, NULL, NULL, NULL);
    for (size_t at = 0; at < size;) {
        const char *nl = memchr(d + at, '\n', size - at);
        size_t n = nl ? (size_t)(nl - (d + at)) : size - at;
        slsec_lambda_record rec;
        slsec_lambda_parse_line(d + at, n, &rec);
        slsec_lambda_stats_line(st, (at & 1) ? "a" : "b", d + at, n);
        at += n + 1;
    }
    slsec_lambda_stats_close(st, INT64_MAX);
    slsec_lambda_stats_free(st);
    return 0;
}
