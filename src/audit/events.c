/*
 * events.c — from a CloudTrail event to the IAM action it stands for, and
 * which actions CloudTrail shows only as data events.
 *
 * Most events are named after their action: eventSource
 * "dynamodb.amazonaws.com" + eventName "DescribeTable" is
 * "dynamodb:DescribeTable". The exceptions are data, in the two tables
 * below (documented in docs/audit.md and tested in tests/unit/test_audit.c):
 * services whose event host is not their IAM prefix, and events whose
 * name is not their action's (S3's ListObjects is s3:ListBucket, Lambda
 * appends API versions: UpdateFunctionCode20150331v2). The result is
 * checked against the IAM action table, so a name that maps to no real
 * action is reported as unmapped rather than invented.
 */
#include "audit_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* eventSource host part → IAM prefix; NULL: the events are no IAM action
 * (API Gateway's management actions are HTTP verbs on paths, sign-in
 * events are not authorised by IAM policies). */
static const struct {
    const char *host, *prefix;
} sources[] = {
    {"apigateway", NULL},
    {"cloudcontrolapi", "cloudformation"},
    {"email", "ses"},
    {"monitoring", "cloudwatch"},
    {"signin", NULL},
    {"streams.dynamodb", "dynamodb"},
    {"tagging", "tag"},
};

/* (prefix, eventName) → action name. */
static const struct {
    const char *prefix, *event, *action;
} renames[] = {
    {"lambda", "Invoke", "InvokeFunction"},
    {"s3", "CompleteMultipartUpload", "PutObject"},
    {"s3", "CopyObject", "PutObject"},
    {"s3", "CreateMultipartUpload", "PutObject"},
    {"s3", "DeleteBucketCors", "PutBucketCORS"},
    {"s3", "DeleteBucketEncryption", "PutEncryptionConfiguration"},
    {"s3", "DeleteBucketLifecycle", "PutLifecycleConfiguration"},
    {"s3", "DeleteBucketPublicAccessBlock", "PutBucketPublicAccessBlock"},
    {"s3", "DeleteBucketReplication", "PutReplicationConfiguration"},
    {"s3", "DeleteBucketTagging", "PutBucketTagging"},
    {"s3", "DeleteObjects", "DeleteObject"},
    {"s3", "GetBucketCors", "GetBucketCORS"},
    {"s3", "GetBucketEncryption", "GetEncryptionConfiguration"},
    {"s3", "GetBucketLifecycle", "GetLifecycleConfiguration"},
    {"s3", "GetBucketLifecycleConfiguration", "GetLifecycleConfiguration"},
    {"s3", "GetBucketNotificationConfiguration", "GetBucketNotification"},
    {"s3", "GetBucketReplication", "GetReplicationConfiguration"},
    {"s3", "HeadBucket", "ListBucket"},
    {"s3", "HeadObject", "GetObject"},
    {"s3", "ListBuckets", "ListAllMyBuckets"},
    {"s3", "ListObjectVersions", "ListBucketVersions"},
    {"s3", "ListObjects", "ListBucket"},
    {"s3", "ListObjectsV2", "ListBucket"},
    {"s3", "PutBucketCors", "PutBucketCORS"},
    {"s3", "PutBucketEncryption", "PutEncryptionConfiguration"},
    {"s3", "PutBucketLifecycle", "PutLifecycleConfiguration"},
    {"s3", "PutBucketLifecycleConfiguration", "PutLifecycleConfiguration"},
    {"s3", "PutBucketNotificationConfiguration", "PutBucketNotification"},
    {"s3", "PutBucketReplication", "PutReplicationConfiguration"},
    {"s3", "SelectObjectContent", "GetObject"},
    {"s3", "UploadPart", "PutObject"},
    {"s3", "UploadPartCopy", "PutObject"},
};

/* Actions CloudTrail logs only when the trail records data events (or
 * never: CloudWatch Logs and X-Ray data calls). */
static const char *const data_actions[] = {
    "dynamodb:BatchGetItem",  "dynamodb:BatchWriteItem",  "dynamodb:ConditionCheckItem",
    "dynamodb:DeleteItem",    "dynamodb:GetItem",         "dynamodb:GetRecords",
    "dynamodb:GetShardIterator", "dynamodb:PartiQL*",     "dynamodb:PutItem",
    "dynamodb:Query",         "dynamodb:Scan",            "dynamodb:UpdateItem",
    "kinesis:GetRecords",     "kinesis:GetShardIterator", "kinesis:PutRecord",
    "kinesis:PutRecords",     "kinesis:SubscribeToShard", "lambda:InvokeAsync",
    "lambda:InvokeFunction",  "lambda:InvokeFunctionUrl", "logs:FilterLogEvents",
    "logs:GetLogEvents",      "logs:PutLogEvents",        "s3:AbortMultipartUpload",
    "s3:DeleteObject*",       "s3:GetObject*",            "s3:ListBucket",
    "s3:ListBucketMultipartUploads", "s3:ListBucketVersions", "s3:ListMultipartUploadParts",
    "s3:PutObject*",          "s3:ReplicateDelete",       "s3:ReplicateObject",
    "s3:ReplicateTags",       "s3:RestoreObject",         "sns:Publish",
    "sqs:ChangeMessageVisibility", "sqs:DeleteMessage",   "sqs:ReceiveMessage",
    "sqs:SendMessage",        "xray:PutTelemetryRecords", "xray:PutTraceSegments",
};

bool slsec_action_is_data_event(const char *action)
{
    if (!action)
        return false;
    for (size_t i = 0; i < sizeof data_actions / sizeof data_actions[0]; i++)
        if (slsec_glob_match_ci(data_actions[i], action))
            return true;
    return false;
}

/* Lambda's event names carry the API version: GetFunction20150331v2. */
static size_t lambda_name_len(const char *name, size_t n)
{
    size_t end = n;
    if (end >= 2 && isdigit((unsigned char)name[end - 1])) {
        size_t k = end;
        while (k > 0 && isdigit((unsigned char)name[k - 1]))
            k--;
        if (k > 0 && name[k - 1] == 'v')
            end = k - 1;
    }
    size_t digits = 0;
    while (digits < end && isdigit((unsigned char)name[end - 1 - digits]))
        digits++;
    return digits == 8 ? end - 8 : n;
}

bool slsec_event_action(const char *event_source, const char *event_name, char *out, size_t size)
{
    if (!event_source || !event_name || !*event_name || size == 0)
        return false;
    const char *dot = strstr(event_source, ".amazonaws.com");
    size_t hlen = dot ? (size_t)(dot - event_source) : strlen(event_source);
    if (hlen == 0 || hlen >= 64)
        return false;
    char host[64];
    memcpy(host, event_source, hlen);
    host[hlen] = '\0';
    const char *prefix = host;
    for (size_t i = 0; i < sizeof sources / sizeof sources[0]; i++)
        if (strcmp(sources[i].host, host) == 0) {
            prefix = sources[i].prefix;
            if (!prefix)
                return false;
            break;
        }
    size_t nlen = strlen(event_name);
    if (strcmp(prefix, "lambda") == 0)
        nlen = lambda_name_len(event_name, nlen);
    if (nlen == 0 || nlen >= 128)
        return false;
    char name[128];
    memcpy(name, event_name, nlen);
    name[nlen] = '\0';
    const char *action = name;
    for (size_t i = 0; i < sizeof renames / sizeof renames[0]; i++)
        if (strcmp(renames[i].prefix, prefix) == 0 && strcmp(renames[i].event, name) == 0) {
            action = renames[i].action;
            break;
        }
    char candidate[256];
    int w = snprintf(candidate, sizeof candidate, "%s:%s", prefix, action);
    if (w < 0 || (size_t)w >= sizeof candidate)
        return false;
    return slsec_iam_action_level(candidate, out, size) != SLSEC_ACCESS_UNKNOWN && out[0];
}
