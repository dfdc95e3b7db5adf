from __future__ import annotations

import uuid
from typing import Annotated

import msgspec

from backend.db.models import User
from backend.domain.accounts.passwords import MAX_PASSWORD_LENGTH
from backend.domain.accounts.usernames import MAX_USERNAME_LENGTH

# Control characters (NUL above all: PostgreSQL text refuses it) never belong in credentials.
NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f\x7f]+$"


class LoginRequest(msgspec.Struct, forbid_unknown_fields=False):
    username: Annotated[
        str, msgspec.Meta(min_length=1, max_length=MAX_USERNAME_LENGTH, pattern=NO_CONTROL_CHARACTERS)
    ]
    password: Annotated[
        str, msgspec.Meta(min_length=1, max_length=MAX_PASSWORD_LENGTH, pattern=NO_CONTROL_CHARACTERS)
    ]


class UserOut(msgspec.Struct):
    id: uuid.UUID
    username: str
    role: str
    park_id: uuid.UUID
    enterprise_id: uuid.UUID | None
    display_name: str

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            username=user.username,
            role=user.role.value,
            park_id=user.park_id,
            enterprise_id=user.enterprise_id,
            display_name=user.display_name,
        )


class LoginResponse(msgspec.Struct):
    access_token: str
    expires_in: int
    user: UserOut
    token_type: str = "bearer"
