/*
 * tfplan_lower.c — which Terraform resource becomes which CloudFormation
 * resource, property by property (see tfplan_internal.h).
 *
 * Attribute names are the AWS provider's (v4/v5 schema); what each means
 * is the same service setting the CloudFormation property sets, so the
 * CloudFormation front-end's reading of it (defaults, unknowns) applies
 * unchanged. Where the provider splits one CloudFormation resource into
 * several (S3's bucket settings, API Gateway integrations and method
 * settings, role policy attachments, event targets), the split resources
 * are merged into the one they configure: they have no CloudFormation type
 * of their own and their settings point at their own place in the plan.
 *
 * Provider defaults that differ from CloudFormation's are translated:
 * reserved_concurrent_executions -1 and retention_in_days 0 mean "not set",
 * canned ACLs ("public-read") become CloudFormation's names ("PublicRead").
 */
#include "tfplan_internal.h"

#include <stdio.h>
#include <string.h>

#define TYPES(...) ((const char *const[]){__VA_ARGS__, NULL})

static const char *const T_FN[] = {"aws_lambda_function", "aws_lambda_alias", NULL};
static const char *const T_ROLE[] = {"aws_iam_role", NULL};
static const char *const T_KMS[] = {"aws_kms_key", "aws_kms_alias", NULL};
static const char *const T_LOG[] = {"aws_cloudwatch_log_group", NULL};
static const char *const T_BUCKET[] = {"aws_s3_bucket", NULL};
static const char *const T_QUEUE[] = {"aws_sqs_queue", NULL};
static const char *const T_TOPIC[] = {"aws_sns_topic", NULL};
static const char *const T_SG[] = {"aws_security_group", NULL};
static const char *const T_SUBNET[] = {"aws_subnet", NULL};
static const char *const T_USER[] = {"aws_iam_user", NULL};
static const char *const T_REST[] = {"aws_api_gateway_rest_api", NULL};
static const char *const T_V2[] = {"aws_apigatewayv2_api", NULL};
static const char *const T_DEST[] = {"aws_sqs_queue", "aws_sns_topic", "aws_lambda_function", "aws_cloudwatch_event_bus",
                                     NULL};

/* A reference to the resource an attribute names, else its value. */
static const slsec_node *ref_or_val(tf_ctx *t, tf_res *r, const char *path, const char *const *types)
{
    tf_res *x = tf_link(t, r, path, types);
    return x ? tf_ref(t, tf_at(t, r, path), x) : tf_val(t, r, path);
}

/* A list of ids: references to the resources it names, or its literal
 * items when it names none of ours. */
static const slsec_node *refs_list(tf_ctx *t, tf_res *r, const char *path, const char *const *types)
{
    slsec_ptrvec found = {0}, items = {0};
    const slsec_node *at = tf_at(t, r, path);
    tf_links(t, r, path, types, &found);
    for (size_t i = 0; i < found.count; i++)
        slsec_ptrvec_push(t->arena, &items, tf_ref(t, at, found.items[i]));
    const slsec_node *lit = tf_val(t, r, path);
    if (!found.count)
        return lit;
    return tf_list(t, at, &items);
}

/* Copies an attribute into a property under its CloudFormation name. */
static void copy(tf_ctx *t, tf_res *r, const char *key, const char *path)
{
    tf_set(t, r, key, tf_at(t, r, path), tf_val(t, r, path));
}

/* A property in a nested map: {Key: attribute}. */
static const slsec_node *v(tf_ctx *t, tf_res *r, const char *path)
{
    return tf_val(t, r, path);
}

/* Non-empty list value, or NULL. */
static const slsec_node *nonempty(const slsec_node *n)
{
    return slsec_node_is_seq(n) && n->count == 0 ? NULL : n;
}

/* ---- Lambda --------------------------------------------------------------------------- */

static void lambda_function(tf_ctx *t, tf_res *r)
{
    copy(t, r, "FunctionName", "function_name");
    copy(t, r, "Runtime", "runtime");
    copy(t, r, "Handler", "handler");
    copy(t, r, "Timeout", "timeout");
    copy(t, r, "MemorySize", "memory_size");
    copy(t, r, "PackageType", "package_type");
    const char *rc = tf_str(t, r, "reserved_concurrent_executions");
    if (!rc || strcmp(rc, "-1") != 0) /* -1: unreserved, the provider's default */
        copy(t, r, "ReservedConcurrentExecutions", "reserved_concurrent_executions");
    tf_set(t, r, "Role", tf_at(t, r, "role"), ref_or_val(t, r, "role", T_ROLE));
    const slsec_node *vars = v(t, r, "environment/0/variables");
    tf_set(t, r, "Environment", tf_at(t, r, "environment"), tf_map(t, tf_at(t, r, "environment"), "Variables", vars, NULL));
    const slsec_node *subnets = nonempty(v(t, r, "vpc_config/0/subnet_ids"));
    if (subnets)
        tf_set(t, r, "VpcConfig", tf_at(t, r, "vpc_config"),
               tf_map(t, tf_at(t, r, "vpc_config"), "SubnetIds", refs_list(t, r, "vpc_config/0/subnet_ids", T_SUBNET),
                      "SecurityGroupIds", refs_list(t, r, "vpc_config/0/security_group_ids", T_SG), NULL));
    tf_set(t, r, "TracingConfig", tf_at(t, r, "tracing_config"),
           tf_map(t, tf_at(t, r, "tracing_config"), "Mode", v(t, r, "tracing_config/0/mode"), NULL));
    tf_set(t, r, "DeadLetterConfig", tf_at(t, r, "dead_letter_config"),
           tf_map(t, tf_at(t, r, "dead_letter_config"), "TargetArn",
                  ref_or_val(t, r, "dead_letter_config/0/target_arn", T_DEST), NULL));
    tf_set(t, r, "CodeSigningConfigArn", tf_at(t, r, "code_signing_config_arn"),
           ref_or_val(t, r, "code_signing_config_arn", TYPES("aws_lambda_code_signing_config")));
    tf_set(t, r, "Layers", tf_at(t, r, "layers"), nonempty(v(t, r, "layers")));
    tf_set(t, r, "KmsKeyArn", tf_at(t, r, "kms_key_arn"), ref_or_val(t, r, "kms_key_arn", T_KMS));
    const slsec_node *key = v(t, r, "s3_key");
    tf_set(t, r, "Code", r->node,
           tf_map(t, r->node, "S3Key", key ? key : v(t, r, "filename"), "ImageUri", v(t, r, "image_uri"), NULL));
    tf_set(t, r, "LoggingConfig", tf_at(t, r, "logging_config"),
           tf_map(t, tf_at(t, r, "logging_config"), "LogGroup",
                  ref_or_val(t, r, "logging_config/0/log_group", T_LOG), NULL));
}

static void lambda_url(tf_ctx *t, tf_res *r)
{
    tf_set(t, r, "TargetFunctionArn", tf_at(t, r, "function_name"), ref_or_val(t, r, "function_name", T_FN));
    copy(t, r, "AuthType", "authorization_type");
    tf_set(t, r, "Cors", tf_at(t, r, "cors"),
           tf_map(t, tf_at(t, r, "cors"), "AllowOrigins", v(t, r, "cors/0/allow_origins"), "AllowCredentials",
                  v(t, r, "cors/0/allow_credentials"), NULL));
}

static void lambda_permission(tf_ctx *t, tf_res *r)
{
    tf_set(t, r, "FunctionName", tf_at(t, r, "function_name"), ref_or_val(t, r, "function_name", T_FN));
    copy(t, r, "Action", "action");
    copy(t, r, "Principal", "principal");
    copy(t, r, "SourceArn", "source_arn");
    copy(t, r, "SourceAccount", "source_account");
    copy(t, r, "PrincipalOrgID", "principal_org_id");
    copy(t, r, "FunctionUrlAuthType", "function_url_auth_type");
}

static void event_source_mapping(tf_ctx *t, tf_res *r)
{
    tf_set(t, r, "FunctionName", tf_at(t, r, "function_name"), ref_or_val(t, r, "function_name", T_FN));
    tf_set(t, r, "EventSourceArn", tf_at(t, r, "event_source_arn"),
           ref_or_val(t, r, "event_source_arn", TYPES("aws_sqs_queue", "aws_dynamodb_table", "aws_kinesis_stream")));
    const slsec_node *dest = ref_or_val(t, r, "destination_config/0/on_failure/0/destination_arn", T_DEST);
    const slsec_node *at = tf_at(t, r, "destination_config");
    tf_set(t, r, "DestinationConfig", at,
           tf_map(t, at, "OnFailure", tf_map(t, at, "Destination", dest, NULL), NULL));
    copy(t, r, "BisectBatchOnFunctionError", "bisect_batch_on_function_error");
    copy(t, r, "MaximumRetryAttempts", "maximum_retry_attempts");
    copy(t, r, "BatchSize", "batch_size");
    copy(t, r, "FunctionResponseTypes", "function_response_types");
}

static void invoke_config(tf_ctx *t, tf_res *r)
{
    tf_set(t, r, "FunctionName", tf_at(t, r, "function_name"), ref_or_val(t, r, "function_name", T_FN));
    const slsec_node *at = tf_at(t, r, "destination_config");
    const slsec_node *dest = ref_or_val(t, r, "destination_config/0/on_failure/0/destination", T_DEST);
    tf_set(t, r, "DestinationConfig", at, tf_map(t, at, "OnFailure", tf_map(t, at, "Destination", dest, NULL), NULL));
}

static void lambda_alias(tf_ctx *t, tf_res *r)
{
    tf_set(t, r, "FunctionName", tf_at(t, r, "function_name"),
           ref_or_val(t, r, "function_name", TYPES("aws_lambda_function")));
    copy(t, r, "Name", "name");
}

static void layer_permission(tf_ctx *t, tf_res *r)
{
    copy(t, r, "Action", "action");
    copy(t, r, "Principal", "principal");
    copy(t, r, "OrganizationId", "organization_id");
    copy(t, r, "LayerVersionArn", "layer_name");
}

/* ---- IAM ------------------------------------------------------------------------------- */

static void iam_role(tf_ctx *t, tf_res *r)
{
    copy(t, r, "RoleName", "name");
    tf_set(t, r, "AssumeRolePolicyDocument", tf_at(t, r, "assume_role_policy"), tf_policy(t, r, "assume_role_policy"));
    copy(t, r, "PermissionsBoundary", "permissions_boundary");
    const slsec_node *inl = v(t, r, "inline_policy");
    for (size_t i = 0; slsec_node_is_seq(inl) && i < inl->count; i++) {
        char path[64];
        snprintf(path, sizeof path, "inline_policy/%zu/policy", i);
        const slsec_node *doc = tf_policy(t, r, path);
        const slsec_node *name = slsec_node_get(inl->items[i], "name");
        if (!doc || (slsec_node_str(name) && !*name->str && slsec_node_str(doc) && !*doc->str))
            continue; /* the provider's empty placeholder entry */
        tf_push(t, r, "Policies", tf_at(t, r, "inline_policy"),
                tf_map(t, inl->items[i], "PolicyName", name, "PolicyDocument", doc, NULL));
    }
    const slsec_node *arns = v(t, r, "managed_policy_arns");
    for (size_t i = 0; slsec_node_is_seq(arns) && i < arns->count; i++)
        tf_push(t, r, "ManagedPolicyArns", tf_at(t, r, "managed_policy_arns"), arns->items[i]);
}

static void role_policy(tf_ctx *t, tf_res *r)
{
    copy(t, r, "PolicyName", "name");
    tf_set(t, r, "PolicyDocument", tf_at(t, r, "policy"), tf_policy(t, r, "policy"));
    tf_push(t, r, "Roles", tf_at(t, r, "role"), ref_or_val(t, r, "role", T_ROLE));
}

static void iam_policy(tf_ctx *t, tf_res *r)
{
    copy(t, r, "ManagedPolicyName", "name");
    tf_set(t, r, "PolicyDocument", tf_at(t, r, "policy"), tf_policy(t, r, "policy"));
}

static void attach_policy(tf_ctx *t, tf_res *r, tf_res *role)
{
    tf_push(t, role, "ManagedPolicyArns", tf_at(t, r, "policy_arn"),
            ref_or_val(t, r, "policy_arn", TYPES("aws_iam_policy")));
}

static void role_policy_attachment(tf_ctx *t, tf_res *r)
{
    tf_res *role = tf_link(t, r, "role", T_ROLE);
    if (role)
        attach_policy(t, r, role);
}

static void policy_attachment(tf_ctx *t, tf_res *r)
{
    slsec_ptrvec roles = {0};
    tf_links(t, r, "roles", T_ROLE, &roles);
    for (size_t i = 0; i < roles.count; i++)
        attach_policy(t, r, roles.items[i]);
}

static void iam_user(tf_ctx *t, tf_res *r)
{
    copy(t, r, "UserName", "name");
}

static void user_login_profile(tf_ctx *t, tf_res *r)
{
    tf_res *user = tf_link(t, r, "user", TYPES("aws_iam_user"));
    if (user)
        tf_set(t, user, "LoginProfile", r->node,
               tf_map(t, r->node, "Password",
                      slsec_node_new_scalar(t->arena, r->node, "(sensitive)", SLSEC_NF_UNKNOWN),
                      "PasswordResetRequired", v(t, r, "password_reset_required"), NULL));
}

static void user_policy(tf_ctx *t, tf_res *r)
{
    copy(t, r, "PolicyName", "name");
    tf_set(t, r, "PolicyDocument", tf_at(t, r, "policy"), tf_policy(t, r, "policy"));
    tf_push(t, r, "Users", tf_at(t, r, "user"), ref_or_val(t, r, "user", T_USER));
}

static void user_policy_attachment(tf_ctx *t, tf_res *r)
{
    tf_res *user = tf_link(t, r, "user", T_USER);
    if (user)
        attach_policy(t, r, user);
}

static void access_key(tf_ctx *t, tf_res *r)
{
    tf_set(t, r, "UserName", tf_at(t, r, "user"), ref_or_val(t, r, "user", T_USER));
    copy(t, r, "Status", "status");
}

/* ---- Cognito, EventBridge buses ---------------------------------------------------------- */

static void user_pool(tf_ctx *t, tf_res *r)
{
    copy(t, r, "UserPoolName", "name");
    copy(t, r, "MfaConfiguration", "mfa_configuration");
    const slsec_node *at = tf_at(t, r, "password_policy");
    const char *p = "password_policy/0/";
    char k[5][64];
    static const char *const attrs[] = {"minimum_length", "require_uppercase", "require_lowercase", "require_numbers",
                                        "require_symbols"};
    for (size_t i = 0; i < 5; i++)
        snprintf(k[i], sizeof k[i], "%s%s", p, attrs[i]);
    const slsec_node *pol = tf_map(t, at, "MinimumLength", v(t, r, k[0]), "RequireUppercase", v(t, r, k[1]),
                                   "RequireLowercase", v(t, r, k[2]), "RequireNumbers", v(t, r, k[3]),
                                   "RequireSymbols", v(t, r, k[4]), NULL);
    tf_set(t, r, "Policies", at, tf_map(t, at, "PasswordPolicy", pol, NULL));
    at = tf_at(t, r, "user_pool_add_ons");
    tf_set(t, r, "UserPoolAddOns", at,
           tf_map(t, at, "AdvancedSecurityMode", v(t, r, "user_pool_add_ons/0/advanced_security_mode"), NULL));
}

static void identity_pool(tf_ctx *t, tf_res *r)
{
    copy(t, r, "IdentityPoolName", "identity_pool_name");
    copy(t, r, "AllowUnauthenticatedIdentities", "allow_unauthenticated_identities");
}

static void event_bus(tf_ctx *t, tf_res *r)
{
    copy(t, r, "Name", "name");
}

static const slsec_node *bus_name(tf_ctx *t, tf_res *r)
{
    return ref_or_val(t, r, "event_bus_name", TYPES("aws_cloudwatch_event_bus"));
}

/* A bus policy document: its statements, as EventBusPolicy.Statement. */
static void event_bus_policy(tf_ctx *t, tf_res *r)
{
    tf_set(t, r, "EventBusName", tf_at(t, r, "event_bus_name"), bus_name(t, r));
    const slsec_node *doc = tf_policy(t, r, "policy");
    tf_set(t, r, "Statement", tf_at(t, r, "policy"),
           slsec_node_is_map(doc) ? slsec_node_get(doc, "Statement") : doc);
}

static void event_permission(tf_ctx *t, tf_res *r)
{
    tf_set(t, r, "EventBusName", tf_at(t, r, "event_bus_name"), bus_name(t, r));
    copy(t, r, "Principal", "principal");
    copy(t, r, "Action", "action");
    copy(t, r, "StatementId", "statement_id");
    copy(t, r, "Condition", "condition/0");
}

/* ---- API Gateway (REST) ------------------------------------------------------------------- */

static void rest_api(tf_ctx *t, tf_res *r)
{
    copy(t, r, "Name", "name");
    tf_set(t, r, "EndpointConfiguration", tf_at(t, r, "endpoint_configuration"),
           tf_map(t, tf_at(t, r, "endpoint_configuration"), "Types", v(t, r, "endpoint_configuration/0/types"), NULL));
    tf_set(t, r, "Body", tf_at(t, r, "body"), tf_json(t, r, "body"));
}

static void rest_api_id(tf_ctx *t, tf_res *r)
{
    tf_set(t, r, "RestApiId", tf_at(t, r, "rest_api_id"), ref_or_val(t, r, "rest_api_id", T_REST));
}

/* A resource id: the API's root (GetAtt RootResourceId) or a path part. */
static const slsec_node *resource_id(tf_ctx *t, tf_res *r, const char *path)
{
    tf_res *x = tf_link(t, r, path, TYPES("aws_api_gateway_resource", "aws_api_gateway_rest_api"));
    if (!x)
        return tf_val(t, r, path);
    if (!strcmp(x->type, "aws_api_gateway_rest_api"))
        return tf_getatt(t, tf_at(t, r, path), x, "RootResourceId");
    return tf_ref(t, tf_at(t, r, path), x);
}

static void rest_resource(tf_ctx *t, tf_res *r)
{
    rest_api_id(t, r);
    tf_set(t, r, "ParentId", tf_at(t, r, "parent_id"), resource_id(t, r, "parent_id"));
    copy(t, r, "PathPart", "path_part");
}

static void rest_method(tf_ctx *t, tf_res *r)
{
    rest_api_id(t, r);
    tf_set(t, r, "ResourceId", tf_at(t, r, "resource_id"), resource_id(t, r, "resource_id"));
    copy(t, r, "HttpMethod", "http_method");
    copy(t, r, "AuthorizationType", "authorization");
    tf_set(t, r, "AuthorizerId", tf_at(t, r, "authorizer_id"),
           ref_or_val(t, r, "authorizer_id", TYPES("aws_api_gateway_authorizer")));
    copy(t, r, "ApiKeyRequired", "api_key_required");
    tf_set(t, r, "RequestValidatorId", tf_at(t, r, "request_validator_id"),
           ref_or_val(t, r, "request_validator_id", TYPES("aws_api_gateway_request_validator")));
}

/* A resource of `type` that agrees with r on `attr` and points at the same
 * parent through `parent_path`: how a split setting finds what it
 * configures when the plan gives no reference (literal values). */
static tf_res *sibling(tf_ctx *t, tf_res *r, const char *type, const char *attr, const char *parent_path,
                       const char *const *parent_types)
{
    const char *want = tf_str(t, r, attr);
    tf_res *parent = want ? tf_link(t, r, parent_path, parent_types) : NULL;
    for (size_t i = 0; parent && i < t->res.count; i++) {
        tf_res *x = t->res.items[i];
        const char *got = strcmp(x->type, type) ? NULL : tf_str(t, x, attr);
        if (got && !strcmp(got, want) && tf_link(t, x, parent_path, parent_types) == parent)
            return x;
    }
    return NULL;
}

/* The method an integration belongs to: named by reference
 * (http_method = aws_api_gateway_method.x.http_method), else the method
 * on the same resource with the same verb. */
static tf_res *integration_method(tf_ctx *t, tf_res *r)
{
    tf_res *m = tf_link(t, r, "http_method", TYPES("aws_api_gateway_method"));
    return m ? m
             : sibling(t, r, "aws_api_gateway_method", "http_method", "resource_id",
                       TYPES("aws_api_gateway_resource", "aws_api_gateway_rest_api"));
}

static void rest_integration(tf_ctx *t, tf_res *r)
{
    tf_res *m = integration_method(t, r);
    if (!m)
        return;
    const slsec_node *at = tf_at(t, r, "uri");
    tf_set(t, m, "Integration", at,
           tf_map(t, at, "Type", v(t, r, "type"), "Uri", ref_or_val(t, r, "uri", T_FN), NULL));
}

static void rest_authorizer(tf_ctx *t, tf_res *r)
{
    rest_api_id(t, r);
    copy(t, r, "Name", "name");
    copy(t, r, "Type", "type");
}

static void rest_validator(tf_ctx *t, tf_res *r)
{
    rest_api_id(t, r);
    copy(t, r, "ValidateRequestBody", "validate_request_body");
    copy(t, r, "ValidateRequestParameters", "validate_request_parameters");
}

static void rest_deployment(tf_ctx *t, tf_res *r)
{
    rest_api_id(t, r);
    copy(t, r, "StageName", "stage_name");
}

static void rest_stage(tf_ctx *t, tf_res *r)
{
    rest_api_id(t, r);
    copy(t, r, "StageName", "stage_name");
    const slsec_node *at = tf_at(t, r, "access_log_settings");
    tf_set(t, r, "AccessLogSetting", at,
           tf_map(t, at, "DestinationArn", ref_or_val(t, r, "access_log_settings/0/destination_arn", T_LOG), "Format",
                  v(t, r, "access_log_settings/0/format"), NULL));
    copy(t, r, "TracingEnabled", "xray_tracing_enabled");
    copy(t, r, "CacheClusterEnabled", "cache_cluster_enabled");
}

static tf_res *settings_stage(tf_ctx *t, tf_res *r)
{
    tf_res *st = tf_link(t, r, "stage_name", TYPES("aws_api_gateway_stage"));
    return st ? st : sibling(t, r, "aws_api_gateway_stage", "stage_name", "rest_api_id", T_REST);
}

static void rest_method_settings(tf_ctx *t, tf_res *r)
{
    tf_res *st = settings_stage(t, r);
    if (!st)
        return;
    const char *mp = tf_str(t, r, "method_path");
    const char *path = "/*", *verb = "*";
    char *resource = NULL;
    if (mp && strcmp(mp, "*/*") != 0) {
        const char *slash = strrchr(mp, '/');
        resource = slash ? slsec_arena_printf(t->arena, "/%.*s", (int)(slash - mp), mp) : NULL;
        verb = slash ? slash + 1 : verb;
        path = resource ? resource : path;
    }
    const slsec_node *at = r->node;
    tf_push(t, st, "MethodSettings", at,
            tf_map(t, at, "ResourcePath", tf_scalar(t, at, path), "HttpMethod", tf_scalar(t, at, verb),
                   "ThrottlingBurstLimit", v(t, r, "settings/0/throttling_burst_limit"), "ThrottlingRateLimit",
                   v(t, r, "settings/0/throttling_rate_limit"), "CachingEnabled", v(t, r, "settings/0/caching_enabled"),
                   "CacheDataEncrypted", v(t, r, "settings/0/cache_data_encrypted"), "LoggingLevel",
                   v(t, r, "settings/0/logging_level"), "DataTraceEnabled", v(t, r, "settings/0/data_trace_enabled"),
                   "MetricsEnabled", v(t, r, "settings/0/metrics_enabled"), NULL));
}

static void rest_domain(tf_ctx *t, tf_res *r)
{
    copy(t, r, "DomainName", "domain_name");
    copy(t, r, "SecurityPolicy", "security_policy");
}

static void usage_plan(tf_ctx *t, tf_res *r)
{
    copy(t, r, "UsagePlanName", "name");
    const slsec_node *stages = v(t, r, "api_stages");
    for (size_t i = 0; slsec_node_is_seq(stages) && i < stages->count; i++) {
        char api[64], stage[64];
        snprintf(api, sizeof api, "api_stages/%zu/api_id", i);
        snprintf(stage, sizeof stage, "api_stages/%zu/stage", i);
        const slsec_node *at = stages->items[i];
        tf_push(t, r, "ApiStages", tf_at(t, r, "api_stages"),
                tf_map(t, at, "ApiId", ref_or_val(t, r, api, T_REST), "Stage", v(t, r, stage), NULL));
    }
    const slsec_node *at = tf_at(t, r, "throttle_settings");
    tf_set(t, r, "Throttle", at,
           tf_map(t, at, "BurstLimit", v(t, r, "throttle_settings/0/burst_limit"), "RateLimit",
                  v(t, r, "throttle_settings/0/rate_limit"), NULL));
}

/* ---- API Gateway v2 (HTTP, WebSocket) ------------------------------------------------------ */

static void api_id(tf_ctx *t, tf_res *r)
{
    tf_set(t, r, "ApiId", tf_at(t, r, "api_id"), ref_or_val(t, r, "api_id", T_V2));
}

static void v2_api(tf_ctx *t, tf_res *r)
{
    copy(t, r, "Name", "name");
    copy(t, r, "ProtocolType", "protocol_type");
    tf_set(t, r, "Target", tf_at(t, r, "target"), ref_or_val(t, r, "target", T_FN));
    const slsec_node *at = tf_at(t, r, "cors_configuration");
    tf_set(t, r, "CorsConfiguration", at,
           tf_map(t, at, "AllowOrigins", v(t, r, "cors_configuration/0/allow_origins"), "AllowCredentials",
                  v(t, r, "cors_configuration/0/allow_credentials"), NULL));
    tf_set(t, r, "Body", tf_at(t, r, "body"), tf_json(t, r, "body"));
}

static void v2_route(tf_ctx *t, tf_res *r)
{
    api_id(t, r);
    copy(t, r, "RouteKey", "route_key");
    copy(t, r, "AuthorizationType", "authorization_type");
    tf_set(t, r, "AuthorizerId", tf_at(t, r, "authorizer_id"),
           ref_or_val(t, r, "authorizer_id", TYPES("aws_apigatewayv2_authorizer")));
    copy(t, r, "ApiKeyRequired", "api_key_required");
    tf_set(t, r, "Target", tf_at(t, r, "target"), ref_or_val(t, r, "target", TYPES("aws_apigatewayv2_integration")));
}

static void v2_integration(tf_ctx *t, tf_res *r)
{
    api_id(t, r);
    copy(t, r, "IntegrationType", "integration_type");
    tf_set(t, r, "IntegrationUri", tf_at(t, r, "integration_uri"), ref_or_val(t, r, "integration_uri", T_FN));
}

static const slsec_node *route_settings(tf_ctx *t, tf_res *r, const char *prefix)
{
    char p[5][96];
    static const char *const attrs[] = {"throttling_burst_limit", "throttling_rate_limit", "data_trace_enabled",
                                        "logging_level", "detailed_metrics_enabled"};
    for (size_t i = 0; i < 5; i++)
        snprintf(p[i], sizeof p[i], "%s/%s", prefix, attrs[i]);
    const slsec_node *at = tf_at(t, r, prefix);
    return tf_map(t, at, "ThrottlingBurstLimit", v(t, r, p[0]), "ThrottlingRateLimit", v(t, r, p[1]),
                  "DataTraceEnabled", v(t, r, p[2]), "LoggingLevel", v(t, r, p[3]), "DetailedMetricsEnabled",
                  v(t, r, p[4]), NULL);
}

static void v2_stage(tf_ctx *t, tf_res *r)
{
    api_id(t, r);
    copy(t, r, "StageName", "name");
    copy(t, r, "AutoDeploy", "auto_deploy");
    const slsec_node *at = tf_at(t, r, "access_log_settings");
    tf_set(t, r, "AccessLogSettings", at,
           tf_map(t, at, "DestinationArn", ref_or_val(t, r, "access_log_settings/0/destination_arn", T_LOG), "Format",
                  v(t, r, "access_log_settings/0/format"), NULL));
    tf_set(t, r, "DefaultRouteSettings", tf_at(t, r, "default_route_settings"),
           route_settings(t, r, "default_route_settings/0"));
    const slsec_node *rs = v(t, r, "route_settings");
    if (!slsec_node_is_seq(rs) || !rs->count)
        return;
    slsec_node *m = slsec_node_new_map(t->arena, rs, rs->count);
    size_t k = 0;
    for (size_t i = 0; i < rs->count; i++) {
        const char *key = slsec_node_get_str(rs->items[i], "route_key");
        char prefix[64];
        snprintf(prefix, sizeof prefix, "route_settings/%zu", i);
        const slsec_node *s = route_settings(t, r, prefix);
        if (!key || !s)
            continue;
        m->items[2 * k] = tf_scalar(t, rs->items[i], key);
        m->items[2 * k + 1] = (slsec_node *)s;
        k++;
    }
    m->count = k;
    tf_set(t, r, "RouteSettings", tf_at(t, r, "route_settings"), m);
}

static void v2_authorizer(tf_ctx *t, tf_res *r)
{
    api_id(t, r);
    copy(t, r, "Name", "name");
    copy(t, r, "AuthorizerType", "authorizer_type");
}

static void v2_domain(tf_ctx *t, tf_res *r)
{
    copy(t, r, "DomainName", "domain_name");
    const slsec_node *at = tf_at(t, r, "domain_name_configuration");
    const slsec_node *conf = tf_map(t, at, "SecurityPolicy", v(t, r, "domain_name_configuration/0/security_policy"), NULL);
    if (!conf)
        return;
    slsec_ptrvec items = {0};
    slsec_ptrvec_push(t->arena, &items, (void *)conf);
    tf_set(t, r, "DomainNameConfigurations", at, tf_list(t, at, &items));
}

/* The ARN of an API stage, built as a CloudFormation template builds it,
 * naming both the API and the stage so the association finds them. */
static void waf_association(tf_ctx *t, tf_res *r)
{
    copy(t, r, "WebACLArn", "web_acl_arn");
    const slsec_node *at = tf_at(t, r, "resource_arn");
    tf_res *stage = tf_link(t, r, "resource_arn", TYPES("aws_api_gateway_stage"));
    tf_res *api = stage ? tf_link(t, stage, "rest_api_id", T_REST) : NULL;
    if (!api) {
        copy(t, r, "ResourceArn", "resource_arn");
        return;
    }
    const char *sub = slsec_arena_printf(t->arena, "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${%s}/stages/${%s}",
                                         api->iid, stage->iid);
    tf_set(t, r, "ResourceArn", at, tf_map(t, at, "Fn::Sub", tf_scalar(t, at, sub), NULL));
}

/* ---- S3 ------------------------------------------------------------------------------------ */

/* "public-read" → "PublicRead": canned ACLs under CloudFormation's names. */
static const slsec_node *canned_acl(tf_ctx *t, const slsec_node *acl)
{
    const char *s = slsec_node_str(acl);
    if (!s || acl->kind != SLSEC_NODE_SCALAR)
        return acl;
    char *out = slsec_arena_strdup(t->arena, s), *w = out;
    bool up = true;
    for (const char *p = s; *p; p++) {
        if (*p == '-') {
            up = true;
            continue;
        }
        *w++ = up && *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
        up = false;
    }
    *w = '\0';
    return tf_scalar(t, acl, out);
}

static const slsec_node *encryption(tf_ctx *t, tf_res *r, const char *base)
{
    char kms[128], alg[128];
    snprintf(kms, sizeof kms, "%s/kms_master_key_id", base);
    snprintf(alg, sizeof alg, "%s/sse_algorithm", base);
    const slsec_node *at = tf_at(t, r, base);
    const slsec_node *def = tf_map(t, at, "SSEAlgorithm", v(t, r, alg), "KMSMasterKeyID", ref_or_val(t, r, kms, T_KMS), NULL);
    if (!def)
        return NULL;
    slsec_ptrvec items = {0};
    slsec_ptrvec_push(t->arena, &items, tf_map(t, at, "ServerSideEncryptionByDefault", def, NULL));
    return tf_map(t, at, "ServerSideEncryptionConfiguration", tf_list(t, at, &items), NULL);
}

static const slsec_node *status(tf_ctx *t, const slsec_node *at, const slsec_node *enabled)
{
    bool b;
    if (!slsec_node_bool(enabled, &b))
        return enabled; /* unknown stays unknown */
    return tf_scalar(t, at, b ? "Enabled" : "Disabled");
}

static void s3_bucket(tf_ctx *t, tf_res *r)
{
    copy(t, r, "BucketName", "bucket");
    /* Settings the provider still accepts inline (v3 style); the split
     * resources below override them. */
    const slsec_node *ver = v(t, r, "versioning/0/enabled");
    if (ver && slsec_node_str(ver))
        tf_set(t, r, "VersioningConfiguration", tf_at(t, r, "versioning"),
               tf_map(t, ver, "Status", tf_scalar(t, ver, !strcmp(ver->str, "true") ? "Enabled" : "Suspended"), NULL));
    tf_set(t, r, "BucketEncryption", tf_at(t, r, "server_side_encryption_configuration"),
           encryption(t, r, "server_side_encryption_configuration/0/rule/0/apply_server_side_encryption_by_default/0"));
    const slsec_node *rules = v(t, r, "lifecycle_rule");
    if (slsec_node_is_seq(rules) && rules->count) {
        slsec_ptrvec items = {0};
        for (size_t i = 0; i < rules->count; i++)
            slsec_ptrvec_push(t->arena, &items,
                              tf_map(t, rules->items[i], "Status",
                                     status(t, rules->items[i], slsec_node_get(rules->items[i], "enabled")), NULL));
        tf_set(t, r, "LifecycleConfiguration", tf_at(t, r, "lifecycle_rule"),
               tf_map(t, rules, "Rules", tf_list(t, rules, &items), NULL));
    }
    const slsec_node *acl = v(t, r, "acl");
    if (acl)
        tf_set(t, r, "AccessControl", tf_at(t, r, "acl"), canned_acl(t, acl));
    const slsec_node *logging = v(t, r, "logging/0/target_bucket");
    tf_set(t, r, "LoggingConfiguration", tf_at(t, r, "logging"),
           tf_map(t, tf_at(t, r, "logging"), "DestinationBucketName", logging, NULL));
}

static tf_res *bucket_of(tf_ctx *t, tf_res *r)
{
    return tf_link(t, r, "bucket", T_BUCKET);
}

static void s3_encryption(tf_ctx *t, tf_res *r)
{
    tf_res *b = bucket_of(t, r);
    if (b)
        tf_set(t, b, "BucketEncryption", r->node, encryption(t, r, "rule/0/apply_server_side_encryption_by_default/0"));
}

static void s3_public_access_block(tf_ctx *t, tf_res *r)
{
    tf_res *b = bucket_of(t, r);
    if (!b)
        return;
    const slsec_node *conf = tf_map(t, r->node, "BlockPublicAcls", v(t, r, "block_public_acls"), "IgnorePublicAcls",
                                    v(t, r, "ignore_public_acls"), "BlockPublicPolicy", v(t, r, "block_public_policy"),
                                    "RestrictPublicBuckets", v(t, r, "restrict_public_buckets"), NULL);
    tf_set(t, b, "PublicAccessBlockConfiguration", r->node, conf ? conf : slsec_node_new_map(t->arena, r->node, 0));
}

static void s3_versioning(tf_ctx *t, tf_res *r)
{
    tf_res *b = bucket_of(t, r);
    if (b)
        tf_set(t, b, "VersioningConfiguration", r->node,
               tf_map(t, r->node, "Status", v(t, r, "versioning_configuration/0/status"), NULL));
}

static void s3_lifecycle(tf_ctx *t, tf_res *r)
{
    tf_res *b = bucket_of(t, r);
    const slsec_node *rules = v(t, r, "rule");
    if (!b || !slsec_node_is_seq(rules))
        return;
    slsec_ptrvec items = {0};
    for (size_t i = 0; i < rules->count; i++)
        slsec_ptrvec_push(t->arena, &items, tf_map(t, rules->items[i], "Status", slsec_node_get(rules->items[i], "status"), NULL));
    tf_set(t, b, "LifecycleConfiguration", r->node, tf_map(t, r->node, "Rules", tf_list(t, r->node, &items), NULL));
}

static void s3_policy(tf_ctx *t, tf_res *r)
{
    tf_set(t, r, "Bucket", tf_at(t, r, "bucket"), ref_or_val(t, r, "bucket", T_BUCKET));
    tf_set(t, r, "PolicyDocument", tf_at(t, r, "policy"), tf_policy(t, r, "policy"));
}

static void s3_acl(tf_ctx *t, tf_res *r)
{
    tf_res *b = bucket_of(t, r);
    const slsec_node *acl = v(t, r, "acl");
    if (b && acl)
        tf_set(t, b, "AccessControl", tf_at(t, r, "acl"), canned_acl(t, acl));
}

static void s3_logging(tf_ctx *t, tf_res *r)
{
    tf_res *b = bucket_of(t, r);
    if (b)
        tf_set(t, b, "LoggingConfiguration", r->node,
               tf_map(t, r->node, "DestinationBucketName", ref_or_val(t, r, "target_bucket", T_BUCKET), "LogFilePrefix",
                      v(t, r, "target_prefix"), NULL));
}

static void s3_notification(tf_ctx *t, tf_res *r)
{
    tf_res *b = bucket_of(t, r);
    const slsec_node *fns = v(t, r, "lambda_function");
    if (!b || !slsec_node_is_seq(fns))
        return;
    slsec_ptrvec items = {0};
    for (size_t i = 0; i < fns->count; i++) {
        char path[64];
        snprintf(path, sizeof path, "lambda_function/%zu/lambda_function_arn", i);
        slsec_ptrvec_push(t->arena, &items,
                          tf_map(t, fns->items[i], "Function", ref_or_val(t, r, path, T_FN), "Event",
                                 slsec_node_get(fns->items[i], "events"), NULL));
    }
    tf_set(t, b, "NotificationConfiguration", r->node,
           tf_map(t, r->node, "LambdaConfigurations", tf_list(t, r->node, &items), NULL));
}

/* ---- other stores -------------------------------------------------------------------------- */

static void dynamodb_table(tf_ctx *t, tf_res *r)
{
    copy(t, r, "TableName", "name");
    const slsec_node *at = tf_at(t, r, "server_side_encryption");
    tf_set(t, r, "SSESpecification", at,
           tf_map(t, at, "SSEEnabled", v(t, r, "server_side_encryption/0/enabled"), "KMSMasterKeyId",
                  ref_or_val(t, r, "server_side_encryption/0/kms_key_arn", T_KMS), NULL));
    at = tf_at(t, r, "point_in_time_recovery");
    tf_set(t, r, "PointInTimeRecoverySpecification", at,
           tf_map(t, at, "PointInTimeRecoveryEnabled", v(t, r, "point_in_time_recovery/0/enabled"), NULL));
}

/* A redrive policy: JSON text, or a reference to the dead-letter queue
 * inside a jsonencode() whose ARN is known only after apply. */
static const slsec_node *redrive(tf_ctx *t, tf_res *r, const char *path)
{
    const slsec_node *p = tf_json(t, r, path);
    if (p && (p->flags & SLSEC_NF_UNKNOWN)) {
        tf_res *dlq = tf_link(t, r, path, T_QUEUE);
        if (dlq)
            return tf_map(t, p, "deadLetterTargetArn", tf_getatt(t, p, dlq, "Arn"), NULL);
    }
    return p;
}

static void sqs_queue(tf_ctx *t, tf_res *r)
{
    copy(t, r, "QueueName", "name");
    tf_set(t, r, "KmsMasterKeyId", tf_at(t, r, "kms_master_key_id"), ref_or_val(t, r, "kms_master_key_id", T_KMS));
    copy(t, r, "SqsManagedSseEnabled", "sqs_managed_sse_enabled");
    copy(t, r, "VisibilityTimeout", "visibility_timeout_seconds");
    tf_set(t, r, "RedrivePolicy", tf_at(t, r, "redrive_policy"), redrive(t, r, "redrive_policy"));
}

static void sqs_redrive(tf_ctx *t, tf_res *r)
{
    tf_res *q = tf_link(t, r, "queue_url", T_QUEUE);
    if (q)
        tf_set(t, q, "RedrivePolicy", tf_at(t, r, "redrive_policy"), redrive(t, r, "redrive_policy"));
}

static void sqs_policy(tf_ctx *t, tf_res *r)
{
    tf_push(t, r, "Queues", tf_at(t, r, "queue_url"), ref_or_val(t, r, "queue_url", T_QUEUE));
    tf_set(t, r, "PolicyDocument", tf_at(t, r, "policy"), tf_policy(t, r, "policy"));
}

static void sns_topic(tf_ctx *t, tf_res *r)
{
    copy(t, r, "TopicName", "name");
    tf_set(t, r, "KmsMasterKeyId", tf_at(t, r, "kms_master_key_id"), ref_or_val(t, r, "kms_master_key_id", T_KMS));
}

static void sns_policy(tf_ctx *t, tf_res *r)
{
    tf_push(t, r, "Topics", tf_at(t, r, "arn"), ref_or_val(t, r, "arn", T_TOPIC));
    tf_set(t, r, "PolicyDocument", tf_at(t, r, "policy"), tf_policy(t, r, "policy"));
}

static void sns_subscription(tf_ctx *t, tf_res *r)
{
    copy(t, r, "Protocol", "protocol");
    tf_set(t, r, "Endpoint", tf_at(t, r, "endpoint"), ref_or_val(t, r, "endpoint", T_FN));
    tf_set(t, r, "TopicArn", tf_at(t, r, "topic_arn"), ref_or_val(t, r, "topic_arn", T_TOPIC));
}

static void kms_key(tf_ctx *t, tf_res *r)
{
    copy(t, r, "EnableKeyRotation", "enable_key_rotation");
    copy(t, r, "KeySpec", "customer_master_key_spec");
}

/* "/aws/lambda/${aws_lambda_function.x.function_name}" whose value is
 * unknown names its function the way a CloudFormation Sub would. */
static void log_group(tf_ctx *t, tf_res *r)
{
    const slsec_node *name = v(t, r, "name");
    if (name && (name->flags & SLSEC_NF_UNKNOWN)) {
        tf_res *fn = tf_link(t, r, "name", TYPES("aws_lambda_function"));
        if (fn)
            name = slsec_node_new_scalar(t->arena, name, slsec_arena_printf(t->arena, "/aws/lambda/${%s}", fn->iid),
                                         SLSEC_NF_UNKNOWN);
    }
    tf_set(t, r, "LogGroupName", tf_at(t, r, "name"), name);
    const char *days = tf_str(t, r, "retention_in_days");
    if (!days || strcmp(days, "0") != 0) /* 0: never expire, the provider's default */
        copy(t, r, "RetentionInDays", "retention_in_days");
    tf_set(t, r, "KmsKeyId", tf_at(t, r, "kms_key_id"), ref_or_val(t, r, "kms_key_id", T_KMS));
}

static void secret(tf_ctx *t, tf_res *r)
{
    copy(t, r, "Name", "name");
    tf_set(t, r, "KmsKeyId", tf_at(t, r, "kms_key_id"), ref_or_val(t, r, "kms_key_id", T_KMS));
}

static void secret_rotation(tf_ctx *t, tf_res *r)
{
    tf_set(t, r, "SecretId", tf_at(t, r, "secret_id"),
           ref_or_val(t, r, "secret_id", TYPES("aws_secretsmanager_secret")));
    copy(t, r, "RotationLambdaARN", "rotation_lambda_arn");
}

static void state_machine(tf_ctx *t, tf_res *r)
{
    copy(t, r, "StateMachineName", "name");
    const slsec_node *at = tf_at(t, r, "logging_configuration");
    tf_set(t, r, "LoggingConfiguration", at, tf_map(t, at, "Level", v(t, r, "logging_configuration/0/level"), NULL));
    at = tf_at(t, r, "tracing_configuration");
    tf_set(t, r, "TracingConfiguration", at, tf_map(t, at, "Enabled", v(t, r, "tracing_configuration/0/enabled"), NULL));
}

static void kinesis_stream(tf_ctx *t, tf_res *r)
{
    copy(t, r, "Name", "name");
    const char *enc = tf_str(t, r, "encryption_type");
    if (enc && !strcmp(enc, "KMS"))
        tf_set(t, r, "StreamEncryption", tf_at(t, r, "encryption_type"),
               tf_map(t, tf_at(t, r, "encryption_type"), "EncryptionType", v(t, r, "encryption_type"), "KeyId",
                      ref_or_val(t, r, "kms_key_id", T_KMS), NULL));
}

static void event_rule(tf_ctx *t, tf_res *r)
{
    copy(t, r, "Name", "name");
    copy(t, r, "ScheduleExpression", "schedule_expression");
    tf_set(t, r, "EventPattern", tf_at(t, r, "event_pattern"), tf_json(t, r, "event_pattern"));
}

static void event_target(tf_ctx *t, tf_res *r)
{
    tf_res *rule = tf_link(t, r, "rule", TYPES("aws_cloudwatch_event_rule"));
    if (rule)
        tf_push(t, rule, "Targets", r->node,
                tf_map(t, r->node, "Id", v(t, r, "target_id"), "Arn", ref_or_val(t, r, "arn", T_FN), NULL));
}

/* ---- network -------------------------------------------------------------------------------- */

/* One CloudFormation rule per CIDR of a Terraform rule block. */
static void sg_rules(tf_ctx *t, tf_res *r, const char *attr, const char *key)
{
    const slsec_node *blocks = v(t, r, attr);
    for (size_t i = 0; slsec_node_is_seq(blocks) && i < blocks->count; i++) {
        const slsec_node *b = blocks->items[i];
        const slsec_node *proto = slsec_node_get(b, "protocol");
        const slsec_node *from = slsec_node_get(b, "from_port"), *to = slsec_node_get(b, "to_port");
        size_t made = 0;
        static const char *const families[][2] = {{"cidr_blocks", "CidrIp"}, {"ipv6_cidr_blocks", "CidrIpv6"}};
        for (size_t f = 0; f < 2; f++) {
            const slsec_node *cidrs = slsec_node_get(b, families[f][0]);
            for (size_t k = 0; slsec_node_is_seq(cidrs) && k < cidrs->count; k++, made++)
                tf_push(t, r, key, b,
                        tf_map(t, b, "IpProtocol", proto, "FromPort", from, "ToPort", to, families[f][1],
                               cidrs->items[k], NULL));
        }
        if (!made) /* from other groups or prefix lists */
            tf_push(t, r, key, b,
                    tf_map(t, b, "IpProtocol", proto, "FromPort", from, "ToPort", to, "SourceSecurityGroupId",
                           tf_scalar(t, b, "(security group)"), NULL));
    }
}

static void security_group(tf_ctx *t, tf_res *r)
{
    copy(t, r, "GroupDescription", "description");
    sg_rules(t, r, "ingress", "SecurityGroupIngress");
    sg_rules(t, r, "egress", "SecurityGroupEgress");
}

/* The internet-wide CIDR of a list when there is one (the one rules
 * judge), else its first. */
static const slsec_node *widest(const slsec_node *cidrs)
{
    if (!slsec_node_is_seq(cidrs) || !cidrs->count)
        return NULL;
    for (size_t i = 0; i < cidrs->count; i++) {
        const char *s = slsec_node_str(cidrs->items[i]);
        if (s && (!strcmp(s, "0.0.0.0/0") || !strcmp(s, "::/0")))
            return cidrs->items[i];
    }
    return cidrs->items[0];
}

static void sg_rule(tf_ctx *t, tf_res *r)
{
    const char *type = tf_str(t, r, "type");
    if (type && !strcmp(type, "egress"))
        r->cfn_type = "AWS::EC2::SecurityGroupEgress";
    tf_set(t, r, "GroupId", tf_at(t, r, "security_group_id"), ref_or_val(t, r, "security_group_id", T_SG));
    copy(t, r, "IpProtocol", "protocol");
    copy(t, r, "FromPort", "from_port");
    copy(t, r, "ToPort", "to_port");
    tf_set(t, r, "CidrIp", tf_at(t, r, "cidr_blocks"), widest(v(t, r, "cidr_blocks")));
    if (!tf_get(r, "CidrIp"))
        tf_set(t, r, "CidrIpv6", tf_at(t, r, "ipv6_cidr_blocks"), widest(v(t, r, "ipv6_cidr_blocks")));
}

static void vpc_sg_rule(tf_ctx *t, tf_res *r)
{
    tf_set(t, r, "GroupId", tf_at(t, r, "security_group_id"), ref_or_val(t, r, "security_group_id", T_SG));
    copy(t, r, "IpProtocol", "ip_protocol");
    copy(t, r, "FromPort", "from_port");
    copy(t, r, "ToPort", "to_port");
    copy(t, r, "CidrIp", "cidr_ipv4");
    copy(t, r, "CidrIpv6", "cidr_ipv6");
}

static void subnet(tf_ctx *t, tf_res *r)
{
    copy(t, r, "MapPublicIpOnLaunch", "map_public_ip_on_launch");
    copy(t, r, "CidrBlock", "cidr_block");
}

static void route_table_association(tf_ctx *t, tf_res *r)
{
    tf_set(t, r, "SubnetId", tf_at(t, r, "subnet_id"), ref_or_val(t, r, "subnet_id", T_SUBNET));
    tf_set(t, r, "RouteTableId", tf_at(t, r, "route_table_id"),
           ref_or_val(t, r, "route_table_id", TYPES("aws_route_table")));
}

static void route(tf_ctx *t, tf_res *r)
{
    tf_set(t, r, "RouteTableId", tf_at(t, r, "route_table_id"),
           ref_or_val(t, r, "route_table_id", TYPES("aws_route_table")));
    copy(t, r, "DestinationCidrBlock", "destination_cidr_block");
    copy(t, r, "DestinationIpv6CidrBlock", "destination_ipv6_cidr_block");
    tf_set(t, r, "GatewayId", tf_at(t, r, "gateway_id"), ref_or_val(t, r, "gateway_id", TYPES("aws_internet_gateway")));
}

/* ---- the table ------------------------------------------------------------------------------ */

static const tf_type_lowering lowerings[] = {
    {"aws_lambda_function", "AWS::Lambda::Function", lambda_function},
    {"aws_lambda_function_url", "AWS::Lambda::Url", lambda_url},
    {"aws_lambda_permission", "AWS::Lambda::Permission", lambda_permission},
    {"aws_lambda_event_source_mapping", "AWS::Lambda::EventSourceMapping", event_source_mapping},
    {"aws_lambda_function_event_invoke_config", "AWS::Lambda::EventInvokeConfig", invoke_config},
    {"aws_lambda_alias", "AWS::Lambda::Alias", lambda_alias},
    {"aws_lambda_code_signing_config", "AWS::Lambda::CodeSigningConfig", NULL},
    {"aws_lambda_layer_version", "AWS::Lambda::LayerVersion", NULL},
    {"aws_lambda_layer_version_permission", "AWS::Lambda::LayerVersionPermission", layer_permission},
    {"aws_iam_role", "AWS::IAM::Role", iam_role},
    {"aws_iam_role_policy", "AWS::IAM::Policy", role_policy},
    {"aws_iam_policy", "AWS::IAM::ManagedPolicy", iam_policy},
    {"aws_iam_role_policy_attachment", NULL, role_policy_attachment},
    {"aws_iam_policy_attachment", NULL, policy_attachment},
    {"aws_iam_user", "AWS::IAM::User", iam_user},
    {"aws_iam_user_login_profile", NULL, user_login_profile},
    {"aws_api_gateway_rest_api", "AWS::ApiGateway::RestApi", rest_api},
    {"aws_api_gateway_resource", "AWS::ApiGateway::Resource", rest_resource},
    {"aws_api_gateway_method", "AWS::ApiGateway::Method", rest_method},
    {"aws_api_gateway_integration", NULL, rest_integration},
    {"aws_api_gateway_authorizer", "AWS::ApiGateway::Authorizer", rest_authorizer},
    {"aws_api_gateway_request_validator", "AWS::ApiGateway::RequestValidator", rest_validator},
    {"aws_api_gateway_deployment", "AWS::ApiGateway::Deployment", rest_deployment},
    {"aws_api_gateway_stage", "AWS::ApiGateway::Stage", rest_stage},
    {"aws_api_gateway_method_settings", NULL, rest_method_settings},
    {"aws_api_gateway_domain_name", "AWS::ApiGateway::DomainName", rest_domain},
    {"aws_api_gateway_usage_plan", "AWS::ApiGateway::UsagePlan", usage_plan},
    {"aws_api_gateway_usage_plan_key", "AWS::ApiGateway::UsagePlanKey", NULL},
    {"aws_api_gateway_api_key", "AWS::ApiGateway::ApiKey", NULL},
    {"aws_api_gateway_base_path_mapping", "AWS::ApiGateway::BasePathMapping", NULL},
    {"aws_apigatewayv2_api", "AWS::ApiGatewayV2::Api", v2_api},
    {"aws_apigatewayv2_route", "AWS::ApiGatewayV2::Route", v2_route},
    {"aws_apigatewayv2_integration", "AWS::ApiGatewayV2::Integration", v2_integration},
    {"aws_apigatewayv2_stage", "AWS::ApiGatewayV2::Stage", v2_stage},
    {"aws_apigatewayv2_authorizer", "AWS::ApiGatewayV2::Authorizer", v2_authorizer},
    {"aws_apigatewayv2_domain_name", "AWS::ApiGatewayV2::DomainName", v2_domain},
    {"aws_apigatewayv2_deployment", "AWS::ApiGatewayV2::Deployment", NULL},
    {"aws_apigatewayv2_api_mapping", "AWS::ApiGatewayV2::ApiMapping", NULL},
    {"aws_wafv2_web_acl", "AWS::WAFv2::WebACL", NULL},
    {"aws_wafv2_web_acl_association", "AWS::WAFv2::WebACLAssociation", waf_association},
    {"aws_s3_bucket", "AWS::S3::Bucket", s3_bucket},
    {"aws_s3_bucket_server_side_encryption_configuration", NULL, s3_encryption},
    {"aws_s3_bucket_public_access_block", NULL, s3_public_access_block},
    {"aws_s3_bucket_versioning", NULL, s3_versioning},
    {"aws_s3_bucket_lifecycle_configuration", NULL, s3_lifecycle},
    {"aws_s3_bucket_policy", "AWS::S3::BucketPolicy", s3_policy},
    {"aws_s3_bucket_acl", NULL, s3_acl},
    {"aws_s3_bucket_logging", NULL, s3_logging},
    {"aws_s3_bucket_notification", NULL, s3_notification},
    {"aws_dynamodb_table", "AWS::DynamoDB::Table", dynamodb_table},
    {"aws_sqs_queue", "AWS::SQS::Queue", sqs_queue},
    {"aws_sqs_queue_redrive_policy", NULL, sqs_redrive},
    {"aws_sqs_queue_policy", "AWS::SQS::QueuePolicy", sqs_policy},
    {"aws_sns_topic", "AWS::SNS::Topic", sns_topic},
    {"aws_sns_topic_policy", "AWS::SNS::TopicPolicy", sns_policy},
    {"aws_sns_topic_subscription", "AWS::SNS::Subscription", sns_subscription},
    {"aws_kms_key", "AWS::KMS::Key", kms_key},
    {"aws_kms_alias", "AWS::KMS::Alias", NULL},
    {"aws_cloudwatch_log_group", "AWS::Logs::LogGroup", log_group},
    {"aws_secretsmanager_secret", "AWS::SecretsManager::Secret", secret},
    {"aws_secretsmanager_secret_rotation", "AWS::SecretsManager::RotationSchedule", secret_rotation},
    {"aws_sfn_state_machine", "AWS::StepFunctions::StateMachine", state_machine},
    {"aws_kinesis_stream", "AWS::Kinesis::Stream", kinesis_stream},
    {"aws_cloudwatch_event_rule", "AWS::Events::Rule", event_rule},
    {"aws_cloudwatch_event_target", NULL, event_target},
    {"aws_security_group", "AWS::EC2::SecurityGroup", security_group},
    {"aws_security_group_rule", "AWS::EC2::SecurityGroupIngress", sg_rule},
    {"aws_vpc_security_group_ingress_rule", "AWS::EC2::SecurityGroupIngress", vpc_sg_rule},
    {"aws_vpc_security_group_egress_rule", "AWS::EC2::SecurityGroupEgress", vpc_sg_rule},
    {"aws_vpc", "AWS::EC2::VPC", NULL},
    {"aws_subnet", "AWS::EC2::Subnet", subnet},
    {"aws_route_table", "AWS::EC2::RouteTable", NULL},
    {"aws_route_table_association", "AWS::EC2::SubnetRouteTableAssociation", route_table_association},
    {"aws_route", "AWS::EC2::Route", route},
    {"aws_internet_gateway", "AWS::EC2::InternetGateway", NULL},
    {"aws_iam_user_policy", "AWS::IAM::Policy", user_policy},
    {"aws_iam_user_policy_attachment", NULL, user_policy_attachment},
    {"aws_iam_access_key", "AWS::IAM::AccessKey", access_key},
    {"aws_cognito_user_pool", "AWS::Cognito::UserPool", user_pool},
    {"aws_cognito_identity_pool", "AWS::Cognito::IdentityPool", identity_pool},
    {"aws_cloudwatch_event_bus", "AWS::Events::EventBus", event_bus},
    {"aws_cloudwatch_event_bus_policy", "AWS::Events::EventBusPolicy", event_bus_policy},
    {"aws_cloudwatch_event_permission", "AWS::Events::EventBusPolicy", event_permission},
    {"aws_lambda_provisioned_concurrency_config", NULL, NULL},
};

const tf_type_lowering *tf_lowering_find(const char *type)
{
    for (size_t i = 0; i < sizeof lowerings / sizeof lowerings[0]; i++)
        if (!strcmp(lowerings[i].type, type))
            return &lowerings[i];
    return NULL;
}
