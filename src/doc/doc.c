/*
 * doc.c — builds slsec_node trees from libfyaml's event stream.
 *
 * Events rather than libfyaml's own document tree: one pass, no second
 * copy, and full control over aliases (shared, with their expansion
 * counted) and depth (bounded before the stack can grow).
 */
#include "slsec/doc.h"
#include "slsec/limits.h"

#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct frame {
    slsec_node *node;
    slsec_node **kids; /* heap, moved into the arena when the frame closes */
    size_t nkids, cap;
    size_t size;       /* nodes below, counting alias expansions */
    const char *anchor;
} frame;

typedef struct anchor_entry {
    slsec_node *node;
    size_t size;
} anchor_entry;

typedef struct builder {
    slsec_arena *arena;
    const char *file;
    frame stack[SLSEC_MAX_DEPTH + 1];
    int depth;
    size_t total;
    slsec_strmap *anchors;
    slsec_node *root;
    bool have_root;
    const char *data; /* the whole input, for scalars decoded here */
    size_t data_len;
} builder;

static void mark_pos(slsec_node *n, const struct fy_mark *m)
{
    if (m) {
        n->line = (uint32_t)m->line + 1;
        n->col = (uint32_t)m->column + 1;
    }
}

static const char *tag_text(builder *b, struct fy_token *tag)
{
    if (!tag)
        return NULL;
    size_t hl = 0, sl = 0;
    const char *h = fy_tag_token_handle(tag, &hl);
    const char *s = fy_tag_token_suffix(tag, &sl);
    if (!h)
        h = "", hl = 0;
    if (!s)
        s = "", sl = 0;
    char *t = slsec_arena_alloc(b->arena, hl + sl + 1);
    memcpy(t, h, hl);
    memcpy(t + hl, s, sl);
    t[hl + sl] = '\0';
    return t;
}

static void frame_push_child(frame *f, slsec_node *n)
{
    if (f->nkids == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 8;
        slsec_node **k = realloc(f->kids, f->cap * sizeof *k);
        if (!k)
            slsec_oom();
        f->kids = k;
    }
    f->kids[f->nkids++] = n;
}

/* Adds a finished node (with its expanded size) to its parent. */
static int attach(builder *b, slsec_node *n, size_t size, slsec_diag *d)
{
    b->total += size;
    if (b->total > SLSEC_MAX_DOC_NODES) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, b->file, (int)n->line, (int)n->col,
                       "document expands to more than %u nodes (alias bomb?)",
                       (unsigned)SLSEC_MAX_DOC_NODES);
        return SLSEC_ELIMIT;
    }
    if (b->depth == 0) {
        if (!b->have_root) {
            b->root = n;
            b->have_root = true;
        }
        return SLSEC_OK;
    }
    frame *f = &b->stack[b->depth - 1];
    frame_push_child(f, n);
    f->size += size;
    return SLSEC_OK;
}

static void remember_anchor(builder *b, const char *anchor, slsec_node *n, size_t size)
{
    if (!anchor)
        return;
    anchor_entry *e = slsec_arena_alloc(b->arena, sizeof *e);
    e->node = n;
    e->size = size;
    slsec_strmap_put(b->anchors, anchor, e);
}

static const char *anchor_text(builder *b, struct fy_token *t)
{
    if (!t)
        return NULL;
    size_t len = 0;
    const char *s = fy_token_get_text(t, &len);
    return s ? slsec_arena_strndup(b->arena, s, len) : NULL;
}

static bool plain_null(const char *s, size_t len)
{
    return len == 0 || (len == 1 && s[0] == '~') ||
           (len == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) || !memcmp(s, "NULL", 4)));
}

/* Decodes a single-quoted scalar that contains '' escapes from the raw
 * input. libfyaml 0.7.12 mis-decodes runs of them (six in a row come back
 * as eleven quotes, or as nothing, leaking a buffer); the rules are short:
 * '' is a quote, a line break folds to a space, each blank line after it
 * to a newline, and white space around a break goes. NULL: not such a
 * scalar, so libfyaml's text is used. */
static const char *single_quoted_with_escapes(builder *b, struct fy_event *ev, size_t *lenp)
{
    struct fy_token *v = ev->scalar.value;
    if (!v || fy_token_scalar_style(v) != FYSS_SINGLE_QUOTED)
        return NULL;
    const struct fy_mark *start = fy_event_start_mark(ev), *end = fy_event_end_mark(ev);
    /* The marks bound the text inside the quotes. */
    if (!start || !end || start->input_pos == 0 || end->input_pos >= b->data_len ||
        start->input_pos > end->input_pos)
        return NULL;
    const char *raw = b->data + start->input_pos;
    size_t n = end->input_pos - start->input_pos;
    if (raw[-1] != '\'' || raw[n] != '\'' || !memmem(raw, n, "''", 2))
        return NULL;
    char *out = slsec_arena_alloc(b->arena, n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        char c = raw[i];
        if (c == '\'' && i + 1 < n && raw[i + 1] == '\'') {
            out[o++] = '\'';
            i += 2;
        } else if (c == '\n' || c == '\r') {
            size_t text_end = o;
            while (text_end > 0 && (out[text_end - 1] == ' ' || out[text_end - 1] == '\t'))
                text_end--;
            o = text_end;
            size_t blank_lines = 0;
            for (;;) {
                if (raw[i] == '\r' && i + 1 < n && raw[i + 1] == '\n')
                    i++;
                i++;
                while (i < n && (raw[i] == ' ' || raw[i] == '\t'))
                    i++;
                if (i < n && (raw[i] == '\n' || raw[i] == '\r'))
                    blank_lines++;
                else
                    break;
            }
            if (blank_lines == 0)
                out[o++] = ' ';
            for (size_t k = 0; k < blank_lines; k++)
                out[o++] = '\n';
        } else {
            out[o++] = c;
            i++;
        }
    }
    out[o] = '\0';
    *lenp = o;
    return out;
}

static int on_event(builder *b, struct fy_event *ev, slsec_diag *d)
{
    switch (ev->type) {
    case FYET_SCALAR: {
        struct fy_token *v = ev->scalar.value;
        size_t len = 0;
        const char *s = single_quoted_with_escapes(b, ev, &len);
        if (!s)
            s = v ? fy_token_get_text(v, &len) : "";
        if (!s)
            s = "", len = 0;
        slsec_node *n = slsec_arena_alloc(b->arena, sizeof *n);
        n->kind = SLSEC_NODE_SCALAR;
        n->file = b->file;
        mark_pos(n, fy_event_start_mark(ev));
        if (len > SLSEC_MAX_SCALAR_BYTES) {
            slsec_diag_set(d, SLSEC_DIAG_ERROR, b->file, (int)n->line, (int)n->col,
                           "scalar of %zu bytes exceeds the %u-byte limit", len,
                           (unsigned)SLSEC_MAX_SCALAR_BYTES);
            return SLSEC_ELIMIT;
        }
        n->str = slsec_arena_strndup(b->arena, s, len);
        n->len = len;
        n->tag = tag_text(b, ev->scalar.tag);
        enum fy_scalar_style st = v ? fy_token_scalar_style(v) : FYSS_PLAIN;
        if (st != FYSS_PLAIN && st != FYSS_ANY)
            n->flags |= SLSEC_NF_QUOTED;
        else if (plain_null(s, len))
            n->flags |= SLSEC_NF_NULL;
        remember_anchor(b, anchor_text(b, ev->scalar.anchor), n, 1);
        return attach(b, n, 1, d);
    }
    case FYET_ALIAS: {
        const char *name = anchor_text(b, ev->alias.anchor);
        anchor_entry *e = name ? slsec_strmap_get(b->anchors, name) : NULL;
        if (!e) {
            const struct fy_mark *m = fy_event_start_mark(ev);
            slsec_diag_set(d, SLSEC_DIAG_ERROR, b->file, m ? m->line + 1 : 0,
                           m ? m->column + 1 : 0, "alias *%s names no anchor defined before it",
                           name ? name : "?");
            return SLSEC_EPARSE;
        }
        return attach(b, e->node, e->size, d);
    }
    case FYET_MAPPING_START:
    case FYET_SEQUENCE_START: {
        bool map = ev->type == FYET_MAPPING_START;
        slsec_node *n = slsec_arena_alloc(b->arena, sizeof *n);
        n->kind = map ? SLSEC_NODE_MAP : SLSEC_NODE_SEQ;
        n->file = b->file;
        n->str = ""; /* collections used as map keys compare as "" */
        mark_pos(n, fy_event_start_mark(ev));
        if (b->depth >= SLSEC_MAX_DEPTH) {
            slsec_diag_set(d, SLSEC_DIAG_ERROR, b->file, (int)n->line, (int)n->col,
                           "nesting deeper than %d levels", SLSEC_MAX_DEPTH);
            return SLSEC_ELIMIT;
        }
        n->tag = tag_text(b, map ? ev->mapping_start.tag : ev->sequence_start.tag);
        frame *f = &b->stack[b->depth++];
        memset(f, 0, sizeof *f);
        f->node = n;
        f->anchor = anchor_text(b, map ? ev->mapping_start.anchor : ev->sequence_start.anchor);
        return SLSEC_OK;
    }
    case FYET_MAPPING_END:
    case FYET_SEQUENCE_END: {
        frame *f = &b->stack[--b->depth];
        slsec_node *n = f->node;
        if (f->nkids) {
            n->items = slsec_arena_alloc(b->arena, f->nkids * sizeof *n->items);
            memcpy(n->items, f->kids, f->nkids * sizeof *n->items);
        }
        n->count = n->kind == SLSEC_NODE_MAP ? f->nkids / 2 : f->nkids;
        free(f->kids);
        f->kids = NULL;
        size_t size = f->size + 1;
        remember_anchor(b, f->anchor, n, size);
        return attach(b, n, size, d);
    }
    default:
        return SLSEC_OK;
    }
}

static void first_error(struct fy_diag *diag, builder *b, slsec_diag *d)
{
    void *iter = NULL;
    struct fy_diag_error *err;
    while ((err = fy_diag_errors_iterate(diag, &iter)) != NULL) {
        if (err->type != FYET_ERROR)
            continue;
        int line = err->line >= 0 ? err->line + 1 : 0;
        int col = err->column >= 0 ? err->column + 1 : 0;
        if (err->fyt) {
            const struct fy_mark *m = fy_token_start_mark(err->fyt);
            if (m)
                line = m->line + 1, col = m->column + 1;
        }
        slsec_diag_set(d, SLSEC_DIAG_ERROR, b->file, line, col, "invalid YAML/JSON: %s",
                       err->msg ? err->msg : "syntax error");
        return;
    }
    slsec_diag_set(d, SLSEC_DIAG_ERROR, b->file, 0, 0, "invalid YAML/JSON");
}

static void discard_output(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
    (void)diag, (void)user, (void)buf, (void)len;
}

int slsec_doc_parse(slsec_arena *a, const char *file, const char *data, size_t len, slsec_doc *out,
                    slsec_diag *d)
{
    memset(out, 0, sizeof *out);
    out->file = file;

    /* YAML and JSON are Unicode; ill-formed bytes are rejected here, with
     * their position, because libfyaml 0.7.12 can loop forever on some of
     * them (an invalid byte inside a `%` directive, for one). */
    size_t bad = slsec_utf8_invalid_offset(data, len);
    if (bad < len) {
        int line = 1, col = 1;
        for (size_t i = 0; i < bad; i++) {
            if (data[i] == '\n')
                line++, col = 1;
            else if (((unsigned char)data[i] & 0xC0) != 0x80)
                col++;
        }
        slsec_diag_set(d, SLSEC_DIAG_ERROR, file, line, col,
                       "invalid UTF-8 (byte 0x%02X); YAML and JSON files must be UTF-8",
                       (unsigned char)data[bad]);
        return SLSEC_EPARSE;
    }

    struct fy_diag_cfg dcfg;
    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    dcfg.output_fn = discard_output;
    dcfg.colorize = false;
    struct fy_diag *diag = fy_diag_create(&dcfg);
    if (!diag)
        slsec_oom();
    fy_diag_set_collect_errors(diag, true);

    struct fy_parse_cfg cfg = {0};
    cfg.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG | FYPCF_DEFAULT_VERSION_1_2 | FYPCF_JSON_NONE;
    cfg.diag = diag;
    struct fy_parser *fyp = fy_parser_create(&cfg);
    if (!fyp) {
        fy_diag_unref(diag);
        slsec_oom();
    }

    builder *b = calloc(1, sizeof *b);
    if (!b)
        slsec_oom();
    b->arena = a;
    b->file = file;
    b->data = data;
    b->data_len = len;
    b->anchors = slsec_strmap_new(a);

    int rc = SLSEC_OK;
    if (fy_parser_set_string(fyp, data, len) != 0) {
        slsec_diag_set(d, SLSEC_DIAG_ERROR, file, 0, 0, "cannot start the YAML parser");
        rc = SLSEC_EPARSE;
        goto out;
    }
    struct fy_event *ev;
    int docs = 0;
    while ((ev = fy_parser_parse(fyp)) != NULL) {
        if (ev->type == FYET_DOCUMENT_START)
            docs++;
        /* Only the first document of a stream is a template; later ones
         * are still parsed (so errors in them are reported) but dropped. */
        if (docs <= 1 || ev->type == FYET_DOCUMENT_START)
            rc = on_event(b, ev, d);
        fy_parser_event_free(fyp, ev);
        if (rc != SLSEC_OK)
            goto out;
    }
    if (fy_parser_get_stream_error(fyp)) {
        first_error(diag, b, d);
        rc = SLSEC_EPARSE;
        goto out;
    }
    out->root = b->root;
    out->node_count = b->total;

out:
    for (int i = 0; i < b->depth; i++)
        free(b->stack[i].kids);
    free(b);
    fy_parser_destroy(fyp);
    /* Turning collection off frees the collected errors, which the
     * final unref of libfyaml 0.7.12 does not. */
    fy_diag_set_collect_errors(diag, false);
    fy_diag_unref(diag);
    return rc;
}

/* ---- queries ------------------------------------------------------------ */

bool slsec_node_is_scalar(const slsec_node *n) { return n && n->kind == SLSEC_NODE_SCALAR; }
bool slsec_node_is_map(const slsec_node *n) { return n && n->kind == SLSEC_NODE_MAP; }
bool slsec_node_is_seq(const slsec_node *n) { return n && n->kind == SLSEC_NODE_SEQ; }
bool slsec_node_is_unknown(const slsec_node *n) { return n && (n->flags & SLSEC_NF_UNKNOWN); }

slsec_node *slsec_node_get_key(const slsec_node *n, const char *key)
{
    if (!slsec_node_is_map(n) || !key)
        return NULL;
    for (size_t i = 0; i < n->count; i++) {
        slsec_node *k = n->items[2 * i];
        if (k->kind == SLSEC_NODE_SCALAR && strcmp(k->str, key) == 0)
            return k;
    }
    return NULL;
}

slsec_node *slsec_node_get(const slsec_node *n, const char *key)
{
    if (!slsec_node_is_map(n) || !key)
        return NULL;
    for (size_t i = 0; i < n->count; i++) {
        slsec_node *k = n->items[2 * i];
        if (k->kind == SLSEC_NODE_SCALAR && strcmp(k->str, key) == 0)
            return n->items[2 * i + 1];
    }
    return NULL;
}

const char *slsec_node_str(const slsec_node *n)
{
    if (!slsec_node_is_scalar(n) || (n->flags & (SLSEC_NF_UNKNOWN | SLSEC_NF_NULL)))
        return NULL;
    return n->str;
}

const char *slsec_node_get_str(const slsec_node *n, const char *key)
{
    return slsec_node_str(slsec_node_get(n, key));
}

bool slsec_node_bool(const slsec_node *n, bool *out)
{
    const char *s = slsec_node_str(n);
    if (!s)
        return false;
    if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on")) {
        *out = true;
        return true;
    }
    if (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "off")) {
        *out = false;
        return true;
    }
    return false;
}

bool slsec_node_long(const slsec_node *n, long *out)
{
    const char *s = slsec_node_str(n);
    if (!s)
        return false;
    if (slsec_parse_long(s, out))
        return true;
    /* "30.0" is a number in JSON templates. */
    char *end;
    double v = strtod(s, &end);
    if (end != s && *end == '\0' && v == (double)(long)v) {
        *out = (long)v;
        return true;
    }
    return false;
}

slsec_node *slsec_node_new_scalar(slsec_arena *a, const slsec_node *at, const char *s, unsigned flags)
{
    slsec_node *n = slsec_arena_alloc(a, sizeof *n);
    n->kind = SLSEC_NODE_SCALAR;
    n->flags = (uint8_t)flags;
    if (at) {
        n->file = at->file;
        n->line = at->line;
        n->col = at->col;
    }
    n->str = s ? s : "";
    n->len = strlen(n->str);
    return n;
}

static slsec_node *new_coll(slsec_arena *a, const slsec_node *at, size_t count, int kind, size_t slots)
{
    slsec_node *n = slsec_arena_alloc(a, sizeof *n);
    n->kind = (uint8_t)kind;
    if (at) {
        n->file = at->file;
        n->line = at->line;
        n->col = at->col;
    }
    n->count = count;
    n->str = "";
    if (slots)
        n->items = slsec_arena_alloc(a, slots * sizeof *n->items);
    return n;
}

slsec_node *slsec_node_new_seq(slsec_arena *a, const slsec_node *at, size_t count)
{
    return new_coll(a, at, count, SLSEC_NODE_SEQ, count);
}

slsec_node *slsec_node_new_map(slsec_arena *a, const slsec_node *at, size_t count)
{
    return new_coll(a, at, count, SLSEC_NODE_MAP, 2 * count);
}
