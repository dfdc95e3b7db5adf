"""Writing and verifying the tamper-evident audit trail."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from backend.db.models import AuditEvent, SyncCounter
from backend.db.types import utcnow
from backend.domain.audit.chain import GENESIS, event_hash

AUDIT_COUNTER = "audit"
_counter = SyncCounter.__table__  # type: ignore[attr-defined]


def _json_safe(value: Any) -> Any:
    import json

    from backend.domain.audit.chain import canonical

    return None if value is None else json.loads(canonical(value))


@dataclass(frozen=True, slots=True)
class AuditRecord:
    action: str
    entity: str
    entity_id: object
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


class AuditLog:
    """Appends events in one global order. The counter row lock serialises appenders
    until commit, so the previous event read here is the one committed last."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def record(
        self,
        actor_id: uuid.UUID | None,
        action: str,
        entity: str,
        entity_id: object,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        [event] = self.record_many(actor_id, [AuditRecord(action, entity, entity_id, before, after)])
        return event

    def record_many(self, actor_id: uuid.UUID | None, records: list[AuditRecord]) -> list[dict[str, Any]]:
        """Append several events with one counter update and one look-up of the chain's end."""
        if not records:
            return []
        last = int(
            self._session.connection()
            .execute(
                _counter.update()
                .where(_counter.c.name == AUDIT_COUNTER)
                .values(value=_counter.c.value + len(records))
                .returning(_counter.c.value)
            )
            .scalar_one()
        )
        previous = self._session.exec(
            select(AuditEvent.hash).order_by(col(AuditEvent.id).desc()).limit(1)
        ).first()
        prev_hash = previous or GENESIS
        at = utcnow()
        actor = str(actor_id) if actor_id else None
        rows: list[dict[str, Any]] = []
        for offset, item in enumerate(records):
            sequence = last - len(records) + 1 + offset
            before_json, after_json = _json_safe(item.before), _json_safe(item.after)
            row_hash = event_hash(
                prev_hash,
                sequence,
                at,
                actor,
                item.action,
                item.entity,
                str(item.entity_id),
                before_json,
                after_json,
            )
            rows.append(
                {
                    "id": sequence,
                    "at": at,
                    "actor_id": actor_id,
                    "action": item.action,
                    "entity": item.entity,
                    "entity_id": str(item.entity_id),
                    "before": before_json,
                    "after": after_json,
                    "prev_hash": prev_hash,
                    "hash": row_hash,
                }
            )
            prev_hash = row_hash
        # Append-only rows: a Core insert skips building ORM objects nobody reads back.
        self._session.execute(sa.insert(AuditEvent), rows)
        return rows


@dataclass(frozen=True, slots=True)
class ChainBreak:
    event_id: int
    reason: str


def verify_chain(session: Session, batch_size: int = 1000) -> tuple[int, ChainBreak | None]:
    """Walk the chain in order; return how many events were checked and the first break, if any."""
    previous_hash = GENESIS
    checked = 0
    last_id = 0
    while True:
        events = session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.id) > last_id)
            .order_by(col(AuditEvent.id))
            .limit(batch_size)
        ).all()
        if not events:
            return checked, None
        for event in events:
            assert event.id is not None
            if event.prev_hash != previous_hash:
                return checked, ChainBreak(
                    event.id, "prev_hash does not match the previous event (row deleted or reordered?)"
                )
            expected = event_hash(
                event.prev_hash,
                event.id,
                event.at,
                str(event.actor_id) if event.actor_id else None,
                event.action,
                event.entity,
                event.entity_id,
                event.before,
                event.after,
            )
            if expected != event.hash:
                return checked, ChainBreak(event.id, "content does not match its hash (row edited)")
            previous_hash = event.hash
            last_id = event.id
            checked += 1


def count_events(session: Session) -> int:
    return int(session.exec(select(sa.func.count()).select_from(AuditEvent)).one())
