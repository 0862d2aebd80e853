/*
 * fuzz_guard_jwt.c — libFuzzer target for JWT verification
 * (slsec_jwt_verify) and JWKS parsing (slsec_jwks_parse).
 *
 * The first byte picks the mode: even bytes verify the rest as a token
 * against a fixed HS256 key set (a random input must never verify: the
 * fuzzer cannot forge an HMAC, so SLSEC_JWT_OK is a finding); odd bytes
 * parse the rest as a JWKS.
 */
#include <stdlib.h>
#include <string.h>

#include "slsec/guard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static slsec_jwks *keys;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!keys) {
        static const char jwks[] = "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"k\",\"alg\":\"HS256\","
                                   "\"k\":\"ZnV6ei1rZXktZnV6ei1rZXktZnV6ei1rZXktZnV6ei1rZXk\"}]}";
        slsec_diag d = {0};
        if (slsec_jwks_parse("fuzz.jwks", jwks, strlen(jwks), &keys, &d) != SLSEC_OK)
            abort();
    }
    if (size == 0)
        return 0;
    if (data[0] % 2 == 0) {
        slsec_jwt_policy p = {.leeway_s = 30, .require_exp = false};
        slsec_jwt_claims claims;
        if (slsec_jwt_verify(keys, &p, (const char *)data + 1, size - 1, 1800000000LL, &claims) == SLSEC_JWT_OK)
            abort();
    } else {
        slsec_jwks *k = NULL;
        slsec_diag d = {0};
        int rc = slsec_jwks_parse("fuzz.jwks", (const char *)data + 1, size - 1, &k, &d);
        if ((rc == SLSEC_OK) != (k != NULL))
            abort();
        slsec_jwks_free(k);
    }
    return 0;
}
