"""The test bucket as the ops tests change it behind Rondone's back (boto3, from moto's venv).

    s3.py keys                  every key under aggregates/, sorted, with its size
    s3.py put-orphan METRIC     an object under aggregates/METRIC/ that nothing names; prints its key
    s3.py flip KEY              flips one byte in the middle of the object (its ETag follows)
    s3.py delete KEY

The bucket and endpoint come from RONDONE_TEST_S3_URL, credentials from AWS_*.
"""
import os
import sys
import urllib.parse

import boto3


def bucket():
    url = urllib.parse.urlparse(os.environ["RONDONE_TEST_S3_URL"])
    query = urllib.parse.parse_qs(url.query)
    client = boto3.client("s3", endpoint_url=query["endpoint"][0], region_name=query.get("region", ["us-east-1"])[0])
    return client, url.netloc


def main():
    client, name = bucket()
    command = sys.argv[1]
    if command == "keys":
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=name, Prefix="aggregates/")
        for page in pages:
            for item in page.get("Contents", []):
                print(item["Key"], item["Size"])
    elif command == "put-orphan":
        key = f"aggregates/{sys.argv[2]}/orphan-{os.urandom(6).hex()}"
        client.put_object(Bucket=name, Key=key, Body=os.urandom(100))
        print(key)
    elif command == "flip":
        body = bytearray(client.get_object(Bucket=name, Key=sys.argv[2])["Body"].read())
        body[len(body) // 2] ^= 0xFF
        client.put_object(Bucket=name, Key=sys.argv[2], Body=bytes(body))
    elif command == "delete":
        client.delete_object(Bucket=name, Key=sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
