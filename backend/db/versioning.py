"""Server-assigned change versions for every record devices pull.

The pull cursor is a version number, so versions must become visible in the order
they are handed out. A sequence cannot promise that: a transaction holding version 10
may commit after one holding 11, and a puller that already stored cursor 11 would
never see 10. Instead every flushing transaction increments one counter row; the
row lock that the UPDATE takes is held until commit, so the next transaction gets
its versions only after this one is committed (or rolled back). The cost is that
writers of synced records serialise from their first flush to commit: keep those
transactions short.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction

from backend.db.models import CHANGE_COUNTER, SyncCounter, SyncedModel
from backend.db.types import utcnow

_counter = SyncCounter.__table__  # type: ignore[attr-defined]


def lock_changes(session: Session) -> None:
    """Take the change-counter lock now, without using a version.

    Transactions that must see each other's committed rows (a finding naming a photo and
    that photo's upload) take it as their first statement, so the later one runs after
    the earlier one commits and, starting its snapshot then, sees its rows.
    """
    session.connection().execute(
        _counter.update().where(_counter.c.name == CHANGE_COUNTER).values(value=_counter.c.value)
    )


def _changed_synced_records(session: Session) -> list[SyncedModel]:
    changed = [obj for obj in session.new if isinstance(obj, SyncedModel)]
    changed += [
        obj
        for obj in session.dirty
        if isinstance(obj, SyncedModel) and session.is_modified(obj, include_collections=False)
    ]
    return changed


def allocate_versions(session: Session, count: int) -> int:
    """Reserve ``count`` versions and return the first; locks the counter until commit."""
    # Core statement on the connection: an ORM statement here would autoflush re-entrantly.
    last = (
        session.connection()
        .execute(
            _counter.update()
            .where(_counter.c.name == CHANGE_COUNTER)
            .values(value=_counter.c.value + count)
            .returning(_counter.c.value)
        )
        .scalar_one()
    )
    return int(last) - count + 1


_BOOKKEEPING = frozenset({"version", "created_at", "updated_at", "field_versions"})


@cache
def _field_keys(model: type[SyncedModel]) -> tuple[str, ...]:
    return tuple(c.key for c in sa.inspect(model).column_attrs if c.key not in _BOOKKEEPING)


def _changed_fields(record: SyncedModel) -> list[str]:
    state = sa.inspect(record)
    if state.pending:  # a new record: every field it was built with (the same set, without the history walk)
        return [key for key in _field_keys(type(record)) if key in state.dict]
    return [attr.key for attr in state.attrs if attr.key not in _BOOKKEEPING and attr.history.has_changes()]


def _stamp(record: SyncedModel, version: int, fields: list[str], now: datetime) -> None:
    field_versions = dict(record.field_versions or {})
    field_versions.update(dict.fromkeys(fields, version))
    record.field_versions = field_versions
    record.version = version
    record.updated_at = now


def _stamp_versions(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    changed = _changed_synced_records(session)
    if not changed:
        return
    first = allocate_versions(session, len(changed))
    now = utcnow()
    for offset, record in enumerate(changed):
        _stamp(record, first + offset, _changed_fields(record), now)


def stamp_detached(session: Session, records: list[SyncedModel]) -> None:
    """Versions for new records written outside the unit of work (``backend.db.bulk``),
    exactly as a flush would stamp them: every field they were built with. No session
    tracks these records, so their attribute dictionaries are written directly."""
    if not records:
        return
    first = allocate_versions(session, len(records))
    now = utcnow()
    keys = _field_keys(type(records[0]))
    for version, record in enumerate(records, start=first):
        values = record.__dict__
        field_versions = dict(values.get("field_versions") or {})
        field_versions.update((key, version) for key in keys if key in values)
        values.update(field_versions=field_versions, version=version, updated_at=now)


def update_synced(
    session: Session,
    model: type[SyncedModel],
    record_id: object,
    values: dict[str, Any],
    *,
    field_versions: dict[str, int] | None,
    version: int,
) -> None:
    """Write ``values`` to one synced row without loading it, stamped as a flush would stamp the
    change: ``version`` (from ``allocate_versions`` in this transaction) for the row and for each
    field written. ``field_versions`` is the row's current map, read under that lock. For hot
    paths that need nothing else of the row."""
    table = model.__table__  # type: ignore[attr-defined]
    session.connection().execute(
        table.update()
        .where(table.c.id == record_id)
        .values(
            **values,
            version=version,
            field_versions={**(field_versions or {}), **dict.fromkeys(values, version)},
            updated_at=utcnow(),
        )
    )


def install_versioning(session_class: type[Session] = Session) -> None:
    if not event.contains(session_class, "before_flush", _stamp_versions):
        event.listen(session_class, "before_flush", _stamp_versions)


def current_version(session: Session) -> int:
    return int(
        session.connection()
        .execute(sa.select(_counter.c.value).where(_counter.c.name == CHANGE_COUNTER))
        .scalar_one()
    )
