"""Migrations build the schema the models describe, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import backend.db.models  # noqa: F401
from backend.db.migrate import alembic_config, downgrade, upgrade
from tests.databases import postgres_available, postgres_database, sqlite_database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "postgresql":
        if not postgres_available():
            pytest.skip("PostgreSQL not reachable")
        with postgres_database() as url:
            yield url
    else:
        with sqlite_database(tmp_path) as url:
            yield url


def schema_drift(url: str) -> list[object]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, SQLModel.metadata))
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrading_an_empty_database_to_head_leaves_no_drift(empty_database: str) -> None:
    upgrade(empty_database)
    assert schema_drift(empty_database) == []


def test_upgrade_is_idempotent(empty_database: str) -> None:
    upgrade(empty_database)
    upgrade(empty_database)
    assert "finding" in table_names(empty_database)


def test_newest_revision_downgrades_and_upgrades_again(empty_database: str) -> None:
    upgrade(empty_database)
    script = ScriptDirectory.from_config(alembic_config(empty_database))
    head = script.get_revision("head")
    assert head is not None
    target = head.down_revision if isinstance(head.down_revision, str) else "base"
    downgrade(empty_database, target or "base")
    if target in (None, "base"):
        assert table_names(empty_database) <= {"alembic_version"}
    upgrade(empty_database)
    assert schema_drift(empty_database) == []


def test_change_counter_starts_at_zero(empty_database: str) -> None:
    upgrade(empty_database)
    engine = sa.create_engine(empty_database)
    with engine.connect() as connection:
        assert (
            connection.execute(sa.text("SELECT value FROM sync_counter WHERE name = 'changes'")).scalar_one()
            == 0
        )
    engine.dispose()
