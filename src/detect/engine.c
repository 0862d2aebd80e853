/*
 * engine.c — runs the detector table over bytes: one Vectorscan pass finds
 * candidate ends, PCRE2 JIT delimits each in a window, validators confirm.
 * In block mode the triggers of the digit-run personal data and of emails
 * are found by runs.c instead (detect_internal.h says why); their ends go
 * through the same confirmation.
 *
 * Why match ends only: on these machines Vectorscan runs about 2.5x faster
 * without start-of-match tracking (DESIGN.md), and confirmation is needed
 * anyway. A trigger may report many ends inside one long token; a detector
 * whose window already covers an end does not look again ("covered_to"),
 * and a match is reported once ("reported_to"), so each byte costs at most
 * a bounded number of confirmations per detector.
 *
 * Streams: the bytes of the last windows are kept (history), candidates
 * wait until `span` bytes past their end have arrived, and Vectorscan's
 * stream mode carries a trigger across reads. A secret cut by a read
 * boundary is therefore found exactly as in one buffer.
 *
 * The databases and compiled patterns are built once (pthread_once) and
 * shared; scratch space and match data belong to each scan. Which build of
 * Vectorscan's runtime runs them, and the platform they are compiled for,
 * is vectorscan.c's choice (its AVX-512 build drops matches).
 */
#include "slsec/detect.h"

#include "detect_internal.h"

#include <hs/hs.h>
#include <math.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the compiled table --------------------------------------------------------- */

static pthread_once_t once = PTHREAD_ONCE_INIT;
static hs_database_t *block_db, *stream_db;
static pcre2_code **codes;
static size_t ndet;
static const slsec_detector *dets;
static unsigned max_span;
static char init_error[512];
/* The detectors whose triggers runs.c finds (detect_internal.h): index
 * per kind, -1 when the table's trigger is not the one runs.c implements. */
static int run_det[RUN_KINDS];
static bool *by_hand; /* per detector */
/* Per detector, the shortest subject its regex can match (PCRE2's own
 * bound): single values shorter than that skip the call altogether. */
static uint32_t *min_subject;

/* The triggers a database of `mode` holds: every detector's (or those
 * `only` marks), except, in block mode, those runs.c finds. Their indexes
 * go to ids; returns how many. */
static unsigned select_triggers(unsigned mode, const bool *only, unsigned *ids)
{
    unsigned k = 0;
    for (size_t i = 0; i < ndet; i++)
        if ((!only || only[i]) && !(mode == HS_MODE_BLOCK && by_hand[i]))
            ids[k++] = (unsigned)i;
    return k;
}

/* One Vectorscan database of the triggers select_triggers picks, for the
 * platform of `code`; NULL with err set when there are none or the table
 * does not compile. */
static hs_database_t *compile_subset(unsigned mode, const bool *only, const vs_code *code, char *err,
                                     size_t err_size)
{
    const char **exprs = calloc(ndet, sizeof *exprs);
    unsigned *flags = calloc(ndet, sizeof *flags), *ids = calloc(ndet, sizeof *ids);
    if (!exprs || !flags || !ids)
        slsec_oom();
    unsigned k = select_triggers(mode, only, ids);
    for (unsigned j = 0; j < k; j++) {
        exprs[j] = dets[ids[j]].trigger;
        flags[j] = (dets[ids[j]].caseless ? HS_FLAG_CASELESS : 0u) | HS_FLAG_DOTALL;
    }
    hs_database_t *db = NULL;
    hs_compile_error_t *ce = NULL;
    if (k == 0) {
        snprintf(err, err_size, "no detector is enabled");
    } else if (hs_compile_multi(exprs, flags, ids, k, mode, code->platform, &db, &ce) != HS_SUCCESS) {
        snprintf(err, err_size, "detector %s: trigger: %s",
                 ce && ce->expression >= 0 ? dets[ids[ce->expression]].id : "?", ce ? ce->message : "?");
        hs_free_compile_error(ce);
        db = NULL;
    }
    free(exprs);
    free(flags);
    free(ids);
    return db;
}

static hs_database_t *compile_db(unsigned mode)
{
    return compile_subset(mode, NULL, vs_code_running(), init_error, sizeof init_error);
}

/* The PCRE2 patterns alone: what checking one short value needs
 * (slsec_detect_value, slsec_detect_shape: a template's environment
 * values), without the Vectorscan database, whose compilation costs tens
 * of milliseconds a scan of templates alone would pay for nothing. */
static pthread_once_t regex_once = PTHREAD_ONCE_INIT;

static void compile_regexes(void)
{
    dets = slsec_detectors(&ndet);
    codes = calloc(ndet, sizeof *codes);
    by_hand = calloc(ndet, sizeof *by_hand);
    min_subject = calloc(ndet, sizeof *min_subject);
    if (!codes || !by_hand || !min_subject)
        slsec_oom();
    for (unsigned k = 0; k < RUN_KINDS; k++) {
        run_det[k] = -1;
        for (size_t i = 0; i < ndet; i++)
            if (strcmp(dets[i].id, runs_id((run_kind)k)) == 0 &&
                strcmp(dets[i].trigger, runs_trigger((run_kind)k)) == 0) {
                run_det[k] = (int)i;
                by_hand[i] = true;
            }
    }
    for (size_t i = 0; i < ndet; i++) {
        if (dets[i].span > max_span)
            max_span = dets[i].span;
        int e;
        PCRE2_SIZE at;
        codes[i] = pcre2_compile((PCRE2_SPTR)dets[i].regex, PCRE2_ZERO_TERMINATED, 0, &e, &at, NULL);
        if (!codes[i]) {
            char msg[256];
            pcre2_get_error_message(e, (PCRE2_UCHAR *)msg, sizeof msg);
            snprintf(init_error, sizeof init_error, "detector %s: regex at %zu: %s", dets[i].id, (size_t)at, msg);
            return;
        }
        pcre2_jit_compile(codes[i], PCRE2_JIT_COMPLETE); /* the interpreter still works if JIT is absent */
        if (pcre2_pattern_info(codes[i], PCRE2_INFO_MINLENGTH, &min_subject[i]) != 0)
            min_subject[i] = 0;
    }
}

static hs_database_t *prebuilt_db(const bool *only);
static const char *db_origin = "not built yet";

static void compile_all(void)
{
    pthread_once(&regex_once, compile_regexes);
    if (init_error[0])
        return;
    block_db = prebuilt_db(NULL);
    db_origin = "prebuilt at build time";
    if (!block_db) {
        block_db = compile_db(HS_MODE_BLOCK);
        db_origin = "compiled at start-up";
    }
}

static int regexes_ready(void)
{
    pthread_once(&regex_once, compile_regexes);
    return init_error[0] ? SLSEC_EINTERNAL : SLSEC_OK;
}

/* ---- databases prebuilt at build time (tools/detect-db) ------------------------------ */

/* Defined in the object CMake generates; weak, so the unit tests and the
 * generator itself, which do not link it, compile the databases instead. */
extern const size_t slsec_detect_prebuilt_count __attribute__((weak));
extern const uint64_t slsec_detect_prebuilt_hash[] __attribute__((weak));
extern const size_t slsec_detect_prebuilt_len[] __attribute__((weak));
extern const unsigned char *const slsec_detect_prebuilt[] __attribute__((weak));

static void hash_bytes(uint64_t *h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        *h = (*h ^ b[i]) * 1099511628211ull;
}

/* FNV-1a over what a block database of `only` (NULL: the whole table) for
 * `code` is made of: the Vectorscan version, the platform, each trigger it
 * holds and its flags. */
static uint64_t table_hash(const bool *only, const vs_code *code)
{
    unsigned *ids = calloc(ndet ? ndet : 1, sizeof *ids);
    if (!ids)
        slsec_oom();
    unsigned k = select_triggers(HS_MODE_BLOCK, only, ids);
    uint64_t h = 14695981039346656037ull;
    const char *v = hs_version();
    hash_bytes(&h, v, strlen(v) + 1);
    hash_bytes(&h, code->target, strlen(code->target) + 1);
    for (unsigned j = 0; j < k; j++) {
        const slsec_detector *d = &dets[ids[j]];
        hash_bytes(&h, &ids[j], sizeof ids[j]); /* the id Vectorscan reports is the detector's index */
        hash_bytes(&h, d->trigger, strlen(d->trigger) + 1);
        unsigned char caseless = d->caseless;
        hash_bytes(&h, &caseless, 1);
    }
    free(ids);
    return h;
}

/* The prebuilt block database of `only`, or NULL when none was built for
 * exactly these triggers and the code that runs here (prebuilt databases
 * are for the AVX2 code), or this machine's Vectorscan refuses it. */
static hs_database_t *prebuilt_db(const bool *only)
{
    if (!&slsec_detect_prebuilt_count || !slsec_detect_prebuilt_hash || !slsec_detect_prebuilt_len ||
        !slsec_detect_prebuilt)
        return NULL;
    const vs_code *code = vs_code_running();
    uint64_t want = table_hash(only, code);
    for (size_t i = 0; i < slsec_detect_prebuilt_count; i++) {
        hs_database_t *db = NULL;
        if (slsec_detect_prebuilt_hash[i] == want &&
            code->deserialize((const char *)slsec_detect_prebuilt[i], slsec_detect_prebuilt_len[i], &db) ==
                HS_SUCCESS)
            return db;
    }
    return NULL; /* another table, Vectorscan or platform: compile instead */
}

int slsec_detect_serialize(const bool *enabled, char **bytes, size_t *len, uint64_t *hash, slsec_diag *d)
{
    pthread_once(&regex_once, compile_regexes);
    char err[512] = "";
    const vs_code *code = vs_code_prebuilt();
    hs_database_t *db = init_error[0] ? NULL : compile_subset(HS_MODE_BLOCK, enabled, code, err, sizeof err);
    if (!db) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, NULL, 0, 0, "%s", init_error[0] ? init_error : err);
        return SLSEC_EINTERNAL;
    }
    hs_error_t e = hs_serialize_database(db, bytes, len);
    hs_free_database(db);
    if (e != HS_SUCCESS) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, NULL, 0, 0, "Vectorscan cannot serialise the database (error %d)", e);
        return SLSEC_EINTERNAL;
    }
    *hash = table_hash(enabled, code);
    return SLSEC_OK;
}

const char *slsec_detect_db_origin(void) { return db_origin; }

const char *slsec_detect_vectorscan_code(void) { return vs_code_running()->name; }

/* The stream database is only built when a stream is first opened: a
 * scan of ordinary files never needs it, and compiling costs milliseconds. */
static pthread_once_t stream_once = PTHREAD_ONCE_INIT;

static void compile_stream(void) { stream_db = compile_db(HS_MODE_STREAM); }

int slsec_detect_init(slsec_diag *d)
{
    pthread_once(&once, compile_all);
    if (init_error[0]) {
        if (d)
            slsec_diag_set(d, SLSEC_DIAG_ERROR, NULL, 0, 0, "%s", init_error);
        return SLSEC_EINTERNAL;
    }
    return SLSEC_OK;
}

/* ---- shared helpers ----------------------------------------------------------------- */

double slsec_entropy(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    size_t counts[256] = {0};
    for (size_t i = 0; i < n; i++)
        counts[(unsigned char)s[i]]++;
    double h = 0;
    for (int c = 0; c < 256; c++)
        if (counts[c]) {
            double p = (double)counts[c] / (double)n;
            h -= p * log2(p);
        }
    return h;
}

static unsigned char ascii_lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c; }

/* Is needle (no NUL in it) in s[0, n), ignoring ASCII case? The first
 * byte is compared inline: a candidate value is checked against two dozen
 * placeholder words, and a call at every offset showed in profiles. */
static bool contains_ci(const char *s, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    unsigned char first = ascii_lower((unsigned char)needle[0]);
    for (size_t i = 0; i + m <= n; i++)
        if (ascii_lower((unsigned char)s[i]) == first && strncasecmp(s + i, needle, m) == 0)
            return true;
    return false;
}

bool slsec_detect_placeholder(const char *s, size_t n)
{
    static const char *const marks[] = {"${", "{{", "<", ">", "process.env", "os.environ", "getenv", "%s",
                                        "example", "placeholder", "changeme", "change_me", "your_", "your-",
                                        "yourkey", "dummy", "redacted", "xxxx", "****", "...", "sample",
                                        "insert", "replace", "fake", NULL};
    for (size_t i = 0; marks[i]; i++)
        if (contains_ci(s, n, marks[i]))
            return true;
    /* one character repeated makes a mask, not a secret: "0000000000" */
    size_t same = 1;
    for (size_t i = 1; i < n; i++)
        same = s[i] == s[i - 1] ? same + 1 : 1;
    if (n >= 8 && same * 2 >= n)
        return true;
    return n > 0 && (s[0] == '$' || s[0] == '@' || s[0] == '%');
}

void slsec_detect_preview(const char *s, size_t n, char *out, size_t size)
{
    char head[5] = {0};
    for (size_t i = 0; i < 4 && i < n; i++)
        head[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    snprintf(out, size, "%s... (%zu chars)", head, n);
}

/* The fixed project key (docs/secrets.md): fingerprints are identities to
 * compare, not protection; the key keeps a fingerprint list from being a
 * plain SHA-256 dictionary of secrets. */
static const char fp_key[] = "slsec secret fingerprint v1";

void slsec_detect_fingerprint(const char *s, size_t n, char out[65])
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    HMAC(EVP_sha256(), fp_key, (int)strlen(fp_key), (const unsigned char *)s, n, mac, &len);
    for (unsigned i = 0; i < len && i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", mac[i]);
    out[64] = '\0';
}

/* The secret a regex match holds: its first set group, else the whole. */
static void secret_of(const PCRE2_SIZE *ov, uint32_t groups, PCRE2_SIZE *start, PCRE2_SIZE *end)
{
    for (uint32_t g = 1; g < groups; g++)
        if (ov[2 * g] != PCRE2_UNSET && ov[2 * g] < ov[2 * g + 1]) {
            *start = ov[2 * g];
            *end = ov[2 * g + 1];
            return;
        }
    *start = ov[0];
    *end = ov[1];
}

static bool passes(const slsec_detector *d, const char *s, size_t n)
{
    if (d->cls == SLSEC_DETECT_SECRET && slsec_detect_placeholder(s, n))
        return false;
    if (d->min_entropy > 0 && slsec_entropy(s, n) < d->min_entropy)
        return false;
    return !d->validate || d->validate(s, n);
}

/* A value that names a secret rather than holding it: ${VAR}, {{ x }}. */
static bool reference(const char *s, size_t n)
{
    return n == 0 || s[0] == '$' || s[0] == '<' || memmem(s, n, "${", 2) || memmem(s, n, "{{", 2);
}

/* The first specific secret detector whose secret in s overlaps [a, b);
 * with `shape_only`, any secret detector whose pattern matches, checks
 * aside. The secret's place goes to *at and *len when they are given. */
static const slsec_detector *detect_in(const char *s, size_t n, size_t a, size_t b, bool shape_only,
                                       size_t *at, size_t *len)
{
    pcre2_match_data *md = pcre2_match_data_create(16, NULL);
    if (!md)
        slsec_oom();
    const slsec_detector *found = NULL;
    for (size_t i = 0; i < ndet && !found; i++) {
        if ((dets[i].generic && !shape_only) || dets[i].cls != SLSEC_DETECT_SECRET || n < min_subject[i])
            continue;
        PCRE2_SIZE off = 0;
        while (off <= n && pcre2_match(codes[i], (PCRE2_SPTR)s, n, off, 0, md, NULL) > 0) {
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md), x, y;
            secret_of(ov, pcre2_get_ovector_count(md), &x, &y);
            if (x < b && y > a && (shape_only ? !reference(s + x, y - x) : passes(&dets[i], s + x, y - x))) {
                found = &dets[i];
                if (at)
                    *at = x, *len = y - x;
                break;
            }
            off = ov[1] > off ? ov[1] : off + 1;
        }
    }
    pcre2_match_data_free(md);
    return found;
}

const slsec_detector *slsec_detect_value(const char *s, size_t n)
{
    if (regexes_ready() != SLSEC_OK)
        return NULL;
    return detect_in(s, n, 0, n, false, NULL, NULL);
}

const slsec_detector *slsec_detect_shape(const char *s, size_t n, size_t *start, size_t *len)
{
    if (regexes_ready() != SLSEC_OK)
        return NULL;
    size_t a = 0, l = 0;
    const slsec_detector *d = detect_in(s, n, 0, n, true, &a, &l);
    if (d && start)
        *start = a, *len = l;
    return d;
}

/* ---- scanning ------------------------------------------------------------------------ */

typedef struct cand {
    unsigned det;
    uint64_t end;
} cand;

typedef struct scanner {
    const vs_code *code;     /* runs db */
    const hs_database_t *db; /* block mode: the whole table's, or a subset's */
    unsigned classes;
    const bool *enabled; /* per detector, NULL = every detector of `classes` */
    slsec_match_fn cb;
    void *user;
    hs_scratch_t *scratch;
    pcre2_match_data *md;
    uint64_t *covered_to;  /* per detector: candidates ending before this are in a window already */
    uint64_t *reported_to; /* per detector: matches starting before this were reported */
    bool stopped;
    /* the bytes at hand: view[0] is offset `base` of the input */
    const char *view;
    uint64_t base, avail;
    /* streams only */
    hs_stream_t *stream;
    char *hist;
    size_t hist_cap;
    cand *pending;
    size_t npending, cap_pending, first_pending;
} scanner;

static bool scanner_init(scanner *s, unsigned classes, slsec_match_fn cb, void *user, bool streaming)
{
    memset(s, 0, sizeof *s);
    if (slsec_detect_init(NULL) != SLSEC_OK)
        return false;
    if (streaming)
        pthread_once(&stream_once, compile_stream);
    const hs_database_t *db = streaming ? stream_db : block_db;
    if (!db)
        return false;
    s->code = vs_code_running();
    s->db = db;
    s->classes = classes;
    s->cb = cb;
    s->user = user;
    if (hs_alloc_scratch(db, &s->scratch) != HS_SUCCESS)
        slsec_oom();
    s->md = pcre2_match_data_create(16, NULL);
    s->covered_to = calloc(ndet, sizeof *s->covered_to);
    s->reported_to = calloc(ndet, sizeof *s->reported_to);
    if (!s->md || !s->covered_to || !s->reported_to)
        slsec_oom();
    return true;
}

static void scanner_fini(scanner *s)
{
    hs_free_scratch(s->scratch);
    pcre2_match_data_free(s->md);
    free(s->covered_to);
    free(s->reported_to);
    free(s->hist);
    free(s->pending);
}

/* Confirms the candidates of detector `di` ending at `end`, reporting each
 * match in the window around it. */
static void confirm(scanner *s, unsigned di, uint64_t end)
{
    const slsec_detector *d = &dets[di];
    uint64_t lo = end > d->span ? end - d->span : 0, hi = end + d->span;
    if (lo < s->base)
        lo = s->base;
    if (hi > s->base + s->avail)
        hi = s->base + s->avail;
    PCRE2_SIZE off = (PCRE2_SIZE)(lo - s->base), len = (PCRE2_SIZE)(hi - s->base);
    while (!s->stopped && off <= len &&
           pcre2_match(codes[di], (PCRE2_SPTR)s->view, len, off, 0, s->md, NULL) > 0) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md), a, b;
        secret_of(ov, pcre2_get_ovector_count(s->md), &a, &b);
        off = ov[1] > off ? ov[1] : off + 1;
        uint64_t abs = s->base + a;
        if (abs < s->reported_to[di] || !passes(d, s->view + a, b - a))
            continue;
        if (d->generic) {
            /* the line up to the match gives a specific detector its context */
            PCRE2_SIZE from = ov[0];
            while (from > 0 && ov[0] - from < 96 && s->view[from - 1] != '\n')
                from--;
            if (detect_in(s->view + from, ov[1] - from, a - from, b - from, false, NULL, NULL))
                continue;
        }
        s->reported_to[di] = s->base + b;
        slsec_match m = {.det = d, .offset = abs, .length = b - a, .secret = s->view + a};
        if (s->cb(&m, s->user))
            s->stopped = true;
    }
}

/* Is this a candidate worth a window? Updates covered_to when it is. */
static bool take(scanner *s, unsigned di, uint64_t end)
{
    if (!(dets[di].cls & s->classes) || (s->enabled && !s->enabled[di]) || end <= s->covered_to[di])
        return false;
    /* Half a span: a later candidate's match (at most span/2 long for the
     * detectors whose matches run together, like phone numbers in a list)
     * then still ends inside this window. */
    s->covered_to[di] = end + dets[di].span / 2;
    return true;
}

static int on_block(unsigned id, unsigned long long from, unsigned long long to, unsigned fl, void *ctx)
{
    (void)from, (void)fl;
    scanner *s = ctx;
    if (take(s, id, to))
        confirm(s, id, to);
    return s->stopped;
}

static int on_run(run_kind k, uint64_t end, void *ctx)
{
    scanner *s = ctx;
    if (take(s, (unsigned)run_det[k], end))
        confirm(s, (unsigned)run_det[k], end);
    return s->stopped;
}

/* The kinds of runs.c this scanner's detectors need, as a bit set. */
static unsigned run_kinds(const scanner *s)
{
    unsigned kinds = 0;
    for (unsigned k = 0; k < RUN_KINDS; k++) {
        int di = run_det[k];
        if (di >= 0 && (dets[di].cls & s->classes) && (!s->enabled || s->enabled[di]))
            kinds |= 1u << k;
    }
    return kinds;
}

struct slsec_detect_scanner {
    scanner s;
};

slsec_detect_scanner *slsec_detect_scanner_new(unsigned classes)
{
    slsec_detect_scanner *sc = calloc(1, sizeof *sc);
    if (!sc)
        slsec_oom();
    if (!scanner_init(&sc->s, classes, NULL, NULL, false)) {
        scanner_fini(&sc->s);
        free(sc);
        return NULL;
    }
    return sc;
}

void slsec_detect_scanner_enable(slsec_detect_scanner *sc, const bool *enabled) { sc->s.enabled = enabled; }

/* Databases of detector subsets, compiled once per distinct subset and kept
 * for the life of the process (a handful at most: one per set of options). */
#define MAX_SUBSETS 16
static struct {
    bool *mask;
    hs_database_t *db;
} subsets[MAX_SUBSETS];
static size_t nsubsets;
static pthread_mutex_t subsets_lock = PTHREAD_MUTEX_INITIALIZER;

static hs_database_t *subset_db(const bool *enabled)
{
    hs_database_t *db = NULL;
    pthread_mutex_lock(&subsets_lock);
    for (size_t i = 0; i < nsubsets && !db; i++)
        if (memcmp(subsets[i].mask, enabled, ndet * sizeof *enabled) == 0)
            db = subsets[i].db;
    char err[512];
    if (!db && nsubsets < MAX_SUBSETS &&
        ((db = prebuilt_db(enabled)) ||
         (db = compile_subset(HS_MODE_BLOCK, enabled, vs_code_running(), err, sizeof err)))) {
        bool *mask = malloc(ndet * sizeof *mask);
        if (!mask)
            slsec_oom();
        memcpy(mask, enabled, ndet * sizeof *mask);
        subsets[nsubsets].mask = mask;
        subsets[nsubsets++].db = db;
    }
    pthread_mutex_unlock(&subsets_lock);
    return db;
}

slsec_detect_scanner *slsec_detect_scanner_new_subset(const bool *enabled)
{
    if (slsec_detect_init(NULL) != SLSEC_OK)
        return NULL;
    hs_database_t *db = subset_db(enabled);
    if (!db) /* more distinct subsets than kept: the whole table, filtered per candidate */
        db = block_db;
    slsec_detect_scanner *sc = slsec_detect_scanner_new(SLSEC_DETECT_ALL);
    if (!sc)
        return NULL;
    hs_free_scratch(sc->s.scratch);
    sc->s.scratch = NULL;
    if (hs_alloc_scratch(db, &sc->s.scratch) != HS_SUCCESS)
        slsec_oom();
    sc->s.db = db;
    sc->s.enabled = enabled;
    return sc;
}

void slsec_detect_scanner_free(slsec_detect_scanner *sc)
{
    if (!sc)
        return;
    scanner_fini(&sc->s);
    free(sc);
}

int slsec_detect_scanner_scan(slsec_detect_scanner *sc, const char *data, size_t len, slsec_match_fn cb, void *user)
{
    scanner *s = &sc->s;
    memset(s->covered_to, 0, ndet * sizeof *s->covered_to);
    memset(s->reported_to, 0, ndet * sizeof *s->reported_to);
    s->stopped = false;
    s->cb = cb;
    s->user = user;
    s->view = data;
    s->base = 0;
    s->avail = len;
    if (len <= UINT32_MAX) {
        /* Vectorscan's triggers, then runs.c's: per detector, candidates
         * still come in order of end, which is all confirmation needs. */
        hs_error_t e = s->code->scan(s->db, data ? data : "", (unsigned)len, 0, s->scratch, on_block, s);
        if (e != HS_SUCCESS && e != HS_SCAN_TERMINATED)
            return SLSEC_EINTERNAL;
        if (!s->stopped && len > 0)
            runs_scan(data, len, run_kinds(s), on_run, s);
        return SLSEC_OK;
    }
    /* Vectorscan's block mode takes at most 4 GB at once: longer buffers go
     * through a stream. */
    slsec_detect_stream *st = slsec_detect_stream_new(s->classes, cb, user);
    if (!st)
        return SLSEC_EINTERNAL;
    int rc = SLSEC_OK;
    for (size_t at = 0; rc == SLSEC_OK && at < len; at += 1u << 30)
        rc = slsec_detect_stream_feed(st, data + at, len - at < (1u << 30) ? len - at : 1u << 30);
    if (rc == SLSEC_OK)
        rc = slsec_detect_stream_finish(st);
    slsec_detect_stream_free(st);
    return rc;
}

int slsec_detect_buffer(const char *data, size_t len, unsigned classes, slsec_match_fn cb, void *user)
{
    slsec_detect_scanner *sc = slsec_detect_scanner_new(classes);
    if (!sc)
        return SLSEC_EINTERNAL;
    int rc = slsec_detect_scanner_scan(sc, data, len, cb, user);
    slsec_detect_scanner_free(sc);
    return rc;
}

/* ---- streams ---------------------------------------------------------------------------- */

struct slsec_detect_stream {
    scanner s;
    bool finished;
};

static int on_stream(unsigned id, unsigned long long from, unsigned long long to, unsigned fl, void *ctx)
{
    (void)from, (void)fl;
    scanner *s = ctx;
    if (!take(s, id, to))
        return 0;
    if (s->npending == s->cap_pending) {
        s->cap_pending = s->cap_pending ? s->cap_pending * 2 : 64;
        cand *more = realloc(s->pending, s->cap_pending * sizeof *more);
        if (!more)
            slsec_oom();
        s->pending = more;
    }
    s->pending[s->npending++] = (cand){id, to};
    return 0;
}

slsec_detect_stream *slsec_detect_stream_new(unsigned classes, slsec_match_fn cb, void *user)
{
    slsec_detect_stream *st = calloc(1, sizeof *st);
    if (!st)
        slsec_oom();
    if (!scanner_init(&st->s, classes, cb, user, true) ||
        st->s.code->open_stream(stream_db, 0, &st->s.stream) != HS_SUCCESS) {
        scanner_fini(&st->s);
        free(st);
        return NULL;
    }
    return st;
}

/* Confirms the candidates whose windows are complete (all of them when the
 * input has ended), then drops history no window can reach any more. */
static void settle(scanner *s, bool all)
{
    uint64_t total = s->base + s->avail;
    s->view = s->hist;
    size_t i = s->first_pending;
    for (; i < s->npending && !s->stopped; i++) {
        const cand *c = &s->pending[i];
        if (!all && c->end + dets[c->det].span > total)
            break; /* later candidates may still be confirmable: they wait too, in order */
        confirm(s, c->det, c->end);
    }
    s->first_pending = i;
    if (s->first_pending == s->npending)
        s->first_pending = s->npending = 0;
    uint64_t keep = total > (uint64_t)max_span + 64 ? total - max_span - 64 : 0;
    for (size_t k = s->first_pending; k < s->npending; k++) {
        uint64_t lo = s->pending[k].end > dets[s->pending[k].det].span + 64
                          ? s->pending[k].end - dets[s->pending[k].det].span - 64
                          : 0;
        if (lo < keep)
            keep = lo;
    }
    if (keep > s->base) {
        size_t drop = (size_t)(keep - s->base);
        memmove(s->hist, s->hist + drop, s->avail - drop);
        s->avail -= drop;
        s->base = keep;
    }
}

int slsec_detect_stream_feed(slsec_detect_stream *st, const char *data, size_t len)
{
    scanner *s = &st->s;
    if (st->finished || s->stopped || len == 0)
        return SLSEC_OK;
    if (s->avail + len > s->hist_cap) {
        size_t cap = s->hist_cap ? s->hist_cap : 65536;
        while (cap < s->avail + len)
            cap *= 2;
        char *more = realloc(s->hist, cap);
        if (!more)
            slsec_oom();
        s->hist = more;
        s->hist_cap = cap;
    }
    memcpy(s->hist + s->avail, data, len);
    s->avail += len;
    for (size_t at = 0; at < len; at += 1u << 30) {
        unsigned n = (unsigned)(len - at < (1u << 30) ? len - at : 1u << 30);
        if (s->code->scan_stream(s->stream, data + at, n, 0, s->scratch, on_stream, s) != HS_SUCCESS)
            return SLSEC_EINTERNAL;
    }
    settle(s, false);
    return SLSEC_OK;
}

int slsec_detect_stream_finish(slsec_detect_stream *st)
{
    if (st->finished)
        return SLSEC_OK;
    st->finished = true;
    scanner *s = &st->s;
    hs_error_t e = s->code->close_stream(s->stream, s->scratch, on_stream, s);
    s->stream = NULL;
    settle(s, true);
    return e == HS_SUCCESS ? SLSEC_OK : SLSEC_EINTERNAL;
}

void slsec_detect_stream_free(slsec_detect_stream *st)
{
    if (!st)
        return;
    if (st->s.stream)
        st->s.code->close_stream(st->s.stream, NULL, NULL, NULL);
    scanner_fini(&st->s);
    free(st);
}
