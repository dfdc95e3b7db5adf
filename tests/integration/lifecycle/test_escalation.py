"""督办 and reminders driven by ``parksafe escalate --now``: each rule fires once per occasion."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import Session, select

from backend.db.models import AuditEvent, Finding
from backend.domain.accounts.roles import Role
from backend.domain.audit.service import AuditLog
from backend.domain.findings.legal_basis import give_legal_basis
from backend.domain.findings.vocabulary import HazardLevel
from backend.settings import Settings
from mobile_api.app import create_app
from regulations.service import get_matcher
from tests import factories
from tests.conftest import ParkWorld
from tests.devices import Device, finding_mutation, jpeg_photo, rectification_mutation, settle
from tests.integration.lifecycle.escalating import (
    CHANNELS,
    T0,
    dispatched,
    escalate,
    put_right,
    queued,
    refreshed,
)
from tests.integration.lifecycle.steps import reported_and_dispatched


def test_reminder_before_the_deadline_then_escalation_each_period_once(
    db: Session, world: ParkWorld, database_url: str
) -> None:
    finding = dispatched(db, world, deadline=T0 + timedelta(hours=12))
    assert escalate(database_url, T0).returncode == 0
    assert queued(db, finding, "reminder") == 1
    assert escalate(database_url, T0 + timedelta(hours=1)).returncode == 0
    assert queued(db, finding, "reminder") == 1  # the same reminder is not sent twice

    overdue_day_1 = T0 + timedelta(days=1)
    assert escalate(database_url, overdue_day_1).returncode == 0
    assert escalate(database_url, overdue_day_1).returncode == 0
    state = refreshed(db, finding)
    assert (state.overdue, state.escalation_level) == (True, 1)
    assert queued(db, finding, "escalated") == 2  # enterprise staff and park leaders, once each

    next_period = overdue_day_1 + timedelta(days=3)  # 督办 again
    assert escalate(database_url, next_period).returncode == 0
    assert refreshed(db, finding).escalation_level == 2
    assert queued(db, finding, "escalated") == 4


def test_major_finding_is_escalated_immediately_once(
    db: Session, world: ParkWorld, database_url: str
) -> None:
    finding = factories.finding(db, world.own, level=HazardLevel.MAJOR)
    db.commit()
    first = escalate(database_url, T0)
    assert first.returncode == 0, first.stderr
    assert escalate(database_url, T0 + timedelta(minutes=5)).returncode == 0
    assert queued(db, finding, "major") == 1
    assert refreshed(db, finding).escalation_level == 1


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


@pytest.mark.parametrize(
    ("late", "note"),
    [
        (timedelta(minutes=5), "已逾期，仍未整改"),
        (timedelta(minutes=119), "已逾期 1 小时，仍未整改"),
        (timedelta(hours=2), "已逾期 2 小时，仍未整改"),
        (timedelta(hours=30), "已逾期 1 天，仍未整改"),
    ],
)
def test_the_overdue_notice_says_how_late_in_hours_on_the_first_day_then_in_days(
    db: Session, world: ParkWorld, database_url: str, late: timedelta, note: str
) -> None:
    """A 督办 minutes after a 17:00 deadline told the enterprise it was a day late."""
    finding = dispatched(db, world, deadline=T0 - late)
    assert escalate(database_url, T0).returncode == 0
    db.expire_all()
    notes = [
        event.after["note"]
        for event in db.exec(select(AuditEvent).where(AuditEvent.entity_id == str(finding.id))).all()
        if event.after and event.after.get("kind") == "overdue"
    ]
    assert notes == [note]


def test_grading_a_finding_major_tells_the_park_leaders_once(
    db: Session, world: ParkWorld, settings: Settings, database_url: str
) -> None:
    finding = factories.finding(db, world.own)
    db.commit()
    with TestClient(create_app(settings.model_copy(update={"notify_urls": CHANNELS}))) as client:
        graded = client.post(
            f"/api/v1/findings/{finding.id}/level",
            json={"level": "major"},
            headers=world.headers(client, Role.PARK_ADMIN),
        )
        assert graded.status_code == 200, graded.text
    told = queued(db, finding, "major")
    assert told == 2  # enterprise staff and park leaders
    assert escalate(database_url, T0).returncode == 0
    assert queued(db, finding, "major") == told  # the major rule's 督办 is recorded, not sent again
    assert refreshed(db, finding).escalation_level == 1


def test_a_fix_sent_back_with_a_new_deadline_that_passes_again_is_escalated_again(
    client: TestClient[Litestar], db: Session, world: ParkWorld, database_url: str
) -> None:
    now = datetime.now(UTC)
    url = _pending_verification(
        client, world, database_url, now + timedelta(minutes=5), escalate_at=now + timedelta(hours=2)
    )
    finding = refreshed(db, _finding_of(db, url))
    assert finding.escalation_level == 1
    new_deadline = now + timedelta(hours=3)  # `escalate --now` goes at most a day ahead
    rejected = client.post(
        f"{url}/review",
        json={"decision": "reject", "comment": "通道仍有货物", "deadline": new_deadline.isoformat()},
        headers=world.headers(client, Role.SUPERVISOR),
    )
    assert rejected.status_code == 200, rejected.text
    told = queued(db, finding, "escalated")

    assert escalate(database_url, new_deadline + timedelta(hours=1)).returncode == 0
    assert refreshed(db, finding).escalation_level == 2  # the second missed deadline is a new 督办
    assert queued(db, finding, "escalated") == told + 2  # enterprise staff and park leaders
    assert escalate(database_url, new_deadline + timedelta(hours=2)).returncode == 0
    assert queued(db, finding, "escalated") == told + 2


def test_an_escalation_recorded_before_overdue_occasions_named_their_deadline_is_not_sent_again(
    db: Session, world: ParkWorld, database_url: str
) -> None:
    """Databases written before 2026-12-05 hold occasions like ``overdue-1``: such a 督办 recorded
    after the current deadline had passed was for that deadline."""
    finding = dispatched(db, world, deadline=datetime.now(UTC) - timedelta(days=1), escalation_level=1)
    AuditLog(db).record(
        None,
        "finding.escalated",
        "finding",
        finding.id,
        {"level": "general", "overdue": False, "escalation_level": 0},
        {"kind": "overdue", "occasion": "overdue-1", "note": "已逾期 1 天，仍未整改", "escalation_level": 1},
    )
    db.commit()
    assert escalate(database_url, datetime.now(UTC)).returncode == 0
    assert refreshed(db, finding).escalation_level == 1
    assert queued(db, finding, "escalated") == 0


def _pending_verification(
    client: TestClient[Litestar],
    world: ParkWorld,
    database_url: str,
    deadline: datetime,
    escalate_at: datetime,
) -> str:
    """A finding dispatched, let run past its deadline (one 督办), then rectified late."""
    url = reported_and_dispatched(client, world, deadline)
    assert escalate(database_url, escalate_at).returncode == 0
    staff = Device(client, world.headers(client, Role.ENTERPRISE_STAFF))
    sha, fix = jpeg_photo(7)
    assert staff.upload(sha, fix).status_code == 201
    staff.push_ok([rectification_mutation(url.rsplit("/", 1)[1], [sha])])
    return url


def _finding_of(db: Session, url: str) -> Finding:
    found = db.get(Finding, uuid.UUID(url.rsplit("/", 1)[1]))
    assert found is not None
    return found


def test_the_penalty_draft_follows_the_escalations_overdue_then_repeated(
    client: TestClient[Litestar], db: Session, world: ParkWorld, database_url: str
) -> None:
    """The draft is written when the finding arrives; a 督办 for a missed deadline or a repeat
    found later (an earlier sighting synced late) changes what it must propose."""
    late = dispatched(db, world, deadline=T0 - timedelta(hours=2), checklist_code="XC-08-01")
    repeat = factories.finding(db, world.own, checklist_code="XC-05-03", observed_at=T0 - timedelta(days=1))
    db.commit()
    for finding in (late, repeat):
        give_legal_basis(db, get_matcher(), finding.id, repeat_window_days=90)
    db.commit()
    assert "首次发现" in rationale(db, late) and "首次发现" in rationale(db, repeat)

    # synced late: the same item seen, and put right, days before the one already drafted
    put_right(db, world, T0 - timedelta(days=4), T0 - timedelta(days=3))
    db.commit()
    assert escalate(database_url, T0).returncode == 0
    settle(client)
    assert "逾期未改正" in rationale(db, late)
    assert "整改后再次发现，从重考虑" in rationale(db, repeat)


def test_grading_a_suggested_major_hazard_general_is_recorded_and_the_draft_stops_calling_it_major(
    client: TestClient[Litestar], db: Session, world: ParkWorld
) -> None:
    inspector = Device(client, world.headers(client, Role.INSPECTOR))
    report = finding_mutation(world.own.id, "涉及重点监管危险化工工艺的装置未实现自动化控制")
    inspector.push_ok([report])
    settle(client)
    url = f"/api/v1/findings/{report['id']}"
    admin = world.headers(client, Role.PARK_ADMIN)
    suggested = client.get(url, headers=admin).json()
    assert suggested["level"] == "general" and suggested["matches"]["major_hazard"] is not None
    assert "重大事故隐患" in suggested["penalty_draft"]["rationale"]

    graded = client.post(
        f"{url}/level",
        json={"level": "general", "comment": "经核实已实现自动化控制，定为一般"},
        headers=admin,
    )
    assert graded.status_code == 200, graded.text
    settle(client)
    shown = client.get(url, headers=admin).json()
    steps = [step for step in shown["timeline"] if step["action"] == "finding.graded"]
    assert [step["detail"]["comment"] for step in steps] == ["经核实已实现自动化控制，定为一般"]
    assert "重大事故隐患" not in shown["penalty_draft"]["rationale"]
    pdf = client.get(f"{url}/penalty-draft.pdf", headers=admin)
    assert pdf.status_code == 200


def rationale(db: Session, finding: Finding) -> str:
    draft = refreshed(db, finding).penalty_draft
    assert draft is not None
    return str(draft["rationale"])
