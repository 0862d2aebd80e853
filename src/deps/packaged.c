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


/* The archive a function deploys, as a path inside the root, or NULL. */
static const char *package_path(slsec_arena *a, const char *root, const slsec_function *fn, const char **shown)
{
    if (!slsec_path_is_package(fn->code_uri) || fn->code_uri[0] == '/')
        return NULL;
    const char *path = slsec_function_code_path(a, root, fn);
    if (!path)
        return NULL;
    char real[PATH_MAX], real_root[PATH_MAX];
    if (!realpath(path, real) || !realpath(root, real_root))
        return NULL;
    size_t rn = strlen(real_root);
    if (strncmp(real, real_root, rn) != 0 || real[rn] != '/')
        return NULL; /* outside the scanned root */
    *shown = slsec_arena_strdup(a, real + rn + 1);
    return slsec_arena_strdup(a, real);
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
    size_t found = 0;
    for (size_t i = 0; i < p->app->functions.count; i++) {
        const slsec_function *fn = p->app->functions.items[i];
        const char *shown = NULL;
        const char *path = package_path(p->arena, p->root, fn, &shown);
        if (!path)
            continue;
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
