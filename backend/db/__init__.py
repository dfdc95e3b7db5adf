"""Persistence: SQLModel tables, engine and sessions, Alembic migrations."""

from sqlmodel import SQLModel

# Named constraints make migrations reproducible (and SQLite batch mode able to drop them).
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
