from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from backend.db.types import JSONType, UTCDateTime, utcnow


class SyncMutation(SQLModel, table=True):
    """The recorded outcome of one pushed mutation, written in the same transaction as its effect.

    A retry finds this row by ``mutation_id`` and answers the stored outcome: a mutation
    is applied at most once whatever the number of retries.
    """

    __tablename__ = "sync_mutation"

    mutation_id: uuid.UUID = Field(primary_key=True)
    batch_id: uuid.UUID = Field(index=True)
    device_id: str = Field(max_length=128)
    user_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    entity: str = Field(max_length=32)
    record_id: uuid.UUID | None = None
    status: str = Field(max_length=16)
    version: int | None = None
    error: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
