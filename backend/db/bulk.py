"""Writing many new rows with one statement per table instead of the unit of work.

A pushed batch of new findings is most of what devices send after a day offline. Built
as ORM objects and flushed, each finding costs SQLModel's per-attribute instrumentation
and a row-by-row flush; as plain rows it is one multi-row INSERT. Only records that
nothing else in the transaction touches go this way (the caller decides): they need no
identity map, no dirty tracking and no flush ordering beyond "parents first", which the
order of ``add`` calls gives.
"""

from __future__ import annotations

from functools import cache
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from backend.db.models import SyncedModel
from backend.db.versioning import stamp_detached


@cache
def _columns(model: type[SQLModel]) -> tuple[sa.Table, tuple[tuple[str, str], ...], str | None]:
    """The model's table, its (attribute, column name) pairs and the attribute of a key the
    database generates (an autoincrement integer), if any."""
    mapper = sa.inspect(model)
    table = cast(sa.Table, mapper.local_table)
    generated = table.autoincrement_column
    columns = tuple((attr.key, attr.columns[0].name) for attr in mapper.column_attrs)
    generated_key = next(
        (key for key, name in columns if generated is not None and name == generated.name), None
    )
    return table, columns, generated_key


def insert_rows(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """One multi-row INSERT of ``rows`` (keyed by attribute name) on the session's connection.

    Core, not the ORM's bulk insert: the same statement without per-row ORM bookkeeping. A
    generated key the rows leave empty is left to the database.
    """
    if not rows:
        return
    table, all_columns, generated_key = _columns(model)
    first = rows[0]
    columns = [
        (key, name)
        for key, name in all_columns
        if key in first and not (key == generated_key and first[key] is None)
    ]
    session.connection().execute(table.insert(), [{name: row[key] for key, name in columns} for row in rows])


class BulkRows:
    """New records (built with ``construct.new``, never added to a session) waiting to be
    inserted set-wise, by table."""

    def __init__(self) -> None:
        self._by_model: dict[type[SQLModel], list[SQLModel]] = {}

    def add(self, record: SQLModel) -> None:
        self._by_model.setdefault(type(record), []).append(record)

    def __len__(self) -> int:
        return sum(len(rows) for rows in self._by_model.values())

    def write(self, session: Session) -> None:
        """Stamp change versions on synced records, then insert each table's rows at once,
        tables in the order their first row was added (parents before children)."""
        for model, records in self._by_model.items():
            if issubclass(model, SyncedModel):
                stamp_detached(session, records)  # type: ignore[arg-type]
            insert_rows(session, model, [record.__dict__ for record in records])
        self._by_model.clear()
