#!/usr/bin/env python3
"""Writes a synthetic Serverless Framework service with N functions to
stdout (or -o FILE).

    bench/serverless/gen_serverless.py N [-o FILE]

What a real service has, in proportion to N, so every part of the
Serverless front-end is exercised:
  - provider settings every function inherits (runtime, memory, timeout,
    tracing, environment, log retention) and the shared role's statements
    (the Framework's IamRoleLambdaExecution);
  - function fnI: an http event (GET items-I/{id}; every third one behind
    a Cognito authorizer, every fifth private), an sqs event on its own
    queue (!GetAtt QueueI.Arn), environment variables built with
    ${self:...}, ${sls:stage} and ${opt:..., default} variables;
  - QueueI and TableI under resources.Resources, as raw CloudFormation.
The output is deterministic (same N, same bytes). Standard library only.
"""
import argparse
import sys

HEADER = """\
# synthetic Serverless Framework service with {n} functions (bench/serverless/gen_serverless.py)
service: bench
frameworkVersion: "3"

custom:
  tablePrefix: ${{self:service}}-${{sls:stage}}
  logLevel: ${{opt:log-level, 'info'}}
  userPool: arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_bench

provider:
  name: aws
  runtime: python3.12
  stage: ${{opt:stage, 'prod'}}
  memorySize: 256
  timeout: 20
  logRetentionInDays: 30
  tracing:
    lambda: true
  environment:
    LOG_LEVEL: ${{self:custom.logLevel}}
    STAGE: ${{sls:stage}}
  iam:
    role:
      statements:
        - Effect: Allow
          Action:
            - dynamodb:GetItem
            - dynamodb:PutItem
          Resource: arn:aws:dynamodb:eu-west-1:123456789012:table/${{self:custom.tablePrefix}}-*

functions:
"""

FUNCTION = """\
  fn{i}:
    handler: src/fn{i}.handler
    memorySize: {mem}
    environment:
      TABLE: ${{self:custom.tablePrefix}}-items-{i}
      QUEUE_URL: !Ref Queue{i}
    events:
      - http:
          path: items-{i}/{{id}}
          method: get{auth}
      - sqs:
          arn: !GetAtt Queue{i}.Arn
          batchSize: 10
"""

AUTH = """
          authorizer:
            name: pool
            arn: ${self:custom.userPool}"""

PRIVATE = """
          private: true"""

RESOURCE = """\
    Queue{i}:
      Type: AWS::SQS::Queue
      Properties:
        QueueName: ${{self:custom.tablePrefix}}-queue-{i}
        SqsManagedSseEnabled: true
    Table{i}:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: ${{self:custom.tablePrefix}}-items-{i}
        BillingMode: PAY_PER_REQUEST
        PointInTimeRecoverySpecification:
          PointInTimeRecoveryEnabled: true
        AttributeDefinitions:
          - AttributeName: id
            AttributeType: S
        KeySchema:
          - AttributeName: id
            KeyType: HASH
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("-o", "--output")
    a = ap.parse_args()
    if a.n < 1:
        ap.error("N must be at least 1")
    parts = [HEADER.format(n=a.n)]
    for i in range(a.n):
        auth = AUTH if i % 3 == 0 else PRIVATE if i % 5 == 0 else ""
        parts.append(FUNCTION.format(i=i, mem=128 * (1 + i % 4), auth=auth))
    parts.append("\nresources:\n  Resources:\n")
    for i in range(a.n):
        parts.append(RESOURCE.format(i=i))
    text = "".join(parts)
    if a.output:
        with open(a.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
