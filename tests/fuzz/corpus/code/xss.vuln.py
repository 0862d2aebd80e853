def handler(event, context):
    q = event["queryStringParameters"]["q"]
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "text/html"},
        "body": f"<h1>Results for {q}</h1>",  # expect: CODE-012
    }
