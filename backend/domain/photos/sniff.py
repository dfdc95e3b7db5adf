"""Recognising image types from their first bytes, never from what the client claims."""

from __future__ import annotations

import mmap

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


EOI = 0xD9
SOS = 0xDA
STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and the restart markers carry no length


def jpeg_is_complete(data: bytes | mmap.mmap) -> bool:
    """Whether the JPEG's segments and scans run through to its end-of-image marker.

    A cut-off upload never reaches it. Bytes after it are allowed: phones append their own
    (Samsung's SEFH trailer, the video of a Google Motion Photo), and the last bytes of the
    file are no guide. Segments are skipped by their length, so the end marker of the EXIF
    thumbnail inside APP1 is not taken for the photo's; scans are searched for the next marker.
    """
    size, position = len(data), 2
    while True:
        position = data.find(b"\xff", position)
        while 0 <= position < size - 1 and data[position + 1] == 0xFF:  # fill bytes
            position += 1
        if position < 0 or position + 1 >= size:
            return False
        marker = data[position + 1]
        position += 2
        if marker == EOI:
            return True
        if marker in STANDALONE or marker == 0x00:
            continue
        if position + 2 > size:
            return False
        position += int.from_bytes(data[position : position + 2], "big")
        if position > size:
            return False
        if marker == SOS:
            position = _end_of_scan(data, position)
            if position < 0:
                return False


def _end_of_scan(data: bytes | mmap.mmap, position: int) -> int:
    """Where the entropy-coded data after a scan header ends: the next marker that is not a
    stuffed 0xFF00 or a restart marker; -1 when the data runs out first."""
    while True:
        position = data.find(b"\xff", position)
        if position < 0 or position + 1 >= len(data):
            return -1
        following = data[position + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            position += 1
            continue
        return position
