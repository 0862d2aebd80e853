/*
 * data.c — the DATA family: how stores keep data (public exposure, transport,
 * versions, retention, backups, encryption at rest and by whose key, access
 * logs, secret and key rotation, secrets written in clear), and who else may
 * use them through resource policies (queues, topics, event buses, keys).
 *
 * Each check reads only the store model (src/load/cfn_store.c fills it) and
 * stays silent on SLSEC_UNKNOWN: a value left to deploy time is neither safe
 * nor unsafe. Findings name the store, its kind and what is missing.
 */
#include "rules_internal.h"

#include <stdio.h>
#include <string.h>

/* ---- helpers -------------------------------------------------------------- */

static const char *rtype(const slsec_store *s)
{
    return s->resource ? s->resource->type : NULL;
}

static bool is_type(const slsec_store *s, const char *type)
{
    return s->resource && s->resource->type && strcmp(s->resource->type, type) == 0;
}

/* Condition keys that narrow "anyone" to a known set of callers: an
 * organisation, an account, a VPC endpoint, a source ARN or network. */
static const char *const restricting_keys[] = {
    "aws:SourceVpce",        "aws:SourceVpc",      "aws:PrincipalOrgID",       "aws:PrincipalOrgPaths",
    "aws:PrincipalAccount",  "aws:PrincipalArn",   "aws:SourceAccount",        "aws:SourceArn",
    "aws:SourceOrgID",       "aws:SourceOrgPaths", "aws:SourceIp",             "aws:VpcSourceIp",
    "aws:userid",            "aws:username",       "aws:PrincipalServiceName", "s3:DataAccessPointAccount",
    "s3:DataAccessPointArn", "kms:CallerAccount",    "aws:SourceOwner",
};

/* Does a (resolved) Condition block restrict who the statement applies to?
 * A block we cannot read counts as restricting: unknown is not unsafe. */
static bool condition_restricts(const slsec_node *cond)
{
    if (!cond)
        return false;
    if (!slsec_node_is_map(cond))
        return true;
    for (size_t i = 0; i < cond->count; i++) {
        const slsec_node *op = cond->items[2 * i + 1];
        if (!slsec_node_is_map(op))
            return true;
        for (size_t k = 0; k < op->count; k++) {
            const char *key = op->items[2 * k]->str;
            for (size_t j = 0; j < sizeof restricting_keys / sizeof restricting_keys[0]; j++)
                if (key && slsec_str_eq_ci(key, restricting_keys[j]))
                    return true;
        }
    }
    return false;
}

/* The statement's actions, for messages: "s3:GetObject, s3:PutObject". */
static const char *actions_text(slsec_check_ctx *ctx, const slsec_statement *st)
{
    slsec_buf b;
    slsec_buf_init(&b);
    size_t shown = 0;
    for (size_t i = 0; i < st->actions.count; i++) {
        const char *a = slsec_statement_action(st, i);
        if (!a)
            continue;
        if (shown == 3) {
            slsec_buf_puts(&b, ", ...");
            break;
        }
        if (shown++)
            slsec_buf_puts(&b, ", ");
        slsec_buf_puts(&b, a);
    }
    const char *out = slsec_arena_strdup(ctx->arena, b.data && b.len ? b.data : "its actions");
    slsec_buf_free(&b);
    if (st->not_action)
        out = slsec_arena_printf(ctx->arena, "every action except %s", out);
    return out;
}

/* ---- DATA-001: bucket public ---------------------------------------------------- */

static const char *acl_meaning(const char *acl)
{
    if (!strcmp(acl, "PublicRead"))
        return "anyone on the internet can list its objects";
    if (!strcmp(acl, "PublicReadWrite"))
        return "anyone on the internet can list, upload and overwrite its objects";
    if (!strcmp(acl, "AuthenticatedRead"))
        return "anyone with any AWS account can list its objects";
    return NULL;
}

static void check_public_bucket(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->stores.count; i++) {
        const slsec_store *s = ctx->app->stores.items[i];
        if (s->kind != SLSEC_STORE_BUCKET)
            continue;
        const char *meaning = s->acl ? acl_meaning(s->acl) : NULL;
        if (meaning)
            slsec_report(ctx, s->id, rtype(s), s->loc, "acl", "bucket %s has AccessControl: %s: %s", s->id, s->acl,
                         meaning);

        for (size_t k = 0; k < s->policy.count; k++) {
            const slsec_statement *st = s->policy.items[k];
            if (!st->allow || !(st->principal_any || st->not_principal) || condition_restricts(st->condition))
                continue;
            const char *key = st->sid ? slsec_arena_printf(ctx->arena, "policy:%s", st->sid)
                                      : slsec_arena_printf(ctx->arena, "policy:%zu", k);
            slsec_finding *f = slsec_report(
                ctx, s->id, rtype(s), st->loc, key,
                "bucket policy of %s allows %s to %s, with no condition limiting the caller (organisation, "
                "account, VPC endpoint or source)",
                s->id, actions_text(ctx, st), st->not_principal ? "every principal but the listed ones (NotPrincipal)"
                                                                 : "any principal (Principal: \"*\")");
            slsec_finding_relate(f, s->loc, "the bucket");
        }

        if (!s->pab.present) {
            slsec_report(ctx, s->id, rtype(s), s->loc, "public-access-block",
                         "bucket %s has no PublicAccessBlockConfiguration: nothing in the template stops an ACL "
                         "or bucket policy from making it public; set BlockPublicAcls, IgnorePublicAcls, "
                         "BlockPublicPolicy and RestrictPublicBuckets to true",
                         s->id);
            continue;
        }
        const struct { const char *name; slsec_tri v; } flags[] = {
            {"BlockPublicAcls", s->pab.block_public_acls},
            {"IgnorePublicAcls", s->pab.ignore_public_acls},
            {"BlockPublicPolicy", s->pab.block_public_policy},
            {"RestrictPublicBuckets", s->pab.restrict_public_buckets},
        };
        char off[160] = "";
        size_t n = 0;
        for (size_t k = 0; k < 4; k++) {
            if (flags[k].v != SLSEC_NO)
                continue;
            size_t used = strlen(off);
            snprintf(off + used, sizeof off - used, "%s%s", n++ ? ", " : "", flags[k].name);
        }
        if (n)
            slsec_report(ctx, s->id, rtype(s), s->pab.loc, "public-access-block",
                         "bucket %s's PublicAccessBlockConfiguration leaves %s false (or unset): public ACLs or "
                         "policies can still expose it",
                         s->id, off);
    }
}

/* ---- DATA-002: no deny on insecure transport -------------------------------------- */

static bool value_is_false(const slsec_node *v, bool *unknown)
{
    if (slsec_node_is_seq(v)) {
        for (size_t i = 0; i < v->count; i++)
            if (value_is_false(v->items[i], unknown))
                return true;
        return false;
    }
    if (slsec_node_is_unknown(v)) {
        *unknown = true;
        return false;
    }
    bool b;
    return slsec_node_bool(v, &b) && !b;
}

/* Deny (everyone, object actions) when aws:SecureTransport is false. */
static bool denies_insecure_transport(const slsec_statement *st, bool *unknown)
{
    if (st->allow)
        return false;
    if (st->condition && !slsec_node_is_map(st->condition)) {
        *unknown = true;
        return false;
    }
    bool covers = st->not_action;
    for (size_t i = 0; !covers && i < st->actions.count; i++) {
        const char *a = slsec_statement_action(st, i);
        if (!a)
            *unknown = true;
        else if (slsec_action_matches(a, "s3:GetObject") || slsec_action_matches(a, "s3:PutObject"))
            covers = true;
    }
    if (!covers || !st->principal_any)
        return false;
    for (size_t i = 0; st->condition && i < st->condition->count; i++) {
        const char *op = st->condition->items[2 * i]->str;
        const slsec_node *m = st->condition->items[2 * i + 1];
        if (!op || !(slsec_str_eq_ci(op, "Bool") || slsec_str_eq_ci(op, "BoolIfExists")))
            continue;
        for (size_t k = 0; slsec_node_is_map(m) && k < m->count; k++)
            if (m->items[2 * k]->str && slsec_str_eq_ci(m->items[2 * k]->str, "aws:SecureTransport") &&
                value_is_false(m->items[2 * k + 1], unknown))
                return true;
    }
    return false;
}

static void check_secure_transport(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->stores.count; i++) {
        const slsec_store *s = ctx->app->stores.items[i];
        if (s->kind != SLSEC_STORE_BUCKET)
            continue;
        if (!s->has_policy) {
            slsec_report(ctx, s->id, rtype(s), s->loc, "secure-transport",
                         "bucket %s has no bucket policy, so it accepts requests over plain HTTP; deny them "
                         "with a statement on aws:SecureTransport false",
                         s->id);
            continue;
        }
        if (!s->policy.count)
            continue; /* a policy document we could not read */
        bool found = false, unknown = false;
        for (size_t k = 0; k < s->policy.count && !found; k++)
            found = denies_insecure_transport(s->policy.items[k], &unknown);
        if (found || unknown)
            continue;
        slsec_finding *f = slsec_report(ctx, s->id, rtype(s), s->policy_loc, "secure-transport",
                                        "bucket policy of %s does not deny requests where aws:SecureTransport "
                                        "is false, so the bucket accepts plain HTTP",
                                        s->id);
        slsec_finding_relate(f, s->loc, "the bucket");
    }
}

/* ---- DATA-003 / DATA-004: versioning, lifecycle ------------------------------------ */

static void check_versioning(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->stores.count; i++) {
        const slsec_store *s = ctx->app->stores.items[i];
        if (s->kind == SLSEC_STORE_BUCKET && s->versioning == SLSEC_NO)
            slsec_report(ctx, s->id, rtype(s), s->loc, "versioning",
                         "bucket %s does not have versioning enabled: an overwrite or delete destroys the only "
                         "copy of an object",
                         s->id);
    }
}

static void check_lifecycle(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->stores.count; i++) {
        const slsec_store *s = ctx->app->stores.items[i];
        if (s->kind == SLSEC_STORE_BUCKET && s->lifecycle == SLSEC_NO)
            slsec_report(ctx, s->id, rtype(s), s->loc, "lifecycle",
                         "bucket %s has no enabled lifecycle rule: objects%s are kept forever", s->id,
                         s->versioning == SLSEC_YES ? " and their old versions" : "");
    }
}

/* ---- DATA-005: point-in-time recovery ------------------------------------------------ */

static void check_pitr(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->stores.count; i++) {
        const slsec_store *s = ctx->app->stores.items[i];
        if (s->kind != SLSEC_STORE_TABLE || s->point_in_time_recovery != SLSEC_NO)
            continue;
        if (is_type(s, "AWS::Serverless::SimpleTable"))
            slsec_report(ctx, s->id, rtype(s), s->loc, "pitr",
                         "table %s is an AWS::Serverless::SimpleTable, which cannot enable point-in-time "
                         "recovery: a bad write or delete cannot be rolled back; use AWS::DynamoDB::Table",
                         s->id);
        else
            slsec_report(ctx, s->id, rtype(s), s->loc, "pitr",
                         "table %s does not enable point-in-time recovery: a bad write or delete cannot be "
                         "rolled back",
                         s->id);
    }
}

/* ---- DATA-006: queue / topic encryption ----------------------------------------------- */

static void check_messaging_encryption(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->stores.count; i++) {
        const slsec_store *s = ctx->app->stores.items[i];
        if (s->encrypted != SLSEC_NO)
            continue;
        if (s->kind == SLSEC_STORE_QUEUE)
            slsec_report(ctx, s->id, rtype(s), s->loc, "encryption",
                         "queue %s sets neither KmsMasterKeyId nor SqsManagedSseEnabled: true, so the template "
                         "does not guarantee its messages are encrypted at rest (SSE-SQS is only a service "
                         "default, and SqsManagedSseEnabled: false turns it off)",
                         s->id);
        else if (s->kind == SLSEC_STORE_TOPIC)
            slsec_report(ctx, s->id, rtype(s), s->loc, "encryption",
                         "topic %s has no KmsMasterKeyId: its messages are stored unencrypted at rest", s->id);
    }
}

/* ---- DATA-007 / DATA-008: rotation ------------------------------------------------------- */

static void check_secret_rotation(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->stores.count; i++) {
        const slsec_store *s = ctx->app->stores.items[i];
        if (s->kind == SLSEC_STORE_SECRET && s->rotation == SLSEC_NO)
            slsec_report(ctx, s->id, rtype(s), s->loc, "rotation",
                         "secret %s has no AWS::SecretsManager::RotationSchedule: its value never changes, so "
                         "a leaked copy stays valid",
                         s->id);
    }
}

static void check_key_rotation(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->stores.count; i++) {
        const slsec_store *s = ctx->app->stores.items[i];
        if (s->kind == SLSEC_STORE_KEY && s->rotation == SLSEC_NO)
            slsec_report(ctx, s->id, rtype(s), s->loc, "rotation",
                         "KMS key %s does not set EnableKeyRotation: true, so its key material is never rotated",
                         s->id);
    }
}

/* ---- DATA-009 / DATA-010 / DATA-014: no customer managed key ------------------------------ */

static void report_no_cmk(slsec_check_ctx *ctx, slsec_store_kind kind, const char *what, const char *prop)
{
    for (size_t i = 0; i < ctx->app->stores.count; i++) {
        const slsec_store *s = ctx->app->stores.items[i];
        if (s->kind != kind || s->kms_key)
            continue;
        slsec_report(ctx, s->id, rtype(s), s->loc, "cmk",
                     "%s %s is encrypted with a key AWS manages (no %s): you cannot restrict who may decrypt it "
                     "with a key policy, audit each decryption, or revoke access by disabling the key",
                     what, s->id, prop);
    }
}

static void check_secret_cmk(slsec_check_ctx *ctx)
{
    report_no_cmk(ctx, SLSEC_STORE_SECRET, "secret", "KmsKeyId");
}

static void check_table_cmk(slsec_check_ctx *ctx)
{
    report_no_cmk(ctx, SLSEC_STORE_TABLE, "table", "SSESpecification.KMSMasterKeyId");
}

static void check_bucket_cmk(slsec_check_ctx *ctx)
{
    report_no_cmk(ctx, SLSEC_STORE_BUCKET, "bucket", "BucketEncryption with aws:kms and a KMSMasterKeyID");
}

/* ---- DATA-011: bucket without server access logs ------------------------------------------- */

static void check_bucket_access_logs(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->stores.count; i++) {
        const slsec_store *s = ctx->app->stores.items[i];
        if (s->kind != SLSEC_STORE_BUCKET || s->access_logging != SLSEC_NO || s->access_log_target)
            continue;
        slsec_report(ctx, s->id, rtype(s), s->loc, "access-logs",
                     "bucket %s has no LoggingConfiguration: requests to its objects (who read or deleted what, "
                     "from where) are not recorded, and CloudTrail does not log object reads by default",
                     s->id);
    }
}

/* ---- DATA-012 / DATA-013 / DATA-017: resource policies open to anyone ------------------------- */

/* Reports every Allow statement of `policy` granting any principal without
 * a condition that narrows the caller. */
static void report_open_statements(slsec_check_ctx *ctx, const slsec_ptrvec *policy, const char *resource,
                                   const char *type, slsec_loc at, const char *what)
{
    for (size_t k = 0; k < policy->count; k++) {
        const slsec_statement *st = policy->items[k];
        if (!st->allow || !(st->principal_any || st->not_principal) || condition_restricts(st->condition))
            continue;
        const char *key = st->sid ? slsec_arena_printf(ctx->arena, "policy:%s", st->sid)
                                  : slsec_arena_printf(ctx->arena, "policy:%zu", k);
        slsec_finding *f = slsec_report(
            ctx, resource, type, st->loc.line ? st->loc : at, key,
            "%s allows %s to %s, with no condition limiting the caller (organisation, account, VPC endpoint or "
            "source)",
            what, st->not_principal ? "every principal but the listed ones (NotPrincipal)" : "any principal (\"*\")",
            actions_text(ctx, st));
        slsec_finding_relate(f, at, resource);
    }
}

static void check_open_messaging_policy(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->stores.count; i++) {
        const slsec_store *s = ctx->app->stores.items[i];
        if (s->kind != SLSEC_STORE_QUEUE && s->kind != SLSEC_STORE_TOPIC)
            continue;
        const char *what = slsec_arena_printf(ctx->arena, "the %s policy of %s",
                                              s->kind == SLSEC_STORE_QUEUE ? "queue" : "topic", s->id);
        report_open_statements(ctx, &s->policy, s->id, rtype(s), s->loc, what);
    }
}

static void check_open_event_bus(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->event_buses.count; i++) {
        const slsec_event_bus *b = ctx->app->event_buses.items[i];
        const char *what = strcmp(b->id, b->bus) == 0
                               ? slsec_arena_printf(ctx->arena, "the resource policy of event bus %s", b->bus)
                               : slsec_arena_printf(ctx->arena, "the policy %s of event bus %s", b->id, b->bus);
        report_open_statements(ctx, &b->policy, b->id, b->type, b->loc, what);
    }
}

static void check_open_key_policy(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->stores.count; i++) {
        const slsec_store *s = ctx->app->stores.items[i];
        if (s->kind != SLSEC_STORE_KEY)
            continue;
        const char *what = slsec_arena_printf(ctx->arena, "the key policy of KMS key %s", s->id);
        report_open_statements(ctx, &s->policy, s->id, rtype(s), s->policy_loc, what);
    }
}

/* ---- DATA-015: Kinesis stream without encryption ---------------------------------------------- */

static void check_stream_encryption(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->stores.count; i++) {
        const slsec_store *s = ctx->app->stores.items[i];
        if (s->kind == SLSEC_STORE_STREAM && s->encrypted == SLSEC_NO)
            slsec_report(ctx, s->id, rtype(s), s->loc, "encryption",
                         "Kinesis stream %s has no StreamEncryption: its records are stored unencrypted for the "
                         "whole retention period",
                         s->id);
    }
}

/* ---- DATA-016: secret in a plaintext SSM parameter ---------------------------------------------- */

static void check_plaintext_parameter(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->stores.count; i++) {
        const slsec_store *s = ctx->app->stores.items[i];
        if (s->kind != SLSEC_STORE_PARAMETER || s->encrypted != SLSEC_NO)
            continue;
        bool by_name = s->name && slsec_rules_secret_name(s->name);
        if (!by_name && !slsec_rules_secret_name(s->id))
            continue;
        slsec_report(ctx, s->id, rtype(s), s->loc, "plaintext",
                     "SSM parameter %s%s%s looks like it holds a secret, but CloudFormation creates only String "
                     "parameters: the value is stored unencrypted and returned to anyone with ssm:GetParameter; "
                     "use a SecureString created outside the template, or Secrets Manager",
                     s->id, by_name ? " named " : "", by_name ? s->name : "");
    }
}

/* ---- DATA-018: secret value written in the template ---------------------------------------------- */

static void check_secret_literal(slsec_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->app->stores.count; i++) {
        const slsec_store *s = ctx->app->stores.items[i];
        if (s->kind != SLSEC_STORE_SECRET || !s->secret_literal)
            continue;
        slsec_loc at = s->loc; /* the template's relative path, the value's place */
        at.line = (int)s->secret_literal->line;
        at.col = (int)s->secret_literal->col;
        slsec_finding *f =
            slsec_report(ctx, s->id, rtype(s), at, "secret-string",
                         "secret %s has its SecretString written in the template: the value is in the repository, "
                         "in every copy of the template and in CloudFormation's stored template; generate it "
                         "(GenerateSecretString) or pass it as a NoEcho parameter",
                         s->id);
        size_t n = s->secret_literal->len;
        f->evidence = slsec_arena_printf(ctx->arena, "(%zu characters)", n);
    }
}

/* ---- the table ---------------------------------------------------------------------------- */

const slsec_rule slsec_rules_data[] = {
    {
        .id = "DATA-001",
        .family = "DATA",
        .severity = SLSEC_SEV_HIGH,
        .title = "S3 bucket is public or not protected by a public access block",
        .why = "A bucket becomes readable (or writable) by anyone through a canned ACL such as PublicRead, "
               "or through a bucket policy that allows Principal \"*\" without a condition tying the caller "
               "to your organisation, account, VPC endpoint or source. Public buckets are the most common "
               "cause of cloud data leaks, and a serverless app's buckets often hold uploads, exports and "
               "logs. The bucket-level public access block is the guard rail that makes S3 refuse public "
               "ACLs and policies whatever a later change says; a template that does not declare all four "
               "flags leaves that protection to account settings nobody reviews with the code.",
        .fix = "Remove public ACLs and Principal \"*\" grants (serve public content through CloudFront with "
               "origin access control instead) and set all four PublicAccessBlockConfiguration flags to true.",
        .snippet = "UploadsBucket:\n"
                   "  Type: AWS::S3::Bucket\n"
                   "  Properties:\n"
                   "    OwnershipControls:\n"
                   "      Rules:\n"
                   "        - ObjectOwnership: BucketOwnerEnforced\n"
                   "    PublicAccessBlockConfiguration:\n"
                   "      BlockPublicAcls: true\n"
                   "      IgnorePublicAcls: true\n"
                   "      BlockPublicPolicy: true\n"
                   "      RestrictPublicBuckets: true\n",
        .cwe = "CWE-284 CWE-732",
        .owasp = "SAS-3",
        .checkov = "CKV_AWS_20 CKV_AWS_57 CKV_AWS_53 CKV_AWS_54 CKV_AWS_55 CKV_AWS_56",
        .cfn_nag = "W31 F14 F16",
        .cdk_nag = "AwsSolutions-S2",
        .check = check_public_bucket,
    },
    {
        .id = "DATA-002",
        .family = "DATA",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "S3 bucket does not deny requests over plain HTTP",
        .why = "S3 answers on both HTTP and HTTPS endpoints. Unless the bucket policy denies requests where "
               "aws:SecureTransport is false, a misconfigured client, SDK or presigned URL can move objects "
               "in cleartext, where they can be read or altered on the way. The deny statement makes "
               "encryption in transit a property of the bucket rather than of every caller.",
        .fix = "Add a bucket policy statement that denies s3:* to Principal \"*\" on the bucket and its "
               "objects when aws:SecureTransport is false.",
        .snippet = "UploadsBucketPolicy:\n"
                   "  Type: AWS::S3::BucketPolicy\n"
                   "  Properties:\n"
                   "    Bucket: !Ref UploadsBucket\n"
                   "    PolicyDocument:\n"
                   "      Statement:\n"
                   "        - Sid: DenyInsecureTransport\n"
                   "          Effect: Deny\n"
                   "          Principal: \"*\"\n"
                   "          Action: \"s3:*\"\n"
                   "          Resource:\n"
                   "            - !GetAtt UploadsBucket.Arn\n"
                   "            - !Sub \"${UploadsBucket.Arn}/*\"\n"
                   "          Condition:\n"
                   "            Bool:\n"
                   "              aws:SecureTransport: false\n",
        .cwe = "CWE-319",
        .owasp = "SAS-3",
        .checkov = "",
        .cfn_nag = "",
        .cdk_nag = "AwsSolutions-S10",
        .check = check_secure_transport,
    },
    {
        .id = "DATA-003",
        .family = "DATA",
        .severity = SLSEC_SEV_LOW,
        .title = "S3 bucket without versioning",
        .why = "Without versioning, an overwrite or a delete — by a bug in a function, a compromised role or "
               "ransomware — destroys the only copy of an object. Versioning keeps previous versions so they "
               "can be restored, and is the prerequisite for MFA delete, object lock and replication.",
        .fix = "Enable versioning, and pair it with a lifecycle rule that expires noncurrent versions so "
               "storage does not grow without bound.",
        .snippet = "UploadsBucket:\n"
                   "  Type: AWS::S3::Bucket\n"
                   "  Properties:\n"
                   "    VersioningConfiguration:\n"
                   "      Status: Enabled\n",
        .cwe = "",
        .owasp = "SAS-3",
        .checkov = "CKV_AWS_21",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_versioning,
    },
    {
        .id = "DATA-004",
        .family = "DATA",
        .severity = SLSEC_SEV_LOW,
        .title = "S3 bucket without lifecycle rules",
        .why = "A bucket without an enabled lifecycle rule keeps every object, and every old version, "
               "forever. Data that outlives its purpose is data that can leak, must be covered by every "
               "access review and deletion request, and costs money; retention should be decided in the "
               "template, not by accident.",
        .fix = "Add a lifecycle rule that expires objects (and noncurrent versions) after the period your "
               "data needs, or transitions them to cheaper storage.",
        .snippet = "UploadsBucket:\n"
                   "  Type: AWS::S3::Bucket\n"
                   "  Properties:\n"
                   "    LifecycleConfiguration:\n"
                   "      Rules:\n"
                   "        - Id: ExpireOldData\n"
                   "          Status: Enabled\n"
                   "          ExpirationInDays: 365\n"
                   "          NoncurrentVersionExpiration:\n"
                   "            NoncurrentDays: 30\n",
        .cwe = "",
        .owasp = "SAS-3",
        .checkov = "",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_lifecycle,
    },
    {
        .id = "DATA-005",
        .family = "DATA",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "DynamoDB table without point-in-time recovery",
        .why = "Point-in-time recovery keeps continuous backups of a table for 35 days, so a faulty deploy, a "
               "runaway function or a malicious delete can be undone to the second. Without it, the only "
               "way back is an on-demand backup someone remembered to take. SAM's SimpleTable cannot enable "
               "it at all.",
        .fix = "Set PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled to true (replace "
               "AWS::Serverless::SimpleTable with AWS::DynamoDB::Table to get the option).",
        .snippet = "OrdersTable:\n"
                   "  Type: AWS::DynamoDB::Table\n"
                   "  Properties:\n"
                   "    BillingMode: PAY_PER_REQUEST\n"
                   "    AttributeDefinitions:\n"
                   "      - AttributeName: id\n"
                   "        AttributeType: S\n"
                   "    KeySchema:\n"
                   "      - AttributeName: id\n"
                   "        KeyType: HASH\n"
                   "    PointInTimeRecoverySpecification:\n"
                   "      PointInTimeRecoveryEnabled: true\n",
        .cwe = "",
        .owasp = "SAS-3",
        .checkov = "CKV_AWS_28",
        .cfn_nag = "W78",
        .cdk_nag = "AwsSolutions-DDB3",
        .check = check_pitr,
    },
    {
        .id = "DATA-006",
        .family = "DATA",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "SQS queue or SNS topic without encryption at rest",
        .why = "Queues and topics carry the application's events — orders, user records, tokens — and keep "
               "them on disk until delivered. SNS topics are unencrypted unless KmsMasterKeyId is set. SQS "
               "applies SSE-SQS to new queues by default, but only as a service default that the template "
               "neither states nor protects (SqsManagedSseEnabled: false silently turns it off), so slsec "
               "asks for it explicitly. A customer-managed KMS key further lets you control and audit who "
               "can decrypt.",
        .fix = "Set KmsMasterKeyId (a customer-managed key, or alias/aws/sns and alias/aws/sqs) or, for "
               "queues, SqsManagedSseEnabled: true.",
        .snippet = "OrdersQueue:\n"
                   "  Type: AWS::SQS::Queue\n"
                   "  Properties:\n"
                   "    KmsMasterKeyId: !Ref DataKey   # or: SqsManagedSseEnabled: true\n"
                   "OrdersTopic:\n"
                   "  Type: AWS::SNS::Topic\n"
                   "  Properties:\n"
                   "    KmsMasterKeyId: !Ref DataKey\n",
        .cwe = "CWE-311",
        .owasp = "SAS-3",
        .checkov = "CKV_AWS_27 CKV_AWS_26",
        .cfn_nag = "W48 W47",
        .cdk_nag = "AwsSolutions-SQS2 AwsSolutions-SNS2",
        .check = check_messaging_encryption,
    },
    {
        .id = "DATA-007",
        .family = "DATA",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "Secrets Manager secret without rotation",
        .why = "A secret that never changes stays valid for as long as any copy of it exists: in an old log, "
               "a developer's shell history, a leaked environment dump. Automatic rotation bounds the life "
               "of a leaked value and proves that the application can change credentials without an outage.",
        .fix = "Add an AWS::SecretsManager::RotationSchedule for the secret, with a rotation function (or a "
               "hosted rotation Lambda for database credentials) and a schedule such as every 30 days.",
        .snippet = "DbSecretRotation:\n"
                   "  Type: AWS::SecretsManager::RotationSchedule\n"
                   "  Properties:\n"
                   "    SecretId: !Ref DbSecret\n"
                   "    RotationLambdaARN: !GetAtt RotateDbSecretFunction.Arn\n"
                   "    RotationRules:\n"
                   "      AutomaticallyAfterDays: 30\n",
        .cwe = "CWE-262 CWE-324",
        .owasp = "SAS-7",
        .checkov = "",
        .cfn_nag = "",
        .cdk_nag = "AwsSolutions-SMG4",
        .check = check_secret_rotation,
    },
    {
        .id = "DATA-008",
        .family = "DATA",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "KMS key without automatic rotation",
        .why = "A customer-managed symmetric KMS key that never rotates encrypts years of data with the same "
               "key material. Automatic rotation creates new material every year (or on the period you "
               "choose) while keeping old material for decryption, so it costs nothing in availability and "
               "limits how much data any one key version protects. Asymmetric and HMAC keys, imported key "
               "material and custom key stores cannot rotate automatically and are not reported.",
        .fix = "Set EnableKeyRotation: true on the key (optionally RotationPeriodInDays).",
        .snippet = "DataKey:\n"
                   "  Type: AWS::KMS::Key\n"
                   "  Properties:\n"
                   "    EnableKeyRotation: true\n"
                   "    KeyPolicy:\n"
                   "      Version: \"2012-10-17\"\n"
                   "      Statement:\n"
                   "        - Effect: Allow\n"
                   "          Principal:\n"
                   "            AWS: !Sub \"arn:${AWS::Partition}:iam::${AWS::AccountId}:root\"\n"
                   "          Action: \"kms:*\"\n"
                   "          Resource: \"*\"\n",
        .cwe = "CWE-324",
        .owasp = "SAS-3",
        .checkov = "CKV_AWS_7",
        .cfn_nag = "F19",
        .cdk_nag = "AwsSolutions-KMS5",
        .check = check_key_rotation,
    },
    {
        .id = "DATA-009",
        .family = "DATA",
        .severity = SLSEC_SEV_LOW,
        .title = "Secrets Manager secret without a customer managed KMS key",
        .why = "Without KmsKeyId, a secret is encrypted with the AWS managed key aws/secretsmanager, which any "
               "principal of the account allowed secretsmanager:GetSecretValue can use: the secret's resource "
               "policy and IAM are the only gates. A customer managed key adds a second, independent policy "
               "(who may decrypt), makes every decryption visible in CloudTrail under that key, lets you cut "
               "access at once by disabling the key, and is required to share the secret with another account.",
        .fix = "Create an AWS::KMS::Key whose policy allows decryption only to the roles that read the secret, "
               "and set the secret's KmsKeyId to it.",
        .snippet = "DbSecret:\n"
                   "  Type: AWS::SecretsManager::Secret\n"
                   "  Properties:\n"
                   "    KmsKeyId: !Ref SecretsKey\n"
                   "    GenerateSecretString:\n"
                   "      SecretStringTemplate: '{\"username\": \"app\"}'\n"
                   "      GenerateStringKey: password\n",
        .cwe = "CWE-311",
        .owasp = "SAS-7",
        .checkov = "CKV_AWS_149",
        .cfn_nag = "W77",
        .cdk_nag = "",
        .check = check_secret_cmk,
    },
    {
        .id = "DATA-010",
        .family = "DATA",
        .severity = SLSEC_SEV_LOW,
        .title = "DynamoDB table without a customer managed KMS key",
        .why = "DynamoDB always encrypts tables, by default with a key AWS owns and manages invisibly: nothing "
               "but IAM on the table decides who reads the data, and no key-level audit trail or kill switch "
               "exists. A customer managed key adds a key policy in front of the data, logs each use, and lets "
               "you revoke access to the table (and its backups and streams) by disabling the key. Worth it for "
               "tables that hold personal or regulated data.",
        .fix = "Set SSESpecification with SSEEnabled: true, SSEType: KMS and KMSMasterKeyId naming a customer "
               "managed key.",
        .snippet = "OrdersTable:\n"
                   "  Type: AWS::DynamoDB::Table\n"
                   "  Properties:\n"
                   "    SSESpecification:\n"
                   "      SSEEnabled: true\n"
                   "      SSEType: KMS\n"
                   "      KMSMasterKeyId: !Ref DataKey\n",
        .cwe = "CWE-311",
        .owasp = "SAS-3",
        .checkov = "CKV_AWS_119",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_table_cmk,
    },
    {
        .id = "DATA-011",
        .family = "DATA",
        .severity = SLSEC_SEV_LOW,
        .title = "S3 bucket without server access logging",
        .why = "CloudTrail records bucket configuration changes but not object reads and writes unless data "
               "events are paid for. Without server access logs, nobody can later tell who downloaded, "
               "overwrote or deleted which objects, from which address — the first question after a leak or a "
               "ransomware-style deletion. Buckets that receive other buckets' access logs are not reported.",
        .fix = "Add a LoggingConfiguration sending access logs to a dedicated log bucket (with its own lifecycle "
               "and no public access), or enable CloudTrail S3 data events for the bucket.",
        .snippet = "UploadsBucket:\n"
                   "  Type: AWS::S3::Bucket\n"
                   "  Properties:\n"
                   "    LoggingConfiguration:\n"
                   "      DestinationBucketName: !Ref AccessLogsBucket\n"
                   "      LogFilePrefix: uploads/\n",
        .cwe = "CWE-778",
        .owasp = "SAS-5",
        .checkov = "CKV_AWS_18",
        .cfn_nag = "W35",
        .cdk_nag = "AwsSolutions-S1",
        .check = check_bucket_access_logs,
    },
    {
        .id = "DATA-012",
        .family = "DATA",
        .severity = SLSEC_SEV_HIGH,
        .title = "SQS queue or SNS topic policy open to any principal",
        .why = "A queue or topic policy that allows Principal \"*\" (or uses NotPrincipal) without a condition "
               "on the caller's organisation, account or source lets anyone with an AWS account send messages "
               "into the application — which functions then process as trusted events — or read, purge, "
               "subscribe to or reconfigure it, depending on the actions granted.",
        .fix = "Name the principals (a service with an aws:SourceArn condition, or specific accounts and roles), "
               "or add a condition such as aws:PrincipalOrgID or aws:SourceArn to the statement.",
        .snippet = "OrdersQueuePolicy:\n"
                   "  Type: AWS::SQS::QueuePolicy\n"
                   "  Properties:\n"
                   "    Queues: [!Ref OrdersQueue]\n"
                   "    PolicyDocument:\n"
                   "      Statement:\n"
                   "        - Effect: Allow\n"
                   "          Principal: {Service: sns.amazonaws.com}\n"
                   "          Action: sqs:SendMessage\n"
                   "          Resource: !GetAtt OrdersQueue.Arn\n"
                   "          Condition:\n"
                   "            ArnEquals:\n"
                   "              aws:SourceArn: !Ref OrdersTopic\n",
        .cwe = "CWE-284 CWE-732",
        .owasp = "SAS-3",
        .checkov = "CKV_AWS_168 CKV_AWS_169",
        .cfn_nag = "F21 F18",
        .cdk_nag = "",
        .check = check_open_messaging_policy,
    },
    {
        .id = "DATA-013",
        .family = "DATA",
        .severity = SLSEC_SEV_HIGH,
        .title = "EventBridge bus policy open to any principal",
        .why = "An event bus policy that allows Principal \"*\" without a condition lets any AWS account put "
               "events on the bus. Rules then route those forged events to functions, queues and workflows "
               "that trust them as coming from your own services: an attacker can trigger business actions, "
               "inject payloads into every consumer, or flood them at your expense.",
        .fix = "Allow events:PutEvents only to named accounts, or to your organisation with an "
               "aws:PrincipalOrgID condition.",
        .snippet = "OrgPutEvents:\n"
                   "  Type: AWS::Events::EventBusPolicy\n"
                   "  Properties:\n"
                   "    EventBusName: !Ref AppBus\n"
                   "    StatementId: OrgPutEvents\n"
                   "    Statement:\n"
                   "      Effect: Allow\n"
                   "      Principal: \"*\"\n"
                   "      Action: events:PutEvents\n"
                   "      Resource: !GetAtt AppBus.Arn\n"
                   "      Condition:\n"
                   "        StringEquals:\n"
                   "          aws:PrincipalOrgID: o-exampleorgid\n",
        .cwe = "CWE-284",
        .owasp = "SAS-1 SAS-3",
        .checkov = "",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_open_event_bus,
    },
    {
        .id = "DATA-014",
        .family = "DATA",
        .severity = SLSEC_SEV_LOW,
        .title = "S3 bucket without default encryption by a customer managed KMS key",
        .why = "S3 encrypts new objects with S3-managed keys (SSE-S3) by default, which protects the disks but "
               "not against anyone IAM lets read the bucket. Default encryption with a customer managed KMS key "
               "(SSE-KMS) adds a key policy every read must also pass, logs each decryption, and lets you cut "
               "off access to all objects by disabling the key. Worth it for buckets holding uploads, exports "
               "or personal data; not needed for public assets.",
        .fix = "Set BucketEncryption to aws:kms with a customer managed key (and BucketKeyEnabled: true to keep "
               "KMS costs down).",
        .snippet = "UploadsBucket:\n"
                   "  Type: AWS::S3::Bucket\n"
                   "  Properties:\n"
                   "    BucketEncryption:\n"
                   "      ServerSideEncryptionConfiguration:\n"
                   "        - ServerSideEncryptionByDefault:\n"
                   "            SSEAlgorithm: aws:kms\n"
                   "            KMSMasterKeyID: !Ref DataKey\n"
                   "          BucketKeyEnabled: true\n",
        .cwe = "CWE-311",
        .owasp = "SAS-3",
        .checkov = "CKV_AWS_145",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_bucket_cmk,
    },
    {
        .id = "DATA-015",
        .family = "DATA",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "Kinesis stream without encryption at rest",
        .why = "A Kinesis data stream without StreamEncryption stores every record — clickstreams, orders, "
               "change events, often personal data — unencrypted for its whole retention period (24 hours to "
               "a year). Server-side encryption with KMS costs little and needs no change to producers or "
               "consumers.",
        .fix = "Set StreamEncryption with EncryptionType: KMS and a KeyId (alias/aws/kinesis or a customer "
               "managed key).",
        .snippet = "OrdersStream:\n"
                   "  Type: AWS::Kinesis::Stream\n"
                   "  Properties:\n"
                   "    ShardCount: 1\n"
                   "    StreamEncryption:\n"
                   "      EncryptionType: KMS\n"
                   "      KeyId: alias/aws/kinesis\n",
        .cwe = "CWE-311",
        .owasp = "SAS-3",
        .checkov = "CKV_AWS_43",
        .cfn_nag = "",
        .cdk_nag = "AwsSolutions-KDS1",
        .check = check_stream_encryption,
    },
    {
        .id = "DATA-016",
        .family = "DATA",
        .severity = SLSEC_SEV_MEDIUM,
        .title = "Secret kept in a plaintext SSM parameter",
        .why = "CloudFormation can only create String and StringList parameters, never SecureString. A "
               "parameter whose name says it holds a password, token or key is therefore stored unencrypted, "
               "shown in the console and returned in clear to anyone allowed ssm:GetParameter — no KMS key "
               "policy, no decrypt audit trail.",
        .fix = "Store the value in Secrets Manager (AWS::SecretsManager::Secret with GenerateSecretString), or "
               "create a SecureString parameter outside the template and pass its name to the function.",
        .snippet = "DbPassword:\n"
                   "  Type: AWS::SecretsManager::Secret\n"
                   "  Properties:\n"
                   "    KmsKeyId: !Ref SecretsKey\n"
                   "    GenerateSecretString:\n"
                   "      PasswordLength: 32\n",
        .cwe = "CWE-312",
        .owasp = "SAS-7",
        .checkov = "",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_plaintext_parameter,
    },
    {
        .id = "DATA-017",
        .family = "DATA",
        .severity = SLSEC_SEV_HIGH,
        .title = "KMS key policy open to any principal",
        .why = "A key policy statement that allows Principal \"*\" (or NotPrincipal) without a condition on the "
               "caller's account, organisation or service lets any AWS identity use or manage the key, "
               "depending on the actions: decrypt whatever the key protects, re-encrypt it, or schedule the "
               "key's deletion and destroy the data.",
        .fix = "Name the account root or the specific roles in Principal, or add a condition such as "
               "kms:CallerAccount, kms:ViaService or aws:PrincipalOrgID.",
        .snippet = "DataKey:\n"
                   "  Type: AWS::KMS::Key\n"
                   "  Properties:\n"
                   "    EnableKeyRotation: true\n"
                   "    KeyPolicy:\n"
                   "      Version: \"2012-10-17\"\n"
                   "      Statement:\n"
                   "        - Effect: Allow\n"
                   "          Principal:\n"
                   "            AWS: !Sub \"arn:${AWS::Partition}:iam::${AWS::AccountId}:root\"\n"
                   "          Action: \"kms:*\"\n"
                   "          Resource: \"*\"\n",
        .cwe = "CWE-284 CWE-732",
        .owasp = "SAS-3",
        .checkov = "CKV_AWS_33",
        .cfn_nag = "F76",
        .cdk_nag = "",
        .check = check_open_key_policy,
    },
    {
        .id = "DATA-018",
        .family = "DATA",
        .severity = SLSEC_SEV_HIGH,
        .title = "Secret value written in the template",
        .why = "A Secrets Manager secret whose SecretString is written into the template as a literal is not "
               "secret: it is in the repository and its history, in every copy and build artifact of the "
               "template, and in the template CloudFormation keeps, visible to anyone with "
               "cloudformation:GetTemplate. Rotation cannot help a value the code base keeps re-deploying.",
        .fix = "Let Secrets Manager generate the value (GenerateSecretString), or pass it at deploy time as a "
               "NoEcho parameter, and rotate the value that was committed.",
        .snippet = "DbSecret:\n"
                   "  Type: AWS::SecretsManager::Secret\n"
                   "  Properties:\n"
                   "    GenerateSecretString:\n"
                   "      SecretStringTemplate: '{\"username\": \"app\"}'\n"
                   "      GenerateStringKey: password\n"
                   "      PasswordLength: 32\n",
        .cwe = "CWE-798",
        .owasp = "SAS-7",
        .checkov = "",
        .cfn_nag = "",
        .cdk_nag = "",
        .check = check_secret_literal,
    },
};
SLSEC_FAMILY_END(data)
