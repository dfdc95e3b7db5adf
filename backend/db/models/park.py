from __future__ import annotations

import uuid

from sqlmodel import Field

from backend.db.models.base import TimestampedModel


class Park(TimestampedModel, table=True):
    """A chemical industrial park (化工园区)."""

    __tablename__ = "park"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=200)
    region: str = Field(default="", max_length=200)
    authority: str = Field(default="", max_length=200, description="监管部门, printed on notices")
