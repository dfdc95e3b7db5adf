"""即查即改: a hazard fixed on the spot by the one who found it, accepted by someone else."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import Session

from backend.db.models import Park, Rectification
from backend.domain.accounts.roles import Role
from tests import factories
from tests.conftest import ParkWorld
from tests.devices import Device, edit_mutation, finding_mutation, rectification_mutation
from tests.photos import camera_jpeg, sha256


def fixed_on_the_spot(
    client: TestClient[Litestar], world: ParkWorld, role: Role, fixes: list[str] | None = None
) -> str:
    device = Device(client, world.headers(client, role))
    before, after = camera_jpeg(color=(200, 30, 30)), camera_jpeg(color=(30, 160, 60))
    for photo in (before, after):
        assert device.upload(sha256(photo), photo).status_code == 201
    report = finding_mutation(
        world.own.id, "配电室门口堆放纸箱", photos=[sha256(before)], handling="on_the_spot"
    )
    [reported] = device.push_ok([report])
    assert reported["status"] == "applied", reported
    fix = rectification_mutation(report["id"], [sha256(after)])
    [fixed] = device.push_ok([fix])
    assert fixed["status"] == "applied", fixed
    if fixes is not None:
        fixes.append(fix["id"])
    return str(report["id"])


def status_of(client: TestClient[Litestar], world: ParkWorld, finding_id: str) -> str:
    headers = world.headers(client, Role.PARK_ADMIN)
    status: str = client.get(f"/api/v1/findings/{finding_id}", headers=headers).json()["status"]
    return status


def test_an_inspectors_fix_on_the_spot_waits_for_a_supervisor_and_closes_on_approval(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    finding_id = fixed_on_the_spot(client, world, Role.INSPECTOR)
    assert status_of(client, world, finding_id) == "pending_verification"
    response = client.post(
        f"/api/v1/findings/{finding_id}/review",
        json={"decision": "approve", "comment": "现场已清理"},
        headers=world.headers(client, Role.SUPERVISOR),
    )
    assert response.status_code == 200, response.text
    assert status_of(client, world, finding_id) == "closed"


def test_a_supervisor_who_fixed_a_hazard_may_not_accept_the_fix_another_supervisor_may(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    finding_id = fixed_on_the_spot(client, world, Role.SUPERVISOR)
    for decision, comment in (("approve", "自己验收自己"), ("reject", "自己驳回")):
        response = client.post(
            f"/api/v1/findings/{finding_id}/review",
            json={"decision": decision, "comment": comment},
            headers=world.headers(client, Role.SUPERVISOR),
        )
        assert response.status_code == 403, response.text
        assert "不能验收自己提交的整改" in response.json()["error"]["message"]
    assert status_of(client, world, finding_id) == "pending_verification"

    park = db.get(Park, world.own.park_id)
    assert park is not None
    colleague = factories.user(db, park, Role.SUPERVISOR)
    db.commit()
    login = client.post(
        "/api/v1/auth/login", json={"username": colleague.username, "password": factories.DEFAULT_PASSWORD}
    )
    response = client.post(
        f"/api/v1/findings/{finding_id}/review",
        json={"decision": "approve", "comment": "复核：现场已清理"},
        headers={"Authorization": f"Bearer {login.json()['access_token']}"},
    )
    assert response.status_code == 200, response.text
    assert status_of(client, world, finding_id) == "closed"


def test_a_rejected_fix_on_the_spot_goes_to_the_enterprise_only_with_a_deadline(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    """Never dispatched, it has no 整改期限: sent back without one, nobody could fix it in time and
    the overdue rule would never fire."""
    finding_id = fixed_on_the_spot(client, world, Role.INSPECTOR)
    supervisor = world.headers(client, Role.SUPERVISOR)
    review = f"/api/v1/findings/{finding_id}/review"
    refused = client.post(review, json={"decision": "reject", "comment": "照片看不清"}, headers=supervisor)
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["message"].startswith("这条隐患是即查即改的，没有整改期限：驳回时请设定整改期限")
    assert error["detail"] == {"field": "deadline"}
    assert status_of(client, world, finding_id) == "pending_verification"

    deadline = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    rejected = client.post(
        review,
        json={"decision": "reject", "comment": "照片看不清", "deadline": deadline.isoformat()},
        headers=supervisor,
    )
    assert rejected.status_code == 200, rejected.text
    finding = client.get(
        f"/api/v1/findings/{finding_id}", headers=world.headers(client, Role.PARK_ADMIN)
    ).json()
    assert finding["status"] == "dispatched"
    assert datetime.fromisoformat(finding["deadline"]) == deadline
    assert finding["dispatched_at"] is not None


def test_a_major_hazard_cannot_be_fixed_on_the_spot(client: TestClient[Litestar], world: ParkWorld) -> None:
    """A 重大隐患 is fixed under an accepted 治理方案, not closed on a photo taken the same day."""
    inspector = Device(client, world.headers(client, Role.INSPECTOR))
    before, after = camera_jpeg(color=(180, 40, 40)), camera_jpeg(color=(40, 150, 70))
    for photo in (before, after):
        assert inspector.upload(sha256(photo), photo).status_code == 201
    report = finding_mutation(
        world.own.id, "液氨储罐区可燃气体报警器失效", photos=[sha256(before)], handling="on_the_spot"
    )
    assert inspector.push_ok([report])[0]["status"] == "applied"
    graded = client.post(
        f"/api/v1/findings/{report['id']}/level",
        json={"level": "major", "comment": "构成重大隐患"},
        headers=world.headers(client, Role.PARK_ADMIN),
    )
    assert graded.status_code == 200, graded.text
    [fixed] = inspector.push_ok([rectification_mutation(report["id"], [sha256(after)])])
    assert fixed["status"] == "rejected"
    assert fixed["error"]["code"] == "governance_plan_required"
    assert fixed["error"]["message"].startswith("重大隐患不能即查即改")
    assert status_of(client, world, str(report["id"])) == "reported"


def test_a_fix_on_the_spot_is_edited_by_its_submitter_alone(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    """Neither the enterprise nor another park user may put their proof under the inspector's fix
    (a supervisor could then accept a fix they wrote themselves)."""
    fixes: list[str] = []
    finding_id = fixed_on_the_spot(client, world, Role.INSPECTOR, fixes)
    park = db.get(Park, world.own.park_id)
    assert park is not None
    second_inspector = factories.user(db, park, Role.INSPECTOR)
    db.commit()
    others = [world.headers(client, Role.ENTERPRISE_STAFF), world.headers(client, Role.SUPERVISOR)]
    login = client.post(
        "/api/v1/auth/login",
        json={"username": second_inspector.username, "password": factories.DEFAULT_PASSWORD},
    )
    others.append({"Authorization": f"Bearer {login.json()['access_token']}"})
    for headers in others:
        [refused] = Device(client, headers).push_ok(
            [edit_mutation("rectification", fixes[0], None, note="改写：别人的整改说明")]
        )
        assert refused["status"] == "rejected" and refused["error"]["code"] == "forbidden", refused
    admin = world.headers(client, Role.PARK_ADMIN)
    finding = client.get(f"/api/v1/findings/{finding_id}", headers=admin).json()
    assert "rectification.edited" not in [step["action"] for step in finding["timeline"]]
    inspector = Device(client, world.headers(client, Role.INSPECTOR))
    stored = db.get(Rectification, uuid.UUID(fixes[0]))
    assert stored is not None
    [own_edit] = inspector.push_ok(
        [edit_mutation("rectification", fixes[0], stored.version, note="补充：纸箱已清走")]
    )
    assert own_edit["status"] == "applied", own_edit
