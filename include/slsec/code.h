/*
 * slsec/code.h — handler code analysis: taint from a function's event to
 * dangerous sinks and to loggers, in JavaScript, TypeScript and Python,
 * on tree-sitter syntax trees (docs/code.md).
 *
 *   slsec_code_limits lim; slsec_code_limits_default(&lim);
 *   slsec_ptrvec hits = {0};
 *   slsec_code_analyze(arena, "src/app.js", SLSEC_CODE_JS, src, len, NULL, 0, &lim, NULL, &hits, NULL, &stats,
 *                      &warnings);
 *   ... each hits.items[i] is a slsec_code_hit ...
 *
 * Many files on one thread: slsec_code_session_new() once, then
 * slsec_code_session_analyze() for each (the same results, without a
 * parser made and freed per file).
 *
 * What is a handler: the functions `entries` names (resolved from the
 * templates by slsec_code_entries), or, when none are given, functions
 * with a conventional handler name (handler, lambda_handler, main, ...)
 * or an `event` first parameter. The handler's first parameter is
 * attacker-controlled, whatever trigger delivers it.
 *
 * Ownership: everything returned lives in the arena passed in. The
 * library never prints; problems with a file go to `warnings`.
 */
#ifndef SLSEC_CODE_H
#define SLSEC_CODE_H

#include "slsec/model.h"

typedef enum {
    SLSEC_CODE_NONE = 0,
    SLSEC_CODE_JS,
    SLSEC_CODE_TS,
    SLSEC_CODE_TSX,
    SLSEC_CODE_PY,
} slsec_code_lang;

/* The language of a source file by its name (.js .mjs .cjs .jsx .ts .mts
 * .cts .tsx .py); SLSEC_CODE_NONE for anything else, declaration files
 * (.d.ts) included. */
slsec_code_lang slsec_code_lang_of(const char *path);
const char *slsec_code_lang_name(slsec_code_lang lang);

typedef struct slsec_code_limits {
    size_t max_file_bytes;   /* larger files are skipped with a warning (minified bundles) */
    unsigned parse_micros;   /* tree-sitter's time budget per file */
    unsigned max_depth;      /* syntax-tree nesting the analysis descends into */
} slsec_code_limits;

void slsec_code_limits_default(slsec_code_limits *lim);

#define SLSEC_CODE_MAX_STEPS 8

/* One place on a data-flow path. */
typedef struct slsec_code_step {
    const char *file; /* NULL: the analysed file; else an imported one (relative to the root) */
    int line, col;    /* 1-based */
    const char *what;
} slsec_code_step;

/* One flow from the event to a sink (or one sensitive log call). */
typedef struct slsec_code_hit {
    const char *rule_id;  /* "CODE-001", "LOG-101", ... */
    const char *file;     /* NULL: the sink is in the analysed file; else the imported file holding it */
    int line, col;        /* the sink */
    const char *sink;     /* "child_process.exec" */
    const char *source;   /* the tainted expression as written: "event.body" */
    const char *handler;  /* the analysed function */
    const char *message;
    const char *key;      /* stable across line moves: handler, sink, source */
    slsec_code_step steps[SLSEC_CODE_MAX_STEPS]; /* source first, sink last */
    size_t nsteps;
} slsec_code_hit;

typedef struct slsec_code_stats {
    size_t files;        /* files parsed */
    size_t skipped;      /* files over the size limit or past the time budget */
    size_t handlers;     /* functions analysed as handlers */
    size_t parse_errors; /* files whose tree has errors (tolerated) */
    uint64_t bytes;
} slsec_code_stats;

/* ---- outbound integrations ----------------------------------------------------
 * The same walk lists what a file calls out to (docs/code.md, "Outbound
 * integrations"): AWS services through the SDKs (JavaScript v2 and v3,
 * boto3), with the API operation where the code names it, and the hosts
 * of http(s) URLs given to HTTP clients when the code fixes the host
 * (a literal, or a template literal / f-string / concatenation whose
 * constant start holds the whole host). It also lists the project files
 * the file imports, so a caller can follow calls made in helpers. */

typedef enum {
    SLSEC_CODE_CALL_AWS = 1, /* an AWS service through an SDK */
    SLSEC_CODE_CALL_HOST,    /* an HTTP host named by a URL the code fixes */
} slsec_code_call_kind;

typedef struct slsec_code_call {
    slsec_code_call_kind kind;
    const char *target;    /* the service by its IAM prefix ("s3", "states"), or the host ("api.stripe.com") */
    const char *operation; /* "PutObject"; NULL for a host, or when the code only makes a client */
    const char *via;       /* the call as the code names it, canonically: "@aws-sdk/client-s3.PutObjectCommand", "fetch" */
    int line, col;         /* 1-based: where the call starts */
} slsec_code_call;

#define SLSEC_CODE_IMPORT_PATHS 12

/* A file of the project the analysed file imports, as the relative paths
 * it may be, most likely first (`./db` is db.js, db.ts, ..., db/index.js). */
typedef struct slsec_code_import {
    const char *paths[SLSEC_CODE_IMPORT_PATHS];
    size_t npaths;
} slsec_code_import;

typedef struct slsec_code_outbound {
    slsec_ptrvec calls;   /* slsec_code_call*, in source order */
    slsec_ptrvec imports; /* slsec_code_import*, in source order */
    bool calls_capped;    /* SLSEC_MAX_CODE_CALLS was reached: later calls are not listed */
} slsec_code_outbound;

/* How the analysis reads other files of the project, to follow calls
 * into functions a handler imports (`require('./db')`, `from .db import
 * q`): `read` returns a malloc'd copy of the file at `relpath` (relative
 * to the root, already normalised, never climbing out of it) of at most
 * max_bytes, or NULL; the library frees it. */
typedef struct slsec_code_loader {
    char *(*read)(void *user, const char *relpath, size_t max_bytes, size_t *len);
    void *user;
} slsec_code_loader;

/* What the analysis keeps from one file to the next on a thread: a
 * tree-sitter parser per language and scratch space, made on first use.
 * Making a parser per file costs allocations for its stacks and tables
 * every time; a caller that analyses many files makes one session per
 * thread (a session is not to be shared between threads). */
typedef struct slsec_code_session slsec_code_session;

slsec_code_session *slsec_code_session_new(void);
/* NULL is a no-op. */
void slsec_code_session_free(slsec_code_session *s);

/* Analyses one source file. `entries` names the functions to treat as
 * handlers (NULL/0: the conventional ones). `loader` may be NULL (imports
 * are then not followed). Hits are appended to `hits` (slsec_code_hit*,
 * in source order); when `outbound` is not NULL, the file's outbound
 * calls and project imports are appended to it (the whole file counts,
 * not only its handlers). Returns SLSEC_OK, or SLSEC_EPARSE when the file
 * could not be parsed at all (a warning says why); a file with syntax
 * errors is still analysed as far as tree-sitter recovered. */
int slsec_code_analyze(slsec_arena *a, const char *relpath, slsec_code_lang lang, const char *src, size_t len,
                       const char *const *entries, size_t nentries, const slsec_code_limits *lim,
                       const slsec_code_loader *loader, slsec_ptrvec *hits, slsec_code_outbound *outbound,
                       slsec_code_stats *stats, slsec_diags *warnings);
/* The same with the parsers and scratch space of a session (see above). */
int slsec_code_session_analyze(slsec_code_session *s, slsec_arena *a, const char *relpath, slsec_code_lang lang,
                               const char *src, size_t len, const char *const *entries, size_t nentries,
                               const slsec_code_limits *lim, const slsec_code_loader *loader, slsec_ptrvec *hits,
                               slsec_code_outbound *outbound, slsec_code_stats *stats, slsec_diags *warnings);

/* A handler the templates name, resolved to a source file. */
typedef struct slsec_code_entry {
    const char *file;        /* relative to the root */
    const char *export_name; /* "handler" */
    const char *function_id; /* the model's function (logical id) */
    const slsec_function *function;
} slsec_code_entry;

/* Resolves every function's handler of `app` (Handler + CodeUri, the
 * Serverless `handler`, Terraform's `handler`) to files under `root`:
 * returns a map from relative file path to a slsec_ptrvec* of
 * slsec_code_entry* (one per function and export: two functions sharing
 * a handler each have their entry, the first one first). A handler whose file is not there is skipped in
 * silence (templates are often scanned without their code); `warnings` is
 * reserved for problems with the template itself. TypeScript sources next
 * to their compiled output (dist/, build/, lib/ → src/) count as the
 * handler too. */
slsec_strmap *slsec_code_entries(slsec_arena *a, const slsec_app *app, const char *root, slsec_diags *warnings);

#endif
