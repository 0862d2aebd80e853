"""Nightly reports (boto3)."""
import os

import boto3
import httpx
import requests

from helpers import notify

s3 = boto3.client("s3")
table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
session = boto3.Session(region_name="eu-west-1")
events = session.client("events")
WEATHER = "https://api.weather.example.org/v1"
target = "https://mirror.example.com/"


def lambda_handler(event, context):
    global target
    rows = table.query(KeyConditionExpression="pk = :p")["Items"]
    paginator = s3.get_paginator("list_objects_v2")
    s3.put_object(Bucket=os.environ["BUCKET"], Key="reports/today.json", Body=str(rows))
    s3.upload_file("/tmp/report.pdf", os.environ["BUCKET"], "reports/today.pdf")
    events.put_events(Entries=[{"Source": "reports", "DetailType": "done", "Detail": "{}"}])
    requests.get(f"{WEATHER}/forecast", params={"city": event["city"]}, timeout=5)
    requests.post(f"https://{event['host']}/callback", timeout=5)  # the host comes from the event: not an integration
    requests.get(os.environ["PARTNER_URL"], timeout=5)  # the deployment picks the host
    print("see https://print-only.example.org/docs")  # a log string, not a call
    target = event["mirror"]
    requests.get(target, timeout=5)  # reassigned from the event: no longer a constant
    with httpx.Client(base_url="https://analytics.example.net") as client:
        client.post("/events", json={"rows": len(rows)})
    with requests.Session() as http:
        http.get("https://cdn.example.com/%s.json" % event["day"], timeout=5)
    notify.send("reports done")
    return {"rows": len(rows), "pages": paginator is not None}
