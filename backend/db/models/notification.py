from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field

from backend.db.models.base import TimestampedModel
from backend.db.types import UTCDateTime


class Notification(TimestampedModel, table=True):
    """Outbox row: one message to one recipient over one channel.

    ``event_key`` is unique, so an event that fires twice queues one message.
    """

    __tablename__ = "notification"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    event_key: str = Field(max_length=200, unique=True)
    recipient_id: uuid.UUID | None = Field(default=None, foreign_key="user_account.id", index=True)
    channel: str = Field(
        max_length=64,
        description="where it goes: user:<id> or settings:<n>:<fingerprint of the configured entry> (no secrets stored)",
    )
    title: str = Field(max_length=200)
    body: str = Field(sa_type=sa.Text)
    finding_id: uuid.UUID | None = Field(default=None, foreign_key="finding.id", index=True)
    status: str = Field(default="queued", max_length=16, index=True, description="queued | sent | failed")
    attempts: int = Field(default=0)
    last_error: str = Field(default="", sa_type=sa.Text)
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
