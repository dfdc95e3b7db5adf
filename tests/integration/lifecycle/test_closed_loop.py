"""The closed loop over HTTP: report → dispatch → rectify → reject → rectify → approve → closed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import Session, select

from backend.db.models import Notification
from backend.domain.accounts.roles import Role
from backend.domain.audit.record_check import check_findings
from backend.domain.audit.service import verify_chain
from backend.settings import Settings
from mobile_api.app import create_app
from tests.conftest import ParkWorld
from tests.devices import Device, finding_mutation, rectification_mutation
from tests.integration.lifecycle.steps import reported_and_dispatched
from tests.photos import camera_jpeg, sha256
from tests.receiver import Receiver, running_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


@pytest.fixture
def app(settings: Settings, receiver: Receiver, world: ParkWorld, db: Session) -> Litestar:
    staff = world.users[Role.ENTERPRISE_STAFF]
    staff.notify_url = receiver.url("staff")
    db.add(staff)
    db.commit()
    return create_app(
        Settings(
            **{**settings.model_dump(), "notify_urls": f"park_admin={receiver.url('leaders')}"},
            _env_file=None,
        )
    )


def wait_for(condition: Any, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_hazard_goes_round_the_whole_loop_with_notifications_and_audit(
    client: TestClient[Litestar], world: ParkWorld, receiver: Receiver, db: Session
) -> None:
    inspector = Device(client, world.headers(client, Role.INSPECTOR))
    staff = Device(client, world.headers(client, Role.ENTERPRISE_STAFF))
    admin = world.headers(client, Role.PARK_ADMIN)
    supervisor = world.headers(client, Role.SUPERVISOR)

    reported = finding_mutation(world.own.id, "储罐区防火堤内堆放可燃杂物")
    inspector.push_ok([reported])
    url = f"/api/v1/findings/{reported['id']}"
    deadline = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    dispatched = client.post(f"{url}/dispatch", json={"deadline": deadline}, headers=admin)
    assert dispatched.status_code == 200, dispatched.text
    assert dispatched.json()["status"] == "dispatched"

    wait_for(
        lambda: any(
            "staff" in r.get("title", "") or "整改通知" in r.get("title", "") for r in receiver.received
        )
    )
    notice = next(r for r in receiver.received if "整改通知" in r["title"])
    assert world.own.name in notice["title"]
    assert "储罐区防火堤内堆放可燃杂物" in notice["message"]
    assert f"/#/findings/{reported['id']}" in notice["message"]

    first_fix = camera_jpeg(color=(30, 30, 200))
    staff.upload(sha256(first_fix), first_fix)
    [fix] = staff.push_ok([rectification_mutation(reported["id"], [sha256(first_fix)])])
    assert fix["status"] == "applied"
    assert client.get(url, headers=supervisor).json()["status"] == "pending_verification"

    rejected = client.post(
        f"{url}/review", json={"decision": "reject", "comment": "照片未显示杂物已清除"}, headers=supervisor
    )
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "dispatched"
    assert rejected.json()["timeline"][-1]["detail"]["comment"] == "照片未显示杂物已清除"

    second_fix = camera_jpeg(color=(30, 200, 30))
    staff.upload(sha256(second_fix), second_fix)
    staff.push_ok(
        [rectification_mutation(reported["id"], [sha256(second_fix)], "杂物已全部清运，防火堤内清洁")]
    )
    approved = client.post(
        f"{url}/review", json={"decision": "approve", "comment": "现场复核合格"}, headers=supervisor
    )
    assert approved.status_code == 200
    closed = approved.json()
    assert closed["status"] == "closed"
    assert closed["status_label"] == "已验收"
    assert closed["accepted_by"] == str(world.users[Role.SUPERVISOR].id)
    assert closed["acceptance_comment"] == "现场复核合格"
    # Jobs add their own steps (matching, photo checks, AI verification) at their own pace.
    by_jobs = {"finding.matched", "finding.photos_complete", "finding.ai_detected", "rectification.verified"}
    lifecycle_steps = [step for step in closed["timeline"] if step["action"] not in by_jobs]
    assert [step["action"] for step in lifecycle_steps] == [
        "finding.reported",
        "finding.dispatched",
        "rectification.submitted",
        "finding.rejected",
        "rectification.submitted",
        "finding.approved",
    ]
    assert all(step["actor_id"] for step in lifecycle_steps)
    checked, broken = verify_chain(db)
    assert broken is None and checked >= 6
    _, mismatches = check_findings(db)  # the world's own findings were written without a trail
    assert [m for m in mismatches if str(m.finding_id) == reported["id"]] == []
    wait_for(lambda: db.exec(select(Notification).where(Notification.status == "queued")).first() is None)


def test_illegal_transitions_are_409_with_the_current_status(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    url = f"/api/v1/findings/{world.own_finding.id}"
    supervisor = world.headers(client, Role.SUPERVISOR)
    response = client.post(f"{url}/review", json={"decision": "approve"}, headers=supervisor)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "illegal_transition"
    assert response.json()["error"]["detail"]["status"] == "reported"
    assert response.json()["error"]["message"].startswith("隐患当前为“已上报”，不能验收通过")
    admin = world.headers(client, Role.PARK_ADMIN)
    deadline = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert client.post(f"{url}/dispatch", json={"deadline": deadline}, headers=admin).status_code == 200
    again = client.post(f"{url}/dispatch", json={"deadline": deadline}, headers=admin)
    assert again.status_code == 409
    assert again.json()["error"]["detail"]["status"] == "dispatched"


def test_bad_dispatch_and_review_requests_change_nothing(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    url = f"/api/v1/findings/{world.own_finding.id}"
    admin = world.headers(client, Role.PARK_ADMIN)
    staff = world.headers(client, Role.ENTERPRISE_STAFF)
    inspector = world.headers(client, Role.INSPECTOR)
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    cases = [
        (client.post(f"{url}/dispatch", json={}, headers=admin), 400),
        (client.post(f"{url}/dispatch", json={"deadline": past}, headers=admin), 422),
        (client.post(f"{url}/dispatch", json={"deadline": "明天"}, headers=admin), 400),
        (client.post(f"{url}/dispatch", json={"deadline": past}, headers=staff), 403),
        (client.post(f"{url}/review", json={"decision": "approve"}, headers=inspector), 403),
        (client.post(f"{url}/review", json={"decision": "maybe"}, headers=admin), 400),
        (
            client.post(
                "/api/v1/findings/00000000-0000-0000-0000-000000000000/dispatch",
                json={"deadline": (datetime.now(UTC) + timedelta(days=1)).isoformat()},
                headers=admin,
            ),
            404,
        ),
    ]
    for response, status in cases:
        assert response.status_code == status, response.text
        assert set(response.json()) == {"error"}
    finding = client.get(url, headers=admin).json()
    assert (finding["status"], finding["deadline"]) == ("reported", None)


def _pending_verification(client: TestClient[Litestar], world: ParkWorld, deadline: datetime) -> str:
    url = reported_and_dispatched(client, world, deadline)
    staff = Device(client, world.headers(client, Role.ENTERPRISE_STAFF))
    fix = camera_jpeg(color=(200, 30, 30))
    staff.upload(sha256(fix), fix)
    staff.push_ok([rectification_mutation(url.rsplit("/", 1)[1], [sha256(fix)])])
    return url


def test_a_rejection_can_give_the_enterprise_a_new_deadline_which_its_notice_states(
    client: TestClient[Litestar], world: ParkWorld, receiver: Receiver
) -> None:
    url = _pending_verification(client, world, datetime.now(UTC) + timedelta(days=1))
    supervisor = world.headers(client, Role.SUPERVISOR)
    new_deadline = (datetime.now(UTC) + timedelta(days=10)).replace(microsecond=0)
    beijing = new_deadline.astimezone(timezone(timedelta(hours=8)))  # as the supervisor's phone sends it
    rejected = client.post(
        f"{url}/review",
        json={"decision": "reject", "comment": "通道仍有货物", "deadline": beijing.isoformat()},
        headers=supervisor,
    )
    assert rejected.status_code == 200, rejected.text
    body = rejected.json()
    assert (body["status"], datetime.fromisoformat(body["deadline"])) == ("dispatched", new_deadline)
    # Written one way (UTC) in this answer, in later reads and on the timeline: clients compare them.
    assert body["deadline"] == client.get(url, headers=supervisor).json()["deadline"]
    assert datetime.fromisoformat(body["timeline"][-1]["detail"]["deadline"]) == new_deadline
    assert body["timeline"][-1]["detail"]["deadline"] == body["deadline"].replace("Z", "+00:00")
    wait_for(lambda: any("验收未通过" in r.get("title", "") for r in receiver.received))
    notice = next(r for r in receiver.received if "验收未通过" in r["title"])
    assert f"整改期限：{beijing:%Y-%m-%d %H:%M}" in notice["message"]


def test_a_review_with_a_deadline_it_cannot_take_changes_nothing(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    old_deadline = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    url = _pending_verification(client, world, old_deadline)
    supervisor = world.headers(client, Role.SUPERVISOR)
    later = (datetime.now(UTC) + timedelta(days=7)).isoformat()
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    cases = [
        ({"decision": "approve", "comment": "合格", "deadline": later}, "新的整改期限"),
        ({"decision": "reject", "comment": "仍有货物", "deadline": past}, "不能早于当前时间"),
    ]
    for body, message in cases:
        response = client.post(f"{url}/review", json=body, headers=supervisor)
        assert response.status_code == 422, response.text
        assert message in response.json()["error"]["message"]
    finding = client.get(url, headers=supervisor).json()
    assert finding["status"] == "pending_verification"
    assert datetime.fromisoformat(finding["deadline"]) == old_deadline


def test_a_fix_whose_photos_never_arrived_cannot_be_approved_only_rejected(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    url = reported_and_dispatched(client, world, datetime.now(UTC) + timedelta(days=1))
    staff = Device(client, world.headers(client, Role.ENTERPRISE_STAFF))
    never_sent = sha256(camera_jpeg(color=(5, 6, 7)))
    staff.push_ok([rectification_mutation(url.rsplit("/", 1)[1], [never_sent])])
    supervisor = world.headers(client, Role.SUPERVISOR)

    approved = client.post(
        f"{url}/review", json={"decision": "approve", "comment": "同意"}, headers=supervisor
    )
    assert approved.status_code == 409
    error = approved.json()["error"]
    assert error["code"] == "photos_missing" and "整改照片尚未上传" in error["message"]
    assert error["detail"]["photos"] == [never_sent]
    assert client.get(url, headers=supervisor).json()["status"] == "pending_verification"
    rejected = client.post(
        f"{url}/review",
        json={"decision": "reject", "comment": "未见整改照片，请重新上传"},
        headers=supervisor,
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "dispatched"
