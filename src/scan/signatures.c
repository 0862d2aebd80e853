/*
 * signatures.c — `scan --require-signatures PUBKEY`: every .zip deployment
 * package a function's CodeUri / Code names as a local file, and every
 * --artifact .zip, must carry a valid minisign signature (FILE.minisig) by
 * that key. A missing or failing signature is a PIPE-006 finding naming
 * the check that failed (slsec/sign.h does the checking).
 *
 * CodeUri values that are not files here (s3:// URIs, folders SAM will
 * zip, unresolved intrinsics) are skipped: only a package that exists can
 * be checked, and only a .zip is what Lambda deploys as it is.
 */
#include "scan_internal.h"

#include "slsec/sign.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static bool is_zip(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n > 4 && strcasecmp(s + n - 4, ".zip") == 0;
}

static void check_one(slsec_check_ctx *ctx, const slsec_pubkey *key, const char *path, const char *shown,
                      const char *resource, const char *type, slsec_loc loc)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return;
    char *sig = slsec_arena_printf(ctx->arena, "%s.minisig", path);
    if (stat(sig, &st) != 0) {
        slsec_report(ctx, resource, type, loc, shown, "deployment package %s has no signature (%s.minisig)", shown,
                     shown);
        return;
    }
    slsec_diag d = {0};
    int rc = slsec_verify_file(key, path, sig, false, NULL, &d);
    if (rc != SLSEC_OK)
        slsec_report(ctx, resource, type, loc, shown, "the signature of deployment package %s does not verify: %s",
                     shown, d.message);
}

void scan_signatures_run(slsec_scan_result *r, const slsec_scan_opts *opts,
                         bool (*enabled)(const slsec_rule *rule, void *user), void *user)
{
    const slsec_rule *rule = slsec_rule_find("PIPE-006");
    if (!opts->require_signatures || !rule || !enabled(rule, user))
        return;
    slsec_pubkey key;
    slsec_diag d;
    if (slsec_pubkey_load(opts->require_signatures, &key, &d) != SLSEC_OK) {
        slsec_diags_add(&r->warnings, &d);
        return;
    }
    slsec_check_ctx ctx = {.app = r->app, .settings = &r->config.settings, .rule = rule, .arena = r->arena,
                           .findings = &r->findings};
    for (size_t i = 0; i < r->app->functions.count; i++) {
        const slsec_function *fn = r->app->functions.items[i];
        if (!is_zip(fn->code_uri) || !fn->loc.file)
            continue;
        const char *path = slsec_function_code_path(r->arena, r->root, fn);
        if (!path)
            continue;
        const char *shown = scan_relative(r->arena, r->root, path, fn->code_uri);
        check_one(&ctx, &key, path, shown, fn->id, fn->resource ? fn->resource->type : NULL, fn->loc);
    }
    for (size_t i = 0; i < opts->artifact_count; i++) {
        if (!is_zip(opts->artifacts[i]))
            continue;
        slsec_loc loc = {.file = opts->artifacts[i]};
        check_one(&ctx, &key, opts->artifacts[i], opts->artifacts[i], NULL, NULL, loc);
    }
}
