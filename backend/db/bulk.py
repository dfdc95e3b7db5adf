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
    """Insert ``rows`` (keyed by attribute name) at once on the session's connection.

    Columns the first row leaves out, and a generated key it leaves empty, are left to the
    database. SQLite and small sets: one Core ``executemany`` (the ORM's bulk insert does
    the same with per-row bookkeeping on top). PostgreSQL: ``COPY … FROM STDIN``, several
    times faster than row-by-row INSERTs for a batch; values pass through the columns' own
    bind processors first, so they are exactly what an INSERT would have sent.
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
    connection = session.connection()
    if connection.dialect.name == "postgresql" and len(rows) >= COPY_THRESHOLD:
        _copy(connection, table, columns, rows)
        return
    connection.execute(table.insert(), [{name: row[key] for key, name in columns} for row in rows])


COPY_THRESHOLD = 8  # below this, COPY's set-up costs more than it saves


def _copy(
    connection: sa.Connection, table: sa.Table, columns: list[tuple[str, str]], rows: list[dict[str, Any]]
) -> None:
    import psycopg

    dialect = connection.dialect
    processors = [_bind_processor(table.c[name].type, dialect) for _, name in columns]
    names = ", ".join(dialect.identifier_preparer.quote(name) for _, name in columns)
    statement = f"COPY {dialect.identifier_preparer.format_table(table)} ({names}) FROM STDIN"
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                values = [row[key] for key, _ in columns]
                copy.write_row(
                    [
                        value if process is None else process(value)
                        for process, value in zip(processors, values, strict=True)
                    ]
                )
    except psycopg.IntegrityError as exc:  # what an INSERT would raise, so callers handle one error
        raise sa.exc.IntegrityError(statement, None, exc) from exc
    finally:
        cursor.close()


def _bind_processor(column_type: sa.types.TypeEngine[Any], dialect: sa.Dialect) -> Any:
    return column_type.dialect_impl(dialect).bind_processor(dialect)


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
