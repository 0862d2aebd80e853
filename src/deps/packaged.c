/*
 * packaged.c — lockfiles inside the deployment packages functions ship.
 *
 * A function whose CodeUri (SAM) or Code (CloudFormation) names a .zip or
 * .jar in the scanned tree deploys exactly what that archive holds, so
 * the lockfiles in it are read as lockfiles of the tree are, named
 * "package.zip!/path/in/zip", and their findings relate to the functions
 * that deploy the package. The archive is read in memory through
 * libarchive and nothing is extracted. Entries under node_modules/ are
 * the dependencies' own lockfiles (npm ignores them) and are skipped.
 *
 * An archive outside the scanned root (an absolute CodeUri, or ../) is not
 * opened: slsec reads nothing the user did not point it at. The archive
 * limits of limits.h apply: entries per archive, bytes per entry and in
 * all, and the compression ratio past which it is a zip bomb.
 */
#include "deps_internal.h"

#include "slsec/limits.h"

#include <archive.h>
#include <archive_entry.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static bool is_package(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n > 4 && (strcasecmp(s + n - 4, ".zip") == 0 || strcasecmp(s + n - 4, ".jar") == 0);
}

/* The archive a function deploys, as a path inside the root, or NULL. */
static const char *package_path(slsec_arena *a, const char *root, const slsec_function *fn, const char **shown)
{
    if (!is_package(fn->code_uri) || !fn->loc.file || fn->code_uri[0] == '/' || strstr(fn->code_uri, "://"))
        return NULL;
    const char *tpl = fn->loc.file;
    const char *slash = strrchr(tpl, '/');
    const char *rel = slash ? slsec_arena_printf(a, "%.*s/%s", (int)(slash - tpl), tpl, fn->code_uri)
                            : fn->code_uri;
    while (rel[0] == '.' && rel[1] == '/')
        rel += 2;
    const char *path = slsec_arena_printf(a, "%s/%s", root, rel);
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

/* Reads the lockfiles of one archive into pkgs; returns how many. */
static size_t read_archive(slsec_deps_pass *p, const char *path, const char *shown, slsec_ptrvec *pkgs)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    struct archive *ar = archive_read_new();
    archive_read_support_format_zip(ar);
    if (archive_read_open_filename(ar, path, 64 * 1024) != ARCHIVE_OK) {
        slsec_diags_addf(p->warnings, SLSEC_DIAG_WARNING, shown, 0, 0,
                         "deployment package not read for lockfiles: %s",
                         archive_error_string(ar) ? archive_error_string(ar) : "not a zip archive");
        archive_read_free(ar);
        return 0;
    }
    uint64_t total = 0, compressed = st.st_size > 0 ? (uint64_t)st.st_size : 1;
    size_t entries = 0, found = 0;
    struct archive_entry *e;
    int rc;
    while ((rc = archive_read_next_header(ar, &e)) == ARCHIVE_OK) {
        if (++entries > SLSEC_MAX_ARCHIVE_ENTRIES) {
            slsec_diags_addf(p->warnings, SLSEC_DIAG_WARNING, shown, 0, 0,
                             "more than %u entries; the rest are not read for lockfiles",
                             (unsigned)SLSEC_MAX_ARCHIVE_ENTRIES);
            break;
        }
        const char *name = archive_entry_pathname(e);
        const char *base = name ? strrchr(name, '/') : NULL;
        base = base ? base + 1 : name;
        if (!name || archive_entry_filetype(e) != AE_IFREG || !slsec_lockfile_name(base) ||
            under_node_modules(name))
            continue;
        la_int64_t size = archive_entry_size(e);
        if (size < 0 || (uint64_t)size > SLSEC_MAX_ARCHIVE_ENTRY_BYTES || (uint64_t)size > SLSEC_MAX_LOCKFILE_BYTES) {
            slsec_diags_addf(p->warnings, SLSEC_DIAG_WARNING, shown, 0, 0, "%s: too large to read (%lld bytes)",
                             name, (long long)size);
            continue;
        }
        total += (uint64_t)size;
        if (total > SLSEC_MAX_ARCHIVE_BYTES || total / compressed > SLSEC_MAX_ARCHIVE_RATIO) {
            slsec_diags_addf(p->warnings, SLSEC_DIAG_WARNING, shown, 0, 0,
                             "expands past the archive limits (a zip bomb?); not read further for lockfiles");
            break;
        }
        char *data = malloc((size_t)size + 1);
        if (!data)
            slsec_oom();
        la_ssize_t got = archive_read_data(ar, data, (size_t)size);
        if (got != size) {
            slsec_diags_addf(p->warnings, SLSEC_DIAG_WARNING, shown, 0, 0, "%s: cannot read the entry: %s", name,
                             archive_error_string(ar) ? archive_error_string(ar) : "truncated");
            free(data);
            continue;
        }
        data[size] = '\0';
        const char *rel = slsec_arena_printf(p->arena, "%s!/%s", shown, name);
        slsec_lockfile_parse(p->arena, rel, data, (size_t)size, pkgs, p->warnings);
        free(data);
        found++;
    }
    if (rc != ARCHIVE_OK && rc != ARCHIVE_EOF)
        slsec_diags_addf(p->warnings, SLSEC_DIAG_WARNING, shown, 0, 0, "corrupt archive, read in part: %s",
                         archive_error_string(ar) ? archive_error_string(ar) : "unknown error");
    archive_read_free(ar);
    return found;
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
            found += read_archive(p, path, shown, pkgs);
        }
        slsec_ptrvec_push(p->arena, fns, (void *)fn);
    }
    return found;
}
