#!/usr/bin/env python3
"""gen.py N OUT — a Terraform plan (`terraform show -json` shape) of an
app with N functions, each with its own role and inline policy (from an
aws_iam_policy_document read at apply), log group, SQS queue with an
event source mapping, and an HTTP API route; plus shared API, stage and
bucket. Deterministic: the same N gives the same bytes."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from planjson import Res, ref, plan, dump  # noqa: E402

TRUST = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":'
         '{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}')


def app(n):
    rs = [
        Res("aws_apigatewayv2_api", "http", {"name": "bench", "protocol_type": "HTTP"}, unknown=["id", "arn"]),
        Res("aws_apigatewayv2_stage", "default", {"name": "$default", "auto_deploy": True},
            unknown=["id", "api_id"], refs={"api_id": ref("aws_apigatewayv2_api.http.id", "aws_apigatewayv2_api.http")}),
        Res("aws_s3_bucket", "assets", {"bucket": "bench-assets"}, unknown=["id", "arn", "versioning"]),
    ]
    for i in range(n):
        f = f"fn{i:04d}"
        rs += [
            Res("aws_iam_role", f, {"name": f"{f}-role", "assume_role_policy": TRUST},
                unknown=["arn", "id", "inline_policy", "managed_policy_arns"]),
            Res("aws_iam_policy_document", f, {"statement": [
                {"effect": "Allow", "actions": ["sqs:ReceiveMessage", "sqs:DeleteMessage"], "principals": [],
                 "condition": []},
                {"effect": "Allow", "actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::bench-assets/*"],
                 "principals": [], "condition": []}]},
                unknown={"json": True, "statement": [{"resources": True}, {}]}, mode="data",
                refs={"statement": [{"resources": ref(f"aws_sqs_queue.{f}.arn", f"aws_sqs_queue.{f}")}, {}]},
                config=[]),
            Res("aws_iam_role_policy", f, {"name": "inline"}, unknown=["id", "role", "policy"],
                refs={"role": ref(f"aws_iam_role.{f}.id", f"aws_iam_role.{f}"),
                      "policy": ref(f"data.aws_iam_policy_document.{f}.json", f"data.aws_iam_policy_document.{f}")}),
            Res("aws_lambda_function", f, {
                "function_name": f, "runtime": "python3.12", "handler": "app.handler", "timeout": 30,
                "memory_size": 256, "filename": "app.zip", "reserved_concurrent_executions": -1,
                "environment": [{"variables": {"QUEUE": f, "STAGE": "bench"}}], "vpc_config": [],
                "dead_letter_config": []},
                unknown=["arn", "invoke_arn", "role", "tracing_config", "id"],
                refs={"role": ref(f"aws_iam_role.{f}.arn", f"aws_iam_role.{f}")}),
            Res("aws_cloudwatch_log_group", f, {"name": f"/aws/lambda/{f}", "retention_in_days": 30},
                unknown=["arn", "id"]),
            Res("aws_sqs_queue", f, {"name": f"{f}-queue", "sqs_managed_sse_enabled": True}, unknown=["arn", "id"]),
            Res("aws_lambda_event_source_mapping", f, {"batch_size": 10}, unknown=["id", "function_name", "event_source_arn"],
                refs={"function_name": ref(f"aws_lambda_function.{f}.arn", f"aws_lambda_function.{f}"),
                      "event_source_arn": ref(f"aws_sqs_queue.{f}.arn", f"aws_sqs_queue.{f}")}),
            Res("aws_apigatewayv2_integration", f, {"integration_type": "AWS_PROXY"},
                unknown=["id", "api_id", "integration_uri"],
                refs={"api_id": ref("aws_apigatewayv2_api.http.id", "aws_apigatewayv2_api.http"),
                      "integration_uri": ref(f"aws_lambda_function.{f}.invoke_arn", f"aws_lambda_function.{f}")}),
            Res("aws_apigatewayv2_route", f, {"route_key": f"GET /{f}", "authorization_type": "NONE"},
                unknown=["id", "api_id", "target"],
                refs={"api_id": ref("aws_apigatewayv2_api.http.id", "aws_apigatewayv2_api.http"),
                      "target": ref(f"aws_apigatewayv2_integration.{f}.id", f"aws_apigatewayv2_integration.{f}")}),
        ]
    return rs


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: gen.py N OUT")
    dump(plan(app(int(sys.argv[1]))), sys.argv[2])
