/*
 * packaged.c — lockfiles inside the deployment packages functions ship.
 *
 * A function whose CodeUri (SAM) or Code (CloudFormation) names a .zip or
 * .jar in the scanned tree deploys exactly what that archive holds, so
 * the lockfiles in it are read as lockfiles of the tree are, named
 * "package.zip!/path/in/zip", and their findings relate to the functions
 * that deploy the package. The archive is read in memory
 * (slsec_archive_each, within its limits) and nothing is extracted.
 * Entries under node_modules/ are the dependencies' own lockfiles (npm
 * ignores them) and are skipped.
 *
 * An archive outside the scanned root (an absolute CodeUri, or ../) is not
 * opened: slsec reads nothing the user did not point it at.
 */
#include "deps_internal.h"

#include "slsec/limits.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>


/* The archive a function deploys, as a real path inside the root, or NULL;
 * *shown is that path relative to the root. Functions of one service
 * usually share one package: each code path is resolved once (`seen`
 * maps it to its package_ref, or to the root itself when it has none). */
typedef struct package_ref {
    const char *real, *shown;
} package_ref;

static const package_ref *package_of(slsec_arena *a, const char *root, const char *real_root, slsec_strmap *seen,
                                     const slsec_function *fn)
{
    if (!slsec_path_is_package(fn->code_uri) || fn->code_uri[0] == '/')
        return NULL;
    const char *path = slsec_function_code_path(a, root, fn);
    if (!path)
        return NULL;
    const package_ref *known = slsec_strmap_get(seen, path);
    if (known)
        return known->real ? known : NULL;
    package_ref *ref = slsec_arena_alloc(a, sizeof *ref);
    slsec_strmap_put(seen, path, ref);
    char real[PATH_MAX];
    size_t rn = strlen(real_root);
    if (!realpath(path, real) || strncmp(real, real_root, rn) != 0 || real[rn] != '/')
        return NULL; /* missing, or outside the scanned root */
    ref->real = slsec_arena_strdup(a, real);
    ref->shown = ref->real + rn + 1;
    return ref;
}

static bool under_node_modules(const char *name)
{
    return strncmp(name, "node_modules/", 13) == 0 || strstr(name, "/node_modules/") != NULL;
}

typedef struct packaged_read {
    slsec_deps_pass *p;
    slsec_ptrvec *pkgs;
    size_t found;
} packaged_read;

static bool is_lockfile_entry(const char *name, void *user)
{
    (void)user;
    const char *base = strrchr(name, '/');
    return slsec_lockfile_name(base ? base + 1 : name) && !under_node_modules(name);
}

static void read_lockfile_entry(const char *entry_name, const char *data, size_t len, void *user)
{
    packaged_read *pr = user;
    if (len > SLSEC_MAX_LOCKFILE_BYTES) {
        slsec_diags_addf(pr->p->warnings, SLSEC_DIAG_WARNING, entry_name, 0, 0, "lockfile too large to read (%zu bytes)",
                         len);
        return;
    }
    const char *rel = slsec_arena_strdup(pr->p->arena, entry_name);
    slsec_lockfile_parse(pr->p->arena, rel, data, len, pr->pkgs, pr->p->warnings);
    pr->found++;
}

size_t deps_read_packaged(slsec_deps_pass *p, slsec_ptrvec *pkgs, slsec_strmap *deployers)
{
    if (!p->app || !p->root)
        return 0;
    char real_root[PATH_MAX];
    if (!realpath(p->root, real_root))
        return 0;
    size_t found = 0;
    slsec_strmap *seen = slsec_strmap_new(p->arena);
    for (size_t i = 0; i < p->app->functions.count; i++) {
        const slsec_function *fn = p->app->functions.items[i];
        const package_ref *pkg = package_of(p->arena, p->root, real_root, seen, fn);
        if (!pkg)
            continue;
        const char *path = pkg->real, *shown = pkg->shown;
        slsec_ptrvec *fns = slsec_strmap_get(deployers, shown);
        if (!fns) {
            fns = slsec_arena_alloc(p->arena, sizeof *fns);
            slsec_strmap_put(deployers, shown, fns);
            packaged_read pr = {.p = p, .pkgs = pkgs};
            slsec_archive_each(path, shown, is_lockfile_entry, read_lockfile_entry, &pr, p->warnings);
            found += pr.found;
        }
        slsec_ptrvec_push(p->arena, fns, (void *)fn);
    }
    return found;
}
