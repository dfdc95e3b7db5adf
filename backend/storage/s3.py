"""Objects in an S3-compatible bucket (AWS, MinIO, Aliyun OSS) through boto3.

Create-only uses a conditional PUT (``If-None-Match: *``); stores that ignore the
condition still cannot corrupt anything, because keys are content hashes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend.storage.base import ObjectMissing

# S3-compatible stores name the same condition differently (AWS, MinIO, OSS; HEAD has no body, so a bare status).
MISSING_OBJECT = frozenset({"404", "NoSuchKey", "NotFound"})
MISSING_BUCKET = frozenset({"404", "NoSuchBucket", "NotFound"})
KEY_ALREADY_WRITTEN = frozenset({"PreconditionFailed", "412", "ConditionalRequestConflict"})


def _error_code(exc: Any) -> str | None:
    code = exc.response.get("Error", {}).get("Code")
    return str(code) if code is not None else None


@dataclass(frozen=True, slots=True)
class S3Timeouts:
    connect_seconds: float = 3.0
    read_seconds: float = 20.0
    max_attempts: int = 3


class S3ObjectStore:
    def __init__(
        self,
        bucket: str,
        prefix: str,
        endpoint_url: str | None = None,
        client: Any = None,
        timeouts: S3Timeouts = S3Timeouts(),
    ) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = client or boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            config=Config(
                connect_timeout=timeouts.connect_seconds,
                read_timeout=timeouts.read_seconds,
                retries={"max_attempts": timeouts.max_attempts, "mode": "standard"},
                s3={"addressing_style": "path"},
            ),
        )

    def ensure_bucket(self) -> bool:
        """Create the bucket unless it exists; True if it was created. A fresh MinIO has none,
        and without it every photo upload is a 503."""
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
            return False
        except ClientError as exc:
            if _error_code(exc) not in MISSING_BUCKET:
                raise
        region = self.client.meta.region_name
        if region and region != "us-east-1":  # AWS wants the region named outside its default one
            self.client.create_bucket(
                Bucket=self.bucket, CreateBucketConfiguration={"LocationConstraint": region}
            )
        else:
            self.client.create_bucket(Bucket=self.bucket)
        return True

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def exists(self, key: str) -> bool:
        return self.size(key) is not None

    def size(self, key: str) -> int | None:
        from botocore.exceptions import ClientError

        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if _error_code(exc) in MISSING_OBJECT:
                return None
            raise
        return int(head["ContentLength"])

    def _put(self, key: str, body: Any, content_type: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.put_object(
                Bucket=self.bucket, Key=self._key(key), Body=body, ContentType=content_type, IfNoneMatch="*"
            )
        except ClientError as exc:
            if _error_code(exc) in KEY_ALREADY_WRITTEN:
                return False
            raise
        return True

    def put_file(self, key: str, path: Path, content_type: str) -> bool:
        if self.exists(key):
            return False
        with path.open("rb") as body:
            return self._put(key, body, content_type)

    def put_bytes(self, key: str, data: bytes, content_type: str) -> bool:
        if self.exists(key):
            return False
        return self._put(key, data, content_type)

    def read(self, key: str) -> bytes:
        return b"".join(self.iter_chunks(key))

    def iter_chunks(self, key: str, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
        from botocore.exceptions import ClientError

        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if _error_code(exc) in MISSING_OBJECT:
                raise ObjectMissing(key) from exc
            raise
        return _chunks_then_close(response["Body"], chunk_size)


def _chunks_then_close(body: Any, chunk_size: int) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(chunk_size)
    finally:
        body.close()
