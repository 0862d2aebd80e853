"""Fulfilment worker: charges each queued order and books it in the legacy ledger."""
import json
import os
import urllib.request

import boto3
import pg8000

sns = boto3.client("sns")
ssm = boto3.client("ssm")
secrets = boto3.client("secretsmanager")
table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])

# Read once per execution environment; never put in the environment or the logs.
PAYMENTS_API_KEY = ssm.get_parameter(Name=os.environ["PAYMENTS_API_KEY_PARAM"], WithDecryption=True)[
    "Parameter"
]["Value"]


def charge(order):
    body = {
        "amount": str(order["total"]),
        "currency": order["currency"],
        "source": order["paymentToken"],
        "idempotency_key": order["id"],
    }
    req = urllib.request.Request(
        os.environ["PAYMENTS_API_URL"],
        data=json.dumps(body).encode(),
        headers={"Authorization": "Bearer " + PAYMENTS_API_KEY, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.load(resp)


def handler(event, context):
    # fetched per invocation: the secret is rotated every 30 days
    creds = json.loads(secrets.get_secret_value(SecretId=os.environ["DB_SECRET_ARN"])["SecretString"])
    conn = pg8000.connect(
        host=os.environ["DB_HOST"],
        user=creds["username"],
        password=creds["password"],
        database="orders",
        ssl_context=True,
    )
    failures = []
    try:
        for record in event["Records"]:
            order_id = json.loads(record["body"])["id"]
            try:
                order = table.get_item(Key={"id": order_id})["Item"]
                payment = charge(order)
                cur = conn.cursor()
                cur.execute(
                    "INSERT INTO ledger (order_id, amount, charge_id) VALUES (%s, %s, %s)",
                    (order["id"], str(order["total"]), payment["id"]),
                )
                conn.commit()
                table.update_item(
                    Key={"id": order_id},
                    UpdateExpression="SET #s = :s",
                    ExpressionAttributeNames={"#s": "status"},
                    ExpressionAttributeValues={":s": "PAID"},
                )
                sns.publish(
                    TopicArn=os.environ["EVENTS_TOPIC_ARN"],
                    Message=json.dumps({"type": "order.paid", "id": order_id}),
                )
                print(json.dumps({"order": order_id, "status": "PAID"}))
            except Exception as err:  # one bad order must not fail the batch
                conn.rollback()
                print(json.dumps({"order": order_id, "error": type(err).__name__}))
                failures.append({"itemIdentifier": record["messageId"]})
    finally:
        conn.close()
    return {"batchItemFailures": failures}
