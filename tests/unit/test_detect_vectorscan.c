/*
 * test_detect_vectorscan.c — the Vectorscan code the engine runs and the
 * platform its databases are compiled for (src/detect/vectorscan.c).
 *
 * Vectorscan 5.4.9's AVX-512 code dropped the SSN trigger's end in
 * tests/fuzz/corpus/detect_runs/ssn-address.bin and an email trigger's in
 * email.txt, at some addresses of the buffer only. The code the engine
 * runs must find every end of those triggers (alone, and the email one
 * next to the generic secret trigger, as it was found), at every address
 * modulo 64, in block and stream mode; the reference is PCRE2. Then the
 * platforms: the databases prebuilt at build time are for AVX2, which the
 * AVX2 code accepts; a database compiled for AVX-512 is refused by it (as
 * on a CPU without AVX-512), and the engine compiles its own instead.
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

#define CORPUS SLSEC_SOURCE_DIR "/tests/fuzz/corpus/detect_runs"
#define ALIGNMENTS 64
#define MAX_ENDS 16

typedef struct ends {
    unsigned long long v[MAX_ENDS];
    size_t n;
} ends;

static int on_end(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx)
{
    (void)from, (void)flags;
    ends *e = ctx;
    if (id == 0 && e->n < MAX_ENDS) /* pattern 0 is the one checked; 1 is company */
        e->v[e->n++] = to;
    return 0;
}

/* Every end of `trigger` in data[0, n), as PCRE2 finds them. */
static ends reference(const char *trigger, const char *data, size_t n)
{
    char anchored[256];
    snprintf(anchored, sizeof anchored, "(?:%s)\\z", trigger);
    int err;
    PCRE2_SIZE at;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)anchored, PCRE2_ZERO_TERMINATED, PCRE2_DOTALL, &err, &at, NULL);
    assert_non_null(re);
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    assert_non_null(md);
    ends e = {0};
    for (size_t end = 1; end <= n; end++)
        if (pcre2_match(re, (PCRE2_SPTR)data, end, 0, 0, md, NULL) >= 0 && e.n < MAX_ENDS)
            e.v[e.n++] = end;
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return e;
}

static bool same(const ends *a, const ends *b)
{
    return a->n == b->n && memcmp(a->v, b->v, a->n * sizeof a->v[0]) == 0;
}

static hs_database_t *compile(const char *const *patterns, unsigned count, unsigned mode, const vs_code *code)
{
    unsigned flags[2] = {HS_FLAG_DOTALL, HS_FLAG_DOTALL | HS_FLAG_CASELESS}, ids[2] = {0, 1};
    hs_database_t *db = NULL;
    hs_compile_error_t *ce = NULL;
    if (hs_compile_multi(patterns, flags, ids, count, mode, code->platform, &db, &ce) != HS_SUCCESS)
        fail_msg("%s: %s", patterns[0], ce ? ce->message : "?");
    return db;
}

/* How many of the 64 placements of data[0, n) give other ends than want,
 * through `code`, in block mode (stream = false) or as one stream piece. */
static int wrong_placements(const vs_code *code, const char *const *patterns, unsigned count, bool stream,
                            const char *data, size_t n, const ends *want)
{
    hs_database_t *db = compile(patterns, count, stream ? HS_MODE_STREAM : HS_MODE_BLOCK, code);
    hs_scratch_t *scratch = NULL;
    assert_int_equal(hs_alloc_scratch(db, &scratch), HS_SUCCESS);
    char *mem = aligned_alloc(ALIGNMENTS, (n + 2 * ALIGNMENTS) / ALIGNMENTS * ALIGNMENTS);
    assert_non_null(mem);
    int wrong = 0;
    for (unsigned a = 0; a < ALIGNMENTS; a++) {
        memcpy(mem + a, data, n);
        ends got = {0};
        if (stream) {
            hs_stream_t *st = NULL;
            assert_int_equal(code->open_stream(db, 0, &st), HS_SUCCESS);
            assert_int_equal(code->scan_stream(st, mem + a, (unsigned)n, 0, scratch, on_end, &got), HS_SUCCESS);
            assert_int_equal(code->close_stream(st, scratch, on_end, &got), HS_SUCCESS);
        } else {
            assert_int_equal(code->scan(db, mem + a, (unsigned)n, 0, scratch, on_end, &got), HS_SUCCESS);
        }
        wrong += !same(&got, want);
    }
    free(mem);
    hs_free_scratch(scratch);
    hs_free_database(db);
    return wrong;
}

/* The table's trigger of detector `id`. */
static const char *trigger_of(const char *id)
{
    const slsec_detector *d = slsec_detector_find(id);
    assert_non_null(d);
    return d->trigger;
}

static void test_running_code_finds_every_end(void **state)
{
    (void)state;
    const char *ssn = trigger_of("PII-004"), *email = trigger_of("PII-002"), *generic = trigger_of("SECRET-041");
    const struct {
        const char *file;
        const char *patterns[2];
        unsigned count;
    } cases[] = {
        {"ssn-address.bin", {ssn}, 1},
        {"email.txt", {email}, 1},
        {"email.txt", {email, generic}, 2},
    };
    const vs_code *code = vs_code_running();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", CORPUS, cases[i].file);
        size_t n;
        char *data;
        slsec_diag d;
        assert_int_equal(slsec_read_file(path, 1u << 20, &data, &n, &d), SLSEC_OK);
        ends want = reference(cases[i].patterns[0], data, n);
        assert_true(want.n >= 1);
        for (int stream = 0; stream < 2; stream++) {
            int wrong = wrong_placements(code, cases[i].patterns, cases[i].count, stream, data, n, &want);
            if (wrong)
                fail_msg("%s, %s%s, %s mode, %s: other ends than PCRE2's at %d of %d alignments", cases[i].file,
                         cases[i].patterns[0], cases[i].count > 1 ? " (with the generic trigger)" : "",
                         stream ? "stream" : "block", code->name, wrong, ALIGNMENTS);
        }
        free(data);
    }
}

/* The AVX2 code wherever the library has it and the CPU runs it; the
 * engine reports the code it runs. */
static void test_code_choice(void **state)
{
    (void)state;
    const vs_code *avx2 = vs_code_prebuilt();
    hs_platform_info_t cpu;
    assert_int_equal(hs_populate_platform(&cpu), HS_SUCCESS);
    bool possible = avx2->scan && avx2->deserialize && (cpu.cpu_features & HS_CPU_FEATURES_AVX2);
    assert_true((vs_code_running() == avx2) == possible);
    assert_string_equal(slsec_detect_vectorscan_code(), vs_code_running()->name);
    assert_non_null(avx2->platform);
    assert_true(avx2->platform->cpu_features == HS_CPU_FEATURES_AVX2);
}

static void assert_features(const char *bytes, size_t len, const char *features)
{
    char *info = NULL;
    assert_int_equal(hs_serialized_database_info(bytes, len, &info), HS_SUCCESS);
    if (!strstr(info, features))
        fail_msg("database info \"%s\" has not \"%s\"", info, features);
    free(info);
}

static void test_platforms(void **state)
{
    (void)state;
    const vs_code *avx2 = vs_code_prebuilt();
    /* what the build embeds is for AVX2 whatever this machine */
    char *bytes = NULL;
    size_t len = 0;
    uint64_t hash = 0;
    slsec_diag d;
    assert_int_equal(slsec_detect_serialize(NULL, &bytes, &len, &hash, &d), SLSEC_OK);
    assert_features(bytes, len, "Features: AVX2 ");
    if (avx2->deserialize) {
        hs_database_t *db = NULL;
        assert_int_equal(avx2->deserialize(bytes, len, &db), HS_SUCCESS);
        hs_free_database(db);
        /* a database compiled for AVX-512 (the build machine's own, as
         * before) is refused by the AVX2 code, as on a CPU without AVX-512 */
        hs_platform_info_t avx512 = {.tune = HS_TUNE_FAMILY_GENERIC,
                                     .cpu_features = HS_CPU_FEATURES_AVX2 | HS_CPU_FEATURES_AVX512};
        const char *trigger = trigger_of("PII-004");
        unsigned flags = HS_FLAG_DOTALL, id = 0;
        hs_compile_error_t *ce = NULL;
        assert_int_equal(hs_compile_multi(&trigger, &flags, &id, 1, HS_MODE_BLOCK, &avx512, &db, &ce), HS_SUCCESS);
        char *wide = NULL;
        size_t wide_len = 0;
        assert_int_equal(hs_serialize_database(db, &wide, &wide_len), HS_SUCCESS);
        hs_free_database(db);
        assert_features(wide, wide_len, "AVX512");
        db = NULL;
        assert_int_equal(avx2->deserialize(wide, wide_len, &db), HS_DB_PLATFORM_ERROR);
        assert_null(db);
        free(wide);
    }
    free(bytes);
    /* these tests do not link the prebuilt databases: the engine compiles,
     * for the platform of the code it runs, and scans with it */
    assert_int_equal(slsec_detect_init(NULL), SLSEC_OK);
    assert_string_equal(slsec_detect_db_origin(), "compiled at start-up");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_running_code_finds_every_end),
        cmocka_unit_test(test_code_choice),
        cmocka_unit_test(test_platforms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
