from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from backend.db.types import JSONType, UTCDateTime, utcnow


class JobOutbox(SQLModel, table=True):
    """Jobs asked for inside a transaction, handed to the queue after it commits.

    Writing the request with the data that caused it means a crash between commit and
    enqueue loses nothing: leftovers are dispatched at the next start. ``key`` is
    unique, so one cause asks for its job once.
    """

    __tablename__ = "job_outbox"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    name: str = Field(max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    dispatched_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
