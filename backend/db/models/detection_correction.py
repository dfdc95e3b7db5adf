from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.db.types import JSONType, UTCDateTime, utcnow


class DetectionCorrection(SQLModel, table=True):
    """A supervisor's verdict on the model's work on one photo: a box that is wrong, or one it missed.

    The learning loop (``parksafe ai export-dataset``) turns these into training labels."""

    __tablename__ = "detection_correction"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    finding_id: uuid.UUID = Field(foreign_key="finding.id", index=True)
    photo_sha256: str = Field(max_length=64, foreign_key="photo.sha256", index=True)
    kind: str = Field(max_length=16, description="wrong (a detection to drop) | missing (a box to add)")
    label: str = Field(max_length=64)
    box: list[float] = Field(sa_type=JSONType, description="[x1, y1, x2, y2] in pixels of the upright image")
    model: str = Field(default="", max_length=64)
    model_version: str = Field(default="", max_length=64)
    note: str = Field(default="", sa_type=sa.Text)
    author_id: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
