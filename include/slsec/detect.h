/*
 * slsec/detect.h — the detector engine: secrets and personal data in bytes.
 *
 * One table of detectors (src/detect/table.c). Every detector's trigger
 * pattern is compiled into one Vectorscan database, once per process, and
 * each input byte is read once by it (in block mode the card, IBAN, SSN,
 * phone and email triggers are matched by hand-written code instead, with
 * the same result: docs/secrets.md); Vectorscan reports only where a
 * candidate ends (no start-of-match, which costs 2.5x), then the detector's
 * PCRE2 JIT pattern delimits the secret in a small window around that end
 * and its validator (checksum, decodability, entropy, placeholders) keeps
 * or drops it.
 *
 *   slsec_detect_buffer(data, len, SLSEC_DETECT_SECRET, on_match, user);
 *
 * or, for input read in pieces (a secret split across two reads is still
 * found, at its offset in the whole stream):
 *
 *   slsec_detect_stream *s = slsec_detect_stream_new(SLSEC_DETECT_ALL, on_match, user);
 *   while (...) slsec_detect_stream_feed(s, chunk, n);
 *   slsec_detect_stream_finish(s);
 *   slsec_detect_stream_free(s);
 *
 * Matches come in increasing order of offset per detector (not across
 * detectors). A match of a generic detector (an assignment, a URL with a
 * password) is dropped when a specific detector recognises its value.
 * Everything here is thread-safe: the database is shared, scratch space is
 * per buffer call or per stream.
 */
#ifndef SLSEC_DETECT_H
#define SLSEC_DETECT_H

#include "slsec/rules.h"

typedef enum {
    SLSEC_DETECT_SECRET = 1,   /* credentials: reported by `scan` */
    SLSEC_DETECT_PERSONAL = 2, /* personal data: masked by `logs redact` */
    SLSEC_DETECT_ALL = 3,
} slsec_detect_class;

typedef struct slsec_detector {
    const char *id;         /* "SECRET-001" (the rule id) or "PII-001" */
    const char *name;       /* "AWS access key id" */
    slsec_severity severity;
    slsec_detect_class cls;
    bool generic;           /* dropped when a specific detector matches its value */
    const char *trigger;    /* Vectorscan pattern whose end marks a candidate */
    bool caseless;          /* trigger is case-insensitive */
    const char *regex;      /* PCRE2: the whole match; group 1 (first set group) is the secret */
    unsigned span;          /* the longest match; the confirmation window is end +- span */
    double min_entropy;     /* Shannon bits per character of the secret; 0 = none */
    bool (*validate)(const char *s, size_t n); /* NULL = pattern and entropy only */
    const char *keywords;   /* literals the trigger looks for, for people and docs */
} slsec_detector;

/* The whole table, in id order. */
const slsec_detector *slsec_detectors(size_t *count);
const slsec_detector *slsec_detector_find(const char *id);

typedef struct slsec_match {
    const slsec_detector *det;
    uint64_t offset; /* of the secret, from the start of the buffer or stream */
    size_t length;
    const char *secret; /* the secret's bytes, valid during the callback only */
} slsec_match;

/* Return non-zero to stop the scan (the call then returns SLSEC_OK). */
typedef int (*slsec_match_fn)(const slsec_match *m, void *user);

/* Compiles the database if not done yet. SLSEC_EINTERNAL (d set) if the
 * table does not compile: a bug, caught by the tests. */
int slsec_detect_init(slsec_diag *d);

/* The block database of the detectors `enabled` marks (indexed like
 * slsec_detectors; NULL = the whole table), compiled for Vectorscan's AVX2
 * code whatever this machine, and serialised (bytes from malloc), with the
 * fingerprint of the triggers it holds and that platform: what
 * tools/detect-db/gen_detect_db.c embeds in the binary at build time. The
 * engine uses an embedded database for the whole table and for any
 * subset (slsec_detect_scanner_new_subset) whose fingerprint it matches,
 * which it does wherever it runs the AVX2 code (every CPU with AVX2, when
 * Vectorscan exports that code: docs/secrets.md, "Engine notes"). */
int slsec_detect_serialize(const bool *enabled, char **bytes, size_t *len, uint64_t *table_hash, slsec_diag *d);
/* "prebuilt at build time", "compiled at start-up" or "not built yet". */
const char *slsec_detect_db_origin(void);
/* Which of Vectorscan's code runs the databases: "AVX2 (pinned: ...)" or
 * "Vectorscan's own choice for this CPU". */
const char *slsec_detect_vectorscan_code(void);

int slsec_detect_buffer(const char *data, size_t len, unsigned classes, slsec_match_fn cb, void *user);

/* The same, reusing scratch space across many buffers (one per thread):
 * what slsec_detect_buffer allocates each call. */
typedef struct slsec_detect_scanner slsec_detect_scanner;
slsec_detect_scanner *slsec_detect_scanner_new(unsigned classes);
int slsec_detect_scanner_scan(slsec_detect_scanner *sc, const char *data, size_t len, slsec_match_fn cb, void *user);
/* Only the detectors whose entry in `enabled` (indexed like slsec_detectors,
 * kept by the caller while the scanner lives) is true look at candidates:
 * a switched-off detector costs no confirmation. NULL = all of `classes`. */
void slsec_detect_scanner_enable(slsec_detect_scanner *sc, const bool *enabled);
/* A scanner of every class whose Vectorscan database holds only the
 * enabled detectors (compiled on first use, cached per distinct set): a
 * switched-off detector then costs nothing at all. `enabled` is kept. */
slsec_detect_scanner *slsec_detect_scanner_new_subset(const bool *enabled);
void slsec_detect_scanner_free(slsec_detect_scanner *sc);

typedef struct slsec_detect_stream slsec_detect_stream;

slsec_detect_stream *slsec_detect_stream_new(unsigned classes, slsec_match_fn cb, void *user);
int slsec_detect_stream_feed(slsec_detect_stream *s, const char *data, size_t len);
/* Reports what was waiting for more input; feed no more after this. */
int slsec_detect_stream_finish(slsec_detect_stream *s);
void slsec_detect_stream_free(slsec_detect_stream *s);

/* ---- helpers the detectors and their users share ------------------------ */

/* Shannon entropy in bits per character. */
double slsec_entropy(const char *s, size_t n);
/* A value that only stands for a secret: ${VAR}, {{ x }}, <your-key>,
 * process.env.X, xxxx, EXAMPLE, changeme, ... */
bool slsec_detect_placeholder(const char *s, size_t n);
/* Does some secret detector recognise a secret inside s? Returns it or NULL
 * (FN-005 asks this of environment values). */
const slsec_detector *slsec_detect_value(const char *s, size_t n);
/* Does s hold something shaped like a secret (a detector's pattern matches,
 * whatever its checks say: AKIAIOSFODNN7EXAMPLE is key-shaped)? For rules
 * that flag the habit, not the key. Returns the detector, and the secret's
 * place in s when start and len are given. */
const slsec_detector *slsec_detect_shape(const char *s, size_t n, size_t *start, size_t *len);
/* "AKIA… (20 chars)": the first 4 characters and the length, in out. */
void slsec_detect_preview(const char *s, size_t n, char *out, size_t size);
/* Lower-case hex HMAC-SHA256 of the secret under the fixed project key
 * (docs/secrets.md): one secret is one identity wherever it is found. */
void slsec_detect_fingerprint(const char *s, size_t n, char out[65]);

#endif
