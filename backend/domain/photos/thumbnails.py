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


def ensure_thumbnail(store: ObjectStore, original_key: str, thumbnail_key: str, size_px: int) -> None:
    if store.exists(thumbnail_key):
        return
    # A JPEG decodes at the smallest DCT scale that still covers size_px: a fraction of its pixels.
    upright = upright_photo(store.read(original_key), longer_side=size_px).image
    store.put_bytes(thumbnail_key, thumbnail_jpeg(upright, size_px), "image/jpeg")
