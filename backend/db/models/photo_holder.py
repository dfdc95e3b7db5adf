from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from backend.db.types import UTCDateTime


class PhotoHolder(SQLModel, table=True):
    """A user who uploaded a photo someone else had stored first: sending its bytes proves they
    hold it, so they may see it and attach it like its first uploader (``Photo.uploaded_by``)."""

    __tablename__ = "photo_holder"

    photo_sha256: str = Field(foreign_key="photo.sha256", primary_key=True, max_length=64)
    user_id: uuid.UUID = Field(foreign_key="user_account.id", primary_key=True, index=True)
    since: datetime = Field(sa_type=UTCDateTime)
