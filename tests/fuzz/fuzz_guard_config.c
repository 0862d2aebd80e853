/*
 * fuzz_guard_config.c — libFuzzer target for guard.yml
 * (slsec_guard_config_parse). Inputs are parsed from memory with the
 * fixture folder (from the repository root, or $SLSEC_FIXTURES) as the
 * base for relative paths, so a fuzzed config may
 * point at the real test JWKS and schema and reach the loaders behind
 * them. An input that loads is also printed (--check's path).
 */
#include <stdlib.h>

#include "slsec/guard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    slsec_guard_config *c = NULL;
    slsec_diag d = {0};
    const char *dir = getenv("SLSEC_FIXTURES") ? getenv("SLSEC_FIXTURES") : "tests/fixtures/guard";
    int rc = slsec_guard_config_parse("fuzz.yml", (const char *)data, size, dir, &c, &d);
    if ((rc == SLSEC_OK) != (c != NULL))
        abort();
    if (c) {
        slsec_buf b;
        slsec_buf_init(&b);
        slsec_guard_config_print(c, &b);
        slsec_buf_free(&b);
        if (c->route_count == 0)
            abort(); /* a loaded config always has a route */
        slsec_guard_config_free(c);
    } else if (d.message[0] == '\0') {
        abort(); /* every refusal says why */
    }
    return 0;
}
