/*
 * fuzz_template.c — libFuzzer target for the template front-end: the bytes
 * of one file through everything `slsec scan` does with a template.
 *
 *   sniff → parse (src/doc) → is it a template? → load into the model
 *   (src/load: SAM transform, intrinsics, policy templates) → every rule
 *
 * The rules run too because they walk what the loader built, and a model
 * the loader never meant to build (a Ref cycle, an unknown where a list
 * was expected) is exactly what fuzzing finds. Everything is freed each
 * round, so the leak checker at exit sees any loss.
 *
 * The input is handed over without a terminating NUL, as a read file
 * would not have one either: the parser must stay within [data, data+size).
 * The date is fixed so that runtime-deprecation rules do not make a crash
 * depend on the day it is replayed.
 */
#include <stddef.h>
#include <stdint.h>

#include "slsec/load.h"
#include "slsec/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    /* Sniffing is a byte scan; its answer must not gate what follows here,
     * or inputs it rejects would never reach the parser. */
    (void)slsec_cfn_sniff(text, size);

    slsec_arena *arena = slsec_arena_new();
    slsec_doc doc;
    slsec_diag err;
    if (slsec_doc_parse(arena, "fuzz.yaml", text, size, &doc, &err) == SLSEC_OK &&
        slsec_cfn_is_template(doc.root)) {
        slsec_app *app = slsec_app_new();
        slsec_diags warnings = {0};
        if (slsec_load_cfn(app, &doc, "fuzz.yaml", &warnings, &err) == SLSEC_OK) {
            slsec_settings settings;
            slsec_settings_default(&settings);
            settings.today = "2025-06-01";
            slsec_ptrvec findings = {0};
            slsec_rules_run(app, &settings, app->arena, NULL, NULL, &findings);
        }
        slsec_diags_clear(&warnings);
        slsec_app_free(app);
    }
    slsec_arena_free(arena);
    return 0;
}
