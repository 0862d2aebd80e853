/*
 * parse.c — one source file through tree-sitter into the taint walk.
 *
 * tree-sitter recovers from syntax errors, so a file with errors is still
 * analysed (its ERROR nodes simply hold nothing the walk recognises) and
 * is counted; only a file tree-sitter gives up on (time budget exceeded)
 * is reported as a warning. Files over the size limit are skipped with a
 * warning before any parsing: minified bundles hold no handler worth a
 * second of parse time. Invalid UTF-8 is parsed as is (tree-sitter
 * replaces bad sequences); messages only ever quote short excerpts.
 */
#include "code_internal.h"

#include "slsec/limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

slsec_code_lang slsec_code_lang_of(const char *path)
{
    if (!path)
        return SLSEC_CODE_NONE;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (slsec_str_has_suffix(base, ".d.ts") || slsec_str_has_suffix(base, ".d.mts") ||
        slsec_str_has_suffix(base, ".d.cts"))
        return SLSEC_CODE_NONE;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base)
        return SLSEC_CODE_NONE;
    static const struct {
        const char *ext;
        slsec_code_lang lang;
    } exts[] = {{".js", SLSEC_CODE_JS},  {".mjs", SLSEC_CODE_JS}, {".cjs", SLSEC_CODE_JS},
                {".jsx", SLSEC_CODE_JS}, {".ts", SLSEC_CODE_TS}, {".mts", SLSEC_CODE_TS},
                {".cts", SLSEC_CODE_TS}, {".tsx", SLSEC_CODE_TSX}, {".py", SLSEC_CODE_PY}};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (strcmp(dot, exts[i].ext) == 0)
            return exts[i].lang;
    return SLSEC_CODE_NONE;
}

const char *slsec_code_lang_name(slsec_code_lang lang)
{
    switch (lang) {
    case SLSEC_CODE_JS: return "javascript";
    case SLSEC_CODE_TS: return "typescript";
    case SLSEC_CODE_TSX: return "tsx";
    case SLSEC_CODE_PY: return "python";
    default: return "none";
    }
}

void slsec_code_limits_default(slsec_code_limits *lim)
{
    lim->max_file_bytes = SLSEC_MAX_CODE_BYTES;
    lim->parse_micros = SLSEC_CODE_PARSE_MICROS;
    lim->max_depth = SLSEC_MAX_CODE_DEPTH;
}

const TSLanguage *code_grammar(slsec_code_lang lang)
{
    switch (lang) {
    case SLSEC_CODE_JS: return tree_sitter_javascript();
    case SLSEC_CODE_TS: return tree_sitter_typescript();
    case SLSEC_CODE_TSX: return tree_sitter_tsx();
    case SLSEC_CODE_PY: return tree_sitter_python();
    default: return NULL;
    }
}

/* ---- sessions --------------------------------------------------------------------- */

struct slsec_code_session {
    TSParser *parsers[SLSEC_CODE_PY + 1]; /* by language, made on first use */
    code_nodes nodes;
};

slsec_code_session *slsec_code_session_new(void)
{
    slsec_code_session *s = calloc(1, sizeof *s);
    if (!s)
        slsec_oom();
    return s;
}

void slsec_code_session_free(slsec_code_session *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < sizeof s->parsers / sizeof s->parsers[0]; i++)
        if (s->parsers[i])
            ts_parser_delete(s->parsers[i]);
    code_nodes_free(&s->nodes);
    free(s);
}

code_nodes *code_session_nodes(slsec_code_session *s) { return &s->nodes; }

TSTree *code_parse(slsec_code_session *s, slsec_code_lang lang, const char *src, uint32_t len, unsigned micros,
                   bool *bad_abi)
{
    *bad_abi = false;
    const TSLanguage *g = code_grammar(lang);
    if (!g)
        return NULL;
    TSParser *p = s->parsers[lang];
    if (!p) {
        p = ts_parser_new();
        if (!p)
            slsec_oom();
        if (!ts_parser_set_language(p, g)) {
            ts_parser_delete(p);
            *bad_abi = true;
            return NULL;
        }
        s->parsers[lang] = p;
    }
    ts_parser_set_timeout_micros(p, micros);
    TSTree *tree = ts_parser_parse_string(p, NULL, src, len);
    /* Out of time, the parser keeps its state to resume the same text on
     * the next call: the next file must start afresh. */
    if (!tree)
        ts_parser_reset(p);
    return tree;
}

/* Where the first ERROR or MISSING node starts (iteratively: no recursion
 * on hostile nesting). */
static TSPoint first_error(TSNode root)
{
    TSTreeCursor cur = ts_tree_cursor_new(root);
    TSPoint at = ts_node_start_point(root);
    for (;;) {
        TSNode n = ts_tree_cursor_current_node(&cur);
        if (strcmp(ts_node_type(n), "ERROR") == 0 || ts_node_is_missing(n)) {
            at = ts_node_start_point(n);
            break;
        }
        if (ts_node_has_error(n) && ts_tree_cursor_goto_first_child(&cur))
            continue;
        bool moved = false;
        while (!(moved = ts_tree_cursor_goto_next_sibling(&cur)))
            if (!ts_tree_cursor_goto_parent(&cur))
                break;
        if (!moved)
            break;
    }
    ts_tree_cursor_delete(&cur);
    return at;
}

int slsec_code_analyze(slsec_arena *a, const char *relpath, slsec_code_lang lang, const char *src, size_t len,
                       const char *const *entries, size_t nentries, const slsec_code_limits *lim,
                       const slsec_code_loader *loader, slsec_ptrvec *hits, slsec_code_outbound *outbound,
                       slsec_code_stats *stats, slsec_diags *warnings)
{
    slsec_code_session *s = slsec_code_session_new();
    int rc = slsec_code_session_analyze(s, a, relpath, lang, src, len, entries, nentries, lim, loader, hits, outbound,
                                        stats, warnings);
    slsec_code_session_free(s);
    return rc;
}

int slsec_code_session_analyze(slsec_code_session *s, slsec_arena *a, const char *relpath, slsec_code_lang lang,
                               const char *src, size_t len, const char *const *entries, size_t nentries,
                               const slsec_code_limits *lim, const slsec_code_loader *loader, slsec_ptrvec *hits,
                               slsec_code_outbound *outbound, slsec_code_stats *stats, slsec_diags *warnings)
{
    slsec_code_limits def;
    if (!lim) {
        slsec_code_limits_default(&def);
        lim = &def;
    }
    const TSLanguage *g = code_grammar(lang);
    if (!g)
        return SLSEC_EUSAGE;
    if (len > lim->max_file_bytes || len > UINT32_MAX) {
        if (stats)
            stats->skipped++;
        slsec_diags_addf(warnings, SLSEC_DIAG_WARNING, relpath, 0, 0,
                         "source file of %zu bytes is over the %zu-byte code analysis limit "
                         "(--max-code-size); not analysed",
                         len, lim->max_file_bytes);
        return SLSEC_OK;
    }
    bool bad_abi = false;
    TSTree *tree = code_parse(s, lang, src, (uint32_t)len, lim->parse_micros, &bad_abi);
    if (bad_abi) {
        slsec_diags_addf(warnings, SLSEC_DIAG_WARNING, relpath, 0, 0,
                         "the %s grammar does not match this libtree-sitter (ABI %u); not analysed",
                         slsec_code_lang_name(lang), (unsigned)ts_language_version(g));
        return SLSEC_EPARSE;
    }
    if (!tree) {
        if (stats)
            stats->skipped++;
        slsec_diags_addf(warnings, SLSEC_DIAG_WARNING, relpath, 0, 0,
                         "parsing took longer than the %u ms budget; not analysed", lim->parse_micros / 1000u);
        return SLSEC_EPARSE;
    }
    TSNode root = ts_tree_root_node(tree);
    if (stats) {
        stats->files++;
        stats->bytes += len;
    }
    if (ts_node_has_error(root)) {
        if (stats)
            stats->parse_errors++;
        TSPoint at = first_error(root);
        slsec_diags_addf(warnings, SLSEC_DIAG_WARNING, relpath, (int)at.row + 1, (int)at.column + 1,
                         "%s syntax error; analysed as far as the parser recovered", slsec_code_lang_name(lang));
    }
    code_file f = {.a = a, .session = s, .loader = loader, .max_file_bytes = lim->max_file_bytes,
                   .parse_micros = lim->parse_micros, .relpath = relpath, .src = src, .len = len,
                   .lang = lang == SLSEC_CODE_PY ? 2u : 1u, .root = root, .max_depth = lim->max_depth,
                   .outbound = outbound};
    size_t first = hits->count;
    size_t n = code_taint_file(&f, entries, nentries, hits);
    (void)first;
    if (stats)
        stats->handlers += n;
    if (outbound && outbound->calls_capped)
        slsec_diags_addf(warnings, SLSEC_DIAG_WARNING, relpath, 0, 0,
                         "more than %u outbound calls; the rest are not listed in the inventory",
                         (unsigned)SLSEC_MAX_CODE_CALLS);
    if (f.truncated)
        slsec_diags_addf(warnings, SLSEC_DIAG_WARNING, relpath, 0, 0,
                         "syntax nested deeper than %u levels; the deeper parts were not analysed", lim->max_depth);
    ts_tree_delete(tree);
    return SLSEC_OK;
}
