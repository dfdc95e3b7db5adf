from __future__ import annotations

import uuid

from sqlmodel import Field

from backend.db.models.base import TimestampedModel
from backend.db.types import enum_type
from backend.domain.accounts.roles import Role


class User(TimestampedModel, table=True):
    __tablename__ = "user_account"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    park_id: uuid.UUID = Field(foreign_key="park.id", index=True)
    enterprise_id: uuid.UUID | None = Field(default=None, foreign_key="enterprise.id", index=True)
    username: str = Field(max_length=64, unique=True)
    password_hash: str = Field(max_length=255)
    role: Role = Field(sa_type=enum_type(Role))
    display_name: str = Field(default="", max_length=100)
    phone: str = Field(default="", max_length=32)
    email: str = Field(default="", max_length=200)
    wecom_userid: str = Field(default="", max_length=64)
    dingtalk_userid: str = Field(default="", max_length=64)
    notify_url: str = Field(
        default="", max_length=500, description="personal apprise URL (e-mail, SMS gateway, webhook)"
    )
    is_active: bool = Field(default=True)
    # Raised when the password is reset or the account disabled: every token issued before is refused.
    token_generation: int = Field(default=0)
