/*
 * fuzz_guard_params.c — libFuzzer target for query-string and path
 * parameters (src/guard/params.c, slsec_schema_coerce_params): the input's
 * first line is a request path, the rest its query string, checked under a
 * route with a {named} path and both parameter schemas. Whatever the
 * bytes, the answer is a status with a reason, never a crash or a leak.
 *
 * The schemas are written once to anonymous memory files (memfd) and named
 * by /proc/self/fd/N, so the target runs from any folder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "slsec/guard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static slsec_guard_config *cfg;

static void memfile(const char *text, char *path, size_t size)
{
    int fd = memfd_create("slsec-fuzz-schema", 0);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        abort();
    snprintf(path, size, "/proc/self/fd/%d", fd);
}

static void load_policy(void)
{
    char query[64], path[64], policy[1024];
    memfile("{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\",\"maximum\":9},"
            "\"b\":{\"type\":\"boolean\"},\"x\":{\"type\":[\"number\",\"null\"]},"
            "\"t\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/num\"}}},"
            "\"$defs\":{\"num\":{\"type\":\"number\"}}}",
            query, sizeof query);
    memfile("{\"$ref\":\"#/$defs/p\",\"$defs\":{\"p\":{\"type\":\"object\",\"properties\":"
            "{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\",\"pattern\":\"^[a-z]+$\"}}}}}",
            path, sizeof path);
    snprintf(policy, sizeof policy,
             "upstreams:\n  app: {url: \"http://127.0.0.1:9\"}\n"
             "routes:\n  - {name: a, path: \"/a/{name}/b/{id}/**\", upstream: app, auth: none,\n"
             "     query_schema: %s, path_schema: %s}\n",
             query, path);
    slsec_diag d = {0};
    if (slsec_guard_config_parse("fuzz.yml", policy, strlen(policy), "/", &cfg, &d)) {
        fprintf(stderr, "fuzz_guard_params: the policy does not load: %s\n", d.message);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!cfg)
        load_policy();
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    char *nl = strchr(text, '\n');
    const char *query = nl ? nl + 1 : NULL;
    if (nl)
        *nl = '\0';
    char why[300] = "";
    const slsec_guard_route *r = slsec_guard_route_match(cfg, "GET", text);
    if (r && slsec_guard_params_check(r, text, query, why, sizeof why) != SLSEC_PARAMS_OK && !why[0])
        abort(); /* every refusal says why */
    json_t *q = slsec_guard_query_object(query, why, sizeof why);
    json_decref(q);
    free(text);
    return 0;
}
