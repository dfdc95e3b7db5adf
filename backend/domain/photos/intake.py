"""Receiving a photo: hash while streaming, check the bytes, store create-only.

Pixels are never decoded in the request: the header gives size and EXIF, and derived
images (thumbnails, detection) come from jobs.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import re
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from backend.domain.photos.errors import (
    HashMismatch,
    InvalidPhotoHash,
    NotAnImage,
    PhotoTooLarge,
    TooManyPixels,
    UndecodableImage,
)
from backend.domain.photos.exif import PhotoMetadata, read_metadata
from backend.domain.photos.sniff import JPEG, PNG, SNIFF_BYTES, jpeg_is_complete, sniff_image_type

SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class ReceivedUpload:
    """Bytes safely on local disk, hashed and counted."""

    path: Path
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class InspectedImage:
    content_type: str
    width: int
    height: int
    metadata: PhotoMetadata


def check_hash_format(sha256: str) -> None:
    if not SHA256_HEX.match(sha256):
        raise InvalidPhotoHash(
            "照片标识应为 64 位小写十六进制 SHA-256 / path must be a lowercase sha256 hex digest"
        )


def too_large(limit: int) -> PhotoTooLarge:
    return PhotoTooLarge(
        f"照片超过 {limit // (1024 * 1024)} MB 上限 / photo over the size limit", {"limit_bytes": limit}
    )


def check_declared_size(content_length: str | None, limit: int) -> None:
    """Refuse before reading a byte when the client already says the body is too large."""
    if content_length is not None and content_length.isdigit() and int(content_length) > limit:
        raise too_large(limit)


async def receive(chunks: AsyncIterator[bytes], folder: Path, limit: int) -> ReceivedUpload:
    """Write the body to a temporary file while hashing it; stop as soon as it passes ``limit``.

    Chunk writes land in the page cache. The file is not made durable here: a refused or
    merely inspected upload is deleted, and the object store syncs what it keeps.
    """
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=folder, prefix="upload-")
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(fd, "wb") as handle:
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise too_large(limit)
                digest.update(chunk)
                handle.write(chunk)
    except BaseException:
        os.unlink(name)
        raise
    return ReceivedUpload(Path(name), digest.hexdigest(), size)


def verify_hash(upload: ReceivedUpload, claimed: str) -> None:
    if upload.sha256 != claimed:
        raise HashMismatch(
            "照片内容与标识不符（上传可能被截断） / the bytes do not hash to the path",
            {"expected": claimed, "received": upload.sha256},
        )


EXIF_ORIENTATION = 0x0112
SIDEWAYS = {5, 6, 7, 8}  # EXIF orientations that turn the picture by 90°


def _turned_sideways(image: Image.Image) -> bool:
    try:
        return image.getexif().get(EXIF_ORIENTATION) in SIDEWAYS
    except Exception:  # a corrupt EXIF block: shown as stored (read_metadata keeps the photo too)
        return False


def inspect_image(path: Path, max_pixels: int) -> InspectedImage:
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
        content_type = sniff_image_type(head)
        if content_type is None:
            raise NotAnImage("不是 JPEG、PNG 或 WebP 图片 / not a JPEG, PNG or WebP image")
        if content_type == JPEG:
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                complete = jpeg_is_complete(data)
            if not complete:
                raise UndecodableImage("JPEG 文件不完整（被截断） / truncated JPEG")
    try:
        with Image.open(path) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise TooManyPixels(
                    f"图片像素过多（{width}×{height}） / too many pixels",
                    {"width": width, "height": height, "max_pixels": max_pixels},
                )
            if content_type == PNG:
                image.verify()  # chunk CRCs and the end marker, without inflating pixels
            metadata = read_metadata(image)
            if _turned_sideways(image):
                width, height = height, width  # as the photo is displayed, like the AI's boxes
    except (TooManyPixels, UndecodableImage):
        raise
    except Image.DecompressionBombError as exc:
        raise TooManyPixels(
            f"图片像素过多（疑似解压炸弹，上限 {max_pixels} 像素） / too many pixels (over {max_pixels})",
            {"max_pixels": max_pixels},
        ) from exc
    except Exception as exc:
        reason = str(exc).replace(
            str(path), "upload"
        )  # the server's scratch path is not the client's business
        raise UndecodableImage(f"无法解析图片 / undecodable image: {reason}") from exc
    return InspectedImage(content_type, width, height, metadata)
