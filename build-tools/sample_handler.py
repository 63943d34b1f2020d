"""The third arm of `npm run bench`'s data-path comparison: the AWS sample's per-request
behaviour, in Python, as its Lambda handler works (written here from that description,
not copied): for every request a new boto3 session and Secrets Manager client,
GetSecretValue, a new psycopg2 connection, then the statement (the list is `SELECT *`
with no limit), commit, close.

It serves the bench one request per line on stdin ({"op": "create"|"list"}) and answers
one line per request on stdout: the status, the handler's wall time and this process's
CPU time for it, both in ms, measured around the handler alone (as the bench measures
its Node.js arms around theirs). Environment: SECRET_ID, AWS_REGION and
AWS_ENDPOINT_URL (the local moto_server), and credentials for it.
"""

import json
import os
import sys
import time

import boto3
import psycopg2

SECRET_ID = os.environ["SECRET_ID"]
REGION = os.environ["AWS_REGION"]
ENDPOINT = os.environ["AWS_ENDPOINT_URL"]


def handle(op, body):
    session = boto3.session.Session()
    client = session.client("secretsmanager", region_name=REGION, endpoint_url=ENDPOINT)
    secret = json.loads(client.get_secret_value(SecretId=SECRET_ID)["SecretString"])
    connection = psycopg2.connect(
        host=secret["host"], port=secret["port"], user=secret["username"],
        password=secret["password"], dbname=secret["dbname"], sslmode="disable",
    )
    try:
        with connection.cursor() as cursor:
            if op == "list":
                cursor.execute("SELECT * FROM remittances")
            else:
                cursor.execute(
                    "INSERT INTO remittances (sender, recipient, amount, currency, created_by, created_in) "
                    "VALUES (%s, %s, %s, %s, %s, %s) RETURNING *",
                    (body["sender"], body["recipient"], body["amount"], body["currency"], "bench", REGION),
                )
            columns = [c[0] for c in cursor.description]
            items = [dict(zip(columns, row)) for row in cursor.fetchall()]
        connection.commit()
        return {"statusCode": 200 if op == "list" else 201, "body": json.dumps(items, default=str)}
    finally:
        connection.close()


def main():
    for line in sys.stdin:
        request = json.loads(line)
        started, cpu = time.perf_counter(), time.process_time()
        response = handle(request["op"], request.get("body") or {})
        wall_ms = (time.perf_counter() - started) * 1000
        cpu_ms = (time.process_time() - cpu) * 1000
        sys.stdout.write(json.dumps({"status": response["statusCode"], "bytes": len(response["body"]), "wallMs": wall_ms, "cpuMs": cpu_ms}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
