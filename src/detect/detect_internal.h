/*
 * detect_internal.h — what the files of src/detect share and nothing else
 * sees (but the tests): the hand-written triggers of runs.c, and the
 * Vectorscan code vectorscan.c picks to run the databases.
 *
 * The digit-run personal-data detectors (card, IBAN, SSN, phone) have
 * triggers made only of character classes. Vectorscan cannot put a
 * literal search in front of such patterns, so each costs as much as all
 * the secret triggers together on digit-heavy text (Lambda logs: request
 * ids, timestamps, durations). runs.c finds exactly the same match ends
 * with bit masks over 64 bytes at a time; the engine leaves these
 * triggers out of its block-mode databases and feeds runs.c's ends to the
 * same confirmation as Vectorscan's.
 *
 * The email trigger is found here too, for correctness rather than speed:
 * Vectorscan 5.4.9 drops some ends of "@[A-Za-z0-9-]{1,63}\." (in
 * "a@example.,<69 dots>u@example.com" the second, alone or next to the
 * generic secret trigger; upstream reports count mismatches for email
 * patterns). One '@' gives at most one end, so a memchr and a short loop
 * find every one. Vectorscan drops ends of the SSN trigger too, depending
 * on the address of the buffer (tests/fuzz/corpus/detect_runs/ssn-address.bin
 * at 23 of 64 alignments): runs.c has no such dependence. Both drops come
 * from the AVX-512 build of Vectorscan's single-byte search (vectorscan.c),
 * which the engine no longer runs where it has a choice.
 */
#ifndef SLSEC_DETECT_INTERNAL_H
#define SLSEC_DETECT_INTERNAL_H

#include <hs/hs.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    RUN_CARD,  /* PII-001 */
    RUN_IBAN,  /* PII-003 */
    RUN_SSN,   /* PII-004 */
    RUN_PHONE, /* PII-005 */
    RUN_EMAIL, /* PII-002 */
    RUN_KINDS,
} run_kind;

/* The detector id and the exact trigger (as in src/detect/table.c) that
 * kind k implements. The engine uses runs.c for a detector only while its
 * trigger is still this string; a changed trigger goes back to Vectorscan. */
const char *runs_id(run_kind k);
const char *runs_trigger(run_kind k);

/* Called once per (kind, end) in increasing order of end for each kind,
 * `end` as Vectorscan reports it (one past the last byte); non-zero stops. */
typedef int (*runs_fn)(run_kind k, uint64_t end, void *ctx);

/* Every end in data[0, n) where the trigger of a kind in `kinds` (a bit
 * set, 1u << kind) matches: the set Vectorscan is meant to report for that
 * trigger in block mode. Returns non-zero when cb stopped it. */
int runs_scan(const char *data, size_t n, unsigned kinds, runs_fn cb, void *ctx);

/* The same with the byte classification of one instruction set (runs_scan
 * uses the widest this CPU has), for the tests that compare them; -1 when
 * this CPU does not have it. */
typedef enum { RUNS_BEST, RUNS_SCALAR, RUNS_SSE2, RUNS_AVX2, RUNS_AVX512 } runs_isa;
int runs_scan_isa(const char *data, size_t n, unsigned kinds, runs_fn cb, void *ctx, runs_isa isa);

/* ---- vectorscan.c ---------------------------------------------------------------- */

/* One build of Vectorscan's runtime, and the platform databases are
 * compiled for to run on it. Every database the engine uses is compiled,
 * deserialised and scanned through one of these, never through a mix. */
typedef struct vs_code {
    const char *name;                   /* for `slsec version --verbose` */
    const hs_platform_info_t *platform; /* hs_compile's; NULL = this CPU */
    const char *target;                 /* the platform in database fingerprints */
    hs_error_t (*deserialize)(const char *bytes, size_t length, hs_database_t **db);
    hs_error_t (*scan)(const hs_database_t *db, const char *data, unsigned length, unsigned flags,
                       hs_scratch_t *scratch, match_event_handler on_event, void *context);
    hs_error_t (*open_stream)(const hs_database_t *db, unsigned flags, hs_stream_t **stream);
    hs_error_t (*scan_stream)(hs_stream_t *id, const char *data, unsigned length, unsigned flags,
                              hs_scratch_t *scratch, match_event_handler on_event, void *context);
    hs_error_t (*close_stream)(hs_stream_t *id, hs_scratch_t *scratch, match_event_handler on_event, void *context);
} vs_code;

/* The code that runs this process's databases (chosen once). */
const vs_code *vs_code_running(void);
/* The code the databases prebuilt at build time are compiled for: AVX2,
 * whatever the build machine (its functions may be NULL there). */
const vs_code *vs_code_prebuilt(void);

#endif
