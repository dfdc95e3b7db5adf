"""Objects as files under one folder; create-only through an atomic hard link."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from backend.storage.base import ObjectMissing


class LocalObjectStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self._resolved_root = root.resolve()

    def _path(self, key: str) -> Path:
        # Keys are checked lexically (no per-call filesystem look-ups): nothing in the store
        # is a symlink, so ".." and absolute parts are the only ways out.
        path = Path(os.path.normpath(self._resolved_root / key))
        if self._resolved_root not in path.parents:
            raise ValueError(f"key escapes the store: {key!r}")
        return path

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def put_file(self, key: str, path: Path, content_type: str) -> bool:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            return False
        self._fsync(path)
        try:
            # link() fails if the target exists: never overwrites, and a reader never
            # sees a half-written object (the source was completed and synced first).
            os.link(path, target)
        except FileExistsError:
            return False
        except OSError:
            return self._copy_then_link(key, path.read_bytes())
        self._fsync(target.parent)
        return True

    def put_bytes(self, key: str, data: bytes, content_type: str) -> bool:
        return self._copy_then_link(key, data)

    def _copy_then_link(self, key: str, data: bytes) -> bool:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temp_name, target)
            except FileExistsError:
                return False
            self._fsync(target.parent)
            return True
        finally:
            os.unlink(temp_name)

    @staticmethod
    def _fsync(path: Path) -> None:
        """Sync a file or a folder (through a read-only descriptor, which Linux allows)."""
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def read(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise ObjectMissing(key) from exc

    def iter_chunks(self, key: str, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
        try:
            handle = self._path(key).open("rb")
        except FileNotFoundError as exc:
            raise ObjectMissing(key) from exc
        return _chunks_then_close(handle, chunk_size)

    def size(self, key: str) -> int | None:
        path = self._path(key)
        return path.stat().st_size if path.is_file() else None

    def local_path(self, key: str) -> Path:
        return self._path(key)


def _chunks_then_close(handle: BinaryIO, chunk_size: int) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(chunk_size):
            yield chunk
