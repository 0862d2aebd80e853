/*
 * fuzz_guard_event.c — libFuzzer target for the Lambda event decoder
 * (slsec_guard_event_kind, slsec_guard_event_decide): every input is an
 * event as the Runtime API would hand it out, decided under a policy with
 * routes, schemas, attribute schemas, S3 object checks, SQS, Kinesis and
 * DynamoDB Streams partial batches (base64 data, DynamoDB items
 * unmarshalled) and every trigger kind (no WAF: its own engine is
 * ModSecurity's). The decision must come back with a reason, never crash;
 * a partial batch's rewritten event must be JSON again. The same input is
 * also a handler's response to merge with a partial batch's failures
 * (slsec_guard_batch_response), whose answer must always be a JSON object.
 *
 * The policy's schemas are written once to anonymous memory files
 * (memfd) and named by /proc/self/fd/N, so the target runs from any folder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "slsec/guard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static slsec_guard_config *cfg;
static slsec_ratelimit *rl;

static void memfile(const char *text, char *path, size_t size)
{
    int fd = memfd_create("slsec-fuzz-schema", 0);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        abort();
    snprintf(path, size, "/proc/self/fd/%d", fd);
}

static void load_policy(void)
{
    char message[64], order[64], attrs[64], object[64], policy[2048];
    memfile("{\"type\":\"object\",\"required\":[\"orderId\"],\"properties\":{\"orderId\":{\"type\":\"string\","
            "\"pattern\":\"^o-[0-9]+$\"},\"amount\":{\"type\":\"number\",\"minimum\":0}}}",
            message, sizeof message);
    memfile("{\"type\":\"object\",\"required\":[\"item\",\"qty\"],\"additionalProperties\":false,\"properties\":"
            "{\"item\":{\"type\":\"string\",\"maxLength\":20},\"qty\":{\"type\":\"integer\",\"minimum\":1}}}",
            order, sizeof order);
    memfile("{\"type\":\"object\",\"properties\":{\"tenant\":{\"type\":\"string\",\"pattern\":\"^t-[0-9]+$\"},"
            "\"priority\":{\"type\":\"integer\",\"maximum\":9},\"source\":{\"enum\":[\"shop\"]}}}",
            attrs, sizeof attrs);
    memfile("{\"type\":\"object\",\"required\":[\"key\"],\"properties\":{\"key\":{\"type\":\"string\","
            "\"pattern\":\"^in/[a-z ]+\\\\.jpg$\"},\"size\":{\"maximum\":100}}}",
            object, sizeof object);
    snprintf(policy, sizeof policy,
             "lambda:\n  sqs: {schema: %s, attributes_schema: %s, partial_batch: true}\n"
             "  sns: {schema: %s, attributes_schema: %s}\n  eventbridge: {schema: %s, attributes_schema: %s}\n"
             "  s3: {schema: %s}\n  kinesis: {schema: %s, attributes_schema: %s, partial_batch: true}\n"
             "  dynamodb: {schema: %s, attributes_schema: %s, partial_batch: true}\n"
             "routes:\n  - {name: a, path: /public/**, auth: none, rate_limit: {per_second: 5, key: header:x-t}}\n"
             "  - {name: b, method: POST, path: /orders, auth: none, schema: %s}\n",
             message, attrs, message, attrs, message, attrs, object, message, attrs, message, attrs, order);
    slsec_diag d = {0};
    if (slsec_guard_config_parse("fuzz.yml", policy, strlen(policy), "/", &cfg, &d)) {
        fprintf(stderr, "fuzz_guard_event: the policy does not load: %s\n", d.message);
        abort();
    }
    rl = slsec_ratelimit_new(1024);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!cfg)
        load_policy();
    slsec_event_decision d;
    slsec_guard_event_decide(cfg, rl, (const char *)data, size, 1800000000LL, 1, &d);
    if (d.reason[0] == '\0')
        abort();
    if (d.action == SLSEC_EVENT_PARTIAL) {
        json_t *again = json_loadb(d.event, d.event_len, 0, NULL);
        if (!again || !d.failed || !d.handed)
            abort();
        json_decref(again);
    }
    json_t *failed = json_pack("[s]", "m-refused"), *handed = json_pack("[s,s]", "m1", "m2");
    size_t n = 0;
    char *merged = slsec_guard_batch_response((const char *)data, size, failed, handed, &n);
    json_t *answer = json_loadb(merged, n, 0, NULL);
    if (!json_is_array(json_object_get(answer, "batchItemFailures")))
        abort();
    json_decref(answer);
    free(merged);
    json_decref(failed);
    json_decref(handed);
    slsec_event_decision_free(&d);
    return 0;
}
