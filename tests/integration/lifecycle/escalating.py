"""Running the escalation rules the way production does: ``parksafe escalate`` in its own process."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, col, func, select

from backend.db.models import Finding, Notification
from backend.domain.findings.vocabulary import FindingStatus
from tests import factories
from tests.conftest import ParkWorld

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CHANNELS = "enterprise_staff=json://127.0.0.1:9/staff park_admin=json://127.0.0.1:9/leaders"


def escalate(database_url: str, now: datetime, rules: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PARKSAFE_DATABASE_URL": database_url, "PARKSAFE_NOTIFY_URLS": CHANNELS}
    if rules is not None:
        env["PARKSAFE_ESCALATION_RULES_PATH"] = str(rules)
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", "escalate", "--now", now.isoformat()],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def queued(db: Session, finding: Finding, kind: str) -> int:
    db.expire_all()
    return int(
        db.exec(
            select(func.count())
            .select_from(Notification)
            .where(Notification.finding_id == finding.id, col(Notification.event_key).startswith(f"{kind}:"))
        ).one()
    )


def refreshed(db: Session, finding: Finding) -> Finding:
    db.expire_all()
    found = db.get(Finding, finding.id)
    assert found is not None
    return found


def dispatched(db: Session, world: ParkWorld, deadline: datetime, **fields: object) -> Finding:
    finding = factories.finding(
        db,
        world.own,
        status=FindingStatus.DISPATCHED,
        deadline=deadline,
        observed_at=T0 - timedelta(days=10),
        **fields,
    )
    db.commit()
    return finding


def put_right(db: Session, world: ParkWorld, observed_at: datetime, accepted_at: datetime) -> Finding:
    """XC-05-03 found at ``observed_at`` and closed, its fix accepted at ``accepted_at``."""
    return factories.finding(
        db,
        world.own,
        checklist_code="XC-05-03",
        observed_at=observed_at,
        status=FindingStatus.CLOSED,
        accepted_at=accepted_at,
    )


def closed_then_found_again(db: Session, world: ParkWorld, days_between: int) -> Finding:
    """XC-05-03 found and closed, then found again at the same enterprise a day before T0."""
    earlier = T0 - timedelta(days=days_between + 1)
    put_right(db, world, earlier, earlier + timedelta(hours=2))
    return factories.finding(db, world.own, checklist_code="XC-05-03", observed_at=T0 - timedelta(days=1))
