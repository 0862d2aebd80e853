"""Renders a PNG preview of each uploaded invoice PDF and tells the customer it is ready."""
import json
import os
import subprocess
import tempfile
import urllib.parse

import boto3

s3 = boto3.client("s3")
sns = boto3.client("sns")


def handler(event, context):
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        preview_key = "previews/" + os.path.basename(key)[: -len(".pdf")] + ".png"
        with tempfile.TemporaryDirectory() as work:
            pdf = os.path.join(work, "invoice.pdf")
            png = os.path.join(work, "preview.png")
            s3.download_file(bucket, key, pdf)
            # ImageMagick and Ghostscript come from the layer; no shell, fixed local names
            subprocess.run(["convert", "-density", "150", pdf + "[0]", png], check=True, timeout=45)
            s3.upload_file(png, bucket, preview_key)
        sns.publish(
            TopicArn=os.environ["EVENTS_TOPIC_ARN"],
            Message=json.dumps({"type": "receipt.ready", "key": preview_key}),
        )
