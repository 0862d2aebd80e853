/*
 * fuzz_guard_schema.c — libFuzzer target for the JSON Schema validator
 * (slsec_schema_new, slsec_schema_validate).
 *
 * The input is split at its first NUL byte: before it a schema, after it
 * an instance, both JSON. Any schema that compiles is run against the
 * instance and against the schema itself (schemas are JSON too), which
 * reaches $ref cycles, deep nesting and regular expressions.
 */
#include <stdlib.h>
#include <string.h>

#include "slsec/guard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t schema_len = nul ? (size_t)(nul - data) : size;
    json_t *schema = json_loadb((const char *)data, schema_len, JSON_DECODE_ANY, NULL);
    if (!schema)
        return 0;
    json_t *instance = nul ? json_loadb((const char *)nul + 1, size - schema_len - 1, JSON_DECODE_ANY, NULL) : NULL;
    slsec_schema *s = NULL;
    slsec_diag d = {0};
    if (slsec_schema_new(schema, SLSEC_SCHEMA_AUTO, &s, &d) == SLSEC_OK) {
        char why[128];
        slsec_schema_validate(s, schema, why, sizeof why);
        if (instance)
            slsec_schema_validate(s, instance, why, sizeof why);
        slsec_schema_free(s);
    } else if (d.message[0] == '\0') {
        abort();
    }
    json_decref(instance);
    json_decref(schema);
    return 0;
}
