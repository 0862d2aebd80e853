/*
 * secrets_internal.h — what the secret pass's files share: scanning one
 * buffer or file into located hits (secrets.c), and turning hits into
 * findings. secrets_git.c (history) and secrets_archive.c (deployment
 * packages) feed the same two steps.
 */
#ifndef SLSEC_SECRETS_INTERNAL_H
#define SLSEC_SECRETS_INTERNAL_H

#include "scan_internal.h"

#include "slsec/detect.h"

typedef struct secret_hit {
    const slsec_detector *det;
    uint64_t offset;
    size_t length;
    char *secret;        /* heap copy, freed with the hits */
    int line, col;       /* 1-based, bytes */
    bool ignored;        /* `slsec:ignore <id> reason` on its line or the one above */
    char *ignore_reason; /* heap; "" when none was given */
} secret_hit;

typedef struct secret_hits {
    secret_hit *items;
    size_t n, cap;
    bool capped;         /* more than SLSEC_MAX_SECRETS_PER_FILE */
} secret_hits;

/* The pass's state while findings are made (main thread only). */
typedef struct secret_pass {
    slsec_scan_result *r;
    const slsec_scan_opts *opts;
    const bool *enabled;   /* per detector index */
    size_t ndet;
    const slsec_detector *dets;
    void **allow_res;      /* pcre2_code*, from .slsec.yml secrets.allow_regexes */
    size_t nallow_res;
    slsec_strmap *reported; /* "id\x1ffingerprint\x1ffile": what the working tree already reported */
} secret_pass;

/* Does the content look binary (a NUL byte in its first 8000 bytes, as git
 * decides)? */
bool secrets_binary(const char *data, size_t len);
/* Scans a buffer: hits of the enabled detectors, located and checked for
 * inline suppressions. sc: the calling thread's scanner, or NULL. */
void secrets_scan_buffer(slsec_detect_scanner *sc, const bool *enabled, const char *data, size_t len,
                         secret_hits *h);
void secrets_hits_free(secret_hits *h);
/* Findings for the hits of one input named `file` (as findings show it);
 * `where` is added to messages (" in commit abc1234 of 2024-05-01"), or
 * NULL. Returns how many were reported. */
size_t secrets_report(secret_pass *p, const char *file, const secret_hits *h, const char *where);

/* Deployment packages: every .zip/.jar among the walk's files and the
 * --artifact ones (secrets_archive.c). */
void secrets_scan_archive(secret_pass *p, const char *path, const char *shown);
/* Git history of the repository holding the root (secrets_git.c). */
void secrets_scan_git(secret_pass *p);

#endif
