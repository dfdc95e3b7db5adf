"""The four roles of the contract and what each may reach."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    PARK_ADMIN = "park_admin"
    INSPECTOR = "inspector"
    SUPERVISOR = "supervisor"
    ENTERPRISE_STAFF = "enterprise_staff"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def is_park_role(self) -> bool:
        """Park roles see the whole park; enterprise staff only their own enterprise."""
        return self is not Role.ENTERPRISE_STAFF


ROLE_LABELS: dict[Role, str] = {
    Role.PARK_ADMIN: "园区管理员",
    Role.INSPECTOR: "检查员",
    Role.SUPERVISOR: "监管审核员",
    Role.ENTERPRISE_STAFF: "企业安全员",
}
