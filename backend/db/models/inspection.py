from __future__ import annotations

import uuid
from datetime import date

from sqlmodel import Field

from backend.db.models.base import SyncedModel
from backend.db.types import enum_type
from backend.domain.findings.vocabulary import HazardSource


class Inspection(SyncedModel, table=True):
    """An inspection task (检查任务) at one enterprise; findings may belong to one."""

    __tablename__ = "inspection"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    park_id: uuid.UUID = Field(foreign_key="park.id", index=True)
    enterprise_id: uuid.UUID = Field(foreign_key="enterprise.id", index=True)
    title: str = Field(max_length=200)
    source: HazardSource = Field(default=HazardSource.ROUTINE, sa_type=enum_type(HazardSource))
    planned_on: date | None = None
    lead_inspector_id: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
