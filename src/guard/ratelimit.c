/*
 * ratelimit.c — token buckets per (scope, key) in a bounded table.
 *
 * The table is split into shards (each with its own lock, so threads
 * working on different keys rarely meet), each shard into 8-way sets: a
 * key hashes to one set and lives in one of its 8 slots. A lookup reads at
 * most 8 slots; when the set is full, the slot used least recently is
 * taken over. Memory is therefore fixed at creation, and a flood of
 * distinct keys (spoofed addresses, random API keys) can only evict old
 * buckets — which forgives their debt — never grow the table or make a
 * lookup slower.
 *
 * The hash is SipHash-like keyed with random bytes drawn at creation, so a
 * client cannot aim its keys at one set. Keys are stored whole up to
 * KEY_MAX bytes; longer ones are replaced by their SHA-256, so two
 * distinct keys never share a bucket.
 */
#include "slsec/guard.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

enum { WAYS = 8, SHARDS = 16, KEY_MAX = 96 };

typedef struct slot {
    bool used;
    uint64_t hash;
    char key[KEY_MAX + 1];
    double tokens;
    uint64_t last_ns;
} slot;

typedef struct shard {
    pthread_mutex_t lock;
    slot *slots;
    size_t sets;
    size_t used;
    uint64_t evictions;
} shard;

struct slsec_ratelimit {
    shard shards[SHARDS];
    uint64_t seed[2];
};

slsec_ratelimit *slsec_ratelimit_new(size_t capacity)
{
    slsec_ratelimit *rl = calloc(1, sizeof *rl);
    if (!rl)
        slsec_oom();
    size_t per_shard_sets = (capacity + SHARDS * WAYS - 1) / (SHARDS * WAYS);
    if (per_shard_sets == 0)
        per_shard_sets = 1;
    for (int i = 0; i < SHARDS; i++) {
        pthread_mutex_init(&rl->shards[i].lock, NULL);
        rl->shards[i].sets = per_shard_sets;
        rl->shards[i].slots = calloc(per_shard_sets * WAYS, sizeof(slot));
        if (!rl->shards[i].slots)
            slsec_oom();
    }
    if (RAND_bytes((unsigned char *)rl->seed, sizeof rl->seed) != 1) {
        rl->seed[0] = 0x736f6d6570736575ull ^ (uint64_t)(uintptr_t)rl;
        rl->seed[1] = 0x646f72616e646f6dull;
    }
    return rl;
}

void slsec_ratelimit_free(slsec_ratelimit *rl)
{
    if (!rl)
        return;
    for (int i = 0; i < SHARDS; i++) {
        pthread_mutex_destroy(&rl->shards[i].lock);
        free(rl->shards[i].slots);
    }
    free(rl);
}

static inline uint64_t rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

/* SipHash-2-4 over bytes, keyed by the table's seed. */
static uint64_t siphash(const uint64_t k[2], const unsigned char *in, size_t n)
{
    uint64_t v0 = 0x736f6d6570736575ull ^ k[0], v1 = 0x646f72616e646f6dull ^ k[1];
    uint64_t v2 = 0x6c7967656e657261ull ^ k[0], v3 = 0x7465646279746573ull ^ k[1];
#define SIPROUND                                                                                 \
    do {                                                                                         \
        v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);                                \
        v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;                                                   \
        v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;                                                   \
        v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);                                \
    } while (0)
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t m;
        memcpy(&m, in + i, 8);
        v3 ^= m;
        SIPROUND;
        SIPROUND;
        v0 ^= m;
    }
    uint64_t b = (uint64_t)n << 56;
    for (size_t j = 0; i + j < n; j++)
        b |= (uint64_t)in[i + j] << (8 * j);
    v3 ^= b;
    SIPROUND;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
#undef SIPROUND
    return v0 ^ v1 ^ v2 ^ v3;
}

/* "scope\0key", or its SHA-256 in hex when that is longer than KEY_MAX. */
static void bucket_name(const char *scope, const char *key, char out[KEY_MAX + 1], size_t *n)
{
    size_t sl = strlen(scope), kl = strlen(key);
    if (sl + 1 + kl <= KEY_MAX) {
        memcpy(out, scope, sl);
        out[sl] = '\0';
        memcpy(out + sl + 1, key, kl);
        *n = sl + 1 + kl;
        out[*n] = '\0';
        return;
    }
    slsec_buf b;
    slsec_buf_init(&b);
    slsec_buf_append(&b, scope, sl + 1);
    slsec_buf_append(&b, key, kl);
    char hex[65];
    slsec_sha256_hex(b.data, b.len, hex);
    slsec_buf_free(&b);
    out[0] = '#'; /* cannot collide with a short name: scopes never start with '#' */
    memcpy(out + 1, hex, 64);
    *n = 65;
    out[*n] = '\0';
}

bool slsec_ratelimit_take(slsec_ratelimit *rl, const char *scope, const char *key,
                          const slsec_rate *rate, uint64_t now_ns, unsigned *retry_after_s)
{
    char name[KEY_MAX + 1];
    size_t n;
    bucket_name(scope, key, name, &n);
    uint64_t h = siphash(rl->seed, (const unsigned char *)name, n);
    shard *sh = &rl->shards[h % SHARDS];
    pthread_mutex_lock(&sh->lock);
    slot *set = &sh->slots[((h / SHARDS) % sh->sets) * WAYS];
    slot *s = NULL, *victim = NULL;
    for (int i = 0; i < WAYS && !s; i++) {
        if (set[i].used && set[i].hash == h && memcmp(set[i].key, name, n + 1) == 0)
            s = &set[i];
        else if (!set[i].used) {
            if (!victim || victim->used)
                victim = &set[i];
        } else if (!victim || (victim->used && set[i].last_ns < victim->last_ns)) {
            victim = &set[i];
        }
    }
    if (!s) {
        s = victim;
        if (s->used)
            sh->evictions++;
        else
            sh->used++;
        s->used = true;
        s->hash = h;
        memcpy(s->key, name, n + 1);
        s->tokens = rate->burst;
        s->last_ns = now_ns;
    }
    /* a clock that went back refills nothing */
    if (now_ns > s->last_ns) {
        double elapsed = (double)(now_ns - s->last_ns) / 1e9;
        s->tokens = fmin(rate->burst, s->tokens + elapsed * rate->per_second);
        s->last_ns = now_ns;
    }
    bool allowed = s->tokens >= 1.0;
    if (allowed)
        s->tokens -= 1.0;
    else if (retry_after_s) {
        double wait = ceil((1.0 - s->tokens) / rate->per_second);
        *retry_after_s = wait < 1 ? 1 : wait > 86400 ? 86400 : (unsigned)wait;
    }
    pthread_mutex_unlock(&sh->lock);
    return allowed;
}

size_t slsec_ratelimit_size(const slsec_ratelimit *rl)
{
    size_t n = 0;
    for (int i = 0; i < SHARDS; i++)
        n += rl->shards[i].used;
    return n;
}

uint64_t slsec_ratelimit_evictions(const slsec_ratelimit *rl)
{
    uint64_t n = 0;
    for (int i = 0; i < SHARDS; i++)
        n += rl->shards[i].evictions;
    return n;
}
