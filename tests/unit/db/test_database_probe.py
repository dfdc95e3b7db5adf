"""/health's view of the database: recent answers are trusted briefly, failures never are."""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlalchemy as sa

from backend.db.engine import DatabaseProbe


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
