/*
 * deps_internal.h — what the files of src/deps share: the reading context
 * every lockfile reader appends packages to, and the readers themselves
 * (lockfile.c picks one by file name; text formats live in lockfile.c,
 * JSON and YAML ones, read through src/doc for positions, in
 * lockfile_doc.c).
 */
#ifndef SLSEC_DEPS_INTERNAL_H
#define SLSEC_DEPS_INTERNAL_H

#include "slsec/deps.h"

typedef struct lockctx {
    slsec_arena *arena;
    const char *file;     /* relpath: the name in locations and warnings */
    const char *path;     /* what was opened (for -r includes), or NULL */
    const char *root;     /* the folder -r includes must stay in, or NULL */
    int depth;            /* of -r includes */
    slsec_ptrvec *pkgs;
    slsec_diags *warnings;
    size_t added;
} lockctx;

void lock_add(lockctx *c, slsec_ecosystem eco, const char *name, size_t namelen, const char *version,
              size_t verlen, int line, int col, bool dev, bool direct);
void lock_warn(lockctx *c, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* JSON and YAML lockfiles (lockfile_doc.c). Each returns SLSEC_OK or an
 * error after a warning saying why nothing could be read. */
int lock_package_lock(lockctx *c, const char *data, size_t len);
int lock_pipfile_lock(lockctx *c, const char *data, size_t len);
int lock_pnpm(lockctx *c, const char *data, size_t len);
int lock_composer_lock(lockctx *c, const char *data, size_t len);

/* pom.xml with literal versions (lockfile_pom.c). */
int lock_pom_xml(lockctx *c, const char *data, size_t len);

/* Compares two runs of digits as numbers, whatever their length (leading
 * zeros ignored): -1, 0 or 1 (version.c). */
int deps_cmp_digits(const char *a, size_t an, const char *b, size_t bn);

/* Version order for Maven and Packagist (version_jvm_php.c). */
int slsec_version_cmp_maven(const char *a, const char *b, int *out);
int slsec_version_cmp_packagist(const char *a, const char *b, int *out);

/* Lockfiles inside the deployment packages of p->app's functions
 * (packaged.c), appended to pkgs; deployers maps each package (as shown)
 * to the functions deploying it. Returns how many lockfiles were read. */
size_t deps_read_packaged(slsec_deps_pass *p, slsec_ptrvec *pkgs, slsec_strmap *deployers);

#endif
