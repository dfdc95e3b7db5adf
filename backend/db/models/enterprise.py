from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Field

from backend.db.models.base import SyncedModel
from backend.db.types import JSONType


class Enterprise(SyncedModel, table=True):
    """An enterprise in the park (园区企业)."""

    __tablename__ = "enterprise"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    park_id: uuid.UUID = Field(foreign_key="park.id", index=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=200)
    credit_code: str = Field(default="", max_length=18, description="统一社会信用代码")
    industry: str = Field(default="", max_length=100)
    address: str = Field(default="", max_length=300)
    major_hazard_source: bool = Field(default=False, description="重大危险源 holder")
    legal_representative: str = Field(default="", max_length=100)
    contacts: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
