"""Recognising image types from their first bytes, never from what the client claims."""

from __future__ import annotations

JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
ACCEPTED = (JPEG, PNG, WEBP)
SNIFF_BYTES = 16


def sniff_image_type(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


def jpeg_is_complete(tail: bytes) -> bool:
    """A JPEG ends with the EOI marker; a cut-off upload does not (trailing padding allowed)."""
    return tail.rstrip(b"\x00").endswith(b"\xff\xd9")
