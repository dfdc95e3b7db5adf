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
    ) -> AuditEvent:
        connection = self._session.connection()
        sequence = int(
            connection.execute(
                _counter.update()
                .where(_counter.c.name == AUDIT_COUNTER)
                .values(value=_counter.c.value + 1)
                .returning(_counter.c.value)
            ).scalar_one()
        )
        previous = self._session.exec(
            select(AuditEvent.hash).order_by(col(AuditEvent.id).desc()).limit(1)
        ).first()
        at = utcnow()
        before_json, after_json = _json_safe(before), _json_safe(after)
        event = AuditEvent(
            id=sequence,
            at=at,
            actor_id=actor_id,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            before=before_json,
            after=after_json,
            prev_hash=previous or GENESIS,
        )
        event.hash = event_hash(
            event.prev_hash,
            sequence,
            at,
            str(actor_id) if actor_id else None,
            action,
            entity,
            str(entity_id),
            before_json,
            after_json,
        )
        self._session.add(event)
        self._session.flush()
        return event


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
