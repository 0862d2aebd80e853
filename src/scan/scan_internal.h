/*
 * scan_internal.h — what the scan pipeline's files share: discovery
 * (walk.c) hands scan.c a list of inputs; config.c is reached through the
 * public slsec_config_load().
 *
 * Problems with inputs (a missing path, an unreadable folder, a broken or
 * looping link, a file over the size limit, a parse error) are warnings,
 * and each is also counted as a failure: a scan that loaded no template
 * but met failures has "nothing scannable" and returns the first of them.
 */
#ifndef SLSEC_SCAN_INTERNAL_H
#define SLSEC_SCAN_INTERNAL_H

#include <sys/types.h>

#include "slsec/scan.h"

/* One file to load. */
typedef struct scan_input {
    const char *path;    /* what to open (absolute, or as the user typed it) */
    const char *relpath; /* relative to the root: the name findings use */
    bool explicit_file;  /* named by the user: never silently skipped */
} scan_input;

typedef struct scan_walk {
    slsec_arena *arena;          /* inputs and paths live here */
    const char *root;            /* absolute, without trailing '/' ("/" itself excepted) */
    const slsec_ptrvec *ignore_paths; /* const char* path globs, relative to the root */
    size_t max_file_bytes;
    slsec_diags *warnings;
    slsec_ptrvec inputs;         /* scan_input*, in discovery order */
    slsec_ptrvec lockfiles;      /* scan_input*: lockfiles for the dependency pass (deps.h) */
    slsec_ptrvec deferred;       /* symbolic links to files, resolved after the walk */
    slsec_strmap *seen;          /* "dev:ino" of files already taken */
    size_t files;                /* candidates met (bounded by SLSEC_MAX_FILES) */
    bool files_capped;
    size_t failures;
    int first_code;              /* SLSEC_EIO or SLSEC_EPARSE */
    slsec_diag first_failure;
    bool want_texts;             /* also list every regular file for the secret pass */
    slsec_ptrvec texts;          /* scan_input*: files for the secret pass (secrets.c) */
    bool want_code;              /* also list JavaScript/TypeScript/Python sources (code.c) */
    const char *const *serverless_options; /* ${opt:} values for serverless.yml (slsec_scan_opts) */
    slsec_ptrvec code;           /* scan_input*: files for the code pass */
} scan_walk;

/* Records a problem with an input: a warning, counted as a failure; the
 * first one is kept for the error slsec_scan_run returns when nothing could
 * be scanned. */
void scan_fail(scan_walk *w, int code, const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
void scan_fail_diag(scan_walk *w, int code, const slsec_diag *d);

/* The root of a scan (see slsec_scan_run): an absolute path, plus the way
 * the user would write it ("." or "myapp") for messages about files in it
 * such as the configuration. Returns SLSEC_OK or SLSEC_EIO with d set. */
int scan_find_root(slsec_arena *a, const char *const *paths, size_t count, const char **root_abs,
                   const char **root_shown, slsec_diag *d);

/* Discovers the inputs under one path the user gave (file or folder). */
void scan_walk_path(scan_walk *w, const char *given);
/* Resolves the symbolic links met during the walk; call once, after every
 * path was walked, so real files come first and a link to one of them is
 * not loaded twice. */
void scan_walk_finish(scan_walk *w);

/* A path relative to the root when it lies inside it, else as given. */
const char *scan_relative(slsec_arena *a, const char *root, const char *abs, const char *given);

/* The secret pass (secrets.c): SECRET findings for w->texts (and git
 * history and archives when opts ask), appended to r->findings before
 * filtering. `enabled` says which SECRET rules run. */
void scan_secrets_run(slsec_scan_result *r, const slsec_scan_opts *opts, const scan_walk *w,
                      bool (*enabled)(const slsec_rule *rule, void *user), void *user);

/* The code pass (code.c, docs/code.md): CODE and LOG-1xx findings for
 * w->code, handlers resolved from r->app's functions, appended to
 * r->findings before filtering. */
void scan_code_run(slsec_scan_result *r, const slsec_scan_opts *opts, const scan_walk *w,
                   bool (*enabled)(const slsec_rule *rule, void *user), void *user);

/* PIPE-006 for .zip packages without a valid signature by
 * opts->require_signatures (signatures.c, docs/signing.md). */
void scan_signatures_run(slsec_scan_result *r, const slsec_scan_opts *opts,
                         bool (*enabled)(const slsec_rule *rule, void *user), void *user);

#endif
