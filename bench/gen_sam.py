#!/usr/bin/env python3
"""Writes a synthetic SAM application with N functions to stdout (or -o FILE).

    bench/gen_sam.py N [-o FILE]

Each function i gets what a real service has, so every part of the scan
pipeline is exercised in proportion to N:
  - FnI      AWS::Serverless::Function, with an API route (Api event,
             GET /items-I on the shared implicit REST API), environment
             variables, a timeout and memory size;
  - RoleI    its own AWS::IAM::Role: a Lambda trust policy and an inline
             policy scoped to its table (plus the basic execution role);
  - TableI   an AWS::DynamoDB::Table it reads and writes.
Intrinsics (!Ref, !GetAtt, !Sub) appear where a real template has them,
so the loader resolves as many as it would on a real one.

The output is deterministic (same N, same bytes): runs can be compared.
Python standard library only.
"""
import argparse
import sys

HEADER = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: synthetic SAM application with {n} functions (bench/gen_sam.py)

Parameters:
  Stage:
    Type: String
    Default: prod

Globals:
  Function:
    Runtime: python3.12
    MemorySize: 256
    Tracing: Active
    Environment:
      Variables:
        STAGE: !Ref Stage

Resources:
"""

FUNCTION = """\
  Fn{i}:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub "${{AWS::StackName}}-fn-{i}"
      Handler: handlers/fn{i}.handler
      CodeUri: src/
      Timeout: {timeout}
      Role: !GetAtt Role{i}.Arn
      Environment:
        Variables:
          TABLE_NAME: !Ref Table{i}
          LOG_LEVEL: INFO
      Events:
        Get{i}:
          Type: Api
          Properties:
            Path: /items-{i}/{{id}}
            Method: get
  Role{i}:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: lambda.amazonaws.com
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
      Policies:
        - PolicyName: table-{i}
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action:
                  - dynamodb:GetItem
                  - dynamodb:PutItem
                  - dynamodb:UpdateItem
                  - dynamodb:Query
                Resource:
                  - !GetAtt Table{i}.Arn
                  - !Sub "${{Table{i}.Arn}}/index/*"
  Table{i}:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: pk
          AttributeType: S
        - AttributeName: sk
          AttributeType: S
      KeySchema:
        - AttributeName: pk
          KeyType: HASH
        - AttributeName: sk
          KeyType: RANGE
      PointInTimeRecoverySpecification:
        PointInTimeRecoveryEnabled: {pitr}
      SSESpecification:
        SSEEnabled: true
"""


def generate(n, out):
    out.write(HEADER.format(n=n))
    for i in range(1, n + 1):
        # A little variety, so rules fire on some functions and not others
        # (a scan with no finding at all would skip the report's cost).
        out.write(FUNCTION.format(i=i, timeout=10 if i % 7 else 60, pitr="true" if i % 5 else "false"))


def main(argv):
    p = argparse.ArgumentParser(description="Write a synthetic SAM template with N functions.")
    p.add_argument("n", type=int, help="number of functions (each with a role, an API route and a table)")
    p.add_argument("-o", "--output", help="write here instead of stdout")
    a = p.parse_args(argv)
    if a.n < 1:
        p.error("N must be at least 1")
    if a.output:
        with open(a.output, "w", encoding="utf-8") as f:
            generate(a.n, f)
    else:
        generate(a.n, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
