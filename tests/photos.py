"""Real image bytes for photo tests: camera-like JPEGs with EXIF, broken files, bombs."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib

from PIL import Image, TiffImagePlugin

ORIENTATION = 0x0112


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def camera_jpeg(
    size: tuple[int, int] = (60, 40),
    orientation: int = 1,
    taken: str | None = "2026:11:20 09:30:00",
    gps: tuple[float, float] | None = (32.05, 119.42),
    color: tuple[int, int, int] = (200, 10, 10),
    offset: str | None = None,
    gps_refs: tuple[str, str] = ("N", "E"),
) -> bytes:
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    if taken:
        exif.get_ifd(0x8769)[36867] = taken
    if offset:
        exif.get_ifd(0x8769)[36881] = offset  # OffsetTimeOriginal
    if gps:

        def dms(value: float) -> tuple[TiffImagePlugin.IFDRational, ...]:
            degrees = int(value)
            minutes = int((value - degrees) * 60)
            seconds = round(((value - degrees) * 60 - minutes) * 60, 2)
            return (
                TiffImagePlugin.IFDRational(degrees),
                TiffImagePlugin.IFDRational(minutes),
                TiffImagePlugin.IFDRational(seconds),
            )

        exif.get_ifd(0x8825).update({1: gps_refs[0], 2: dms(gps[0]), 3: gps_refs[1], 4: dms(gps[1])})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=90)
    return buffer.getvalue()


def png_bomb(width: int = 20000, height: int = 20000) -> bytes:
    """A tiny PNG that claims huge dimensions (a decompression bomb): header and one compressed row."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * (width + 1), 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
