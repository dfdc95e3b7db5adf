"""Writing and verifying the tamper-evident audit trail."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from backend.db.bulk import insert_rows
from backend.db.models import AuditEvent, SyncCounter
from backend.db.types import EncodedJSON, utcnow
from backend.domain.audit.chain import GENESIS, canonical, event_hash

AUDIT_COUNTER = "audit"
_counter = SyncCounter.__table__  # type: ignore[attr-defined]


_JSON_SCALARS = (str, int, float, bool, type(None))


def _is_json(value: Any) -> bool:
    """Already made of JSON types only (the documents the services write usually are)."""
    kind = type(value)
    if kind in _JSON_SCALARS:
        return True
    if kind is dict:
        return all(type(key) is str and _is_json(item) for key, item in value.items())
    if kind is list:
        return all(_is_json(item) for item in value)
    return False


def _stored(value: Any) -> tuple[Any, str]:
    """``value`` as the JSON column will hold it, and its canonical text (what the hash covers).

    Dates, UUIDs and decimals become strings, as reading the column back gives them, which is
    what ``verify_chain`` hashes. Documents already made of JSON types are encoded once.
    """
    text = canonical(value)
    if value is None or _is_json(value):
        return value, text
    stored = json.loads(text)
    return stored, canonical(stored)


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
        events = AuditEvent.__table__  # type: ignore[attr-defined]
        previous = (
            self._session.connection()  # Core: no autoflush, no ORM result handling
            .execute(sa.select(events.c.hash).order_by(events.c.id.desc()).limit(1))
            .scalar()
        )
        prev_hash = previous or GENESIS
        at = utcnow()
        actor = str(actor_id) if actor_id else None
        rows: list[dict[str, Any]] = []
        encoded: list[dict[str, Any]] = []
        for offset, item in enumerate(records):
            sequence = last - len(records) + 1 + offset
            before_json, before_text = _stored(item.before)
            after_json, after_text = _stored(item.after)
            row_hash = event_hash(
                prev_hash,
                sequence,
                at,
                actor,
                item.action,
                item.entity,
                str(item.entity_id),
                before_text,
                after_text,
            )
            row = {
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
            rows.append(row)
            encoded.append(
                {
                    **row,
                    "before": None if item.before is None else EncodedJSON(before_text),
                    "after": None if item.after is None else EncodedJSON(after_text),
                }
            )
            prev_hash = row_hash
        # Append-only rows: a Core insert skips building ORM objects nobody reads back.
        insert_rows(self._session, AuditEvent, encoded)
        return rows


@dataclass(frozen=True, slots=True)
class ChainBreak:
    event_id: int
    reason: str  # Chinese, then English
    event: str = ""  # what the event at the break records (time, action, record), where one is there


def _issued(session: Session) -> int:
    """The last event id the counter handed out: an id and its event commit together, or neither."""
    value = (
        session.connection()
        .execute(sa.select(_counter.c.value).where(_counter.c.name == AUDIT_COUNTER))
        .scalar()
    )
    return int(value or 0)


def _missing_tail(session: Session, last_id: int, issued: int) -> ChainBreak | None:
    """Each event hashes the one before it, so only the newest ones can go without a trace in the
    chain itself; the counter knows how many there were. ``issued`` was read before the walk: the
    events up to it had all committed, whatever the app appended while the walk ran."""
    if issued > last_id:
        return ChainBreak(
            last_id + 1,
            f"{_span(last_id + 1, issued)}缺失（最新的记录被删除） / events {last_id + 1}–{issued} are missing "
            "(the newest rows deleted)",
        )
    newest = session.exec(select(sa.func.max(AuditEvent.id))).one() or 0
    issued_now = _issued(session)  # read after the newest event: the counter never goes back
    if issued_now < newest:
        return ChainBreak(
            newest,
            f"事件计数器（{issued_now}）落后于最后一条事件（计数器被重置？） / the event counter ({issued_now}) is "
            "behind the last event (counter reset?)",
        )
    return None


def _span(first: int, last: int) -> str:
    return f"第 {first} 号事件" if first == last else f"第 {first}–{last} 号事件"


def _described(event: AuditEvent) -> str:
    return f"{event.at.isoformat(timespec='seconds')} {event.action} {event.entity} {event.entity_id}"


def verify_chain(session: Session, batch_size: int = 1000) -> tuple[int, ChainBreak | None]:
    """Walk the chain in order; return how many events were checked and the first break, if any.
    Safe while the app runs: the walk ends at the last event the counter had handed out when it
    began (each id commits with its event), so events appended meanwhile are not taken for gaps."""
    issued = _issued(session)
    previous_hash = GENESIS
    checked = 0
    last_id = 0
    while True:
        events = session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.id) > last_id, col(AuditEvent.id) <= issued)
            .order_by(col(AuditEvent.id))
            .limit(batch_size)
        ).all()
        if not events:
            return checked, _missing_tail(session, last_id, issued)
        for event in events:
            assert event.id is not None
            if event.prev_hash != previous_hash:
                if event.id > last_id + 1:  # ids are handed out one by one: the rows between are gone
                    reason = (
                        f"{_span(last_id + 1, event.id - 1)}缺失（记录被删除） / events {last_id + 1}–"
                        f"{event.id - 1} are missing (rows deleted)"
                    )
                else:
                    reason = (
                        "与前一条事件的哈希不衔接（记录被删除、重排或改动） / prev_hash does not match the "
                        "previous event (row deleted or reordered?)"
                    )
                return checked, ChainBreak(event.id, reason, _described(event))
            expected = event_hash(
                event.prev_hash,
                event.id,
                event.at,
                str(event.actor_id) if event.actor_id else None,
                event.action,
                event.entity,
                event.entity_id,
                canonical(event.before),
                canonical(event.after),
            )
            if expected != event.hash:
                return checked, ChainBreak(
                    event.id,
                    "内容与其哈希不符（该记录被改动） / content does not match its hash (row edited)",
                    _described(event),
                )
            previous_hash = event.hash
            last_id = event.id
            checked += 1


def count_events(session: Session) -> int:
    return int(session.exec(select(sa.func.count()).select_from(AuditEvent)).one())
