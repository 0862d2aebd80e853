/*
 * runs.c — the triggers of the digit-run detectors (card, IBAN, SSN,
 * phone) and of emails, found without Vectorscan (detect_internal.h says
 * why).
 *
 * Each trigger is a short fixed sequence of character classes with a few
 * optional separators, so "a match ends at byte j" is a conjunction of
 * "byte j-i is in class K" terms. Over a block of 64 bytes every class is
 * one 64-bit mask (bit j: byte j is in the class; found with AVX-512, AVX2
 * or SSE2, whichever the CPU has), "byte j-i" is the mask shifted left by
 * i with the previous block's bits carried in, and the ends of a trigger
 * are a handful of ANDs and ORs of shifted masks. No trigger is longer
 * than 14 bytes, so the previous block holds all the history needed.
 * Emails are simpler: each '@' can end at most one trigger (emails()).
 *
 * The result is the exact set of ends at which the trigger matches — what
 * Vectorscan is asked for, and what it returns except where it drops ends
 * (detect_internal.h) — so the confirmation that follows, and therefore
 * every match, is unchanged. tests/unit/test_detect_runs.c and
 * tests/fuzz/fuzz_detect_runs.c compare every end with PCRE2's.
 */
#include "detect_internal.h"

#include <string.h>

static const struct {
    const char *id, *trigger;
} kinds[RUN_KINDS] = {
    [RUN_CARD] = {"PII-001", "[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{4}"},
    [RUN_IBAN] = {"PII-003", "[A-Z]{2}[0-9]{2} ?[A-Z0-9]{4} ?[A-Z0-9]{4}"},
    [RUN_SSN] = {"PII-004", "[0-9]{3}-[0-9]{2}-[0-9]{4}"},
    [RUN_PHONE] = {"PII-005", "\\+[1-9][0-9 ().-]{7}|[0-9]{3}\\)?[ .-]?[0-9]{3}[ .-][0-9]{4}"},
    [RUN_EMAIL] = {"PII-002", "@[A-Za-z0-9-]{1,63}\\."},
};

const char *runs_id(run_kind k) { return kinds[k].id; }
const char *runs_trigger(run_kind k) { return kinds[k].trigger; }

/* The classes of one block's bytes, one bit per byte. */
typedef struct classes {
    uint64_t digit, zero, upper, space, dash, dot, lparen, rparen, plus;
} classes;

/* Classifies `blocks` blocks of 64 bytes from p (all readable). The
 * versions differ only in speed: the widest the CPU has is picked at run
 * time, so one binary runs everywhere and uses AVX-512 or AVX2 where they
 * are (the classification is half the work with SSE2). */
typedef void (*classify_fn)(const unsigned char *p, size_t blocks, classes *out);

static void classify_scalar(const unsigned char *p, size_t blocks, classes *out)
{
    for (size_t b = 0; b < blocks; b++, p += 64) {
        classes *m = &out[b];
        memset(m, 0, sizeof *m);
        for (unsigned j = 0; j < 64; j++) {
            unsigned c = p[j];
            uint64_t bit = (uint64_t)1 << j;
            m->digit |= c - '0' < 10u ? bit : 0;
            m->upper |= c - 'A' < 26u ? bit : 0;
            m->zero |= c == '0' ? bit : 0;
            m->space |= c == ' ' ? bit : 0;
            m->dash |= c == '-' ? bit : 0;
            m->dot |= c == '.' ? bit : 0;
            m->lparen |= c == '(' ? bit : 0;
            m->rparen |= c == ')' ? bit : 0;
            m->plus |= c == '+' ? bit : 0;
        }
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
#define RUNS_X86 1
#include <immintrin.h>

/* Bytes in [lo, lo + n): shifted so the range starts at -128, the range
 * is one signed comparison (SSE2 and AVX2 compare signed bytes only). */
static inline unsigned range16(__m128i x, unsigned char lo, unsigned char n)
{
    __m128i y = _mm_add_epi8(x, _mm_set1_epi8((char)(0x80 - lo)));
    return (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(y, _mm_set1_epi8((char)(0x80 + n))));
}

static inline unsigned eq16(__m128i x, char c) { return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(c))); }

static void classify_sse2(const unsigned char *p, size_t blocks, classes *out)
{
    for (size_t b = 0; b < blocks; b++, p += 64) {
        classes *m = &out[b];
        memset(m, 0, sizeof *m);
        for (unsigned i = 0; i < 4; i++) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
            unsigned sh = 16 * i;
            m->digit |= (uint64_t)range16(x, '0', 10) << sh;
            m->upper |= (uint64_t)range16(x, 'A', 26) << sh;
            m->zero |= (uint64_t)eq16(x, '0') << sh;
            m->space |= (uint64_t)eq16(x, ' ') << sh;
            m->dash |= (uint64_t)eq16(x, '-') << sh;
            m->dot |= (uint64_t)eq16(x, '.') << sh;
            m->lparen |= (uint64_t)eq16(x, '(') << sh;
            m->rparen |= (uint64_t)eq16(x, ')') << sh;
            m->plus |= (uint64_t)eq16(x, '+') << sh;
        }
    }
}

__attribute__((target("avx2"))) static inline uint64_t range32x2(__m256i lo, __m256i hi, unsigned char from,
                                                                    unsigned char n)
{
    __m256i shift = _mm256_set1_epi8((char)(0x80 - from)), limit = _mm256_set1_epi8((char)(0x80 + n));
    uint32_t a = (uint32_t)_mm256_movemask_epi8(_mm256_cmpgt_epi8(limit, _mm256_add_epi8(lo, shift)));
    uint32_t b = (uint32_t)_mm256_movemask_epi8(_mm256_cmpgt_epi8(limit, _mm256_add_epi8(hi, shift)));
    return (uint64_t)b << 32 | a;
}

__attribute__((target("avx2"))) static inline uint64_t eq32x2(__m256i lo, __m256i hi, char c)
{
    __m256i k = _mm256_set1_epi8(c);
    uint32_t a = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, k));
    uint32_t b = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, k));
    return (uint64_t)b << 32 | a;
}

__attribute__((target("avx2"))) static void classify_avx2(const unsigned char *p, size_t blocks, classes *out)
{
    for (size_t b = 0; b < blocks; b++, p += 64) {
        __m256i lo = _mm256_loadu_si256((const __m256i *)(const void *)p);
        __m256i hi = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
        out[b] = (classes){.digit = range32x2(lo, hi, '0', 10),
                           .upper = range32x2(lo, hi, 'A', 26),
                           .zero = eq32x2(lo, hi, '0'),
                           .space = eq32x2(lo, hi, ' '),
                           .dash = eq32x2(lo, hi, '-'),
                           .dot = eq32x2(lo, hi, '.'),
                           .lparen = eq32x2(lo, hi, '('),
                           .rparen = eq32x2(lo, hi, ')'),
                           .plus = eq32x2(lo, hi, '+')};
    }
}

__attribute__((target("avx512bw"))) static void classify_avx512(const unsigned char *p, size_t blocks, classes *out)
{
    for (size_t b = 0; b < blocks; b++, p += 64) {
        __m512i x = _mm512_loadu_si512((const void *)p);
        out[b] = (classes){
            .digit = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(x, _mm512_set1_epi8('0')), _mm512_set1_epi8(10)),
            .upper = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(x, _mm512_set1_epi8('A')), _mm512_set1_epi8(26)),
            .zero = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('0')),
            .space = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8(' ')),
            .dash = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('-')),
            .dot = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('.')),
            .lparen = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('(')),
            .rparen = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8(')')),
            .plus = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('+'))};
    }
}
#endif

/* The classification for `isa`, NULL when this CPU cannot run it. */
static classify_fn classify_for(runs_isa isa)
{
    switch (isa) {
    case RUNS_SCALAR:
        return classify_scalar;
#ifdef RUNS_X86
    case RUNS_SSE2:
        return classify_sse2;
    case RUNS_AVX2:
        return __builtin_cpu_supports("avx2") ? classify_avx2 : NULL;
    case RUNS_AVX512:
        return __builtin_cpu_supports("avx512bw") ? classify_avx512 : NULL;
    case RUNS_BEST:
        return __builtin_cpu_supports("avx512bw") ? classify_avx512
               : __builtin_cpu_supports("avx2")   ? classify_avx2
                                                  : classify_sse2;
#else
    case RUNS_BEST:
        return classify_scalar;
#endif
    default:
        return NULL;
    }
}

/* The masks a later block looks back into (see step()). */
typedef struct history {
    uint64_t d, u, a, s, p, da, sp, rp, c, n, pl, q, t, g2, x, pi, y;
} history;

/* "byte j-k is in the class": cur shifted by k, the previous block's last
 * k bits carried in (1 <= k <= 63). */
static inline uint64_t sh(uint64_t cur, uint64_t prev, unsigned k) { return cur << k | prev >> (64 - k); }

/* The ends found in one block (bit j: a match ends at byte j), per kind.
 * Terms that cannot hold in this block are skipped: the E.164 form needs
 * a '+' at most 8 bytes back, the IBAN an "AB12" at most 13 bytes back,
 * and both are rare in logs. */
static void step(const classes *m, history *h, bool iban, uint64_t out[RUN_KINDS])
{
    uint64_t d = m->digit, u = m->upper, da = m->dash, sp = m->space, rp = m->rparen, pl = m->plus;
    uint64_t s = sp | da;                /* card group separator [ -] */
    uint64_t p = s | m->dot;             /* phone separator [ .-] */
    uint64_t c = d | p | m->lparen | rp; /* [0-9 ().-] */
    uint64_t n = d & ~m->zero;           /* [1-9] */
    uint64_t a = d | u;                  /* [A-Z0-9] */

    /* t: three digits end here; q: four */
    uint64_t t = d & sh(d, h->d, 1) & sh(d, h->d, 2);
    uint64_t q = t & sh(d, h->d, 3);

    /* card: [0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{4}; g2: its first two groups end here */
    uint64_t g2 = q & (sh(q, h->q, 4) | (sh(s, h->s, 4) & sh(q, h->q, 5)));
    out[RUN_CARD] = q & (sh(g2, h->g2, 4) | (sh(s, h->s, 4) & sh(g2, h->g2, 5)));

    /* SSN: [0-9]{3}-[0-9]{2}-[0-9]{4} */
    out[RUN_SSN] = q & sh(da, h->da, 4) & sh(d, h->d, 5) & sh(d, h->d, 6) & sh(da, h->da, 7) & sh(t, h->t, 8);

    /* phone: \+[1-9][0-9 ().-]{7} | [0-9]{3}\)?[ .-]?[0-9]{3}[ .-][0-9]{4};
     * x: "[0-9]{3}\)?[ .-]?" ends here */
    uint64_t x = t | ((p | rp) & sh(t, h->t, 1)) | (p & sh(rp, h->rp, 1) & sh(t, h->t, 2));
    out[RUN_PHONE] = q & sh(p, h->p, 4) & sh(t, h->t, 5) & sh(x, h->x, 8);
    if (pl | h->pl) {
        uint64_t c7 = c & sh(c, h->c, 1) & sh(c, h->c, 2) & sh(c, h->c, 3) & sh(c, h->c, 4) & sh(c, h->c, 5) &
                      sh(c, h->c, 6);
        out[RUN_PHONE] |= c7 & sh(n, h->n, 7) & sh(pl, h->pl, 8);
    }

    /* IBAN: [A-Z]{2}[0-9]{2} ?[A-Z0-9]{4} ?[A-Z0-9]{4}; pi: "[A-Z]{2}[0-9]{2}"
     * ends here, y: that and the first group of four */
    uint64_t pi = 0, y = 0;
    out[RUN_IBAN] = 0;
    if (iban) {
        pi = d & sh(d, h->d, 1) & sh(u, h->u, 2) & sh(u, h->u, 3);
        if (pi | h->pi | h->y) {
            uint64_t a4 = a & sh(a, h->a, 1) & sh(a, h->a, 2) & sh(a, h->a, 3);
            y = a4 & (sh(pi, h->pi, 4) | (sh(sp, h->sp, 4) & sh(pi, h->pi, 5)));
            out[RUN_IBAN] = a4 & (sh(y, h->y, 4) | (sh(sp, h->sp, 4) & sh(y, h->y, 5)));
        }
    }

    *h = (history){.d = d, .u = u, .a = a, .s = s, .p = p, .da = da, .sp = sp, .rp = rp, .c = c, .n = n,
                   .pl = pl, .q = q, .t = t, .g2 = g2, .x = x, .pi = pi, .y = y};
}

_Static_assert(RUN_KINDS == 5, "report() looks at every block kind; RUN_EMAIL is not one");

/* Blocks classified at a time: 4 KiB of input, 2.3 KB of masks. */
#define CHUNK_BLOCKS 64

static int report(const uint64_t out[RUN_KINDS], unsigned want, size_t at, runs_fn cb, void *ctx)
{
    if (!(out[RUN_CARD] | out[RUN_IBAN] | out[RUN_SSN] | out[RUN_PHONE]))
        return 0; /* most blocks */
    for (unsigned k = 0; k < RUN_EMAIL; k++) {
        uint64_t bits = (want & (1u << k)) ? out[k] : 0;
        while (bits) {
            unsigned j = (unsigned)__builtin_ctzll(bits);
            bits &= bits - 1;
            if (cb((run_kind)k, at + j + 1, ctx))
                return 1;
        }
    }
    return 0;
}

static bool email_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

/* @[A-Za-z0-9-]{1,63}\. : '.' is not in the class, so the only end an '@'
 * can have is just past the first byte after its run of class bytes. */
static int emails(const char *data, size_t n, runs_fn cb, void *ctx)
{
    const char *end = data + n;
    for (const char *at = memchr(data, '@', n); at; at = memchr(at + 1, '@', (size_t)(end - at - 1))) {
        const char *p = at + 1;
        while (p < end && p - at <= 63 && email_char((unsigned char)*p))
            p++;
        if (p - at >= 2 && p < end && *p == '.' && cb(RUN_EMAIL, (uint64_t)(p + 1 - data), ctx))
            return 1;
    }
    return 0;
}

int runs_scan_isa(const char *data, size_t n, unsigned want, runs_fn cb, void *ctx, runs_isa isa)
{
    classify_fn classify = classify_for(isa);
    if (!classify)
        return -1;
    want &= (1u << RUN_KINDS) - 1;
    if (!want || n == 0)
        return 0;
    if ((want & (1u << RUN_EMAIL)) && emails(data, n, cb, ctx))
        return 1;
    want &= ~(1u << RUN_EMAIL);
    if (!want)
        return 0;
    const unsigned char *bytes = (const unsigned char *)data;
    bool iban = want & (1u << RUN_IBAN);
    history h = {0};
    classes cls[CHUNK_BLOCKS];
    uint64_t out[RUN_KINDS];
    size_t full = n / 64;
    for (size_t b0 = 0; b0 < full; b0 += CHUNK_BLOCKS) {
        size_t nb = full - b0 < CHUNK_BLOCKS ? full - b0 : CHUNK_BLOCKS;
        classify(bytes + 64 * b0, nb, cls);
        for (size_t i = 0; i < nb; i++) {
            step(&cls[i], &h, iban, out);
            if (report(out, want, 64 * (b0 + i), cb, ctx))
                return 1;
        }
    }
    if (n % 64) {
        /* NUL is in no class: the padding ends nothing */
        unsigned char tail[64] = {0};
        memcpy(tail, bytes + 64 * full, n % 64);
        classify(tail, 1, cls);
        step(&cls[0], &h, iban, out);
        if (report(out, want, 64 * full, cb, ctx))
            return 1;
    }
    return 0;
}

int runs_scan(const char *data, size_t n, unsigned want, runs_fn cb, void *ctx)
{
    return runs_scan_isa(data, n, want, cb, ctx, RUNS_BEST);
}
