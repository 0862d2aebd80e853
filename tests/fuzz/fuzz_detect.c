/*
 * fuzz_detect.c — libFuzzer target for the detector engine (src/detect).
 *
 * Each input is scanned in block mode and again as a stream cut where its
 * first byte says; the two must report the same number of matches (a
 * boundary must never lose or invent a secret), and neither may crash,
 * hang or read out of bounds.
 */
#include "slsec/detect.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count(const slsec_match *m, void *user)
{
    (void)m;
    (*(size_t *)user)++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t block = 0, streamed = 0;
    slsec_detect_buffer((const char *)data, size, SLSEC_DETECT_ALL, count, &block);
    slsec_detect_stream *s = slsec_detect_stream_new(SLSEC_DETECT_ALL, count, &streamed);
    if (!s)
        abort();
    size_t cut = size ? data[0] % (size + 1) : 0;
    slsec_detect_stream_feed(s, (const char *)data, cut);
    slsec_detect_stream_feed(s, (const char *)data + cut, size - cut);
    slsec_detect_stream_finish(s);
    slsec_detect_stream_free(s);
    if (block != streamed)
        abort();
    return 0;
}
