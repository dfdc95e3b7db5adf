from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from backend.db.models.base import SyncedModel
from backend.db.types import JSONType


class ChecklistItem(SyncedModel, table=True):
    """One item of the 隐患排查依据库, copied from rules/checklist at seed so devices can pull it."""

    __tablename__ = "checklist_item"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    code: str = Field(max_length=16, unique=True)
    category: str = Field(max_length=16)
    category_name: str = Field(max_length=100)
    kind: str = Field(max_length=8, description="basic 基础管理类 | site 现场管理类")
    title: str = Field(max_length=500)
    method: str = Field(sa_type=sa.Text, description="检查方法")
    phrasings: list[str] = Field(default_factory=list, sa_type=JSONType)
    level: str = Field(max_length=8)
    major_criterion: str | None = Field(default=None, max_length=8)
    references: dict[str, Any] = Field(
        default_factory=dict, sa_type=JSONType, description="duty and penalty articles"
    )
