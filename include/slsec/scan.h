/*
 * slsec/scan.h — the scan pipeline: discover, load, model, analyze, filter.
 *
 *   slsec_scan_opts opts; slsec_scan_opts_init(&opts);
 *   opts.paths = argv; opts.path_count = n;
 *   slsec_scan_result *r; int rc = slsec_scan_run(&opts, &r, &err);
 *   ... slsec_report_write(stdout, "json", r, &ropts) ...
 *   slsec_scan_result_free(r);
 *
 * The result owns everything (one arena): the app, the findings (sorted by
 * file, line, rule), the warnings met on the way, and the counts.
 */
#ifndef SLSEC_SCAN_H
#define SLSEC_SCAN_H

#include "slsec/rules.h"

#include <stdio.h>

/* One `ignore:` entry of .slsec.yml. */
typedef struct slsec_config_ignore {
    const char *rule_id;  /* glob: "IAM-*"; NULL = any rule */
    const char *resource; /* glob on logical ids; NULL = any */
    const char *path;     /* path glob; NULL = any */
    const char *reason;   /* NULL: reported as a suppression without reason */
    slsec_loc loc;
} slsec_config_ignore;

typedef struct slsec_severity_override {
    const char *rule_id;
    slsec_severity severity;
} slsec_severity_override;

/* .slsec.yml, see docs/configuration.md. */
typedef struct slsec_config {
    const char *file;           /* where it was read from, or NULL */
    bool fail_on_set;
    slsec_severity fail_on;
    slsec_ptrvec disabled_rules;  /* const char* globs */
    slsec_ptrvec only_rules;      /* const char* globs; empty = all */
    slsec_ptrvec severity_overrides; /* slsec_severity_override* */
    slsec_ptrvec ignore_paths;    /* const char* path globs */
    slsec_ptrvec ignores;         /* slsec_config_ignore* */
    slsec_settings settings;
    long dev_dependency_severity_drop; /* thresholds: levels a dev-only DEP finding drops (default 1) */
    /* `secrets:` (docs/secrets.md): files not scanned for secrets, and
     * secrets not reported (regexes on the secret, fingerprints) */
    slsec_ptrvec secret_allow_paths;        /* const char* path globs */
    slsec_ptrvec secret_allow_regexes;      /* const char* PCRE2 patterns */
    slsec_ptrvec secret_allow_fingerprints; /* const char* hex (32 or 64 digits) */
} slsec_config;

void slsec_config_init(slsec_config *cfg);
/* Reads a .slsec.yml into cfg (arena-owned). SLSEC_EPARSE/EUSAGE with d set. */
int slsec_config_load(slsec_arena *a, const char *path, slsec_config *cfg, slsec_diag *d);

typedef struct slsec_scan_opts {
    const char *const *paths;   /* files or folders; none = "." */
    size_t path_count;
    const char *config_path;    /* NULL: .slsec.yml in the (first) scanned root if present */
    bool no_config;
    const char *const *extra_disabled; /* --skip rule globs */
    size_t extra_disabled_count;
    const char *const *extra_only;     /* --rule rule globs */
    size_t extra_only_count;
    bool include_suppressed;    /* keep suppressed findings in the result (marked) */
    size_t max_file_bytes;      /* 0: SLSEC_MAX_TEMPLATE_BYTES */
    const char *offline_db;     /* advisory index for DEP findings; NULL: the user cache (deps.h) */
    const char *baseline_path;  /* findings whose fingerprint it lists are not reported (baseline.c) */
    bool no_secrets;            /* skip the secret pass (docs/secrets.md) */
    bool git_history;           /* also scan every blob reachable from the root repository's refs */
    const char *since;          /* with git_history: only commits after this revision */
    const char *const *artifacts; /* deployment packages (.zip/.jar) to scan besides those found */
    size_t artifact_count;
    const char *require_signatures; /* minisign public key: .zip packages must be signed by it (PIPE-006) */
    int jobs;                   /* threads for the secret and code passes; 0 = the number of cores */
    bool no_code;               /* skip the handler code pass (docs/code.md) */
    size_t max_code_bytes;      /* source files above this are not analysed; 0: SLSEC_MAX_CODE_BYTES */
    bool no_externals;          /* leave app->externals empty: the code's outbound calls are not listed
                                 * (docs/code.md), for a caller that will not show them */
    const char *const *serverless_options; /* ${opt:} values, "name=value", NULL-terminated; NULL: none */
} slsec_scan_opts;

void slsec_scan_opts_init(slsec_scan_opts *o);

typedef struct slsec_scan_result {
    slsec_arena *arena;
    slsec_app *app;
    slsec_config config;
    const char *root;           /* the scanned root that paths are relative to */
    slsec_ptrvec findings;      /* slsec_finding*, sorted; suppressed ones only if asked */
    slsec_diags warnings;       /* problems with inputs; the scan went on */
    size_t files_seen;          /* candidate files looked at */
    size_t templates;           /* templates loaded */
    size_t suppressed;          /* findings suppressed */
    size_t unknown_resources;
    size_t counts[5];           /* unsuppressed findings per slsec_severity */
    double seconds;
    size_t lockfiles;           /* lockfiles read by the dependency pass */
    bool deps_checked;          /* an advisory index was found and used for them */
    size_t packages;            /* packages they pin */
    slsec_ptrvec baselined;     /* slsec_finding* matched by the baseline: not reported, not counted */
    size_t text_files;          /* files the secret pass read */
    uint64_t text_bytes;        /* bytes it scanned (files, archive entries, git blobs) */
    size_t git_blobs;           /* distinct git blobs scanned */
    size_t code_files;          /* source files the code pass parsed */
    size_t code_handlers;       /* functions it analysed as handlers */
} slsec_scan_result;

/* Runs a scan. Returns SLSEC_OK when at least one input was scanned (the
 * warnings say what was not), SLSEC_EUSAGE for bad options or config,
 * SLSEC_EIO/EPARSE when nothing could be scanned (err says why).
 * *out is always set, whatever the return code (its warnings say what went
 * wrong with each input), and must be freed with slsec_scan_result_free. */
int slsec_scan_run(const slsec_scan_opts *opts, slsec_scan_result **out, slsec_diag *err);
void slsec_scan_result_free(slsec_scan_result *r);

/* ---- baselines (src/scan/baseline.c, docs/baselines.md) -------------------
 * A baseline is a JSON file listing the fingerprints of accepted findings
 * (with rule id, file and resource for people). Fingerprints hash rule,
 * file, resource and key, never the line, so a baseline survives edits
 * that move code. */
typedef struct slsec_baseline slsec_baseline;

/* Reads a baseline file into a (arena-owned). SLSEC_EIO/EPARSE with d set
 * (file, line, column and what was expected). */
int slsec_baseline_load(slsec_arena *a, const char *path, slsec_baseline **out, slsec_diag *d);
size_t slsec_baseline_count(const slsec_baseline *b);
/* Moves the findings of r that the baseline lists from r->findings to
 * r->baselined and takes them out of r->counts. Suppressed findings are
 * left alone. Returns how many were moved. */
size_t slsec_scan_apply_baseline(slsec_scan_result *r, const slsec_baseline *b);
/* Writes a baseline accepting every unsuppressed finding of r (reported or
 * already baselined), in a stable order. SLSEC_OK or SLSEC_EIO. */
int slsec_baseline_write(FILE *fp, const slsec_scan_result *r);

/* The worst severity among unsuppressed findings, or -1 when there are none. */
int slsec_scan_worst(const slsec_scan_result *r);

#endif
