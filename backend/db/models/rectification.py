from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from backend.db.models.base import SyncedModel
from backend.db.types import JSONType


class Rectification(SyncedModel, table=True):
    """An enterprise's report that it fixed a finding (整改), with after-photos."""

    __tablename__ = "rectification"

    id: uuid.UUID = Field(primary_key=True)
    finding_id: uuid.UUID = Field(foreign_key="finding.id", index=True)
    note: str = Field(default="", sa_type=sa.Text)
    photos: list[str] = Field(default_factory=list, sa_type=JSONType)
    submitted_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    verification: dict[str, Any] | None = Field(default=None, sa_type=JSONType, description="AI 核验 result")
