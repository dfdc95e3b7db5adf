"""督办 and reminders driven by ``parksafe escalate --now``: each rule fires once per occasion."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select

from backend.db.models import AuditEvent, Finding, Notification
from backend.domain.findings.vocabulary import FindingStatus, HazardLevel
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


def test_reminder_before_the_deadline_then_escalation_each_period_once(
    db: Session, world: ParkWorld, database_url: str
) -> None:
    finding = dispatched(db, world, deadline=T0 + timedelta(hours=12))
    assert escalate(database_url, T0).returncode == 0
    assert queued(db, finding, "reminder") == 1
    assert escalate(database_url, T0 + timedelta(hours=1)).returncode == 0
    assert queued(db, finding, "reminder") == 1  # the same reminder is not sent twice

    overdue_day_1 = T0 + timedelta(days=1)
    escalate(database_url, overdue_day_1)
    escalate(database_url, overdue_day_1)
    state = refreshed(db, finding)
    assert (state.overdue, state.escalation_level) == (True, 1)
    assert queued(db, finding, "escalated") == 2  # enterprise staff and park leaders, once each

    escalate(database_url, overdue_day_1 + timedelta(days=3))  # the next 3-day period: 督办 again
    assert refreshed(db, finding).escalation_level == 2
    assert queued(db, finding, "escalated") == 4


def test_major_finding_is_escalated_immediately_once(
    db: Session, world: ParkWorld, database_url: str
) -> None:
    finding = factories.finding(db, world.own, level=HazardLevel.MAJOR)
    db.commit()
    first = escalate(database_url, T0)
    assert first.returncode == 0, first.stderr
    escalate(database_url, T0 + timedelta(minutes=5))
    assert queued(db, finding, "major") == 1
    assert refreshed(db, finding).escalation_level == 1


def test_the_same_checklist_item_again_within_90_days_is_escalated(
    db: Session, world: ParkWorld, database_url: str
) -> None:
    factories.finding(
        db,
        world.own,
        checklist_code="XC-05-03",
        observed_at=T0 - timedelta(days=60),
        status=FindingStatus.CLOSED,
    )
    again = factories.finding(db, world.own, checklist_code="XC-05-03", observed_at=T0 - timedelta(days=1))
    unrelated = factories.finding(
        db, world.other, checklist_code="XC-05-03", observed_at=T0 - timedelta(days=2)
    )
    db.commit()
    escalate(database_url, T0)
    escalate(database_url, T0)
    assert refreshed(db, again).escalation_level == 1
    assert refreshed(db, unrelated).escalation_level == 0
    assert queued(db, again, "escalated") == 2


def test_ignition_source_plus_flammable_leak_at_one_enterprise_become_major(
    db: Session, world: ParkWorld, database_url: str
) -> None:
    hot_work = factories.finding(db, world.own, description="罐区附近进行电焊动火作业，未办理动火票")
    leak = factories.finding(db, world.own, description="输油泵机械密封处有跑冒滴漏，地面有油迹")
    elsewhere = factories.finding(db, world.other, description="仓库门口有人吸烟")
    db.commit()
    assert escalate(database_url, T0).returncode == 0
    escalate(database_url, T0)
    for finding in (hot_work, leak):
        state = refreshed(db, finding)
        assert (state.level, state.escalation_level) == (HazardLevel.MAJOR, 1)
    assert refreshed(db, elsewhere).level is HazardLevel.GENERAL
    history = db.exec(select(AuditEvent).where(AuditEvent.entity_id == str(leak.id))).all()
    assert [event.after["kind"] for event in history if event.after] == ["coupled"]


def test_a_broken_rules_file_is_refused_naming_the_line(
    db: Session, world: ParkWorld, database_url: str, tmp_path: Path
) -> None:
    rules = tmp_path / "escalation.yaml"
    original = (Path(__file__).resolve().parents[3] / "rules" / "escalation.yaml").read_text(encoding="utf-8")
    rules.write_text(original.replace("repeat_every_days: 3", "repeat_every_days: soon"), encoding="utf-8")
    result = escalate(database_url, T0, rules)
    assert result.returncode == 1
    line = next(n for n, text in enumerate(rules.read_text().splitlines(), 1) if "repeat_every_days" in text)
    assert f"escalation.yaml:{line}:" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("now", ["yesterday", "2026-12-01T09:00:00"])
def test_now_must_be_an_rfc3339_time_with_zone(database_url: str, now: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "backend.cli", "escalate", "--now", now],
        capture_output=True,
        text=True,
        env={**os.environ, "PARKSAFE_DATABASE_URL": database_url},
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "--now" in result.stderr
