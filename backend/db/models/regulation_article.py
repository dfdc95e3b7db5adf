from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.db.types import JSONType


class RegulationArticle(SQLModel, table=True):
    """One article (or clause, or criterion) of the law library, verbatim, with its document's facts."""

    __tablename__ = "regulation_article"
    __table_args__ = (sa.UniqueConstraint("law", "number", name="uq_regulation_article_law_number"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    law: str = Field(max_length=64, index=True, description="the document's short name")
    law_title: str = Field(max_length=200)
    doc_number: str = Field(default="", sa_type=sa.Text)
    document_status: str = Field(default="", sa_type=sa.Text)
    source: Any = Field(default=None, sa_type=JSONType)
    number: str = Field(max_length=32)
    position: int = Field(default=0)
    text: str = Field(sa_type=sa.Text)
    kind: str = Field(max_length=16)
    citation: str = Field(max_length=200)
    penalty: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
