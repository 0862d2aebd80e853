/*
 * lockfile.c — which files are lockfiles, and the readers of the text
 * formats: requirements*.txt, yarn.lock (v1 and Berry), the [[package]]
 * tables of poetry.lock, uv.lock and Cargo.lock, go.mod and go.sum. The
 * JSON and YAML formats are in lockfile_doc.c.
 *
 * The text formats are read line by line, without a general parser: each
 * reader knows the few keys it needs and where they sit, and skips the
 * rest, so a line it does not understand costs nothing and a hostile file
 * can at worst yield odd package names. Every package keeps the line it
 * was declared on.
 *
 * What counts as a dependency:
 *   requirements — `name==version` or `name===version` lines (extras,
 *     markers, hashes and continuations allowed); ranges are not pinned
 *     and are skipped; `-r FILE` includes are followed when FILE stays in
 *     the scanned root (depth 8). A file named *dev* or *test* holds dev
 *     dependencies.
 *   yarn.lock — every entry; the name from its first descriptor (an alias
 *     `a@npm:b@^1` names b); workspace and link entries are local code.
 *   poetry/uv/Cargo — every [[package]]; uv's virtual/editable sources and
 *     Cargo's source-less entries are the project's own crates or code.
 *     poetry's `category = "dev"` (or groups without "main") marks dev.
 *   go.mod — require lines; `// indirect` marks transitive ones.
 *   go.sum — module lines, only when no go.mod sits beside it (go.mod is
 *     the better source: go.sum also lists modules the build never uses).
 *   composer.lock, pom.xml — see lockfile_doc.c and lockfile_pom.c.
 *   Gemfile.lock — the specs of GEM sections (four spaces in: `name
 *     (version[-platform])`); GIT and PATH sections are not from
 *     rubygems.org; DEPENDENCIES names the direct ones.
 */
#include "deps_internal.h"

#include "slsec/limits.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* ---- the shared context ---------------------------------------------------------- */

void lock_add(lockctx *c, slsec_ecosystem eco, const char *name, size_t namelen, const char *version,
              size_t verlen, int line, int col, bool dev, bool direct)
{
    if (namelen == 0 || verlen == 0)
        return;
    slsec_package *p = slsec_arena_alloc(c->arena, sizeof *p);
    p->eco = eco;
    p->name = slsec_arena_strndup(c->arena, name, namelen);
    p->version = slsec_arena_strndup(c->arena, version, verlen);
    p->dev = dev;
    p->direct = direct;
    p->loc = (slsec_loc){c->file, line, col};
    slsec_ptrvec_push(c->arena, c->pkgs, p);
    c->added++;
}

void lock_warn(lockctx *c, int line, int col, const char *fmt, ...)
{
    slsec_diag d;
    char msg[sizeof d.message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    slsec_diags_addf(c->warnings, SLSEC_DIAG_WARNING, c->file, line, col, "%s", msg);
}

/* ---- file names -------------------------------------------------------------------- */

typedef enum {
    LOCK_NONE,
    LOCK_NPM,
    LOCK_YARN,
    LOCK_PNPM,
    LOCK_REQUIREMENTS,
    LOCK_POETRY,
    LOCK_UV,
    LOCK_PIPFILE,
    LOCK_CARGO,
    LOCK_GOMOD,
    LOCK_GOSUM,
    LOCK_GEMFILE,
    LOCK_COMPOSER,
    LOCK_POM,
} lock_kind;

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static lock_kind kind_of(const char *name)
{
    static const struct { const char *name; lock_kind kind; } exact[] = {
        {"package-lock.json", LOCK_NPM}, {"npm-shrinkwrap.json", LOCK_NPM}, {"yarn.lock", LOCK_YARN},
        {"pnpm-lock.yaml", LOCK_PNPM},   {"poetry.lock", LOCK_POETRY},      {"uv.lock", LOCK_UV},
        {"Pipfile.lock", LOCK_PIPFILE},  {"Cargo.lock", LOCK_CARGO},        {"go.mod", LOCK_GOMOD},
        {"go.sum", LOCK_GOSUM},          {"Gemfile.lock", LOCK_GEMFILE},    {"composer.lock", LOCK_COMPOSER},
        {"pom.xml", LOCK_POM},
    };
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
        if (strcmp(name, exact[i].name) == 0)
            return exact[i].kind;
    if (slsec_str_has_prefix(name, "requirements") && slsec_str_has_suffix(name, ".txt"))
        return LOCK_REQUIREMENTS;
    return LOCK_NONE;
}

bool slsec_lockfile_name(const char *basename) { return kind_of(basename) != LOCK_NONE; }

/* ---- lines ------------------------------------------------------------------------------ */

typedef struct line_iter {
    const char *p, *end;
    int lineno;
} line_iter;

/* The next line without its end-of-line; false at the end. */
static bool next_line(line_iter *it, const char **s, size_t *n)
{
    if (it->p >= it->end)
        return false;
    const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
    const char *e = nl ? nl : it->end;
    *s = it->p;
    *n = (size_t)(e - it->p);
    if (*n && (*s)[*n - 1] == '\r')
        (*n)--;
    it->p = nl ? nl + 1 : it->end;
    it->lineno++;
    return true;
}

static void trim(const char **s, size_t *n)
{
    while (*n && isspace((unsigned char)**s))
        (*s)++, (*n)--;
    while (*n && isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

static bool starts(const char *s, size_t n, const char *w)
{
    size_t m = strlen(w);
    return n >= m && memcmp(s, w, m) == 0;
}

/* ---- requirements.txt ------------------------------------------------------------------ */

static bool name_char(char c) { return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.'; }

static int read_requirements(lockctx *c, const char *data, size_t len);

/* `-r FILE`: read it when it stays inside the root. */
static void follow_include(lockctx *c, const char *arg, size_t n, int line)
{
    if (!c->path || !c->root) {
        lock_warn(c, line, 1, "-r include not followed (no folder known for this file)");
        return;
    }
    if (c->depth >= 8) {
        lock_warn(c, line, 1, "-r includes nested deeper than 8; not followed");
        return;
    }
    char rel[PATH_MAX];
    const char *slash = strrchr(c->path, '/');
    int dirlen = slash ? (int)(slash - c->path) : 1;
    if (n && arg[0] == '/')
        snprintf(rel, sizeof rel, "%.*s", (int)n, arg);
    else
        snprintf(rel, sizeof rel, "%.*s/%.*s", dirlen, slash ? c->path : ".", (int)n, arg);
    char *real = realpath(rel, NULL);
    size_t rl = strlen(c->root);
    if (!real) {
        lock_warn(c, line, 1, "-r %.*s: cannot open the included file", (int)n, arg);
        return;
    }
    if (!(strncmp(real, c->root, rl) == 0 && (real[rl] == '/' || strcmp(c->root, "/") == 0))) {
        lock_warn(c, line, 1, "-r %.*s: the included file is outside the scanned folder; not followed", (int)n,
                  arg);
        free(real);
        return;
    }
    char *data = NULL;
    size_t dlen = 0;
    slsec_diag d;
    if (slsec_read_file(real, SLSEC_MAX_LOCKFILE_BYTES, &data, &dlen, &d) != SLSEC_OK) {
        lock_warn(c, line, 1, "-r %.*s: %s", (int)n, arg, d.message);
        free(real);
        return;
    }
    lockctx sub = *c;
    sub.path = slsec_arena_strdup(c->arena, real);
    sub.file = slsec_arena_strdup(c->arena, real + rl + (strcmp(c->root, "/") != 0));
    sub.depth = c->depth + 1;
    sub.added = 0;
    read_requirements(&sub, data, dlen);
    c->added += sub.added;
    free(data);
    free(real);
}

static void requirement_line(lockctx *c, const char *s, size_t n, int line, bool dev)
{
    /* comments: '#' at the start or after white space */
    for (size_t i = 0; i < n; i++)
        if (s[i] == '#' && (i == 0 || isspace((unsigned char)s[i - 1]))) {
            n = i;
            break;
        }
    const char *start = s;
    trim(&s, &n);
    if (!n)
        return;
    int col = (int)(s - start) + 1;
    if (s[0] == '-') {
        size_t skip = starts(s, n, "--requirement") ? 13 : starts(s, n, "-r") ? 2 : 0;
        if (skip) {
            const char *a = s + skip;
            size_t an = n - skip;
            if (an && *a == '=')
                a++, an--;
            trim(&a, &an);
            size_t k = 0;
            while (k < an && !isspace((unsigned char)a[k]))
                k++;
            if (k)
                follow_include(c, a, k, line);
        }
        return;
    }
    size_t i = 0;
    while (i < n && name_char(s[i]))
        i++;
    size_t namelen = i;
    if (!namelen)
        return;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    if (i < n && s[i] == '[') {
        while (i < n && s[i] != ']')
            i++;
        i++;
    }
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    if (!(i + 1 < n && s[i] == '=' && s[i + 1] == '='))
        return; /* not pinned: a range names no installed version */
    i += 2;
    if (i < n && s[i] == '=')
        i++;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    size_t v = i;
    while (i < n && !isspace((unsigned char)s[i]) && s[i] != ';' && s[i] != ',' && s[i] != '\\')
        i++;
    if (i == v || memchr(s + v, '*', i - v))
        return;
    lock_add(c, SLSEC_ECO_PYPI, s, namelen, s + v, i - v, line, col, dev, true);
}

static int read_requirements(lockctx *c, const char *data, size_t len)
{
    const char *b = base_name(c->file);
    bool dev = strstr(b, "dev") || strstr(b, "test");
    line_iter it = {data, data + len, 0};
    const char *s;
    size_t n;
    slsec_buf logical;
    slsec_buf_init(&logical);
    int first = 0;
    while (next_line(&it, &s, &n)) {
        if (!logical.len)
            first = it.lineno;
        bool cont = n && s[n - 1] == '\\';
        slsec_buf_append(&logical, s, cont ? n - 1 : n);
        if (cont && logical.len < 65536) {
            slsec_buf_putc(&logical, ' ');
            continue;
        }
        requirement_line(c, logical.data ? logical.data : "", logical.len, first, dev);
        slsec_buf_reset(&logical);
    }
    if (logical.len)
        requirement_line(c, logical.data, logical.len, first, dev);
    slsec_buf_free(&logical);
    return SLSEC_OK;
}

/* ---- yarn.lock ---------------------------------------------------------------------------- */

/* The package name in a descriptor: `name@range`, `@scope/name@range`,
 * `alias@npm:real@range`. */
static bool yarn_name(const char *s, size_t n, const char **name, size_t *namelen)
{
    const char *at = n > 1 ? memchr(s + 1, '@', n - 1) : NULL;
    if (!at)
        return false;
    *name = s;
    *namelen = (size_t)(at - s);
    const char *rest = at + 1;
    size_t rn = n - (size_t)(rest - s);
    if (starts(rest, rn, "npm:") && rn > 5) {
        const char *real = rest + 4;
        const char *at2 = memchr(real + 1, '@', rn - 5);
        if (at2) {
            *name = real;
            *namelen = (size_t)(at2 - real);
        }
    }
    return *namelen > 0;
}

static void unquote(const char **s, size_t *n)
{
    trim(s, n);
    if (*n >= 2 && (**s == '"' || **s == '\'') && (*s)[*n - 1] == **s)
        (*s)++, *n -= 2;
}

static int read_yarn(lockctx *c, const char *data, size_t len)
{
    line_iter it = {data, data + len, 0};
    const char *s;
    size_t n;
    const char *name = NULL;
    size_t namelen = 0;
    int entry_line = 0;
    bool any_entry = false, local = false;
    while (next_line(&it, &s, &n)) {
        if (!n || s[0] == '#')
            continue;
        if (!isspace((unsigned char)s[0])) {
            name = NULL;
            local = false;
            if (s[n - 1] != ':' || starts(s, n, "__metadata"))
                continue;
            const char *spec = s;
            size_t sn = n - 1;
            const char *comma = memchr(spec, ',', sn);
            if (comma)
                sn = (size_t)(comma - spec);
            unquote(&spec, &sn);
            if (yarn_name(spec, sn, &name, &namelen)) {
                entry_line = it.lineno;
                any_entry = true;
            } else {
                name = NULL;
                lock_warn(c, it.lineno, 1, "entry %.*s names no package; skipped", (int)(sn > 80 ? 80 : sn), spec);
            }
            continue;
        }
        if (!name)
            continue;
        const char *t = s;
        size_t tn = n;
        trim(&t, &tn);
        if (starts(t, tn, "resolution:") || starts(t, tn, "resolved ")) {
            if (strstr(t, "@workspace:") || strstr(t, "@link:") || strstr(t, "@portal:") || strstr(t, "@file:"))
                local = true;
        } else if (starts(t, tn, "version ") || starts(t, tn, "version:")) {
            const char *v = t + 8;
            size_t vn = tn - 8;
            unquote(&v, &vn);
            if (!local && !starts(v, vn, "0.0.0-use.local"))
                lock_add(c, SLSEC_ECO_NPM, name, namelen, v, vn, entry_line, 1, false, false);
            name = NULL; /* one version per entry */
        }
    }
    if (!any_entry && len > 0) {
        lock_warn(c, 0, 0, "not a yarn.lock: no `name@range:` entries found");
        return SLSEC_EPARSE;
    }
    return SLSEC_OK;
}

/* ---- [[package]] tables: poetry.lock, uv.lock, Cargo.lock ---------------------------- */

typedef struct toml_pkg {
    const char *name, *version;
    size_t namelen, verlen;
    int line;
    bool dev, local, has_source;
} toml_pkg;

static void toml_flush(lockctx *c, slsec_ecosystem eco, lock_kind kind, toml_pkg *p)
{
    if (p->line && p->name && p->version && !p->local && (kind != LOCK_CARGO || p->has_source))
        lock_add(c, eco, p->name, p->namelen, p->version, p->verlen, p->line, 1, p->dev, false);
    memset(p, 0, sizeof *p);
}

/* `key = "value"` → value; false for other shapes. */
static bool toml_string(const char *s, size_t n, const char *key, const char **v, size_t *vn)
{
    size_t k = strlen(key);
    if (n <= k || memcmp(s, key, k) != 0)
        return false;
    const char *p = s + k;
    size_t m = n - k;
    trim(&p, &m);
    if (!m || *p != '=')
        return false;
    p++, m--;
    trim(&p, &m);
    if (m < 2 || *p != '"' || p[m - 1] != '"')
        return false;
    *v = p + 1;
    *vn = m - 2;
    return true;
}

static int read_toml_packages(lockctx *c, lock_kind kind, const char *data, size_t len)
{
    slsec_ecosystem eco = kind == LOCK_CARGO ? SLSEC_ECO_CRATES : SLSEC_ECO_PYPI;
    line_iter it = {data, data + len, 0};
    const char *s;
    size_t n;
    toml_pkg p = {0};
    bool in_pkg = false, in_multiline = false, any_table = false;
    while (next_line(&it, &s, &n)) {
        trim(&s, &n);
        if (in_multiline) {
            if (n >= 3 && memmem(s, n, "\"\"\"", 3))
                in_multiline = false;
            continue;
        }
        if (!n || s[0] == '#')
            continue;
        if (s[0] == '[') {
            if (in_pkg)
                toml_flush(c, eco, kind, &p);
            in_pkg = starts(s, n, "[[package]]");
            any_table = true;
            if (in_pkg)
                p.line = it.lineno;
            continue;
        }
        const char *eq = memchr(s, '=', n);
        if (eq && memmem(eq, n - (size_t)(eq - s), "\"\"\"", 3)) {
            const char *open = memmem(eq, n - (size_t)(eq - s), "\"\"\"", 3);
            size_t rest = n - (size_t)(open - s) - 3;
            if (!memmem(open + 3, rest, "\"\"\"", 3))
                in_multiline = true;
            continue;
        }
        if (!in_pkg)
            continue;
        const char *v;
        size_t vn;
        if (toml_string(s, n, "name", &v, &vn)) {
            p.name = v, p.namelen = vn;
            p.line = it.lineno;
        } else if (toml_string(s, n, "version", &v, &vn)) {
            p.version = v, p.verlen = vn;
        } else if (toml_string(s, n, "category", &v, &vn)) {
            p.dev = vn == 3 && memcmp(v, "dev", 3) == 0;
        } else if (starts(s, n, "groups") && !memmem(s, n, "\"main\"", 6)) {
            p.dev = true;
        } else if (starts(s, n, "source")) {
            p.has_source = true;
            if (memmem(s, n, "virtual", 7) || memmem(s, n, "editable", 8) || memmem(s, n, "directory", 9))
                p.local = true;
        }
    }
    if (in_pkg)
        toml_flush(c, eco, kind, &p);
    if (!any_table && len > 0) {
        lock_warn(c, 0, 0, "not a %s: no [[package]] tables found", base_name(c->file));
        return SLSEC_EPARSE;
    }
    return SLSEC_OK;
}

/* ---- go.mod, go.sum -------------------------------------------------------------------- */

static size_t word(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && !isspace((unsigned char)s[i]))
        i++;
    return i;
}

static void go_require(lockctx *c, const char *s, size_t n, int line, int col)
{
    size_t mn = word(s, n);
    const char *v = s + mn;
    size_t vn = n - mn;
    trim(&v, &vn);
    size_t vw = word(v, vn);
    bool indirect = memmem(s, n, "// indirect", 11) != NULL;
    if (mn && vw && v[0] != '/')
        lock_add(c, SLSEC_ECO_GO, s, mn, v, vw, line, col, false, !indirect);
}

static int read_gomod(lockctx *c, const char *data, size_t len)
{
    line_iter it = {data, data + len, 0};
    const char *s;
    size_t n;
    bool block = false, module_seen = false;
    while (next_line(&it, &s, &n)) {
        const char *start = s;
        trim(&s, &n);
        int col = (int)(s - start) + 1;
        if (!n || starts(s, n, "//"))
            continue;
        if (block) {
            if (s[0] == ')')
                block = false;
            else
                go_require(c, s, n, it.lineno, col);
            continue;
        }
        if (starts(s, n, "module "))
            module_seen = true;
        if (starts(s, n, "require")) {
            const char *r = s + 7;
            size_t rn = n - 7;
            trim(&r, &rn);
            if (rn && r[0] == '(')
                block = true;
            else if (rn)
                go_require(c, r, rn, it.lineno, col + (int)(r - s));
        }
    }
    if (!module_seen && c->added == 0 && len > 0) {
        lock_warn(c, 0, 0, "not a go.mod: no module or require directive found");
        return SLSEC_EPARSE;
    }
    return SLSEC_OK;
}

static int read_gosum(lockctx *c, const char *data, size_t len)
{
    if (c->path) {
        char mod[PATH_MAX];
        const char *slash = strrchr(c->path, '/');
        snprintf(mod, sizeof mod, "%.*sgo.mod", slash ? (int)(slash - c->path + 1) : 0, c->path);
        struct stat st;
        if (stat(mod, &st) == 0)
            return SLSEC_OK; /* go.mod beside it says which modules are used */
    }
    line_iter it = {data, data + len, 0};
    const char *s;
    size_t n;
    slsec_strmap *seen = slsec_strmap_new(c->arena);
    while (next_line(&it, &s, &n)) {
        size_t mn = word(s, n);
        const char *v = s + mn;
        size_t vn = n - mn;
        trim(&v, &vn);
        size_t vw = word(v, vn);
        if (!mn || !vw || (vw >= 7 && memcmp(v + vw - 7, "/go.mod", 7) == 0))
            continue;
        char *key = slsec_arena_printf(c->arena, "%.*s@%.*s", (int)mn, s, (int)vw, v);
        if (slsec_strmap_get(seen, key))
            continue;
        slsec_strmap_put(seen, key, (void *)1);
        lock_add(c, SLSEC_ECO_GO, s, mn, v, vw, it.lineno, 1, false, false);
    }
    return SLSEC_OK;
}

/* ---- Gemfile.lock ------------------------------------------------------------------------- */

/* `name (version)` at `indent` spaces; false for other lines. */
static bool gem_line(const char *s, size_t n, size_t indent, const char **name, size_t *nl, const char **ver,
                     size_t *vl)
{
    if (n <= indent || s[indent] == ' ')
        return false;
    for (size_t i = 0; i < indent; i++)
        if (s[i] != ' ')
            return false;
    s += indent, n -= indent;
    size_t k = word(s, n);
    *name = s;
    *nl = k;
    *ver = NULL;
    *vl = 0;
    if (k + 2 < n && s[k] == ' ' && s[k + 1] == '(' && s[n - 1] == ')') {
        *ver = s + k + 2;
        *vl = n - k - 3;
    }
    return k > 0;
}

static int read_gemfile_lock(lockctx *c, const char *data, size_t len)
{
    /* first the direct dependencies, listed after the specs */
    slsec_strmap *direct = slsec_strmap_new(c->arena);
    line_iter it = {data, data + len, 0};
    const char *s, *name, *ver;
    size_t n, nl, vl;
    bool in_deps = false, any_section = false;
    while (next_line(&it, &s, &n)) {
        if (n && s[0] != ' ') {
            in_deps = n == 12 && memcmp(s, "DEPENDENCIES", 12) == 0;
            any_section = true;
        } else if (in_deps && gem_line(s, n, 2, &name, &nl, &ver, &vl)) {
            nl -= nl && name[nl - 1] == '!'; /* "rails!": from a git source */
            slsec_strmap_put(direct, slsec_arena_strndup(c->arena, name, nl), (void *)1);
        }
    }
    if (!any_section && len > 0) {
        lock_warn(c, 0, 0, "not a Gemfile.lock: no GEM or DEPENDENCIES section");
        return SLSEC_EPARSE;
    }
    it = (line_iter){data, data + len, 0};
    bool in_gem = false, in_specs = false;
    while (next_line(&it, &s, &n)) {
        if (n && s[0] != ' ') {
            in_gem = n == 3 && memcmp(s, "GEM", 3) == 0;
            in_specs = false;
        } else if (in_gem && n == 8 && memcmp(s, "  specs:", 8) == 0) {
            in_specs = true;
        } else if (in_specs && gem_line(s, n, 4, &name, &nl, &ver, &vl) && ver) {
            /* "1.13.10-x86_64-linux": a platform after '-' (RubyGems writes
             * pre-releases with dots) */
            const char *dash = memchr(ver, '-', vl);
            if (dash)
                vl = (size_t)(dash - ver);
            char *key = slsec_arena_strndup(c->arena, name, nl);
            lock_add(c, SLSEC_ECO_RUBYGEMS, name, nl, ver, vl, it.lineno, 5, false,
                     slsec_strmap_get(direct, key) != NULL);
        }
    }
    return SLSEC_OK;
}

/* ---- entry points ---------------------------------------------------------------------- */

static int parse(lockctx *c, const char *data, size_t len)
{
    switch (kind_of(base_name(c->file))) {
    case LOCK_NPM: return lock_package_lock(c, data, len);
    case LOCK_PIPFILE: return lock_pipfile_lock(c, data, len);
    case LOCK_PNPM: return lock_pnpm(c, data, len);
    case LOCK_YARN: return read_yarn(c, data, len);
    case LOCK_REQUIREMENTS: return read_requirements(c, data, len);
    case LOCK_POETRY:
    case LOCK_UV:
    case LOCK_CARGO: return read_toml_packages(c, kind_of(base_name(c->file)), data, len);
    case LOCK_GOMOD: return read_gomod(c, data, len);
    case LOCK_GOSUM: return read_gosum(c, data, len);
    case LOCK_GEMFILE: return read_gemfile_lock(c, data, len);
    case LOCK_COMPOSER: return lock_composer_lock(c, data, len);
    case LOCK_POM: return lock_pom_xml(c, data, len);
    case LOCK_NONE: break;
    }
    lock_warn(c, 0, 0, "not a lockfile slsec reads");
    return SLSEC_EUSAGE;
}

int slsec_lockfile_parse(slsec_arena *a, const char *relpath, const char *data, size_t len,
                         slsec_ptrvec *pkgs, slsec_diags *warnings)
{
    lockctx c = {.arena = a, .file = relpath, .pkgs = pkgs, .warnings = warnings};
    return parse(&c, data, len);
}

int slsec_lockfile_read(slsec_arena *a, const char *root, const char *path, const char *relpath,
                        slsec_ptrvec *pkgs, slsec_diags *warnings)
{
    char *data = NULL;
    size_t len = 0;
    slsec_diag d;
    struct stat st;
    if (stat(path, &st) == 0 && (uint64_t)st.st_size > SLSEC_MAX_LOCKFILE_BYTES) {
        slsec_diags_addf(warnings, SLSEC_DIAG_WARNING, relpath, 0, 0,
                         "lockfile is %.1f MB, over the %.1f MB limit (SLSEC_MAX_LOCKFILE_BYTES); dependencies "
                         "not checked",
                         (double)st.st_size / 1048576.0, (double)SLSEC_MAX_LOCKFILE_BYTES / 1048576.0);
        return SLSEC_ELIMIT;
    }
    int rc = slsec_read_file(path, SLSEC_MAX_LOCKFILE_BYTES, &data, &len, &d);
    if (rc != SLSEC_OK) {
        slsec_diags_addf(warnings, SLSEC_DIAG_WARNING, relpath, 0, 0, "%s; dependencies not checked",
                         d.message);
        return rc;
    }
    char *real_root = NULL;
    if (root)
        real_root = realpath(root, NULL);
    lockctx c = {.arena = a, .file = relpath, .path = path, .pkgs = pkgs, .warnings = warnings};
    if (real_root)
        c.root = slsec_arena_strdup(a, real_root);
    char *real = realpath(path, NULL);
    if (real)
        c.path = slsec_arena_strdup(a, real);
    if (!c.root && real) {
        /* no root given: includes stay in the lockfile's own folder */
        const char *slash = strrchr(real, '/');
        c.root = slash && slash != real ? slsec_arena_strndup(a, real, (size_t)(slash - real)) : "/";
    }
    rc = parse(&c, data, len);
    free(real);
    free(real_root);
    free(data);
    return rc;
}
