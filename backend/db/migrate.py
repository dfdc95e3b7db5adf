"""Run Alembic from code (the CLI and tests), with the scripts shipped in the package."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


@lru_cache(maxsize=1)
def current_head() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


@lru_cache(maxsize=1)
def known_revisions() -> frozenset[str]:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return frozenset(script.revision for script in scripts.walk_revisions())


def schema_is_current(engine: Engine) -> bool:
    """Whether the database holds the schema this code needs: at its head, or at a revision it
    does not know (migrated ahead for a newer release while this one still serves, during a
    rolling update). Behind, or never migrated, every request would fail."""
    try:
        with engine.connect() as connection:
            versions = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    except sa.exc.SQLAlchemyError:
        return False
    head = current_head()
    return any(version == head or version not in known_revisions() for version in versions)


class SchemaCheck:
    """``schema_is_current`` for /health, asked until it holds (then never again: a schema is
    not taken back while the server runs)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._current = False

    def is_current(self) -> bool:
        if not self._current:
            self._current = schema_is_current(self._engine)
        return self._current

    @property
    def known_current(self) -> bool:
        return self._current
