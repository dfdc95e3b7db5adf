"""Columns shared by many tables."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from backend.db.types import JSONType, UTCDateTime, utcnow


class TimestampedModel(SQLModel):
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class SyncedModel(TimestampedModel):
    """A record devices pull. ``version`` is assigned by the server at flush time.

    Versions come from one counter row locked until commit (see ``backend.db.versioning``),
    so a change with a lower version is always committed before a higher one is handed
    out: a puller paging by version never skips a change. Deletes are tombstones
    (``deleted_at``) so that they sync too.
    """

    version: int = Field(default=0, index=True, nullable=False)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The version at which each device-writable field last changed: lets a device's
    # edit of one field merge with a concurrent edit of another (see docs/sync.md).
    field_versions: dict[str, int] = Field(default_factory=dict, sa_type=JSONType)
