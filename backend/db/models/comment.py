from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlmodel import Field

from backend.db.models.base import SyncedModel


class Comment(SyncedModel, table=True):
    __tablename__ = "comment"

    id: uuid.UUID = Field(primary_key=True)
    finding_id: uuid.UUID = Field(foreign_key="finding.id", index=True)
    author_id: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    text: str = Field(sa_type=sa.Text)
