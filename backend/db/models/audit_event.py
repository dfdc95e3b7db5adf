from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from backend.db.types import JSONType, UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    """One step in the tamper-evident trail; ``hash`` chains it to the previous event."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    action: str = Field(max_length=64)
    entity: str = Field(max_length=32)
    entity_id: str = Field(max_length=64, index=True)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    prev_hash: str = Field(default="", max_length=64)
    hash: str = Field(default="", max_length=64)
