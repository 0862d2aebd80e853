/*
 * test_detect_runs.c — the hand-written triggers of src/detect/runs.c
 * (card, IBAN, SSN, phone, email) against their definition: for every
 * input, every kind and every byte classification this CPU runs (scalar,
 * SSE2, AVX2, AVX-512), runs.c must report exactly the ends at which the
 * trigger (as written in src/detect/table.c) matches, as PCRE2 finds them
 * — Vectorscan 5.4.9 is not the reference: its AVX-512 code drops some
 * ends of the SSN and email triggers depending on the buffer's address
 * (detect_internal.h, test_detect_vectorscan.c).
 * Inputs: hand-picked edge cases, thousands of random strings over the
 * triggers' alphabets (lengths around the 64-byte blocks and 4 KiB
 * chunks), the redaction fixture. Then the engine: block mode (runs.c) and
 * stream mode (Vectorscan) report the same matches on ordinary text.
 */
#include "detect/detect_internal.h"
#include "slsec/detect.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

typedef struct ends {
    uint64_t *v;
    size_t n, cap;
} ends;

static void push(ends *e, uint64_t end)
{
    if (e->n == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 64;
        e->v = realloc(e->v, e->cap * sizeof *e->v);
        assert_non_null(e->v);
    }
    e->v[e->n++] = end;
}

typedef struct by_kind {
    ends k[RUN_KINDS];
    uint64_t last[RUN_KINDS];
    bool out_of_order;
} by_kind;

static int on_run(run_kind k, uint64_t end, void *ctx)
{
    by_kind *b = ctx;
    if (b->k[k].n && end <= b->last[k])
        b->out_of_order = true;
    b->last[k] = end;
    push(&b->k[k], end);
    return 0;
}

/* Each trigger anchored at the end of the subject: "does a match end here?" */
static pcre2_code *refs[RUN_KINDS];
static pcre2_match_data *md;

static void compile_triggers(void)
{
    for (unsigned k = 0; k < RUN_KINDS; k++) {
        if (refs[k])
            continue;
        char pat[256];
        snprintf(pat, sizeof pat, "(?:%s)\\z", runs_trigger((run_kind)k));
        int e;
        PCRE2_SIZE at;
        refs[k] = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &e, &at, NULL);
        assert_non_null(refs[k]);
        pcre2_jit_compile(refs[k], PCRE2_JIT_COMPLETE);
    }
    if (!md)
        md = pcre2_match_data_create(4, NULL);
    assert_non_null(md);
}

static void free_triggers(void)
{
    for (unsigned k = 0; k < RUN_KINDS; k++) {
        pcre2_code_free(refs[k]);
        refs[k] = NULL;
    }
    pcre2_match_data_free(md);
    md = NULL;
}

/* Every end of trigger k in data[0, n): no trigger is longer than 80 bytes. */
static void reference_ends(unsigned k, const char *data, size_t n, ends *out)
{
    for (size_t e = 1; e <= n; e++) {
        size_t lo = e > 80 ? e - 80 : 0;
        if (pcre2_match(refs[k], (PCRE2_SPTR)(data + lo), e - lo, 0, 0, md, NULL) >= 0)
            push(out, e);
    }
}

static const char *const isa_names[] = {"best", "scalar", "sse2", "avx2", "avx512"};

/* runs.c on data[0, n) (an exact-size copy, so an over-read is caught
 * under ASan) against the reference, every kind and classification. */
static void check(const char *data, size_t n, const char *what)
{
    char *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    if (n)
        memcpy(copy, data, n);
    ends want[RUN_KINDS] = {{0}};
    for (unsigned k = 0; k < RUN_KINDS; k++)
        reference_ends(k, copy, n, &want[k]);
    for (runs_isa isa = RUNS_BEST; isa <= RUNS_AVX512; isa++) {
        by_kind got = {0};
        int rc = runs_scan_isa(copy, n, (1u << RUN_KINDS) - 1, on_run, &got, isa);
        if (rc == -1) /* this CPU has not got it */
            continue;
        assert_int_equal(rc, 0);
        if (got.out_of_order)
            fail_msg("%s (%s): ends out of order", what, isa_names[isa]);
        for (unsigned k = 0; k < RUN_KINDS; k++) {
            bool same = got.k[k].n == want[k].n &&
                        (want[k].n == 0 || memcmp(got.k[k].v, want[k].v, want[k].n * sizeof *want[k].v) == 0);
            if (!same)
                fail_msg("%s (%s), %s: runs.c found %zu ends, the reference %zu", what, isa_names[isa],
                         runs_id((run_kind)k), got.k[k].n, want[k].n);
            free(got.k[k].v);
        }
    }
    for (unsigned k = 0; k < RUN_KINDS; k++)
        free(want[k].v);
    free(copy);
}

/* The engine uses runs.c for a detector only while the table's trigger is
 * the one runs.c implements: a changed trigger must change runs.c too. */
static void test_triggers_match_table(void **state)
{
    (void)state;
    for (unsigned k = 0; k < RUN_KINDS; k++) {
        const slsec_detector *d = slsec_detector_find(runs_id((run_kind)k));
        assert_non_null(d);
        assert_string_equal(d->trigger, runs_trigger((run_kind)k));
        assert_false(d->caseless);
    }
}

static void test_edge_cases(void **state)
{
    (void)state;
    compile_triggers();
    static const char *const cases[] = {
        "",
        "4",
        "4111111111111111",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "4111 -1111 1111",
        "41111111 1111",
        "1111 11111111",
        "123456789012345678901234567890123456789012345678901234567890123456789",
        "078-05-1120 and 078-051120 and 78-05-1120",
        "+1 415 555 2671, +44 20 7946 0958, +0 123 4567, +14155552671",
        "(415) 555-2671 415.555.2671 415)555-2671 415) 555 2671 415 555-2671",
        "+1(415)5552671 +1 (415) 555-2671 +9......",
        "DE89 3704 0044 0532 0130 00 GB82WEST12345698765432 AB12 XXXX YYYY AB12XXXXYYYY",
        "a@b.c @.x @-a. @@a. user@example.com x@",
        "@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b",  /* 63: an end */
        "@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b", /* 64: none */
        "a@example.,.....................................................................u@example.com",
        "0000000000s 000078-05-112000000000\n", /* Vectorscan misses this SSN end at some addresses */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check(cases[i], strlen(cases[i]), cases[i]);
    /* a match across every offset of a block boundary */
    static const char each[] = "4111 1111 1111 1111 +1 (415) 555-2671 078-05-1120 GB82 WEST 1234 5698 7654 32 a@b.c";
    char buf[256];
    for (size_t at = 40; at < 80; at++) {
        memset(buf, 'x', sizeof buf);
        memcpy(buf + at, each, sizeof each - 1);
        check(buf, at + sizeof each - 1, "one of each across a block boundary");
        check(buf, sizeof buf, "one of each across a block boundary, padded");
    }
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static unsigned next(unsigned bound)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % bound);
}

static void test_random(void **state)
{
    (void)state;
    compile_triggers();
    static const char *const alphabets[] = {
        "0123456789", "0123456789 -", "0123456789 -.()+", "0123456789 -.()+\n\tx", "0123456789ABXZ ",
        "0123456789aZ@.- ", "@.-aZ09",
    };
    char buf[9000];
    for (unsigned round = 0; round < 2000; round++) {
        const char *al = alphabets[next(sizeof alphabets / sizeof alphabets[0])];
        size_t len = round < 1960 ? next(300) : 4000 + next(5000), m = strlen(al);
        for (size_t i = 0; i < len; i++)
            buf[i] = al[next((unsigned)m)];
        char what[64];
        snprintf(what, sizeof what, "random string %u", round);
        check(buf, len, what);
    }
}

static void test_fixture(void **state)
{
    (void)state;
    compile_triggers();
    char *data;
    size_t n;
    slsec_diag d;
    assert_int_equal(slsec_read_file(SLSEC_SOURCE_DIR "/tests/fixtures/logs/redact/lambda-node.log", 1u << 24,
                                     &data, &n, &d),
                     SLSEC_OK);
    check(data, n, "lambda-node.log");
    free(data);
    free_triggers();
}

#define MAX_FOUND 256

typedef struct found {
    char line[MAX_FOUND][48];
    size_t n;
} found;

static int collect(const slsec_match *m, void *user)
{
    found *f = user;
    if (f->n < MAX_FOUND)
        snprintf(f->line[f->n++], sizeof f->line[0], "%s %llu %zu", m->det->id, (unsigned long long)m->offset,
                 m->length);
    return 0;
}

static int by_string(const void *a, const void *b) { return strcmp(a, b); }

/* Block mode (triggers from runs.c) and stream mode (from Vectorscan) find
 * the same matches in text full of personal data (separated values, where
 * Vectorscan has not been seen to drop an end). */
static void test_block_equals_stream(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        "4111 1111 1111 1111", "5500-0000-0000-0004", "378282246310005", "078-05-1120", "+44 20 7946 0958",
        "(415) 555-2671",      "GB82 WEST 1234 5698 7654 32", "DE89370400440532013000", "jane@mail.example",
        "x",                   "-",    "1234", "99",
    };
    char text[2048];
    for (unsigned round = 0; round < 200; round++) {
        size_t n = 0;
        while (n < 700) {
            const char *p = pieces[next(sizeof pieces / sizeof pieces[0])];
            memcpy(text + n, p, strlen(p));
            n += strlen(p);
            text[n++] = " \n"[next(2)];
        }
        static found block, stream;
        block.n = stream.n = 0;
        assert_int_equal(slsec_detect_buffer(text, n, SLSEC_DETECT_PERSONAL, collect, &block), SLSEC_OK);
        slsec_detect_stream *s = slsec_detect_stream_new(SLSEC_DETECT_PERSONAL, collect, &stream);
        assert_non_null(s);
        size_t cut = next((unsigned)n);
        assert_int_equal(slsec_detect_stream_feed(s, text, cut), SLSEC_OK);
        assert_int_equal(slsec_detect_stream_feed(s, text + cut, n - cut), SLSEC_OK);
        assert_int_equal(slsec_detect_stream_finish(s), SLSEC_OK);
        slsec_detect_stream_free(s);
        assert_true(block.n < MAX_FOUND);
        assert_int_equal(block.n, stream.n);
        qsort(block.line, block.n, sizeof block.line[0], by_string);
        qsort(stream.line, stream.n, sizeof stream.line[0], by_string);
        for (size_t i = 0; i < block.n; i++)
            assert_string_equal(block.line[i], stream.line[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_triggers_match_table),
        cmocka_unit_test(test_edge_cases),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_fixture),
        cmocka_unit_test(test_block_equals_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
