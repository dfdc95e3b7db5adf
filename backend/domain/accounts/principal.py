"""Who is calling, and what part of the park they may see."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from backend.domain.accounts.roles import Role


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: uuid.UUID
    username: str
    role: Role
    park_id: uuid.UUID
    enterprise_id: uuid.UUID | None

    @property
    def scoped_enterprise_id(self) -> uuid.UUID | None:
        """The one enterprise an enterprise user is confined to; None for park roles."""
        return None if self.role.is_park_role else self.enterprise_id

    def can_see(self, park_id: uuid.UUID, enterprise_id: uuid.UUID | None) -> bool:
        if park_id != self.park_id:
            return False
        scoped = self.scoped_enterprise_id
        return scoped is None or scoped == enterprise_id


def scope_condition(principal: Principal, park_column: Any, enterprise_column: Any) -> sa.ColumnElement[bool]:
    """The caller's scope as SQL: their park, and for enterprise staff their own enterprise.

    The one place the scope rule is written for queries; ``Principal.can_see`` is the same rule
    for a record already loaded."""
    condition: sa.ColumnElement[bool] = park_column == principal.park_id
    if principal.scoped_enterprise_id is not None:
        condition = sa.and_(condition, enterprise_column == principal.scoped_enterprise_id)
    return condition
