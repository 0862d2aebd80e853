/*
 * scan.c — the scan pipeline: configuration, discovery (walk.c), loading,
 * analysis and filtering, into one slsec_scan_result.
 *
 * Loading is gated twice before a template costs anything: a byte test
 * (slsec_cfn_sniff) on every candidate, then a parse and a structural test
 * (slsec_cfn_is_template). A data file that is not a template is skipped in
 * silence; one that looks like a template but does not parse is a warning
 * with its line and column. A file the user named is held to more: it must
 * be a template, so any failure to load it is reported.
 * Terraform plans are gated the same way (slsec_tfplan_sniff, then
 * slsec_tfplan_is_plan); a file that reads like a plan but is no JSON
 * object is reported as a broken plan, not skipped.
 * Serverless Framework configurations likewise (slsec_serverless_sniff,
 * then slsec_serverless_is_config); their ${file()} variables may read
 * only inside the scanned root.
 *
 * Each document is parsed into an arena of its own, kept only when the
 * template was loaded (the model points into it): JSON data files that
 * happen to mention AWS:: leave nothing behind.
 *
 * Filtering, in order: severity overrides from the configuration;
 * suppressions from the template (Metadata.slsec.ignore on the resource
 * the finding is about, in the same file) and from the configuration
 * (`ignore:` entries matching rule, resource and path). A suppression
 * without a reason still suppresses, and is itself reported as PIPE-003 at
 * the suppression's place; a PIPE-003 finding can only be silenced by an
 * ignore that gives a reason, so `id: "*"` cannot hide its own report.
 * Last, findings a baseline lists (opts->baseline_path, baseline.c) move
 * to result->baselined: not reported, not counted.
 *
 * The library never prints: every problem ends in result->warnings or err.
 */
#include "scan_internal.h"

#include "slsec/deps.h"
#include "slsec/limits.h"
#include "slsec/load.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

/* The result and what it owns besides the arena; the public part first so
 * slsec_scan_result_free can find the rest. */
typedef struct scan_state {
    slsec_scan_result pub;
    slsec_arena **docs; /* per-document arenas of the loaded templates */
    size_t ndocs, capdocs;
} scan_state;

void slsec_scan_opts_init(slsec_scan_opts *o) { memset(o, 0, sizeof *o); }

void slsec_scan_result_free(slsec_scan_result *r)
{
    if (!r)
        return;
    scan_state *s = (scan_state *)r;
    for (size_t i = 0; i < s->ndocs; i++)
        slsec_arena_free(s->docs[i]);
    free(s->docs);
    slsec_diags_clear(&r->warnings);
    slsec_app_free(r->app);
    free(s);
}

int slsec_scan_worst(const slsec_scan_result *r)
{
    if (!r)
        return -1;
    for (int s = SLSEC_SEV_CRITICAL; s >= SLSEC_SEV_INFO; s--)
        if (r->counts[s])
            return s;
    return -1;
}

static void keep_doc(scan_state *s, slsec_arena *a)
{
    if (s->ndocs == s->capdocs) {
        s->capdocs = s->capdocs ? s->capdocs * 2 : 8;
        slsec_arena **more = realloc(s->docs, s->capdocs * sizeof *more);
        if (!more)
            slsec_oom();
        s->docs = more;
    }
    s->docs[s->ndocs++] = a;
}

/* ---- loading ------------------------------------------------------------------ */

/* A serverless.yml: its ${file()} variables may read files inside the
 * scanned root only, both paths taken without symbolic links. */
static int load_serverless(slsec_scan_result *r, scan_walk *w, const scan_input *in, const slsec_doc *doc,
                           slsec_diag *d)
{
    char root[PATH_MAX], dir[PATH_MAX];
    char *slash = strrchr(in->path, '/');
    char *folder = slash ? slsec_arena_strndup(w->arena, in->path, (size_t)(slash - in->path + 1))
                         : slsec_arena_strdup(w->arena, ".");
    slsec_serverless_opts o = {0};
    o.options = w->serverless_options;
    o.root = realpath(w->root, root) ? root : NULL;
    o.dir = realpath(folder, dir) ? dir : NULL;
    return slsec_load_serverless(r->app, doc, in->relpath, &o, &r->warnings, d);
}

static void load_input(scan_state *s, scan_walk *w, const scan_input *in, size_t max_bytes)
{
    slsec_scan_result *r = &s->pub;
    slsec_diag d;
    char *data;
    size_t len;
    int rc = slsec_read_file(in->path, max_bytes, &data, &len, &d);
    if (rc != SLSEC_OK) {
        snprintf(d.file, sizeof d.file, "%s", in->relpath);
        scan_fail_diag(w, SLSEC_EIO, &d);
        return;
    }
    bool tf_sniffed = slsec_tfplan_sniff(data, len);
    if (!in->explicit_file && !slsec_cfn_sniff(data, len) && !slsec_serverless_sniff(data, len) && !tf_sniffed) {
        free(data);
        return;
    }
    slsec_arena *da = slsec_arena_new();
    slsec_doc doc;
    rc = slsec_doc_parse(da, in->relpath, data, len, &doc, &d);
    free(data);
    if (rc != SLSEC_OK) {
        scan_fail_diag(w, SLSEC_EPARSE, &d);
        slsec_arena_free(da);
        return;
    }
    bool serverless = slsec_serverless_is_config(doc.root);
    /* A document that reads like a plan but is no object is a broken plan. */
    bool tfplan = !serverless && tf_sniffed && (slsec_tfplan_is_plan(doc.root) || !slsec_node_is_map(doc.root));
    if (!in->explicit_file && !serverless && !tfplan && !slsec_cfn_is_template(doc.root)) {
        slsec_arena_free(da);
        return;
    }
    /* For a named file that is no template, the loader says why. */
    if (serverless)
        rc = load_serverless(r, w, in, &doc, &d);
    else if (tfplan)
        rc = slsec_load_tfplan(r->app, &doc, in->relpath, &r->warnings, &d);
    else
        rc = slsec_load_cfn(r->app, &doc, in->relpath, &r->warnings, &d);
    keep_doc(s, da);
    if (rc != SLSEC_OK) {
        scan_fail_diag(w, SLSEC_EPARSE, &d);
        return;
    }
    r->templates++;
}

/* ---- which rules run ------------------------------------------------------------ */

typedef struct rule_filter {
    const slsec_config *cfg;
    const slsec_scan_opts *opts;
} rule_filter;

static bool in_globs(const char *const *globs, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (slsec_glob_match_ci(globs[i], id))
            return true;
    return false;
}

/* --skip always wins; --rule picks rules even against the configuration's
 * disable list (the command line is the more specific wish); otherwise the
 * configuration's disable and only lists apply. */
static bool rule_enabled(const slsec_rule *rule, void *user)
{
    const rule_filter *f = user;
    if (in_globs(f->opts->extra_disabled, f->opts->extra_disabled_count, rule->id))
        return false;
    if (f->opts->extra_only_count)
        return in_globs(f->opts->extra_only, f->opts->extra_only_count, rule->id);
    const slsec_config *c = f->cfg;
    if (in_globs((const char *const *)c->disabled_rules.items, c->disabled_rules.count, rule->id))
        return false;
    if (c->only_rules.count)
        return in_globs((const char *const *)c->only_rules.items, c->only_rules.count, rule->id);
    return true;
}

static bool is_glob(const char *s) { return strpbrk(s, "*?") != NULL; }

static int check_rule_globs(const char *const *ids, size_t n, const char *what, slsec_diag *err)
{
    for (size_t i = 0; i < n; i++) {
        if (!ids[i] || !*ids[i]) {
            slsec_diag_set(err, SLSEC_DIAG_ERROR, NULL, 0, 0, "empty rule id in the rules to %s", what);
            return SLSEC_EUSAGE;
        }
        if (!is_glob(ids[i]) && !slsec_rule_find(ids[i])) {
            slsec_diag_set(err, SLSEC_DIAG_ERROR, NULL, 0, 0,
                           "unknown rule %s in the rules to %s (`slsec rules` lists them all)", ids[i],
                           what);
            return SLSEC_EUSAGE;
        }
    }
    return SLSEC_OK;
}

/* ---- suppressions ----------------------------------------------------------------- */

static bool same_file(const char *a, const char *b)
{
    return a && b ? strcmp(a, b) == 0 : a == b;
}

/* Model objects whose id is not a template resource's (SAM's implicit
 * role "<Function>Role" carries its function's resource), by "file\x1fid":
 * built once per scan, so finding a finding's resource stays O(1). */
static slsec_strmap *derived_ids(const slsec_scan_result *r)
{
    const slsec_app *app = r->app;
    slsec_strmap *m = slsec_strmap_new(r->arena);
#define ADD(vec, type)                                                                       \
    for (size_t i = 0; i < app->vec.count; i++) {                                           \
        const type *o = app->vec.items[i];                                                  \
        if (!o->id || !o->resource)                                                         \
            continue;                                                                       \
        char *key = slsec_arena_printf(r->arena, "%s\x1f%s",                                \
                                       o->resource->loc.file ? o->resource->loc.file : "", o->id); \
        if (!slsec_strmap_get(m, key))                                                      \
            slsec_strmap_put(m, key, o->resource);                                          \
    }
    ADD(roles, slsec_role)
    ADD(functions, slsec_function)
    ADD(apis, slsec_api)
    ADD(stores, slsec_store)
    ADD(security_groups, slsec_security_group)
#undef ADD
    return m;
}

/* The template resource a finding is about: by logical id in its file, or
 * through the model object of that id. */
static const slsec_resource *finding_resource(const slsec_app *app, const slsec_strmap *derived,
                                              const slsec_finding *f)
{
    if (!f->resource)
        return NULL;
    const slsec_resource *res = slsec_app_resource(app, f->loc.file, f->resource);
    if (res)
        return res;
    char key[1024];
    snprintf(key, sizeof key, "%s\x1f%s", f->loc.file ? f->loc.file : "", f->resource);
    return slsec_strmap_get(derived, key);
}

static bool config_ignore_matches(const slsec_config_ignore *ig, const slsec_finding *f)
{
    if (ig->rule_id && !slsec_glob_match_ci(ig->rule_id, f->rule->id))
        return false;
    if (ig->resource && !(f->resource && slsec_glob_match_ci(ig->resource, f->resource)))
        return false;
    if (ig->path && !(f->loc.file && slsec_path_glob_match(ig->path, f->loc.file)))
        return false;
    return true;
}

static void suppress(slsec_scan_result *r, const slsec_strmap *derived, slsec_finding *f,
                     const slsec_rule *pipe3)
{
    const slsec_resource *res = finding_resource(r->app, derived, f);
    bool self_report = f->rule == pipe3;
    for (size_t i = 0; res && i < res->ignores.count; i++) {
        const slsec_ignore *ig = res->ignores.items[i];
        if (!ig->rule_id || !slsec_glob_match_ci(ig->rule_id, f->rule->id))
            continue;
        if (!ig->reason && self_report)
            continue;
        f->suppressed = true;
        f->suppression = ig->reason ? slsec_arena_printf(r->arena, "template metadata: %s", ig->reason)
                                    : "template metadata (no reason given)";
        return;
    }
    for (size_t i = 0; i < r->config.ignores.count; i++) {
        const slsec_config_ignore *ig = r->config.ignores.items[i];
        if (!config_ignore_matches(ig, f) || (!ig->reason && self_report))
            continue;
        f->suppressed = true;
        f->suppression =
            ig->reason ? slsec_arena_printf(r->arena, "configuration %s:%d: %s", ig->loc.file, ig->loc.line,
                                            ig->reason)
                       : slsec_arena_printf(r->arena, "configuration %s:%d (no reason given)",
                                            ig->loc.file, ig->loc.line);
        return;
    }
}

static bool reported_at(const slsec_ptrvec *findings, const slsec_rule *rule, slsec_loc loc)
{
    for (size_t i = 0; i < findings->count; i++) {
        const slsec_finding *f = findings->items[i];
        if (f->rule == rule && f->loc.line == loc.line && f->loc.col == loc.col &&
            same_file(f->loc.file, loc.file))
            return true;
    }
    return false;
}

/* PIPE-003: every suppression without a reason, once, where it is written. */
static void report_reasonless(slsec_scan_result *r, const slsec_rule *pipe3)
{
    slsec_check_ctx ctx = {.app = r->app, .settings = &r->config.settings, .rule = pipe3,
                           .arena = r->arena, .findings = &r->findings};
    for (size_t i = 0; i < r->app->resources.count; i++) {
        const slsec_resource *res = r->app->resources.items[i];
        for (size_t k = 0; k < res->ignores.count; k++) {
            const slsec_ignore *ig = res->ignores.items[k];
            if (ig->reason || reported_at(&r->findings, pipe3, ig->loc))
                continue;
            slsec_report(&ctx, res->id, res->type, ig->loc, ig->rule_id,
                         "%s suppresses %s without a reason (Metadata.slsec.ignore): say why, or fix "
                         "the finding",
                         res->id, ig->rule_id);
        }
    }
    for (size_t i = 0; i < r->config.ignores.count; i++) {
        const slsec_config_ignore *ig = r->config.ignores.items[i];
        if (ig->reason || reported_at(&r->findings, pipe3, ig->loc))
            continue;
        char what[256];
        snprintf(what, sizeof what, "%s%s%s%s%s", ig->rule_id ? ig->rule_id : "every rule",
                 ig->resource ? " on " : "", ig->resource ? ig->resource : "", ig->path ? " in " : "",
                 ig->path ? ig->path : "");
        char key[300];
        snprintf(key, sizeof key, "config:%s|%s|%s", ig->rule_id ? ig->rule_id : "",
                 ig->resource ? ig->resource : "", ig->path ? ig->path : "");
        slsec_report(&ctx, NULL, NULL, ig->loc, key,
                     "%s ignores %s without a reason: add `reason:` to the entry", ig->loc.file, what);
    }
}

static void override_severity(const slsec_config *cfg, slsec_finding *f)
{
    const slsec_severity_override *glob = NULL;
    for (size_t i = 0; i < cfg->severity_overrides.count; i++) {
        const slsec_severity_override *o = cfg->severity_overrides.items[i];
        if (!is_glob(o->rule_id)) {
            if (strcasecmp(o->rule_id, f->rule->id) == 0) {
                f->severity = o->severity;
                return;
            }
        } else if (slsec_glob_match_ci(o->rule_id, f->rule->id)) {
            glob = o; /* the last matching glob wins, unless an exact id is given */
        }
    }
    if (glob)
        f->severity = glob->severity;
}

static int cmp_str(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int by_place(const void *pa, const void *pb)
{
    const slsec_finding *a = *(const slsec_finding *const *)pa, *b = *(const slsec_finding *const *)pb;
    int c = cmp_str(a->loc.file, b->loc.file);
    if (c)
        return c;
    if (a->loc.line != b->loc.line)
        return a->loc.line < b->loc.line ? -1 : 1;
    if (a->loc.col != b->loc.col)
        return a->loc.col < b->loc.col ? -1 : 1;
    if ((c = strcmp(a->rule->id, b->rule->id)))
        return c;
    if ((c = cmp_str(a->resource, b->resource)))
        return c;
    if ((c = cmp_str(a->key, b->key)))
        return c;
    return cmp_str(a->message, b->message);
}

static void filter(slsec_scan_result *r, const slsec_scan_opts *opts, const rule_filter *rf)
{
    /* Unknown ids in template suppressions suppress nothing: say so. */
    for (size_t i = 0; i < r->app->resources.count; i++) {
        const slsec_resource *res = r->app->resources.items[i];
        for (size_t k = 0; k < res->ignores.count; k++) {
            const slsec_ignore *ig = res->ignores.items[k];
            if (ig->rule_id && !is_glob(ig->rule_id) && !slsec_rule_find(ig->rule_id))
                slsec_diags_addf(&r->warnings, SLSEC_DIAG_WARNING, ig->loc.file, ig->loc.line,
                                 ig->loc.col, "%s: Metadata.slsec.ignore names unknown rule %s; it "
                                 "suppresses nothing", res->id, ig->rule_id);
        }
    }

    const slsec_rule *pipe3 = slsec_rule_find("PIPE-003");
    if (pipe3 && rule_enabled(pipe3, (void *)rf))
        report_reasonless(r, pipe3);

    const slsec_strmap *derived = derived_ids(r);
    size_t kept = 0;
    for (size_t i = 0; i < r->findings.count; i++) {
        slsec_finding *f = r->findings.items[i];
        if (!f || !f->rule)
            continue;
        override_severity(&r->config, f);
        suppress(r, derived, f, pipe3);
        if (f->suppressed) {
            r->suppressed++;
            if (!opts->include_suppressed)
                continue;
        } else if ((unsigned)f->severity <= SLSEC_SEV_CRITICAL) {
            r->counts[f->severity]++;
        }
        r->findings.items[kept++] = f;
    }
    r->findings.count = kept;
    if (kept > 1)
        qsort(r->findings.items, kept, sizeof *r->findings.items, by_place);
}

/* Warnings in file order, then line and column; the order they were met
 * breaks ties, so one file's loader warnings keep their sequence. */
typedef struct indexed_diag {
    const slsec_diag *d;
    size_t i;
} indexed_diag;

static int by_diag_place(const void *pa, const void *pb)
{
    const indexed_diag *a = pa, *b = pb;
    int c = strcmp(a->d->file, b->d->file);
    if (c)
        return c;
    if (a->d->line != b->d->line)
        return a->d->line < b->d->line ? -1 : 1;
    if (a->d->col != b->d->col)
        return a->d->col < b->d->col ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

static void sort_warnings(slsec_diags *w)
{
    if (w->count < 2)
        return;
    indexed_diag *idx = malloc(w->count * sizeof *idx);
    slsec_diag *sorted = malloc(w->count * sizeof *sorted);
    if (!idx || !sorted)
        slsec_oom();
    for (size_t i = 0; i < w->count; i++)
        idx[i] = (indexed_diag){&w->items[i], i};
    qsort(idx, w->count, sizeof *idx, by_diag_place);
    for (size_t i = 0; i < w->count; i++)
        sorted[i] = *idx[i].d;
    memcpy(w->items, sorted, w->count * sizeof *sorted);
    free(sorted);
    free(idx);
}

/* ---- the pipeline ------------------------------------------------------------------- */

/* The dependency pass (src/deps, docs/dependencies.md): DEP findings for
 * the lockfiles the walk found, filtered afterwards like any other. */
static void run_deps(slsec_scan_result *r, const slsec_scan_opts *opts, const scan_walk *w, rule_filter *rf)
{
    const slsec_rule *dep = slsec_rule_find("DEP-001");
    size_t n = w->lockfiles.count;
    /* Even without lockfiles in the tree: the deployment packages the
     * functions name may hold some. */
    if (!dep || !rule_enabled(dep, rf))
        return;
    const char **paths = slsec_arena_alloc(r->arena, n * sizeof *paths);
    const char **rels = slsec_arena_alloc(r->arena, n * sizeof *rels);
    for (size_t i = 0; i < n; i++) {
        const scan_input *in = w->lockfiles.items[i];
        paths[i] = in->path;
        rels[i] = in->relpath;
    }
    slsec_deps_pass p = {.app = r->app, .root = r->root, .db_path = opts->offline_db,
                         .dev_drop = (int)r->config.dev_dependency_severity_drop, .arena = r->arena,
                         .findings = &r->findings, .warnings = &r->warnings};
    slsec_deps_run(&p, paths, rels, n);
    r->lockfiles = n + p.packaged_lockfiles;
    r->deps_checked = p.checked;
    r->packages = p.packages;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int load_config(slsec_scan_result *r, const slsec_scan_opts *opts, const char *shown,
                       slsec_diag *err)
{
    if (opts->no_config)
        return SLSEC_OK;
    const char *path = opts->config_path;
    if (!path) {
        const char *guess = strcmp(shown, ".") == 0
                                ? ".slsec.yml"
                                : slsec_arena_printf(r->arena, "%s%s.slsec.yml", shown,
                                                     slsec_str_has_suffix(shown, "/") ? "" : "/");
        struct stat st;
        if (stat(guess, &st) != 0)
            return SLSEC_OK;
        path = guess;
    }
    int rc = slsec_config_load(r->arena, path, &r->config, err);
    if (rc != SLSEC_OK)
        return SLSEC_EUSAGE;
    /* Findings about the configuration (PIPE-003) name it like any file:
     * relative to the root when it is inside. */
    char *abs = realpath(path, NULL);
    const char *rel = scan_relative(r->arena, r->root, abs, path);
    free(abs);
    for (size_t i = 0; i < r->config.ignores.count; i++)
        ((slsec_config_ignore *)r->config.ignores.items[i])->loc.file = rel;
    return SLSEC_OK;
}

int slsec_scan_run(const slsec_scan_opts *opts, slsec_scan_result **out, slsec_diag *err)
{
    double start = now();
    scan_state *s = calloc(1, sizeof *s);
    if (!s)
        slsec_oom();
    slsec_scan_result *r = &s->pub;
    *out = r;
    r->app = slsec_app_new();
    r->arena = r->app->arena;
    slsec_config_init(&r->config);

    static const char *const here[] = {"."};
    const char *const *paths = opts->path_count ? opts->paths : here;
    size_t npaths = opts->path_count ? opts->path_count : 1;
    size_t max_bytes = opts->max_file_bytes ? opts->max_file_bytes : SLSEC_MAX_TEMPLATE_BYTES;

    const char *shown;
    int rc = scan_find_root(r->arena, paths, npaths, &r->root, &shown, err);
    if (rc != SLSEC_OK)
        return rc;
    if ((rc = load_config(r, opts, shown, err)) != SLSEC_OK)
        return rc;
    slsec_baseline *baseline = NULL;
    if (opts->baseline_path && slsec_baseline_load(r->arena, opts->baseline_path, &baseline, err) != SLSEC_OK)
        return SLSEC_EUSAGE; /* a bad baseline is a bad option: nothing is scanned */
    if ((rc = check_rule_globs(opts->extra_disabled, opts->extra_disabled_count, "skip", err)) ||
        (rc = check_rule_globs(opts->extra_only, opts->extra_only_count, "run", err)))
        return rc;

    scan_walk w = {.arena = r->arena, .root = r->root, .ignore_paths = &r->config.ignore_paths,
                   .max_file_bytes = max_bytes, .warnings = &r->warnings, .want_texts = !opts->no_secrets,
                   .want_code = !opts->no_code, .serverless_options = opts->serverless_options};
    for (size_t i = 0; i < npaths; i++)
        scan_walk_path(&w, paths[i] && *paths[i] ? paths[i] : ".");
    scan_walk_finish(&w);
    for (size_t i = 0; i < w.inputs.count; i++)
        load_input(s, &w, w.inputs.items[i], max_bytes);
    r->files_seen = w.inputs.count;
    r->unknown_resources = r->app->unknown_resources;

    if (r->templates == 0 && w.lockfiles.count == 0 && w.code.count == 0 && w.failures) {
        if (err)
            *err = w.first_failure;
        sort_warnings(&r->warnings);
        r->seconds = now() - start;
        return w.first_code ? w.first_code : SLSEC_EIO;
    }

    rule_filter rf = {.cfg = &r->config, .opts = opts};
    slsec_rules_run(r->app, &r->config.settings, r->arena, rule_enabled, &rf, &r->findings);
    run_deps(r, opts, &w, &rf);
    scan_secrets_run(r, opts, &w, rule_enabled, &rf); /* secrets.c, docs/secrets.md */
    scan_signatures_run(r, opts, rule_enabled, &rf);   /* signatures.c, docs/signing.md */
    scan_code_run(r, opts, &w, rule_enabled, &rf);     /* code.c, docs/code.md */
    filter(r, opts, &rf);
    slsec_scan_apply_baseline(r, baseline);
    sort_warnings(&r->warnings);
    r->seconds = now() - start;
    return SLSEC_OK;
}
