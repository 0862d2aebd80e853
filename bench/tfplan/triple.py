#!/usr/bin/env python3
"""Writes tests/fixtures/triple/terraform/plan.json: the orders app of
tests/fixtures/triple (sam/, serverless/) as the Terraform plan its HCL
would give (`terraform show -json tfplan`). Run from the repository root:
    python3 bench/tfplan/triple.py
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from planjson import Res, ref, plan, dump  # noqa: E402

ASSUME = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
    separators=(",", ":"))


def function(name, fname, handler, timeout, env=None):
    vals = {
        "function_name": fname, "runtime": "nodejs20.x", "handler": handler, "memory_size": 256,
        "timeout": timeout, "filename": "build/orders.zip", "package_type": "Zip",
        "reserved_concurrent_executions": -1, "publish": False, "layers": None,
        "environment": [{"variables": env}] if env else [], "dead_letter_config": [], "vpc_config": [],
        "kms_key_arn": None, "code_signing_config_arn": None, "description": None,
        "tags": None, "timeouts": None, "image_uri": None, "s3_bucket": None, "s3_key": None,
    }
    return Res("aws_lambda_function", name, vals,
               unknown=["arn", "invoke_arn", "qualified_arn", "role", "tracing_config", "logging_config",
                        "last_modified", "source_code_hash", "version", "id", "ephemeral_storage"],
               refs={"role": ref("aws_iam_role.lambda_exec.arn", "aws_iam_role.lambda_exec")},
               config=["function_name", "runtime", "handler", "memory_size", "timeout", "filename"] +
                      (["environment"] if env else []))


def log_group(name, fname):
    return Res("aws_cloudwatch_log_group", name,
               {"name": f"/aws/lambda/{fname}", "retention_in_days": 14, "kms_key_id": None,
                "skip_destroy": False, "log_group_class": "STANDARD", "tags": None},
               unknown=["arn", "id", "tags_all"], config=["name", "retention_in_days"])


resources = [
    Res("aws_iam_role", "lambda_exec",
        {"name": "orders-dev-lambda", "assume_role_policy": ASSUME, "path": "/", "description": None,
         "force_detach_policies": False, "max_session_duration": 3600, "permissions_boundary": None,
         "tags": None},
        unknown=["arn", "id", "unique_id", "create_date", "inline_policy", "managed_policy_arns", "tags_all",
                 "name_prefix"],
        config=["name", "assume_role_policy"]),
    Res("aws_iam_role_policy", "lambda",
        {"name": "orders-dev-lambda", "name_prefix": None},
        unknown=["id", "policy", "role"],
        refs={"role": ref("aws_iam_role.lambda_exec.id", "aws_iam_role.lambda_exec"),
              "policy": ref("data.aws_iam_policy_document.lambda.json", "data.aws_iam_policy_document.lambda")},
        config=["name"]),
    Res("aws_iam_policy_document", "lambda",
        {"version": "2012-10-17", "override_policy_documents": None, "source_policy_documents": None,
         "policy_id": None,
         "statement": [
             {"sid": "", "effect": "Allow", "actions": ["logs:CreateLogStream", "logs:PutLogEvents"],
              "resources": ["arn:aws:logs:*:*:log-group:/aws/lambda/orders-dev-*"], "not_actions": None,
              "not_resources": None, "principals": [], "not_principals": [], "condition": []},
             {"sid": "", "effect": "Allow", "actions": ["dynamodb:*"], "resources": ["*"], "not_actions": None,
              "not_resources": None, "principals": [], "not_principals": [], "condition": []},
             {"sid": "", "effect": "Allow",
              "actions": ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
              "not_actions": None, "not_resources": None, "principals": [], "not_principals": [],
              "condition": []}]},
        unknown={"id": True, "json": True, "minified_json": True,
                 "statement": [{}, {}, {"resources": True}]},
        mode="data",
        refs={"statement": [{}, {}, {"resources": ref("aws_sqs_queue.orders.arn", "aws_sqs_queue.orders")}]},
        config=["version"]),
    function("create_order", "orders-dev-createOrder", "src/create.handler", 60,
             env={"TABLE_NAME": "orders-dev-orders"}),
    function("process_orders", "orders-dev-processOrders", "src/process.handler", 30),
    function("nightly_report", "orders-dev-nightlyReport", "src/report.handler", 900),
    log_group("create_order", "orders-dev-createOrder"),
    log_group("process_orders", "orders-dev-processOrders"),
    log_group("nightly_report", "orders-dev-nightlyReport"),
    Res("aws_sqs_queue", "orders",
        {"name": "orders-dev-orders", "visibility_timeout_seconds": 180, "delay_seconds": 0,
         "fifo_queue": False, "kms_master_key_id": None, "message_retention_seconds": 345600,
         "receive_wait_time_seconds": 0, "tags": None},
        unknown=["arn", "id", "url", "policy", "redrive_policy", "redrive_allow_policy",
                 "sqs_managed_sse_enabled", "kms_data_key_reuse_period_seconds", "tags_all"],
        config=["name", "visibility_timeout_seconds"]),
    Res("aws_lambda_event_source_mapping", "process_orders",
        {"batch_size": 10, "enabled": True, "destination_config": [], "maximum_batching_window_in_seconds": None,
         "bisect_batch_on_function_error": None, "function_response_types": None},
        unknown=["event_source_arn", "function_name", "function_arn", "id", "uuid", "state", "last_modified"],
        refs={"event_source_arn": ref("aws_sqs_queue.orders.arn", "aws_sqs_queue.orders"),
              "function_name": ref("aws_lambda_function.process_orders.arn", "aws_lambda_function.process_orders")},
        config=["batch_size"]),
    Res("aws_s3_bucket", "orders",
        {"bucket": "orders-dev-receipts", "force_destroy": False, "tags": None, "timeouts": None},
        unknown=["acceleration_status", "acl", "arn", "bucket_domain_name", "bucket_prefix",
                 "bucket_regional_domain_name", "cors_rule", "grant", "hosted_zone_id", "id", "lifecycle_rule",
                 "logging", "object_lock_configuration", "object_lock_enabled", "policy", "region",
                 "replication_configuration", "request_payer", "server_side_encryption_configuration",
                 "tags_all", "versioning", "website", "website_domain", "website_endpoint"],
        config=["bucket"]),
    Res("aws_dynamodb_table", "orders",
        {"name": "orders-dev-orders", "billing_mode": "PAY_PER_REQUEST", "hash_key": "id", "range_key": None,
         "attribute": [{"name": "id", "type": "S"}], "point_in_time_recovery": [{"enabled": False}],
         "deletion_protection_enabled": None, "stream_enabled": None, "tags": None, "ttl": []},
        unknown=["arn", "id", "read_capacity", "write_capacity", "server_side_encryption", "stream_arn",
                 "stream_label", "stream_view_type", "tags_all"],
        config=["name", "billing_mode", "hash_key", "attribute"]),
    Res("aws_api_gateway_rest_api", "orders",
        {"name": "orders-dev", "description": None, "body": None, "put_rest_api_mode": None, "tags": None},
        unknown=["api_key_source", "arn", "binary_media_types", "created_date", "disable_execute_api_endpoint",
                 "endpoint_configuration", "execution_arn", "id", "minimum_compression_size", "policy",
                 "root_resource_id", "tags_all"],
        config=["name"]),
    Res("aws_api_gateway_resource", "orders", {"path_part": "orders"},
        unknown=["id", "parent_id", "path", "rest_api_id"],
        refs={"parent_id": ref("aws_api_gateway_rest_api.orders.root_resource_id", "aws_api_gateway_rest_api.orders"),
              "rest_api_id": ref("aws_api_gateway_rest_api.orders.id", "aws_api_gateway_rest_api.orders")}),
    Res("aws_api_gateway_method", "create_order",
        {"http_method": "POST", "authorization": "NONE", "api_key_required": False, "authorizer_id": None,
         "request_validator_id": None, "operation_name": None, "request_models": None,
         "request_parameters": None, "authorization_scopes": None},
        unknown=["id", "resource_id", "rest_api_id"],
        refs={"resource_id": ref("aws_api_gateway_resource.orders.id", "aws_api_gateway_resource.orders"),
              "rest_api_id": ref("aws_api_gateway_rest_api.orders.id", "aws_api_gateway_rest_api.orders")},
        config=["http_method", "authorization"]),
    Res("aws_api_gateway_integration", "create_order",
        {"integration_http_method": "POST", "type": "AWS_PROXY", "connection_type": "INTERNET",
         "timeout_milliseconds": 29000, "credentials": None, "request_templates": None},
        unknown=["cache_key_parameters", "cache_namespace", "http_method", "id", "passthrough_behavior",
                 "resource_id", "rest_api_id", "uri"],
        refs={"http_method": ref("aws_api_gateway_method.create_order.http_method",
                                 "aws_api_gateway_method.create_order"),
              "resource_id": ref("aws_api_gateway_resource.orders.id", "aws_api_gateway_resource.orders"),
              "rest_api_id": ref("aws_api_gateway_rest_api.orders.id", "aws_api_gateway_rest_api.orders"),
              "uri": ref("aws_lambda_function.create_order.invoke_arn", "aws_lambda_function.create_order")},
        config=["integration_http_method", "type"]),
    Res("aws_api_gateway_deployment", "orders", {"description": None, "triggers": None, "variables": None},
        unknown=["created_date", "execution_arn", "id", "invoke_url", "rest_api_id"],
        refs={"rest_api_id": ref("aws_api_gateway_rest_api.orders.id", "aws_api_gateway_rest_api.orders")},
        config=[]),
    Res("aws_api_gateway_stage", "prod",
        {"stage_name": "prod", "access_log_settings": [], "cache_cluster_enabled": False,
         "xray_tracing_enabled": False, "canary_settings": [], "client_certificate_id": None,
         "documentation_version": None, "variables": None, "tags": None},
        unknown=["arn", "cache_cluster_size", "deployment_id", "execution_arn", "id", "invoke_url",
                 "rest_api_id", "tags_all", "web_acl_arn"],
        refs={"deployment_id": ref("aws_api_gateway_deployment.orders.id", "aws_api_gateway_deployment.orders"),
              "rest_api_id": ref("aws_api_gateway_rest_api.orders.id", "aws_api_gateway_rest_api.orders")},
        config=["stage_name"]),
    Res("aws_lambda_permission", "api_create_order",
        {"action": "lambda:InvokeFunction", "principal": "apigateway.amazonaws.com", "statement_id":
         "AllowAPIGatewayInvoke", "event_source_token": None, "principal_org_id": None, "qualifier": None,
         "source_account": None, "function_url_auth_type": None},
        unknown=["function_name", "id", "source_arn", "statement_id_prefix"],
        refs={"function_name": ref("aws_lambda_function.create_order.function_name",
                                   "aws_lambda_function.create_order"),
              "source_arn": ref("aws_api_gateway_rest_api.orders.execution_arn", "aws_api_gateway_rest_api.orders")},
        config=["action", "principal", "statement_id"]),
]

if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/triple/terraform/plan.json"
    dump(plan(resources), out)
