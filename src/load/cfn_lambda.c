/*
 * cfn_lambda.c — functions and what connects to them: AWS::Lambda::* and
 * AWS::Serverless::Function with its Events, the implicit role SAM creates,
 * and the plain-CloudFormation ways of triggering a function (bucket
 * notifications, SNS subscriptions, EventBridge rules).
 *
 * What SAM generates is modelled as SAM generates it: a function without
 * Role gets "<Function>Role" trusting lambda.amazonaws.com with
 * AWSLambdaBasicExecutionRole, the managed policies its features need (VPC,
 * tracing, pollers) and its Policies.
 * SAM also writes inline policies into that role for what the function
 * sends to (dead-letter queue, EventInvokeConfig destinations, event
 * on-failure destinations) and what its pollers read (MQ brokers, Kafka and
 * DocumentDB secrets, Glue schema registries): those are modelled too, so
 * the role holds every action SAM grants. tests/unit/test_sam_golden.c
 * checks all this against SAM's own translations.
 *
 * Also read here: environment encryption (KmsKeyArn), VPC subnets, what an
 * event source mapping (or SAM poller event) does with a failing batch,
 * layer permissions and code-signing policies.
 */
#include "cfn_internal.h"

#include <string.h>

static slsec_function *new_function(cfn_ctx *c, slsec_resource *r)
{
    slsec_function *fn = slsec_arena_alloc(c->arena, sizeof *fn);
    fn->id = r->id;
    fn->loc = r->loc;
    fn->resource = r;
    fn->timeout = SLSEC_NUM_UNSET;
    fn->memory = SLSEC_NUM_UNSET;
    fn->reserved_concurrency = SLSEC_NUM_UNSET;
    fn->provisioned_concurrency = SLSEC_NUM_UNSET;
    fn->tracing_active = SLSEC_NO;
    fn->has_dlq = SLSEC_NO;
    fn->has_on_failure = SLSEC_NO;
    fn->code_signing = SLSEC_NO;
    slsec_strmap_put(c->functions, r->id, fn);
    slsec_ptrvec_push(c->arena, &c->app->functions, fn);
    return fn;
}

static void read_env(cfn_ctx *c, slsec_function *fn, const slsec_node *env_raw_vars, const slsec_node *vars)
{
    if (!slsec_node_is_map(vars))
        return;
    fn->env_loc = cfn_loc(c, vars);
    for (size_t i = 0; i < vars->count; i++) {
        if (!slsec_node_str(vars->items[2 * i]))
            continue; /* a complex key names no variable */
        slsec_env_var *v = slsec_arena_alloc(c->arena, sizeof *v);
        v->name = vars->items[2 * i]->str;
        v->value = vars->items[2 * i + 1];
        const slsec_node *raw = slsec_node_get(env_raw_vars, v->name);
        v->loc = cfn_loc(c, raw ? raw : vars->items[2 * i + 1]);
        slsec_ptrvec_push(c->arena, &fn->env, v);
    }
}

static void read_vpc(cfn_ctx *c, slsec_function *fn, const slsec_node *raw_vpc)
{
    const slsec_node *vpc = cfn_resolve(c, raw_vpc);
    if (!slsec_node_is_map(vpc))
        return;
    fn->in_vpc = true;
    const slsec_node *raw_sgs = slsec_node_get(raw_vpc, "SecurityGroupIds");
    const slsec_node *sgs = slsec_node_get(vpc, "SecurityGroupIds");
    if (!slsec_node_is_seq(raw_sgs))
        raw_sgs = sgs;
    for (size_t i = 0; raw_sgs && slsec_node_is_seq(raw_sgs) && i < raw_sgs->count; i++) {
        const char *id = cfn_ref_target(c, raw_sgs->items[i]);
        if (!id)
            id = slsec_node_str(cfn_resolve(c, raw_sgs->items[i]));
        if (id)
            slsec_ptrvec_push(c->arena, &fn->security_group_ids, (void *)id);
    }
    const slsec_node *raw_subnets = slsec_node_get(raw_vpc, "SubnetIds");
    if (!slsec_node_is_seq(raw_subnets))
        raw_subnets = slsec_node_get(vpc, "SubnetIds");
    for (size_t i = 0; slsec_node_is_seq(raw_subnets) && i < raw_subnets->count; i++) {
        const char *id = cfn_ref_target(c, raw_subnets->items[i]);
        if (!id)
            id = slsec_node_str(cfn_resolve(c, raw_subnets->items[i]));
        if (id)
            slsec_ptrvec_push(c->arena, &fn->subnet_ids, (void *)id);
    }
}

static bool has_on_failure(const slsec_node *dest_config);

static void read_common(cfn_ctx *c, slsec_function *fn, slsec_resource *r)
{
    fn->runtime = cfn_prop_str(c, r, "Runtime");
    fn->handler = cfn_prop_str(c, r, "Handler");
    fn->package_type = cfn_prop_str(c, r, "PackageType");
    const slsec_node *t = cfn_prop(c, r, "Timeout");
    fn->timeout = cfn_num(t);
    if (t)
        fn->timeout_loc = cfn_loc(c, t);
    else
        fn->timeout_loc = fn->loc;
    fn->memory = cfn_num(cfn_prop(c, r, "MemorySize"));
    fn->reserved_concurrency = cfn_num(cfn_prop(c, r, "ReservedConcurrentExecutions"));
    fn->code_signing = cfn_prop_raw(r, "CodeSigningConfigArn") ? SLSEC_YES : SLSEC_NO;
    if (fn->sam && !cfn_prop_raw(r, "CodeSigningConfigArn") && cfn_prop(c, r, "CodeSigningConfigArn"))
        fn->code_signing = SLSEC_YES; /* from Globals */
    const slsec_node *layers = cfn_prop(c, r, "Layers");
    for (size_t i = 0; slsec_node_is_seq(layers) && i < layers->count; i++)
        slsec_ptrvec_push(c->arena, &fn->layers, layers->items[i]);
    const slsec_node *env = cfn_prop(c, r, "Environment");
    const slsec_node *raw_env = cfn_prop_raw(r, "Environment");
    read_env(c, fn, slsec_node_get(raw_env, "Variables"), slsec_node_get(env, "Variables"));
    const slsec_node *vpc_raw = cfn_prop_raw(r, "VpcConfig");
    read_vpc(c, fn, vpc_raw ? vpc_raw : cfn_prop(c, r, "VpcConfig"));
    fn->role_ref = cfn_prop(c, r, "Role");
    const slsec_node *kms = cfn_prop(c, r, "KmsKeyArn");
    if (kms && !(kms->flags & SLSEC_NF_NULL) && !(slsec_node_str(kms) && !kms->str[0]))
        fn->kms_key = kms;
    fn->env_managed_key = fn->kms_key ? SLSEC_NO : SLSEC_YES;
}

/* What an event source mapping (or a SAM poller event) does with a batch
 * that keeps failing; `props` holds DestinationConfig and
 * BisectBatchOnFunctionError, resolved. */
static void esm_failure(slsec_trigger *t, const slsec_node *props)
{
    t->esm = true;
    const slsec_node *dc = slsec_node_get(props, "DestinationConfig");
    if (!dc || (dc->flags & SLSEC_NF_NULL))
        t->esm_on_failure = SLSEC_NO;
    else if (!slsec_node_is_map(dc))
        t->esm_on_failure = SLSEC_UNKNOWN;
    else
        t->esm_on_failure = has_on_failure(dc) ? SLSEC_YES : SLSEC_NO;
    t->esm_bisect = cfn_tri(slsec_node_get(props, "BisectBatchOnFunctionError"), SLSEC_NO);
}

/* ---- plain CloudFormation ----------------------------------------------------- */

static void function_create(cfn_ctx *c, slsec_resource *r)
{
    slsec_function *fn = new_function(c, r);
    read_common(c, fn, r);
    const slsec_node *code = cfn_prop(c, r, "Code");
    fn->inline_code = slsec_node_get(code, "ZipFile");
    const char *key = slsec_node_get_str(code, "S3Key");
    fn->code_uri = fn->inline_code ? "inline" : key ? key : slsec_node_get_str(code, "ImageUri");
    const char *mode = slsec_node_get_str(cfn_prop(c, r, "TracingConfig"), "Mode");
    fn->tracing_active = mode ? (!strcmp(mode, "Active") ? SLSEC_YES : SLSEC_NO) : SLSEC_NO;
    if (cfn_prop(c, r, "TracingConfig") && !mode)
        fn->tracing_active = SLSEC_UNKNOWN;
    const slsec_node *dlc = cfn_prop(c, r, "DeadLetterConfig");
    if (dlc)
        fn->has_dlq = slsec_node_get(dlc, "TargetArn") ? SLSEC_YES : SLSEC_UNKNOWN;
}

static void function_link(cfn_ctx *c, slsec_resource *r)
{
    slsec_function *fn = slsec_strmap_get(c->functions, r->id);
    if (!fn)
        return;
    fn->role = cfn_role_by_ref(c, cfn_prop_raw(r, "Role"));
    if (fn->role)
        slsec_ptrvec_push(c->arena, &fn->role->functions, fn);
}

static void url_link(cfn_ctx *c, slsec_resource *r)
{
    slsec_function *fn = cfn_function_by_ref(c, cfn_prop_raw(r, "TargetFunctionArn"));
    if (!fn)
        return;
    fn->url.present = true;
    fn->url.auth_type = cfn_prop_str(c, r, "AuthType");
    const slsec_node *at = cfn_prop_raw(r, "AuthType");
    fn->url.loc = at ? cfn_loc(c, at) : r->loc;
}

static void permission_link(cfn_ctx *c, slsec_resource *r)
{
    slsec_permission *p = slsec_arena_alloc(c->arena, sizeof *p);
    p->id = r->id;
    p->loc = r->loc;
    p->function = cfn_function_by_ref(c, cfn_prop_raw(r, "FunctionName"));
    const slsec_node *pr = cfn_prop(c, r, "Principal");
    p->principal = pr && pr->kind == SLSEC_NODE_SCALAR ? pr->str : NULL;
    if (pr && (pr->flags & SLSEC_NF_UNKNOWN))
        p->principal = NULL;
    p->action = cfn_prop_str(c, r, "Action");
    p->has_source_arn = cfn_prop_raw(r, "SourceArn") != NULL;
    p->has_source_account = cfn_prop_raw(r, "SourceAccount") != NULL;
    p->has_principal_org = cfn_prop_raw(r, "PrincipalOrgID") != NULL;
    p->function_url_auth_type = cfn_prop_str(c, r, "FunctionUrlAuthType");
    slsec_ptrvec_push(c->arena, &c->app->permissions, p);
    if (p->function)
        slsec_ptrvec_push(c->arena, &p->function->permissions, p);
}

static slsec_trigger_kind kind_of_source(cfn_ctx *c, const char *source_id)
{
    slsec_store *s = source_id ? slsec_strmap_get(c->stores, source_id) : NULL;
    slsec_resource *r = source_id ? slsec_strmap_get(c->resources, source_id) : NULL;
    if (s && s->kind == SLSEC_STORE_QUEUE)
        return SLSEC_TRIGGER_SQS;
    if (s && s->kind == SLSEC_STORE_STREAM)
        return SLSEC_TRIGGER_KINESIS;
    if ((s && s->kind == SLSEC_STORE_TABLE) || (r && strstr(r->type, "DynamoDB")))
        return SLSEC_TRIGGER_DYNAMODB;
    if (r && strstr(r->type, "Kinesis"))
        return SLSEC_TRIGGER_KINESIS;
    if (r && strstr(r->type, "SQS"))
        return SLSEC_TRIGGER_SQS;
    return SLSEC_TRIGGER_OTHER;
}

static bool has_on_failure(const slsec_node *dest_config)
{
    const slsec_node *of = slsec_node_get(dest_config, "OnFailure");
    return of && (slsec_node_get(of, "Destination") || slsec_node_get(of, "Type"));
}

static void esm_link(cfn_ctx *c, slsec_resource *r)
{
    slsec_function *fn = cfn_function_by_ref(c, cfn_prop_raw(r, "FunctionName"));
    if (!fn)
        return;
    const char *src = cfn_ref_target(c, cfn_prop_raw(r, "EventSourceArn"));
    slsec_trigger *t = cfn_add_trigger(c, fn, kind_of_source(c, src), r->id, r->props ? r->props : NULL, src);
    t->loc = r->loc;
    esm_failure(t, cfn_resolve(c, r->props));
    if (has_on_failure(cfn_prop(c, r, "DestinationConfig")))
        fn->has_on_failure = SLSEC_YES;
}

static void invoke_config_link(cfn_ctx *c, slsec_resource *r)
{
    slsec_function *fn = cfn_function_by_ref(c, cfn_prop_raw(r, "FunctionName"));
    if (fn && has_on_failure(cfn_prop(c, r, "DestinationConfig")))
        fn->has_on_failure = SLSEC_YES;
}

static void version_link(cfn_ctx *c, slsec_resource *r)
{
    slsec_function *fn = cfn_function_by_ref(c, cfn_prop_raw(r, "FunctionName"));
    if (fn)
        fn->has_version = true;
}

static void code_signing_create(cfn_ctx *c, slsec_resource *r)
{
    slsec_ptrvec_push(c->arena, &c->app->code_signing_configs, r);
    slsec_signing_config *sc = slsec_arena_alloc(c->arena, sizeof *sc);
    sc->id = r->id;
    sc->loc = r->loc;
    sc->policy_loc = r->loc;
    /* Without CodeSigningPolicies, Lambda only warns about unsigned or
     * badly signed code, and deploys it. */
    const slsec_node *pol = cfn_prop(c, r, "CodeSigningPolicies");
    const slsec_node *mode = slsec_node_get(pol, "UntrustedArtifactOnDeployment");
    if (pol && !slsec_node_is_map(pol)) {
        sc->enforced = SLSEC_UNKNOWN;
    } else if (!mode) {
        sc->enforced = SLSEC_NO;
    } else {
        const char *m = slsec_node_str(mode);
        sc->enforced = !m ? SLSEC_UNKNOWN : slsec_str_eq_ci(m, "Enforce") ? SLSEC_YES : SLSEC_NO;
        const slsec_node *raw = slsec_node_get(cfn_prop_raw(r, "CodeSigningPolicies"), "UntrustedArtifactOnDeployment");
        sc->policy_loc = cfn_loc(c, raw ? raw : mode);
    }
    slsec_ptrvec_push(c->arena, &c->app->signing_configs, sc);
}

/* AWS::Lambda::LayerVersionPermission: who may use (GetLayerVersion) a layer. */
static void layer_permission_link(cfn_ctx *c, slsec_resource *r)
{
    slsec_layer_permission *lp = slsec_arena_alloc(c->arena, sizeof *lp);
    lp->id = r->id;
    lp->loc = r->loc;
    lp->layer = cfn_ref_target(c, cfn_prop_raw(r, "LayerVersionArn"));
    const slsec_node *pr = cfn_prop(c, r, "Principal");
    lp->principal = slsec_node_str(pr);
    const slsec_node *pr_raw = cfn_prop_raw(r, "Principal");
    if (pr_raw)
        lp->loc = cfn_loc(c, pr_raw);
    lp->has_org = cfn_prop_raw(r, "OrganizationId") != NULL;
    slsec_ptrvec_push(c->arena, &c->app->layer_permissions, lp);
}

/* Bucket notifications, SNS subscriptions and EventBridge rules that
 * invoke a function of the template. */
static void bucket_notifications_link(cfn_ctx *c, slsec_resource *r)
{
    const slsec_node *confs = slsec_node_get(cfn_prop_raw(r, "NotificationConfiguration"), "LambdaConfigurations");
    for (size_t i = 0; slsec_node_is_seq(confs) && i < confs->count; i++) {
        slsec_function *fn = cfn_function_by_ref(c, slsec_node_get(confs->items[i], "Function"));
        if (fn)
            cfn_add_trigger(c, fn, SLSEC_TRIGGER_S3, r->id, confs->items[i], r->id);
    }
}

static void subscription_link(cfn_ctx *c, slsec_resource *r)
{
    const char *proto = cfn_prop_str(c, r, "Protocol");
    if (!proto || strcmp(proto, "lambda") != 0)
        return;
    slsec_function *fn = cfn_function_by_ref(c, cfn_prop_raw(r, "Endpoint"));
    if (fn)
        cfn_add_trigger(c, fn, SLSEC_TRIGGER_SNS, r->id, r->props, cfn_ref_target(c, cfn_prop_raw(r, "TopicArn")))->loc =
            r->loc;
}

/* A schedule's Input (a JSON string or a map) that names warming: the
 * warm-up plugins and hand-written warmers send {"warmer": true},
 * {"source": "serverless-plugin-warmup"} and the like. */
static bool warming_input(cfn_ctx *c, const slsec_node *raw_input)
{
    const slsec_node *v = cfn_resolve(c, raw_input);
    if (slsec_node_is_scalar(v))
        return v->str && slsec_str_contains_ci(v->str, "warm");
    for (size_t i = 0; slsec_node_is_map(v) && i < v->count; i++) {
        const char *k = slsec_node_str(v->items[2 * i]);
        const char *val = slsec_node_str(v->items[2 * i + 1]);
        if ((k && slsec_str_contains_ci(k, "warm")) || (val && slsec_str_contains_ci(val, "warm")))
            return true;
    }
    return false;
}

static void rule_link(cfn_ctx *c, slsec_resource *r)
{
    const slsec_node *targets = cfn_prop_raw(r, "Targets");
    bool schedule = cfn_prop_raw(r, "ScheduleExpression") != NULL;
    for (size_t i = 0; slsec_node_is_seq(targets) && i < targets->count; i++) {
        slsec_function *fn = cfn_function_by_ref(c, slsec_node_get(targets->items[i], "Arn"));
        if (!fn)
            continue;
        cfn_add_trigger(c, fn, schedule ? SLSEC_TRIGGER_SCHEDULE : SLSEC_TRIGGER_EVENTBRIDGE, r->id,
                        targets->items[i], NULL);
        const slsec_node *input = slsec_node_get(targets->items[i], "Input");
        if (schedule && input && warming_input(c, input))
            fn->keep_warm_loc = cfn_loc(c, input);
    }
}

/* ---- SAM --------------------------------------------------------------------- */

static void sam_function_create(cfn_ctx *c, slsec_resource *r)
{
    slsec_function *fn = new_function(c, r);
    fn->sam = true;
    read_common(c, fn, r);
    fn->inline_code = cfn_prop(c, r, "InlineCode");
    const slsec_node *uri = cfn_prop(c, r, "CodeUri");
    fn->code_uri = fn->inline_code ? "inline" : slsec_node_is_scalar(uri) ? uri->str : slsec_node_get_str(uri, "Key");
    if (!fn->code_uri)
        fn->code_uri = cfn_prop_str(c, r, "ImageUri");
    const slsec_node *tracing = cfn_prop(c, r, "Tracing");
    fn->tracing_active = tracing ? (slsec_node_str(tracing) ? (!strcmp(tracing->str, "Active") ? SLSEC_YES : SLSEC_NO)
                                                            : SLSEC_UNKNOWN)
                                 : SLSEC_NO;
    const slsec_node *dlq = cfn_prop(c, r, "DeadLetterQueue");
    if (dlq)
        fn->has_dlq = slsec_node_get(dlq, "TargetArn") ? SLSEC_YES : SLSEC_UNKNOWN;
    const slsec_node *eic = cfn_prop(c, r, "EventInvokeConfig");
    if (eic && has_on_failure(slsec_node_get(eic, "DestinationConfig")))
        fn->has_on_failure = SLSEC_YES;
    const slsec_node *url = cfn_prop(c, r, "FunctionUrlConfig");
    if (url) {
        fn->url.present = true;
        fn->url.auth_type = slsec_node_get_str(url, "AuthType");
        const slsec_node *at = slsec_node_get(cfn_prop_raw(r, "FunctionUrlConfig"), "AuthType");
        fn->url.loc = cfn_loc(c, at ? at : url);
    }
    const slsec_node *alias = cfn_prop(c, r, "AutoPublishAlias");
    if (alias)
        fn->auto_publish_alias = slsec_node_is_scalar(alias) ? alias->str : "?";
    const slsec_node *dp = cfn_prop(c, r, "DeploymentPreference");
    if (dp) {
        bool enabled = true;
        const slsec_node *en = slsec_node_get(dp, "Enabled");
        if (en && slsec_node_bool(en, &enabled) && !enabled) {
            /* An explicitly disabled preference rolls nothing back. */
        } else {
            fn->deployment_preference = true;
            const slsec_node *alarms = slsec_node_get(dp, "Alarms");
            fn->deployment_alarms = slsec_node_is_seq(alarms) ? alarms->count : (alarms ? 1 : 0);
        }
        fn->deployment_loc = cfn_loc(c, dp);
    }
    const slsec_node *pc = cfn_prop(c, r, "ProvisionedConcurrencyConfig");
    fn->provisioned_concurrency = cfn_num(slsec_node_get(pc, "ProvisionedConcurrentExecutions"));
}

/* ---- what SAM adds to the implicit role ----------------------------------------- */

static slsec_policy *aws_managed(cfn_ctx *c, const char *name, const slsec_node *at)
{
    slsec_policy *p = slsec_arena_alloc(c->arena, sizeof *p);
    p->kind = SLSEC_POLICY_AWS_MANAGED;
    p->name = name;
    p->loc = cfn_loc(c, at);
    return p;
}

/* SAM lists each managed policy once however many features ask for it. */
static void add_managed(cfn_ctx *c, slsec_role *role, const char *name, const slsec_node *at)
{
    for (size_t i = 0; i < role->policies.count; i++) {
        const slsec_policy *p = role->policies.items[i];
        if (p->kind == SLSEC_POLICY_AWS_MANAGED && !strcmp(p->name, name))
            return;
    }
    slsec_ptrvec_push(c->arena, &role->policies, aws_managed(c, name, at));
}

/* The value a generated statement's Resource takes: the property as
 * resolved, or a symbolic unknown naming it when it is absent, a list or
 * an intrinsic the template does not decide. */
static const slsec_node *resource_value(cfn_ctx *c, const slsec_node *resolved, const slsec_node *at, const char *what)
{
    if (slsec_node_is_scalar(resolved) && !(resolved->flags & SLSEC_NF_NULL))
        return resolved;
    return slsec_node_new_scalar(c->arena, at, slsec_arena_printf(c->arena, "${%s}", what), SLSEC_NF_UNKNOWN);
}

/* An ARN SAM builds around an id the user gave ("key/<id>" for a KMS key):
 * region and account are the deploy's, so the ARN is symbolic. */
static const slsec_node *built_arn(cfn_ctx *c, const slsec_node *at, const char *service, const char *suffix)
{
    const char *arn = slsec_arena_printf(c->arena, "arn:aws:%s:${AWS::Region}:${AWS::AccountId}:%s", service, suffix);
    return slsec_node_new_scalar(c->arena, at, arn, SLSEC_NF_UNKNOWN);
}

/* Appends an Allow statement to the inline policy SAM writes under `name`,
 * creating the policy on its first statement. The statement points at the
 * template property that made SAM write it. */
static void allow(cfn_ctx *c, slsec_role *role, slsec_policy **policy, const char *name, const slsec_node *at,
                  const char *const *actions, const slsec_node *resource)
{
    if (!*policy) {
        slsec_policy *p = slsec_arena_alloc(c->arena, sizeof *p);
        p->kind = SLSEC_POLICY_INLINE;
        p->name = name;
        p->loc = cfn_loc(c, at);
        slsec_ptrvec_push(c->arena, &role->policies, p);
        *policy = p;
    }
    slsec_statement *s = slsec_arena_alloc(c->arena, sizeof *s);
    s->allow = true;
    s->loc = cfn_loc(c, at);
    for (; *actions; actions++)
        slsec_ptrvec_push(c->arena, &s->actions, slsec_node_new_scalar(c->arena, at, *actions, SLSEC_NF_QUOTED));
    if (resource)
        slsec_ptrvec_push(c->arena, &s->resources, (void *)resource);
    slsec_ptrvec_push(c->arena, &(*policy)->statements, s);
}

#define ACTIONS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* What SAM grants for a destination it is told the type of: EventInvokeConfig's
 * OnSuccess/OnFailure and the OnFailure of stream and Kafka events. */
static void destination_policy(cfn_ctx *c, slsec_role *role, const char *prefix, const slsec_node *dest)
{
    static const struct { const char *type; const char *actions[3]; } grants[] = {
        {"SQS", {"sqs:SendMessage"}},          {"SNS", {"sns:publish"}},
        {"Lambda", {"lambda:InvokeFunction"}}, {"EventBridge", {"events:PutEvents"}},
        {"S3", {"s3:PutObject", "s3:ListBucket"}},       {"S3Bucket", {"s3:PutObject", "s3:ListBucket"}},
    };
    const char *type = slsec_node_get_str(dest, "Type");
    for (size_t i = 0; type && i < sizeof grants / sizeof grants[0]; i++) {
        if (strcmp(type, grants[i].type) != 0)
            continue;
        slsec_policy *p = NULL;
        const slsec_node *res = resource_value(c, slsec_node_get(dest, "Destination"), dest, "Destination");
        allow(c, role, &p, slsec_arena_printf(c->arena, "%s%sPolicy", prefix, type), dest, grants[i].actions, res);
        return;
    }
}

/* The function-level features that make SAM widen the implicit role. */
static void function_grants(cfn_ctx *c, slsec_function *fn, slsec_role *role, slsec_resource *r)
{
    const slsec_node *dlq = cfn_prop(c, r, "DeadLetterQueue");
    const char *dlq_type = slsec_node_get_str(dlq, "Type");
    if (dlq_type && (!strcmp(dlq_type, "SQS") || !strcmp(dlq_type, "SNS"))) {
        slsec_policy *p = NULL;
        allow(c, role, &p, "DeadLetterQueuePolicy", dlq,
              !strcmp(dlq_type, "SQS") ? ACTIONS("sqs:SendMessage") : ACTIONS("sns:Publish"),
              resource_value(c, slsec_node_get(dlq, "TargetArn"), dlq, "DeadLetterQueue.TargetArn"));
    }
    const slsec_node *dests = slsec_node_get(cfn_prop(c, r, "EventInvokeConfig"), "DestinationConfig");
    static const char *const outcomes[] = {"OnSuccess", "OnFailure"};
    for (size_t i = 0; i < 2; i++) {
        const slsec_node *d = slsec_node_get(dests, outcomes[i]);
        if (d)
            destination_policy(c, role, slsec_arena_printf(c->arena, "%sEventInvokeConfig%s", fn->id, outcomes[i]), d);
    }
}

/* Source access configurations whose URI is a secret the poller reads. */
static bool is_secret_access(const char *type)
{
    static const char *const types[] = {"BASIC_AUTH", "SASL_SCRAM_256_AUTH", "SASL_SCRAM_512_AUTH",
                                        "CLIENT_CERTIFICATE_TLS_AUTH", "SERVER_ROOT_CA_CERTIFICATE"};
    for (size_t i = 0; type && i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(type, types[i]))
            return true;
    return false;
}

static void secret_grants(cfn_ctx *c, slsec_role *role, slsec_policy **p, const char *name, const slsec_node *configs)
{
    for (size_t i = 0; slsec_node_is_seq(configs) && i < configs->count; i++) {
        const slsec_node *sac = configs->items[i];
        if (is_secret_access(slsec_node_get_str(sac, "Type")))
            allow(c, role, p, name, sac, ACTIONS("secretsmanager:GetSecretValue"),
                  resource_value(c, slsec_node_get(sac, "URI"), sac, "URI"));
    }
}

static bool has_vpc_access(const slsec_node *configs)
{
    for (size_t i = 0; slsec_node_is_seq(configs) && i < configs->count; i++) {
        const char *type = slsec_node_get_str(configs->items[i], "Type");
        if (type && (!strcmp(type, "VPC_SUBNET") || !strcmp(type, "VPC_SECURITY_GROUP")))
            return true;
    }
    return false;
}

static const char *const eni_actions[] = {"ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces",
                                          "ec2:DeleteNetworkInterface", "ec2:DescribeVpcs",
                                          "ec2:DescribeSubnets",        "ec2:DescribeSecurityGroups",
                                          NULL};

/* Kafka events reading their schemas from a Glue registry, or from another
 * registry with credentials in a secret. */
static void schema_registry_grants(cfn_ctx *c, slsec_role *role, slsec_policy **p, const char *name,
                                   const slsec_node *reg)
{
    if (!reg)
        return;
    const slsec_node *uri = slsec_node_get(reg, "SchemaRegistryURI");
    secret_grants(c, role, p, name, slsec_node_get(reg, "AccessConfigs"));
    /* A Glue registry's ARN, even one whose region is the deploy's. */
    const char *u = slsec_node_is_scalar(uri) ? uri->str : NULL;
    if (u && strstr(u, ":glue:")) {
        allow(c, role, p, name, reg, ACTIONS("glue:GetRegistry"), uri);
        allow(c, role, p, name, reg, ACTIONS("glue:GetSchemaVersion"), built_arn(c, reg, "glue", "schema/*"));
    }
}

static void kms_grant(cfn_ctx *c, slsec_role *role, slsec_policy **p, const char *name, const slsec_node *props)
{
    const slsec_node *key = slsec_node_get(props, "SecretsManagerKmsKeyId");
    if (!key)
        return;
    const char *id = slsec_node_str(key);
    allow(c, role, p, name, key, ACTIONS("kms:Decrypt"),
          id && !(key->flags & SLSEC_NF_UNKNOWN) ? built_arn(c, key, "kms", slsec_arena_printf(c->arena, "key/%s", id))
                                                 : resource_value(c, NULL, key, "SecretsManagerKmsKeyId"));
}

/* What a poll-based event (queue, stream, broker, Kafka, DocumentDB) makes
 * SAM grant to the implicit role, besides the managed policy of its kind. */
static void event_grants(cfn_ctx *c, slsec_function *fn, slsec_role *role, const char *type, const char *event,
                         const slsec_node *props)
{
    slsec_policy *p = NULL;
    if (!strcmp(type, "MSK")) {
        secret_grants(c, role, &p, "MSKExecutionRolePolicy", slsec_node_get(props, "SourceAccessConfigurations"));
        schema_registry_grants(c, role, &p, "MSKExecutionRolePolicy", slsec_node_get(props, "SchemaRegistryConfig"));
    } else if (!strcmp(type, "SelfManagedKafka")) {
        const char *name = "SelfManagedKafkaExecutionRolePolicy";
        const slsec_node *sacs = slsec_node_get(props, "SourceAccessConfigurations");
        secret_grants(c, role, &p, name, sacs);
        if (has_vpc_access(sacs))
            allow(c, role, &p, name, sacs, eni_actions, slsec_node_new_scalar(c->arena, sacs, "*", SLSEC_NF_QUOTED));
        schema_registry_grants(c, role, &p, name, slsec_node_get(props, "SchemaRegistryConfig"));
    } else if (!strcmp(type, "MQ")) {
        const char *name = "SamAutoGeneratedAMQPolicy";
        secret_grants(c, role, &p, name, slsec_node_get(props, "SourceAccessConfigurations"));
        const slsec_node *broker = slsec_node_get(props, "Broker");
        allow(c, role, &p, name, broker ? broker : props, ACTIONS("mq:DescribeBroker"),
              resource_value(c, broker, props, "Broker"));
        kms_grant(c, role, &p, name, props);
    } else if (!strcmp(type, "DocumentDB")) {
        const char *name = "SamAutoGeneratedDocumentDBPolicy";
        const slsec_node *cluster = slsec_node_get(props, "Cluster");
        secret_grants(c, role, &p, name, slsec_node_get(props, "SourceAccessConfigurations"));
        allow(c, role, &p, name, props, ACTIONS("rds:DescribeDBClusterParameters"),
              built_arn(c, props, "rds", "cluster-pg:*"));
        allow(c, role, &p, name, props, ACTIONS("rds:DescribeDBSubnetGroups"), built_arn(c, props, "rds", "subgrp:*"));
        allow(c, role, &p, name, cluster ? cluster : props, ACTIONS("rds:DescribeDBClusters"),
              resource_value(c, cluster, props, "Cluster"));
        allow(c, role, &p, name, props, eni_actions,
              slsec_node_new_scalar(c->arena, props, "*", SLSEC_NF_QUOTED));
        kms_grant(c, role, &p, name, props);
    }
    const slsec_node *on_failure = slsec_node_get(slsec_node_get(props, "DestinationConfig"), "OnFailure");
    if (on_failure)
        destination_policy(c, role, slsec_arena_printf(c->arena, "%s%s", fn->id, event), on_failure);
}

static slsec_role *implicit_role(cfn_ctx *c, slsec_function *fn, slsec_resource *r)
{
    slsec_role *role = slsec_arena_alloc(c->arena, sizeof *role);
    role->id = slsec_arena_printf(c->arena, "%sRole", fn->id);
    const slsec_node *pol = cfn_prop_raw(r, "Policies");
    role->loc = pol ? cfn_loc(c, slsec_node_get_key(r->props, "Policies")) : fn->loc;
    role->implicit = true;
    role->resource = r;
    /* AssumeRolePolicyDocument replaces the trust SAM writes by default. */
    const slsec_node *trust_doc = cfn_prop_raw(r, "AssumeRolePolicyDocument");
    if (trust_doc)
        cfn_policy_document(c, trust_doc, &role->trust);
    if (!role->trust.count) {
        slsec_statement *trust = slsec_arena_alloc(c->arena, sizeof *trust);
        trust->allow = true;
        trust->loc = fn->loc;
        slsec_ptrvec_push(c->arena, &trust->principals, "Service:lambda.amazonaws.com");
        slsec_ptrvec_push(c->arena, &trust->actions,
                          slsec_node_new_scalar(c->arena, NULL, "sts:AssumeRole", SLSEC_NF_QUOTED));
        slsec_ptrvec_push(c->arena, &role->trust, trust);
    }
    /* Durable functions get the durable variant of the basic policy, which
     * includes what the basic one grants. */
    const slsec_node *durable = cfn_prop(c, r, "DurableConfig");
    add_managed(c, role,
                durable && !(durable->flags & SLSEC_NF_NULL) ? "service-role/AWSLambdaBasicDurableExecutionRolePolicy"
                        : "service-role/AWSLambdaBasicExecutionRole",
                NULL);
    ((slsec_policy *)role->policies.items[0])->loc = fn->loc;
    if (fn->in_vpc)
        add_managed(c, role, "service-role/AWSLambdaVPCAccessExecutionRole", NULL);
    /* SAM adds the X-Ray policy for any Tracing but Disabled, PassThrough
     * included, and for values it cannot see (an intrinsic). */
    const slsec_node *tracing = cfn_prop(c, r, "Tracing");
    const char *mode = slsec_node_str(tracing);
    if (tracing && !(tracing->flags & SLSEC_NF_NULL) && !(mode && (!*mode || !strcmp(mode, "Disabled"))))
        add_managed(c, role, "AWSXrayWriteOnlyAccess", NULL);
    cfn_sam_policies(c, role, pol);
    function_grants(c, fn, role, r);
    role->boundary = cfn_prop(c, r, "PermissionsBoundary");
    slsec_strmap_put(c->roles, role->id, role);
    slsec_ptrvec_push(c->arena, &c->app->roles, role);
    return role;
}

/* SNS events with SqsSubscription reach the function through a queue SAM
 * creates (or the one given): the function polls it, it is not invoked
 * asynchronously by the topic. */
static bool sqs_subscription(const slsec_node *props)
{
    const slsec_node *sub = slsec_node_get(props, "SqsSubscription");
    bool b;
    if (slsec_node_bool(sub, &b))
        return b;
    if (!slsec_node_is_map(sub))
        return false; /* SAM takes a boolean or {QueueArn, QueueUrl, Enabled, ...} */
    const slsec_node *en = slsec_node_get(sub, "Enabled");
    return !(en && slsec_node_bool(en, &b) && !b);
}

static void sam_event(cfn_ctx *c, slsec_function *fn, const slsec_node *name_key, const slsec_node *ev)
{
    const char *type = slsec_node_get_str(ev, "Type");
    const slsec_node *raw_props = slsec_node_get(ev, "Properties");
    const char *name = slsec_node_str(name_key);
    if (!name) {
        cfn_warn(c, name_key, "%s: an event name must be a string", fn->id);
        return;
    }
    if (!type) {
        cfn_warn(c, name_key, "%s: event %s has no Type", fn->id, name);
        return;
    }
    if (!strcmp(type, "Api")) {
        cfn_api_sam_event(c, fn, name, name_key, raw_props, SLSEC_API_REST);
        return;
    }
    if (!strcmp(type, "HttpApi")) {
        cfn_api_sam_event(c, fn, name, name_key, raw_props, SLSEC_API_HTTP);
        return;
    }
    static const struct { const char *type, *source_prop; slsec_trigger_kind kind; const char *poller; } map[] = {
        {"S3", "Bucket", SLSEC_TRIGGER_S3, NULL},
        {"SQS", "Queue", SLSEC_TRIGGER_SQS, "service-role/AWSLambdaSQSQueueExecutionRole"},
        {"SNS", "Topic", SLSEC_TRIGGER_SNS, NULL},
        {"Schedule", NULL, SLSEC_TRIGGER_SCHEDULE, NULL},
        {"ScheduleV2", NULL, SLSEC_TRIGGER_SCHEDULE, NULL},
        {"EventBridgeRule", NULL, SLSEC_TRIGGER_EVENTBRIDGE, NULL},
        {"CloudWatchEvent", NULL, SLSEC_TRIGGER_EVENTBRIDGE, NULL},
        {"DynamoDB", "Stream", SLSEC_TRIGGER_DYNAMODB, "service-role/AWSLambdaDynamoDBExecutionRole"},
        {"Kinesis", "Stream", SLSEC_TRIGGER_KINESIS, "service-role/AWSLambdaKinesisExecutionRole"},
        {"MSK", "Stream", SLSEC_TRIGGER_OTHER, "service-role/AWSLambdaMSKExecutionRole"},
        {"SelfManagedKafka", NULL, SLSEC_TRIGGER_OTHER, NULL},
        {"MQ", "Broker", SLSEC_TRIGGER_OTHER, NULL},
        {"DocumentDB", "Cluster", SLSEC_TRIGGER_OTHER, NULL},
    };
    bool implicit = fn->role && fn->role->implicit;
    const slsec_node *props = cfn_resolve(c, raw_props);
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strcmp(type, map[i].type) != 0)
            continue;
        const char *src = map[i].source_prop ? cfn_ref_target(c, slsec_node_get(raw_props, map[i].source_prop)) : NULL;
        slsec_trigger_kind kind = map[i].kind;
        const char *poller = map[i].poller;
        if (kind == SLSEC_TRIGGER_SNS && sqs_subscription(props)) {
            kind = SLSEC_TRIGGER_SQS;
            poller = "service-role/AWSLambdaSQSQueueExecutionRole";
            const slsec_node *sub = slsec_node_get(raw_props, "SqsSubscription");
            const char *queue = cfn_ref_target(c, slsec_node_get(sub, "QueueArn"));
            if (queue)
                src = queue;
        }
        slsec_trigger *t = cfn_add_trigger(c, fn, kind, name, name_key, src);
        const slsec_node *input = slsec_node_get(raw_props, "Input");
        if (kind == SLSEC_TRIGGER_SCHEDULE && input && warming_input(c, input))
            fn->keep_warm_loc = cfn_loc(c, input);
        if (poller || kind == SLSEC_TRIGGER_OTHER)
            esm_failure(t, props);
        if (poller && implicit)
            add_managed(c, fn->role, poller, name_key);
        if (implicit)
            event_grants(c, fn, fn->role, type, name, props);
        /* Stream and queue pollers take an on-failure destination on the event. */
        if (has_on_failure(slsec_node_get(props, "DestinationConfig")))
            fn->has_on_failure = SLSEC_YES;
        return;
    }
    cfn_add_trigger(c, fn, SLSEC_TRIGGER_OTHER, name, name_key, NULL);
}

static void sam_function_link(cfn_ctx *c, slsec_resource *r)
{
    slsec_function *fn = slsec_strmap_get(c->functions, r->id);
    if (!fn)
        return;
    const slsec_node *role_raw = cfn_prop_raw(r, "Role");
    if (!role_raw && c->globals)
        role_raw = slsec_node_get(cfn_sam_globals(c, "Function"), "Role");
    if (role_raw) {
        fn->role = cfn_role_by_ref(c, role_raw);
    } else {
        fn->role = implicit_role(c, fn, r);
    }
    if (fn->role)
        slsec_ptrvec_push(c->arena, &fn->role->functions, fn);

    const slsec_node *events = cfn_prop_raw(r, "Events");
    if (events && !slsec_node_is_map(events)) {
        cfn_warn(c, events, "%s: Events must be a mapping of event names to events", fn->id);
        return;
    }
    for (size_t i = 0; events && i < events->count; i++)
        sam_event(c, fn, events->items[2 * i], events->items[2 * i + 1]);
}

const cfn_type_handler cfn_lambda_handlers[] = {
    {"AWS::Lambda::Function", {function_create, function_link, NULL}},
    {"AWS::Serverless::Function", {sam_function_create, sam_function_link, NULL}},
    {"AWS::Lambda::Url", {NULL, url_link, NULL}},
    {"AWS::Lambda::Permission", {NULL, permission_link, NULL}},
    {"AWS::Lambda::EventSourceMapping", {NULL, esm_link, NULL}},
    {"AWS::Lambda::EventInvokeConfig", {NULL, invoke_config_link, NULL}},
    {"AWS::Lambda::Version", {NULL, version_link, NULL}},
    {"AWS::Lambda::Alias", {NULL, version_link, NULL}},
    {"AWS::Lambda::CodeSigningConfig", {code_signing_create, NULL, NULL}},
    {"AWS::Lambda::LayerVersion", {NULL, NULL, NULL}},
    {"AWS::Lambda::LayerVersionPermission", {NULL, layer_permission_link, NULL}},
    {"AWS::Serverless::LayerVersion", {NULL, NULL, NULL}},
    {"AWS::Serverless::Application", {NULL, NULL, NULL}},
    {"AWS::S3::Bucket", {NULL, bucket_notifications_link, NULL}},
    {"AWS::SNS::Subscription", {NULL, subscription_link, NULL}},
    {"AWS::Events::Rule", {NULL, rule_link, NULL}},
};
CFN_TABLE_END(lambda)
