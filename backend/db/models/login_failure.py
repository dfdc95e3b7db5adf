from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.db.types import UTCDateTime, utcnow


class LoginFailure(SQLModel, table=True):
    """Failed logins, counted per username and client to throttle guessing.

    Kept in the database so that every API replica sees the same count.
    """

    __tablename__ = "login_failure"
    __table_args__ = (sa.Index("ix_login_failure_key", "username", "client", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64)
    client: str = Field(max_length=64)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
