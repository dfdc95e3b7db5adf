"""What devices push and what they get back (contract: Sync)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from backend.domain.control_characters import visible, visible_everywhere


class Entity(StrEnum):
    FINDING = "finding"
    RECTIFICATION = "rectification"
    COMMENT = "comment"


class Op(StrEnum):
    UPSERT = "upsert"
    DELETE = "delete"


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Mutation:
    mutation_id: uuid.UUID
    entity: Entity
    op: Op
    id: uuid.UUID
    base_version: int | None
    client_time: datetime | None
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class MutationResult:
    mutation_id: uuid.UUID
    status: Outcome
    id: uuid.UUID | None
    version: int | None = None
    error: dict[str, Any] | None = None
    server: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class PushBatch:
    device_id: str
    batch_id: uuid.UUID
    mutations: list[Mutation] = field(default_factory=list)


class Rejection(Exception):
    """A mutation that cannot be applied as sent; ``code`` and ``message`` go back to the device."""

    def __init__(self, code: str, message: str, detail: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail

    def as_error(self) -> dict[str, Any]:
        # The message may quote what the device sent; it is stored (PostgreSQL refuses NUL).
        return {
            "code": self.code,
            "message": visible(self.message),
            "detail": visible_everywhere(self.detail),
        }


class Conflict(Exception):
    """The record changed since the device's base in a way that cannot be merged."""

    def __init__(self, fields: list[str]) -> None:
        super().__init__(f"conflicting fields: {', '.join(fields)}")
        self.fields = fields


ENTITY_NAMES = {
    "finding": "隐患",
    "rectification": "整改记录",
    "enterprise": "企业",
    "inspection": "检查任务",
    "comment": "留言",
}


def not_found_rejection(entity: str, record_id: object) -> Rejection:
    """Which record the mutation named: one answer for "does not exist" and "exists outside your
    scope", so existence never leaks."""
    return Rejection(
        "not_found",
        f"{ENTITY_NAMES.get(entity, '记录')}不存在或无权访问：{record_id} / no such {entity}: {record_id}",
        {"entity": entity, "id": str(record_id)},
    )
