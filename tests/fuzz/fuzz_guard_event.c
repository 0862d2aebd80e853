/*
 * fuzz_guard_event.c — libFuzzer target for the Lambda event decoder
 * (slsec_guard_event_kind, slsec_guard_event_allowed): every input is an
 * event as the Runtime API would hand it out, decided under a policy with
 * routes, schemas and every trigger kind (no WAF: its own engine is
 * ModSecurity's). The decision must come back with a reason, never crash.
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
    char message[64], order[64], policy[1024];
    memfile("{\"type\":\"object\",\"required\":[\"orderId\"],\"properties\":{\"orderId\":{\"type\":\"string\","
            "\"pattern\":\"^o-[0-9]+$\"},\"amount\":{\"type\":\"number\",\"minimum\":0}}}",
            message, sizeof message);
    memfile("{\"type\":\"object\",\"required\":[\"item\",\"qty\"],\"additionalProperties\":false,\"properties\":"
            "{\"item\":{\"type\":\"string\",\"maxLength\":20},\"qty\":{\"type\":\"integer\",\"minimum\":1}}}",
            order, sizeof order);
    snprintf(policy, sizeof policy,
             "lambda:\n  sqs: {schema: %s}\n  sns: {schema: %s}\n  eventbridge: {schema: %s}\n"
             "routes:\n  - {name: a, path: /public/**, auth: none, rate_limit: {per_second: 5, key: header:x-t}}\n"
             "  - {name: b, method: POST, path: /orders, auth: none, schema: %s}\n",
             message, message, message, order);
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
    char why[256];
    why[0] = '\0';
    slsec_guard_event_allowed(cfg, rl, (const char *)data, size, 1800000000LL, 1, why, sizeof why);
    if (why[0] == '\0')
        abort();
    return 0;
}
