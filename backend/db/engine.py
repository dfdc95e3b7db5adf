"""Engine and session factory, built from settings."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from backend.db.types import json_text
from backend.db.versioning import install_versioning
from backend.settings import Settings


def _enable_sqlite_foreign_keys(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _use_wal(engine: Engine) -> None:
    """WAL lets readers work while one writer commits. It is a property of the database file,
    set once here: switching it on every new connection takes a lock and fails under load."""
    with engine.connect() as connection:
        if connection.exec_driver_sql("PRAGMA journal_mode").scalar() != "wal":
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")


CONNECT_TIMEOUT_SECONDS = 5


def create_db_engine(settings: Settings) -> Engine:
    url = settings.resolved_database_url
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 10}, json_serializer=json_text
        )
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
        if ":memory:" not in url and url != "sqlite://":
            _use_wal(engine)
        return engine
    return sa.create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=20,
        json_serializer=json_text,
        # Without it a database host that drops packets holds each connecting thread for the
        # kernel's TCP timeout (about two minutes), and every request with it.
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
    )


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    install_versioning(Session)
    return sessionmaker(bind=engine, class_=Session, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work outside a request (CLI, jobs): commit on success, else roll back."""
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def database_is_reachable(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return False
    return True


class DatabaseProbe:
    """Whether the database answers, for /health: while it does, asked at most once per
    ``fresh_for`` seconds (a load balancer probing each replica many times a second costs no
    queries); once it did not, asked on every call, so recovery shows at once. Callers that
    arrive while a check is under way share it (``answers``): during an outage, probes wait on
    one connection attempt instead of each holding a worker thread on its own."""

    def __init__(
        self, engine: Engine, fresh_for: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._engine = engine
        self._fresh_for = fresh_for
        self._clock = clock
        self._answered_at: float | None = None
        self._checking: asyncio.Future[bool] | None = None

    def answered_recently(self) -> bool:
        return self._answered_at is not None and self._clock() - self._answered_at < self._fresh_for

    def check(self) -> bool:
        if database_is_reachable(self._engine):
            self._answered_at = self._clock()
            return True
        self._answered_at = None
        return False

    async def answers(self) -> bool:
        """``check`` from the event loop, run in a worker thread once for all concurrent callers."""
        if self.answered_recently():
            return True
        if self._checking is None:
            checking = asyncio.ensure_future(asyncio.to_thread(self.check))
            checking.add_done_callback(self._check_done)
            self._checking = checking
        # shield: one caller giving up (a client disconnecting) must not cancel the others' check
        return await asyncio.shield(self._checking)

    def _check_done(self, _: asyncio.Future[bool]) -> None:
        self._checking = None
