"""Renders a PNG preview of each uploaded invoice PDF and tells the customer it is ready."""
import json
import os
import subprocess
import urllib.parse

import boto3

s3 = boto3.client("s3")
sns = boto3.client("sns")


def handler(event, context):
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        local = "/tmp/" + os.path.basename(key)
        s3.download_file(bucket, key, local)
        # ImageMagick and Ghostscript come from the layer
        subprocess.run("convert -density 150 '%s[0]' /tmp/preview.png" % local, shell=True, check=True)
        preview_key = key[: -len(".pdf")] + ".png"
        s3.upload_file("/tmp/preview.png", bucket, preview_key, ExtraArgs={"ACL": "public-read"})
        sns.publish(
            TopicArn=os.environ["EVENTS_TOPIC_ARN"],
            Message=json.dumps({"type": "receipt.ready", "key": preview_key}),
        )
