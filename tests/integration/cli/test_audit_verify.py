"""``parksafe audit verify`` detects an edited or deleted audit row and names it, and a finding
changed in the database behind the trail's back."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from backend.domain.accounts.roles import Role
from backend.domain.audit.service import AuditLog, verify_chain
from backend.domain.sync.documents import finding_document
from tests import factories
from tests.conftest import ParkWorld


def verify(database_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", "audit", "verify"],
        capture_output=True,
        text=True,
        env={**os.environ, "PARKSAFE_DATABASE_URL": database_url},
        timeout=120,
        check=False,
    )


def write_events(db: Session, world: ParkWorld, count: int) -> None:
    """The world's findings as reported through the app, then ``count`` edits of the first."""
    log = AuditLog(db)
    for finding in (world.own_finding, world.other_finding):
        log.record(
            world.users[Role.INSPECTOR].id,
            "finding.reported",
            "finding",
            finding.id,
            None,
            finding_document(finding),
        )
    for n in range(count - 2):
        log.record(
            world.users[Role.INSPECTOR].id,
            "finding.edited",
            "finding",
            world.own_finding.id,
            {"measures": str(n)},
            {"measures": str(n + 1)},
        )
    db.commit()


def test_intact_chain_verifies(db: Session, world: ParkWorld, database_url: str) -> None:
    write_events(db, world, 5)
    result = verify(database_url)
    assert result.returncode == 0, result.stderr
    assert "5" in result.stdout


def test_edited_row_is_named(db: Session, world: ParkWorld, database_url: str) -> None:
    write_events(db, world, 5)
    third = db.execute(sa.text("SELECT id FROM audit_event ORDER BY id LIMIT 1 OFFSET 2")).scalar_one()
    db.execute(sa.text("UPDATE audit_event SET action = 'finding.deleted' WHERE id = :id"), {"id": third})
    db.commit()
    result = verify(database_url)
    assert result.returncode == 1
    assert f"event {third}" in result.stderr
    assert "Traceback" not in result.stderr


def test_deleted_row_is_detected_at_the_next_event(db: Session, world: ParkWorld, database_url: str) -> None:
    write_events(db, world, 5)
    ids = [row[0] for row in db.execute(sa.text("SELECT id FROM audit_event ORDER BY id")).all()]
    db.execute(sa.text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[1]})
    db.commit()
    result = verify(database_url)
    assert result.returncode == 1
    assert f"event {ids[2]}" in result.stderr
    assert f"第 {ids[1]} 号事件缺失" in result.stderr  # the auditor is told which one is gone


def test_a_finding_closed_in_the_database_behind_the_trail_is_named(
    db: Session, world: ParkWorld, database_url: str
) -> None:
    """The chain protects the events; an overdue finding quietly set to closed leaves it intact."""
    write_events(db, world, 5)
    assert verify(database_url).returncode == 0
    closed = db.execute(
        sa.text("UPDATE finding SET status = 'closed' WHERE id = :id"), {"id": world.other_finding.id.hex}
    )
    assert closed.rowcount == 1  # type: ignore[attr-defined]
    db.commit()
    result = verify(database_url)
    assert result.returncode == 1, result.stdout
    assert "审计链完整" in result.stdout
    short = str(world.other_finding.id)[:8].upper()
    assert f"隐患 {short}" in result.stderr and "的状态为 closed，审计记录为 reported" in result.stderr
    assert "finding.reported" in result.stderr  # the last step the trail has for it
    assert str(world.own_finding.id) not in result.stderr


def test_a_finding_deleted_from_the_database_is_named_by_its_trail(
    db: Session, world: ParkWorld, database_url: str
) -> None:
    """The app only marks findings deleted; a row gone from the table was removed behind its back."""
    write_events(db, world, 5)
    gone = db.execute(sa.text("DELETE FROM finding WHERE id = :id"), {"id": world.other_finding.id.hex})
    assert gone.rowcount == 1  # type: ignore[attr-defined]
    db.commit()
    result = verify(database_url)
    assert result.returncode == 1, result.stdout
    short = str(world.other_finding.id)[:8].upper()
    assert f"隐患 {short}（{world.other_finding.id}）已从数据库中删除，审计记录中仍有该隐患" in result.stderr
    assert "finding.reported" in result.stderr
    assert str(world.own_finding.id) not in result.stderr


def test_a_finding_written_without_any_trail_is_named(
    db: Session, world: ParkWorld, database_url: str
) -> None:
    write_events(db, world, 5)
    stray = factories.finding(db, world.own)  # straight into the table, as a hand-written INSERT
    db.commit()
    result = verify(database_url)
    assert result.returncode == 1
    assert f"隐患 {str(stray.id)[:8].upper()}" in result.stderr and "没有任何审计记录" in result.stderr


def test_deleting_the_newest_events_or_all_of_them_is_detected(
    db: Session, world: ParkWorld, database_url: str
) -> None:
    """No later event carries their hash, so the chain alone cannot tell; the counter can."""
    write_events(db, world, 5)
    ids = [row[0] for row in db.execute(sa.text("SELECT id FROM audit_event ORDER BY id")).all()]
    db.execute(sa.text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[-1]})
    db.commit()
    result = verify(database_url)
    assert result.returncode == 1
    assert f"event {ids[-1]}" in result.stderr and "missing" in result.stderr

    db.execute(sa.text("DELETE FROM audit_event"))
    db.commit()
    result = verify(database_url)
    assert result.returncode == 1
    assert "event 1" in result.stderr and "missing" in result.stderr


def test_events_appended_while_the_chain_is_walked_are_not_taken_for_deleted_ones(
    db: Session, world: ParkWorld, session_factory: sessionmaker[Session]
) -> None:
    """``audit verify`` runs beside a serving app (a fresh-clone run of the crash test caught a
    job's event committed between the walk's last page and its look at the counter)."""
    write_events(db, world, 5)
    appended: list[bool] = []

    def append_one(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if not appended and "FROM audit_event" in statement:
            appended.append(True)
            with session_factory() as other:  # another request of the app, committing meanwhile
                AuditLog(other).record(
                    None, "finding.edited", "finding", world.own_finding.id, {}, {"measures": "x"}
                )
                other.commit()

    engine = db.get_bind()
    sa.event.listen(engine, "before_cursor_execute", append_one)
    try:
        with session_factory() as auditor:
            checked, broken = verify_chain(auditor)
    finally:
        sa.event.remove(engine, "before_cursor_execute", append_one)
    assert appended
    assert broken is None, broken
    with session_factory() as later:
        assert verify_chain(later) == (checked + 1, None)  # the walk stopped where the chain stood


def test_a_counter_set_back_behind_the_last_event_is_named(
    db: Session, world: ParkWorld, database_url: str
) -> None:
    write_events(db, world, 5)
    newest = db.execute(sa.text("SELECT max(id) FROM audit_event")).scalar_one()
    db.execute(sa.text("UPDATE sync_counter SET value = :v WHERE name = 'audit'"), {"v": newest - 2})
    db.commit()
    result = verify(database_url)
    assert result.returncode == 1
    assert f"事件计数器（{newest - 2}）落后于最后一条事件" in result.stderr
