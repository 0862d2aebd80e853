/*
 * fuzz_serverless.c — libFuzzer target for the Serverless Framework
 * front-end: the bytes of one serverless.yml through everything `slsec
 * scan` does with it.
 *
 *   sniff → parse (src/doc) → is it a service configuration? → variables
 *   (serverless_vars.c: self, opt, sls, fallbacks, nesting, cycles) → the
 *   CloudFormation the Framework would generate → the CloudFormation
 *   front-end → every rule
 *
 * ${file()} is refused here (no scanned root is given), so the target
 * never reads the disk; ${env:} reads the fuzzer's environment, which does
 * not change between runs. A `--stage` option is passed so the option path
 * is exercised as well. Everything is freed each round.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_rules.h"
#include "slsec/load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    (void)slsec_serverless_sniff(text, size);

    slsec_arena *arena = slsec_arena_new();
    slsec_doc doc;
    slsec_diag err;
    if (slsec_doc_parse(arena, "serverless.yml", text, size, &doc, &err) == SLSEC_OK &&
        slsec_serverless_is_config(doc.root)) {
        slsec_app *app = slsec_app_new();
        slsec_diags warnings = {0};
        static const char *const options[] = {"stage=fuzz", NULL};
        slsec_serverless_opts opts = {.options = size % 2 ? options : NULL};
        if (slsec_load_serverless(app, &doc, "serverless.yml", &opts, &warnings, &err) == SLSEC_OK)
            fuzz_run_rules(app);
        slsec_diags_clear(&warnings);
        slsec_app_free(app);
    }
    slsec_arena_free(arena);
    return 0;
}
