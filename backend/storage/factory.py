from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from backend.settings import Settings
from backend.storage.base import ObjectStore
from backend.storage.local import LocalObjectStore
from backend.storage.s3 import S3ObjectStore, S3Timeouts


def create_object_store(settings: Settings) -> ObjectStore:
    url = urlparse(settings.resolved_storage_url)
    if url.scheme == "s3":
        if not url.netloc:
            raise ValueError("PARKSAFE_STORAGE_URL must name a bucket: s3://bucket/prefix")
        return S3ObjectStore(
            url.netloc,
            url.path,
            endpoint_url=settings.s3_endpoint_url,
            timeouts=S3Timeouts(
                connect_seconds=settings.s3_connect_timeout_seconds,
                read_seconds=settings.s3_read_timeout_seconds,
                max_attempts=settings.s3_max_attempts,
            ),
        )
    if url.scheme in {"file", ""}:
        return LocalObjectStore(Path(unquote(url.path)))
    raise ValueError(f"unsupported PARKSAFE_STORAGE_URL scheme: {url.scheme!r} (use file:// or s3://)")
