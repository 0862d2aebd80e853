/*
 * handlers.c — from the model's functions to source files and exports.
 *
 * A handler string names a module and an export: Node.js
 * "src/orders/app.handler" is the file src/orders/app.{js,mjs,cjs,ts}
 * exporting `handler`; Python "orders.app.lambda_handler" is
 * orders/app.py defining `lambda_handler`. The module is looked up under
 * the function's code folder (CodeUri, relative to the template's folder),
 * then the template's folder, then the scanned root. When only compiled
 * output is declared (dist/, build/, lib/, .build/), the TypeScript source
 * under src/ counts as the handler too, so findings point at what people
 * edit. Paths never leave the scanned root: ".." segments that would climb
 * above it make a candidate invalid, and files are tested with stat() only.
 */
#include "code_internal.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Lexically normalises a relative path: "a/./b/../c" -> "a/c". NULL when
 * it climbs above the root or is absolute. */
char *code_path_normalise(slsec_arena *a, const char *path)
{
    if (!path || path[0] == '/')
        return NULL;
    char buf[4096];
    size_t len = 0;
    const char *p = path;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n == 0 || (n == 1 && p[0] == '.')) {
            /* skip */
        } else if (n == 2 && p[0] == '.' && p[1] == '.') {
            if (len == 0)
                return NULL;
            while (len > 0 && buf[len - 1] != '/')
                len--;
            if (len > 0)
                len--;
        } else {
            if (len + n + 2 >= sizeof buf)
                return NULL;
            if (len)
                buf[len++] = '/';
            memcpy(buf + len, p, n);
            len += n;
        }
        p += n;
        if (*p == '/')
            p++;
    }
    return slsec_arena_strndup(a, buf, len);
}

static bool exists_under(const char *root, const char *rel)
{
    char full[8192];
    if (snprintf(full, sizeof full, "%s/%s", root, rel) >= (int)sizeof full)
        return false;
    struct stat st;
    return stat(full, &st) == 0 && S_ISREG(st.st_mode);
}

static const char *dir_of(slsec_arena *a, const char *file)
{
    const char *slash = file ? strrchr(file, '/') : NULL;
    return slash ? slsec_arena_strndup(a, file, (size_t)(slash - file)) : "";
}

static const char *join2(slsec_arena *a, const char *x, const char *y)
{
    if (!x || !*x)
        return y;
    if (!y || !*y)
        return x;
    return slsec_arena_printf(a, "%s/%s", x, y);
}

static bool code_folder(const char *uri)
{
    if (!uri || !*uri || strcmp(uri, "inline") == 0 || strstr(uri, "://"))
        return false;
    static const char *const archives[] = {".zip", ".jar", ".tar.gz", ".tgz"};
    for (size_t i = 0; i < sizeof archives / sizeof archives[0]; i++)
        if (slsec_str_has_suffix(uri, archives[i]))
            return false;
    return true;
}

/* One entry per (export, function): functions that share a handler each
 * get their own, so what is found in the file is known to concern all of
 * them. */
static void add_entry(slsec_arena *a, slsec_strmap *m, const char *file, const char *export_name,
                      const slsec_function *fn)
{
    slsec_ptrvec *v = slsec_strmap_get(m, file);
    if (!v) {
        v = slsec_arena_alloc(a, sizeof *v);
        memset(v, 0, sizeof *v);
        slsec_strmap_put(m, file, v);
    }
    for (size_t i = 0; i < v->count; i++) {
        const slsec_code_entry *e = v->items[i];
        if (strcmp(e->export_name, export_name) == 0 && e->function == fn)
            return;
    }
    slsec_code_entry *e = slsec_arena_alloc(a, sizeof *e);
    e->file = file;
    e->export_name = export_name;
    e->function_id = fn->id;
    e->function = fn;
    slsec_ptrvec_push(a, v, e);
}

/* dist/x -> src/x (and the same for build/, lib/, .build/, out/). */
static const char *source_twin(slsec_arena *a, const char *module)
{
    static const char *const outs[] = {"dist/", "build/", "lib/", ".build/", "out/"};
    for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++) {
        const char *hit = strstr(module, outs[i]);
        if (hit && (hit == module || hit[-1] == '/'))
            return slsec_arena_printf(a, "%.*ssrc/%s", (int)(hit - module), module, hit + strlen(outs[i]));
    }
    return NULL;
}

static bool try_module(slsec_arena *a, slsec_strmap *m, const char *root, const char *base, const char *module,
                       const char *export_name, bool python, const slsec_function *fn)
{
    static const char *const js_ext[] = {".js", ".mjs", ".cjs", ".ts", ".mts", ".tsx"};
    static const char *const py_ext[] = {".py"};
    const char *const *ext = python ? py_ext : js_ext;
    size_t next = python ? 1 : sizeof js_ext / sizeof js_ext[0];
    bool found = false;
    const char *path = code_path_normalise(a, join2(a, base, module));
    if (!path)
        return false;
    for (size_t i = 0; i < next; i++) {
        const char *cand = slsec_arena_printf(a, "%s%s", path, ext[i]);
        if (exists_under(root, cand)) {
            add_entry(a, m, cand, export_name, fn);
            found = true;
        }
    }
    if (!python) {
        const char *twin = source_twin(a, path);
        for (size_t i = 3; twin && i < next; i++) {
            const char *cand = slsec_arena_printf(a, "%s%s", twin, ext[i]);
            if (exists_under(root, cand)) {
                add_entry(a, m, cand, export_name, fn);
                found = true;
            }
        }
    }
    return found;
}

slsec_strmap *slsec_code_entries(slsec_arena *a, const slsec_app *app, const char *root, slsec_diags *warnings)
{
    (void)warnings;
    slsec_strmap *m = slsec_strmap_new(a);
    for (size_t i = 0; app && i < app->functions.count; i++) {
        const slsec_function *fn = app->functions.items[i];
        if (!fn->handler || !*fn->handler)
            continue;
        const char *rt = fn->runtime ? fn->runtime : "";
        bool python = strncmp(rt, "python", 6) == 0;
        bool node = strncmp(rt, "nodejs", 6) == 0;
        if (*rt && !python && !node)
            continue; /* Java, Go, .NET, custom runtimes: not analysed */
        const char *h = fn->handler;
        const char *dot = strrchr(h, '.');
        if (!dot || dot == h || !dot[1])
            continue;
        const char *export_name = slsec_arena_strdup(a, dot + 1);
        char *module = slsec_arena_strndup(a, h, (size_t)(dot - h));
        bool found = false;
        const char *tdir = dir_of(a, fn->loc.file);
        const char *bases[3] = {code_folder(fn->code_uri) ? join2(a, tdir, fn->code_uri) : NULL, tdir, ""};
        /* With no runtime known, try both module spellings. */
        for (int lang = 0; lang < 2 && !found; lang++) {
            bool py = lang == 1;
            if ((py && node) || (!py && python))
                continue;
            char *mod = module;
            if (py) {
                mod = slsec_arena_strdup(a, module);
                for (char *p = mod; *p; p++)
                    if (*p == '.')
                        *p = '/';
            }
            for (size_t b = 0; b < 3 && !found; b++)
                if (bases[b])
                    found = try_module(a, m, root, bases[b], mod, export_name, py, fn);
        }
        /* Not found: templates scanned without their code are the common
         * case (a deploy repository), so this is no warning; the code that
         * is there is still analysed with conventional names. */
        (void)found;
    }
    return m;
}
