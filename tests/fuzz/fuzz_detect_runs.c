/*
 * fuzz_detect_runs.c — libFuzzer target for src/detect/runs.c, the
 * hand-written triggers (card, IBAN, SSN, phone, email): for each input,
 * the ends runs.c reports with every byte classification this CPU runs
 * must be exactly the ends at which the trigger (as written in the table)
 * matches, as PCRE2 finds them, in increasing order per kind. (Not
 * Vectorscan: 5.4.9's AVX-512 code drops some ends depending on the
 * buffer's address; this target found the first.)
 */
#include "detect/detect_internal.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ENDS 65536

typedef struct ends {
    uint64_t v[RUN_KINDS][MAX_ENDS];
    size_t n[RUN_KINDS];
    bool bad;
} ends;

static ends want, got;
static pcre2_code *refs[RUN_KINDS];
static pcre2_match_data *md;

static int on_run(run_kind k, uint64_t end, void *ctx)
{
    (void)ctx;
    if (got.n[k] && end <= got.v[k][got.n[k] - 1])
        got.bad = true;
    if (got.n[k] < MAX_ENDS)
        got.v[k][got.n[k]++] = end;
    return 0;
}

/* The bytes a match of each trigger can end with (its last element): only
 * there is the reference asked, which keeps long inputs fast. */
static bool can_end(unsigned k, uint8_t c)
{
    bool digit = c >= '0' && c <= '9';
    switch (k) {
    case RUN_CARD:
    case RUN_SSN:
        return digit;
    case RUN_IBAN:
        return digit || (c >= 'A' && c <= 'Z');
    case RUN_PHONE:
        return digit || (c && strchr(" ().-", c));
    default:
        return c == '.';
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!md) {
        for (unsigned k = 0; k < RUN_KINDS; k++) {
            char pat[256];
            snprintf(pat, sizeof pat, "(?:%s)\\z", runs_trigger((run_kind)k));
            int e;
            PCRE2_SIZE at;
            if (!(refs[k] = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &e, &at, NULL)))
                abort();
            pcre2_jit_compile(refs[k], PCRE2_JIT_COMPLETE);
        }
        if (!(md = pcre2_match_data_create(4, NULL)))
            abort();
    }
    memset(want.n, 0, sizeof want.n);
    for (unsigned k = 0; k < RUN_KINDS; k++)
        for (size_t e = 1; e <= size; e++) {
            size_t lo = e > 80 ? e - 80 : 0; /* no trigger is longer */
            if (can_end(k, data[e - 1]) && want.n[k] < MAX_ENDS &&
                pcre2_match(refs[k], data + lo, e - lo, 0, 0, md, NULL) >= 0)
                want.v[k][want.n[k]++] = e;
        }
    for (runs_isa isa = RUNS_BEST; isa <= RUNS_AVX512; isa++) {
        memset(got.n, 0, sizeof got.n);
        got.bad = false;
        int rc = runs_scan_isa((const char *)data, size, (1u << RUN_KINDS) - 1, on_run, NULL, isa);
        if (rc == -1) /* not on this CPU */
            continue;
        if (rc != 0 || got.bad)
            abort();
        for (unsigned k = 0; k < RUN_KINDS; k++)
            if (got.n[k] != want.n[k] || memcmp(got.v[k], want.v[k], want.n[k] * sizeof want.v[k][0]) != 0)
                abort();
    }
    return 0;
}
