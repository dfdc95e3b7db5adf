"""/health's view of the database: recent answers are trusted briefly, failures never are."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import threading
from pathlib import Path

import sqlalchemy as sa

from backend.db.engine import CONNECT_TIMEOUT_SECONDS, DatabaseProbe, create_db_engine, database_is_reachable
from backend.settings import Settings


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_database_that_stops_answering_is_reported_once_its_last_answer_is_stale(tmp_path: Path) -> None:
    folder = tmp_path / "db"
    folder.mkdir()
    engine = sa.create_engine(f"sqlite:///{folder}/park.db")
    clock = Clock()
    probe = DatabaseProbe(engine, fresh_for=1.0, clock=clock)
    assert probe.check()

    shutil.rmtree(folder)  # the database is gone; new connections fail
    engine.dispose()
    clock.now += 0.9
    assert probe.answered_recently()  # trusted for a second, no query made
    clock.now += 0.2
    assert not probe.answered_recently()
    assert not probe.check()


def test_after_a_failure_every_call_asks_again(tmp_path: Path) -> None:
    unreachable = sa.create_engine(f"sqlite:///{tmp_path}/missing/park.db")
    probe = DatabaseProbe(unreachable, fresh_for=60, clock=Clock())
    assert not probe.check()
    assert not probe.answered_recently()  # a failure is never cached
    (tmp_path / "missing").mkdir()
    assert probe.check()  # the database is back: seen on the very next call
    assert probe.answered_recently()


async def test_probes_arriving_during_an_outage_share_one_connection_attempt() -> None:
    attempts: list[int] = []
    host_answers = threading.Event()

    def connect_to_an_unreachable_host() -> sqlite3.Connection:
        attempts.append(1)
        host_answers.wait(timeout=10)
        raise sqlite3.OperationalError("could not connect: host unreachable")

    engine = sa.create_engine("sqlite://", creator=connect_to_an_unreachable_host, poolclass=sa.pool.NullPool)
    probe = DatabaseProbe(engine, clock=Clock())
    probes = [asyncio.create_task(probe.answers()) for _ in range(10)]  # a load balancer's retries
    while not attempts:
        await asyncio.sleep(0.01)
    host_answers.set()
    assert await asyncio.gather(*probes) == [False] * 10
    assert len(attempts) == 1

    assert not await probe.answers()  # a later probe tries again
    assert len(attempts) == 2


def test_postgresql_connections_give_up_on_a_silent_host() -> None:
    """A host that drops packets would hold each connecting thread for the kernel's TCP timeout."""
    engine = create_db_engine(
        Settings(_env_file=None, database_url="postgresql+psycopg://postgres@127.0.0.1:1/parksafe")
    )
    asked: dict[str, object] = {}
    sa.event.listen(engine, "do_connect", lambda _dialect, _record, _args, params: asked.update(params))
    assert not database_is_reachable(engine)  # nothing listens on port 1
    assert asked["connect_timeout"] == CONNECT_TIMEOUT_SECONDS
