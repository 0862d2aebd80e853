import os
import subprocess
import urllib.parse


def handler(event, context):
    for record in event["Records"]:
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        local = "/tmp/" + os.path.basename(key)
        subprocess.run("convert '%s' /tmp/preview.png" % local, shell=True)  # expect: CODE-001
