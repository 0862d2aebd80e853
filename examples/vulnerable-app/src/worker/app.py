"""Fulfilment worker: charges each queued order and books it in the legacy ledger."""
import json
import os
import urllib.request

import boto3
import pg8000

sns = boto3.client("sns")
table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def charge(order):
    req = urllib.request.Request(
        os.environ["PAYMENTS_API_URL"],
        data=json.dumps({"amount": order["total"], "source": order["paymentToken"]}).encode(),
        headers={
            "Authorization": "Bearer " + os.environ["PAYMENTS_API_KEY"],
            "Content-Type": "application/json",
        },
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.load(resp)


def handler(event, context):
    conn = pg8000.connect(
        host=os.environ["DB_HOST"],
        user=os.environ["DB_USER"],
        password=os.environ["DB_PASSWORD"],
        database="orders",
    )
    try:
        for record in event["Records"]:
            order = json.loads(record["body"])
            print("processing order", order)
            payment = charge(order)
            cur = conn.cursor()
            cur.execute(
                "INSERT INTO ledger (order_id, amount, charge_id) VALUES ('%s', %s, '%s')"
                % (order["id"], order["total"], payment["id"])
            )
            conn.commit()
            table.update_item(
                Key={"id": order["id"]},
                UpdateExpression="SET #s = :s",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":s": "PAID"},
            )
            sns.publish(
                TopicArn=os.environ["EVENTS_TOPIC_ARN"],
                Message=json.dumps({"type": "order.paid", "id": order["id"]}),
            )
    finally:
        conn.close()
