"""Derived images, made in a job from the stored original."""

from __future__ import annotations

import io

from PIL import Image, ImageOps

from backend.storage import ObjectStore


def make_thumbnail(original: bytes, size_px: int) -> bytes:
    with Image.open(io.BytesIO(original)) as image:
        # JPEG: decode at the smallest DCT scale still at least size_px on both sides (draft
        # never goes below the requested size; asking for 2x made it decode at full size).
        image.draft("RGB", (size_px, size_px))
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail((size_px, size_px))
        output = io.BytesIO()
        upright.convert("RGB").save(output, "JPEG", quality=80, optimize=True)
    return output.getvalue()


def ensure_thumbnail(store: ObjectStore, original_key: str, thumbnail_key: str, size_px: int) -> None:
    if store.exists(thumbnail_key):
        return
    store.put_bytes(thumbnail_key, make_thumbnail(store.read(original_key), size_px), "image/jpeg")
