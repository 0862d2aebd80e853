/*
 * fuzz_minisign_key.c — libFuzzer target for minisign key files: the same
 * bytes go to the public-key parser and to the secret-key parser without a
 * password (an encrypted key then stops before scrypt, so one input cannot
 * cost a gigabyte; unencrypted keys go through the Ed25519 consistency
 * check). Every failure must carry a message.
 */
#include <stdint.h>
#include <stdlib.h>

#include "slsec/sign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    slsec_pubkey pk;
    slsec_seckey sk;
    slsec_diag d;
    d.message[0] = '\0';
    if (slsec_pubkey_parse((const char *)data, size, "fuzz.pub", &pk, &d) != SLSEC_OK && !d.message[0])
        abort();
    d.message[0] = '\0';
    if (slsec_seckey_parse((const char *)data, size, "fuzz.key", NULL, &sk, &d) != SLSEC_OK && !d.message[0])
        abort();
    return 0;
}
