from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.db.types import UTCDateTime, utcnow


class NotificationAttempt(SQLModel, table=True):
    """Delivery log: every try to send a notification and how it ended."""

    __tablename__ = "notification_attempt"

    id: int | None = Field(default=None, primary_key=True)
    notification_id: uuid.UUID = Field(foreign_key="notification.id", index=True)
    attempted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    succeeded: bool
    error: str = Field(default="", sa_type=sa.Text)
