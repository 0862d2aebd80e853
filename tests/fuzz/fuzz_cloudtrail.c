/*
 * fuzz_cloudtrail.c — libFuzzer target for the CloudTrail splitter
 * (slsec_ct_splitter_*) and the event-to-action mapping.
 *
 * Each input is split twice: whole, and in chunks whose size comes from
 * the input's first byte. Both must hand out the same records with the same
 * bytes (a disagreement aborts: it is a bug even without a crash). Every
 * record is then read by the audit's field scanner (slsec_ct_record_parse),
 * which must accept whatever jansson accepts at shallow depth, and its
 * eventSource/eventName mapped to an action, as the audit does.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_internal.h"
#include "slsec/audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct sink {
    slsec_buf all;
    size_t n;
    slsec_ct_record rec;
} sink;

static void on_record(void *user, const char *json, size_t len, size_t index)
{
    sink *s = user;
    (void)index;
    s->n++;
    slsec_buf_append(&s->all, json, len);
    slsec_buf_putc(&s->all, '\n');
    bool ours = slsec_ct_record_parse(&s->rec, json, len);
    json_error_t err;
    json_t *rec = json_loadb(json, len, JSON_ALLOW_NUL, &err);
    /* jansson's nesting limit is higher than ours: compare shallow records only */
    if (rec && !ours && len < 2 * 256)
        abort();
    json_decref(rec);
    char action[256];
    if (ours && slsec_event_action(s->rec.f[SLSEC_CT_SOURCE], s->rec.f[SLSEC_CT_NAME], action, sizeof action))
        (void)slsec_action_is_data_event(action);
}

static void run(const uint8_t *data, size_t size, size_t chunk, sink *s)
{
    slsec_buf_init(&s->all);
    s->n = 0;
    memset(&s->rec, 0, sizeof s->rec);
    slsec_ct_splitter *sp = slsec_ct_splitter_new(on_record, NULL, s, 4096);
    for (size_t off = 0; off < size; off += chunk)
        slsec_ct_splitter_feed(sp, (const char *)data + off, size - off < chunk ? size - off : chunk);
    slsec_ct_splitter_finish(sp);
    slsec_ct_splitter_free(sp);
    free(s->rec.scratch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t chunk = (size_t)(data[0] % 17) + 1;
    sink whole, parts;
    run(data + 1, size - 1, size, &whole);
    run(data + 1, size - 1, chunk, &parts);
    if (whole.n != parts.n || whole.all.len != parts.all.len ||
        (whole.all.len && memcmp(whole.all.data, parts.all.data, whole.all.len) != 0))
        abort();
    slsec_buf_free(&whole.all);
    slsec_buf_free(&parts.all);
    return 0;
}
