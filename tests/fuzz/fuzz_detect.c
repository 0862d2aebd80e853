/*
 * fuzz_detect.c — libFuzzer target for the detector engine (src/detect).
 *
 * Each input is scanned in block mode, again in block mode from another
 * address (its last byte says how far past a 64-byte boundary: where the
 * bytes sit must not change what is found, docs/secrets.md "Engine
 * notes"), and as a stream cut where its first byte says; all three must
 * report the same number of matches (a boundary must never lose or invent
 * a secret), and none may crash, hang or read out of bounds.
 */
#include "slsec/detect.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count(const slsec_match *m, void *user)
{
    (void)m;
    (*(size_t *)user)++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t block = 0, moved = 0, streamed = 0;
    slsec_detect_buffer((const char *)data, size, SLSEC_DETECT_ALL, count, &block);
    size_t shift = size ? data[size - 1] % 64 : 0;
    char *mem = aligned_alloc(64, (size + 128) / 64 * 64);
    if (!mem)
        abort();
    if (size)
        memcpy(mem + shift, data, size);
    slsec_detect_buffer(mem + shift, size, SLSEC_DETECT_ALL, count, &moved);
    free(mem);
    slsec_detect_stream *s = slsec_detect_stream_new(SLSEC_DETECT_ALL, count, &streamed);
    if (!s)
        abort();
    size_t cut = size ? data[0] % (size + 1) : 0;
    slsec_detect_stream_feed(s, (const char *)data, cut);
    slsec_detect_stream_feed(s, (const char *)data + cut, size - cut);
    slsec_detect_stream_finish(s);
    slsec_detect_stream_free(s);
    if (block != streamed || block != moved)
        abort();
    return 0;
}
