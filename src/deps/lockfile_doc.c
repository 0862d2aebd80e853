/*
 * lockfile_doc.c — the JSON and YAML lockfiles, read through src/doc so
 * every package keeps the line of its entry: package-lock.json and
 * npm-shrinkwrap.json (lockfileVersion 1, 2, 3), Pipfile.lock,
 * composer.lock and pnpm-lock.yaml (lockfileVersion 5 to 9).
 *
 * composer.lock: the "packages" and "packages-dev" arrays, each entry's
 * "name" and "version" (a leading 'v' kept: the order ignores it). Branch
 * checkouts ("dev-main", "1.x-dev") are not releases and are skipped.
 *
 * package-lock v2/v3: the "packages" map, keyed by install path. An entry
 * whose path has no node_modules/ segment is a workspace (the project's
 * own code); `link: true` entries point at one. The name is the entry's
 * "name" when given (npm aliases), else the path after the last
 * node_modules/. Direct: installed at the top (node_modules/NAME) and
 * listed by the root entry. Dev: `"dev": true`. Version 1 files have only
 * the nested "dependencies" tree; direct is not known there.
 *
 * pnpm: keys of `packages:` are `/name/version` (v5), `/name@version`
 * (v6) or `name@version` (v9), with peer suffixes `_peer@1` or `(peer@1)`.
 * Direct dependencies are those the root importer lists (`importers: .:`
 * from v6, top-level dependencies/devDependencies in v5).
 */
#include "deps_internal.h"

#include <string.h>

/* No lockfile holds NUL bytes or YAML directives (a '%' starting a line
 * cannot occur in JSON either), and libfyaml 0.7.12 can loop on some
 * malformed directives (found by fuzz_lockfile): refuse them up front. */
static bool plausible_text(lockctx *c, const char *data, size_t len)
{
    if (memchr(data, '\0', len)) {
        lock_warn(c, 0, 0, "not a lockfile: it holds NUL bytes");
        return false;
    }
    int line = 1;
    for (size_t i = 0; i < len; i++) {
        bool line_start = i == 0 || data[i - 1] == '\n' || data[i - 1] == '\r' ||
                          (i == 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0);
        if (data[i] == '%' && line_start) {
            lock_warn(c, line, 1, "not a lockfile of this kind: a YAML directive ('%%')");
            return false;
        }
        line += data[i] == '\n';
    }
    return true;
}

static int parse_doc(lockctx *c, slsec_arena *tmp, const char *data, size_t len, slsec_doc *doc)
{
    if (!plausible_text(c, data, len))
        return SLSEC_EPARSE;
    slsec_diag d;
    int rc = slsec_doc_parse(tmp, c->file, data, len, doc, &d);
    if (rc != SLSEC_OK) {
        lock_warn(c, d.line, d.col, "cannot read this lockfile: %s", d.message);
        return rc;
    }
    if (!slsec_node_is_map(doc->root)) {
        lock_warn(c, 0, 0, "not a lockfile of this kind: expected a mapping at the top");
        return SLSEC_EPARSE;
    }
    return SLSEC_OK;
}

static bool is_true(const slsec_node *n)
{
    bool b = false;
    return n && slsec_node_bool(n, &b) && b;
}

/* Does a root map list `name` under one of the dependency sections? */
static bool lists(const slsec_node *root, const char *name, bool *dev)
{
    static const char *const sections[] = {"dependencies", "optionalDependencies", "peerDependencies",
                                           "devDependencies"};
    for (size_t i = 0; i < 4; i++)
        if (slsec_node_get(slsec_node_get(root, sections[i]), name)) {
            if (dev)
                *dev = i == 3;
            return true;
        }
    return false;
}

/* ---- package-lock.json ------------------------------------------------------------ */

static bool npm_version_ok(const char *v)
{
    /* file:, link:, git+..., https://... are not registry versions. */
    return v && *v && !strchr(v, ':') && !strchr(v, '/');
}

static void npm_v1(lockctx *c, const slsec_node *deps, int depth)
{
    if (!slsec_node_is_map(deps) || depth > 64)
        return;
    for (size_t i = 0; i < deps->count; i++) {
        const slsec_node *k = deps->items[2 * i], *v = deps->items[2 * i + 1];
        const char *name = slsec_node_str(k);
        const char *ver = slsec_node_get_str(v, "version");
        if (name && ver && strncmp(ver, "npm:", 4) == 0) {
            /* an alias: "npm:real-name@1.2.3" */
            const char *at = strrchr(ver + 5, '@');
            if (at) {
                lock_add(c, SLSEC_ECO_NPM, ver + 4, (size_t)(at - ver - 4), at + 1, strlen(at + 1), (int)k->line,
                         (int)k->col, is_true(slsec_node_get(v, "dev")), false);
            }
        } else if (name && npm_version_ok(ver)) {
            lock_add(c, SLSEC_ECO_NPM, name, strlen(name), ver, strlen(ver), (int)k->line, (int)k->col,
                     is_true(slsec_node_get(v, "dev")), false);
        }
        npm_v1(c, slsec_node_get(v, "dependencies"), depth + 1);
    }
}

static void npm_packages(lockctx *c, const slsec_node *pkgs)
{
    const slsec_node *root = slsec_node_get(pkgs, "");
    for (size_t i = 0; i < pkgs->count; i++) {
        const slsec_node *k = pkgs->items[2 * i], *v = pkgs->items[2 * i + 1];
        const char *path = slsec_node_str(k);
        if (!path || !slsec_node_is_map(v) || is_true(slsec_node_get(v, "link")))
            continue;
        const char *last = NULL;
        for (const char *p = path; (p = strstr(p, "node_modules/")) != NULL; p += 13)
            last = p + 13;
        if (!last || !*last)
            continue; /* the root or a workspace */
        const char *name = slsec_node_get_str(v, "name");
        if (!name)
            name = last;
        const char *ver = slsec_node_get_str(v, "version");
        if (!npm_version_ok(ver))
            continue;
        bool top = last == path + 13;
        bool direct = top && lists(root, last, NULL);
        lock_add(c, SLSEC_ECO_NPM, name, strlen(name), ver, strlen(ver), (int)k->line, (int)k->col,
                 is_true(slsec_node_get(v, "dev")), direct);
    }
}

int lock_package_lock(lockctx *c, const char *data, size_t len)
{
    slsec_arena *tmp = slsec_arena_new();
    slsec_doc doc;
    int rc = parse_doc(c, tmp, data, len, &doc);
    if (rc == SLSEC_OK) {
        const slsec_node *pkgs = slsec_node_get(doc.root, "packages");
        const slsec_node *deps = slsec_node_get(doc.root, "dependencies");
        if (slsec_node_is_map(pkgs))
            npm_packages(c, pkgs);
        else if (slsec_node_is_map(deps))
            npm_v1(c, deps, 0);
        else if (!slsec_node_get(doc.root, "lockfileVersion")) {
            lock_warn(c, 0, 0, "not a package lock: no lockfileVersion, \"packages\" or \"dependencies\"");
            rc = SLSEC_EPARSE;
        }
    }
    slsec_arena_free(tmp);
    return rc;
}

/* ---- Pipfile.lock ---------------------------------------------------------------- */

int lock_pipfile_lock(lockctx *c, const char *data, size_t len)
{
    slsec_arena *tmp = slsec_arena_new();
    slsec_doc doc;
    int rc = parse_doc(c, tmp, data, len, &doc);
    if (rc == SLSEC_OK && !slsec_node_get(doc.root, "default") && !slsec_node_get(doc.root, "develop")) {
        lock_warn(c, 0, 0, "not a Pipfile.lock: no \"default\" or \"develop\" section");
        rc = SLSEC_EPARSE;
    }
    for (int dev = 0; rc == SLSEC_OK && dev < 2; dev++) {
        const slsec_node *sec = slsec_node_get(doc.root, dev ? "develop" : "default");
        for (size_t i = 0; slsec_node_is_map(sec) && i < sec->count; i++) {
            const slsec_node *k = sec->items[2 * i];
            const char *name = slsec_node_str(k);
            const char *ver = slsec_node_get_str(sec->items[2 * i + 1], "version");
            if (!name || !ver || strncmp(ver, "==", 2) != 0)
                continue; /* VCS and path installs have no version */
            ver += 2 + (ver[2] == '=');
            lock_add(c, SLSEC_ECO_PYPI, name, strlen(name), ver, strlen(ver), (int)k->line, (int)k->col, dev,
                     false);
        }
    }
    slsec_arena_free(tmp);
    return rc;
}

/* ---- composer.lock -------------------------------------------------------------- */

int lock_composer_lock(lockctx *c, const char *data, size_t len)
{
    slsec_arena *tmp = slsec_arena_new();
    slsec_doc doc;
    int rc = parse_doc(c, tmp, data, len, &doc);
    if (rc == SLSEC_OK && !slsec_node_get(doc.root, "packages") && !slsec_node_get(doc.root, "packages-dev")) {
        lock_warn(c, 0, 0, "not a composer.lock: no \"packages\" or \"packages-dev\" list");
        rc = SLSEC_EPARSE;
    }
    for (int dev = 0; rc == SLSEC_OK && dev < 2; dev++) {
        const slsec_node *list = slsec_node_get(doc.root, dev ? "packages-dev" : "packages");
        for (size_t i = 0; slsec_node_is_seq(list) && i < list->count; i++) {
            const slsec_node *entry = list->items[i];
            const char *name = slsec_node_get_str(entry, "name");
            const char *ver = slsec_node_get_str(entry, "version");
            if (!name || !ver || slsec_str_has_prefix(ver, "dev-") || slsec_str_has_suffix(ver, "-dev"))
                continue;
            lock_add(c, SLSEC_ECO_PACKAGIST, name, strlen(name), ver, strlen(ver), (int)entry->line,
                     (int)entry->col, dev, false);
        }
    }
    slsec_arena_free(tmp);
    return rc;
}

/* ---- pnpm-lock.yaml -------------------------------------------------------------- */

/* Splits a packages key into name and version; false when it names a
 * local or tarball package. */
static bool pnpm_key(const char *key, bool v5, const char **name, size_t *nlen, const char **ver, size_t *vlen)
{
    if (*key == '/')
        key++;
    size_t n = strcspn(key, "(");
    if (v5) {
        const char *scope_end = key[0] == '@' ? strchr(key, '/') : key;
        if (!scope_end)
            return false;
        const char *slash = strchr(scope_end + (key[0] == '@'), '/');
        if (!slash || slash == key)
            return false;
        *name = key;
        *nlen = (size_t)(slash - key);
        *ver = slash + 1;
        *vlen = strcspn(*ver, "_(");
    } else {
        const char *at = NULL;
        for (size_t i = 1; i < n; i++)
            if (key[i] == '@')
                at = key + i;
        if (!at)
            return false;
        *name = key;
        *nlen = (size_t)(at - key);
        *ver = at + 1;
        *vlen = n - *nlen - 1;
    }
    /* file:, link:, tarball URLs are not registry versions */
    for (size_t i = 0; i < *vlen; i++)
        if ((*ver)[i] == ':' || (*ver)[i] == '/')
            return false;
    return *nlen > 0 && *vlen > 0;
}

int lock_pnpm(lockctx *c, const char *data, size_t len)
{
    slsec_arena *tmp = slsec_arena_new();
    slsec_doc doc;
    int rc = parse_doc(c, tmp, data, len, &doc);
    const char *lv = rc == SLSEC_OK ? slsec_node_get_str(doc.root, "lockfileVersion") : NULL;
    if (rc == SLSEC_OK && !lv) {
        lock_warn(c, 0, 0, "not a pnpm-lock.yaml: no lockfileVersion");
        rc = SLSEC_EPARSE;
    }
    if (rc == SLSEC_OK) {
        bool v5 = lv[0] == '5' || (lv[0] == '\'' && lv[1] == '5');
        const slsec_node *importer = slsec_node_get(slsec_node_get(doc.root, "importers"), ".");
        if (!importer)
            importer = doc.root;
        const slsec_node *pkgs = slsec_node_get(doc.root, "packages");
        for (size_t i = 0; slsec_node_is_map(pkgs) && i < pkgs->count; i++) {
            const slsec_node *k = pkgs->items[2 * i], *v = pkgs->items[2 * i + 1];
            const char *key = slsec_node_str(k);
            const char *name, *ver;
            size_t nl, vl;
            if (!key || !pnpm_key(key, v5, &name, &nl, &ver, &vl))
                continue;
            char *nm = slsec_arena_strndup(tmp, name, nl);
            bool dev_direct = false;
            bool direct = lists(importer, nm, &dev_direct);
            bool dev = is_true(slsec_node_get(v, "dev")) || (direct && dev_direct);
            lock_add(c, SLSEC_ECO_NPM, name, nl, ver, vl, (int)k->line, (int)k->col, dev, direct);
        }
    }
    slsec_arena_free(tmp);
    return rc;
}
