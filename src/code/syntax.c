/*
 * syntax.c — syntax-tree questions by id rather than by name.
 *
 * The walk (taint.c) asks every node its type and many nodes for a
 * field. libtree-sitter answers a type as a name (a string compare per
 * question) and finds a field id by a linear scan over the grammar's
 * field names, so by name those questions cost more than the analysis
 * itself. Here each grammar's ids for the kinds and fields of
 * code_internal.h are looked up once per process, and the walk compares
 * small integers.
 *
 * Two lookups per kind, to keep the meaning of the name-based questions
 * exactly: kind_by_symbol says which kind a symbol's *name* spells, as a
 * compare of ts_node_type() did (named or anonymous alike), and named[]
 * holds what ts_language_symbol_for_name(..., named) returns, as the
 * named-node test did (named_by_symbol is its reverse, so one lookup
 * answers "which of the named kinds is this node").
 *
 * Also here: what the analysis remembers per node for the rest of a file
 * (see code_internal.h), among it the lists of their children: child i
 * by index for a few, a tree cursor, which visits them in one pass where
 * child-by-index starts from the first child every time, for many.
 */
#include "code_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define CODE_KIND_NAME(name) #name,
#define CODE_FIELD_NAME(name) #name,
static const char *const kind_names[K_COUNT] = {NULL, CODE_NODE_KINDS(CODE_KIND_NAME)};
static const char *const field_names[F_COUNT] = {NULL, CODE_FIELDS(CODE_FIELD_NAME)};
#undef CODE_KIND_NAME
#undef CODE_FIELD_NAME

code_kind code_kind_by_name(const char *type)
{
    for (size_t k = 1; type && k < K_COUNT; k++)
        if (strcmp(kind_names[k], type) == 0)
            return (code_kind)k;
    return K_NONE;
}

/* One per grammar of code_grammar(): JavaScript, TypeScript, TSX, Python. */
static code_ids ids[4];
static pthread_once_t ids_once = PTHREAD_ONCE_INIT;

static void fill(code_ids *g, const TSLanguage *lang)
{
    g->lang = lang;
    uint32_t n = ts_language_symbol_count(lang);
    for (uint32_t s = 0; s < n && s < CODE_MAX_SYMBOLS; s++)
        g->kind_by_symbol[s] = (uint8_t)code_kind_by_name(ts_language_symbol_name(lang, (TSSymbol)s));
    for (size_t k = 1; k < K_COUNT; k++) {
        g->named[k] = ts_language_symbol_for_name(lang, kind_names[k], (uint32_t)strlen(kind_names[k]), true);
        if (g->named[k] && g->named[k] < CODE_MAX_SYMBOLS)
            g->named_by_symbol[g->named[k]] = (uint8_t)k;
    }
    for (size_t f = 1; f < F_COUNT; f++)
        g->fields[f] = ts_language_field_id_for_name(lang, field_names[f], (uint32_t)strlen(field_names[f]));
}

static void fill_all(void)
{
    _Static_assert(K_COUNT <= 256, "kinds are stored in a byte per symbol");
    static const slsec_code_lang langs[] = {SLSEC_CODE_JS, SLSEC_CODE_TS, SLSEC_CODE_TSX, SLSEC_CODE_PY};
    for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++)
        fill(&ids[i], code_grammar(langs[i]));
}

const code_ids *code_ids_of(const TSLanguage *lang)
{
    pthread_once(&ids_once, fill_all);
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (ids[i].lang == lang)
            return &ids[i];
    return NULL;
}

/* ---- what is remembered per node ------------------------------------------------- */

static size_t slot_at(const code_nodes *k, const void *id)
{
    uint64_t h = (uint64_t)(uintptr_t)id * 0x9E3779B97F4A7C15u;
    return (size_t)(h >> 32) & (k->nslots - 1);
}

static void grow_slots(code_nodes *k)
{
    size_t n = k->nslots ? k->nslots * 2 : 1024;
    code_node_memo *old = k->slots;
    size_t nold = k->nslots;
    k->slots = calloc(n, sizeof *k->slots);
    if (!k->slots)
        slsec_oom();
    k->nslots = n;
    k->used = 0;
    for (size_t i = 0; i < nold; i++) {
        if (!old[i].id || old[i].gen != k->gen)
            continue;
        size_t at = slot_at(k, old[i].id);
        while (k->slots[at].id && k->slots[at].gen == k->gen)
            at = (at + 1) & (n - 1);
        k->slots[at] = old[i];
        k->used++;
    }
    free(old);
}

void code_nodes_reset(code_nodes *k)
{
    k->count = 0;
    k->used = 0;
    if (++k->gen == 0) { /* wrapped: slots of 2^32 files ago would look current */
        if (k->slots)
            memset(k->slots, 0, k->nslots * sizeof *k->slots);
        k->gen = 1;
    }
}

code_node_memo *code_nodes_memo(code_nodes *k, TSNode n)
{
    if (!k->gen)
        k->gen = 1; /* a session that never reset: gen 0 marks free slots */
    if (!k->nslots || (k->used + 1) * 2 > k->nslots)
        grow_slots(k);
    size_t at = slot_at(k, n.id);
    while (k->slots[at].id && k->slots[at].gen == k->gen) {
        if (k->slots[at].id == n.id)
            return &k->slots[at];
        at = (at + 1) & (k->nslots - 1);
    }
    k->slots[at] = (code_node_memo){.id = n.id, .gen = k->gen};
    k->used++;
    return &k->slots[at];
}

/* Below this many named children, child i by index costs no more than a
 * cursor (whose stack of hidden nodes is set up for each list; measured
 * on generated handlers); from it on, index loops go quadratic. The walk
 * has always listed children this way, so the lists are the same. */
#define KIDS_BY_CURSOR 64

/* Room for `want` more nodes after the first `count` of *items. */
static void reserve(TSNode **items, size_t *cap, size_t count, uint32_t want)
{
    if (count + want <= *cap)
        return;
    size_t n = *cap ? *cap : 1024;
    while (n < count + want)
        n *= 2;
    TSNode *more = realloc(*items, n * sizeof *more);
    if (!more)
        slsec_oom();
    *items = more;
    *cap = n;
}

/* Writes the named children of n (want of them) at out; returns how many. */
static uint32_t list(code_nodes *k, TSNode n, uint32_t want, TSNode *out)
{
    if (want < KIDS_BY_CURSOR) {
        uint32_t got = 0;
        for (uint32_t i = 0; i < want; i++) {
            TSNode ch = ts_node_named_child(n, i);
            if (ts_node_is_null(ch))
                break;
            out[got++] = ch;
        }
        return got;
    }
    if (k->has_cursor) {
        ts_tree_cursor_reset(&k->cursor, n);
    } else {
        k->cursor = ts_tree_cursor_new(n);
        k->has_cursor = true;
    }
    uint32_t got = 0;
    if (ts_tree_cursor_goto_first_child(&k->cursor)) {
        do {
            TSNode ch = ts_tree_cursor_current_node(&k->cursor);
            if (ts_node_is_named(ch) && got < want)
                out[got++] = ch;
        } while (ts_tree_cursor_goto_next_sibling(&k->cursor));
    }
    return got;
}

void code_nodes_kids(code_nodes *k, TSNode n, size_t *off, uint32_t *count)
{
    *off = 0;
    *count = 0;
    uint32_t want = ts_node_is_null(n) ? 0 : ts_node_named_child_count(n);
    if (!want)
        return; /* leaves, most nodes: nothing to remember */
    code_node_memo *m = code_nodes_memo(k, n);
    if (!m->listed) {
        size_t start = k->count;
        reserve(&k->items, &k->cap, k->count, want);
        uint32_t got = list(k, n, want, k->items + start);
        k->count += got;
        m = code_nodes_memo(k, n); /* list() made no slot, but stay safe should it ever */
        m->listed = true;
        m->off = start;
        m->n = got;
    }
    *off = m->off;
    *count = m->n;
}

void code_nodes_free(code_nodes *k)
{
    if (k->has_cursor)
        ts_tree_cursor_delete(&k->cursor);
    free(k->items);
    free(k->slots);
    memset(k, 0, sizeof *k);
}
