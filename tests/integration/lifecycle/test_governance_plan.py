"""A major hazard is dispatched only after the park accepts the enterprise's 治理方案."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import Session

from backend.domain.accounts.roles import Role
from backend.domain.findings.vocabulary import HazardLevel
from tests import factories
from tests.conftest import ParkWorld

PLAN: dict[str, Any] = {
    "target_tasks": "30 日内完成 2# 罐区可燃气体检测报警系统改造并投用",
    "methods": "更换失效探头 6 个，报警信号接入 DCS 并设声光报警",
    "funding_materials": "安排专项资金 12 万元，探头与线缆已采购",
    "organization_personnel": "设备副总牵头，仪表车间主任负责实施，安环部监督",
    "time_limit": "2026 年 12 月 31 日前完成",
    "safety_and_emergency": "改造期间每 2 小时人工巡检并便携式检测，备用报警器现场待命，执行罐区泄漏应急预案",
}


def test_major_finding_needs_an_accepted_plan_before_dispatch(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    major = factories.finding(db, world.own, level=HazardLevel.MAJOR, description="罐区可燃气体报警器失效")
    db.commit()
    url = f"/api/v1/findings/{major.id}"
    admin, staff = world.headers(client, Role.PARK_ADMIN), world.headers(client, Role.ENTERPRISE_STAFF)
    deadline = {"deadline": (datetime.now(UTC) + timedelta(days=30)).isoformat()}

    refused = client.post(f"{url}/dispatch", json=deadline, headers=admin)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "governance_plan_required"
    assert refused.json()["error"]["detail"]["status"] == "reported"

    assert client.post(f"{url}/governance-plan", json=PLAN, headers=admin).status_code == 403
    submitted = client.post(f"{url}/governance-plan", json=PLAN, headers=staff)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "submitted"
    for blank in ("", "  "):
        silent = client.post(
            f"{url}/governance-plan/review", json={"decision": "return", "comment": blank}, headers=admin
        )
        assert silent.status_code == 422  # the enterprise must learn why its plan came back
        assert silent.json()["error"]["detail"] == {"field": "comment"}
    assert client.get(f"{url}/governance-plan", headers=staff).json()["status"] == "submitted"
    returned = client.post(
        f"{url}/governance-plan/review", json={"decision": "return", "comment": "经费不明确"}, headers=admin
    )
    assert returned.json()["status"] == "returned"
    assert client.post(f"{url}/dispatch", json=deadline, headers=admin).status_code == 409

    client.post(
        f"{url}/governance-plan",
        json={**PLAN, "funding_materials": "专项资金 12 万元已列入年度安全投入"},
        headers=staff,
    )
    accepted = client.post(f"{url}/governance-plan/review", json={"decision": "accept"}, headers=admin)
    assert accepted.json()["status"] == "accepted"
    dispatched = client.post(f"{url}/dispatch", json=deadline, headers=admin)
    assert dispatched.status_code == 200
    actions = [step["action"] for step in dispatched.json()["timeline"]]
    assert actions == [
        "governance_plan.submitted",
        "governance_plan.returned",
        "governance_plan.submitted",
        "governance_plan.accepted",
        "finding.dispatched",
    ]
    assert (
        client.get(f"{url}/governance-plan", headers=staff).json()["funding_materials"].startswith("专项资金")
    )


def test_plans_are_only_for_reported_major_findings_and_need_every_part(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    staff = world.headers(client, Role.ENTERPRISE_STAFF)
    general = client.post(
        f"/api/v1/findings/{world.own_finding.id}/governance-plan", json=PLAN, headers=staff
    )
    assert general.status_code == 409
    assert general.json()["error"]["code"] == "governance_plan_not_allowed"
    incomplete = {k: v for k, v in PLAN.items() if k != "safety_and_emergency"}
    missing = client.post(
        f"/api/v1/findings/{world.own_finding.id}/governance-plan", json=incomplete, headers=staff
    )
    assert missing.status_code == 400
    assert "safety_and_emergency" in missing.json()["error"]["message"]
    other = client.post(
        f"/api/v1/findings/{world.other_finding.id}/governance-plan", json=PLAN, headers=staff
    )
    assert other.status_code == 404


def test_the_park_grades_a_reported_finding_major_and_its_dispatch_then_waits_for_a_plan(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    finding = factories.finding(db, world.own, description="一级重大危险源液化烃罐区未实现紧急切断功能")
    db.commit()
    url = f"/api/v1/findings/{finding.id}"
    admin, staff = world.headers(client, Role.PARK_ADMIN), world.headers(client, Role.ENTERPRISE_STAFF)

    assert client.post(f"{url}/level", json={"level": "major"}, headers=staff).status_code == 403
    assert client.post(f"{url}/level", json={"level": "重大"}, headers=admin).status_code == 400
    graded = client.post(
        f"{url}/level", json={"level": "major", "comment": "符合判定标准第五项"}, headers=admin
    )
    assert graded.status_code == 200, graded.text
    assert graded.json()["level"] == "major"
    assert graded.json()["timeline"][-1]["action"] == "finding.graded"
    deadline = {"deadline": (datetime.now(UTC) + timedelta(days=30)).isoformat()}
    refused = client.post(f"{url}/dispatch", json=deadline, headers=admin)
    assert refused.json()["error"]["code"] == "governance_plan_required"

    assert client.post(f"{url}/level", json={"level": "general"}, headers=admin).json()["level"] == "general"
    assert client.post(f"{url}/dispatch", json=deadline, headers=admin).status_code == 200
    closed = client.post(f"{url}/level", json={"level": "major"}, headers=admin)
    assert closed.status_code == 409 and closed.json()["error"]["detail"] == {"status": "dispatched"}
