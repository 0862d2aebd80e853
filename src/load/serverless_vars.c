/*
 * serverless_vars.c — the Serverless Framework's ${...} variables.
 *
 * A scalar holding `${source:address, fallback, ...}` is replaced by the
 * value the Framework would put there: ${self:a.b} (the configuration
 * itself), ${opt:name} (options given to slsec, none by default),
 * ${env:NAME} (the process environment), ${sls:stage} (provider.stage, or
 * dev), ${file(./x.yml):a.b} (a YAML or JSON file inside the scanned
 * root). Fallbacks are tried left to right: another variable, a 'quoted'
 * or "quoted" literal, a number. Variables nest: ${self:custom.${opt:stage}}.
 *
 * What only deploy time knows (${ssm:}, ${cf:}, ${aws:}, ${s3:},
 * ${param:}, any other source, and a ${file()} of a .js module, which slsec
 * never runs) becomes an unknown scalar holding the variable as written,
 * so rules stay silent on it. `${Name}` and `${AWS::Region}` are not
 * Framework variables (they belong to Fn::Sub) and are left alone.
 *
 * A node whose resolution changed it, or that a variable points at, is
 * resolved once (a memo keyed by node address); the many nodes that hold no
 * variable are walked and kept as they are without an entry, so the memo
 * stays small (on a 1,000-function service it was a quarter of the page
 * faults when it held every node). A variable that leads to a node still
 * being resolved is a cycle, reported with the chain of variables that
 * closes it.
 */
#include "serverless_internal.h"
#include "slsec/limits.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CHAIN 64 /* variables being resolved at once */

/* ---- a pointer → node memo ------------------------------------------------ */

typedef struct memo_slot {
    const slsec_node *key;
    const slsec_node *value;
} memo_slot;

typedef struct memo {
    memo_slot *slots;
    size_t cap, used;
} memo;

static size_t ptr_hash(const void *p)
{
    uintptr_t x = (uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

static memo_slot *memo_find(memo *m, const slsec_node *key, bool insert)
{
    if (insert && (m->used + 1) * 2 > m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 256;
        memo_slot *ns = calloc(ncap, sizeof *ns);
        if (!ns)
            slsec_oom();
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->slots[i].key)
                continue;
            size_t j = ptr_hash(m->slots[i].key) & (ncap - 1);
            while (ns[j].key)
                j = (j + 1) & (ncap - 1);
            ns[j] = m->slots[i];
        }
        free(m->slots);
        m->slots = ns;
        m->cap = ncap;
    }
    if (!m->cap)
        return NULL;
    size_t j = ptr_hash(key) & (m->cap - 1);
    while (m->slots[j].key) {
        if (m->slots[j].key == key)
            return &m->slots[j];
        j = (j + 1) & (m->cap - 1);
    }
    if (!insert)
        return NULL;
    m->slots[j].key = key;
    m->used++;
    return &m->slots[j];
}

/* ---- state ------------------------------------------------------------------ */

typedef struct chain_link {
    const char *text; /* the variable as written */
    const slsec_node *at;
} chain_link;

typedef struct included {
    const char *real; /* realpath */
    const slsec_node *root;
    struct included *next;
} included;

typedef struct vars {
    slsec_arena *arena;
    const char *relpath;
    const slsec_serverless_opts *opts;
    slsec_diags *warnings;
    slsec_diag *err;
    int failed; /* 0, or the error code once one was set */
    const slsec_node *root;
    memo memo;
    const slsec_node **busy; /* the nodes being resolved, outermost first */
    size_t busy_count, busy_cap;
    chain_link chain[MAX_CHAIN];
    int depth;
    included *files;
    const char *stage;
} vars;

static const slsec_node *resolve_node(vars *v, const slsec_node *n, bool by_variable);

/* A diagnostic at a node: of serverless.yml, or of a file it includes
 * (the node then names that file). */
static void diag_at(slsec_diag *d, slsec_diag_level level, const char *relpath, const slsec_node *at, const char *fmt,
                    va_list ap) __attribute__((format(printf, 5, 0)));
static void diag_at(slsec_diag *d, slsec_diag_level level, const char *relpath, const slsec_node *at, const char *fmt,
                    va_list ap)
{
    char msg[480];
    vsnprintf(msg, sizeof msg, fmt, ap);
    slsec_diag_set(d, level, at && at->file ? at->file : relpath, at ? (int)at->line : 0, at ? (int)at->col : 0, "%s",
                   msg);
}

void sls_warn(slsec_diags *list, const char *relpath, const slsec_node *at, const char *fmt, ...)
{
    if (!list)
        return;
    slsec_diag d;
    va_list ap;
    va_start(ap, fmt);
    diag_at(&d, SLSEC_DIAG_WARNING, relpath, at, fmt, ap);
    va_end(ap);
    slsec_diags_add(list, &d);
}

static void fail(vars *v, int code, const slsec_node *at, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void fail(vars *v, int code, const slsec_node *at, const char *fmt, ...)
{
    if (v->failed)
        return;
    v->failed = code;
    va_list ap;
    va_start(ap, fmt);
    diag_at(v->err, SLSEC_DIAG_ERROR, v->relpath, at, fmt, ap);
    va_end(ap);
}

static slsec_node *unknown_at(vars *v, const slsec_node *at, const char *text)
{
    return slsec_node_new_scalar(v->arena, at, slsec_arena_strdup(v->arena, text), SLSEC_NF_UNKNOWN);
}

/* ---- syntax ------------------------------------------------------------------ */

/* The end of the ${...} that starts at s (pointing at '$'): the matching
 * '}', skipping nested variables and quoted literals; NULL if unclosed. */
static const char *var_end(const char *s)
{
    int depth = 0;
    char quote = 0;
    for (const char *p = s; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
        } else if (*p == '\'' || *p == '"') {
            if (depth == 1)
                quote = *p;
        } else if (p[0] == '$' && p[1] == '{') {
            depth++;
            p++;
        } else if (*p == '}') {
            if (--depth == 0)
                return p;
        }
    }
    return NULL;
}

/* Does the inside of ${...} start like a Framework variable: `source:`
 * (one colon: `AWS::Region` is Fn::Sub's), `name(` or a nested `${`? */
static bool is_variable(const char *in, size_t len)
{
    size_t i = 0;
    while (i < len && isspace((unsigned char)in[i]))
        i++;
    if (i + 1 < len && in[i] == '$' && in[i + 1] == '{')
        return true;
    size_t start = i;
    while (i < len && (isalnum((unsigned char)in[i]) || in[i] == '_' || in[i] == '-'))
        i++;
    if (i == start || i >= len)
        return false;
    if (in[i] == '(')
        return true;
    return in[i] == ':' && (i + 1 >= len || in[i + 1] != ':');
}

/* Splits the inside of ${...} at top-level commas. */
static size_t split_alternatives(vars *v, const char *in, size_t len, char **out, size_t max)
{
    size_t n = 0, start = 0;
    int depth = 0, paren = 0;
    char quote = 0;
    for (size_t i = 0; i <= len; i++) {
        char ch = i < len ? in[i] : ',';
        if (quote) {
            if (ch == quote)
                quote = 0;
            if (i < len)
                continue;
        }
        if (ch == '\'' || ch == '"')
            quote = ch;
        else if (ch == '$' && i + 1 < len && in[i + 1] == '{')
            depth++;
        else if (ch == '}' && depth)
            depth--;
        else if (ch == '(')
            paren++;
        else if (ch == ')' && paren)
            paren--;
        else if (ch == ',' && !depth && !paren && n < max) {
            size_t a = start, b = i;
            while (a < b && isspace((unsigned char)in[a]))
                a++;
            while (b > a && isspace((unsigned char)in[b - 1]))
                b--;
            out[n++] = slsec_arena_strndup(v->arena, in + a, b - a);
            start = i + 1;
        }
    }
    return n;
}

/* ---- sources --------------------------------------------------------------- */

/* Follows a dotted path from n, resolving only the nodes on the way (so a
 * sibling being resolved is no cycle). NULL when a step is missing. */
static const slsec_node *follow(vars *v, const slsec_node *n, const char *path, const slsec_node *at)
{
    const char *p = path;
    while (*p && !v->failed) {
        if (n->kind == SLSEC_NODE_SCALAR)
            n = resolve_node(v, n, true); /* a whole section given by a variable */
        if (!n || slsec_node_is_unknown(n))
            return n ? unknown_at(v, at, slsec_arena_printf(v->arena, "${%s}", path)) : NULL;
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        char *key = slsec_arena_strndup(v->arena, p, len);
        long idx;
        if (slsec_node_is_seq(n) && slsec_parse_long(key, &idx))
            n = idx >= 0 && (size_t)idx < n->count ? n->items[idx] : NULL;
        else
            n = slsec_node_get(n, key);
        if (!n)
            return NULL;
        p = dot ? dot + 1 : p + len;
    }
    return resolve_node(v, n, true);
}

/* The last NAME=value given wins, as on the Framework's command line. */
static const char *option(vars *v, const char *name)
{
    const char *value = NULL;
    size_t n = strlen(name);
    for (const char *const *o = v->opts ? v->opts->options : NULL; o && *o; o++)
        if (!strncmp(*o, name, n) && (*o)[n] == '=')
            value = *o + n + 1;
    return value;
}

static const slsec_node *included_root(vars *v, const char *path, const slsec_node *at, const char *text)
{
    if (!v->opts || !v->opts->root || !v->opts->dir) {
        fail(v, SLSEC_EPARSE, at, "%s: ${file()} needs the scanned root, which is not known here", text);
        return NULL;
    }
    char *joined = path[0] == '/' ? slsec_arena_strdup(v->arena, path)
                                  : slsec_arena_printf(v->arena, "%s/%s", v->opts->dir, path);
    char real[PATH_MAX];
    if (!realpath(joined, real)) {
        fail(v, SLSEC_EPARSE, at, "%s: cannot open %s", text, path);
        return NULL;
    }
    size_t rl = strlen(v->opts->root);
    if (strncmp(real, v->opts->root, rl) != 0 || (real[rl] != '/' && strcmp(v->opts->root, "/") != 0)) {
        fail(v, SLSEC_EPARSE, at, "%s points outside the scanned root: slsec reads nothing outside it", text);
        return NULL;
    }
    for (included *f = v->files; f; f = f->next)
        if (!strcmp(f->real, real))
            return f->root;
    char *data;
    size_t len;
    slsec_diag d;
    if (slsec_read_file(real, SLSEC_MAX_TEMPLATE_BYTES, &data, &len, &d) != SLSEC_OK) {
        fail(v, SLSEC_EPARSE, at, "%s: %s", text, d.message);
        return NULL;
    }
    slsec_doc doc;
    const char *shown = slsec_arena_strdup(v->arena, real + rl + (real[rl] == '/'));
    int rc = slsec_doc_parse(v->arena, shown, data, len, &doc, &d);
    free(data);
    if (rc != SLSEC_OK) {
        fail(v, rc, at, "%s: %s:%d:%d: %s", text, shown, d.line, d.col, d.message);
        return NULL;
    }
    included *f = slsec_arena_alloc(v->arena, sizeof *f);
    f->real = slsec_arena_strdup(v->arena, real);
    f->root = doc.root;
    f->next = v->files;
    v->files = f;
    return doc.root;
}

/* The value of one alternative, NULL when its source has no value. */
static const slsec_node *source_value(vars *v, const char *alt, const slsec_node *at);

static const slsec_node *interpolate(vars *v, const char *s, const slsec_node *at, bool *changed);

static const slsec_node *file_value(vars *v, const char *addr, const slsec_node *at, const char *text)
{
    const char *close = strchr(addr, ')');
    if (!close)
        return unknown_at(v, at, text);
    char *path = slsec_arena_strndup(v->arena, addr + 5, (size_t)(close - addr - 5));
    size_t pl = strlen(path);
    while (pl && isspace((unsigned char)path[pl - 1]))
        path[--pl] = 0;
    while (*path == ' ' || *path == '\'' || *path == '"')
        path++;
    pl = strlen(path);
    while (pl && (path[pl - 1] == '\'' || path[pl - 1] == '"'))
        path[--pl] = 0;
    if (slsec_str_has_suffix(path, ".js") || slsec_str_has_suffix(path, ".ts") || slsec_str_has_suffix(path, ".cjs") ||
        slsec_str_has_suffix(path, ".mjs"))
        return unknown_at(v, at, text); /* code is never run */
    const slsec_node *r = included_root(v, path, at, text);
    if (!r)
        return NULL;
    const char *key = close + 1;
    if (*key == ':')
        key++;
    return *key ? follow(v, r, key, at) : resolve_node(v, r, true);
}

static const slsec_node *source_value(vars *v, const char *alt, const slsec_node *at)
{
    size_t len = strlen(alt);
    if (!len)
        return NULL;
    if ((alt[0] == '\'' || alt[0] == '"') && len >= 2 && alt[len - 1] == alt[0])
        return slsec_node_new_scalar(v->arena, at, slsec_arena_strndup(v->arena, alt + 1, len - 2), SLSEC_NF_QUOTED);
    long num;
    if (slsec_parse_long(alt, &num) || !strcmp(alt, "true") || !strcmp(alt, "false") || !strcmp(alt, "null"))
        return slsec_node_new_scalar(v->arena, at, alt, !strcmp(alt, "null") ? SLSEC_NF_NULL : 0);
    if (alt[0] == '$' && alt[1] == '{') {
        bool changed;
        return interpolate(v, alt, at, &changed);
    }
    /* Nested variables in the address first: ${self:custom.${opt:stage}}. */
    const char *addr = alt;
    if (strstr(alt, "${")) {
        bool changed;
        const slsec_node *a = interpolate(v, alt, at, &changed);
        if (!a || !slsec_node_str(a) || slsec_node_is_unknown(a))
            return a ? unknown_at(v, at, slsec_arena_printf(v->arena, "${%s}", alt)) : NULL;
        addr = a->str;
    }
    const char *text = slsec_arena_printf(v->arena, "${%s}", addr);
    if (slsec_str_has_prefix(addr, "self:"))
        return follow(v, v->root, addr + 5, at);
    if (slsec_str_has_prefix(addr, "opt:")) {
        const char *o = option(v, addr + 4);
        if (o)
            return slsec_node_new_scalar(v->arena, at, o, SLSEC_NF_QUOTED);
        return NULL;
    }
    if (slsec_str_has_prefix(addr, "env:")) {
        const char *e = getenv(addr + 4);
        return e ? slsec_node_new_scalar(v->arena, at, slsec_arena_strdup(v->arena, e), SLSEC_NF_QUOTED) : NULL;
    }
    if (!strcmp(addr, "sls:stage"))
        return slsec_node_new_scalar(v->arena, at, v->stage, SLSEC_NF_QUOTED);
    if (slsec_str_has_prefix(addr, "file("))
        return file_value(v, addr, at, text);
    /* ssm, cf, aws, s3, param, sls:instanceId, strToBool(...), plugins' own. */
    return unknown_at(v, at, text);
}

/* One ${...}: the first alternative with a value. */
static const slsec_node *variable_value(vars *v, const char *inside, size_t len, const slsec_node *at)
{
    const char *text = slsec_arena_printf(v->arena, "${%.*s}", (int)len, inside);
    if (v->depth >= MAX_CHAIN) {
        fail(v, SLSEC_ELIMIT, at, "%s: variables nest more than %d deep", text, MAX_CHAIN);
        return NULL;
    }
    v->chain[v->depth].text = text;
    v->chain[v->depth].at = at;
    v->depth++;
    char *alts[16];
    size_t n = split_alternatives(v, inside, len, alts, 16);
    const slsec_node *r = NULL;
    for (size_t i = 0; i < n && !r && !v->failed; i++)
        r = source_value(v, alts[i], at);
    v->depth--;
    if (!r && !v->failed) {
        sls_warn(v->warnings, v->relpath, at, "%s has no value here and no fallback: kept as unknown", text);
        r = unknown_at(v, at, text);
    }
    return r;
}

/* A scalar with variables: one alone keeps the value's type (a map, a
 * number); several, or text around one, make a string. */
static const slsec_node *interpolate(vars *v, const char *s, const slsec_node *at, bool *changed)
{
    *changed = false;
    const char *open = strstr(s, "${");
    const char *close = open ? var_end(open) : NULL;
    if (open == s && close && !close[1] && is_variable(s + 2, (size_t)(close - s - 2))) {
        *changed = true;
        const slsec_node *r = variable_value(v, s + 2, (size_t)(close - s - 2), at);
        if (r && r->kind == SLSEC_NODE_SCALAR && (r->line != at->line || r->col != at->col || r->tag != at->tag)) {
            /* A scalar reports where it is used, not where it was defined,
             * and keeps the tag written there (!Ref ${self:custom.table}). */
            slsec_node *copy = slsec_arena_alloc(v->arena, sizeof *copy);
            *copy = *r;
            copy->file = at->file;
            copy->line = at->line;
            copy->col = at->col;
            copy->tag = at->tag;
            r = copy;
        }
        return r;
    }
    slsec_buf out;
    slsec_buf_init(&out);
    bool unk = false;
    const char *p = s;
    while (*p && !v->failed) {
        open = strstr(p, "${");
        close = open ? var_end(open) : NULL;
        if (!open || !close) {
            slsec_buf_puts(&out, p);
            break;
        }
        slsec_buf_append(&out, p, (size_t)(open - p));
        size_t len = (size_t)(close - open - 2);
        if (!is_variable(open + 2, len)) {
            slsec_buf_append(&out, open, (size_t)(close - open + 1));
        } else {
            *changed = true;
            const slsec_node *r = variable_value(v, open + 2, len, at);
            if (r && r->kind == SLSEC_NODE_SCALAR && !(r->flags & SLSEC_NF_NULL)) {
                unk |= (r->flags & SLSEC_NF_UNKNOWN) != 0;
                slsec_buf_append(&out, r->str, r->len);
            } else {
                unk = true; /* a map inside a string: the Framework refuses it */
                slsec_buf_append(&out, open, (size_t)(close - open + 1));
            }
        }
        if (out.len > SLSEC_MAX_SCALAR_BYTES) {
            fail(v, SLSEC_ELIMIT, at, "a variable expands past %u bytes", SLSEC_MAX_SCALAR_BYTES);
            break;
        }
        p = close + 1;
    }
    const slsec_node *r = NULL;
    if (!v->failed && *changed) {
        slsec_node *n = slsec_node_new_scalar(v->arena, at, slsec_arena_strndup(v->arena, out.data ? out.data : "", out.len),
                                              unk ? SLSEC_NF_UNKNOWN : SLSEC_NF_QUOTED);
        n->tag = at->tag;
        r = n;
    }
    slsec_buf_free(&out);
    return v->failed ? NULL : *changed ? r : at;
}

/* ---- the walk ------------------------------------------------------------------ */

static void report_cycle(vars *v, const slsec_node *n)
{
    slsec_buf b;
    slsec_buf_init(&b);
    int from = 0;
    for (int i = 0; i < v->depth; i++)
        if (v->chain[i].at == n) {
            from = i;
            break;
        }
    for (int i = from; i < v->depth; i++)
        slsec_buf_printf(&b, "%s (%s:%u:%u) -> ", v->chain[i].text, v->chain[i].at->file ? v->chain[i].at->file : v->relpath,
                         v->chain[i].at->line, v->chain[i].at->col);
    slsec_buf_puts(&b, from < v->depth ? v->chain[from].text : "itself");
    fail(v, SLSEC_EPARSE, n, "variable cycle: %s", b.data ? b.data : "");
    slsec_buf_free(&b);
}

static bool busy_has(const vars *v, const slsec_node *n)
{
    for (size_t i = 0; i < v->busy_count; i++)
        if (v->busy[i] == n)
            return true;
    return false;
}

static void busy_push(vars *v, const slsec_node *n)
{
    if (v->busy_count == v->busy_cap) {
        size_t ncap = v->busy_cap ? v->busy_cap * 2 : 64;
        const slsec_node **nb = realloc(v->busy, ncap * sizeof *nb);
        if (!nb)
            slsec_oom();
        v->busy = nb;
        v->busy_cap = ncap;
    }
    v->busy[v->busy_count++] = n;
}

/* `by_variable`: n was reached through a variable (it may be reached again
 * the same way, and may close a cycle), not by walking down the tree. */
static const slsec_node *resolve_node(vars *v, const slsec_node *n, bool by_variable)
{
    if (!n || v->failed)
        return n;
    if (n->kind == SLSEC_NODE_SCALAR && (n->flags & SLSEC_NF_UNKNOWN))
        return n;
    if (n->kind == SLSEC_NODE_SCALAR && (!n->str || !strstr(n->str, "${")))
        return n;
    memo_slot *s = memo_find(&v->memo, n, false);
    if (s)
        return s->value;
    /* Walking down the tree never meets an ancestor again; only a
     * variable can lead back to a node still being resolved. */
    if (by_variable && busy_has(v, n)) {
        report_cycle(v, n);
        return NULL;
    }
    busy_push(v, n);
    const slsec_node *r = n;
    if (n->kind == SLSEC_NODE_SCALAR) {
        bool changed;
        r = interpolate(v, n->str, n, &changed);
    } else {
        size_t items = n->kind == SLSEC_NODE_MAP ? 2 * n->count : n->count;
        slsec_node *copy = NULL;
        for (size_t i = 0; i < items && !v->failed; i++) {
            const slsec_node *kid = resolve_node(v, n->items[i], false);
            if (kid != n->items[i] && !copy) {
                copy = slsec_arena_alloc(v->arena, sizeof *copy);
                *copy = *n;
                copy->items = slsec_arena_alloc(v->arena, (items ? items : 1) * sizeof *copy->items);
                memcpy(copy->items, n->items, items * sizeof *copy->items);
            }
            if (copy)
                copy->items[i] = kid ? (slsec_node *)kid
                                     : slsec_node_new_scalar(v->arena, n->items[i], "", SLSEC_NF_NULL);
        }
        if (copy)
            r = copy;
    }
    v->busy_count--;
    if (v->failed)
        return NULL;
    if (r != n || by_variable)
        memo_find(&v->memo, n, true)->value = r;
    return r;
}

int sls_vars_resolve(slsec_arena *a, const slsec_node *root, const char *relpath, const slsec_serverless_opts *opts,
                     slsec_diags *warnings, const slsec_node **out, slsec_diag *err)
{
    vars v = {0};
    v.arena = a;
    v.relpath = relpath;
    v.opts = opts;
    v.warnings = warnings;
    v.err = err;
    v.root = root;
    /* ${sls:stage}: --stage, then provider.stage, then the Framework's dev. */
    v.stage = option(&v, "stage");
    if (!v.stage) {
        const slsec_node *st = follow(&v, root, "provider.stage", root);
        v.stage = st && slsec_node_str(st) && !slsec_node_is_unknown(st) && st->str[0] ? st->str : "dev";
    }
    *out = v.failed ? NULL : resolve_node(&v, root, false);
    free(v.memo.slots);
    free(v.busy);
    return v.failed ? v.failed : SLSEC_OK;
}
