"""Do the findings say what their audit trail says they should?

The hash chain shows that no event was edited, deleted or reordered. It says nothing of the
finding rows themselves: an overdue 督办 finding set to ``closed`` in the database, with no
approval, would leave the chain intact. Every change of a finding's status, level, deadline,
enterprise or description is recorded with its new value, so replaying a finding's events
gives what each of those fields must hold now.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from backend.db.models import AuditEvent, Finding

# The fields an auditor relies on, with how each event writes them (their document form).
GUARDED = ("status", "level", "deadline", "enterprise_id", "description")
FIELD_NAMES = {
    "status": "状态",
    "level": "等级",
    "deadline": "整改期限",
    "enterprise_id": "所属企业",
    "description": "隐患描述",
    "deleted": "删除标记",
}
_REPORTED = "finding.reported"
_DELETED = "finding.deleted"
# The steps that set a guarded field, each recording its new value. Others on a finding's trail
# may use the same names for other things (a governance plan's ``status``).
_WRITERS = frozenset(
    {
        "finding.edited",
        "finding.graded",
        "finding.dispatched",
        "finding.approved",
        "finding.rejected",
        "finding.escalated",
        "finding.reminded",
        "rectification.submitted",
    }
)


@dataclass(frozen=True, slots=True)
class LastStep:
    event_id: int
    action: str
    at: datetime


@dataclass(frozen=True, slots=True)
class RecordMismatch:
    """A finding whose stored value of ``field`` is not what its trail last recorded."""

    finding_id: uuid.UUID
    field: str
    recorded: Any  # None with ``last`` None: the finding has no trail at all
    stored: Any
    last: LastStep | None
    row_missing: bool = False  # the trail has the finding, the table no longer does

    def describe(self) -> str:
        name = f"隐患 {str(self.finding_id)[:8].upper()}（{self.finding_id}）"
        if self.row_missing and self.last is not None:
            return (
                f"{name}已从数据库中删除，审计记录中仍有该隐患（最后一次记录：{_step(self.last)}） "
                "/ finding row is gone but its trail remains"
            )
        if self.last is None:
            return f"{name}没有任何审计记录（未经系统操作写入数据库） / finding has no audit events"
        return (
            f"{name}的{FIELD_NAMES[self.field]}为 {_shown(self.stored)}，审计记录为 {_shown(self.recorded)}"
            f"（最后一次记录：{_step(self.last)}） / finding {self.field} is {self.stored!r}, "
            f"the trail says {self.recorded!r}"
        )


def _step(last: LastStep) -> str:
    return f"第 {last.event_id} 号事件 {last.action}，{last.at.isoformat(timespec='seconds')}"


def _shown(value: Any) -> str:
    return "空" if value in (None, "") else str(value)


def _moment(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _normal(field: str, value: Any) -> Any:
    """One form for what the trail recorded and what the row holds."""
    if field == "deadline":
        return _moment(value)
    if field == "deleted":
        return bool(value)
    value = getattr(value, "value", value)  # enums
    return None if value is None else str(value)


def _replay(session: Session, batch_size: int) -> tuple[dict[str, dict[str, Any]], dict[str, LastStep]]:
    """Each finding's guarded fields as its events leave them, and its last such event."""
    states: dict[str, dict[str, Any]] = {}
    last: dict[str, LastStep] = {}
    after_id = 0
    while True:
        events = session.exec(
            select(AuditEvent)
            .where(AuditEvent.entity == "finding", col(AuditEvent.id) > after_id)
            .order_by(col(AuditEvent.id))
            .limit(batch_size)
        ).all()
        if not events:
            return states, last
        for event in events:
            assert event.id is not None
            after_id = event.id
            written = event.after or {}
            if event.action == _REPORTED:
                states[event.entity_id] = {name: written.get(name) for name in GUARDED} | {"deleted": False}
            elif event.action == _DELETED:
                states.setdefault(event.entity_id, {})["deleted"] = True
            elif event.action in _WRITERS and any(name in written for name in GUARDED):
                states.setdefault(event.entity_id, {}).update(
                    {name: written[name] for name in GUARDED if name in written}
                )
            else:
                continue
            last[event.entity_id] = LastStep(event.id, event.action, event.at)


def check_findings(session: Session, batch_size: int = 1000) -> tuple[int, list[RecordMismatch]]:
    """How many findings were checked, every field that differs from its trail, and every finding
    the trail reported that the table no longer holds (findings are only ever marked deleted)."""
    states, last = _replay(session, batch_size)
    mismatches: list[RecordMismatch] = []
    seen: set[str] = set()
    checked = 0
    for finding in session.exec(select(Finding).order_by(col(Finding.created_at), col(Finding.id))).all():
        checked += 1
        key = str(finding.id)
        recorded = states.get(key)
        if recorded is None:
            mismatches.append(RecordMismatch(finding.id, "status", None, finding.status.value, None))
            continue
        seen.add(key)
        stored = {name: getattr(finding, name) for name in GUARDED} | {"deleted": finding.deleted_at}
        for name, value in stored.items():
            if name in recorded and _normal(name, recorded[name]) != _normal(name, value):
                mismatches.append(
                    RecordMismatch(finding.id, name, recorded[name], _normal(name, value), last.get(key))
                )
    for key in sorted(states.keys() - seen):
        mismatches.append(
            RecordMismatch(uuid.UUID(key), "status", None, None, last.get(key), row_missing=True)
        )
    return checked, mismatches
