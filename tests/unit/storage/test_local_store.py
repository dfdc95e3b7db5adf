"""The local photo folder: create-only objects that cannot escape their folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.storage.local import LocalObjectStore


def test_a_stored_object_is_never_overwritten(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path / "store")
    first, second = tmp_path / "first", tmp_path / "second"
    first.write_bytes(b"the original photo")
    second.write_bytes(b"other bytes under the same key")

    assert store.put_file("originals/ab/abc", first, "image/jpeg") is True
    assert store.put_file("originals/ab/abc", second, "image/jpeg") is False
    assert store.put_bytes("originals/ab/abc", b"and again", "image/jpeg") is False
    assert store.read("originals/ab/abc") == b"the original photo"


@pytest.mark.parametrize("key", ["../outside", "/etc/passwd", "originals/../../outside"])
def test_keys_that_leave_the_folder_are_refused(tmp_path: Path, key: str) -> None:
    store = LocalObjectStore(tmp_path / "store")
    with pytest.raises(ValueError, match="escapes the store"):
        store.put_bytes(key, b"x", "image/jpeg")
    assert not (tmp_path / "outside").exists()
