/*
 * test_detect.c — the detector engine (src/detect) against the accuracy
 * fixtures in tests/fixtures/secrets/: every positive found with the right
 * detector and line, nothing reported in a negative file. Each fixture is
 * scanned again as a stream cut at every offset around each secret, and in
 * 7-byte pieces, and must give exactly the block-mode matches.
 *
 * Where the bytes sit in memory must not matter either: Vectorscan reads
 * its input in SIMD blocks of up to 64 bytes, and 5.4.9's AVX-512 code
 * skipped part of the last block (docs/secrets.md, "Engine notes"). So
 * each fixture is scanned at every address modulo 64, in block mode and
 * as one stream piece; each prefix that ends around a secret (where a
 * read or a log batch may end) where it ends on a block boundary and 32
 * bytes into one; the stream cuts likewise. The secret detectors do it on
 * the secret fixtures, the two detector sets of `logs redact` on those,
 * the redaction fixture and the detector fuzz seeds; every placement must
 * give the same matches.
 */
#include "slsec/detect.h"
#include "slsec/logs.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define FIX SLSEC_SOURCE_DIR "/tests/fixtures/secrets"
#define MAXM 64
#define ALIGNMENTS 64 /* the widest SIMD block Vectorscan reads, in bytes */

static int failures;
#define FAILED(...) (print_error(__VA_ARGS__), print_error("\n"), failures++)

typedef struct hits {
    size_t n;
    const char *id[MAXM];
    uint64_t off[MAXM];
    size_t len[MAXM];
} hits;

static int collect(const slsec_match *m, void *user)
{
    hits *h = user;
    if (h->n < MAXM) {
        h->id[h->n] = m->det->id;
        h->off[h->n] = m->offset;
        h->len[h->n] = m->length;
        h->n++;
    }
    return 0;
}

/* Stream results may come in another order across detectors. */
static bool same_hits(const hits *a, const hits *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++) {
        bool found = false;
        for (size_t k = 0; k < b->n && !found; k++)
            found = a->off[i] == b->off[k] && a->len[i] == b->len[k] && strcmp(a->id[i], b->id[k]) == 0;
        if (!found)
            return false;
    }
    return true;
}

/* data[0, len) copied `align` bytes past a 64-byte boundary of mem (room
 * for len + ALIGNMENTS bytes): the same bytes at another address. */
static const char *placed(char *mem, const char *data, size_t len, unsigned align)
{
    memcpy(mem + align, data, len);
    return mem + align;
}

static char *block_memory(size_t len)
{
    char *mem = aligned_alloc(ALIGNMENTS, (len + 2 * ALIGNMENTS) / ALIGNMENTS * ALIGNMENTS);
    assert_non_null(mem);
    return mem;
}

/* The matches of a stream fed data cut at cuts[], each piece copied to
 * `align` bytes past a 64-byte boundary before it is fed. */
static hits streamed(unsigned classes, const char *data, size_t len, const size_t *cuts, size_t ncuts,
                     unsigned align)
{
    hits h = {0};
    slsec_detect_stream *s = slsec_detect_stream_new(classes, collect, &h);
    assert_non_null(s);
    char *mem = block_memory(len);
    size_t at = 0;
    for (size_t i = 0; i <= ncuts; i++) {
        size_t to = i < ncuts ? cuts[i] : len;
        assert_int_equal(slsec_detect_stream_feed(s, placed(mem, data + at, to - at, align), to - at), SLSEC_OK);
        at = to;
    }
    assert_int_equal(slsec_detect_stream_finish(s), SLSEC_OK);
    slsec_detect_stream_free(s);
    free(mem);
    return h;
}

static hits scanned(slsec_detect_scanner *sc, const char *data, size_t len)
{
    hits h = {0};
    assert_int_equal(slsec_detect_scanner_scan(sc, data, len, collect, &h), SLSEC_OK);
    return h;
}

/* data[0, len) placed at each of `aligns` gives what it gives where it is. */
static void check_block_alignments(slsec_detect_scanner *sc, const char *what, const char *data, size_t len,
                                   const unsigned *aligns, size_t naligns, char *mem)
{
    hits want = scanned(sc, data, len);
    for (size_t i = 0; i < naligns; i++) {
        hits got = scanned(sc, placed(mem, data, len, aligns[i]), len);
        if (!same_hits(&want, &got) && failures < 200)
            FAILED("%s, %zu bytes at alignment %u: %zu matches, %zu at the buffer's own address", what, len,
                   aligns[i], got.n, want.n);
    }
}

/* In block mode: the whole of data at every alignment, and each prefix
 * that ends from 64 bytes before a match to 32 after it (a SIMD block
 * back from the end, where 5.4.9's AVX-512 code looked away), as is and
 * after a blank block (the search for a trigger's byte then starts a
 * block or more before the match, as in the inputs that exposed the
 * defect), placed to end at a block boundary and 32 bytes into a block
 * (where that code's blind spot was widest). When `classes` is given,
 * the whole as one stream piece at every alignment too (a scanner of a
 * detector subset has no stream). */
static void check_alignments(slsec_detect_scanner *sc, unsigned classes, const char *what, const char *data,
                             size_t len)
{
    char *led = malloc(ALIGNMENTS + len);
    assert_non_null(led);
    memset(led, ' ', ALIGNMENTS);
    memcpy(led + ALIGNMENTS, data, len);
    char *mem = block_memory(ALIGNMENTS + len);
    char *tried = calloc(len + 1, 1);
    assert_non_null(tried);
    unsigned every[ALIGNMENTS];
    for (unsigned a = 0; a < ALIGNMENTS; a++)
        every[a] = a;
    hits all = scanned(sc, data, len);
    check_block_alignments(sc, what, data, len, every, ALIGNMENTS, mem);
    for (size_t i = 0; i < all.n; i++) {
        size_t from = all.off[i] > 64 ? (size_t)all.off[i] - 64 : 1, to = (size_t)all.off[i] + all.len[i] + 32;
        for (size_t end = from; end <= to && end < len; end++)
            if (!tried[end]) {
                tried[end] = 1;
                for (size_t lead = 0; lead <= ALIGNMENTS; lead += ALIGNMENTS) {
                    size_t n = lead + end;
                    unsigned ends_at[2] = {(unsigned)(ALIGNMENTS - n % ALIGNMENTS) % ALIGNMENTS,
                                           (unsigned)(ALIGNMENTS + 32 - n % ALIGNMENTS) % ALIGNMENTS};
                    check_block_alignments(sc, what, lead ? led : data, n, ends_at, 2, mem);
                }
            }
    }
    for (unsigned a = 0; classes && a < ALIGNMENTS; a++) {
        hits got = streamed(classes, data, len, NULL, 0, a);
        if (!same_hits(&all, &got) && failures < 200)
            FAILED("%s: one stream piece at alignment %u found %zu matches, block mode %zu", what, a, got.n, all.n);
    }
    free(tried);
    free(mem);
    free(led);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static int line_of(const char *data, uint64_t off)
{
    int line = 1;
    for (uint64_t i = 0; i < off; i++)
        line += data[i] == '\n';
    return line;
}

static void check_file(slsec_detect_scanner *sc, const char *dir, const char *name, const char *expected,
                       size_t *positives)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/%s", FIX, dir, name);
    size_t len;
    char *data = slurp(path, &len);
    hits h = {0};
    assert_int_equal(slsec_detect_buffer(data, len, SLSEC_DETECT_SECRET, collect, &h), SLSEC_OK);

    /* every reported match is expected, and every expected one reported */
    size_t want = 0;
    char line[256];
    const char *p = expected;
    while (*p) {
        size_t n = strcspn(p, "\n");
        snprintf(line, sizeof line, "%.*s", (int)n, p);
        p += n + (p[n] == '\n');
        char file[128], id[32];
        int ln;
        if (sscanf(line, "%127s %d %31s", file, &ln, id) != 3 || strcmp(file, name) != 0)
            continue;
        want++;
        bool found = false;
        for (size_t i = 0; i < h.n; i++)
            found |= strcmp(h.id[i], id) == 0 && line_of(data, h.off[i]) == ln;
        if (!found)
            FAILED("%s/%s: expected %s on line %d, not found", dir, name, id, ln);
    }
    for (size_t i = 0; i < h.n; i++) {
        char key[200];
        snprintf(key, sizeof key, "%s %d %s", name, line_of(data, h.off[i]), h.id[i]);
        if (!strstr(expected, key))
            FAILED("%s/%s: unexpected %s at line %d", dir, name, h.id[i], line_of(data, h.off[i]));
    }
    *positives += want;

    /* the same through a stream, cut at every offset near each secret; the
     * pieces at a 64-byte boundary, then placed so that the first ends 32
     * bytes into a block, where the SIMD search's blind spot was widest */
    for (size_t i = 0; i < h.n; i++) {
        uint64_t from = h.off[i] > 8 ? h.off[i] - 8 : 0, to = h.off[i] + h.len[i] + 8;
        for (uint64_t cut = from; cut <= to && cut <= len; cut++) {
            size_t c = (size_t)cut;
            unsigned aligns[2] = {0, (unsigned)(32 - c % ALIGNMENTS) % ALIGNMENTS};
            for (int k = 0; k < 2; k++) {
                hits s = streamed(SLSEC_DETECT_SECRET, data, len, &c, 1, aligns[k]);
                if (!same_hits(&h, &s) && failures < 200)
                    FAILED("%s/%s: stream cut at %zu (alignment %u) found %zu matches, block mode %zu", dir, name, c,
                           aligns[k], s.n, h.n);
            }
        }
    }
    size_t cuts[4096], nc = 0;
    for (size_t c = 7; c < len && nc < 4096; c += 7)
        cuts[nc++] = c;
    hits s = streamed(SLSEC_DETECT_SECRET, data, len, cuts, nc, 0);
    if (!same_hits(&h, &s))
        FAILED("%s/%s: 7-byte pieces found %zu matches, block mode %zu", dir, name, s.n, h.n);
    char label[300];
    snprintf(label, sizeof label, "%s/%s", dir, name);
    check_alignments(sc, SLSEC_DETECT_SECRET, label, data, len);
    free(data);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void test_fixtures(void **state)
{
    (void)state;
    DIR *top = opendir(FIX);
    assert_non_null(top);
    char *dirs[128];
    size_t nd = 0;
    struct dirent *de;
    while ((de = readdir(top)) && nd < 128)
        if (strncmp(de->d_name, "SECRET-", 7) == 0)
            dirs[nd++] = strdup(de->d_name);
    closedir(top);
    qsort(dirs, nd, sizeof *dirs, by_name);
    size_t detectors = 0;
    slsec_detect_scanner *sc = slsec_detect_scanner_new(SLSEC_DETECT_SECRET);
    assert_non_null(sc);
    for (size_t i = 0; i < nd; i++) {
        const slsec_detector *d = slsec_detector_find(dirs[i]);
        if (!d)
            fail_msg("fixture folder %s names no detector", dirs[i]);
        char path[1024];
        snprintf(path, sizeof path, "%s/%s/expected", FIX, dirs[i]);
        size_t elen;
        char *expected = slurp(path, &elen);
        DIR *dir;
        snprintf(path, sizeof path, "%s/%s", FIX, dirs[i]);
        assert_non_null(dir = opendir(path));
        size_t positives = 0, negatives = 0;
        while ((de = readdir(dir))) {
            if (de->d_name[0] == '.' || strcmp(de->d_name, "expected") == 0)
                continue;
            negatives += strncmp(de->d_name, "negative", 8) == 0;
            check_file(sc, dirs[i], de->d_name, expected, &positives);
        }
        closedir(dir);
        if (positives < 2 || negatives < 1)
            FAILED("%s: %zu positives, %zu negative files; want 2 and 1", dirs[i], positives, negatives);
        detectors++;
        free(expected);
        free(dirs[i]);
    }
    slsec_detect_scanner_free(sc);
    /* every secret detector has fixtures */
    size_t n, secrets = 0;
    const slsec_detector *all = slsec_detectors(&n);
    for (size_t i = 0; i < n; i++)
        secrets += all[i].cls == SLSEC_DETECT_SECRET;
    assert_int_equal(failures, 0);
    assert_int_equal(detectors, secrets);
    assert_true(secrets >= 40);
}

/* check_alignments on every file of a folder whose name starts with
 * `prefix`; returns how many. */
static size_t check_folder(slsec_detect_scanner *sc, unsigned classes, const char *folder, const char *prefix)
{
    DIR *dir = opendir(folder);
    assert_non_null(dir);
    size_t files = 0;
    struct dirent *de;
    while ((de = readdir(dir)))
        if (de->d_name[0] != '.' && strncmp(de->d_name, prefix, strlen(prefix)) == 0) {
            char path[1024];
            snprintf(path, sizeof path, "%s/%s", folder, de->d_name);
            size_t len;
            char *data = slurp(path, &len);
            check_alignments(sc, classes, path + strlen(SLSEC_SOURCE_DIR) + 1, data, len);
            free(data);
            files++;
        }
    closedir(dir);
    return files;
}

/* The two detector sets of `logs redact`, through subset scanners as the
 * redactor makes them, on the redaction fixture, every secret positive and
 * the seed inputs of the detector fuzz targets (among them the two on
 * which Vectorscan's AVX-512 code dropped an SSN and an email). */
static void test_redactor_sets_alignment(void **state)
{
    (void)state;
    size_t ndet;
    slsec_detectors(&ndet);
    bool *enabled = calloc(ndet, sizeof *enabled);
    assert_non_null(enabled);
    for (int mask_ip = 0; mask_ip < 2; mask_ip++) {
        slsec_redact_detector_set(mask_ip, enabled);
        slsec_detect_scanner *sc = slsec_detect_scanner_new_subset(enabled);
        assert_non_null(sc);
        size_t files = check_folder(sc, 0, SLSEC_SOURCE_DIR "/tests/fixtures/logs/redact", "lambda-node.log");
        files += check_folder(sc, 0, SLSEC_SOURCE_DIR "/tests/fuzz/corpus/detect_runs", "");
        files += check_folder(sc, 0, SLSEC_SOURCE_DIR "/tests/fuzz/corpus/detect", "");
        DIR *top = opendir(FIX);
        assert_non_null(top);
        struct dirent *de;
        while ((de = readdir(top)))
            if (strncmp(de->d_name, "SECRET-", 7) == 0) {
                char folder[1024];
                snprintf(folder, sizeof folder, "%s/%s", FIX, de->d_name);
                files += check_folder(sc, 0, folder, "positive");
            }
        closedir(top);
        assert_true(files >= 110);
        slsec_detect_scanner_free(sc);
    }
    free(enabled);
    assert_int_equal(failures, 0);
}

static void test_helpers(void **state)
{
    (void)state;
    char out[65];
    slsec_detect_preview("AKIAABCDEFGHIJKLMNOP", 20, out, sizeof out);
    assert_string_equal(out, "AKIA... (20 chars)");
    char a[65], b[65];
    slsec_detect_fingerprint("same", 4, a);
    slsec_detect_fingerprint("same", 4, b);
    assert_string_equal(a, b);
    slsec_detect_fingerprint("other", 5, b);
    assert_string_not_equal(a, b);
    assert_int_equal(strlen(a), 64);
    assert_true(slsec_detect_placeholder("${DB_PASSWORD}", 14));
    assert_true(slsec_detect_placeholder("<your-key>", 10));
    assert_true(slsec_detect_placeholder("0000000000000", 13));
    assert_false(slsec_detect_placeholder("q8Zr2LmN4pXv", 12));
    assert_true(slsec_entropy("aaaa", 4) < 0.01);
    assert_true(slsec_entropy("abcd", 4) > 1.99);
    const slsec_detector *d = slsec_detect_value("prefix AKIAQ2D3XYZABCDEFGHT suffix", 32);
    assert_non_null(d);
    assert_string_equal(d->id, "SECRET-001");
    assert_null(slsec_detect_value("just some words", 15));
}

static void test_personal_data(void **state)
{
    (void)state;
    const char *text = "card 4111 1111 1111 1111 ok, bad 4111 1111 1111 1112, mail jane.doe@mail.test.\n";
    hits h = {0};
    assert_int_equal(slsec_detect_buffer(text, strlen(text), SLSEC_DETECT_PERSONAL, collect, &h), SLSEC_OK);
    assert_int_equal(h.n, 2);
    bool card = false, mail = false;
    for (size_t i = 0; i < h.n; i++) {
        card |= strcmp(h.id[i], "PII-001") == 0 && h.off[i] == 5 && h.len[i] == 19;
        mail |= strcmp(h.id[i], "PII-002") == 0 && h.len[i] == strlen("jane.doe@mail.test");
    }
    assert_true(card && mail);
    /* card prefixes: Mastercard's 2-series (2221-2720) and JCB (3528-3589)
     * count, their neighbours do not */
    static const struct { const char *number; bool card; } prefixes[] = {
        {"2221 0000 0000 0009", true},  {"2223 0031 2200 3222", true}, {"2720 9999 9999 9996", true},
        {"3530 1113 3330 0000", true},  {"2220 0000 0000 0000", false}, {"2721 0000 0000 0004", false},
        {"3527 0000 0000 0008", false},
    };
    for (size_t k = 0; k < sizeof prefixes / sizeof prefixes[0]; k++) {
        hits c = {0};
        const char *num = prefixes[k].number;
        slsec_detect_buffer(num, strlen(num), SLSEC_DETECT_PERSONAL, collect, &c);
        bool found = false;
        for (size_t i = 0; i < c.n; i++)
            found |= strcmp(c.id[i], "PII-001") == 0 && c.len[i] == strlen(num);
        if (found != prefixes[k].card)
            fail_msg("%s: card %s", num, found ? "found" : "missed");
    }
    /* the secret class alone reports none of it */
    hits none = {0};
    slsec_detect_buffer(text, strlen(text), SLSEC_DETECT_SECRET, collect, &none);
    assert_int_equal(none.n, 0);
}

/* Garbage, empty input and a long line must neither crash nor hang. */
static void test_bad_input(void **state)
{
    (void)state;
    hits h = {0};
    assert_int_equal(slsec_detect_buffer("", 0, SLSEC_DETECT_ALL, collect, &h), SLSEC_OK);
    size_t n = 4 << 20;
    char *big = malloc(n);
    assert_non_null(big);
    for (size_t i = 0; i < n; i++)
        big[i] = "AKIAghp_xox-=:@/.eyJ"[i % 20];
    assert_int_equal(slsec_detect_buffer(big, n, SLSEC_DETECT_ALL, collect, &h), SLSEC_OK);
    memset(big, 'A', n);
    assert_int_equal(slsec_detect_buffer(big, n, SLSEC_DETECT_ALL, collect, &h), SLSEC_OK);
    assert_int_equal(h.n, 0);
    free(big);
}

/* Every secret detector is a SECRET rule of the same id and severity, and
 * every SECRET rule a detector (src/rules/secret.c follows the table). */
static void test_catalogue(void **state)
{
    (void)state;
    size_t n, rules = 0, secrets = 0;
    const slsec_detector *all = slsec_detectors(&n);
    for (size_t i = 0; i < n; i++) {
        if (all[i].cls != SLSEC_DETECT_SECRET)
            continue;
        secrets++;
        const slsec_rule *r = slsec_rule_find(all[i].id);
        assert_non_null(r);
        assert_int_equal(r->severity, all[i].severity);
        assert_non_null(strstr(r->title, all[i].name));
        assert_null(r->check);
    }
    const slsec_rule *const *cat = slsec_rules_all(&n);
    for (size_t i = 0; i < n; i++)
        rules += strcmp(cat[i]->family, "SECRET") == 0;
    assert_int_equal(rules, secrets);
    slsec_diag d;
    assert_int_equal(slsec_detect_init(&d), SLSEC_OK);
}

/* The unit tests do not link the prebuilt database (tools/detect-db), so
 * the engine compiles it; what the generator serialises must deserialise
 * into a database that finds what the compiled one finds. */
static void test_serialized_database(void **state)
{
    (void)state;
    assert_int_equal(slsec_detect_init(NULL), SLSEC_OK);
    assert_string_equal(slsec_detect_db_origin(), "compiled at start-up");
    char *bytes = NULL;
    size_t len = 0;
    uint64_t hash = 0, again = 0;
    slsec_diag d;
    assert_int_equal(slsec_detect_serialize(NULL, &bytes, &len, &hash, &d), SLSEC_OK);
    assert_true(len > 1000);
    assert_true(hash != 0);
    free(bytes);
    assert_int_equal(slsec_detect_serialize(NULL, &bytes, &len, &again, &d), SLSEC_OK);
    assert_true(hash == again); /* the fingerprint depends on the table only */
    free(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures),
        cmocka_unit_test(test_redactor_sets_alignment),
        cmocka_unit_test(test_serialized_database),
        cmocka_unit_test(test_helpers),
        cmocka_unit_test(test_personal_data),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_catalogue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
