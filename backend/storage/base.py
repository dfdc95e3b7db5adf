from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True, slots=True)
class StoredObject:
    key: str
    size: int
    content_type: str


class ObjectStore(Protocol):
    """Create-only object storage: a key, once written, is never overwritten."""

    def exists(self, key: str) -> bool: ...

    def put_file(self, key: str, path: Path, content_type: str) -> bool:
        """Store the file's bytes under ``key``; False (and nothing written) if the key exists."""

    def put_bytes(self, key: str, data: bytes, content_type: str) -> bool: ...

    def read(self, key: str) -> bytes: ...

    def iter_chunks(self, key: str, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
        """Open the object now and return its bytes in chunks.

        Not a generator: a missing object (``ObjectMissing``) or an unreachable store raises here,
        so a response can still become an error before its status line is sent.
        """

    def size(self, key: str) -> int | None: ...


class ObjectMissing(LookupError):
    pass
