/*
 * fuzz_rules.h — what every front-end fuzz target does once its loader
 * succeeded: run every rule over the model, as `slsec scan` would.
 *
 * The rules run because they walk what the loader built, and a model the
 * loader never meant to build (a Ref cycle, an unknown where a list was
 * expected) is exactly what fuzzing finds. The date is fixed so that
 * runtime-deprecation rules do not make a crash depend on the day it is
 * replayed. Findings live in the app's arena, freed with the app.
 */
#ifndef SLSEC_FUZZ_RULES_H
#define SLSEC_FUZZ_RULES_H

#include "slsec/rules.h"

static inline void fuzz_run_rules(slsec_app *app)
{
    slsec_settings settings;
    slsec_settings_default(&settings);
    settings.today = "2025-06-01";
    slsec_ptrvec findings = {0};
    slsec_rules_run(app, &settings, app->arena, NULL, NULL, &findings);
}

#endif
