from __future__ import annotations

from sqlmodel import Field, SQLModel

CHANGE_COUNTER = "changes"


class SyncCounter(SQLModel, table=True):
    """Single-row counters; ``changes`` numbers every change devices can pull."""

    __tablename__ = "sync_counter"

    name: str = Field(primary_key=True, max_length=32)
    value: int = Field(default=0, nullable=False)
