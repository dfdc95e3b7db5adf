from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field

from backend.db.models.base import TimestampedModel
from backend.db.types import UTCDateTime


class Photo(TimestampedModel, table=True):
    """A stored image, addressed by the SHA-256 of its bytes."""

    __tablename__ = "photo"

    sha256: str = Field(primary_key=True, min_length=64, max_length=64)
    content_type: str = Field(max_length=32)
    bytes: int
    width: int
    height: int
    taken_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    gps_lat: float | None = None
    gps_lng: float | None = None
    uploaded_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    thumbnail_ready: bool = Field(default=False)
    phash: str | None = Field(default=None, max_length=16, index=True, description="perceptual hash (pHash)")
