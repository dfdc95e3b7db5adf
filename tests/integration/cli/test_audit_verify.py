"""``parksafe audit verify`` detects an edited or deleted audit row and names it."""

from __future__ import annotations

import os
import subprocess
import sys

import sqlalchemy as sa
from sqlmodel import Session

from backend.domain.accounts.roles import Role
from backend.domain.audit.service import AuditLog
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
    log = AuditLog(db)
    for n in range(count):
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
