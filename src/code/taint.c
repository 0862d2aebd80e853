/*
 * taint.c — taint from a handler's event to sinks, on one syntax tree.
 *
 * The walk follows a handler's body in source order with an environment
 * of names (variables, and member paths such as `body.cmd` once a guard
 * cleaned them). A value is tainted when it is the event or is read,
 * parsed, destructured, concatenated, formatted or interpolated from a
 * tainted value; each tainted value carries the steps it took, source
 * first, so a finding can show its path.
 *
 * Calls:
 *  - a sanitiser (sinks.c) returns a clean value; a propagator (JSON.parse,
 *    path.join, str(), ...) or a method called on a tainted receiver
 *    returns a tainted one; any other call returns a clean value (a call we
 *    know nothing about is not assumed to pass input through: precision);
 *  - a function defined in the same file, or in a project file the
 *    analysed file imports (relative require/import, Python modules found
 *    from the file's folder or the root, read through the caller's
 *    loader), is summarised once per parameter (does the parameter reach
 *    its return value, which sinks does it reach) without following its
 *    own calls further, so the cost stays linear; a call site applies the
 *    summary of each tainted argument, and a sink inside an imported file
 *    is reported in that file;
 *  - a validator call, or an allow-list test (`ALLOWED.includes(x)`,
 *    `x in ALLOWED` with a constant collection), cleans the names it
 *    tests for the rest of the function. This is flow-insensitive on
 *    purpose: the usual shape is a guard that returns early.
 *
 * Bounded: nesting deeper than lim->max_depth is not analysed (the file
 * is flagged truncated), environments and summaries have fixed caps,
 * loops over a node's children never go quadratic (kids_of), and every
 * string kept for messages is cut to a short excerpt.
 */
#include "code_internal.h"

#include "rules/rules_internal.h"
#include "slsec/limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Rule ids that are not sinks of calls. */
#define RULE_LOG_WHOLE "LOG-101"
#define RULE_LOG_SECRET "LOG-102"

#define MAX_PARAMS 6
#define MAX_BINDINGS 4096
#define EXCERPT 80

enum {
    T_BUILT = 1u << 0,      /* a string built by concatenation or formatting */
    T_HOST_FIXED = 1u << 1, /* ... whose scheme and host are a fixed literal */
    T_PARSED = 1u << 2,     /* parsed JSON: may hold objects and operators */
    T_ROOT = 1u << 3,       /* the event itself (the source is the read from it) */
    T_FRESH = 1u << 4,      /* a read from the event not yet used: event.a.b widens the source */
    T_PATH_SAFE = 1u << 5,  /* a base name: no path traversal left, shell metacharacters still there */
};

typedef struct taint {
    unsigned flags;
    const char *source;  /* the expression the data came from */
    const char *whole;   /* "event", "event.headers", ... while the value is one of those whole */
    slsec_code_step steps[SLSEC_CODE_MAX_STEPS];
    size_t nsteps;
} taint;

typedef struct binding {
    const char *name;
    const taint *t; /* NULL: clean (or cleaned by a guard) */
} binding;

typedef struct file_state file_state;

typedef struct fn_summary {
    file_state *fs;    /* the file the function is defined in */
    const char *name;
    TSNode node;
    size_t nparams;
    const char *params[MAX_PARAMS];
    TSNode param_nodes[MAX_PARAMS];
    bool done[MAX_PARAMS], busy[MAX_PARAMS];
    bool returns[MAX_PARAMS];
    slsec_ptrvec hits[MAX_PARAMS]; /* slsec_code_hit* inside the function, with the parameter as source */
} fn_summary;

struct file_state {
    code_file *f;
    file_state *primary;     /* the analysed file's state (itself for the analysed file) */
    slsec_strmap *modules;   /* primary only: imported relpath → file_state* (or &no_module) */
    slsec_strmap *specs;     /* primary only: import as spelled ("db", "./lib/db") → the same */
    slsec_strmap *secret_names; /* primary only: names asked of slsec_rules_secret_name → &yes / &no */
    slsec_ptrvec imported;   /* primary only: code_file* of the imports parsed, freed at the end */
    slsec_strmap *aliases;   /* local name → canonical module path */
    slsec_strmap *consts;    /* names bound to constant collections (allow-lists) */
    slsec_strmap *strings;   /* module-level names bound to a string literal → its value */
    slsec_strmap *functions; /* name → fn_summary* */
    bool collected;          /* collect() is done: its imports (aliases) are all known */
    slsec_ptrvec function_list;
    /* outbound integrations, analysed file only (see outbound_collect) */
    slsec_strmap *values;     /* name or member path → slsec_ptrvec* of TSNode* assigned to it (at most 4) */
    slsec_strmap *url_consts; /* name or member path → TSNode* of its one value, or &ambiguous_name */
    slsec_ptrvec call_nodes;  /* TSNode* of every call and `new`, in source order */
    slsec_strmap *clients_of; /* name or member path → client* it holds, once worked out (see classify) */
    slsec_strmap *urls_of;    /* name or member path → url_value* it holds, once worked out (see url_prefix) */
};

typedef struct fn_ctx {
    file_state *fs;
    binding *b;
    size_t nb, cap;
    const char *handler;
    bool summary;          /* summarising a helper: collect hits, follow no calls */
    slsec_ptrvec *out;     /* slsec_code_hit* */
    bool returns_taint;
    const taint *returned;
} fn_ctx;

/* ---- syntax-tree helpers --------------------------------------------------- */

/* The ids of the grammar a node's tree was parsed with (syntax.c). The
 * analysed file and the files it imports may use different grammars
 * (JavaScript importing TypeScript), so the grammar goes with the tree;
 * the last tree asked is remembered (per thread: the library may run on
 * several), as a file's nodes are asked in long runs. A freed tree's
 * address comes back for the next tree, perhaps in another language, so
 * ids_forget() is called whenever a tree is made. */
static _Thread_local const TSTree *ids_tree;
static _Thread_local const code_ids *ids_last;
/* The memo of the nodes of the file being analysed on this thread (set
 * by code_taint_file), for the helpers that see only a node. */
static _Thread_local code_nodes *file_nodes;

static void ids_forget(void) { ids_tree = NULL; }

static const code_ids *ids_of(TSNode n)
{
    if (n.tree != ids_tree) {
        ids_last = code_ids_of(ts_tree_language(n.tree));
        ids_tree = n.tree;
    }
    return ids_last;
}

/* What a node's type name spells (K_NONE for any type the analysis does
 * not ask about): the former strcmp of ts_node_type(), as an index. */
static code_kind kind_of(TSNode n)
{
    if (ts_node_is_null(n))
        return K_NONE;
    const code_ids *g = ids_of(n);
    TSSymbol sym = ts_node_symbol(n);
    if (g && sym < CODE_MAX_SYMBOLS)
        return (code_kind)g->kind_by_symbol[sym];
    return code_kind_by_name(ts_node_type(n)); /* ERROR, or a grammar past the table */
}

/* Which named kind a node is (is() for every kind at once): its symbol is
 * the grammar's named node type of that kind, and the node is named.
 * With `spelled`, also what kind_of() says. */
static code_kind kinds_of(TSNode n, code_kind *spelled)
{
    if (spelled)
        *spelled = K_NONE;
    if (ts_node_is_null(n))
        return K_NONE;
    const code_ids *g = ids_of(n);
    TSSymbol sym = ts_node_symbol(n);
    if (spelled)
        *spelled = g && sym < CODE_MAX_SYMBOLS ? (code_kind)g->kind_by_symbol[sym] : code_kind_by_name(ts_node_type(n));
    code_kind k = K_NONE;
    if (g && sym < CODE_MAX_SYMBOLS) {
        k = (code_kind)g->named_by_symbol[sym];
    } else if (g) { /* past the table: compare with each kind's symbol */
        for (size_t i = 1; i < K_COUNT && !k; i++)
            if (g->named[i] == sym)
                k = (code_kind)i;
    }
    return k && ts_node_is_named(n) ? k : K_NONE;
}

static code_kind named_kind(TSNode n) { return kinds_of(n, NULL); }

/* The named children of a node, null-safe: libtree-sitter dereferences
 * a null node (a field the syntax lacks, such as the arguments of
 * `new Set`), and hostile input makes every field optional. */
static uint32_t named_count(TSNode n) { return ts_node_is_null(n) ? 0 : ts_node_named_child_count(n); }

static TSNode named_kid(TSNode n, uint32_t i)
{
    if (ts_node_is_null(n)) {
        TSNode none = {0};
        return none;
    }
    return ts_node_named_child(n, i);
}

/* Is n a named node of this type? */
static bool is(TSNode n, code_kind type) { return named_kind(n) == type; }

static TSNode field(TSNode n, code_field name)
{
    if (ts_node_is_null(n))
        return n;
    const code_ids *g = ids_of(n);
    TSFieldId id = g ? g->fields[name] : 0;
    if (!id) {
        TSNode none = {0};
        return none;
    }
    return ts_node_child_by_field_id(n, id);
}

static const char *text(file_state *fs, TSNode n)
{
    if (ts_node_is_null(n))
        return "";
    uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
    if (e > fs->f->len || s > e)
        return "";
    return slsec_arena_strndup(fs->f->a, fs->f->src + s, e - s);
}

/* A one-line excerpt for messages: whitespace runs folded, cut at EXCERPT. */
static const char *excerpt(file_state *fs, TSNode n)
{
    uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
    if (e > fs->f->len || s > e)
        return "";
    char buf[EXCERPT + 4];
    size_t k = 0;
    bool space = false;
    for (uint32_t i = s; i < e && k < EXCERPT; i++) {
        unsigned char c = (unsigned char)fs->f->src[i];
        if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
            space = k > 0;
            continue;
        }
        if (space && k < EXCERPT)
            buf[k++] = ' ';
        space = false;
        buf[k++] = c < 0x20 ? '?' : (char)c;
    }
    if (e - s > EXCERPT && k >= EXCERPT) {
        memcpy(buf + k, "...", 3);
        k += 3;
    }
    return slsec_arena_strndup(fs->f->a, buf, k);
}

static slsec_code_step step_at(const file_state *fs, TSNode n, const char *what)
{
    TSPoint p = ts_node_start_point(n);
    return (slsec_code_step){.file = fs->primary == fs ? NULL : fs->f->relpath, .line = (int)p.row + 1,
                             .col = (int)p.column + 1, .what = what};
}

/* The named children of a node, listed once per file (code_internal.h):
 * named_kid(n, i) walks from the first child, so a loop over it is
 * quadratic, and the same nodes' children are asked for many times.
 * kid(&k, i) reads the list by index (a null node past its end, as
 * named_kid); the lists may move as more are made, so no pointer into
 * them is kept. */
typedef struct kids {
    const code_nodes *lists;
    size_t off;
    uint32_t n;
} kids;

static kids kids_of(file_state *fs, TSNode n)
{
    code_nodes *nodes = code_session_nodes(fs->f->session);
    kids k = {.lists = nodes};
    code_nodes_kids(nodes, n, &k.off, &k.n);
    return k;
}

static TSNode kid(const kids *k, uint32_t i)
{
    if (i >= k->n) {
        TSNode none = {0};
        return none;
    }
    return k->lists->items[k->off + i];
}

/* Unwraps the nodes that do not change a value: (x), await x, x as T, x!, x satisfies T. */
static TSNode unwrap(TSNode n)
{
    for (int i = 0; i < 64 && !ts_node_is_null(n); i++) {
        code_kind t = kind_of(n);
        if (t == K_parenthesized_expression || t == K_await_expression ||
            t == K_await || t == K_as_expression || t == K_non_null_expression ||
            t == K_satisfies_expression || t == K_type_assertion) {
            TSNode inner = named_kid(n, t == K_type_assertion ? 1 : 0);
            if (ts_node_is_null(inner))
                return n;
            n = inner;
        } else {
            break;
        }
    }
    return n;
}

static bool is_string_literal(TSNode n)
{
    code_kind k = named_kind(n);
    if (k == K_string) {
        /* a Python f-string has interpolation children */
        if (file_nodes) { /* listed once for the file */
            size_t off;
            uint32_t c;
            code_nodes_kids(file_nodes, n, &off, &c);
            for (uint32_t i = 0; i < c; i++)
                if (is(file_nodes->items[off + i], K_interpolation))
                    return false;
            return true;
        }
        uint32_t c = named_count(n);
        for (uint32_t i = 0; i < c; i++)
            if (is(named_kid(n, i), K_interpolation))
                return false;
        return true;
    }
    return k == K_template_string && named_count(n) == 0;
}

/* The characters of a string literal without quotes (best effort). */
static const char *string_value(file_state *fs, TSNode n)
{
    const char *t = text(fs, n);
    size_t len = strlen(t);
    size_t a = 0;
    while (a < len && strchr("rbuRBUfF", t[a]))
        a++;
    while (a < len && (t[a] == '"' || t[a] == '\'' || t[a] == '`'))
        a++;
    size_t b = len;
    while (b > a && (t[b - 1] == '"' || t[b - 1] == '\'' || t[b - 1] == '`'))
        b--;
    return slsec_arena_strndup(fs->f->a, t + a, b - a);
}

/* The name a key of an object, dict or keyword argument spells, or NULL. */
static const char *key_name(file_state *fs, TSNode k)
{
    if (ts_node_is_null(k))
        return NULL;
    if (is(k, K_string))
        return string_value(fs, k);
    if (is(k, K_property_identifier) || is(k, K_identifier) || is(k, K_shorthand_property_identifier))
        return text(fs, k);
    return NULL;
}

/* ---- canonical names ------------------------------------------------------------- */

/* The memo of a node of the file being analysed or one it imports (see
 * code_internal.h); valid until the next memo is asked for. */
static code_node_memo *memo_of(file_state *fs, TSNode n)
{
    return code_nodes_memo(code_session_nodes(fs->f->session), n);
}

static const char *canon_at(file_state *fs, TSNode n, int depth);

/* The canonical name of an expression: the module a local name was
 * imported from, then the members read from it ("child_process.exec");
 * "?" for what has none. Once a file's imports are all known (collected),
 * it is worked out once per node: every sink, summary and outbound check
 * of a call asks for it again. */
static const char *canon(file_state *fs, TSNode n, int depth)
{
    n = unwrap(n);
    if (ts_node_is_null(n) || depth > 16)
        return "?";
    if (depth > 0 || !fs->collected)
        return canon_at(fs, n, depth);
    const char *known = memo_of(fs, n)->canon;
    if (known)
        return known;
    const char *name = canon_at(fs, n, 0);
    memo_of(fs, n)->canon = name;
    return name;
}

/* "a" + "." + "b" in the arena (printf's parsing costs more than the copy). */
static const char *dotted(slsec_arena *a, const char *x, const char *y)
{
    size_t nx = strlen(x), ny = strlen(y);
    char *out = slsec_arena_alloc(a, nx + ny + 2);
    memcpy(out, x, nx);
    out[nx] = '.';
    memcpy(out + nx + 1, y, ny + 1);
    return out;
}

static const char *canon_at(file_state *fs, TSNode n, int depth)
{
    code_kind k = named_kind(n);
    if (k == K_identifier) {
        const char *name = text(fs, n);
        const char *alias = slsec_strmap_get(fs->aliases, name);
        return alias ? alias : name;
    }
    if (k == K_member_expression || k == K_attribute) {
        TSNode obj = field(n, F_object);
        TSNode prop = field(n, k == K_attribute ? F_attribute : F_property);
        return dotted(fs->f->a, canon(fs, obj, depth + 1), text(fs, prop));
    }
    if (k == K_call_expression) {
        /* require('m') */
        TSNode fn = field(n, F_function);
        TSNode args = field(n, F_arguments);
        if (is(fn, K_identifier) && strcmp(text(fs, fn), "require") == 0 && named_count(args) == 1 &&
            is(named_kid(args, 0), K_string))
            return code_module_alias(string_value(fs, named_kid(args, 0)));
    }
    if (k == K_this)
        return "this";
    return "?";
}

static const char *callee_at(file_state *fs, TSNode call);

/* The canonical name of what a call or `new` calls (once per node, as canon). */
static const char *callee_of(file_state *fs, TSNode call)
{
    if (!fs->collected || ts_node_is_null(call))
        return callee_at(fs, call);
    const char *known = memo_of(fs, call)->callee;
    if (known)
        return known;
    const char *name = callee_at(fs, call);
    memo_of(fs, call)->callee = name;
    return name;
}

static const char *callee_at(file_state *fs, TSNode call)
{
    TSNode fn = field(call, is(call, K_new_expression) ? F_constructor : F_function);
    const char *name = canon(fs, fn, 0);
    /* fs.promises.readFile is fs.readFile for what it does with a path */
    if (strncmp(name, "fs.promises.", 12) == 0)
        return slsec_arena_printf(fs->f->a, "fs.%s", name + 12);
    return name;
}

/* The receiver's canonical name of a method call ("" for plain calls). */
static const char *receiver_of(file_state *fs, TSNode call)
{
    TSNode fn = unwrap(field(call, F_function));
    if (is(fn, K_member_expression) || is(fn, K_attribute))
        return canon(fs, field(fn, F_object), 0);
    return "";
}

static void add_alias(file_state *fs, const char *local, const char *target)
{
    if (local && *local && target && *target)
        slsec_strmap_put(fs->aliases, local, (void *)target);
}

/* const x = require('m'); const { a, b: c } = require('m'); const y = require('m').z */
static void js_require_alias(file_state *fs, TSNode decl)
{
    TSNode name = field(decl, F_name);
    TSNode value = unwrap(field(decl, F_value));
    if (ts_node_is_null(value))
        return;
    const char *target = NULL;
    if (is(value, K_call_expression) || is(value, K_member_expression)) {
        TSNode base = value;
        while (is(base, K_member_expression))
            base = unwrap(field(base, F_object));
        if (!is(base, K_call_expression))
            return;
        TSNode fn = field(base, F_function);
        if (!is(fn, K_identifier) || strcmp(text(fs, fn), "require") != 0)
            return;
        target = canon(fs, value, 0);
    }
    if (!target || strcmp(target, "?") == 0)
        return;
    if (is(name, K_identifier)) {
        add_alias(fs, text(fs, name), target);
    } else if (is(name, K_object_pattern)) {
        kids kids_c = kids_of(fs, name);
        uint32_t c = kids_c.n;
        for (uint32_t i = 0; i < c; i++) {
            TSNode p = kid(&kids_c, i);
            if (is(p, K_shorthand_property_identifier_pattern)) {
                const char *local = text(fs, p);
                add_alias(fs, local, slsec_arena_printf(fs->f->a, "%s.%s", target, local));
            } else if (is(p, K_pair_pattern) && is(field(p, F_value), K_identifier)) {
                add_alias(fs, text(fs, field(p, F_value)),
                          slsec_arena_printf(fs->f->a, "%s.%s", target, text(fs, field(p, F_key))));
            }
        }
    }
}

/* import x from 'm'; import * as x from 'm'; import { a as b } from 'm' */
static void js_import_alias(file_state *fs, TSNode imp)
{
    TSNode src = field(imp, F_source);
    if (!is(src, K_string))
        return;
    const char *module = code_module_alias(string_value(fs, src));
    kids kids_c = kids_of(fs, imp);
    uint32_t c = kids_c.n;
    for (uint32_t i = 0; i < c; i++) {
        TSNode clause = kid(&kids_c, i);
        if (!is(clause, K_import_clause))
            continue;
        kids kids_k = kids_of(fs, clause);
        uint32_t k = kids_k.n;
        for (uint32_t j = 0; j < k; j++) {
            TSNode part = kid(&kids_k, j);
            if (is(part, K_identifier)) {
                add_alias(fs, text(fs, part), module);
            } else if (is(part, K_namespace_import)) {
                TSNode id = named_kid(part, 0);
                if (is(id, K_identifier))
                    add_alias(fs, text(fs, id), module);
            } else if (is(part, K_named_imports)) {
                kids kids_m = kids_of(fs, part);
                uint32_t m = kids_m.n;
                for (uint32_t q = 0; q < m; q++) {
                    TSNode spec = kid(&kids_m, q);
                    TSNode nm = field(spec, F_name), al = field(spec, F_alias);
                    const char *imported = text(fs, nm);
                    add_alias(fs, ts_node_is_null(al) ? imported : text(fs, al),
                              strcmp(imported, "default") == 0
                                  ? module
                                  : slsec_arena_printf(fs->f->a, "%s.%s", module, imported));
                }
            }
        }
    }
}

/* import os; import subprocess as sp; from os import system; from x import y as z */
static void py_import_alias(file_state *fs, TSNode imp)
{
    bool from = is(imp, K_import_from_statement);
    const char *module = from ? text(fs, field(imp, F_module_name)) : NULL;
    kids kids_c = kids_of(fs, imp);
    uint32_t c = kids_c.n;
    for (uint32_t i = 0; i < c; i++) {
        TSNode part = kid(&kids_c, i);
        if (from && ts_node_start_byte(part) == ts_node_start_byte(field(imp, F_module_name)))
            continue;
        const char *name = NULL, *alias = NULL;
        if (is(part, K_dotted_name)) {
            name = text(fs, part);
        } else if (is(part, K_aliased_import)) {
            name = text(fs, field(part, F_name));
            alias = text(fs, field(part, F_alias));
        } else {
            continue;
        }
        if (from) {
            add_alias(fs, alias ? alias : name, slsec_arena_printf(fs->f->a, "%s.%s", module, name));
        } else if (alias) {
            add_alias(fs, alias, name);
        } else {
            /* `import os.path` binds os */
            const char *dot = strchr(name, '.');
            const char *first = dot ? slsec_arena_strndup(fs->f->a, name, (size_t)(dot - name)) : name;
            add_alias(fs, first, first);
        }
    }
}

static bool constant_collection_at(file_state *fs, TSNode n, int depth);

static bool constant_collection(file_state *fs, TSNode n) { return constant_collection_at(fs, n, 0); }

static bool constant_collection_at(file_state *fs, TSNode n, int depth)
{
    n = unwrap(n);
    if (depth > 8)
        return false;
    code_kind k = named_kind(n);
    if (k == K_array || k == K_list || k == K_tuple || k == K_set || k == K_frozenset) {
        kids kids_c = kids_of(fs, n);
        uint32_t c = kids_c.n;
        for (uint32_t i = 0; i < c; i++) {
            TSNode e = kid(&kids_c, i);
            code_kind ek = named_kind(e);
            if (ek != K_number && ek != K_integer && ek != K_comment && !is_string_literal(e))
                return false;
        }
        return true;
    }
    if (k == K_new_expression) { /* new Set([...]) */
        TSNode args = field(n, F_arguments);
        return strcmp(text(fs, field(n, F_constructor)), "Set") == 0 && named_count(args) == 1 &&
               constant_collection_at(fs, named_kid(args, 0), depth + 1);
    }
    if (k == K_call) { /* frozenset({...}) / set([...]) */
        const char *f = text(fs, field(n, F_function));
        TSNode args = field(n, F_arguments);
        return (strcmp(f, "frozenset") == 0 || strcmp(f, "set") == 0) && named_count(args) == 1 &&
               constant_collection_at(fs, named_kid(args, 0), depth + 1);
    }
    if (k == K_identifier)
        return slsec_strmap_get(fs->consts, text(fs, n)) != NULL;
    return false;
}

/* ---- the environment ---------------------------------------------------------- */

static void bind(fn_ctx *c, const char *name, const taint *t)
{
    if (!name || !*name)
        return;
    if (c->nb == c->cap) {
        if (c->cap >= MAX_BINDINGS) {
            /* forget the oldest half: a 4096-name function is generated code */
            memmove(c->b, c->b + c->cap / 2, (c->cap - c->cap / 2) * sizeof *c->b);
            c->nb = c->cap - c->cap / 2;
        } else {
            c->cap = c->cap ? c->cap * 2 : 64;
            binding *more = realloc(c->b, c->cap * sizeof *more);
            if (!more)
                slsec_oom();
            c->b = more;
        }
    }
    c->b[c->nb++] = (binding){name, t};
}

static bool lookup(const fn_ctx *c, const char *name, const taint **out)
{
    for (size_t i = c->nb; i-- > 0;)
        if (strcmp(c->b[i].name, name) == 0) {
            *out = c->b[i].t;
            return true;
        }
    return false;
}

static taint *derive(fn_ctx *c, const taint *from, TSNode at, const char *what)
{
    taint *t = slsec_arena_alloc(c->fs->f->a, sizeof *t);
    *t = *from;
    t->flags &= ~(unsigned)(T_ROOT | T_FRESH);
    if (what) {
        if (t->nsteps == SLSEC_CODE_MAX_STEPS - 1) {
            /* keep the source and the latest steps; one slot stays for the sink */
            memmove(t->steps + 1, t->steps + 2, (SLSEC_CODE_MAX_STEPS - 3) * sizeof t->steps[0]);
            t->nsteps--;
        }
        t->steps[t->nsteps++] = step_at(c->fs, at, what);
    }
    return t;
}

/* A read from the event itself (event.body, event['headers'], the event
 * as a whole): where the data enters. */
static taint *source_read(fn_ctx *c, TSNode at, const char *whole)
{
    taint *t = slsec_arena_alloc(c->fs->f->a, sizeof *t);
    memset(t, 0, sizeof *t);
    t->source = excerpt(c->fs, at);
    t->whole = whole;
    t->flags = T_PARSED | T_FRESH;
    t->steps[0] = step_at(c->fs, at, slsec_arena_printf(c->fs->f->a, "source: %s (the event)", t->source));
    t->nsteps = 1;
    return t;
}

static bool whole_part(const char *prop)
{
    static const char *const parts[] = {"headers", "body", "cookies", "multiValueHeaders", "rawBody"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (strcmp(prop, parts[i]) == 0)
            return true;
    return false;
}

/* ---- expressions --------------------------------------------------------------- */

static const taint *eval(fn_ctx *c, TSNode n, int depth);
static void visit(fn_ctx *c, TSNode n, int depth);
static const taint *call_result(fn_ctx *c, TSNode call, int depth);

static bool too_deep(fn_ctx *c, int depth)
{
    if ((unsigned)depth > c->fs->f->max_depth) {
        c->fs->f->truncated = true;
        return true;
    }
    return false;
}

/* A read of `prop` from a tainted object. */
static const taint *read_member(fn_ctx *c, const taint *obj, TSNode at, const char *prop)
{
    if (!obj)
        return NULL;
    if (prop && strcmp(prop, "length") == 0)
        return NULL;
    if (obj->flags & T_ROOT) {
        const char *whole = prop && whole_part(prop)
                                ? slsec_arena_printf(c->fs->f->a, "%s.%s", obj->source ? obj->source : "event", prop)
                                : NULL;
        return source_read(c, at, whole);
    }
    if ((obj->flags & T_FRESH) && (is(at, K_member_expression) || is(at, K_attribute) || is(at, K_subscript) ||
                                   is(at, K_subscript_expression)))
        return source_read(c, at, NULL); /* event.queryStringParameters.id: the source is the whole read */
    taint *t = derive(c, obj, at, NULL);
    t->whole = NULL;
    return t;
}

/* Any tainted child among the named children (arrays, objects, lists...). */
static const taint *any_child(fn_ctx *c, TSNode n, int depth)
{
    kids kids_k = kids_of(c->fs, n);
    const taint *t = NULL;
    for (uint32_t i = 0; i < kids_k.n && !t; i++)
        t = eval(c, kid(&kids_k, i), depth + 1);
    return t;
}

/* A string built from pieces: tainted when any piece is; records whether
 * a literal prefix fixes the scheme and host ("https://api.example.com/"). */
static const taint *built(fn_ctx *c, TSNode n, const taint *t, const char *prefix)
{
    if (!t)
        return NULL;
    taint *b = derive(c, t, n, NULL);
    b->flags |= T_BUILT;
    b->whole = NULL;
    const char *sep = prefix ? strstr(prefix, "://") : NULL;
    if (sep && strchr(sep + 3, '/') && strchr(sep + 3, '/') > sep + 3)
        b->flags |= T_HOST_FIXED;
    else
        b->flags &= ~(unsigned)T_HOST_FIXED;
    return b;
}

/* The value of an expression the deployment fixes, not the caller: a
 * string literal, a module-level name bound to one, an environment
 * variable (process.env.X, os.environ[...], os.getenv). NULL otherwise. */
static const char *configured_value(file_state *fs, TSNode n)
{
    n = unwrap(n);
    if (is_string_literal(n))
        return string_value(fs, n);
    if (is(n, K_identifier)) {
        if (!fs->strings)
            return NULL;
        return slsec_strmap_get(fs->strings, text(fs, n));
    }
    static const char env[] = "env://configured/";
    if (is(n, K_member_expression) && strncmp(text(fs, n), "process.env.", 12) == 0)
        return env;
    if (is(n, K_subscript) && strcmp(text(fs, field(n, F_value)), "os.environ") == 0)
        return env;
    if (is(n, K_call)) {
        const char *callee = callee_of(fs, n);
        if (strcmp(callee, "os.environ.get") == 0 || strcmp(callee, "os.getenv") == 0)
            return env;
    }
    return NULL;
}

/* What a substitution of a template literal or f-string stands for, when
 * the file fixes it (NULL otherwise); *whole: all of it is known. */
typedef const char *(*substitution_value)(file_state *fs, TSNode expr, int depth, bool *whole);

/* The constant text a template literal or f-string starts with: its
 * literal parts and the values `value` gives its substitutions, up to the
 * first substitution without one, or until `enough` says the text so far
 * is all the caller needs. *complete: the whole string is constant. */
static const char *template_text(file_state *fs, TSNode n, substitution_value value, int depth,
                                 bool (*enough)(const char *), bool *complete)
{
    bool py = is(n, K_string);
    code_kind sub_type = py ? K_interpolation : K_template_substitution;
    /* JavaScript: inside the backquotes; Python: between string_start
     * (prefix and quotes) and string_end */
    uint32_t pos = ts_node_start_byte(n), end = ts_node_end_byte(n);
    *complete = false;
    if (!py && end - pos < 2)
        return NULL; /* not even the two backquotes: a broken tree */
    if (!py) {
        pos++;
        end--;
    }
    slsec_buf b;
    slsec_buf_init(&b);
    kids ks = kids_of(fs, n);
    bool stopped = false;
    for (uint32_t i = 0; i < ks.n && !stopped; i++) {
        TSNode ch = kid(&ks, i);
        if (is(ch, K_string_start)) {
            pos = ts_node_end_byte(ch);
            continue;
        }
        if (is(ch, K_string_end)) {
            end = ts_node_start_byte(ch);
            continue;
        }
        if (!is(ch, sub_type))
            continue;
        if (ts_node_start_byte(ch) > pos)
            slsec_buf_append(&b, fs->f->src + pos, ts_node_start_byte(ch) - pos);
        if (enough && b.data && enough(b.data)) {
            stopped = true;
            break;
        }
        TSNode expr = py ? field(ch, F_expression) : named_kid(ch, 0);
        bool whole = false;
        const char *v = value(fs, expr, depth + 1, &whole);
        if (v)
            slsec_buf_puts(&b, v);
        stopped = !v || !whole;
        pos = ts_node_end_byte(ch);
    }
    if (!stopped && end > pos)
        slsec_buf_append(&b, fs->f->src + pos, end - pos);
    const char *out = slsec_arena_strndup(fs->f->a, b.data ? b.data : "", b.len);
    slsec_buf_free(&b);
    *complete = !stopped;
    return out;
}

static const char *configured_substitution(file_state *fs, TSNode expr, int depth, bool *whole)
{
    (void)depth;
    const char *v = configured_value(fs, expr);
    *whole = v != NULL;
    return v;
}

/* The constant text a concatenation, template or f-string starts with
 * (see configured_value), or NULL when it starts with anything else. */
static const char *literal_prefix(file_state *fs, TSNode n)
{
    n = unwrap(n);
    /* the operands left to right: `a + b + c ...` nests to the left without bound */
    TSNode spine[64];
    size_t depth = 0;
    while ((is(n, K_binary_expression) || is(n, K_binary_operator)) && depth < 64) {
        spine[depth++] = n;
        n = unwrap(field(n, F_left));
    }
    if (is(n, K_binary_expression) || is(n, K_binary_operator))
        return NULL;
    const char *first = NULL;
    bool whole = false; /* the leftmost operand is constant all through */
    if (is(n, K_template_string) || (is(n, K_string) && !is_string_literal(n))) {
        first = template_text(fs, n, configured_substitution, 0, NULL, &(bool){false});
    } else {
        first = configured_value(fs, n);
        whole = first != NULL;
    }
    if (!first)
        return NULL;
    slsec_buf b;
    slsec_buf_init(&b);
    slsec_buf_puts(&b, first);
    for (size_t i = depth; whole && i-- > 0;) {
        const char *op = text(fs, field(spine[i], F_operator));
        const char *v = strcmp(op, "+") == 0 ? configured_value(fs, field(spine[i], F_right)) : NULL;
        if (!v)
            break;
        slsec_buf_puts(&b, v);
    }
    const char *out = slsec_arena_strndup(fs->f->a, b.data ? b.data : "", b.len);
    slsec_buf_free(&b);
    return out;
}

static const taint *eval(fn_ctx *c, TSNode n, int depth)
{
    n = unwrap(n);
    if (ts_node_is_null(n) || too_deep(c, depth))
        return NULL;
    code_kind type = kind_of(n);
    file_state *fs = c->fs;

    if (type == K_identifier) {
        const taint *t;
        return lookup(c, text(fs, n), &t) ? t : NULL;
    }
    if (type == K_member_expression || type == K_attribute ||
        type == K_subscript_expression || type == K_subscript) {
        const taint *t;
        if (lookup(c, text(fs, n), &t)) /* a member path a guard cleaned, or bound by destructuring */
            return t;
        bool sub = type == K_subscript_expression || type == K_subscript;
        TSNode obj = field(n, sub && type == K_subscript ? F_value : F_object);
        const taint *o = eval(c, obj, depth + 1);
        if (!o)
            return NULL;
        const char *prop = NULL;
        if (!sub) {
            prop = text(fs, field(n, type == K_attribute ? F_attribute : F_property));
        } else {
            TSNode idx = field(n, type == K_subscript ? F_subscript : F_index);
            if (is_string_literal(idx))
                prop = string_value(fs, idx);
        }
        return read_member(c, o, n, prop);
    }
    if (type == K_call_expression || type == K_call || type == K_new_expression)
        return call_result(c, n, depth);
    if (type == K_binary_expression || type == K_binary_operator) {
        const char *op = text(fs, field(n, F_operator));
        const taint *l = eval(c, field(n, F_left), depth + 1);
        const taint *r = eval(c, field(n, F_right), depth + 1);
        if (strcmp(op, "+") == 0 || strcmp(op, "%") == 0)
            return built(c, n, l ? l : r, literal_prefix(fs, n));
        if (strcmp(op, "||") == 0 || strcmp(op, "??") == 0)
            return l ? l : r;
        return NULL; /* arithmetic and comparisons give numbers and booleans */
    }
    if (type == K_boolean_operator) {
        const taint *l = eval(c, field(n, F_left), depth + 1);
        return l ? l : eval(c, field(n, F_right), depth + 1);
    }
    if (type == K_template_string) {
        kids kids_k = kids_of(c->fs, n);
        const taint *t = NULL;
        for (uint32_t i = 0; i < kids_k.n && !t; i++) {
            TSNode sub = kid(&kids_k, i);
            if (is(sub, K_template_substitution))
                t = eval(c, named_kid(sub, 0), depth + 1);
        }
        return t ? built(c, n, t, literal_prefix(fs, n)) : NULL;
    }
    if (type == K_string || type == K_concatenated_string) {
        kids kids_k = kids_of(c->fs, n);
        const taint *t = NULL;
        for (uint32_t i = 0; i < kids_k.n && !t; i++) {
            TSNode sub = kid(&kids_k, i);
            if (is(sub, K_interpolation))
                t = eval(c, field(sub, F_expression), depth + 1);
            else if (is(sub, K_string))
                t = eval(c, sub, depth + 1);
        }
        return t ? built(c, n, t, literal_prefix(fs, n)) : NULL;
    }
    if (type == K_ternary_expression || type == K_conditional_expression) {
        kids kids_k = kids_of(c->fs, n);
        const taint *t = NULL;
        for (uint32_t i = 1; i < kids_k.n && !t; i++) { /* not the condition */
            if (type == K_conditional_expression && i == 1)
                continue; /* Python: a if COND else b */
            t = eval(c, kid(&kids_k, i), depth + 1);
        }
        if (!t && type == K_conditional_expression)
            t = eval(c, kid(&kids_k, 0), depth + 1);
        return t;
    }
    if (type == K_array || type == K_list || type == K_tuple ||
        type == K_spread_element || type == K_list_splat ||
        type == K_dictionary_splat || type == K_expression_list) {
        const taint *t = any_child(c, n, depth);
        if (t) {
            taint *d = derive(c, t, n, NULL);
            d->whole = type == K_spread_element ? t->whole : NULL;
            return d;
        }
        return NULL;
    }
    if (type == K_object || type == K_dictionary) {
        kids kids_k = kids_of(c->fs, n);
        const taint *t = NULL;
        for (uint32_t i = 0; i < kids_k.n && !t; i++) {
            TSNode p = kid(&kids_k, i);
            if (is(p, K_pair))
                t = eval(c, field(p, F_value), depth + 1);
            else if (is(p, K_shorthand_property_identifier)) {
                const taint *b;
                t = lookup(c, text(fs, p), &b) ? b : NULL;
            } else if (is(p, K_spread_element) || is(p, K_dictionary_splat))
                t = eval(c, p, depth + 1);
        }
        if (!t)
            return NULL;
        taint *d = derive(c, t, n, NULL);
        d->whole = NULL;
        return d;
    }
    if (type == K_assignment_expression)
        return eval(c, field(n, F_right), depth + 1);
    return NULL;
}

/* ---- calls ----------------------------------------------------------------- */

static TSNode args_of(TSNode call) { return field(call, F_arguments); }

/* The i-th positional argument (keyword arguments and comments skipped). */
static TSNode positional(file_state *fs, TSNode call, int i)
{
    kids ks = kids_of(fs, args_of(call));
    TSNode found = {0};
    int seen = 0;
    for (uint32_t j = 0; j < ks.n && ts_node_is_null(found); j++) {
        TSNode a = kid(&ks, j);
        if (is(a, K_keyword_argument) || is(a, K_comment))
            continue;
        if (seen++ == i)
            found = a;
    }
    return found;
}

/* Is the text of n `want`? As strcmp(text(fs, n), want) == 0, without
 * the copy (text() stops at a NUL byte in the source, so does this). */
static bool text_is(file_state *fs, TSNode n, const char *want)
{
    uint32_t s = ts_node_is_null(n) ? 0 : ts_node_start_byte(n), e = ts_node_is_null(n) ? 0 : ts_node_end_byte(n);
    if (e > fs->f->len || s > e)
        s = e = 0; /* text() gives "" */
    size_t len = e - s, wl = strlen(want);
    const char *t = fs->f->src + s;
    return len >= wl && memcmp(t, want, wl) == 0 && (len == wl || t[wl] == '\0');
}

static TSNode keyword(file_state *fs, TSNode call, const char *name)
{
    TSNode args = args_of(call);
    kids kids_k = kids_of(fs, args);
    TSNode found = {0};
    for (uint32_t j = 0; j < kids_k.n && ts_node_is_null(found); j++) {
        TSNode a = kid(&kids_k, j);
        if (is(a, K_keyword_argument) && text_is(fs, field(a, F_name), name))
            found = field(a, F_value);
    }
    return found;
}

/* Does a call have keyword arguments (keyword() finds none otherwise)? */
static bool has_keywords(file_state *fs, TSNode call)
{
    kids kids_k = kids_of(fs, args_of(call));
    for (uint32_t j = 0; j < kids_k.n; j++)
        if (is(kid(&kids_k, j), K_keyword_argument))
            return true;
    return false;
}

/* An object literal argument's property value (JS options objects). */
static TSNode option(file_state *fs, TSNode call, const char *name)
{
    TSNode args = args_of(call);
    kids kids_k = kids_of(fs, args);
    TSNode found = {0};
    for (uint32_t j = 0; j < kids_k.n && ts_node_is_null(found); j++) {
        TSNode o = unwrap(kid(&kids_k, j));
        if (!is(o, K_object))
            continue;
        kids kids_m = kids_of(fs, o);
        for (uint32_t q = 0; q < kids_m.n && ts_node_is_null(found); q++) {
            TSNode p = kid(&kids_m, q);
            if (is(p, K_pair)) {
                const char *key = key_name(fs, field(p, F_key));
                if (key && strcmp(key, name) == 0)
                    found = field(p, F_value);
            }
        }
    }
    return found;
}

static bool is_true(file_state *fs, TSNode v)
{
    const char *t = ts_node_is_null(v) ? "" : text(fs, v);
    return strcmp(t, "true") == 0 || strcmp(t, "True") == 0 || (is_string_literal(v) && *string_value(fs, v));
}

static bool db_receiver(const char *recv)
{
    static const char *const words[] = {"db", "pool", "client", "conn", "connection", "knex", "sequelize",
                                        "cursor", "mysql", "pg", "sqlite", "database", "sql", "session",
                                        "engine", "prisma", "trx", "tx"};
    const char *last = strrchr(recv, '.');
    last = last ? last + 1 : recv;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (slsec_str_contains_ci(last, words[i]))
            return true;
    return false;
}

static bool response_receiver(const char *recv)
{
    const char *last = strrchr(recv, '.');
    last = last ? last + 1 : recv;
    return strcmp(last, "res") == 0 || strcmp(last, "response") == 0 || strcmp(last, "reply") == 0 ||
           strcmp(last, "ctx") == 0 || strcmp(last, "h") == 0;
}

static bool has_markup(file_state *fs, TSNode n, int depth)
{
    n = unwrap(n);
    if (ts_node_is_null(n) || depth > 32)
        return false;
    if (is_string_literal(n) || is(n, K_string_fragment) || is(n, K_string_content)) {
        const char *t = text(fs, n);
        return strchr(t, '<') != NULL;
    }
    kids kids_k = kids_of(fs, n);
    bool markup = false;
    for (uint32_t i = 0; i < kids_k.n && !markup; i++)
        markup = has_markup(fs, kid(&kids_k, i), depth + 1);
    return markup;
}

static slsec_code_hit *new_hit(fn_ctx *c, const char *rule, TSNode at, const char *sink, const taint *t)
{
    file_state *fs = c->fs;
    slsec_code_hit *h = slsec_arena_alloc(fs->f->a, sizeof *h);
    memset(h, 0, sizeof *h);
    TSPoint p = ts_node_start_point(at);
    h->rule_id = rule;
    h->file = fs->primary == fs ? NULL : fs->f->relpath;
    h->line = (int)p.row + 1;
    h->col = (int)p.column + 1;
    h->sink = sink;
    h->handler = c->handler;
    h->source = t && t->source ? t->source : "";
    h->key = excerpt(fs, at); /* the sink as written, completed in emit(): no line numbers */
    if (t) {
        memcpy(h->steps, t->steps, t->nsteps * sizeof t->steps[0]);
        h->nsteps = t->nsteps;
    }
    if (h->nsteps < SLSEC_CODE_MAX_STEPS)
        h->steps[h->nsteps++] = step_at(fs, at, slsec_arena_printf(fs->f->a, "sink: %s", sink));
    return h;
}

static void emit(fn_ctx *c, slsec_code_hit *h)
{
    for (size_t i = 0; i < c->out->count; i++) {
        const slsec_code_hit *o = c->out->items[i];
        if (o->line == h->line && o->col == h->col && strcmp(o->rule_id, h->rule_id) == 0 &&
            strcmp(o->file ? o->file : "", h->file ? h->file : "") == 0 &&
            strcmp(o->handler ? o->handler : "", h->handler ? h->handler : "") == 0)
            return;
    }
    file_state *fs = c->fs;
    if (!h->message) {
        if (strncmp(h->rule_id, "CODE-", 5) == 0)
            h->message = slsec_arena_printf(fs->f->a, "%s from the event of %s reaches %s (%s) without sanitising",
                                            h->source, h->handler ? h->handler : "the handler",
                                            code_rule_label(h->rule_id), h->sink);
    }
    h->key = slsec_arena_printf(fs->f->a, "%s|%s|%s|%s", h->handler ? h->handler : "", h->sink, h->source,
                                h->key ? h->key : "");
    slsec_ptrvec_push(fs->f->a, c->out, h);
}

static void report(fn_ctx *c, const char *rule, TSNode at, const char *sink, const taint *t)
{
    emit(c, new_hit(c, rule, at, sink, t));
}

static const taint *arg_taint(fn_ctx *c, TSNode call, int i, int depth, TSNode *which)
{
    if (i >= 0) {
        TSNode a = positional(c->fs, call, i);
        *which = a;
        return ts_node_is_null(a) ? NULL : eval(c, a, depth + 1);
    }
    /* the first 16 positional arguments, as positional() counts them */
    kids ks = kids_of(c->fs, args_of(call));
    const taint *t = NULL;
    int seen = 0;
    for (uint32_t j = 0; j < ks.n && !t && seen < 16; j++) {
        TSNode a = kid(&ks, j);
        if (is(a, K_keyword_argument) || is(a, K_comment))
            continue;
        seen++;
        t = eval(c, a, depth + 1);
        if (t)
            *which = a;
    }
    return t;
}

/* NoSQL: a query object taken whole from input, or an object literal with
 * an operator ($where) or a value from parsed JSON (which can be an
 * operator object such as {"$ne": null}). */
static const taint *nosql_taint(fn_ctx *c, TSNode q, int depth)
{
    q = unwrap(q);
    if (is(q, K_object) || is(q, K_dictionary)) {
        kids kids_k = kids_of(c->fs, q);
        uint32_t k = kids_k.n;
        for (uint32_t i = 0; i < k; i++) {
            TSNode p = kid(&kids_k, i);
            TSNode v;
            const char *key = NULL;
            if (is(p, K_pair)) {
                v = field(p, F_value);
                key = key_name(c->fs, field(p, F_key));
            } else if (is(p, K_shorthand_property_identifier)) {
                v = p;
            } else {
                continue;
            }
            const taint *t = is(p, K_shorthand_property_identifier) ? NULL : eval(c, v, depth + 1);
            if (is(p, K_shorthand_property_identifier)) {
                const taint *b;
                t = lookup(c, text(c->fs, p), &b) ? b : NULL;
            }
            if (!t)
                continue;
            /* a nested literal ({ where: { id: body.id } }) is an ORM's filter, not an operator */
            bool nested = is(unwrap(v), K_object) || is(unwrap(v), K_dictionary);
            if ((key && strcmp(key, "$where") == 0) || ((t->flags & T_PARSED) && !(t->flags & T_BUILT) && !nested)) {
                return t;
            }
        }
        return NULL;
    }
    const taint *t = eval(c, q, depth + 1);
    return t && !(t->flags & T_BUILT) ? t : NULL;
}

static bool sink_applies(fn_ctx *c, const code_sink *s, TSNode call, const taint *t, TSNode arg, int depth)
{
    file_state *fs = c->fs;
    if (s->cond & SINK_SHELL) {
        TSNode sh = fs->f->lang == 2 ? keyword(fs, call, "shell") : option(fs, call, "shell");
        if (!is_true(fs, sh))
            return false;
    }
    if (s->cond & SINK_SQL) {
        if (!(t->flags & T_BUILT) && !db_receiver(receiver_of(fs, call)))
            return false;
        if (!db_receiver(receiver_of(fs, call)) && fs->f->lang == 1 && strcmp(s->name, "*.query") != 0 &&
            strcmp(s->name, "*.execute") != 0)
            return false;
    }
    if ((s->cond & SINK_URL) && (t->flags & T_HOST_FIXED))
        return false;
    if (strcmp(s->rule_id, "CODE-005") == 0 && (t->flags & T_PATH_SAFE))
        return false;
    if ((s->cond & SINK_STRING) && (is(unwrap(arg), K_arrow_function) || is(unwrap(arg), K_function_expression)))
        return false;
    if ((s->cond & SINK_RECEIVER) && !response_receiver(receiver_of(fs, call)))
        return false;
    if ((s->cond & SINK_HTML) && !has_markup(fs, arg, 0) && !(t->whole == NULL && (t->flags & T_BUILT) && 0))
        return false;
    if (s->cond & SINK_YAML) {
        TSNode loader = keyword(fs, call, "Loader");
        if (ts_node_is_null(loader))
            loader = positional(fs, call, 1);
        const char *l = ts_node_is_null(loader) ? "" : text(fs, loader);
        if (strstr(l, "SafeLoader") || strstr(l, "CSafeLoader") || strstr(l, "BaseLoader"))
            return false;
    }
    if (s->cond & SINK_JSYAML) {
        TSNode schema = option(fs, call, "schema");
        const char *l = ts_node_is_null(schema) ? "" : text(fs, schema);
        if (!strstr(l, "FULL_SCHEMA") && !strstr(l, "DEFAULT_FULL"))
            return false;
    }
    if (s->cond & SINK_XML) {
        if (fs->f->lang == 1) {
            if (!is_true(fs, option(fs, call, "noent")))
                return false;
        } else {
            /* lxml resolves entities unless its parser says otherwise */
            TSNode parser = keyword(fs, call, "parser");
            if (ts_node_is_null(parser))
                parser = positional(fs, call, 1);
            if (!ts_node_is_null(parser)) {
                const char *p = text(fs, parser);
                if (strstr(p, "resolve_entities=False") || strstr(p, "resolve_entities = False"))
                    return false;
                const taint *unused;
                (void)unused;
                if (is(parser, K_identifier) && slsec_strmap_get(fs->consts, slsec_arena_printf(fs->f->a, "safe-parser:%s", p)))
                    return false;
            }
        }
    }
    (void)depth;
    return true;
}

static void check_sinks(fn_ctx *c, TSNode call, const char *name, int depth)
{
    size_t from = 0;
    const code_sink *s;
    while ((s = code_sink_find(name, c->fs->f->lang, &from)) != NULL) {
        TSNode arg = {0};
        const taint *t;
        if (s->cond & SINK_NOSQL) {
            arg = positional(c->fs, call, 0);
            t = ts_node_is_null(arg) ? NULL : nosql_taint(c, arg, depth);
        } else {
            t = arg_taint(c, call, s->arg, depth, &arg);
        }
        if (t && sink_applies(c, s, call, t, arg, depth)) {
            report(c, s->rule_id, call, name, t);
            return;
        }
    }
}

/* slsec_rules_secret_name(name), once per name and file: handlers log the
 * same few names again and again, and the answer takes a few thousand
 * instructions (word splitting, case folding, tables). */
static bool secret_name(file_state *fs, const char *name)
{
    static int yes, no;
    file_state *p = fs->primary;
    if (!p->secret_names)
        p->secret_names = slsec_strmap_new(p->f->a);
    void *known = slsec_strmap_get(p->secret_names, name);
    if (known)
        return known == &yes;
    bool secret = slsec_rules_secret_name(name);
    slsec_strmap_put(p->secret_names, slsec_arena_strdup(p->f->a, name), secret ? &yes : &no);
    return secret;
}

/* Logging: the whole event or one of its whole parts (LOG-101), or a value
 * named like a secret (LOG-102). */
static void check_log_piece(fn_ctx *c, TSNode call, const char *name, TSNode piece, int depth)
{
    piece = unwrap(piece);
    if (ts_node_is_null(piece) || depth > 32)
        return;
    file_state *fs = c->fs;
    code_kind pk = named_kind(piece);
    if (pk == K_template_string || pk == K_binary_expression || pk == K_binary_operator ||
        (pk == K_string && !is_string_literal(piece)) || pk == K_template_substitution ||
        pk == K_interpolation || pk == K_arguments || pk == K_argument_list) {
        kids kids_k = kids_of(c->fs, piece);
        for (uint32_t i = 0; i < kids_k.n; i++) {
            check_log_piece(c, call, name, kid(&kids_k, i), depth + 1);
        }
        return;
    }
    if (pk == K_call_expression || pk == K_call) {
        const char *callee = callee_of(fs, piece);
        if (strcmp(callee, "JSON.stringify") == 0 || strcmp(callee, "json.dumps") == 0 ||
            strcmp(callee, "str") == 0 || strcmp(callee, "repr") == 0 || strcmp(callee, "util.inspect") == 0)
            check_log_piece(c, call, name, positional(fs, piece, 0), depth + 1);
        return;
    }
    if (pk == K_keyword_argument)
        return;
    const taint *t = eval(c, piece, depth + 1);
    if (t && t->whole) {
        slsec_code_hit *h = new_hit(c, RULE_LOG_WHOLE, call, name, t);
        h->message = slsec_arena_printf(fs->f->a, "%s logs %s whole (%s): headers, tokens and personal data end in the logs",
                                        c->handler ? c->handler : "the handler", t->whole, excerpt(fs, piece));
        emit(c, h);
        return;
    }
    const char *last = NULL;
    if (pk == K_identifier)
        last = text(fs, piece);
    else if (pk == K_member_expression)
        last = text(fs, field(piece, F_property));
    else if (pk == K_attribute)
        last = text(fs, field(piece, F_attribute));
    else if (pk == K_subscript || pk == K_subscript_expression) {
        TSNode idx = field(piece, pk == K_subscript ? F_subscript : F_index);
        if (is_string_literal(idx))
            last = string_value(fs, idx);
    }
    if (last && secret_name(fs, last)) {
        slsec_code_hit *h = new_hit(c, RULE_LOG_SECRET, call, name, t);
        h->source = excerpt(fs, piece);
        h->message = slsec_arena_printf(fs->f->a, "%s logs %s, a value named like a secret", 
                                        c->handler ? c->handler : "the handler", excerpt(fs, piece));
        emit(c, h);
    }
}

/* The same-file function a call reaches, or NULL. */
static void collect_file(file_state *fs);

/* Candidate files for an import spelled `spec` in the file `from`. */
static size_t module_candidates(file_state *fs, const char *spec, const char **out, size_t max)
{
    slsec_arena *a = fs->f->a;
    const char *from = fs->f->relpath;
    const char *slash = strrchr(from, '/');
    const char *dir = slash ? slsec_arena_strndup(a, from, (size_t)(slash - from)) : "";
    size_t n = 0;
    if (fs->f->lang == 1) {
        if (strncmp(spec, "./", 2) != 0 && strncmp(spec, "../", 3) != 0)
            return 0; /* a package, not a file of the project */
        static const char *const suffixes[] = {"", ".js", ".ts", ".mjs", ".cjs", ".mts", ".tsx", "/index.js", "/index.ts"};
        for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0] && n < max; i++) {
            char *p = code_path_normalise(a, slsec_arena_printf(a, "%s%s%s%s", dir, *dir ? "/" : "", spec, suffixes[i]));
            if (p && slsec_code_lang_of(p))
                out[n++] = p;
        }
        return n;
    }
    /* Python: ".db" and "..pkg.db" from this file's package; "pkg.db" from it or from the root */
    size_t dots = 0;
    while (spec[dots] == '.')
        dots++;
    char *mod = slsec_arena_strdup(a, spec + dots);
    for (char *p = mod; *p; p++)
        if (*p == '.')
            *p = '/';
    const char *base = dir;
    for (size_t i = 1; i < dots; i++)
        base = slsec_arena_printf(a, "%s%s..", base, *base ? "/" : "");
    const char *bases[2] = {base, dots ? NULL : ""};
    for (size_t b = 0; b < 2 && n + 2 <= max; b++) {
        if (!bases[b])
            continue;
        const char *stem = slsec_arena_printf(a, "%s%s%s", bases[b], *bases[b] ? "/" : "", mod);
        char *p = code_path_normalise(a, slsec_arena_printf(a, "%s.py", stem));
        if (p)
            out[n++] = p;
        p = code_path_normalise(a, slsec_arena_printf(a, "%s/__init__.py", stem));
        if (p)
            out[n++] = p;
    }
    return n;
}

static int no_module;

/* The state of an imported file, parsed once per analysed file; NULL when
 * it is not a file of the project (or cannot be read or parsed). */
static file_state *module_state_at(file_state *fs, const char *spec);

/* The same, once per spelling: a handler's every method call (`json.loads`,
 * `logger.info`) asks whether its receiver is an imported module, and
 * working out the candidate paths costs more than the answer. The
 * spelling's candidates depend only on the file asking, always the
 * analysed one. */
static file_state *module_state(file_state *fs, const char *spec)
{
    file_state *primary = fs->primary;
    if (fs != primary || !primary->f->loader || !primary->f->loader->read)
        return module_state_at(fs, spec);
    void *known = slsec_strmap_get(primary->specs, spec);
    if (known)
        return known == &no_module ? NULL : known;
    file_state *m = module_state_at(fs, spec);
    slsec_strmap_put(primary->specs, slsec_arena_strdup(primary->f->a, spec), m ? (void *)m : &no_module);
    return m;
}

static file_state *module_state_at(file_state *fs, const char *spec)
{
    file_state *primary = fs->primary;
    code_file *pf = primary->f;
    if (!pf->loader || !pf->loader->read)
        return NULL;
    const char *cands[12];
    size_t n = module_candidates(fs, spec, cands, 12);
    for (size_t i = 0; i < n; i++) {
        void *known = slsec_strmap_get(primary->modules, cands[i]);
        if (known == &no_module)
            continue;
        if (known)
            return known;
        size_t len = 0;
        char *data = pf->loader->read(pf->loader->user, cands[i], pf->max_file_bytes, &len);
        if (!data || len > UINT32_MAX) {
            free(data);
            slsec_strmap_put(primary->modules, cands[i], &no_module);
            continue;
        }
        slsec_code_lang lang = slsec_code_lang_of(cands[i]);
        bool bad_abi;
        TSTree *tree = code_parse(pf->session, lang, data, (uint32_t)len, pf->parse_micros, &bad_abi);
        ids_forget();
        if (!tree) {
            free(data);
            slsec_strmap_put(primary->modules, cands[i], &no_module);
            continue;
        }
        code_file *f = slsec_arena_alloc(pf->a, sizeof *f);
        *f = *pf;
        f->relpath = cands[i];
        f->src = data;
        f->len = len;
        f->lang = lang == SLSEC_CODE_PY ? 2u : 1u;
        f->root = ts_tree_root_node(tree);
        f->tree = tree;
        slsec_ptrvec_push(pf->a, &primary->imported, f);
        file_state *m = slsec_arena_alloc(pf->a, sizeof *m);
        memset(m, 0, sizeof *m);
        m->f = f;
        m->primary = primary;
        collect_file(m);
        slsec_strmap_put(primary->modules, cands[i], m);
        return m;
    }
    return NULL;
}

/* The function a call reaches: defined in this file, or (from the analysed
 * file only: one level) exported by a file of the project it imports. */
static fn_summary *callee_function_at(fn_ctx *c, TSNode call);

/* The function a call reaches, once per call node: every check of a call
 * and every evaluation of its value asks. The answer is known once the
 * file's functions and imports are (collected), as it always is here. */
static fn_summary *callee_function(fn_ctx *c, TSNode call)
{
    if (!c->fs->collected || ts_node_is_null(call))
        return callee_function_at(c, call);
    code_node_memo *m = memo_of(c->fs, call);
    if (m->summary_known)
        return m->summary;
    fn_summary *s = callee_function_at(c, call);
    m = memo_of(c->fs, call); /* looking it up may have parsed an import: the memo may have moved */
    m->summary_known = true;
    m->summary = s;
    return s;
}

static fn_summary *callee_function_at(fn_ctx *c, TSNode call)
{
    TSNode fn = unwrap(field(call, F_function));
    if (is(fn, K_identifier)) {
        fn_summary *s = slsec_strmap_get(c->fs->functions, text(c->fs, fn));
        if (s)
            return s;
    }
    if (c->fs->primary != c->fs || !(is(fn, K_identifier) || is(fn, K_member_expression) || is(fn, K_attribute)))
        return NULL;
    const char *name = canon(c->fs, fn, 0);
    const char *dot = strrchr(name, '.');
    const char *slash = strrchr(name, '/');
    if (!dot || dot == name || (slash && slash > dot))
        return NULL;
    if (c->fs->f->lang == 1 && name[0] != '.')
        return NULL;
    const char *spec = slsec_arena_strndup(c->fs->f->a, name, (size_t)(dot - name));
    file_state *m = module_state(c->fs, spec);
    return m ? slsec_strmap_get(m->functions, dot + 1) : NULL;
}

static void analyze_function(file_state *fs, TSNode fnode, const char *name, int tainted_param, const taint *param_taint,
                             bool summary, slsec_ptrvec *out, bool *returns);

static void summarise(fn_ctx *c, fn_summary *s, size_t i)
{
    if (s->done[i] || s->busy[i])
        return;
    s->busy[i] = true;
    taint *pt = slsec_arena_alloc(c->fs->f->a, sizeof *pt);
    memset(pt, 0, sizeof *pt);
    pt->source = s->params[i];
    pt->flags = T_PARSED;
    pt->steps[0] = step_at(s->fs, s->param_nodes[i],
                           slsec_arena_printf(c->fs->f->a, "parameter %s of %s()", s->params[i], s->name));
    pt->nsteps = 1;
    analyze_function(s->fs, s->node, s->name, (int)i, pt, true, &s->hits[i], &s->returns[i]);
    s->busy[i] = false;
    s->done[i] = true;
}

/* A call to a summarised same-file function with tainted arguments: its
 * sinks are reported at their place, the path going through the call. */
static const taint *apply_summary(fn_ctx *c, fn_summary *s, TSNode call, int depth)
{
    const taint *ret = NULL;
    for (size_t i = 0; i < s->nparams; i++) {
        TSNode a = positional(c->fs, call, (int)i);
        if (ts_node_is_null(a))
            break;
        const taint *t = eval(c, a, depth + 1);
        if (!t)
            continue;
        summarise(c, s, i);
        const taint *through = derive(c, t, call, slsec_arena_printf(c->fs->f->a, "passed to %s() as %s", s->name, s->params[i]));
        for (size_t k = 0; k < s->hits[i].count; k++) {
            const slsec_code_hit *inner = s->hits[i].items[k];
            taint *path = derive(c, through, call, NULL);
            /* the helper's own steps, its parameter step excepted, then the sink */
            for (size_t q = 1; q + 1 < inner->nsteps && path->nsteps < SLSEC_CODE_MAX_STEPS - 1; q++)
                path->steps[path->nsteps++] = inner->steps[q];
            slsec_code_hit *h = slsec_arena_alloc(c->fs->f->a, sizeof *h);
            *h = *inner;
            h->handler = c->handler;
            h->source = t->source;
            memcpy(h->steps, path->steps, path->nsteps * sizeof path->steps[0]);
            h->nsteps = path->nsteps;
            h->steps[h->nsteps++] = inner->steps[inner->nsteps - 1];
            h->message = NULL;
            if (strncmp(h->rule_id, "LOG-", 4) == 0)
                h->message = inner->message;
            emit(c, h);
        }
        if (s->returns[i] && !ret)
            ret = derive(c, through, call, slsec_arena_printf(c->fs->f->a, "returned by %s()", s->name));
    }
    return ret;
}

static const taint *call_result(fn_ctx *c, TSNode call, int depth)
{
    file_state *fs = c->fs;
    const char *name = callee_of(fs, call);
    unsigned lang = fs->f->lang;
    if (code_is_propagator(name, lang)) {
        TSNode a = positional(fs, call, strcmp(name, "path.join") == 0 || strcmp(name, "os.path.join") == 0 ||
                                            strcmp(name, "path.resolve") == 0 || strcmp(name, "Object.assign") == 0
                                        ? -1 : 0);
        const taint *t = NULL;
        if (ts_node_is_null(a)) {
            TSNode which;
            t = arg_taint(c, call, -1, depth, &which);
        } else {
            t = eval(c, a, depth + 1);
        }
        if (!t)
            return NULL;
        taint *d = derive(c, t, call, NULL);
        bool parse = strcmp(name, "JSON.parse") == 0 || strcmp(name, "json.loads") == 0;
        if (parse)
            d->flags |= T_PARSED;
        if (!parse && strcmp(name, "JSON.stringify") != 0 && strcmp(name, "json.dumps") != 0 &&
            strcmp(name, "str") != 0 && strcmp(name, "String") != 0 && strcmp(name, "Buffer.from") != 0)
            d->whole = NULL;
        if (strcmp(name, "path.join") == 0 || strcmp(name, "os.path.join") == 0 || strcmp(name, "path.resolve") == 0)
            d->flags |= T_BUILT;
        if (strcmp(name, "String") == 0 || strcmp(name, "str") == 0)
            d->flags &= ~(unsigned)T_PARSED; /* a string now: no operator object left */
        return d;
    }
    if (strcmp(name, "path.basename") == 0 || strcmp(name, "os.path.basename") == 0 ||
        strcmp(name, "secure_filename") == 0 || strcmp(name, "werkzeug.utils.secure_filename") == 0) {
        /* safe as a file name under a fixed folder, not as shell or SQL text */
        const taint *t = eval(c, positional(fs, call, 0), depth + 1);
        if (!t)
            return NULL;
        taint *d = derive(c, t, call, slsec_arena_printf(fs->f->a, "base name taken by %s()", name));
        d->flags |= T_PATH_SAFE;
        d->whole = NULL;
        return d;
    }
    if (code_is_sanitizer(name, lang))
        return NULL;
    fn_summary *s = callee_function(c, call);
    if (s && !c->summary)
        return apply_summary(c, s, call, depth);
    if (s)
        return NULL;
    /* a method on a tainted receiver: body.trim(), event.get('body'), s.split(',') */
    TSNode fn = unwrap(field(call, F_function));
    if (is(fn, K_member_expression) || is(fn, K_attribute)) {
        const char *method = text(fs, field(fn, is(fn, K_attribute) ? F_attribute : F_property));
        const taint *recv = eval(c, field(fn, F_object), depth + 1);
        if (recv) {
            if (strcmp(method, "get") == 0 && is_string_literal(positional(fs, call, 0)))
                return read_member(c, recv, call, string_value(fs, positional(fs, call, 0)));
            return read_member(c, recv, call, NULL);
        }
        /* "...".format(x), "".join(parts), "a".concat(x), [..].join() */
        if (strcmp(method, "format") == 0 || strcmp(method, "join") == 0 || strcmp(method, "concat") == 0) {
            TSNode which;
            const taint *t = arg_taint(c, call, -1, depth, &which);
            if (!t) { /* keyword arguments of format() */
                TSNode args = args_of(call);
                kids kids_k = kids_of(c->fs, args);
                for (uint32_t j = 0; j < kids_k.n && !t; j++) {
                    TSNode a = kid(&kids_k, j);
                    if (is(a, K_keyword_argument))
                        t = eval(c, field(a, F_value), depth + 1);
                }
            }
            return built(c, call, t, literal_prefix(fs, field(fn, F_object)));
        }
    }
    return NULL;
}

/* Validators and allow-lists clean the names they test. */
static void clean_name(fn_ctx *c, TSNode n)
{
    n = unwrap(n);
    if (is(n, K_identifier) || is(n, K_member_expression) || is(n, K_attribute) || is(n, K_subscript) ||
        is(n, K_subscript_expression))
        bind(c, text(c->fs, n), NULL);
}

static void check_guard(fn_ctx *c, TSNode cond, int depth)
{
    cond = unwrap(cond);
    if (ts_node_is_null(cond) || depth > 32)
        return;
    file_state *fs = c->fs;
    if (is(cond, K_unary_expression) || is(cond, K_not_operator)) {
        check_guard(c, named_kid(cond, 0), depth + 1);
        return;
    }
    if (is(cond, K_binary_expression) || is(cond, K_boolean_operator)) {
        check_guard(c, field(cond, F_left), depth + 1);
        check_guard(c, field(cond, F_right), depth + 1);
        return;
    }
    if (is(cond, K_comparison_operator)) { /* x in ALLOWED / x not in ALLOWED */
        const char *t = text(fs, cond);
        if ((strstr(t, " in ") || strstr(t, " not in ")) && named_count(cond) == 2 &&
            constant_collection(fs, named_kid(cond, 1)))
            clean_name(c, named_kid(cond, 0));
        return;
    }
    if (is(cond, K_call_expression) || is(cond, K_call)) {
        TSNode fn = unwrap(field(cond, F_function));
        const char *name = callee_of(fs, cond);
        if ((is(fn, K_member_expression) || is(fn, K_attribute))) {
            const char *method = text(fs, field(fn, is(fn, K_attribute) ? F_attribute : F_property));
            if ((strcmp(method, "includes") == 0 || strcmp(method, "has") == 0 || strcmp(method, "indexOf") == 0) &&
                constant_collection(fs, field(fn, F_object))) {
                clean_name(c, positional(fs, cond, 0));
                return;
            }
        }
        if (code_is_validator(name)) {
            for (int i = 0; i < 4; i++) {
                TSNode a = positional(fs, cond, i);
                if (ts_node_is_null(a))
                    break;
                clean_name(c, a);
            }
        }
    }
}

/* ---- statements ---------------------------------------------------------------- */

/* Binds the names a pattern declares to what they read from `t`. */
static void bind_pattern(fn_ctx *c, TSNode pat, const taint *t, TSNode at, int depth)
{
    pat = unwrap(pat);
    if (ts_node_is_null(pat) || depth > 32)
        return;
    file_state *fs = c->fs;
    if (is(pat, K_identifier) || is(pat, K_shorthand_property_identifier_pattern) ||
        is(pat, K_member_expression) || is(pat, K_attribute) || is(pat, K_subscript) ||
        is(pat, K_subscript_expression)) {
        const char *name = text(fs, pat);
        const taint *v = t;
        if (t && (is(pat, K_identifier) || is(pat, K_member_expression) || is(pat, K_attribute) ||
                  is(pat, K_subscript) || is(pat, K_subscript_expression)) &&
            !(t->flags & T_ROOT))
            v = derive(c, t, at, slsec_arena_printf(fs->f->a, "assigned to %s", excerpt(fs, pat)));
        bind(c, name, v);
        return;
    }
    if (is(pat, K_object_pattern)) {
        kids kids_k = kids_of(c->fs, pat);
        uint32_t k = kids_k.n;
        for (uint32_t i = 0; i < k; i++) {
            TSNode p = kid(&kids_k, i);
            if (is(p, K_shorthand_property_identifier_pattern)) {
                const char *nm = text(fs, p);
                const taint *v = read_member(c, t, p, nm);
                bind(c, nm, v ? derive(c, v, p, slsec_arena_printf(fs->f->a, "destructured as %s", nm)) : NULL);
            } else if (is(p, K_pair_pattern)) {
                const char *key = key_name(fs, field(p, F_key));
                const taint *v = read_member(c, t, p, key);
                bind_pattern(c, field(p, F_value), v, p, depth + 1);
            } else if (is(p, K_object_assignment_pattern)) {
                TSNode left = field(p, F_left);
                const char *nm = text(fs, left);
                const taint *v = read_member(c, t, p, nm);
                bind(c, nm, v ? derive(c, v, p, slsec_arena_printf(fs->f->a, "destructured as %s", nm)) : NULL);
            } else if (is(p, K_rest_pattern)) {
                bind_pattern(c, named_kid(p, 0), t ? read_member(c, t, p, NULL) : NULL, p, depth + 1);
            }
        }
        return;
    }
    if (is(pat, K_array_pattern) || is(pat, K_pattern_list) || is(pat, K_tuple_pattern) ||
        is(pat, K_list_pattern)) {
        kids kids_k = kids_of(c->fs, pat);
        for (uint32_t i = 0; i < kids_k.n; i++) {
            bind_pattern(c, kid(&kids_k, i), t ? read_member(c, t, at, NULL) : NULL, at, depth + 1);
        }
        return;
    }
    if (is(pat, K_assignment_pattern)) {
        bind_pattern(c, field(pat, F_left), t, at, depth + 1);
        return;
    }
    if (is(pat, K_required_parameter) || is(pat, K_optional_parameter)) {
        bind_pattern(c, field(pat, F_pattern), t, at, depth + 1);
        return;
    }
}

/* Objects returned to API Gateway: a Location header from input (CODE-011),
 * an HTML body from input (CODE-012). Also DynamoDB expression strings. */
static void check_object(fn_ctx *c, TSNode obj, bool returned, int depth)
{
    file_state *fs = c->fs;
    kids kids_k = kids_of(c->fs, obj);
    uint32_t k = kids_k.n;
    TSNode body = {0}, headers = {0};
    for (uint32_t i = 0; i < k; i++) {
        TSNode p = kid(&kids_k, i);
        if (!is(p, K_pair))
            continue;
        const char *key = key_name(fs, field(p, F_key));
        if (!key)
            continue;
        TSNode v = field(p, F_value);
        if (strcmp(key, "FilterExpression") == 0 || strcmp(key, "KeyConditionExpression") == 0 ||
            strcmp(key, "ConditionExpression") == 0 || strcmp(key, "UpdateExpression") == 0 ||
            strcmp(key, "ProjectionExpression") == 0) {
            const taint *t = eval(c, v, depth + 1);
            if (t && (t->flags & T_BUILT))
                report(c, "CODE-004", p, key, t);
        }
        if (strcmp(key, "Statement") == 0) { /* DynamoDB PartiQL (executeStatement) */
            const taint *t = eval(c, v, depth + 1);
            if (t && (t->flags & T_BUILT))
                report(c, "CODE-003", p, "PartiQL Statement", t);
        }
        if (strcmp(key, "body") == 0)
            body = v;
        if (strcmp(key, "headers") == 0)
            headers = unwrap(v);
    }
    if (!returned || !(is(headers, K_object) || is(headers, K_dictionary)))
        return;
    bool html = false;
    kids kids_h = kids_of(c->fs, headers);
    uint32_t h = kids_h.n;
    for (uint32_t i = 0; i < h; i++) {
        TSNode p = kid(&kids_h, i);
        if (!is(p, K_pair))
            continue;
        const char *key = key_name(fs, field(p, F_key));
        if (!key)
            continue;
        TSNode v = field(p, F_value);
        if (slsec_str_eq_ci(key, "location")) {
            const taint *t = eval(c, v, depth + 1);
            if (t && !(t->flags & T_HOST_FIXED))
                report(c, "CODE-011", p, "Location header", t);
        }
        if (slsec_str_eq_ci(key, "content-type") && is_string_literal(v) && strstr(string_value(fs, v), "html"))
            html = true;
    }
    if (html && !ts_node_is_null(body)) {
        const taint *t = eval(c, body, depth + 1);
        if (t)
            report(c, "CODE-012", body, "HTML body", t);
    }
}

static void check_call(fn_ctx *c, TSNode call, int depth)
{
    file_state *fs = c->fs;
    const char *name = callee_of(fs, call);
    if (code_is_logger(name, fs->f->lang)) {
        TSNode args = args_of(call);
        kids kids_k = kids_of(c->fs, args);
        for (uint32_t i = 0; i < kids_k.n; i++) {
            check_log_piece(c, call, name, kid(&kids_k, i), depth + 1);
        }
        return;
    }
    check_sinks(c, call, name, depth);
    /* a helper called for its effect: its sinks count too (hits are deduplicated
     * when the call is also evaluated as a value) */
    if (!c->summary && callee_function(c, call))
        (void)call_result(c, call, depth);
    if (fs->f->lang == 2 && has_keywords(fs, call)) { /* boto3: table.scan(FilterExpression=...) */
        static const char *const exprs[] = {"FilterExpression", "KeyConditionExpression", "ConditionExpression",
                                            "UpdateExpression", "ProjectionExpression"};
        for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
            TSNode v = keyword(fs, call, exprs[i]);
            const taint *t = ts_node_is_null(v) ? NULL : eval(c, v, depth + 1);
            if (t && (t->flags & T_BUILT))
                report(c, "CODE-004", v, exprs[i], t);
        }
    }
    /* a validator called as a statement (jsonschema.validate(body, schema)) */
    if (code_is_validator(name))
        check_guard(c, call, depth);
}

static bool function_kind(code_kind k)
{
    return k == K_arrow_function || k == K_function_expression || k == K_function || k == K_function_declaration ||
           k == K_generator_function_declaration || k == K_lambda;
}

static bool is_function_node(TSNode n) { return function_kind(named_kind(n)); }

static void visit_children(fn_ctx *c, TSNode n, int depth)
{
    kids kids_k = kids_of(c->fs, n);
    for (uint32_t i = 0; i < kids_k.n; i++) {
        visit(c, kid(&kids_k, i), depth + 1);
    }
}

/* Callbacks of an iteration over tainted data see its elements:
 * event.Records.forEach(r => ...). */
static void bind_callback(fn_ctx *c, TSNode call, int depth)
{
    TSNode fn = unwrap(field(call, F_function));
    if (!is(fn, K_member_expression))
        return;
    const char *m = text(c->fs, field(fn, F_property));
    static const char *const iters[] = {"forEach", "map", "filter", "flatMap", "some", "every", "find"};
    bool iter = false;
    for (size_t i = 0; i < sizeof iters / sizeof iters[0]; i++)
        iter = iter || strcmp(m, iters[i]) == 0;
    if (!iter)
        return;
    const taint *recv = eval(c, field(fn, F_object), depth + 1);
    TSNode cb = unwrap(positional(c->fs, call, 0));
    if (!recv || !is_function_node(cb))
        return;
    TSNode param = field(cb, F_parameter);
    if (ts_node_is_null(param)) {
        TSNode params = field(cb, F_parameters);
        param = named_kid(params, 0);
    }
    if (!ts_node_is_null(param)) {
        taint *each = derive(c, recv, param, slsec_arena_printf(c->fs->f->a, "each element as %s", excerpt(c->fs, param)));
        each->whole = NULL;
        if (is(param, K_identifier))
            bind(c, text(c->fs, param), each);
        else
            bind_pattern(c, param, each, param, depth + 1);
    }
}

static void visit(fn_ctx *c, TSNode n, int depth)
{
    if (ts_node_is_null(n) || too_deep(c, depth))
        return;
    file_state *fs = c->fs;
    code_kind type = kind_of(n);

    if (type == K_variable_declarator) {
        TSNode value = field(n, F_value);
        visit(c, value, depth + 1);
        if (!ts_node_is_null(value))
            bind_pattern(c, field(n, F_name), eval(c, value, depth + 1), n, depth + 1);
        return;
    }
    if (type == K_assignment_expression || type == K_assignment) {
        TSNode right = field(n, F_right);
        visit(c, right, depth + 1);
        if (!ts_node_is_null(right))
            bind_pattern(c, field(n, F_left), eval(c, right, depth + 1), n, depth + 1);
        return;
    }
    if (type == K_augmented_assignment_expression || type == K_augmented_assignment) {
        TSNode right = field(n, F_right);
        visit(c, right, depth + 1);
        const taint *r = eval(c, right, depth + 1);
        const taint *l = eval(c, field(n, F_left), depth + 1);
        const taint *t = built(c, n, r ? r : l, literal_prefix(fs, field(n, F_left)));
        if (t || l)
            bind_pattern(c, field(n, F_left), t ? t : l, n, depth + 1);
        return;
    }
    if (type == K_call_expression || type == K_call || type == K_new_expression) {
        bind_callback(c, n, depth);
        visit_children(c, n, depth);
        check_call(c, n, depth);
        return;
    }
    if (type == K_for_in_statement || type == K_for_statement) {
        TSNode right = field(n, F_right);
        TSNode left = field(n, F_left);
        if (!ts_node_is_null(right) && !ts_node_is_null(left)) {
            visit(c, right, depth + 1);
            const taint *t = eval(c, right, depth + 1);
            const taint *each = t ? derive(c, t, left, slsec_arena_printf(fs->f->a, "each element as %s", excerpt(fs, left))) : NULL;
            if (each)
                ((taint *)each)->whole = NULL;
            bind(c, text(fs, left), each); /* plain names; patterns below */
            if (!is(left, K_identifier))
                bind_pattern(c, left, each, left, depth + 1);
            visit(c, field(n, F_body), depth + 1);
            return;
        }
        visit_children(c, n, depth);
        return;
    }
    if (type == K_if_statement || type == K_while_statement) {
        TSNode cond = field(n, F_condition);
        visit(c, cond, depth + 1);
        check_guard(c, cond, depth + 1);
        kids kids_k = kids_of(c->fs, n);
        for (uint32_t i = 0; i < kids_k.n; i++) {
            TSNode ch = kid(&kids_k, i);
            if (ts_node_start_byte(ch) != ts_node_start_byte(cond) || ts_node_end_byte(ch) != ts_node_end_byte(cond))
                visit(c, ch, depth + 1);
        }
        return;
    }
    if (type == K_return_statement) {
        visit_children(c, n, depth);
        TSNode v = unwrap(named_kid(n, 0));
        if (ts_node_is_null(v))
            return;
        if (is(v, K_object) || is(v, K_dictionary))
            check_object(c, v, true, depth + 1);
        const taint *t = eval(c, v, depth + 1);
        if (t && !c->returns_taint) {
            c->returns_taint = true;
            c->returned = t;
        }
        return;
    }
    if (type == K_object || type == K_dictionary) {
        visit_children(c, n, depth);
        check_object(c, n, false, depth + 1);
        return;
    }
    if (type == K_function_declaration || type == K_function_definition ||
        type == K_class_declaration || type == K_class_definition) {
        return; /* nested definitions are analysed when called (same-file summaries) */
    }
    if (type == K_arrow_function || type == K_function_expression ||
        type == K_lambda) {
        visit(c, field(n, F_body), depth + 1); /* callbacks run with the handler's names in scope */
        return;
    }
    if (type == K_string || type == K_comment || type == K_identifier ||
        type == K_property_identifier || type == K_number)
        return;
    visit_children(c, n, depth);
}

/* ---- functions ------------------------------------------------------------------- */

/* The parameter nodes of a function (up to max). */
static size_t params_of(TSNode fn, TSNode *out, size_t max)
{
    TSNode single = field(fn, F_parameter);
    if (!ts_node_is_null(single)) {
        out[0] = single;
        return 1;
    }
    TSNode params = field(fn, F_parameters);
    size_t n = 0;
    uint32_t k = named_count(params);
    for (uint32_t i = 0; i < k && n < max; i++) {
        TSNode p = named_kid(params, i);
        if (is(p, K_comment) || is(p, K_list_splat_pattern) || is(p, K_dictionary_splat_pattern))
            continue;
        out[n++] = p;
    }
    return n;
}

/* The name a parameter binds (for simple parameters), or NULL. */
static const char *param_name(file_state *fs, TSNode p)
{
    if (is(p, K_identifier))
        return text(fs, p);
    if (is(p, K_required_parameter) || is(p, K_optional_parameter))
        return param_name(fs, field(p, F_pattern));
    if (is(p, K_assignment_pattern))
        return param_name(fs, field(p, F_left));
    if (is(p, K_default_parameter) || is(p, K_typed_default_parameter))
        return param_name(fs, field(p, F_name));
    if (is(p, K_typed_parameter))
        return param_name(fs, named_kid(p, 0));
    return NULL;
}

static void analyze_function(file_state *fs, TSNode fnode, const char *name, int tainted_param, const taint *param_taint,
                             bool summary, slsec_ptrvec *out, bool *returns)
{
    fn_ctx c = {.fs = fs, .handler = name, .summary = summary, .out = out};
    TSNode params[MAX_PARAMS];
    size_t np = params_of(fnode, params, MAX_PARAMS);
    for (size_t i = 0; i < np; i++) {
        if ((int)i == tainted_param) {
            TSNode p = params[i];
            if (is(p, K_required_parameter) || is(p, K_optional_parameter))
                p = field(p, F_pattern);
            if (is(p, K_typed_parameter))
                p = named_kid(p, 0);
            if (is(p, K_default_parameter) || is(p, K_typed_default_parameter))
                p = field(p, F_name);
            if (is(p, K_assignment_pattern))
                p = field(p, F_left);
            if (is(p, K_identifier)) {
                bind(&c, text(fs, p), param_taint);
            } else {
                bind_pattern(&c, p, param_taint, p, 0);
            }
        } else {
            const char *pn = param_name(fs, params[i]);
            if (pn)
                bind(&c, pn, NULL);
        }
    }
    TSNode body = field(fnode, F_body);
    if (!ts_node_is_null(body) && !is(body, K_statement_block) && !is(body, K_block)) {
        /* an arrow function's expression body is its return value */
        visit(&c, body, 1);
        const taint *t = eval(&c, body, 1);
        if (t)
            c.returns_taint = true;
    } else {
        visit(&c, body, 1);
    }
    if (returns)
        *returns = c.returns_taint;
    free(c.b);
}

/* ---- outbound integrations --------------------------------------------------------
 *
 * While collect() walks the whole analysed file (not only its handlers),
 * it notes what the outbound calls need: every call and `new`, what each
 * name or member path is assigned (to know that `s3` is an S3 client, or
 * that `API` is a constant URL), and the project files imported. Once the
 * walk is over, record_outbound() reads each call with the complete
 * picture, so a client or constant defined below its first use counts.
 * Names are tracked per file, not per scope: a name that is a parameter,
 * a loop variable or assigned more than once anywhere in the file is not
 * taken for a constant URL (precision: a host must be certain).
 */

static int ambiguous_name; /* url_consts: the name has several values, or one the file does not fix */
static int working_out;    /* clients_of, urls_of: being worked out (a cycle: a = b; b = a) */

/* The constant start of a URL a name holds (see url_prefix). */
typedef struct url_value {
    const char *prefix;
    bool complete;
} url_value;

typedef enum {
    CLIENT_NONE,
    CLIENT_AWS_COMMANDS,   /* v3 client: send(new PutObjectCommand(...)) names the operation */
    CLIENT_AWS_METHODS,    /* v2 client, v3 aggregated client: its methods are operations */
    CLIENT_AWS_DOCUMENT,   /* DynamoDB DocumentClient / DynamoDBDocument: put, get, query, ... */
    CLIENT_BOTO3,          /* boto3.client('s3') */
    CLIENT_BOTO3_RESOURCE, /* boto3.resource('dynamodb') */
    CLIENT_BOTO3_SUB,      /* a resource's Table('t'), Bucket('b'), Object(b, k) */
    CLIENT_BOTO3_SESSION,  /* boto3.Session() */
    CLIENT_HTTP,           /* requests.Session(), axios.create(): its calls are the library's */
} client_kind;

typedef struct client {
    client_kind kind;
    const char *name;  /* the service (IAM prefix), or the HTTP library */
    const char *sub;   /* CLIENT_BOTO3_SUB: "Table" */
    bool made_here;    /* the expression makes the client (not a name bound to one) */
} client;

static bool aws_client(client c)
{
    return c.kind >= CLIENT_AWS_COMMANDS && c.kind <= CLIENT_BOTO3_SUB;
}

static void mark_ambiguous(file_state *fs, const char *key)
{
    if (key && *key)
        slsec_strmap_put(fs->url_consts, key, &ambiguous_name);
}

/* Every name a pattern binds ({ url }, [a, b], (x, y)) is no constant. */
static void mark_pattern(file_state *fs, TSNode pat, int depth)
{
    if (ts_node_is_null(pat) || depth > 16)
        return;
    if (is(pat, K_identifier) || is(pat, K_shorthand_property_identifier_pattern)) {
        mark_ambiguous(fs, text(fs, pat));
        return;
    }
    kids ks = kids_of(fs, pat);
    for (uint32_t i = 0; i < ks.n; i++)
        mark_pattern(fs, kid(&ks, i), depth + 1);
}

/* `key` (a name or member path) is assigned `value`. */
static void note_value(file_state *fs, const char *key, TSNode value)
{
    value = unwrap(value);
    if (!key || !*key || ts_node_is_null(value))
        return;
    slsec_arena *a = fs->f->a;
    slsec_ptrvec *v = slsec_strmap_get(fs->values, key);
    if (!v) {
        v = slsec_arena_alloc(a, sizeof *v);
        slsec_strmap_put(fs->values, key, v);
    }
    if (v->count < 4) { /* a name reassigned over and over is no client we can name */
        TSNode *copy = slsec_arena_alloc(a, sizeof *copy);
        *copy = value;
        slsec_ptrvec_push(a, v, copy);
    }
    if (slsec_strmap_get(fs->url_consts, key))
        mark_ambiguous(fs, key); /* assigned twice */
    else
        slsec_strmap_put(fs->url_consts, key, v->items[0]);
}

static void note_import(file_state *fs, const char *spec)
{
    if (!spec || !*spec)
        return;
    const char *cands[SLSEC_CODE_IMPORT_PATHS];
    size_t n = module_candidates(fs, spec, cands, SLSEC_CODE_IMPORT_PATHS);
    if (!n)
        return;
    slsec_code_import *imp = slsec_arena_alloc(fs->f->a, sizeof *imp);
    for (size_t i = 0; i < n; i++)
        imp->paths[i] = cands[i];
    imp->npaths = n;
    slsec_ptrvec_push(fs->f->a, &fs->f->outbound->imports, imp);
}

static void note_python_imports(file_state *fs, TSNode imp)
{
    bool from = is(imp, K_import_from_statement);
    TSNode module_node = field(imp, F_module_name);
    const char *module = from ? text(fs, module_node) : NULL;
    if (from)
        note_import(fs, module);
    kids ks = kids_of(fs, imp);
    for (uint32_t i = 0; i < ks.n; i++) {
        TSNode part = kid(&ks, i);
        if (from && ts_node_start_byte(part) == ts_node_start_byte(module_node))
            continue;
        const char *name = NULL;
        if (is(part, K_dotted_name))
            name = text(fs, part);
        else if (is(part, K_aliased_import))
            name = text(fs, field(part, F_name));
        if (!name)
            continue;
        /* from pkg import db: db may be a module of the package */
        if (from)
            note_import(fs, slsec_arena_printf(fs->f->a, "%s%s%s", module,
                                               slsec_str_has_suffix(module, ".") ? "" : ".", name));
        else
            note_import(fs, name);
    }
}

/* Called by collect() for every node of the analysed file. */
static void outbound_collect(file_state *fs, TSNode n, code_kind type, code_kind named)
{
    if (type == K_call_expression || type == K_call || type == K_new_expression) {
        TSNode *copy = slsec_arena_alloc(fs->f->a, sizeof *copy);
        *copy = n;
        slsec_ptrvec_push(fs->f->a, &fs->call_nodes, copy);
        return;
    }
    if (fs->f->lang == 1 && (type == K_import_statement || type == K_export_statement)) {
        TSNode src = field(n, F_source);
        if (is(src, K_string))
            note_import(fs, string_value(fs, src));
        return;
    }
    if (fs->f->lang == 2 && (type == K_import_statement || type == K_import_from_statement)) {
        note_python_imports(fs, n);
        return;
    }
    if (type == K_variable_declarator) {
        TSNode name = field(n, F_name);
        if (is(name, K_identifier))
            note_value(fs, text(fs, name), field(n, F_value));
        else
            mark_pattern(fs, name, 0);
        return;
    }
    if (type == K_assignment_expression || type == K_assignment) {
        TSNode left = unwrap(field(n, F_left));
        if (is(left, K_identifier) || is(left, K_member_expression) || is(left, K_attribute))
            note_value(fs, text(fs, left), field(n, F_right));
        else
            mark_pattern(fs, left, 0);
        return;
    }
    if (type == K_as_pattern) { /* with requests.Session() as s: */
        TSNode alias = field(n, F_alias);
        if (!ts_node_is_null(alias))
            note_value(fs, text(fs, alias), named_kid(n, 0));
        return;
    }
    if (type == K_public_field_definition || type == K_field_definition) {
        /* class fields: `private s3 = new S3Client({})` is this.s3 */
        TSNode name = field(n, F_name);
        if (ts_node_is_null(name))
            name = field(n, F_property);
        if (!ts_node_is_null(name))
            note_value(fs, slsec_arena_printf(fs->f->a, "this.%s", text(fs, name)), field(n, F_value));
        return;
    }
    if (type == K_augmented_assignment_expression || type == K_augmented_assignment) {
        mark_ambiguous(fs, text(fs, field(n, F_left)));
        return;
    }
    if (type == K_for_in_statement || type == K_for_statement) {
        mark_pattern(fs, field(n, F_left), 0);
        return;
    }
    if (function_kind(named) || type == K_function_definition || type == K_method_definition) {
        TSNode params[MAX_PARAMS];
        size_t np = params_of(n, params, MAX_PARAMS);
        for (size_t i = 0; i < np; i++)
            mark_pattern(fs, params[i], 0);
    }
}

/* ---- clients ---- */

/* The service of a v3 package: "@aws-sdk/client-s3.X" → "s3"; *rest is "X". */
static const char *v3_package_service(file_state *fs, const char *canonical, const char **rest)
{
    static const char pkg[] = "@aws-sdk/client-";
    if (strncmp(canonical, pkg, sizeof pkg - 1) != 0)
        return NULL;
    const char *name = canonical + sizeof pkg - 1;
    const char *dot = strchr(name, '.');
    if (!dot)
        return NULL;
    *rest = dot + 1;
    return code_aws_service(fs->f->a, slsec_arena_strndup(fs->f->a, name, (size_t)(dot - name)));
}

/* A client class made with `new`, by its canonical name. */
static client client_class(file_state *fs, const char *ctor)
{
    client c = {.made_here = true};
    const char *cls = NULL;
    const char *svc = v3_package_service(fs, ctor, &cls);
    if (svc && !strchr(cls, '.') && cls[0] >= 'A' && cls[0] <= 'Z') {
        static const char *const not_clients[] = {"Command", "Exception", "Error", "Input", "Output"};
        for (size_t i = 0; i < sizeof not_clients / sizeof not_clients[0]; i++)
            if (slsec_str_has_suffix(cls, not_clients[i]))
                return (client){0};
        c.kind = slsec_str_has_suffix(cls, "Client") ? CLIENT_AWS_COMMANDS : CLIENT_AWS_METHODS;
        c.name = svc;
        return c;
    }
    if (strcmp(ctor, "@aws-sdk/lib-dynamodb.DynamoDBDocumentClient") == 0 ||
        strcmp(ctor, "@aws-sdk/lib-dynamodb.DynamoDBDocument") == 0) {
        c.kind = slsec_str_has_suffix(ctor, "Client") ? CLIENT_AWS_COMMANDS : CLIENT_AWS_DOCUMENT;
        c.name = "dynamodb";
        return c;
    }
    /* v2: AWS.S3, AWS.DynamoDB.DocumentClient, require('aws-sdk/clients/s3') */
    const char *v2 = strncmp(ctor, "aws-sdk.", 8) == 0 ? ctor + 8
                     : strncmp(ctor, "aws-sdk/clients/", 16) == 0 ? ctor + 16
                                                                  : NULL;
    if (!v2)
        return (client){0};
    const char *dot = strchr(v2, '.');
    if (dot && strcmp(dot, ".DocumentClient") == 0 && strncasecmp(v2, "dynamodb.", 9) == 0) {
        c.kind = CLIENT_AWS_DOCUMENT;
        c.name = "dynamodb";
        return c;
    }
    if (dot || (v2 == ctor + 8 && !code_aws_v2_class(v2)))
        return (client){0};
    c.name = code_aws_service(fs->f->a, v2);
    c.kind = c.name ? CLIENT_AWS_METHODS : CLIENT_NONE;
    return c;
}

/* The service a boto3 client()/resource() call names: its first argument
 * or service_name=, when the code writes it as a literal. */
static const char *boto3_service(file_state *fs, TSNode call)
{
    TSNode arg = keyword(fs, call, "service_name");
    if (ts_node_is_null(arg))
        arg = positional(fs, call, 0);
    arg = unwrap(arg);
    return is_string_literal(arg) ? code_aws_service(fs->f->a, string_value(fs, arg)) : NULL;
}

static bool capitalised(const char *s) { return s && s[0] >= 'A' && s[0] <= 'Z'; }

/* What client an expression is, if any: one it makes, or the one a name
 * or member path is assigned. */
static client classify(file_state *fs, TSNode n, int depth)
{
    client none = {0};
    n = unwrap(n);
    if (ts_node_is_null(n) || depth > 8)
        return none;
    code_kind k = named_kind(n);
    if (k == K_identifier || k == K_member_expression || k == K_attribute) {
        /* Worked out once per name: names assigned names (a = b; b = c
         * ...) would otherwise be walked again for every call. */
        const char *key = text(fs, n);
        void *memo = slsec_strmap_get(fs->clients_of, key);
        if (memo)
            return memo == &working_out ? none : *(client *)memo;
        slsec_strmap_put(fs->clients_of, key, &working_out);
        client found = none;
        slsec_ptrvec *v = slsec_strmap_get(fs->values, key);
        for (size_t i = 0; v && i < v->count && !found.kind; i++)
            found = classify(fs, *(TSNode *)v->items[i], depth + 1);
        found.made_here = false;
        client *keep = slsec_arena_alloc(fs->f->a, sizeof *keep);
        *keep = found;
        slsec_strmap_put(fs->clients_of, key, keep);
        return found;
    }
    if (k == K_new_expression)
        return client_class(fs, callee_of(fs, n));
    if (k != K_call_expression && k != K_call)
        return none;
    const char *callee = callee_of(fs, n);
    client c = {.made_here = true};
    if (strcmp(callee, "@aws-sdk/lib-dynamodb.DynamoDBDocumentClient.from") == 0 ||
        strcmp(callee, "@aws-sdk/lib-dynamodb.DynamoDBDocument.from") == 0) {
        c.kind = strstr(callee, "Client.from") ? CLIENT_AWS_COMMANDS : CLIENT_AWS_DOCUMENT;
        c.name = "dynamodb";
        return c;
    }
    if (fs->f->lang == 2) {
        bool make_client = strcmp(callee, "boto3.client") == 0;
        if (make_client || strcmp(callee, "boto3.resource") == 0) {
            c.name = boto3_service(fs, n);
            c.kind = !c.name ? CLIENT_NONE : make_client ? CLIENT_BOTO3 : CLIENT_BOTO3_RESOURCE;
            return c;
        }
        if (strcmp(callee, "boto3.Session") == 0 || strcmp(callee, "boto3.session.Session") == 0) {
            c.kind = CLIENT_BOTO3_SESSION;
            return c;
        }
    }
    const code_http_call *h = code_http_call_find(callee, fs->f->lang);
    if (h && h->session) {
        c.kind = CLIENT_HTTP;
        c.name = h->session;
        return c;
    }
    TSNode fn = unwrap(field(n, F_function));
    code_kind fk = named_kind(fn);
    if (fk != K_member_expression && fk != K_attribute)
        return none;
    const char *method = text(fs, field(fn, fk == K_attribute ? F_attribute : F_property));
    client r = classify(fs, field(fn, F_object), depth + 1);
    if (r.kind == CLIENT_BOTO3_SESSION && (strcmp(method, "client") == 0 || strcmp(method, "resource") == 0)) {
        c.name = boto3_service(fs, n);
        c.kind = !c.name ? CLIENT_NONE : method[0] == 'c' ? CLIENT_BOTO3 : CLIENT_BOTO3_RESOURCE;
        return c;
    }
    if ((r.kind == CLIENT_BOTO3_RESOURCE || r.kind == CLIENT_BOTO3_SUB) && capitalised(method)) {
        r.kind = CLIENT_BOTO3_SUB;
        r.sub = method;
        r.made_here = false; /* the resource was made elsewhere; a sub-resource adds no service */
        return r;
    }
    return none;
}

/* ---- constant URLs ---- */

static const char *url_prefix(file_state *fs, TSNode n, int depth, bool *complete);

/* Does a URL's constant start already hold its whole authority (or more
 * text than any URL worth reading)? Then the rest cannot change the host. */
static bool authority_ends(const char *prefix)
{
    const char *sep = strstr(prefix, "://");
    return strlen(prefix) > 2048 || (sep && sep[3 + strcspn(sep + 3, "/?#")]);
}

/* The constant start of a URL expression (literals, names the file binds
 * once to a constant, template literals, f-strings, concatenations,
 * Python % and format()), with *complete set when all of it is constant.
 * NULL when it does not start with constant text. Environment variables
 * are not constant here: the deployment chooses them, the code does not. */
static const char *url_prefix(file_state *fs, TSNode n, int depth, bool *complete)
{
    *complete = false;
    n = unwrap(n);
    if (ts_node_is_null(n) || depth > 16)
        return NULL;
    if (is_string_literal(n)) {
        *complete = true;
        return string_value(fs, n);
    }
    if (is(n, K_identifier) || is(n, K_member_expression) || is(n, K_attribute)) {
        const char *key = text(fs, n);
        url_value *memo = slsec_strmap_get(fs->urls_of, key);
        if (memo == (void *)&working_out)
            return NULL;
        if (!memo) { /* worked out once per name (a3 = a2 + a2; a2 = a1 + a1 ...) */
            slsec_strmap_put(fs->urls_of, key, &working_out);
            memo = slsec_arena_alloc(fs->f->a, sizeof *memo);
            void *v = slsec_strmap_get(fs->url_consts, key);
            if (v && v != &ambiguous_name)
                memo->prefix = url_prefix(fs, *(TSNode *)v, depth + 1, &memo->complete);
            slsec_strmap_put(fs->urls_of, key, memo);
        }
        *complete = memo->complete;
        return memo->prefix;
    }
    if (is(n, K_template_string) || is(n, K_string))
        return template_text(fs, n, url_prefix, depth, authority_ends, complete);
    if (is(n, K_binary_expression) || is(n, K_binary_operator)) {
        const char *op = text(fs, field(n, F_operator));
        TSNode left = unwrap(field(n, F_left));
        if (strcmp(op, "%") == 0 && fs->f->lang == 2 && is_string_literal(left)) {
            const char *s = string_value(fs, left); /* "https://api.example.com/%s" % x */
            return slsec_arena_strndup(fs->f->a, s, strcspn(s, "%"));
        }
        if (strcmp(op, "+") != 0)
            return NULL;
        bool lc = false, rc = false;
        const char *l = url_prefix(fs, left, depth + 1, &lc);
        if (!l || !lc || authority_ends(l))
            return l; /* what follows cannot change the host: no need to build it */
        const char *r = url_prefix(fs, field(n, F_right), depth + 1, &rc);
        if (!r)
            return l;
        *complete = rc;
        return slsec_arena_printf(fs->f->a, "%s%s", l, r);
    }
    if (is(n, K_concatenated_string)) { /* Python: "https://api.example.com" "/v1" */
        slsec_buf b;
        slsec_buf_init(&b);
        kids ks = kids_of(fs, n);
        bool whole = true;
        for (uint32_t i = 0; i < ks.n && whole; i++) {
            const char *v = url_prefix(fs, kid(&ks, i), depth + 1, &whole);
            if (v)
                slsec_buf_puts(&b, v);
            whole = whole && v;
        }
        const char *out = slsec_arena_strndup(fs->f->a, b.data ? b.data : "", b.len);
        slsec_buf_free(&b);
        *complete = whole;
        return out;
    }
    if (is(n, K_call) && fs->f->lang == 2) { /* "https://{}/v1".format(host) */
        TSNode fn = unwrap(field(n, F_function));
        TSNode obj = unwrap(field(fn, F_object));
        if (is(fn, K_attribute) && strcmp(text(fs, field(fn, F_attribute)), "format") == 0 && is_string_literal(obj)) {
            const char *s = string_value(fs, obj);
            return slsec_arena_strndup(fs->f->a, s, strcspn(s, "{"));
        }
    }
    return NULL;
}

/* The host an HTTP client call is given, when the code fixes it. */
static const char *call_host(file_state *fs, TSNode call, const code_http_call *h)
{
    TSNode arg = {0};
    if (fs->f->lang == 2 && h->url_kw)
        arg = keyword(fs, call, h->url_kw);
    if (ts_node_is_null(arg) && h->url_arg >= 0)
        arg = positional(fs, call, h->url_arg);
    arg = unwrap(arg);
    if (ts_node_is_null(arg))
        return NULL;
    bool complete = false;
    if ((h->how & HTTP_OPTIONS) && is(arg, K_object)) {
        /* { url: 'https://...' } or { hostname: 'api.example.com', path: '/v1' } */
        kids ks = kids_of(fs, arg);
        for (uint32_t i = 0; i < ks.n; i++) {
            TSNode p = kid(&ks, i);
            const char *key = is(p, K_pair) ? key_name(fs, field(p, F_key)) : NULL;
            if (!key)
                continue;
            bool host_only = strcmp(key, "hostname") == 0 || strcmp(key, "host") == 0;
            if (!host_only && strcmp(key, "url") != 0 && strcmp(key, "uri") != 0 && strcmp(key, "baseURL") != 0 &&
                strcmp(key, "prefixUrl") != 0)
                continue;
            const char *v = url_prefix(fs, field(p, F_value), 0, &complete);
            if (host_only)
                return v && complete ? code_host_name(fs->f->a, v, strlen(v)) : NULL;
            return code_url_host(fs->f->a, v, complete);
        }
        return NULL;
    }
    const char *v = url_prefix(fs, arg, 0, &complete);
    if (h->how & HTTP_HOST_ONLY)
        return v && complete ? code_host_name(fs->f->a, v, strlen(v)) : NULL;
    return code_url_host(fs->f->a, v, complete);
}

/* ---- recording ---- */

static void add_call(file_state *fs, slsec_code_call_kind kind, const char *target, const char *operation,
                     const char *via, TSNode at)
{
    slsec_code_outbound *o = fs->f->outbound;
    if (!target || !*target)
        return;
    if (o->calls.count >= SLSEC_MAX_CODE_CALLS) {
        o->calls_capped = true;
        return;
    }
    slsec_code_call *c = slsec_arena_alloc(fs->f->a, sizeof *c);
    TSPoint p = ts_node_start_point(at);
    c->kind = kind;
    c->target = target;
    c->operation = operation;
    /* the canonical name can be any member chain: keep it short */
    c->via = strlen(via) > EXCERPT ? slsec_arena_printf(fs->f->a, "%.*s...", EXCERPT, via) : via;
    c->line = (int)p.row + 1;
    c->col = (int)p.column + 1;
    slsec_ptrvec_push(fs->f->a, &o->calls, c);
}

static void record_new(file_state *fs, TSNode n)
{
    const char *ctor = callee_of(fs, n);
    const char *stem = NULL;
    const char *svc = v3_package_service(fs, ctor, &stem);
    if (!svc && strncmp(ctor, "@aws-sdk/lib-dynamodb.", 22) == 0) {
        svc = "dynamodb";
        stem = ctor + 22;
    }
    size_t len = stem ? strlen(stem) : 0;
    if (svc && len > 7 && !strchr(stem, '.') && slsec_str_has_suffix(stem, "Command")) {
        /* new PutObjectCommand(...): the operation, whoever sends it */
        const char *op = slsec_arena_strndup(fs->f->a, stem, len - 7);
        if (strcmp(svc, "dynamodb") == 0 && strncmp(ctor, "@aws-sdk/lib-dynamodb.", 22) == 0) {
            const char *doc = code_dynamodb_document_operation(op);
            op = doc ? doc : op;
        }
        add_call(fs, SLSEC_CODE_CALL_AWS, svc, op, ctor, n);
        return;
    }
    client c = client_class(fs, ctor);
    if (aws_client(c))
        add_call(fs, SLSEC_CODE_CALL_AWS, c.name, NULL, ctor, n);
}

/* The operation a call on an AWS client names, or NULL. */
static const char *aws_operation(file_state *fs, client r, TSNode call, const char *method)
{
    slsec_arena *a = fs->f->a;
    switch (r.kind) {
    case CLIENT_AWS_METHODS: {
        if (!code_aws_js_operation_method(method))
            return NULL;
        if (strcmp(method, "getSignedUrl") == 0 || strcmp(method, "getSignedUrlPromise") == 0) {
            TSNode op = unwrap(positional(fs, call, 0)); /* s3.getSignedUrl('getObject', params) */
            return is_string_literal(op) ? code_aws_pascal(a, string_value(fs, op)) : NULL;
        }
        if (strcmp(r.name, "s3") == 0 && (strcmp(method, "upload") == 0 || strcmp(method, "createPresignedPost") == 0))
            return "PutObject";
        return code_aws_pascal(a, method);
    }
    case CLIENT_AWS_DOCUMENT:
        return code_dynamodb_document_operation(method);
    case CLIENT_BOTO3: {
        const char *fixed = NULL;
        switch (code_boto3_client_method(method, &fixed)) {
        case CODE_AWS_OPERATION_IS_METHOD: return code_aws_pascal(a, method);
        case CODE_AWS_OPERATION_FIXED: return fixed;
        case CODE_AWS_OPERATION_IN_ARGUMENT: {
            TSNode op = keyword(fs, call, strcmp(method, "get_paginator") == 0 ? "operation_name" : "ClientMethod");
            if (ts_node_is_null(op))
                op = positional(fs, call, 0);
            op = unwrap(op);
            return is_string_literal(op) ? code_aws_pascal(a, string_value(fs, op)) : NULL;
        }
        default: return NULL;
        }
    }
    case CLIENT_BOTO3_RESOURCE: {
        const char *fixed = NULL;
        if (capitalised(method) || code_boto3_client_method(method, &fixed) == CODE_AWS_NOT_AN_OPERATION)
            return NULL;
        return code_aws_pascal(a, method);
    }
    case CLIENT_BOTO3_SUB:
        return code_boto3_subresource_operation(a, r.sub, method);
    default:
        return NULL;
    }
}

static void record_call(file_state *fs, TSNode n)
{
    const char *callee = callee_of(fs, n);
    TSNode fn = unwrap(field(n, F_function));
    if (fs->f->lang == 1 && (strcmp(callee, "require") == 0 || is(fn, K_import))) {
        TSNode spec = unwrap(positional(fs, n, 0)); /* require('./db'), import('./db') */
        if (is_string_literal(spec))
            note_import(fs, string_value(fs, spec));
        return;
    }
    const char *stem = NULL;
    const char *svc = v3_package_service(fs, callee, &stem);
    if (svc && strncmp(stem, "paginate", 8) == 0 && capitalised(stem + 8) && !strchr(stem, '.')) {
        add_call(fs, SLSEC_CODE_CALL_AWS, svc, stem + 8, callee, n); /* paginateListObjectsV2(...) */
        return;
    }
    client made = classify(fs, n, 0);
    if (aws_client(made) && made.made_here) {
        add_call(fs, SLSEC_CODE_CALL_AWS, made.name, NULL, callee, n); /* boto3.client('s3') */
        return;
    }
    code_kind fk = named_kind(fn);
    bool method_call = fk == K_member_expression || fk == K_attribute;
    const char *method = method_call ? text(fs, field(fn, fk == K_attribute ? F_attribute : F_property)) : NULL;
    client recv = method_call ? classify(fs, field(fn, F_object), 1) : (client){0};
    TSNode obj = method_call ? unwrap(field(fn, F_object)) : fn;
    if (method_call && strncmp(callee, "?.", 2) == 0 &&
        (is(obj, K_new_expression) || is(obj, K_call_expression) || is(obj, K_call)))
        callee = slsec_arena_printf(fs->f->a, "%s().%s", callee_of(fs, obj), method); /* new AWS.SNS().publish */
    const code_http_call *h = code_http_call_find(callee, fs->f->lang);
    if (!h && recv.kind == CLIENT_HTTP) /* session.get(url) is requests.get(url) */
        h = code_http_call_find(slsec_arena_printf(fs->f->a, "%s.%s", recv.name, method), fs->f->lang);
    if (h) {
        const char *host = call_host(fs, n, h);
        if (host)
            add_call(fs, SLSEC_CODE_CALL_HOST, host, NULL, callee, n);
        return;
    }
    if (aws_client(recv)) {
        const char *op = aws_operation(fs, recv, n, method);
        if (op)
            add_call(fs, SLSEC_CODE_CALL_AWS, recv.name, op, callee, n);
    }
}

static void record_outbound(file_state *fs)
{
    for (size_t i = 0; i < fs->call_nodes.count; i++) {
        TSNode n = *(TSNode *)fs->call_nodes.items[i];
        if (is(n, K_new_expression))
            record_new(fs, n);
        else
            record_call(fs, n);
    }
}

/* ---- finding functions and handlers ---------------------------------------------- */

static void add_function(file_state *fs, const char *name, TSNode fn)
{
    if (!name || !*name || slsec_strmap_get(fs->functions, name))
        return;
    fn_summary *s = slsec_arena_alloc(fs->f->a, sizeof *s);
    memset(s, 0, sizeof *s);
    s->fs = fs;
    s->name = name;
    s->node = fn;
    TSNode params[MAX_PARAMS];
    s->nparams = params_of(fn, params, MAX_PARAMS);
    for (size_t i = 0; i < s->nparams; i++) {
        const char *pn = param_name(fs, params[i]);
        s->params[i] = pn ? pn : "argument";
        s->param_nodes[i] = params[i];
    }
    slsec_strmap_put(fs->functions, name, s);
    slsec_ptrvec_push(fs->f->a, &fs->function_list, s);
}

typedef struct export_entry {
    const char *name;
    TSNode fn;          /* the function, or null when exported by name */
    const char *local;  /* the local name exported */
} export_entry;

typedef struct scan_state {
    slsec_ptrvec exports; /* export_entry* */
} scan_state;

static void add_export(file_state *fs, scan_state *st, const char *name, TSNode value)
{
    value = unwrap(value);
    export_entry *e = slsec_arena_alloc(fs->f->a, sizeof *e);
    memset(e, 0, sizeof *e);
    e->name = name;
    if (is_function_node(value))
        e->fn = value;
    else if (is(value, K_identifier))
        e->local = text(fs, value);
    else if (is(value, K_call_expression)) {
        /* middy(handler) / wrap(async (event) => ...): the wrapped function */
        TSNode a = unwrap(positional(fs, value, 0));
        if (is_function_node(a))
            e->fn = a;
        else if (is(a, K_identifier))
            e->local = text(fs, a);
        else
            return;
    } else {
        return;
    }
    slsec_ptrvec_push(fs->f->a, &st->exports, e);
}

/* Can collect() leave n's subtree alone, its outcome unchanged? Only in
 * Python, and only when the outbound calls are not wanted from this file
 * (they are in every expression): then collect() looks for imports,
 * assignments and function and class definitions, all of them
 * statements, and a Python expression holds no statement (a lambda's body
 * is an expression too). So an expression is left alone, which spares
 * listing most of a file's nodes, when
 *  - its subtree has no ERROR or MISSING node (error recovery may put
 *    anything anywhere), and
 *  - it cannot reach the depth bound, where collect() would have noted
 *    the truncation: below an expression, every level is shorter than
 *    the one above by a byte at least (a bracket, an operator, a dot, a
 *    keyword, an argument after the callee), but for the last two (a
 *    dotted_name or keyword_identifier around an identifier, a string's
 *    content around an escape), so it is at most its length + 2 deep. */
static bool nothing_to_collect(file_state *fs, TSNode n, code_kind named, int depth)
{
    if (fs->f->lang != 2 || (fs->primary == fs && fs->f->outbound))
        return false;
    switch (named) {
    case K_call: case K_argument_list: case K_keyword_argument: case K_attribute: case K_subscript:
    case K_slice: case K_string: case K_concatenated_string: case K_interpolation: case K_binary_operator:
    case K_unary_operator: case K_comparison_operator: case K_boolean_operator: case K_not_operator:
    case K_conditional_expression: case K_parenthesized_expression: case K_await: case K_tuple: case K_list:
    case K_set: case K_dictionary: case K_pair: case K_list_comprehension: case K_dictionary_comprehension:
    case K_set_comprehension: case K_generator_expression: case K_named_expression: case K_lambda:
        break;
    default:
        return false;
    }
    uint32_t span = ts_node_end_byte(n) - ts_node_start_byte(n);
    return !ts_node_has_error(n) && (uint64_t)depth + span + 2 <= fs->f->max_depth;
}

/* One pass over the file: imports, top-level functions, constant
 * collections, exports. Descends into blocks (Python imports inside
 * functions, requires inside handlers) with the depth bound. */
static void collect(file_state *fs, scan_state *st, TSNode n, int depth, bool top)
{
    if (ts_node_is_null(n) || (unsigned)depth > fs->f->max_depth) {
        if (!ts_node_is_null(n))
            fs->f->truncated = true;
        return;
    }
    code_kind type;
    code_kind named = kinds_of(n, &type);
    if (fs->primary == fs && fs->f->outbound)
        outbound_collect(fs, n, type, named);
    if (type == K_import_statement && fs->f->lang == 1) {
        js_import_alias(fs, n);
        return;
    }
    if ((type == K_import_statement || type == K_import_from_statement) && fs->f->lang == 2) {
        py_import_alias(fs, n);
        return;
    }
    if (type == K_variable_declarator) {
        js_require_alias(fs, n);
        /* const run = util.promisify(cp.exec): `run` is what it wraps */
        TSNode pv = unwrap(field(n, F_value));
        if (is(field(n, F_name), K_identifier) && is(pv, K_call_expression)) {
            const char *callee = callee_of(fs, pv);
            if (strcmp(callee, "util.promisify") == 0 || strcmp(callee, "promisify") == 0 ||
                strcmp(callee, "util.promisify.promisify") == 0) {
                const char *target = canon(fs, positional(fs, pv, 0), 0);
                if (strcmp(target, "?") != 0)
                    add_alias(fs, text(fs, field(n, F_name)), target);
            }
        }
        TSNode name = field(n, F_name), value = unwrap(field(n, F_value));
        if (is(name, K_identifier) && is_function_node(value) && top)
            add_function(fs, text(fs, name), value);
        if (is(name, K_identifier) && constant_collection(fs, value))
            slsec_strmap_put(fs->consts, text(fs, name), (void *)1);
        const char *cv = top && is(name, K_identifier) ? configured_value(fs, value) : NULL;
        if (cv) /* const API = 'https://api.example.com' or process.env.API_URL */
            slsec_strmap_put(fs->strings, text(fs, name), (void *)cv);
    }
    if (type == K_assignment && fs->f->lang == 2) {
        TSNode left = field(n, F_left), right = unwrap(field(n, F_right));
        if (is(left, K_identifier) && constant_collection(fs, right))
            slsec_strmap_put(fs->consts, text(fs, left), (void *)1);
        const char *cv = top && is(left, K_identifier) ? configured_value(fs, right) : NULL;
        if (cv)
            slsec_strmap_put(fs->strings, text(fs, left), (void *)cv);
        /* parser = etree.XMLParser(resolve_entities=False) */
        if (is(left, K_identifier) && is(right, K_call) && strstr(text(fs, right), "resolve_entities=False"))
            slsec_strmap_put(fs->consts, slsec_arena_printf(fs->f->a, "safe-parser:%s", text(fs, left)), (void *)1);
    }
    if ((type == K_function_declaration || type == K_generator_function_declaration ||
         type == K_function_definition) && top) {
        add_function(fs, text(fs, field(n, F_name)), n);
    }
    if (type == K_export_statement) {
        TSNode decl = field(n, F_declaration);
        if (is(decl, K_function_declaration) || is(decl, K_generator_function_declaration)) {
            const char *nm = text(fs, field(decl, F_name));
            add_function(fs, nm, decl);
            add_export(fs, st, nm, decl);
        } else if (is(decl, K_lexical_declaration) || is(decl, K_variable_declaration)) {
            kids kids_k = kids_of(fs, decl);
            uint32_t k = kids_k.n;
            for (uint32_t i = 0; i < k; i++) {
                TSNode d = kid(&kids_k, i);
                if (is(d, K_variable_declarator) && is(field(d, F_name), K_identifier))
                    add_export(fs, st, text(fs, field(d, F_name)), field(d, F_value));
            }
        } else {
            /* export { local as name } */
            kids kids_k = kids_of(fs, n);
            uint32_t k = kids_k.n;
            for (uint32_t i = 0; i < k; i++) {
                TSNode cl = kid(&kids_k, i);
                if (!is(cl, K_export_clause))
                    continue;
                kids kids_m = kids_of(fs, cl);
                uint32_t m = kids_m.n;
                for (uint32_t q = 0; q < m; q++) {
                    TSNode spec = kid(&kids_m, q);
                    TSNode nm = field(spec, F_name), al = field(spec, F_alias);
                    add_export(fs, st, text(fs, ts_node_is_null(al) ? nm : al), nm);
                }
            }
        }
    }
    if (type == K_assignment_expression) {
        /* exports.h = ...; module.exports.h = ...; module.exports = { h, g: fn } */
        TSNode left = field(n, F_left), right = unwrap(field(n, F_right));
        const char *l = text(fs, left);
        if (strncmp(l, "exports.", 8) == 0)
            add_export(fs, st, l + 8, right);
        else if (strncmp(l, "module.exports.", 15) == 0)
            add_export(fs, st, l + 15, right);
        else if (strcmp(l, "module.exports") == 0 && is(right, K_object)) {
            kids kids_k = kids_of(fs, right);
            uint32_t k = kids_k.n;
            for (uint32_t i = 0; i < k; i++) {
                TSNode p = kid(&kids_k, i);
                if (is(p, K_shorthand_property_identifier))
                    add_export(fs, st, text(fs, p), p);
                else if (is(p, K_pair))
                    add_export(fs, st, key_name(fs, field(p, F_key)), field(p, F_value));
                else if (is(p, K_method_definition))
                    add_export(fs, st, text(fs, field(p, F_name)), p);
            }
        }
    }
    if (type == K_shorthand_property_identifier) {
        /* add_export takes an identifier: treat the shorthand as one */
    }
    bool nested_scope = function_kind(named) || type == K_function_definition ||
                        type == K_class_declaration || type == K_class_definition ||
                        type == K_method_definition;
    if (nothing_to_collect(fs, n, named, depth))
        return;
    kids kids_k = kids_of(fs, n);
    for (uint32_t i = 0; i < kids_k.n; i++) {
        collect(fs, st, kid(&kids_k, i), depth + 1, top && !nested_scope);
    }
}

static void collect_file(file_state *fs)
{
    fs->aliases = slsec_strmap_new(fs->f->a);
    fs->consts = slsec_strmap_new(fs->f->a);
    fs->strings = slsec_strmap_new(fs->f->a);
    fs->functions = slsec_strmap_new(fs->f->a);
    scan_state st = {0};
    collect(fs, &st, fs->f->root, 0, true);
    fs->collected = true;
    /* exports.q = async (x) => ...: callable from the importer by its exported name */
    for (size_t i = 0; i < st.exports.count; i++) {
        const export_entry *e = st.exports.items[i];
        if (e->name && !ts_node_is_null(e->fn))
            add_function(fs, e->name, e->fn);
    }
}

static bool conventional_name(const char *name)
{
    static const char *const names[] = {"handler", "lambda_handler", "lambdaHandler", "main", "handle",
                                        "app_handler", "handle_event", "handleEvent"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    return false;
}

static bool event_param(file_state *fs, TSNode fn)
{
    TSNode params[1];
    if (params_of(fn, params, 1) == 0)
        return false;
    const char *p = param_name(fs, params[0]);
    return p && (strcmp(p, "event") == 0 || strcmp(p, "evt") == 0 || strcmp(p, "event_") == 0);
}

static bool wanted(const char *name, const char *const *entries, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(entries[i], name) == 0)
            return true;
    return false;
}

size_t code_taint_file(code_file *f, const char *const *entries, size_t nentries, slsec_ptrvec *hits)
{
    file_state fs = {.f = f};
    fs.primary = &fs;
    fs.modules = slsec_strmap_new(f->a);
    fs.specs = slsec_strmap_new(f->a);
    fs.aliases = slsec_strmap_new(f->a);
    fs.consts = slsec_strmap_new(f->a);
    fs.strings = slsec_strmap_new(f->a);
    fs.functions = slsec_strmap_new(f->a);
    if (f->outbound) {
        fs.values = slsec_strmap_new(f->a);
        fs.url_consts = slsec_strmap_new(f->a);
        fs.clients_of = slsec_strmap_new(f->a);
        fs.urls_of = slsec_strmap_new(f->a);
    }
    scan_state st = {0};
    code_nodes_reset(code_session_nodes(f->session)); /* the last file's nodes are in freed trees */
    ids_forget();
    file_nodes = code_session_nodes(f->session);
    collect(&fs, &st, f->root, 0, true);
    fs.collected = true;
    if (f->outbound)
        record_outbound(&fs);

    /* The candidates: exports (JS) or top-level functions (Python and JS). */
    typedef struct cand {
        const char *name;
        TSNode fn;
    } cand;
    size_t cap = st.exports.count + fs.function_list.count, nc = 0;
    if (cap == 0) {
        file_nodes = NULL;
        return 0; /* nothing imported yet: no module to free */
    }
    cand *cands = slsec_arena_alloc(f->a, cap * sizeof *cands);
    for (size_t i = 0; i < st.exports.count; i++) {
        export_entry *e = st.exports.items[i];
        TSNode fn = e->fn;
        if (ts_node_is_null(fn) && e->local) {
            fn_summary *s = slsec_strmap_get(fs.functions, e->local);
            if (!s)
                continue;
            fn = s->node;
        }
        if (ts_node_is_null(fn) || !e->name)
            continue;
        cands[nc++] = (cand){e->name, fn};
    }
    for (size_t i = 0; i < fs.function_list.count; i++) {
        fn_summary *s = fs.function_list.items[i];
        bool dup = false;
        for (size_t k = 0; k < nc && !dup; k++)
            dup = strcmp(cands[k].name, s->name) == 0;
        /* JavaScript: a handler must be exported; Python: any top-level def */
        if (!dup && (f->lang == 2 || nentries))
            cands[nc++] = (cand){s->name, s->node};
    }

    size_t analysed = 0;
    for (size_t i = 0; i < nc; i++) {
        bool take = nentries ? wanted(cands[i].name, entries, nentries)
                             : conventional_name(cands[i].name) || event_param(&fs, cands[i].fn);
        if (!take)
            continue;
        TSNode params[1];
        if (params_of(cands[i].fn, params, 1) == 0)
            continue; /* no event parameter: nothing arrives */
        taint *root = slsec_arena_alloc(f->a, sizeof *root);
        memset(root, 0, sizeof *root);
        root->flags = T_ROOT | T_PARSED;
        const char *pn = param_name(&fs, params[0]);
        root->source = pn ? pn : "event";
        root->whole = root->source;
        root->steps[0] = step_at(&fs, params[0], slsec_arena_printf(f->a, "source: %s (the event)", root->source));
        root->nsteps = 1;
        analyze_function(&fs, cands[i].fn, cands[i].name, 0, root, false, hits, NULL);
        analysed++;
    }
    for (size_t i = 0; i < fs.imported.count; i++) {
        code_file *m = fs.imported.items[i];
        ts_tree_delete(m->tree);
        free((char *)m->src);
    }
    file_nodes = NULL;
    return analysed;
}
