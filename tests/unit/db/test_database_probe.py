"""/health's view of the database: recent answers are trusted briefly, failures never are."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import sqlalchemy as sa

from backend.db.engine import DatabaseProbe


def test_a_database_that_stops_answering_is_reported_once_its_last_answer_is_stale(tmp_path: Path) -> None:
    folder = tmp_path / "db"
    folder.mkdir()
    engine = sa.create_engine(f"sqlite:///{folder}/park.db")
    probe = DatabaseProbe(engine, fresh_for=0.2)
    assert probe.check()

    shutil.rmtree(folder)  # the database is gone; new connections fail
    engine.dispose()
    assert probe.answered_recently()  # trusted for fresh_for, no query made
    time.sleep(0.25)
    assert not probe.answered_recently()
    assert not probe.check()


def test_after_a_failure_every_call_asks_again(tmp_path: Path) -> None:
    unreachable = sa.create_engine(f"sqlite:///{tmp_path}/missing/park.db")
    probe = DatabaseProbe(unreachable, fresh_for=60)
    assert not probe.check()
    assert not probe.answered_recently()  # a failure is never cached
    (tmp_path / "missing").mkdir()
    assert probe.check()  # the database is back: seen on the very next call
    assert probe.answered_recently()
