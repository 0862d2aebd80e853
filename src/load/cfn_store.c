/*
 * cfn_store.c — where an application keeps its data: buckets, tables,
 * queues, topics, streams, secrets, parameters, KMS keys, log groups and
 * state machines, with the resource policies and rotation schedules that
 * point at them.
 *
 * Each store records what the template states, as the service applies it:
 *   - encryption at rest: YES where the service always encrypts (S3 since
 *     January 2023, DynamoDB, Secrets Manager, CloudWatch Logs), otherwise
 *     what the template configures; `kms_key` is the customer key when one is
 *     named (kept even when its value is unknowable, so "some key" is not
 *     mistaken for "no key");
 *   - SQS: KmsMasterKeyId or SqsManagedSseEnabled: true count as encrypted.
 *     New queues get SSE-SQS by default since 2022, but only as a service
 *     default the template does not state (and `SqsManagedSseEnabled: false`
 *     turns it off), so a queue that sets neither is recorded as NO and the
 *     rule's message says exactly that;
 *   - KMS keys: rotation is not applicable to asymmetric/HMAC keys, imported
 *     key material or custom key stores, which cannot rotate automatically:
 *     those stay UNKNOWN, so no rule asks for the impossible;
 *   - log groups: `/aws/lambda/<function>` names (literal, Sub or Join) and a
 *     function's LoggingConfig.LogGroup link the group to its function.
 *   - queues: RedrivePolicy with a deadLetterTargetArn; buckets: server
 *     access logs (LoggingConfiguration), and whether other buckets log to
 *     them; state machines: logging and X-Ray tracing; KMS keys: the key
 *     policy, as statements; secrets and SSM parameters: a value written
 *     in the template as a literal (not a parameter or dynamic reference).
 * Values the template leaves to deploy time stay UNKNOWN.
 */
#include "cfn_internal.h"

#include <stdio.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------------ */

static bool is_if(const slsec_node *raw)
{
    if (!raw)
        return false;
    if (raw->tag && strcmp(raw->tag, "!If") == 0)
        return true;
    return slsec_node_is_map(raw) && raw->count == 1 && raw->items[0]->kind == SLSEC_NODE_SCALAR &&
           strcmp(raw->items[0]->str, "Fn::If") == 0;
}

/* Is a property given? NO when absent, AWS::NoValue or an empty string;
 * UNKNOWN when it hangs on a condition we cannot decide; YES otherwise
 * (a Ref to a parameter without default still names *something*). */
static slsec_tri present(cfn_ctx *c, const slsec_resource *r, const char *key, const slsec_node **out)
{
    const slsec_node *v = cfn_prop(c, r, key);
    if (out)
        *out = v;
    if (!v || (v->flags & SLSEC_NF_NULL))
        return SLSEC_NO;
    if (v->kind == SLSEC_NODE_SCALAR && !(v->flags & SLSEC_NF_UNKNOWN) && v->str[0] == '\0')
        return SLSEC_NO;
    if ((v->flags & SLSEC_NF_UNKNOWN) && is_if(cfn_prop_raw(r, key)))
        return SLSEC_UNKNOWN;
    return SLSEC_YES;
}

/* A boolean inside a resolved sub-configuration. `absent` when the key is
 * missing from a real map; UNKNOWN when the configuration itself is not a
 * map we can read (an unresolved If, say). */
static slsec_tri sub_tri(const slsec_node *conf, const char *key, slsec_tri absent)
{
    if (!slsec_node_is_map(conf))
        return SLSEC_UNKNOWN;
    return cfn_tri(slsec_node_get(conf, key), absent);
}

static const char *literal(const slsec_node *n)
{
    return slsec_node_str(n);
}

/* The state of the resource's own Condition: YES when it has none. */
static slsec_tri exists(cfn_ctx *c, const slsec_resource *r)
{
    return r->condition ? cfn_condition(c, r->condition) : SLSEC_YES;
}

static bool same_file(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static slsec_store *new_store(cfn_ctx *c, slsec_resource *r, slsec_store_kind kind)
{
    slsec_store *s = slsec_arena_alloc(c->arena, sizeof *s);
    s->id = r->id;
    s->loc = r->loc;
    s->resource = r;
    s->kind = kind;
    /* What does not apply to a kind stays unknown: no rule judges it. */
    s->encrypted = SLSEC_UNKNOWN;
    s->versioning = SLSEC_UNKNOWN;
    s->lifecycle = SLSEC_UNKNOWN;
    s->point_in_time_recovery = SLSEC_UNKNOWN;
    s->rotation = SLSEC_UNKNOWN;
    s->logging = SLSEC_UNKNOWN;
    s->tracing = SLSEC_UNKNOWN;
    s->redrive = SLSEC_UNKNOWN;
    s->access_logging = SLSEC_UNKNOWN;
    s->retention_days = SLSEC_NUM_UNKNOWN;
    s->retention_loc = r->loc;
    s->policy_loc = r->loc;
    s->pab.block_public_acls = s->pab.ignore_public_acls = SLSEC_UNKNOWN;
    s->pab.block_public_policy = s->pab.restrict_public_buckets = SLSEC_UNKNOWN;
    s->pab.loc = r->loc;
    slsec_strmap_put(c->stores, r->id, s);
    slsec_ptrvec_push(c->arena, &c->app->stores, s);
    return s;
}

static const char *function_name(cfn_ctx *c, const slsec_function *fn)
{
    return fn->resource ? literal(cfn_prop(c, fn->resource, "FunctionName")) : NULL;
}

/* Index of the template's literal physical names, so lookups by name stay
 * linear in the template's size. Functions are filed under kind "fn". */
static slsec_strmap *physical_names(cfn_ctx *c)
{
    if (c->physical_names)
        return c->physical_names;
    slsec_strmap *m = slsec_strmap_new(c->arena);
    for (size_t i = 0; i < c->app->stores.count; i++) {
        slsec_store *s = c->app->stores.items[i];
        if (!s->name || !same_file(s->loc.file, c->file))
            continue;
        const char *key = slsec_arena_printf(c->arena, "%d\x1f%s", (int)s->kind, s->name);
        if (!slsec_strmap_get(m, key))
            slsec_strmap_put(m, key, s);
    }
    for (size_t i = 0; i < c->app->functions.count; i++) {
        slsec_function *fn = c->app->functions.items[i];
        const char *name = same_file(fn->loc.file, c->file) ? function_name(c, fn) : NULL;
        if (!name)
            continue;
        const char *key = slsec_arena_printf(c->arena, "fn\x1f%s", name);
        if (!slsec_strmap_get(m, key))
            slsec_strmap_put(m, key, fn);
    }
    c->physical_names = m;
    return m;
}

/* A store of this template by reference (Ref/GetAtt/Sub) or, failing that,
 * by its literal physical name. */
static slsec_store *store_lookup(cfn_ctx *c, const slsec_node *raw, slsec_store_kind kind)
{
    slsec_store *s = cfn_store_by_ref(c, raw);
    if (s)
        return s->kind == kind ? s : NULL;
    const char *name = slsec_node_str(cfn_resolve(c, raw));
    if (!name)
        return NULL;
    char key[600];
    snprintf(key, sizeof key, "%d\x1f%s", (int)kind, name);
    return slsec_strmap_get(physical_names(c), key);
}

/* ---- S3 --------------------------------------------------------------------------- */

static slsec_tri bucket_versioning(const slsec_node *vc)
{
    if (!vc)
        return SLSEC_NO;
    if (!slsec_node_is_map(vc))
        return SLSEC_UNKNOWN;
    const slsec_node *st = slsec_node_get(vc, "Status");
    if (!st)
        return SLSEC_NO;
    const char *s = slsec_node_str(st);
    if (!s)
        return SLSEC_UNKNOWN;
    return strcmp(s, "Enabled") == 0 ? SLSEC_YES : SLSEC_NO;
}

/* Any rule whose Status is Enabled. */
static slsec_tri bucket_lifecycle(const slsec_node *lc)
{
    if (!lc)
        return SLSEC_NO;
    const slsec_node *rules = slsec_node_get(lc, "Rules");
    if (!slsec_node_is_map(lc) || (rules && !slsec_node_is_seq(rules)))
        return SLSEC_UNKNOWN;
    slsec_tri t = SLSEC_NO;
    for (size_t i = 0; rules && i < rules->count; i++) {
        const slsec_node *st = slsec_node_get(rules->items[i], "Status");
        const char *s = slsec_node_str(st);
        if (s && strcmp(s, "Enabled") == 0)
            return SLSEC_YES;
        if (!slsec_node_is_map(rules->items[i]) || !s)
            t = SLSEC_UNKNOWN;
    }
    return t;
}

static void bucket_encryption(slsec_store *s, const slsec_node *enc)
{
    /* S3 applies SSE-S3 to every new object since January 2023; the template
     * may only choose a stronger (KMS) default. */
    s->encrypted = SLSEC_YES;
    const slsec_node *confs = slsec_node_get(enc, "ServerSideEncryptionConfiguration");
    for (size_t i = 0; slsec_node_is_seq(confs) && i < confs->count; i++) {
        const slsec_node *def = slsec_node_get(confs->items[i], "ServerSideEncryptionByDefault");
        const slsec_node *key = slsec_node_get(def, "KMSMasterKeyID");
        if (key && !(key->flags & SLSEC_NF_NULL)) {
            s->kms_key = key;
            return;
        }
    }
}

static void bucket_create(cfn_ctx *c, slsec_resource *r)
{
    slsec_store *s = new_store(c, r, SLSEC_STORE_BUCKET);
    s->name = literal(cfn_prop(c, r, "BucketName"));
    bucket_encryption(s, cfn_prop(c, r, "BucketEncryption"));
    s->versioning = bucket_versioning(cfn_prop(c, r, "VersioningConfiguration"));
    s->lifecycle = bucket_lifecycle(cfn_prop(c, r, "LifecycleConfiguration"));
    s->acl = literal(cfn_prop(c, r, "AccessControl"));
    /* Server access logs: a LoggingConfiguration block (its destination
     * defaults to the bucket itself). */
    const slsec_node *lc;
    s->access_logging = present(c, r, "LoggingConfiguration", &lc);

    const slsec_node *pab = cfn_prop(c, r, "PublicAccessBlockConfiguration");
    const slsec_node *pab_raw = cfn_prop_raw(r, "PublicAccessBlockConfiguration");
    s->pab.present = pab != NULL;
    if (pab) {
        s->pab.loc = cfn_loc(c, slsec_node_get_key(r->props, "PublicAccessBlockConfiguration"));
        if (!s->pab.loc.line)
            s->pab.loc = cfn_loc(c, pab_raw ? pab_raw : pab);
        /* A flag left out of the configuration is false. */
        s->pab.block_public_acls = sub_tri(pab, "BlockPublicAcls", SLSEC_NO);
        s->pab.ignore_public_acls = sub_tri(pab, "IgnorePublicAcls", SLSEC_NO);
        s->pab.block_public_policy = sub_tri(pab, "BlockPublicPolicy", SLSEC_NO);
        s->pab.restrict_public_buckets = sub_tri(pab, "RestrictPublicBuckets", SLSEC_NO);
    } else {
        s->pab.block_public_acls = s->pab.ignore_public_acls = SLSEC_NO;
        s->pab.block_public_policy = s->pab.restrict_public_buckets = SLSEC_NO;
    }
}

/* A bucket that receives another bucket's access logs is a log bucket:
 * logging it to itself would loop, so rules leave its own logging alone. */
static void bucket_logging_link(cfn_ctx *c, slsec_resource *r)
{
    const slsec_node *lc = cfn_prop_raw(r, "LoggingConfiguration");
    const slsec_node *dest = slsec_node_get(lc, "DestinationBucketName");
    slsec_store *target = dest ? store_lookup(c, dest, SLSEC_STORE_BUCKET) : NULL;
    if (target && strcmp(target->id, r->id) != 0)
        target->access_log_target = true;
}

static void attach_statements(cfn_ctx *c, slsec_store *s, slsec_resource *r, const slsec_ptrvec *stmts)
{
    s->has_policy = true;
    s->policy_loc = r->loc;
    for (size_t i = 0; i < stmts->count; i++)
        slsec_ptrvec_push(c->arena, &s->policy, stmts->items[i]);
}

static void bucket_policy_link(cfn_ctx *c, slsec_resource *r)
{
    if (exists(c, r) == SLSEC_NO)
        return;
    slsec_store *s = store_lookup(c, cfn_prop_raw(r, "Bucket"), SLSEC_STORE_BUCKET);
    if (!s)
        return;
    slsec_ptrvec stmts = {0};
    cfn_policy_document(c, cfn_prop_raw(r, "PolicyDocument"), &stmts);
    attach_statements(c, s, r, &stmts);
}

/* QueuePolicy.Queues / TopicPolicy.Topics: one document, several stores. */
static void multi_policy_link(cfn_ctx *c, slsec_resource *r, const char *list_key, slsec_store_kind kind)
{
    if (exists(c, r) == SLSEC_NO)
        return;
    const slsec_node *list = cfn_prop_raw(r, list_key);
    if (!slsec_node_is_seq(list) || list->tag)
        list = cfn_prop(c, r, list_key);
    if (!slsec_node_is_seq(list))
        return;
    slsec_ptrvec stmts = {0};
    bool read = false;
    for (size_t i = 0; i < list->count; i++) {
        slsec_store *s = store_lookup(c, list->items[i], kind);
        if (!s)
            continue;
        if (!read) {
            cfn_policy_document(c, cfn_prop_raw(r, "PolicyDocument"), &stmts);
            read = true;
        }
        attach_statements(c, s, r, &stmts);
    }
}

static void queue_policy_link(cfn_ctx *c, slsec_resource *r)
{
    multi_policy_link(c, r, "Queues", SLSEC_STORE_QUEUE);
}

static void topic_policy_link(cfn_ctx *c, slsec_resource *r)
{
    multi_policy_link(c, r, "Topics", SLSEC_STORE_TOPIC);
}

/* ---- DynamoDB -------------------------------------------------------------------- */

static void table_sse(cfn_ctx *c, slsec_store *s, slsec_resource *r)
{
    /* DynamoDB encrypts every table at rest; SSESpecification only chooses a
     * KMS key instead of the AWS owned one. */
    s->encrypted = SLSEC_YES;
    const slsec_node *sse = cfn_prop(c, r, "SSESpecification");
    if (sub_tri(sse, "SSEEnabled", SLSEC_NO) == SLSEC_NO)
        return;
    const slsec_node *key = slsec_node_get(sse, "KMSMasterKeyId");
    if (key && !(key->flags & SLSEC_NF_NULL))
        s->kms_key = key;
}

static void table_create(cfn_ctx *c, slsec_resource *r)
{
    slsec_store *s = new_store(c, r, SLSEC_STORE_TABLE);
    s->name = literal(cfn_prop(c, r, "TableName"));
    table_sse(c, s, r);
    const slsec_node *pitr = cfn_prop(c, r, "PointInTimeRecoverySpecification");
    s->point_in_time_recovery = pitr ? sub_tri(pitr, "PointInTimeRecoveryEnabled", SLSEC_NO) : SLSEC_NO;
}

static void simple_table_create(cfn_ctx *c, slsec_resource *r)
{
    slsec_store *s = new_store(c, r, SLSEC_STORE_TABLE);
    s->name = literal(cfn_prop(c, r, "TableName"));
    table_sse(c, s, r);
    /* SAM's SimpleTable has no property for point-in-time recovery. */
    s->point_in_time_recovery = SLSEC_NO;
}

/* ---- SQS / SNS ----------------------------------------------------------------------- */

/* RedrivePolicy names a dead-letter queue (deadLetterTargetArn); the
 * property may also be a JSON string, as the older docs show. */
static slsec_tri queue_redrive(cfn_ctx *c, slsec_resource *r)
{
    const slsec_node *rp;
    slsec_tri t = present(c, r, "RedrivePolicy", &rp);
    if (t != SLSEC_YES)
        return t;
    if (slsec_node_is_map(rp))
        return slsec_node_get(rp, "deadLetterTargetArn") ? SLSEC_YES : SLSEC_NO;
    if (slsec_node_str(rp))
        return strstr(rp->str, "deadLetterTargetArn") ? SLSEC_YES : SLSEC_NO;
    return SLSEC_UNKNOWN;
}

static void queue_create(cfn_ctx *c, slsec_resource *r)
{
    slsec_store *s = new_store(c, r, SLSEC_STORE_QUEUE);
    s->name = literal(cfn_prop(c, r, "QueueName"));
    s->redrive = queue_redrive(c, r);
    const slsec_node *key;
    slsec_tri kms = present(c, r, "KmsMasterKeyId", &key);
    slsec_tri sqs = cfn_tri(cfn_prop(c, r, "SqsManagedSseEnabled"), SLSEC_NO);
    if (kms == SLSEC_YES) {
        s->kms_key = key;
        s->encrypted = SLSEC_YES;
    } else if (sqs == SLSEC_YES) {
        s->encrypted = SLSEC_YES;
    } else if (kms == SLSEC_UNKNOWN || sqs == SLSEC_UNKNOWN) {
        s->encrypted = SLSEC_UNKNOWN;
    } else {
        s->encrypted = SLSEC_NO;
    }
}

static void topic_create(cfn_ctx *c, slsec_resource *r)
{
    slsec_store *s = new_store(c, r, SLSEC_STORE_TOPIC);
    s->name = literal(cfn_prop(c, r, "TopicName"));
    const slsec_node *key;
    s->encrypted = present(c, r, "KmsMasterKeyId", &key);
    if (s->encrypted == SLSEC_YES)
        s->kms_key = key;
}

/* ---- KMS ----------------------------------------------------------------------------- */

static void key_create(cfn_ctx *c, slsec_resource *r)
{
    slsec_store *s = new_store(c, r, SLSEC_STORE_KEY);
    const slsec_node *kp = cfn_prop_raw(r, "KeyPolicy");
    if (kp) {
        s->has_policy = true;
        s->policy_loc = cfn_loc(c, slsec_node_get_key(r->props, "KeyPolicy"));
        cfn_policy_document(c, kp, &s->policy);
    }
    s->rotation = cfn_tri(cfn_prop(c, r, "EnableKeyRotation"), SLSEC_NO);
    if (s->rotation == SLSEC_YES)
        return;
    /* Only symmetric encryption keys with KMS-generated material in the
     * default key store can rotate automatically. */
    const slsec_node *spec = cfn_prop(c, r, "KeySpec");
    if (spec && !(spec->flags & SLSEC_NF_NULL)) {
        const char *t = slsec_node_str(spec);
        if (!t || strcmp(t, "SYMMETRIC_DEFAULT") != 0)
            s->rotation = SLSEC_UNKNOWN;
    }
    const slsec_node *origin = cfn_prop(c, r, "Origin");
    if (origin && !(origin->flags & SLSEC_NF_NULL)) {
        const char *t = slsec_node_str(origin);
        if (!t || strcmp(t, "AWS_KMS") != 0)
            s->rotation = SLSEC_UNKNOWN;
    }
}

/* ---- CloudWatch Logs ------------------------------------------------------------------ */

static void log_group_create(cfn_ctx *c, slsec_resource *r)
{
    slsec_store *s = new_store(c, r, SLSEC_STORE_LOG_GROUP);
    const slsec_node *ret = cfn_prop(c, r, "RetentionInDays");
    s->retention_days = cfn_num(ret);
    if (ret)
        s->retention_loc = cfn_loc(c, cfn_prop_raw(r, "RetentionInDays"));
    /* CloudWatch Logs always encrypts; KmsKeyId adds a key the owner controls. */
    s->encrypted = SLSEC_YES;
    const slsec_node *key;
    if (present(c, r, "KmsKeyId", &key) != SLSEC_NO)
        s->kms_key = key;
    s->name = literal(cfn_prop(c, r, "LogGroupName"));
}

/* The function whose default log group this is: "/aws/lambda/" followed by
 * ${Fn} (a Ref, Sub or Join on a function of the template, which the
 * resolver keeps symbolic) or by a function's literal FunctionName. */
static slsec_function *log_group_function(cfn_ctx *c, const slsec_node *name)
{
    static const char prefix[] = "/aws/lambda/";
    if (!slsec_node_is_scalar(name) || (name->flags & SLSEC_NF_NULL) || !slsec_str_has_prefix(name->str, prefix))
        return NULL;
    const char *rest = name->str + sizeof prefix - 1;
    if (name->flags & SLSEC_NF_UNKNOWN) {
        size_t n = strlen(rest);
        if (n < 4 || rest[0] != '$' || rest[1] != '{' || rest[n - 1] != '}' || memchr(rest + 2, '}', n - 3))
            return NULL;
        char *id = slsec_arena_strndup(c->arena, rest + 2, n - 3);
        return slsec_strmap_get(c->functions, id);
    }
    char key[600];
    snprintf(key, sizeof key, "fn\x1f%s", rest);
    return slsec_strmap_get(physical_names(c), key);
}

static void log_group_link(cfn_ctx *c, slsec_resource *r)
{
    slsec_store *s = slsec_strmap_get(c->stores, r->id);
    if (!s || s->kind != SLSEC_STORE_LOG_GROUP)
        return;
    slsec_function *fn = log_group_function(c, cfn_prop(c, r, "LogGroupName"));
    if (fn && !fn->log_group)
        fn->log_group = s;
}

/* LoggingConfig.LogGroup on a function names where its logs really go, so
 * it wins over a group that merely carries the default name. Runs in FINISH,
 * after the log groups have linked by name. */
static void function_logging_finish(cfn_ctx *c, slsec_resource *r)
{
    slsec_function *fn = slsec_strmap_get(c->functions, r->id);
    if (!fn)
        return;
    const slsec_node *conf = cfn_prop_raw(r, "LoggingConfig");
    if (!conf && c->sam && strcmp(r->type, "AWS::Serverless::Function") == 0)
        conf = slsec_node_get(cfn_sam_globals(c, "Function"), "LoggingConfig");
    const slsec_node *raw = slsec_node_get(conf, "LogGroup");
    if (!raw)
        return;
    slsec_store *s = store_lookup(c, raw, SLSEC_STORE_LOG_GROUP);
    if (s)
        fn->log_group = s;
}

/* ---- Secrets Manager ----------------------------------------------------------------- */

/* A value written into the template as it is: not a parameter, not a
 * dynamic reference ({{resolve:...}}), not built from anything unknowable. */
static const slsec_node *literal_value(cfn_ctx *c, const slsec_resource *r, const char *key)
{
    const slsec_node *v = cfn_prop(c, r, key);
    if (!slsec_node_is_scalar(v) || (v->flags & (SLSEC_NF_UNKNOWN | SLSEC_NF_NULL)) || !v->str[0])
        return NULL;
    if (strstr(v->str, "{{resolve:"))
        return NULL;
    const slsec_node *raw = cfn_prop_raw(r, key);
    return raw ? raw : v;
}

static void secret_create(cfn_ctx *c, slsec_resource *r)
{
    slsec_store *s = new_store(c, r, SLSEC_STORE_SECRET);
    s->name = literal(cfn_prop(c, r, "Name"));
    s->encrypted = SLSEC_YES; /* always, with aws/secretsmanager unless KmsKeyId */
    const slsec_node *key;
    if (present(c, r, "KmsKeyId", &key) != SLSEC_NO)
        s->kms_key = key;
    s->rotation = SLSEC_NO; /* until a RotationSchedule names it */
    s->secret_literal = literal_value(c, r, "SecretString");
}

static void rotation_schedule_link(cfn_ctx *c, slsec_resource *r)
{
    slsec_tri e = exists(c, r);
    if (e == SLSEC_NO)
        return;
    slsec_store *s = store_lookup(c, cfn_prop_raw(r, "SecretId"), SLSEC_STORE_SECRET);
    if (!s || s->rotation == SLSEC_YES)
        return;
    s->rotation = e == SLSEC_YES ? SLSEC_YES : SLSEC_UNKNOWN;
}

/* ---- Kinesis, SSM, Step Functions ------------------------------------------------------ */

static void stream_create(cfn_ctx *c, slsec_resource *r)
{
    slsec_store *s = new_store(c, r, SLSEC_STORE_STREAM);
    s->name = literal(cfn_prop(c, r, "Name"));
    const slsec_node *enc;
    s->encrypted = present(c, r, "StreamEncryption", &enc);
    if (s->encrypted == SLSEC_YES) {
        const slsec_node *key = slsec_node_get(enc, "KeyId");
        if (key && !(key->flags & SLSEC_NF_NULL))
            s->kms_key = key;
    }
}

static void parameter_create(cfn_ctx *c, slsec_resource *r)
{
    slsec_store *s = new_store(c, r, SLSEC_STORE_PARAMETER);
    s->name = literal(cfn_prop(c, r, "Name"));
    /* CloudFormation creates only String and StringList parameters:
     * SecureString is not supported, so a parameter it makes is plaintext. */
    s->encrypted = SLSEC_NO;
    s->secret_literal = literal_value(c, r, "Value");
}

static slsec_tri state_machine_logging(const slsec_node *conf)
{
    if (!conf)
        return SLSEC_NO;
    if (!slsec_node_is_map(conf))
        return SLSEC_UNKNOWN;
    const slsec_node *level = slsec_node_get(conf, "Level");
    if (!level)
        return SLSEC_NO; /* the level defaults to OFF */
    const char *l = slsec_node_str(level);
    if (!l)
        return SLSEC_UNKNOWN;
    return strcmp(l, "OFF") == 0 ? SLSEC_NO : SLSEC_YES;
}

/* TracingConfiguration (CFN) / Tracing (SAM): {Enabled: bool}. */
static slsec_tri state_machine_tracing(const slsec_node *conf)
{
    if (!conf)
        return SLSEC_NO;
    return sub_tri(conf, "Enabled", SLSEC_NO);
}

static void state_machine_create(cfn_ctx *c, slsec_resource *r)
{
    slsec_store *s = new_store(c, r, SLSEC_STORE_STATE_MACHINE);
    s->name = literal(cfn_prop(c, r, "StateMachineName"));
    s->logging = state_machine_logging(cfn_prop(c, r, "LoggingConfiguration"));
    s->tracing = state_machine_tracing(cfn_prop(c, r, "TracingConfiguration"));
}

static void sam_state_machine_create(cfn_ctx *c, slsec_resource *r)
{
    slsec_store *s = new_store(c, r, SLSEC_STORE_STATE_MACHINE);
    s->name = literal(cfn_prop(c, r, "Name"));
    s->logging = state_machine_logging(cfn_prop(c, r, "Logging"));
    s->tracing = state_machine_tracing(cfn_prop(c, r, "Tracing"));
}

const cfn_type_handler cfn_store_handlers[] = {
    {"AWS::S3::Bucket", {bucket_create, bucket_logging_link, NULL}},
    {"AWS::S3::BucketPolicy", {NULL, bucket_policy_link, NULL}},
    {"AWS::DynamoDB::Table", {table_create, NULL, NULL}},
    {"AWS::Serverless::SimpleTable", {simple_table_create, NULL, NULL}},
    {"AWS::SQS::Queue", {queue_create, NULL, NULL}},
    {"AWS::SQS::QueuePolicy", {NULL, queue_policy_link, NULL}},
    {"AWS::SNS::Topic", {topic_create, NULL, NULL}},
    {"AWS::SNS::TopicPolicy", {NULL, topic_policy_link, NULL}},
    {"AWS::KMS::Key", {key_create, NULL, NULL}},
    {"AWS::KMS::Alias", {NULL, NULL, NULL}},
    {"AWS::Logs::LogGroup", {log_group_create, log_group_link, NULL}},
    {"AWS::Lambda::Function", {NULL, NULL, function_logging_finish}},
    {"AWS::Serverless::Function", {NULL, NULL, function_logging_finish}},
    {"AWS::SecretsManager::Secret", {secret_create, NULL, NULL}},
    {"AWS::SecretsManager::RotationSchedule", {NULL, rotation_schedule_link, NULL}},
    {"AWS::Kinesis::Stream", {stream_create, NULL, NULL}},
    {"AWS::SSM::Parameter", {parameter_create, NULL, NULL}},
    {"AWS::StepFunctions::StateMachine", {state_machine_create, NULL, NULL}},
    {"AWS::Serverless::StateMachine", {sam_state_machine_create, NULL, NULL}},
};
CFN_TABLE_END(store)
