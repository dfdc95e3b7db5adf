from __future__ import annotations

import uuid

from sqlmodel import Field, SQLModel


class FindingPhoto(SQLModel, table=True):
    """Which findings (and their rectifications) use a photo: decides who may fetch it.

    ``photo_sha256`` is not a foreign key: a finding may name a photo that has not
    been uploaded yet.
    """

    __tablename__ = "finding_photo"

    finding_id: uuid.UUID = Field(foreign_key="finding.id", primary_key=True)
    photo_sha256: str = Field(primary_key=True, max_length=64, index=True)
    purpose: str = Field(default="evidence", max_length=16, description="evidence | rectification")
