"""Make a photo store ready before the first upload: its bucket exists, and it takes and gives back
bytes with the credentials the replicas have."""

from __future__ import annotations

from backend.storage.base import ObjectStore
from backend.storage.s3 import S3ObjectStore

PROBE_KEY = "parksafe/probe"
PROBE_BYTES = "园安 ParkSafe storage probe\n".encode()


def prepare_store(store: ObjectStore, url: str) -> str:
    """Create what is missing and return one line saying what was done; storage errors propagate."""
    created = isinstance(store, S3ObjectStore) and store.ensure_bucket()
    store.put_bytes(PROBE_KEY, PROBE_BYTES, "text/plain")  # create-only: a second run keeps the first
    if store.read(PROBE_KEY) != PROBE_BYTES:
        raise StoreProbeFailed(f"照片存储读回的内容与写入的不同 / storage returned other bytes: {url}")
    action = "已创建存储桶并验证读写" if created else "读写正常"
    return f"照片存储就绪（{action}）/ photo storage ready: {url}"


class StoreProbeFailed(RuntimeError):
    pass
