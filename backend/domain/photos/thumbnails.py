"""Derived images, made in a job from the stored original."""

from __future__ import annotations

import io

from PIL import Image

from ai.images import upright_photo
from backend.storage import ObjectStore


def thumbnail_jpeg(upright: Image.Image, size_px: int) -> bytes:
    """A JPEG at most ``size_px`` on its longer side, from an upright RGB image."""
    small = upright.copy()
    small.thumbnail((size_px, size_px))
    output = io.BytesIO()
    small.save(output, "JPEG", quality=80, optimize=True)
    return output.getvalue()


def thumbnail_source(original: bytes, size_px: int) -> Image.Image:
    """The upright photo decoded for a thumbnail: a JPEG at the smallest DCT scale that still
    covers ``size_px``, a fraction of its pixels."""
    return upright_photo(original, longer_side=size_px).image


def ensure_thumbnail(
    store: ObjectStore,
    original_key: str,
    thumbnail_key: str,
    size_px: int,
    source: Image.Image | None = None,
) -> None:
    """Store the thumbnail unless it exists; ``source``: the ``thumbnail_source`` already decoded."""
    if store.exists(thumbnail_key):
        return
    upright = source if source is not None else thumbnail_source(store.read(original_key), size_px)
    store.put_bytes(thumbnail_key, thumbnail_jpeg(upright, size_px), "image/jpeg")
