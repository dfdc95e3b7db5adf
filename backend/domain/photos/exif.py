"""Capture time and GPS position from a photo's EXIF, read from the header alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from PIL import Image

from backend.domain.plausible_times import too_early, too_late, utc
from rules.park_time import BEIJING

EXIF_IFD = 0x8769
GPS_IFD = 0x8825
DATETIME_ORIGINAL = 36867
OFFSET_TIME_ORIGINAL = 36881
DATETIME = 306


@dataclass(frozen=True, slots=True)
class PhotoMetadata:
    taken_at: datetime | None  # UTC
    gps_lat: float | None
    gps_lng: float | None


def _parse_offset(value: Any) -> timezone | None:
    if not isinstance(value, str) or len(value) < 6 or value[0] not in "+-":
        return None
    try:
        hours, minutes = int(value[1:3]), int(value[4:6])
    except ValueError:
        return None
    if hours > 14 or minutes > 59:  # no zone on Earth is more than 14 hours from UTC
        return None
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(delta if value[0] == "+" else -delta)


def _taken_at(exif: Image.Exif, now: datetime) -> datetime | None:
    sub = exif.get_ifd(EXIF_IFD)
    raw = sub.get(DATETIME_ORIGINAL) or exif.get(DATETIME)
    if not isinstance(raw, str):
        return None
    try:
        naive = datetime.strptime(raw.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    # Cameras write local time without a zone; parks in China keep Beijing time.
    zone = _parse_offset(sub.get(OFFSET_TIME_ORIGINAL)) or BEIJING
    taken = utc(naive.replace(tzinfo=zone))
    # A camera whose clock was never set writes 0000 or 1970, one set wrong may write 2099: such a
    # time says nothing, and a future one would pass 整改 verification's "taken after dispatch".
    if taken is None or too_early(taken) or too_late(taken, now):
        return None
    return taken


def _degrees(value: Any, reference: Any, hemispheres: str) -> float | None:
    """Decimal degrees; ``hemispheres`` is "NS" or "EW". A missing reference reads as N or E (the
    parks are there); any other letter makes the position unknown rather than a guess."""
    if isinstance(reference, bytes):
        reference = reference.decode("ascii", "ignore")
    side = (str(reference).strip("\x00 ").upper() if reference is not None else "") or hemispheres[0]
    if side not in (hemispheres[0], hemispheres[1]):
        return None
    try:
        degrees, minutes, seconds = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    decimal = degrees + minutes / 60 + seconds / 3600
    return -decimal if side == hemispheres[1] else decimal


def read_metadata(image: Image.Image) -> PhotoMetadata:
    try:
        exif = image.getexif()
    except Exception:  # a corrupt EXIF block must not refuse an otherwise good photo
        return PhotoMetadata(None, None, None)
    gps = exif.get_ifd(GPS_IFD)
    lat = _degrees(gps.get(2), gps.get(1), "NS") if gps else None
    lng = _degrees(gps.get(4), gps.get(3), "EW") if gps else None
    if lat is not None and not -90 <= lat <= 90:
        lat = None
    if lng is not None and not -180 <= lng <= 180:
        lng = None
    taken_at = _taken_at(exif, datetime.now(UTC))
    return PhotoMetadata(taken_at, lat if lng is not None else None, lng if lat is not None else None)
