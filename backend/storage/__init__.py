"""Where photo bytes live: a local folder (default) or S3-compatible object storage."""

from backend.storage.base import ObjectStore, StoredObject
from backend.storage.factory import create_object_store

__all__ = ["ObjectStore", "StoredObject", "create_object_store"]
