/*
 * pass.c — the scan's dependency pass: lockfiles in, DEP-001 findings out.
 *
 * One finding per vulnerable package entry and flaw (aliases merged), at
 * the lockfile line of the entry. Its severity is the advisory's (CVSS v3
 * base score, else the database's own rating, else the rule's); a package
 * the lockfile marks dev-only drops p->dev_drop levels (never below info;
 * the scan reads it from thresholds.dev_dependency_severity_drop). The fingerprint key is "ecosystem:name@version
 * advisory", so a finding keeps its identity when the lockfile is
 * reordered, and a new version of the package is a new finding.
 *
 * Functions whose code folder (CodeUri, relative to the template's
 * folder) holds the lockfile are related locations: the reader sees which
 * functions ship the package. Lockfiles inside the .zip/.jar packages
 * functions deploy are read too (packaged.c) and relate to those
 * functions.
 *
 * Without an index, one note says the dependency checks were skipped and
 * how to enable them — never silence — and lockfiles are still read, so
 * their warnings are not lost.
 */
#include "deps_internal.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* The folder part of a relative path ("" for none). */
static const char *folder_of(slsec_arena *a, const char *rel)
{
    const char *s = rel ? strrchr(rel, '/') : NULL;
    return s ? slsec_arena_strndup(a, rel, (size_t)(s - rel)) : "";
}

/* A function's code folder relative to the scanned root, or NULL when its
 * code is not in the tree (inline, S3, an image). */
static const char *code_folder(slsec_arena *a, const slsec_function *fn)
{
    const char *uri = fn->code_uri;
    if (!uri || !*uri || fn->inline_code || strcmp(uri, "inline") == 0 || strstr(uri, "://") ||
        slsec_str_has_suffix(uri, ".zip") || slsec_str_has_suffix(uri, ".jar"))
        return NULL;
    while (uri[0] == '.' && uri[1] == '/')
        uri += 2;
    size_t n = strlen(uri);
    while (n && uri[n - 1] == '/')
        n--;
    const char *tdir = folder_of(a, fn->loc.file);
    if (n == 0 || (n == 1 && uri[0] == '.'))
        return tdir;
    return *tdir ? slsec_arena_printf(a, "%s/%.*s", tdir, (int)n, uri) : slsec_arena_strndup(a, uri, n);
}

static bool holds(const char *folder, const char *file)
{
    size_t n = strlen(folder);
    return n == 0 || (strncmp(file, folder, n) == 0 && file[n] == '/');
}

static void join_list(slsec_buf *b, const slsec_ptrvec *v, const char *sep)
{
    for (size_t i = 0; i < v->count; i++) {
        if (i)
            slsec_buf_puts(b, sep);
        slsec_buf_puts(b, v->items[i]);
    }
}

static void report(slsec_deps_pass *p, slsec_check_ctx *ctx, const slsec_vuln *v, slsec_strmap *deployers)
{
    const slsec_package *pkg = v->pkg;
    slsec_buf msg;
    slsec_buf_init(&msg);
    slsec_buf_printf(&msg, "%s %s (%s, %s%s) is affected by %s", pkg->name, pkg->version,
                     slsec_ecosystem_name(pkg->eco), pkg->direct ? "direct" : "transitive or unknown",
                     pkg->dev ? ", dev only" : "", v->id);
    if (v->aliases.count) {
        slsec_buf_puts(&msg, " (");
        join_list(&msg, &v->aliases, ", ");
        slsec_buf_puts(&msg, ")");
    }
    if (v->summary && *v->summary)
        slsec_buf_printf(&msg, ": %.200s", v->summary);
    if (v->fixed.count) {
        slsec_buf_puts(&msg, "; fixed in ");
        join_list(&msg, &v->fixed, ", ");
    } else {
        slsec_buf_puts(&msg, "; no fixed version published");
    }
    char *key = slsec_arena_printf(p->arena, "%s:%s@%s %s", slsec_ecosystem_name(pkg->eco), pkg->name,
                                   pkg->version, v->id);
    const char *type = slsec_arena_printf(p->arena, "%s package", slsec_ecosystem_name(pkg->eco));
    slsec_finding *f = slsec_report(ctx, pkg->name, type, pkg->loc, key, "%s", msg.data);
    slsec_buf_free(&msg);
    slsec_severity sev = v->severity_known ? v->severity : ctx->rule->severity;
    for (int i = 0; pkg->dev && i < p->dev_drop && sev > SLSEC_SEV_INFO; i++)
        sev--;
    f->severity = sev;
    f->evidence = slsec_arena_printf(p->arena, "%s@%s", pkg->name, pkg->version);

    const char *bang = pkg->loc.file ? strstr(pkg->loc.file, "!/") : NULL;
    if (bang) {
        const char *archive = slsec_arena_strndup(p->arena, pkg->loc.file, (size_t)(bang - pkg->loc.file));
        const slsec_ptrvec *fns = slsec_strmap_get(deployers, archive);
        for (size_t i = 0; fns && i < fns->count; i++) {
            const slsec_function *fn = fns->items[i];
            slsec_finding_relate(f, fn->loc,
                                 slsec_arena_printf(p->arena, "function %s deploys %s, which holds this lockfile",
                                                    fn->id, archive));
        }
        return;
    }
    const slsec_app *app = p->app;
    for (size_t i = 0; app && i < app->functions.count; i++) {
        const slsec_function *fn = app->functions.items[i];
        const char *dir = code_folder(p->arena, fn);
        if (dir && pkg->loc.file && holds(dir, pkg->loc.file))
            slsec_finding_relate(f, fn->loc,
                                 slsec_arena_printf(p->arena, "function %s ships this lockfile's packages",
                                                    fn->id));
    }
}

void slsec_deps_run(slsec_deps_pass *p, const char *const *paths, const char *const *relpaths, size_t count)
{
    slsec_ptrvec all = {0}, pkgs = {0};
    for (size_t i = 0; i < count; i++)
        slsec_lockfile_read(p->arena, p->root, paths[i], relpaths[i], &all, p->warnings);
    slsec_strmap *deployers = slsec_strmap_new(p->arena);
    p->packaged_lockfiles = deps_read_packaged(p, &all, deployers);
    count += p->packaged_lockfiles;
    if (count == 0)
        return; /* nothing to check: no note about a missing index either */
    /* A requirements file included with -r is usually found by the walk
     * too: the same entry read twice is one package. */
    slsec_strmap *seen = slsec_strmap_new(p->arena);
    for (size_t i = 0; i < all.count; i++) {
        const slsec_package *pkg = all.items[i];
        char *key = slsec_arena_printf(p->arena, "%s:%d:%s@%s", pkg->loc.file, pkg->loc.line, pkg->name,
                                       pkg->version);
        if (slsec_strmap_get(seen, key))
            continue;
        slsec_strmap_put(seen, key, (void *)pkg);
        slsec_ptrvec_push(p->arena, &pkgs, (void *)pkg);
    }
    p->packages = pkgs.count;

    char def[PATH_MAX];
    const char *db_path = p->db_path;
    if (!db_path && slsec_osvdb_default_path(def, sizeof def) == SLSEC_OK)
        db_path = def;
    slsec_osvdb *db = NULL;
    slsec_diag err;
    struct stat st;
    if (!db_path || stat(db_path, &st) != 0) {
        slsec_diags_addf(p->warnings, SLSEC_DIAG_NOTE, "", 0, 0,
                         "dependency checks skipped: no advisory index at %s (%zu lockfile%s, %zu package%s "
                         "found); build one with `slsec db import npm-all.zip PyPI-all.zip` (osv.dev's "
                         "per-ecosystem zips) or pass --offline-db PATH",
                         db_path ? db_path : "$XDG_CACHE_HOME/slsec/osv.db", count, count == 1 ? "" : "s",
                         pkgs.count, pkgs.count == 1 ? "" : "s");
        return;
    }
    if (slsec_osvdb_open(db_path, &db, &err) != SLSEC_OK) {
        slsec_diags_addf(p->warnings, SLSEC_DIAG_WARNING, err.file, 0, 0, "%s; dependency checks skipped",
                         err.message);
        return;
    }
    p->checked = true;
    slsec_check_ctx ctx = {.app = p->app, .rule = slsec_rule_find("DEP-001"), .arena = p->arena,
                           .findings = p->findings};
    slsec_ptrvec vulns = {0};
    for (size_t i = 0; ctx.rule && i < pkgs.count; i++) {
        vulns.count = 0;
        slsec_osvdb_match(db, p->arena, pkgs.items[i], &vulns, p->warnings);
        for (size_t k = 0; k < vulns.count; k++)
            report(p, &ctx, vulns.items[k], deployers);
    }
    slsec_osvdb_close(db);
}
