"""Hazards that together are worse than apart (点火源 + 可燃物泄漏…) are raised to major and 督办ed once."""

from __future__ import annotations

from datetime import timedelta

from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import Session, select

from backend.db.models import AuditEvent
from backend.domain.accounts.roles import Role
from backend.domain.findings.legal_basis import give_legal_basis
from backend.domain.findings.vocabulary import FindingStatus, HazardLevel
from regulations.service import get_matcher
from tests import factories
from tests.conftest import ParkWorld
from tests.devices import settle
from tests.integration.lifecycle.escalating import (
    T0,
    escalate,
    queued,
    refreshed,
)


def test_ignition_source_plus_flammable_leak_at_one_enterprise_become_major(
    db: Session, world: ParkWorld, database_url: str
) -> None:
    hot_work = factories.finding(db, world.own, description="罐区附近进行电焊动火作业，未办理动火票")
    leak = factories.finding(db, world.own, description="输油泵机械密封处有跑冒滴漏，地面有油迹")
    elsewhere = factories.finding(db, world.other, description="仓库门口有人吸烟")
    db.commit()
    assert escalate(database_url, T0).returncode == 0
    assert escalate(database_url, T0).returncode == 0
    for finding in (hot_work, leak):
        state = refreshed(db, finding)
        assert (state.level, state.escalation_level) == (HazardLevel.MAJOR, 1)
    assert refreshed(db, elsewhere).level is HazardLevel.GENERAL
    history = db.exec(select(AuditEvent).where(AuditEvent.entity_id == str(leak.id))).all()
    assert [event.after["kind"] for event in history if event.after] == ["coupled"]


def test_a_leak_raised_to_major_by_coupling_gets_its_documents_and_is_asked_for_a_plan(
    client: TestClient[Litestar], db: Session, world: ParkWorld, database_url: str
) -> None:
    """Matched below the confidence a suggestion needs for a draft (24.4), a leak coupled with hot
    work became 重大 with no 指令书 at all, and its 督办 did not ask for the plan its dispatch waits for."""
    factories.finding(db, world.own, description="罐区附近进行电焊动火作业，未办理动火票")
    leak = factories.finding(
        db, world.own, description="2号罐区甲苯输送泵机封泄漏，泵底地面有积液，有明显油气味"
    )
    db.commit()
    give_legal_basis(db, get_matcher(), leak.id, repeat_window_days=90)
    db.commit()
    assert refreshed(db, leak).penalty_draft is None  # only a suggestion while it is general
    assert escalate(database_url, T0).returncode == 0
    settle(client)
    assert refreshed(db, leak).level is HazardLevel.MAJOR
    assert refreshed(db, leak).penalty_draft is not None
    pdf = client.get(
        f"/api/v1/findings/{leak.id}/penalty-draft.pdf", headers=world.headers(client, Role.PARK_ADMIN)
    )
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    [note] = [
        event.after["note"]
        for event in db.exec(select(AuditEvent).where(AuditEvent.entity_id == str(leak.id))).all()
        if event.after and event.after.get("kind") == "coupled"
    ]
    assert note == "耦合隐患：点火源 + 可燃物泄漏，升为重大隐患：请企业提交治理方案，经园区审核通过后下发整改"


def test_a_leak_denied_or_a_broken_gas_detector_is_no_leak_to_couple_with_hot_work(
    db: Session, world: ParkWorld, database_url: str
) -> None:
    checked = factories.finding(db, world.own, description="动火作业票填写不规范，现场检查法兰无泄漏")
    detector = factories.finding(db, world.own, description="可燃气体报警器失效")
    db.commit()
    assert escalate(database_url, T0).returncode == 0
    for finding in (checked, detector):
        state = refreshed(db, finding)
        assert (state.level, state.escalation_level) == (HazardLevel.GENERAL, 0), finding.description


def test_a_coupled_finding_is_escalated_once_however_its_partners_change(
    db: Session, world: ParkWorld, database_url: str
) -> None:
    hot_work = factories.finding(db, world.own, description="罐区附近进行电焊动火作业，未办理动火票")
    factories.finding(db, world.own, description="输油泵机械密封处有跑冒滴漏，地面有油迹")
    db.commit()
    assert escalate(database_url, T0).returncode == 0
    second_leak = factories.finding(db, world.own, description="装车鹤管法兰处渗漏，地面有油迹")
    db.commit()
    assert escalate(database_url, T0 + timedelta(hours=1)).returncode == 0
    second_leak.status = FindingStatus.CLOSED
    db.add(second_leak)
    db.commit()
    assert escalate(database_url, T0 + timedelta(hours=2)).returncode == 0
    assert refreshed(db, hot_work).escalation_level == 1
    assert queued(db, hot_work, "escalated") == 2  # enterprise staff and park leaders, once each
    assert refreshed(db, second_leak).escalation_level == 1  # the partner that joined: its own once
