/*
 * fuzz_logs_payload.c — libFuzzer target for the payload decoders of
 * `slsec lambda-runtime` (src/logs/payload.c): the input is handled as a
 * Lambda event (CloudWatch Logs subscription or Firehose transformation),
 * and its bytes are also gunzipped and, when they decompress, handled as a
 * subscription document. Nothing may crash, leak or grow past the limits;
 * a Firehose response must name as many records as the event has.
 */
#include "slsec/logs.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static slsec_redactor *r;
    slsec_diag d;
    if (!r && !(r = slsec_redactor_new(NULL, NULL, NULL, &d)))
        abort();
    slsec_lambda_stats *stats = slsec_lambda_stats_new(NULL, NULL, NULL, NULL);
    slsec_buf response, forward, plain;
    slsec_buf_init(&response);
    slsec_buf_init(&forward);
    slsec_buf_init(&plain);
    slsec_event_counts c;
    if (slsec_lambda_event(r, stats, (const char *)data, size, 0, &response, &forward, &c, &d) == SLSEC_OK &&
        response.len > 0) {
        json_t *resp = json_loadb(response.data, response.len, 0, NULL);
        if (!json_is_object(resp))
            abort(); /* the runtime must always answer JSON */
        json_t *recs = json_object_get(resp, "records");
        if (recs && json_array_size(recs) != c.records_ok + c.records_dropped + c.records_failed)
            abort();
        json_decref(resp);
    }
    slsec_gunzip(data, size, 1u << 20, &plain, &d);
    slsec_buf_free(&response);
    slsec_buf_free(&forward);
    slsec_buf_free(&plain);
    slsec_lambda_stats_free(stats);
    return 0;
}
