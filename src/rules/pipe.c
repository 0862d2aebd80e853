/*
 * pipe.c — the PIPE rule family: how code reaches production. Is the
 * package signed and checked by Lambda (and is the check enforced), is a
 * container image pinned by digest, does a bad version roll back on its
 * own, and are the scan's own suppressions justified.
 *
 * PIPE-003 has no check function: suppressions are applied after the rules
 * run, so the scan's filter stage reports a suppression without a reason
 * under this rule id. The entry is here for its place in the catalogue
 * (`slsec explain PIPE-003`, SARIF rule metadata).
 */
#include "rules_internal.h"

#include <string.h>
#include <strings.h>

static const char *fn_type(const slsec_function *fn)
{
    return fn->resource && fn->resource->type ? fn->resource->type : "AWS::Lambda::Function";
}

/* ---- PIPE-001: no code-signing configuration ------------------------------------ */

static void check_code_signing(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->functions.count; i++) {
        const slsec_function *fn = ctx->app->functions.items[i];
        if (fn->code_signing != SLSEC_NO)
            continue;
        /* Lambda verifies signatures of .zip packages only: container images
         * are verified by their registry, and inline code cannot be signed. */
        if (fn->package_type && strcasecmp(fn->package_type, "Image") == 0)
            continue;
        if (fn->inline_code)
            continue;
        slsec_report(ctx, fn->id, fn_type(fn), fn->loc, "code-signing",
                     "function %s has no code-signing configuration (CodeSigningConfigArn): Lambda deploys any "
                     "package uploaded in its name, whoever built it",
                     fn->id);
    }
}

/* ---- PIPE-002: published without automatic rollback ---------------------------- */

static void check_rollback(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->functions.count; i++) {
        const slsec_function *fn = ctx->app->functions.items[i];
        if (!fn->auto_publish_alias && !fn->has_version)
            continue;
        const char *how = fn->auto_publish_alias
                              ? slsec_arena_printf(ctx->arena, "publishes versions to alias %s", fn->auto_publish_alias)
                              : "publishes versions";
        if (!fn->deployment_preference) {
            slsec_report(ctx, fn->id, fn_type(fn), fn->loc, "rollback",
                         "function %s %s but has no DeploymentPreference: a bad version takes all the traffic at "
                         "once and nothing rolls it back",
                         fn->id, how);
        } else if (fn->deployment_alarms == 0) {
            slsec_report(ctx, fn->id, fn_type(fn), fn->deployment_loc.line > 0 ? fn->deployment_loc : fn->loc,
                         "rollback",
                         "function %s %s with a DeploymentPreference that lists no Alarms: CodeDeploy cannot tell "
                         "that a new version fails and will not roll it back",
                         fn->id, how);
        }
    }
}

/* ---- PIPE-004: code signing that only warns ---------------------------------------- */

static void check_signing_enforced(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->signing_configs.count; i++) {
        const slsec_signing_config *sc = ctx->app->signing_configs.items[i];
        if (sc->enforced != SLSEC_NO)
            continue;
        slsec_report(ctx, sc->id, "AWS::Lambda::CodeSigningConfig", sc->policy_loc.line ? sc->policy_loc : sc->loc,
                     "enforce",
                     "code-signing configuration %s does not set UntrustedArtifactOnDeployment: Enforce: Lambda "
                     "only logs a warning and deploys unsigned or wrongly signed packages",
                     sc->id);
    }
}

/* ---- PIPE-005: container image by a mutable tag ---------------------------------------- */

static void check_image_digest(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->functions.count; i++) {
        const slsec_function *fn = ctx->app->functions.items[i];
        if (!fn->package_type || strcasecmp(fn->package_type, "Image") != 0 || !fn->code_uri)
            continue;
        const char *uri = fn->code_uri;
        if (strstr(uri, "${") || strstr(uri, "@sha256:"))
            continue; /* symbolic, or pinned by digest */
        const char *slash = strrchr(uri, '/');
        const char *colon = strrchr(slash ? slash : uri, ':');
        const char *tag = colon ? colon + 1 : "latest";
        slsec_report(ctx, fn->id, fn_type(fn), fn->loc, "image-digest",
                     "function %s runs container image %s by its tag \"%s\", not by digest: whoever can push to "
                     "the repository can change the code the next deployment runs",
                     fn->id, uri, tag);
    }
}

/* ---- the table ----------------------------------------------------------------- */

const slsec_rule slsec_rules_pipe[] = {
    {
        .id = "PIPE-001",
        .family = "PIPE",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "Function without code signing",
        .why = "Without a code-signing configuration, Lambda runs whatever .zip package is uploaded for the "
               "function: a leaked deployment credential or a compromised build step can ship arbitrary code. "
               "With one, Lambda checks that the package was signed by a trusted AWS Signer profile and has "
               "not been changed since.",
        .fix = "Create an AWS::Lambda::CodeSigningConfig naming your signing profiles, with "
               "UntrustedArtifactOnDeployment: Enforce, and reference it with CodeSigningConfigArn.",
        .snippet = "SigningConfig:\n"
                   "  Type: AWS::Lambda::CodeSigningConfig\n"
                   "  Properties:\n"
                   "    AllowedPublishers:\n"
                   "      SigningProfileVersionArns:\n"
                   "        - !GetAtt SigningProfile.ProfileVersionArn\n"
                   "    CodeSigningPolicies:\n"
                   "      UntrustedArtifactOnDeployment: Enforce\n"
                   "MyFunction:\n"
                   "  Type: AWS::Serverless::Function\n"
                   "  Properties:\n"
                   "    CodeSigningConfigArn: !Ref SigningConfig\n",
        .cwe = "CWE-494",
        .owasp = "SAS-3",
        .checkov = "CKV_AWS_272",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_code_signing,
    },
    {
        .id = "PIPE-002",
        .family = "PIPE",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "Published function without alarm-based automatic rollback",
        .why = "A function that publishes versions behind an alias can shift traffic gradually and roll back on "
               "its own, but only with a DeploymentPreference (CodeDeploy) that watches CloudWatch alarms. "
               "Without one, a broken or malicious version takes all the traffic at once and stays until "
               "someone notices.",
        .fix = "Add a DeploymentPreference with a gradual Type (Canary or Linear) and the Alarms that must "
               "stay quiet while traffic shifts.",
        .snippet = "MyFunction:\n"
                   "  Type: AWS::Serverless::Function\n"
                   "  Properties:\n"
                   "    AutoPublishAlias: live\n"
                   "    DeploymentPreference:\n"
                   "      Type: Canary10Percent5Minutes\n"
                   "      Alarms:\n"
                   "        - !Ref MyFunctionErrorsAlarm\n",
        .cwe = "",
        .owasp = "SAS-3",
        .checkov = "",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_rollback,
    },
    {
        .id = "PIPE-003",
        .family = "PIPE",
        .severity = SLSEC_SEV_LOW,
        .title = "Suppression without a reason",
        .why = "A suppression (Metadata slsec ignore, an slsec:ignore comment, an ignore in .slsec.yml) hides "
               "a finding from every later scan. Without a written reason nobody can tell later whether the "
               "risk was accepted on purpose, by whom, or whether it still applies.",
        .fix = "Give every suppression a reason that says why the finding does not apply or why the risk is "
               "accepted.",
        .snippet = "MyFunction:\n"
                   "  Type: AWS::Serverless::Function\n"
                   "  Metadata:\n"
                   "    slsec:\n"
                   "      ignore:\n"
                   "        - id: FN-003\n"
                   "          reason: concurrency is capped by the queue's maximum concurrency\n",
        .cwe = "",
        .owasp = "",
        .checkov = "",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = NULL,
    },
    {
        .id = "PIPE-004",
        .family = "PIPE",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "Code-signing configuration does not enforce signatures",
        .why = "A code-signing configuration's CodeSigningPolicies.UntrustedArtifactOnDeployment defaults to "
               "Warn: Lambda checks the signature, logs a CloudWatch metric when it is missing, expired or from "
               "an untrusted profile, and deploys the package anyway. The configuration then documents an "
               "intent without protecting anything.",
        .fix = "Set UntrustedArtifactOnDeployment: Enforce once the pipeline signs every package.",
        .snippet = "SigningConfig:\n"
                   "  Type: AWS::Lambda::CodeSigningConfig\n"
                   "  Properties:\n"
                   "    CodeSigningPolicies:\n"
                   "      UntrustedArtifactOnDeployment: Enforce   # Warn is the default\n",
        .cwe = "CWE-345 CWE-494",
        .owasp = "SAS-3",
        .checkov = "",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_signing_enforced,
    },
    {
        .id = "PIPE-005",
        .family = "PIPE",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "Container image function deployed by tag instead of digest",
        .why = "An ImageUri with a tag (:latest, :v1) names whatever image the tag points to when the stack is "
               "deployed or updated. Anyone who can push to the repository — a compromised CI job, a "
               "mis-scoped role — can move the tag, and the next deployment runs their code; the template and "
               "its review show nothing. A digest (@sha256:...) names exactly one image.",
        .fix = "Reference the image by digest (repository@sha256:...), produced by the build, and make the "
               "ECR repository's tags immutable.",
        .snippet = "ThumbnailFunction:\n"
                   "  Type: AWS::Lambda::Function\n"
                   "  Properties:\n"
                   "    PackageType: Image\n"
                   "    Code:\n"
                   "      ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/thumbs@sha256:<digest>\n",
        .cwe = "CWE-494 CWE-829",
        .owasp = "SAS-6",
        .checkov = "",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_image_digest,
    },
    {
        /* No check function: scan --require-signatures reports it
         * (src/scan/signatures.c), as it needs the files, not the model. */
        .id = "PIPE-006",
        .family = "PIPE",
        .severity = SLSEC_SEV_HIGH,
        .title = "Deployment package without a valid signature",
        .why = "A .zip package that is not signed by the build's key, or whose signature does not verify, may "
               "not be what the pipeline built: it could have been swapped in a bucket, an artifact store or a "
               "cache between build and deploy. Checked only with scan --require-signatures PUBKEY.",
        .fix = "Sign the package where it is built (slsec sign function.zip -s slsec.key, or minisign -S) and "
               "deploy only packages whose FILE.minisig verifies with the pipeline's public key.",
        .snippet = "# in the pipeline: sign where the package is built, check before deploying\n"
                   "# slsec sign .aws-sam/build/function.zip -s slsec.key -t \"build $CI_PIPELINE_ID\"\n"
                   "# slsec scan . --require-signatures slsec.pub --artifact .aws-sam/build/function.zip\n",
        .cwe = "CWE-494 CWE-345",
        .owasp = "SAS-6",
        .checkov = "",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = NULL,
    },
};
SLSEC_FAMILY_END(pipe)
