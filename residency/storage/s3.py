"""Objects in an S3-compatible bucket, through boto3.

Browsers upload parts straight to S3 with presigned ``UploadPart`` URLs, and download with
presigned ``GetObject`` URLs (S3 serves Range requests itself); the bucket's CORS rules must
expose the ``ETag`` header to the site's origin.
"""

import contextlib
import hashlib
import os
import tempfile

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

from residency.storage.base import (
    KeyTaken,
    MultipartError,
    Part,
    Storage,
    StorageError,
    check_key,
    check_parts,
    content_disposition,
)

MAX_PRESIGN_SECONDS = 7 * 24 * 3600  # SigV4's limit
TRANSFER = TransferConfig(multipart_threshold=64 * 1024 * 1024, multipart_chunksize=64 * 1024 * 1024, max_concurrency=4)


def _code(exc):
    return exc.response.get("Error", {}).get("Code", "")


class S3Storage(Storage):
    name = "s3"

    def __init__(self, bucket, endpoint_url=None, region=None, access_key_id=None, secret_access_key=None,
                 scratch_dir=None, public_endpoint_url=None):
        self.bucket = bucket
        self.scratch_dir = scratch_dir
        self.client = self._client(endpoint_url, region, access_key_id, secret_access_key)
        # Presigned URLs are signed for the address browsers use (signing covers the host).
        self.presigner = (
            self._client(public_endpoint_url, region, access_key_id, secret_access_key)
            if public_endpoint_url and public_endpoint_url != endpoint_url else self.client
        )

    @staticmethod
    def _client(endpoint_url, region, access_key_id, secret_access_key):
        return boto3.client(
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
            self.client.upload_fileobj(
                fileobj, self.bucket, check_key(key), ExtraArgs={"ContentType": content_type}, Config=TRANSFER
            )
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
            if _code(exc) in {"404", "NoSuchKey", "NotFound"}:
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

    def iter_keys(self):
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
                for item in page.get("Contents", ()):
                    yield item["Key"], item["Size"]
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(str(exc)) from exc

    def move(self, source, target):
        """Server-side copy (multipart for large objects) then delete: no data through this process."""
        try:
            self.client.copy(
                {"Bucket": self.bucket, "Key": check_key(source)}, self.bucket, check_key(target), Config=TRANSFER
            )
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(str(exc)) from exc
        self.delete(source)
        return target

    @contextlib.contextmanager
    def local_copy(self, key):
        if self.scratch_dir:
            os.makedirs(self.scratch_dir, exist_ok=True)
        fd, path = tempfile.mkstemp(dir=self.scratch_dir, prefix="s3-")
        os.close(fd)
        try:
            try:
                self.client.download_file(self.bucket, check_key(key), path, Config=TRANSFER)
            except (ClientError, BotoCoreError) as exc:
                raise StorageError(f"could not fetch {key!r}: {exc}") from exc
            yield path
        finally:
            os.unlink(path)

    def download_url(self, key, filename, expires=3600, inline=False, content_type=None):
        params = {
            "Bucket": self.bucket,
            "Key": check_key(key),
            "ResponseContentDisposition": content_disposition(filename, inline),
        }
        if content_type:
            params["ResponseContentType"] = content_type
        return self.presigner.generate_presigned_url(
            "get_object", Params=params, ExpiresIn=min(int(expires), MAX_PRESIGN_SECONDS)
        )

    # Multipart ---------------------------------------------------------------------------

    def create_multipart(self, key, content_type="application/octet-stream"):
        if self.exists(key):
            raise KeyTaken(f"an object is already stored under {key!r}")
        try:
            response = self.client.create_multipart_upload(
                Bucket=self.bucket, Key=check_key(key), ContentType=content_type
            )
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(str(exc)) from exc
        return response["UploadId"]

    def part_url(self, key, upload_id, number, expires=3600):
        return self.presigner.generate_presigned_url(
            "upload_part",
            Params={"Bucket": self.bucket, "Key": check_key(key), "UploadId": upload_id, "PartNumber": int(number)},
            ExpiresIn=min(int(expires), MAX_PRESIGN_SECONDS),
        )

    def list_parts(self, key, upload_id):
        parts = []
        try:
            paginator = self.client.get_paginator("list_parts")
            for page in paginator.paginate(Bucket=self.bucket, Key=check_key(key), UploadId=upload_id):
                parts.extend(Part(p["PartNumber"], p["Size"], p["ETag"]) for p in page.get("Parts", []))
        except ClientError as exc:
            if _code(exc) in {"NoSuchUpload", "404"}:
                raise MultipartError("unknown upload") from exc
            raise StorageError(str(exc)) from exc
        return sorted(parts, key=lambda part: part.number)

    def complete_multipart(self, key, upload_id, parts):
        stored = {part.number: part for part in self.list_parts(key, upload_id)}
        check_parts(parts, stored)
        chosen = [stored[n] for n, _etag in parts]
        request = {
            "Bucket": self.bucket, "Key": check_key(key), "UploadId": upload_id,
            "MultipartUpload": {"Parts": [{"PartNumber": p.number, "ETag": p.etag} for p in chosen]},
        }
        try:
            # Only if nothing is stored under the key yet: an upload never overwrites an object.
            self.client.complete_multipart_upload(IfNoneMatch="*", **request)
        except ClientError as exc:
            code = _code(exc)
            if code in {"PreconditionFailed", "412"}:
                if self._holds(key, chosen):  # our own completion, answered twice (a retried request)
                    return self.size(key)
                raise KeyTaken(f"an object is already stored under {key!r}") from exc
            if code not in {"NotImplemented", "501"}:
                raise MultipartError(f"S3 refused the completion: {code}") from exc
            # A server without conditional writes: check, then complete.
            if self.exists(key):
                raise KeyTaken(f"an object is already stored under {key!r}") from exc
            try:
                self.client.complete_multipart_upload(**request)
            except ClientError as again:
                raise MultipartError(f"S3 refused the completion: {_code(again)}") from again
        return self.size(key)

    def _holds(self, key, parts):
        """Whether the object under ``key`` is the assembly of ``parts`` (S3's multipart ETag)."""
        try:
            etag = self.client.head_object(Bucket=self.bucket, Key=key)["ETag"].strip('"')
        except ClientError:
            return False
        try:
            digest = hashlib.md5(b"".join(bytes.fromhex(p.etag.strip('"')) for p in parts), usedforsecurity=False)
        except ValueError:
            return False
        return etag == f"{digest.hexdigest()}-{len(parts)}"

    def abort_multipart(self, key, upload_id):
        try:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=check_key(key), UploadId=upload_id)
        except ClientError as exc:
            if _code(exc) not in {"NoSuchUpload", "404"}:
                raise StorageError(str(exc)) from exc
