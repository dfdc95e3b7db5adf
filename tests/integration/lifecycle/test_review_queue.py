"""GET /api/v1/reviews: the supervisor's queue, flagged rectifications first, with what to compare."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import Session

from backend.db.models import Finding, Rectification
from backend.domain.accounts.roles import Role
from backend.domain.findings.vocabulary import FindingStatus
from tests import factories
from tests.conftest import ParkWorld

BEFORE, AFTER = "b" * 64, "a" * 64


def rectified(
    db: Session, world: ParkWorld, minutes_ago: int, verification: dict[str, Any] | None
) -> Finding:
    finding = factories.finding(db, world.own, status=FindingStatus.PENDING_VERIFICATION, photos=[BEFORE])
    db.add(
        Rectification(
            id=uuid.uuid4(),
            finding_id=finding.id,
            note="已整改",
            photos=[AFTER],
            verification=verification,
            created_at=datetime.now(UTC) - timedelta(minutes=minutes_ago),
        )
    )
    db.commit()
    return finding


def test_flagged_rectifications_come_first_then_unchecked_then_passed_oldest_first(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    passed_old = rectified(db, world, 50, {"verdict": "pass", "reasons": [], "scores": {}})
    unchecked = rectified(db, world, 40, None)
    flagged_new = rectified(
        db, world, 5, {"verdict": "flagged", "reasons": ["场景不一致"], "scores": {"orb": 3}}
    )
    flagged_old = rectified(db, world, 30, {"verdict": "flagged", "reasons": ["照片重复"], "scores": {}})

    response = client.get("/api/v1/reviews", headers=world.headers(client, Role.SUPERVISOR))
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 4 and body["limit"] == 50 and body["offset"] == 0
    order = [item["finding_id"] for item in body["items"]]
    assert order == [str(f.id) for f in (flagged_old, flagged_new, unchecked, passed_old)]
    first = body["items"][0]
    assert (first["verdict"], first["reasons"]) == ("flagged", ["照片重复"])
    assert first["enterprise_name"] == "滨江精细化工有限公司"
    assert first["rectification"]["note"] == "已整改"
    assert first["before"][0]["annotated_url"] == f"/api/v1/photos/{BEFORE}?size=annotated"
    assert first["after"][0]["thumb_url"] == f"/api/v1/photos/{AFTER}?size=thumb"
    assert body["items"][2]["verdict"] is None

    second_page = client.get(
        "/api/v1/reviews?limit=2&offset=2", headers=world.headers(client, Role.PARK_ADMIN)
    ).json()
    assert [item["finding_id"] for item in second_page["items"]] == order[2:]


def test_findings_in_other_states_are_not_in_the_queue(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    assert world.own_finding.status is FindingStatus.REPORTED
    body = client.get("/api/v1/reviews", headers=world.headers(client, Role.SUPERVISOR)).json()
    assert body["items"] == [] and body["total"] == 0


def test_inspectors_and_enterprise_staff_may_not_read_the_queue(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    for role in (Role.INSPECTOR, Role.ENTERPRISE_STAFF):
        response = client.get("/api/v1/reviews", headers=world.headers(client, role))
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
