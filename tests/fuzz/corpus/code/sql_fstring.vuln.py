import json
import sqlite3


def find(db, name):
    query = f"SELECT * FROM users WHERE name = '{name}'"
    return db.execute(query).fetchall()  # expect: CODE-003


def lambda_handler(event, context):
    db = sqlite3.connect("/tmp/users.db")
    body = json.loads(event["body"])
    return {"statusCode": 200, "body": json.dumps(find(db, body["name"]))}
