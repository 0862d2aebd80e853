/*
 * test_cfn_store.c — stores and networks as the CloudFormation/SAM
 * front-end models them (src/load/cfn_store.c, src/load/cfn_net.c): bucket
 * flags, resource policies linked to their stores, encryption and rotation
 * as the services apply them, log groups linked to their functions,
 * security group rules and the functions placed in each group, and values
 * left to deploy time kept unknown. Templates are small strings loaded
 * through slsec_doc_parse + slsec_load_cfn, as the scanner does.
 */
#include "slsec/load.h"
#include "slsec/rules.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static slsec_app *load(const char *yaml)
{
    slsec_app *app = slsec_app_new();
    slsec_doc doc;
    slsec_diag err;
    assert_int_equal(slsec_doc_parse(app->arena, "template.yaml", yaml, strlen(yaml), &doc, &err), SLSEC_OK);
    slsec_diags warnings = {0};
    assert_int_equal(slsec_load_cfn(app, &doc, "template.yaml", &warnings, &err), SLSEC_OK);
    slsec_diags_clear(&warnings);
    return app;
}

static const slsec_store *store(const slsec_app *app, const char *id)
{
    for (size_t i = 0; i < app->stores.count; i++) {
        const slsec_store *s = app->stores.items[i];
        if (strcmp(s->id, id) == 0)
            return s;
    }
    fail_msg("no store %s", id);
    return NULL;
}

static const slsec_function *function(const slsec_app *app, const char *id)
{
    for (size_t i = 0; i < app->functions.count; i++) {
        const slsec_function *fn = app->functions.items[i];
        if (strcmp(fn->id, id) == 0)
            return fn;
    }
    fail_msg("no function %s", id);
    return NULL;
}

static const slsec_security_group *group(const slsec_app *app, const char *id)
{
    for (size_t i = 0; i < app->security_groups.count; i++) {
        const slsec_security_group *sg = app->security_groups.items[i];
        if (strcmp(sg->id, id) == 0)
            return sg;
    }
    fail_msg("no security group %s", id);
    return NULL;
}

/* Findings of one rule over the app. */
static size_t count_findings(const slsec_app *app, const char *rule_id)
{
    slsec_settings st;
    slsec_settings_default(&st);
    slsec_ptrvec findings = {0};
    slsec_rules_run(app, &st, app->arena, NULL, NULL, &findings);
    size_t n = 0;
    for (size_t i = 0; i < findings.count; i++) {
        const slsec_finding *f = findings.items[i];
        if (strcmp(f->rule->id, rule_id) == 0)
            n++;
    }
    return n;
}

/* ---- buckets ----------------------------------------------------------------- */

static void test_bucket_flags(void **state)
{
    (void)state;
    slsec_app *app = load("Resources:\n"
                          "  Plain:\n"
                          "    Type: AWS::S3::Bucket\n"
                          "  Hardened:\n"
                          "    Type: AWS::S3::Bucket\n"
                          "    Properties:\n"
                          "      BucketName: hardened-data\n"
                          "      AccessControl: Private\n"
                          "      BucketEncryption:\n"
                          "        ServerSideEncryptionConfiguration:\n"
                          "          - ServerSideEncryptionByDefault:\n"
                          "              SSEAlgorithm: aws:kms\n"
                          "              KMSMasterKeyID: alias/data\n"
                          "      VersioningConfiguration: {Status: Enabled}\n"
                          "      LifecycleConfiguration:\n"
                          "        Rules:\n"
                          "          - {Status: Disabled, ExpirationInDays: 1}\n"
                          "          - {Status: Enabled, ExpirationInDays: 90}\n"
                          "      PublicAccessBlockConfiguration:\n"
                          "        BlockPublicAcls: true\n"
                          "        IgnorePublicAcls: true\n"
                          "        BlockPublicPolicy: true\n"
                          "  Partial:\n"
                          "    Type: AWS::S3::Bucket\n"
                          "    Properties:\n"
                          "      AccessControl: PublicReadWrite\n"
                          "      VersioningConfiguration: {Status: Suspended}\n"
                          "      PublicAccessBlockConfiguration:\n"
                          "        BlockPublicAcls: false\n");
    const slsec_store *plain = store(app, "Plain");
    assert_int_equal(plain->kind, SLSEC_STORE_BUCKET);
    assert_int_equal(plain->encrypted, SLSEC_YES); /* S3's default SSE-S3 */
    assert_null(plain->kms_key);
    assert_int_equal(plain->versioning, SLSEC_NO);
    assert_int_equal(plain->lifecycle, SLSEC_NO);
    assert_null(plain->acl);
    assert_false(plain->pab.present);
    assert_false(plain->has_policy);
    assert_int_equal(plain->loc.line, 2);

    const slsec_store *h = store(app, "Hardened");
    assert_string_equal(h->name, "hardened-data");
    assert_string_equal(h->acl, "Private");
    assert_non_null(h->kms_key);
    assert_string_equal(slsec_node_str(h->kms_key), "alias/data");
    assert_int_equal(h->versioning, SLSEC_YES);
    assert_int_equal(h->lifecycle, SLSEC_YES);
    assert_true(h->pab.present);
    assert_int_equal(h->pab.block_public_acls, SLSEC_YES);
    assert_int_equal(h->pab.ignore_public_acls, SLSEC_YES);
    assert_int_equal(h->pab.block_public_policy, SLSEC_YES);
    assert_int_equal(h->pab.restrict_public_buckets, SLSEC_NO); /* left out: false */

    const slsec_store *p = store(app, "Partial");
    assert_string_equal(p->acl, "PublicReadWrite");
    assert_int_equal(p->versioning, SLSEC_NO);
    assert_int_equal(p->pab.block_public_acls, SLSEC_NO);
    assert_int_equal(p->pab.loc.line, 28);
    slsec_app_free(app);
}

static void test_bucket_unknowns(void **state)
{
    (void)state;
    slsec_app *app = load("Parameters:\n"
                          "  Stage: {Type: String}\n"
                          "  Status: {Type: String}\n"
                          "  Acl: {Type: String}\n"
                          "  Versioned: {Type: String, Default: Enabled}\n"
                          "Conditions:\n"
                          "  Prod: !Equals [!Ref Stage, prod]\n"
                          "Resources:\n"
                          "  B:\n"
                          "    Type: AWS::S3::Bucket\n"
                          "    Properties:\n"
                          "      AccessControl: !Ref Acl\n"
                          "      VersioningConfiguration: {Status: !Ref Status}\n"
                          "      LifecycleConfiguration: !If [Prod, {Rules: []}, !Ref AWS::NoValue]\n"
                          "      PublicAccessBlockConfiguration:\n"
                          "        BlockPublicAcls: !If [Prod, true, false]\n"
                          "  D:\n"
                          "    Type: AWS::S3::Bucket\n"
                          "    Properties:\n"
                          "      VersioningConfiguration: {Status: !Ref Versioned}\n");
    const slsec_store *b = store(app, "B");
    assert_null(b->acl);
    assert_int_equal(b->versioning, SLSEC_UNKNOWN);
    assert_int_equal(b->lifecycle, SLSEC_UNKNOWN);
    assert_int_equal(b->pab.block_public_acls, SLSEC_UNKNOWN);
    assert_int_equal(b->pab.ignore_public_acls, SLSEC_NO);
    /* A parameter default is knowable. */
    assert_int_equal(store(app, "D")->versioning, SLSEC_YES);
    assert_int_equal(count_findings(app, "DATA-003"), 0);
    slsec_app_free(app);
}

static void test_bucket_policy_linking(void **state)
{
    (void)state;
    slsec_app *app = load("Resources:\n"
                          "  Data:\n"
                          "    Type: AWS::S3::Bucket\n"
                          "    Properties: {BucketName: my-data}\n"
                          "  Other:\n"
                          "    Type: AWS::S3::Bucket\n"
                          "  DataPolicy:\n"
                          "    Type: AWS::S3::BucketPolicy\n"
                          "    Properties:\n"
                          "      Bucket: !Ref Data\n"
                          "      PolicyDocument:\n"
                          "        Statement:\n"
                          "          - Effect: Allow\n"
                          "            Principal: '*'\n"
                          "            Action: s3:GetObject\n"
                          "            Resource: arn:aws:s3:::my-data/*\n"
                          "          - Effect: Deny\n"
                          "            Principal: {AWS: '*'}\n"
                          "            Action: 's3:*'\n"
                          "            Resource: arn:aws:s3:::my-data/*\n"
                          "            Condition: {Bool: {aws:SecureTransport: false}}\n"
                          "  ByName:\n"
                          "    Type: AWS::S3::BucketPolicy\n"
                          "    Properties:\n"
                          "      Bucket: my-data\n"
                          "      PolicyDocument:\n"
                          "        Statement:\n"
                          "          - {Effect: Allow, Principal: {Service: logging.s3.amazonaws.com}, "
                          "Action: s3:PutObject, Resource: '*'}\n");
    const slsec_store *data = store(app, "Data");
    assert_true(data->has_policy);
    assert_int_equal(data->policy.count, 3); /* two from DataPolicy, one by literal name */
    const slsec_statement *s0 = data->policy.items[0];
    const slsec_statement *s1 = data->policy.items[1];
    assert_true(s0->allow);
    assert_true(s0->principal_any);
    assert_false(s1->allow);
    assert_true(s1->principal_any);
    assert_non_null(s1->condition);
    assert_int_equal(s0->loc.line, 13);
    assert_false(store(app, "Other")->has_policy);
    /* The public Allow is reported once; the TLS deny satisfies DATA-002 for Data. */
    assert_int_equal(count_findings(app, "DATA-002"), 1); /* Other has no policy */
    slsec_app_free(app);
}

static void test_queue_topic_policies(void **state)
{
    (void)state;
    slsec_app *app = load("Resources:\n"
                          "  Q1: {Type: AWS::SQS::Queue}\n"
                          "  Q2: {Type: AWS::SQS::Queue, Properties: {SqsManagedSseEnabled: true}}\n"
                          "  T: {Type: AWS::SNS::Topic, Properties: {KmsMasterKeyId: alias/aws/sns}}\n"
                          "  QP:\n"
                          "    Type: AWS::SQS::QueuePolicy\n"
                          "    Properties:\n"
                          "      Queues: [!Ref Q1, !Ref Q2, https://sqs.example/other]\n"
                          "      PolicyDocument:\n"
                          "        Statement:\n"
                          "          - {Effect: Allow, Principal: '*', Action: sqs:SendMessage, Resource: '*'}\n"
                          "  TP:\n"
                          "    Type: AWS::SNS::TopicPolicy\n"
                          "    Properties:\n"
                          "      Topics: [!Ref T]\n"
                          "      PolicyDocument:\n"
                          "        Statement:\n"
                          "          - {Effect: Allow, Principal: {Service: s3.amazonaws.com}, Action: sns:Publish, "
                          "Resource: '*'}\n"
                          "  Broken:\n"
                          "    Type: AWS::SQS::QueuePolicy\n"
                          "    Properties: {Queues: not-a-list, PolicyDocument: 7}\n");
    const slsec_store *q1 = store(app, "Q1"), *q2 = store(app, "Q2"), *t = store(app, "T");
    assert_true(q1->has_policy);
    assert_true(q2->has_policy);
    assert_int_equal(q1->policy.count, 1);
    assert_int_equal(q2->policy.count, 1);
    assert_ptr_equal(q1->policy.items[0], q2->policy.items[0]);
    assert_true(t->has_policy);
    assert_int_equal(t->policy.count, 1);
    assert_int_equal(q1->encrypted, SLSEC_NO);
    assert_int_equal(q2->encrypted, SLSEC_YES);
    assert_int_equal(t->encrypted, SLSEC_YES);
    assert_string_equal(slsec_node_str(t->kms_key), "alias/aws/sns");
    slsec_app_free(app);
}

/* ---- encryption, backups, rotation ----------------------------------------------- */

static void test_encryption_and_rotation(void **state)
{
    (void)state;
    slsec_app *app = load("AWSTemplateFormatVersion: '2010-09-09'\n"
                          "Transform: AWS::Serverless-2016-10-31\n"
                          "Parameters:\n"
                          "  Stage: {Type: String}\n"
                          "  QueueKey: {Type: String}\n"
                          "Conditions:\n"
                          "  Prod: !Equals [!Ref Stage, prod]\n"
                          "Globals:\n"
                          "  SimpleTable:\n"
                          "    SSESpecification: {SSEEnabled: true}\n"
                          "Resources:\n"
                          "  KeyQueue: {Type: AWS::SQS::Queue, Properties: {KmsMasterKeyId: !Ref QueueKey}}\n"
                          "  MaybeQueue:\n"
                          "    Type: AWS::SQS::Queue\n"
                          "    Properties: {KmsMasterKeyId: !If [Prod, alias/k, !Ref AWS::NoValue]}\n"
                          "  OffQueue: {Type: AWS::SQS::Queue, Properties: {SqsManagedSseEnabled: false}}\n"
                          "  Table:\n"
                          "    Type: AWS::DynamoDB::Table\n"
                          "    Properties:\n"
                          "      PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true}\n"
                          "      SSESpecification: {SSEEnabled: true, KMSMasterKeyId: alias/t}\n"
                          "  Simple: {Type: AWS::Serverless::SimpleTable}\n"
                          "  Sym: {Type: AWS::KMS::Key, Properties: {EnableKeyRotation: true}}\n"
                          "  NoRot: {Type: AWS::KMS::Key}\n"
                          "  Asym: {Type: AWS::KMS::Key, Properties: {KeySpec: RSA_2048, KeyUsage: SIGN_VERIFY}}\n"
                          "  Imported: {Type: AWS::KMS::Key, Properties: {Origin: EXTERNAL}}\n"
                          "  Secret: {Type: AWS::SecretsManager::Secret}\n"
                          "  Rotated: {Type: AWS::SecretsManager::Secret}\n"
                          "  Schedule:\n"
                          "    Type: AWS::SecretsManager::RotationSchedule\n"
                          "    Properties: {SecretId: !Ref Rotated, RotationRules: {AutomaticallyAfterDays: 30}}\n"
                          "  Stream: {Type: AWS::Kinesis::Stream, Properties: {StreamEncryption: "
                          "{EncryptionType: KMS, KeyId: alias/aws/kinesis}}}\n"
                          "  Plain: {Type: AWS::Kinesis::Stream}\n"
                          "  Param: {Type: AWS::SSM::Parameter, Properties: {Name: /app/x, Type: String, Value: v}}\n"
                          "  Flow:\n"
                          "    Type: AWS::StepFunctions::StateMachine\n"
                          "    Properties: {LoggingConfiguration: {Level: ALL}}\n"
                          "  SamFlow: {Type: AWS::Serverless::StateMachine, Properties: {Logging: {Level: OFF}}}\n");
    assert_int_equal(store(app, "KeyQueue")->encrypted, SLSEC_YES);
    assert_non_null(store(app, "KeyQueue")->kms_key);
    assert_int_equal(store(app, "MaybeQueue")->encrypted, SLSEC_UNKNOWN);
    assert_int_equal(store(app, "OffQueue")->encrypted, SLSEC_NO);

    const slsec_store *table = store(app, "Table");
    assert_int_equal(table->kind, SLSEC_STORE_TABLE);
    assert_int_equal(table->point_in_time_recovery, SLSEC_YES);
    assert_string_equal(slsec_node_str(table->kms_key), "alias/t");
    const slsec_store *simple = store(app, "Simple");
    assert_int_equal(simple->point_in_time_recovery, SLSEC_NO);
    assert_int_equal(simple->encrypted, SLSEC_YES);

    assert_int_equal(store(app, "Sym")->rotation, SLSEC_YES);
    assert_int_equal(store(app, "NoRot")->rotation, SLSEC_NO);
    assert_int_equal(store(app, "Asym")->rotation, SLSEC_UNKNOWN);
    assert_int_equal(store(app, "Imported")->rotation, SLSEC_UNKNOWN);

    assert_int_equal(store(app, "Secret")->rotation, SLSEC_NO);
    assert_int_equal(store(app, "Rotated")->rotation, SLSEC_YES);
    assert_int_equal(store(app, "Stream")->kind, SLSEC_STORE_STREAM);
    assert_int_equal(store(app, "Stream")->encrypted, SLSEC_YES);
    assert_int_equal(store(app, "Plain")->encrypted, SLSEC_NO);
    assert_int_equal(store(app, "Param")->kind, SLSEC_STORE_PARAMETER);
    assert_string_equal(store(app, "Param")->name, "/app/x");
    assert_int_equal(store(app, "Flow")->kind, SLSEC_STORE_STATE_MACHINE);
    assert_int_equal(store(app, "Flow")->logging, SLSEC_YES);
    assert_int_equal(store(app, "SamFlow")->logging, SLSEC_NO);

    assert_int_equal(count_findings(app, "DATA-006"), 1);  /* OffQueue only */
    assert_int_equal(count_findings(app, "DATA-008"), 1);  /* NoRot only */
    assert_int_equal(count_findings(app, "DATA-007"), 1);  /* Secret only */
    assert_int_equal(count_findings(app, "DATA-005"), 1);  /* Simple only */
    slsec_app_free(app);
}

/* ---- log groups -------------------------------------------------------------------- */

static void test_log_group_links(void **state)
{
    (void)state;
    slsec_app *app = load("Transform: AWS::Serverless-2016-10-31\n"
                          "Resources:\n"
                          "  SubFn: {Type: AWS::Serverless::Function, Properties: {Runtime: python3.12, "
                          "Handler: a.h, CodeUri: .}}\n"
                          "  JoinFn: {Type: AWS::Serverless::Function, Properties: {Runtime: python3.12, "
                          "Handler: a.h, CodeUri: .}}\n"
                          "  NamedFn:\n"
                          "    Type: AWS::Lambda::Function\n"
                          "    Properties: {FunctionName: orders-worker, Runtime: nodejs20.x, Handler: i.h, "
                          "Role: arn:aws:iam::1:role/r, Code: {ZipFile: x}}\n"
                          "  ConfiguredFn:\n"
                          "    Type: AWS::Serverless::Function\n"
                          "    Properties:\n"
                          "      Runtime: python3.12\n"
                          "      Handler: a.h\n"
                          "      CodeUri: .\n"
                          "      LoggingConfig: {LogGroup: !Ref Shared}\n"
                          "  LonelyFn: {Type: AWS::Serverless::Function, Properties: {Runtime: python3.12, "
                          "Handler: a.h, CodeUri: .}}\n"
                          "  SubLogs:\n"
                          "    Type: AWS::Logs::LogGroup\n"
                          "    Properties: {LogGroupName: !Sub '/aws/lambda/${SubFn}', RetentionInDays: 14}\n"
                          "  JoinLogs:\n"
                          "    Type: AWS::Logs::LogGroup\n"
                          "    Properties:\n"
                          "      LogGroupName: !Join ['', ['/aws/lambda/', !Ref JoinFn]]\n"
                          "      KmsKeyId: alias/logs\n"
                          "  NamedLogs:\n"
                          "    Type: AWS::Logs::LogGroup\n"
                          "    Properties: {LogGroupName: /aws/lambda/orders-worker}\n"
                          "  Shared:\n"
                          "    Type: AWS::Logs::LogGroup\n"
                          "    Properties: {LogGroupName: shared-app-logs}\n"
                          "  ConfiguredDefault:\n"
                          "    Type: AWS::Logs::LogGroup\n"
                          "    Properties: {LogGroupName: !Sub '/aws/lambda/${ConfiguredFn}-old'}\n");
    const slsec_store *sub = store(app, "SubLogs");
    assert_int_equal(sub->kind, SLSEC_STORE_LOG_GROUP);
    assert_int_equal(sub->retention_days, 14);
    assert_int_equal(sub->retention_loc.line, 18);
    assert_null(sub->kms_key);
    assert_null(sub->name); /* not knowable: the function's name is generated */
    assert_ptr_equal(function(app, "SubFn")->log_group, sub);

    const slsec_store *join = store(app, "JoinLogs");
    assert_int_equal(join->retention_days, SLSEC_NUM_UNSET);
    assert_non_null(join->kms_key);
    assert_ptr_equal(function(app, "JoinFn")->log_group, join);

    const slsec_store *named = store(app, "NamedLogs");
    assert_string_equal(named->name, "/aws/lambda/orders-worker");
    assert_ptr_equal(function(app, "NamedFn")->log_group, named);

    assert_ptr_equal(function(app, "ConfiguredFn")->log_group, store(app, "Shared"));
    assert_null(function(app, "LonelyFn")->log_group);

    /* Retention missing on JoinLogs, NamedLogs, Shared, ConfiguredDefault. */
    assert_int_equal(count_findings(app, "LOG-001"), 4);
    assert_int_equal(count_findings(app, "LOG-002"), 4);
    slsec_app_free(app);
}

/* ---- security groups ------------------------------------------------------------------ */

static void test_security_groups(void **state)
{
    (void)state;
    slsec_app *app = load("Transform: AWS::Serverless-2016-10-31\n"
                          "Parameters:\n"
                          "  ExternalSg: {Type: String}\n"
                          "Resources:\n"
                          "  Web:\n"
                          "    Type: AWS::EC2::SecurityGroup\n"
                          "    Properties:\n"
                          "      GroupDescription: web\n"
                          "      SecurityGroupIngress:\n"
                          "        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}\n"
                          "        - {IpProtocol: '-1', CidrIpv6: '::/0'}\n"
                          "      SecurityGroupEgress: []\n"
                          "  Fn:\n"
                          "    Type: AWS::EC2::SecurityGroup\n"
                          "    Properties:\n"
                          "      GroupDescription: fn\n"
                          "      SecurityGroupEgress:\n"
                          "        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}\n"
                          "  Later:\n"
                          "    Type: AWS::EC2::SecurityGroup\n"
                          "    Properties: {GroupDescription: later}\n"
                          "  LaterIn:\n"
                          "    Type: AWS::EC2::SecurityGroupIngress\n"
                          "    Properties: {GroupId: !GetAtt Later.GroupId, IpProtocol: tcp, FromPort: 22, "
                          "ToPort: 22, CidrIp: 10.0.0.0/8}\n"
                          "  LaterOut:\n"
                          "    Type: AWS::EC2::SecurityGroupEgress\n"
                          "    Properties: {GroupId: !Ref Later, IpProtocol: tcp, FromPort: 5432, ToPort: 5432, "
                          "DestinationSecurityGroupId: !Ref Web}\n"
                          "  ElsewhereIn:\n"
                          "    Type: AWS::EC2::SecurityGroupIngress\n"
                          "    Properties: {GroupId: !Ref ExternalSg, IpProtocol: tcp, FromPort: 22, "
                          "ToPort: 22, CidrIp: 0.0.0.0/0}\n"
                          "  Func:\n"
                          "    Type: AWS::Serverless::Function\n"
                          "    Properties:\n"
                          "      Runtime: python3.12\n"
                          "      Handler: a.h\n"
                          "      CodeUri: .\n"
                          "      VpcConfig:\n"
                          "        SecurityGroupIds: [!Ref Fn, !GetAtt Later.GroupId, sg-0000000000000000]\n"
                          "        SubnetIds: [subnet-1]\n");
    const slsec_security_group *web = group(app, "Web");
    assert_int_equal(web->rules.count, 2);
    const slsec_sg_rule *r0 = web->rules.items[0], *r1 = web->rules.items[1];
    assert_true(r0->ingress);
    assert_string_equal(r0->cidr, "0.0.0.0/0");
    assert_string_equal(r0->protocol, "tcp");
    assert_int_equal(r0->from_port, 443);
    assert_int_equal(r0->to_port, 443);
    assert_int_equal(r0->loc.line, 10);
    assert_null(r0->resource_id);
    assert_string_equal(r1->cidr, "::/0");
    assert_string_equal(r1->protocol, "-1");
    assert_int_equal(r1->from_port, SLSEC_NUM_UNSET);
    assert_false(web->egress_declared); /* an empty list keeps AWS's default */
    assert_int_equal(web->functions.count, 0);

    const slsec_security_group *fn = group(app, "Fn");
    assert_true(fn->egress_declared);
    assert_int_equal(fn->rules.count, 1);
    assert_false(((const slsec_sg_rule *)fn->rules.items[0])->ingress);
    assert_int_equal(fn->functions.count, 1);
    assert_ptr_equal(fn->functions.items[0], function(app, "Func"));

    const slsec_security_group *later = group(app, "Later");
    assert_true(later->egress_declared); /* a standalone egress replaces the default */
    assert_int_equal(later->rules.count, 2);
    const slsec_sg_rule *in = later->rules.items[0];
    assert_true(in->ingress);
    assert_string_equal(in->resource_id, "LaterIn");
    assert_int_equal(in->loc.line, 22);
    assert_int_equal(later->functions.count, 1);

    /* A rule on a group outside the template is kept and still judged. */
    const slsec_security_group *ext = group(app, "${ExternalSg}");
    assert_int_equal(ext->rules.count, 1);
    assert_string_equal(((const slsec_sg_rule *)ext->rules.items[0])->resource_id, "ElsewhereIn");

    assert_int_equal(count_findings(app, "NET-001"), 3); /* Web x2, ElsewhereIn */
    assert_int_equal(count_findings(app, "NET-002"), 0);
    slsec_app_free(app);
}

static void test_globals_vpc_groups(void **state)
{
    (void)state;
    slsec_app *app = load("Transform: AWS::Serverless-2016-10-31\n"
                          "Globals:\n"
                          "  Function:\n"
                          "    VpcConfig:\n"
                          "      SecurityGroupIds: [!Ref FnGroup]\n"
                          "      SubnetIds: [subnet-1]\n"
                          "Resources:\n"
                          "  FnGroup:\n"
                          "    Type: AWS::EC2::SecurityGroup\n"
                          "    Properties: {GroupDescription: functions}\n"
                          "  A: {Type: AWS::Serverless::Function, Properties: {Runtime: python3.12, Handler: a.h, "
                          "CodeUri: .}}\n"
                          "  B: {Type: AWS::Serverless::Function, Properties: {Runtime: python3.12, Handler: a.h, "
                          "CodeUri: ., VpcConfig: {SubnetIds: [subnet-2]}}}\n");
    const slsec_security_group *sg = group(app, "FnGroup");
    assert_int_equal(sg->functions.count, 2);
    assert_int_equal(function(app, "A")->security_group_ids.count, 1);
    assert_string_equal(function(app, "A")->security_group_ids.items[0], "FnGroup");
    assert_int_equal(count_findings(app, "NET-002"), 1);
    slsec_app_free(app);
}

/* ---- hostile shapes --------------------------------------------------------------------- */

static void test_wrong_shapes(void **state)
{
    (void)state;
    slsec_app *app = load("Resources:\n"
                          "  B:\n"
                          "    Type: AWS::S3::Bucket\n"
                          "    Properties:\n"
                          "      PublicAccessBlockConfiguration: [1, 2]\n"
                          "      VersioningConfiguration: Enabled\n"
                          "      LifecycleConfiguration: {Rules: {Status: Enabled}}\n"
                          "      BucketEncryption: {ServerSideEncryptionConfiguration: 3}\n"
                          "  P:\n"
                          "    Type: AWS::S3::BucketPolicy\n"
                          "    Properties: {Bucket: [B], PolicyDocument: [x]}\n"
                          "  G:\n"
                          "    Type: AWS::EC2::SecurityGroup\n"
                          "    Properties: {SecurityGroupIngress: {CidrIp: 0.0.0.0/0}, SecurityGroupEgress: [1, []]}\n"
                          "  I:\n"
                          "    Type: AWS::EC2::SecurityGroupIngress\n"
                          "  L:\n"
                          "    Type: AWS::Logs::LogGroup\n"
                          "    Properties: {LogGroupName: [a], RetentionInDays: forever}\n"
                          "  R:\n"
                          "    Type: AWS::SecretsManager::RotationSchedule\n"
                          "    Properties: {SecretId: {Ref: [1]}}\n"
                          "  K: {Type: AWS::KMS::Key, Properties: {KeySpec: {x: 1}}}\n"
                          "  S: {Type: AWS::StepFunctions::StateMachine, Properties: {LoggingConfiguration: x}}\n");
    const slsec_store *b = store(app, "B");
    assert_true(b->pab.present);
    assert_int_equal(b->pab.block_public_acls, SLSEC_UNKNOWN);
    assert_int_equal(b->versioning, SLSEC_UNKNOWN);
    assert_int_equal(b->lifecycle, SLSEC_UNKNOWN);
    assert_false(b->has_policy);
    assert_int_equal(store(app, "L")->retention_days, SLSEC_NUM_UNKNOWN);
    assert_int_equal(store(app, "K")->rotation, SLSEC_UNKNOWN);
    assert_int_equal(store(app, "S")->logging, SLSEC_UNKNOWN);
    assert_int_equal(group(app, "G")->rules.count, 0);
    /* Running every rule over such a model must not crash either. */
    (void)count_findings(app, "DATA-001");
    slsec_app_free(app);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bucket_flags),
        cmocka_unit_test(test_bucket_unknowns),
        cmocka_unit_test(test_bucket_policy_linking),
        cmocka_unit_test(test_queue_topic_policies),
        cmocka_unit_test(test_encryption_and_rotation),
        cmocka_unit_test(test_log_group_links),
        cmocka_unit_test(test_security_groups),
        cmocka_unit_test(test_globals_vpc_groups),
        cmocka_unit_test(test_wrong_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
