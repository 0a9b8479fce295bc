"""Objects in an S3-compatible bucket, through boto3."""

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

from residency.storage.base import Storage, StorageError, check_key


class S3Storage(Storage):
    name = "s3"

    def __init__(self, bucket, endpoint_url=None, region=None, access_key_id=None, secret_access_key=None):
        self.bucket = bucket
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=BotoConfig(
                signature_version="s3v4",
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=5,
                read_timeout=60,
                s3={"addressing_style": "path"},
            ),
        )

    def check(self):
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"bucket {self.bucket!r} not reachable: {exc}") from exc

    def put(self, key, fileobj, content_type="application/octet-stream"):
        try:
            self.client.upload_fileobj(fileobj, self.bucket, check_key(key), ExtraArgs={"ContentType": content_type})
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(str(exc)) from exc
        return key

    def open(self, key):
        try:
            return self.client.get_object(Bucket=self.bucket, Key=check_key(key))["Body"]
        except ClientError as exc:
            raise StorageError(f"no such key {key!r}") from exc

    def exists(self, key):
        try:
            self.client.head_object(Bucket=self.bucket, Key=check_key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise StorageError(str(exc)) from exc
        return True

    def size(self, key):
        try:
            return self.client.head_object(Bucket=self.bucket, Key=check_key(key))["ContentLength"]
        except ClientError as exc:
            raise StorageError(f"no such key {key!r}") from exc

    def delete(self, key):
        try:
            self.client.delete_object(Bucket=self.bucket, Key=check_key(key))
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(str(exc)) from exc
