/*
 * log.c — the LOG family: how long log groups keep data and who can read it,
 * and whether Step Functions workflows leave a record (execution logs,
 * X-Ray traces) of what they did.
 *
 * Only log groups the template declares are judged. A function without one
 * writes to the group Lambda creates on first invocation, which never
 * expires and has no KMS key; slsec cannot see that group in the template,
 * and reporting every such function would drown the findings that can be
 * fixed in place — so the fix text recommends declaring the group.
 */
#include "rules_internal.h"

#include <stdio.h>
#include <string.h>

static const char *ptr_key(slsec_check_ctx *ctx, const void *p)
{
    return slsec_arena_printf(ctx->arena, "%p", p);
}

/* Log group → the function writing to it, built once per check. */
static slsec_strmap *owners(slsec_check_ctx *ctx)
{
    slsec_strmap *m = slsec_strmap_new(ctx->arena);
    for (size_t i = 0; i < ctx->app->functions.count; i++) {
        const slsec_function *fn = ctx->app->functions.items[i];
        if (fn->log_group && !slsec_strmap_get(m, ptr_key(ctx, fn->log_group)))
            slsec_strmap_put(m, ptr_key(ctx, fn->log_group), (void *)fn);
    }
    return m;
}

/* " (/aws/lambda/orders, the log group of OrdersFunction)" or "". */
static const char *describe(slsec_check_ctx *ctx, slsec_strmap *owner_map, const slsec_store *s)
{
    char key[32];
    snprintf(key, sizeof key, "%p", (const void *)s);
    const slsec_function *owner = slsec_strmap_get(owner_map, key);
    if (s->name && owner)
        return slsec_arena_printf(ctx->arena, " (%s, the log group of %s)", s->name, owner->id);
    if (owner)
        return slsec_arena_printf(ctx->arena, " (the log group of %s)", owner->id);
    if (s->name)
        return slsec_arena_printf(ctx->arena, " (%s)", s->name);
    return "";
}

static const char *rtype(const slsec_store *s)
{
    return s->resource ? s->resource->type : "AWS::Logs::LogGroup";
}

static void check_retention(slsec_check_ctx *ctx)
{
    long min = ctx->settings ? ctx->settings->min_log_retention_days : 0;
    slsec_strmap *owner_map = owners(ctx);
    for (size_t i = 0; i < ctx->app->stores.count; i++) {
        const slsec_store *s = ctx->app->stores.items[i];
        if (s->kind != SLSEC_STORE_LOG_GROUP)
            continue;
        if (s->retention_days == SLSEC_NUM_UNSET)
            slsec_report(ctx, s->id, rtype(s), s->loc, "retention",
                         "log group %s%s has no RetentionInDays: its logs never expire", s->id, describe(ctx, owner_map, s));
        else if (s->retention_days >= 0 && min > 0 && s->retention_days < min)
            slsec_report(ctx, s->id, rtype(s), s->retention_loc, "retention",
                         "log group %s%s keeps logs %ld days, less than the %ld days the configuration requires",
                         s->id, describe(ctx, owner_map, s), s->retention_days, min);
    }
}

static void check_kms(slsec_check_ctx *ctx)
{
    slsec_strmap *owner_map = owners(ctx);
    for (size_t i = 0; i < ctx->app->stores.count; i++) {
        const slsec_store *s = ctx->app->stores.items[i];
        if (s->kind == SLSEC_STORE_LOG_GROUP && !s->kms_key)
            slsec_report(ctx, s->id, rtype(s), s->loc, "kms",
                         "log group %s%s has no KmsKeyId: anyone with logs:GetLogEvents can read it, with no key "
                         "policy of yours in the way",
                         s->id, describe(ctx, owner_map, s));
    }
}

/* ---- LOG-003 / LOG-004: Step Functions execution history and tracing --------------------- */

static slsec_tri sm_logging(const slsec_store *s)
{
    return s->logging;
}

static slsec_tri sm_tracing(const slsec_store *s)
{
    return s->tracing;
}

/* Reports "state machine X <what>" for each state machine whose setting is NO. */
static void report_state_machines(slsec_check_ctx *ctx, slsec_tri (*setting)(const slsec_store *), const char *key,
                                  const char *what)
{
    for (size_t i = 0; i < ctx->app->stores.count; i++) {
        const slsec_store *s = ctx->app->stores.items[i];
        if (s->kind == SLSEC_STORE_STATE_MACHINE && setting(s) == SLSEC_NO)
            slsec_report(ctx, s->id, s->resource ? s->resource->type : "AWS::StepFunctions::StateMachine", s->loc,
                         key, "state machine %s %s", s->id, what);
    }
}

static void check_state_machine_logging(slsec_check_ctx *ctx)
{
    report_state_machines(ctx, sm_logging, "logging",
                          "does not log its executions to CloudWatch Logs (logging level OFF or no logging "
                          "configuration): which steps ran, with what input and what failed is not recorded");
}

static void check_state_machine_tracing(slsec_check_ctx *ctx)
{
    report_state_machines(ctx, sm_tracing, "tracing",
                          "does not enable X-Ray tracing: an execution cannot be followed into the functions and "
                          "services its steps call");
}

const slsec_rule slsec_rules_log[] = {
    {
        .id = "LOG-001",
        .family = "LOG",
        .severity = SLSEC_SEV_LOW,
        .title = "Log group without retention",
        .why = "A CloudWatch log group without RetentionInDays keeps every line forever. Function logs "
               "routinely capture request payloads, identifiers and the occasional secret, so unbounded "
               "retention means unbounded exposure (and cost), and a retention period that is neither stated "
               "nor reviewed fails most compliance frameworks. Only log groups declared in the template are "
               "checked: the group Lambda creates by itself for a function also never expires, which is why "
               "declaring it is the fix. A minimum period can also be required through the thresholds of "
               ".slsec.yml; shorter retention is then reported too.",
        .fix = "Declare the log group (for a function, named /aws/lambda/<function name>) with RetentionInDays "
               "set to the period your data and compliance need.",
        .snippet = "OrdersFunctionLogGroup:\n"
                   "  Type: AWS::Logs::LogGroup\n"
                   "  Properties:\n"
                   "    LogGroupName: !Sub \"/aws/lambda/${OrdersFunction}\"\n"
                   "    RetentionInDays: 30\n"
                   "    KmsKeyId: !GetAtt LogsKey.Arn\n",
        .cwe = "",
        .owasp = "SAS-5",
        .checkov = "CKV_AWS_66",
        .cfn_nag = "W86",
        .cdk_nag = "",
        .check = check_retention,
    },
    {
        .id = "LOG-002",
        .family = "LOG",
        .severity = SLSEC_SEV_LOW,
        .title = "Log group without a KMS key",
        .why = "CloudWatch Logs encrypts log data with a service key, which any principal with logs:* read "
               "permissions can use implicitly. Encrypting a log group with a customer-managed KMS key adds a "
               "key policy that must also allow the reader, and records every decryption in CloudTrail — "
               "worthwhile for function logs, which often carry personal data and request bodies.",
        .fix = "Set KmsKeyId to a customer-managed key whose key policy allows the CloudWatch Logs service "
               "principal for your region to use it.",
        .snippet = "OrdersFunctionLogGroup:\n"
                   "  Type: AWS::Logs::LogGroup\n"
                   "  Properties:\n"
                   "    LogGroupName: !Sub \"/aws/lambda/${OrdersFunction}\"\n"
                   "    RetentionInDays: 30\n"
                   "    KmsKeyId: !GetAtt LogsKey.Arn\n",
        .cwe = "CWE-311",
        .owasp = "SAS-3",
        .checkov = "CKV_AWS_158",
        .cfn_nag = "W84",
        .cdk_nag = "",
        .check = check_kms,
    },
    {
        .id = "LOG-003",
        .family = "LOG",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "Step Functions state machine without execution logging",
        .why = "Standard workflows keep 90 days of execution history in the service, Express workflows keep "
               "none: without a LoggingConfiguration at a level other than OFF, what a workflow did (which "
               "states ran, their inputs and errors) is lost to investigation and to audit. Workflows often "
               "orchestrate payments, provisioning and data moves — the actions an incident review needs.",
        .fix = "Add a LoggingConfiguration (SAM: Logging) with Level ERROR or ALL, IncludeExecutionData as your "
               "data allows, and a log group destination with retention.",
        .snippet = "OrderWorkflow:\n"
                   "  Type: AWS::Serverless::StateMachine\n"
                   "  Properties:\n"
                   "    Logging:\n"
                   "      Level: ERROR\n"
                   "      IncludeExecutionData: false\n"
                   "      Destinations:\n"
                   "        - CloudWatchLogsLogGroup:\n"
                   "            LogGroupArn: !GetAtt OrderWorkflowLogs.Arn\n",
        .cwe = "CWE-778",
        .owasp = "SAS-5",
        .checkov = "CKV_AWS_285",
        .cfn_nag = "",
        .cdk_nag = "AwsSolutions-SF1",
        .check = check_state_machine_logging,
    },
    {
        .id = "LOG-004",
        .family = "LOG",
        .severity = SLSEC_SEV_LOW,
        .title = "Step Functions state machine without X-Ray tracing",
        .why = "Without tracing, an execution cannot be followed across the functions, queues and services its "
               "states call: in an incident the trace is what connects a suspicious workflow run to the "
               "function invocations and data access it caused.",
        .fix = "Set TracingConfiguration.Enabled: true (SAM: Tracing: {Enabled: true}).",
        .snippet = "OrderWorkflow:\n"
                   "  Type: AWS::Serverless::StateMachine\n"
                   "  Properties:\n"
                   "    Tracing:\n"
                   "      Enabled: true\n",
        .cwe = "CWE-778",
        .owasp = "SAS-5",
        .checkov = "CKV_AWS_284",
        .cfn_nag = "",
        .cdk_nag = "AwsSolutions-SF2",
        .check = check_state_machine_tracing,
    },
};
SLSEC_FAMILY_END(log)
