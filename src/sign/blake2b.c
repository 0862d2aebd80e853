/*
 * blake2b.c — BLAKE2b as RFC 7693 describes it, unkeyed, with any digest
 * length from 1 to 64 bytes. Written for minisign's BLAKE2b-256 secret-key
 * checksum, which OpenSSL 3.0 cannot produce (its BLAKE2B-512 digest
 * ignores a size parameter and BLAKE2BMAC demands a key). Artifacts are
 * hashed with OpenSSL's BLAKE2b-512, not this.
 */
#include "sign_internal.h"

#include <openssl/crypto.h>
#include <string.h>

static const uint64_t blake2b_iv[8] = {
    0x6A09E667F3BCC908ull, 0xBB67AE8584CAA73Bull, 0x3C6EF372FE94F82Bull, 0xA54FF53A5F1D36F1ull,
    0x510E527FADE682D1ull, 0x9B05688C2B3E6C1Full, 0x1F83D9ABFB41BD6Bull, 0x5BE0CD19137E2179ull,
};

/* Message word schedule, one row per round (rounds 10 and 11 reuse 0 and 1). */
static const uint8_t sigma[10][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
};

static uint64_t rotr64(uint64_t x, unsigned n) { return (x >> n) | (x << (64 - n)); }

static uint64_t load64le(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static void mix(uint64_t v[16], int a, int b, int c, int d, uint64_t x, uint64_t y)
{
    v[a] = v[a] + v[b] + x;
    v[d] = rotr64(v[d] ^ v[a], 32);
    v[c] = v[c] + v[d];
    v[b] = rotr64(v[b] ^ v[c], 24);
    v[a] = v[a] + v[b] + y;
    v[d] = rotr64(v[d] ^ v[a], 16);
    v[c] = v[c] + v[d];
    v[b] = rotr64(v[b] ^ v[c], 63);
}

static void compress(blake2b_ctx *c, bool last)
{
    uint64_t m[16], v[16];
    for (int i = 0; i < 16; i++)
        m[i] = load64le(c->buf + 8 * i);
    for (int i = 0; i < 8; i++) {
        v[i] = c->h[i];
        v[i + 8] = blake2b_iv[i];
    }
    v[12] ^= c->t[0];
    v[13] ^= c->t[1];
    if (last)
        v[14] = ~v[14];
    for (int r = 0; r < 12; r++) {
        const uint8_t *s = sigma[r % 10];
        mix(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
        mix(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
        mix(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
        mix(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
        mix(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
        mix(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
        mix(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
        mix(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; i++)
        c->h[i] ^= v[i] ^ v[i + 8];
    OPENSSL_cleanse(m, sizeof m);
    OPENSSL_cleanse(v, sizeof v);
}

void blake2b_init(blake2b_ctx *c, size_t outlen)
{
    memset(c, 0, sizeof *c);
    if (outlen < 1 || outlen > 64)
        outlen = 64;
    c->outlen = outlen;
    memcpy(c->h, blake2b_iv, sizeof c->h);
    c->h[0] ^= 0x01010000ull ^ (uint64_t)outlen;
}

void blake2b_update(blake2b_ctx *c, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len > 0) {
        /* A full buffer is compressed only once more input arrives: the
         * last block must be compressed with the final flag. */
        if (c->buflen == sizeof c->buf) {
            c->t[0] += sizeof c->buf;
            if (c->t[0] < sizeof c->buf)
                c->t[1]++;
            compress(c, false);
            c->buflen = 0;
        }
        size_t n = sizeof c->buf - c->buflen;
        if (n > len)
            n = len;
        memcpy(c->buf + c->buflen, p, n);
        c->buflen += n;
        p += n;
        len -= n;
    }
}

void blake2b_final(blake2b_ctx *c, uint8_t *out)
{
    c->t[0] += c->buflen;
    if (c->t[0] < c->buflen)
        c->t[1]++;
    memset(c->buf + c->buflen, 0, sizeof c->buf - c->buflen);
    compress(c, true);
    for (size_t i = 0; i < c->outlen; i++)
        out[i] = (uint8_t)(c->h[i / 8] >> (8 * (i % 8)));
    OPENSSL_cleanse(c, sizeof *c);
}
