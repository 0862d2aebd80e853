/*
 * fuzz_tfplan.c — libFuzzer target for the Terraform plan front-end: the
 * bytes of one file through everything `slsec scan` does with a plan.
 *
 *   sniff → parse (src/doc) → is it a plan? → version and shape checks →
 *   lowering (references through modules, unknown and sensitive masks,
 *   JSON policy strings parsed again) → the CloudFormation loader → every rule
 *
 * Policy documents inside the plan are JSON strings parsed a second time,
 * so a hostile string there reaches the parser too. Everything is freed
 * each round, so the leak checker at exit sees any loss. The input has no
 * terminating NUL, as a read file would not; the date is fixed so runtime
 * deprecation rules do not make a crash depend on the day it is replayed.
 */
#include <stddef.h>
#include <stdint.h>

#include "slsec/load.h"
#include "slsec/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    (void)slsec_tfplan_sniff(text, size); /* must not gate what follows */

    slsec_arena *arena = slsec_arena_new();
    slsec_doc doc;
    slsec_diag err;
    if (slsec_doc_parse(arena, "plan.json", text, size, &doc, &err) == SLSEC_OK) {
        (void)slsec_tfplan_is_plan(doc.root);
        slsec_app *app = slsec_app_new();
        slsec_diags warnings = {0};
        if (slsec_load_tfplan(app, &doc, "plan.json", &warnings, &err) == SLSEC_OK) {
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
