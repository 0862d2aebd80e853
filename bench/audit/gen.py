#!/usr/bin/env python3
"""gen.py OUT_DIR [MEGABYTES] — a synthetic CloudTrail of MEGABYTES (default
1024) uncompressed, as S3 delivers it ({"Records": [...]}, 32 MB files), made
by 100 function roles (bench-role-00..99) calling 40 actions of 8 services,
plus OUT_DIR/template.yaml declaring those roles. Deterministic (seeded)."""
import json
import os
import random
import sys

out = sys.argv[1]
target = int(sys.argv[2] if len(sys.argv) > 2 else 1024) * 1024 * 1024
ACCT = "111122223333"
rng = random.Random(7)
ACTIONS = [
    ("dynamodb.amazonaws.com", n) for n in ["DescribeTable", "ListTables", "DescribeTimeToLive", "ListTagsOfResource", "DescribeContinuousBackups"]
] + [("s3.amazonaws.com", n) for n in ["ListBuckets", "GetBucketLocation", "GetBucketPolicy", "GetBucketVersioning", "GetBucketAcl"]] + [
    ("kms.amazonaws.com", n) for n in ["Decrypt", "GenerateDataKey", "DescribeKey", "Encrypt", "ListAliases"]
] + [("sts.amazonaws.com", n) for n in ["GetCallerIdentity", "AssumeRole", "GetSessionToken", "DecodeAuthorizationMessage", "GetAccessKeyInfo"]] + [
    ("ssm.amazonaws.com", n) for n in ["GetParameter", "GetParameters", "GetParametersByPath", "DescribeParameters", "PutParameter"]
] + [("secretsmanager.amazonaws.com", n) for n in ["GetSecretValue", "DescribeSecret", "ListSecrets", "PutSecretValue", "ListSecretVersionIds"]] + [
    ("sqs.amazonaws.com", n) for n in ["GetQueueAttributes", "GetQueueUrl", "ListQueues", "ListQueueTags", "SetQueueAttributes"]
] + [("events.amazonaws.com", n) for n in ["PutEvents", "DescribeRule", "ListRules", "ListTargetsByRule", "DescribeEventBus"]]

os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "template.yaml"), "w") as t:
    t.write('AWSTemplateFormatVersion: "2010-09-09"\nResources:\n')
    for i in range(100):
        t.write("  Role%02d:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: bench-role-%02d\n"
                "      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, "
                "Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]}\n"
                "      Policies:\n        - PolicyName: p\n          PolicyDocument:\n"
                "            Version: '2012-10-17'\n            Statement:\n"
                "              - {Effect: Allow, Action: ['dynamodb:*', 's3:Get*', 'kms:*', 'ssm:Get*', 'sqs:*'], Resource: '*'}\n"
                % (i, i))

TEMPLATE = ('{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE%(r)02d:fn-%(r)02d",'
            '"arn":"arn:aws:sts::' + ACCT + ':assumed-role/bench-role-%(r)02d/fn-%(r)02d","accountId":"' + ACCT + '",'
            '"accessKeyId":"ASIAEXAMPLE%(r)02dKEY","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE%(r)02d",'
            '"arn":"arn:aws:iam::' + ACCT + ':role/bench-role-%(r)02d","accountId":"' + ACCT + '","userName":"bench-role-%(r)02d"},'
            '"attributes":{"creationDate":"2026-10-01T00:00:00Z","mfaAuthenticated":"false"}},"invokedBy":"lambda.amazonaws.com"},'
            '"eventTime":"2026-10-%(d)02dT%(h)02d:%(m)02d:%(s)02dZ","eventSource":"%(src)s","eventName":"%(name)s",'
            '"awsRegion":"us-east-1","sourceIPAddress":"10.0.%(r)d.%(ip)d","userAgent":"aws-sdk-nodejs/3.600.0 linux/v20.11.0 exec-env/AWS_Lambda_nodejs20.x",'
            '"requestParameters":{"tableName":"table-%(r)02d","key":"k%(n)d"},"responseElements":null,'
            '"requestID":"%(n)08x-0000-4000-8000-%(n)012x","eventID":"%(n)08x-1111-4000-8000-%(n)012x","readOnly":true,'
            '"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"' + ACCT + '","eventCategory":"Management",'
            '"tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"service.us-east-1.amazonaws.com"}}')

written = 0
n = 0
fileno = 0
while written < target:
    path = os.path.join(out, "AWSLogs", ACCT, "CloudTrail", "us-east-1", "%s_CloudTrail_us-east-1_%04d.json" % (ACCT, fileno))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    parts = []
    size = 0
    while size < 32 * 1024 * 1024 and written + size < target:
        r = rng.randrange(100)
        src, name = ACTIONS[(r * 7 + rng.randrange(12)) % len(ACTIONS)]
        rec = TEMPLATE % {"r": r, "d": 1 + n % 28, "h": n % 24, "m": n % 60, "s": n % 59, "src": src,
                          "name": name, "ip": n % 250, "n": n}
        parts.append(rec)
        size += len(rec) + 1
        n += 1
    data = '{"Records":[' + ",".join(parts) + "]}"
    with open(path, "w") as f:
        f.write(data)
    written += len(data)
    fileno += 1
print("wrote %d records, %.1f MB in %d files to %s" % (n, written / 1048576, fileno, out))
