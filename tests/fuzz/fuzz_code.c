/*
 * fuzz_code.c — libFuzzer target for handler code analysis (src/code):
 * random bytes through tree-sitter and the taint walk, in each language,
 * with the outbound calls and imports listed too, or not.
 *
 * The first byte picks the language (JavaScript, TypeScript, TSX, Python),
 * whether the file is analysed with conventional handler names or as the
 * template-named export "handler", and whether its outbound calls are
 * listed (without, the first pass leaves Python expressions alone); the
 * rest is the source. The depth
 * bound is lowered so deep nesting is reached with short inputs, and the
 * parse budget kept small so a slow input is a reported skip, not a hang.
 * Every input goes through one session, as a scan thread's files do, so
 * what one input leaves in the parsers and memo tables (a parse given up
 * half-way, the lists of the last tree) meets the next. Everything else
 * is freed each round.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "slsec/code.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static slsec_code_session *session; /* kept for the whole run, like a scan thread's */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    session = slsec_code_session_new();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const slsec_code_lang langs[] = {SLSEC_CODE_JS, SLSEC_CODE_TS, SLSEC_CODE_TSX, SLSEC_CODE_PY};
    static const char *const names[] = {"fuzz.js", "fuzz.ts", "fuzz.tsx", "fuzz.py"};
    unsigned pick = data[0] & 3u;
    static const char *const entries[] = {"handler"};
    bool named = (data[0] & 4u) != 0;

    slsec_code_limits lim;
    slsec_code_limits_default(&lim);
    lim.max_depth = 48;
    lim.parse_micros = 500000;

    slsec_arena *a = slsec_arena_new();
    slsec_ptrvec hits = {0};
    slsec_code_stats stats = {0};
    slsec_diags warnings = {0};
    slsec_code_outbound outbound = {0};
    (void)slsec_code_session_analyze(session, a, names[pick], langs[pick], (const char *)data + 1, size - 1,
                                     named ? entries : NULL, named ? 1 : 0, &lim, NULL, &hits,
                                     (data[0] & 8u) ? NULL : &outbound, &stats, &warnings);
    for (size_t i = 0; i < hits.count; i++) {
        const slsec_code_hit *h = hits.items[i];
        if (!h->rule_id || !h->sink || !h->key || h->nsteps > SLSEC_CODE_MAX_STEPS || h->line < 1)
            __builtin_trap(); /* a hit always names its rule, sink and place */
    }
    for (size_t i = 0; i < outbound.calls.count; i++) {
        const slsec_code_call *c = outbound.calls.items[i];
        if (!c->target || !*c->target || !c->via || c->line < 1 || strchr(c->target, '/') || strchr(c->target, '@'))
            __builtin_trap(); /* a call names its target and place; a host is never a path or credentials */
    }
    slsec_diags_clear(&warnings);
    slsec_arena_free(a);
    return 0;
}
