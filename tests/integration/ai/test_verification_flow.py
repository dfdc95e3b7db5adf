"""A rectification's after-photo is verified by a job; a re-sent before-photo is flagged."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import Session

from backend.db.models import Finding
from backend.domain.accounts.roles import Role
from backend.domain.findings.vocabulary import FindingStatus
from tests.conftest import ParkWorld
from tests.devices import Device, rectification_mutation, settle
from tests.integration.ai.conftest import wait_for
from tests.photos import camera_jpeg, sha256

pytest.importorskip("ultralytics", reason="the 'ai' extra is not installed")
pytestmark = pytest.mark.slow


def test_resending_the_before_photo_as_proof_is_flagged_on_the_timeline(
    client: TestClient[Litestar], world: ParkWorld, flagged: dict[str, Any]
) -> None:
    staff = Device(client, world.headers(client, Role.ENTERPRISE_STAFF))
    finding = client.get(f"/api/v1/findings/{world.own_finding.id}", headers=staff.headers).json()
    [step] = [s for s in finding["timeline"] if s["action"] == "rectification.verified"]
    assert step["detail"]["verdict"] == "flagged"
    assert any("近似重复" in reason for reason in step["detail"]["reasons"])
    rectifications = [c for c in staff.pull_all() if c["entity"] == "rectification"]
    assert rectifications[-1]["data"]["verification"]["verdict"] == "flagged"


def test_a_rectification_pushed_before_its_photo_is_verified_when_the_photo_arrives(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    """Offline, the phone pushes the record first and uploads the photo on the next good signal."""
    stored = db.get(Finding, world.own_finding.id)
    assert stored is not None
    stored.status = FindingStatus.DISPATCHED
    db.commit()
    staff = Device(client, world.headers(client, Role.ENTERPRISE_STAFF))
    after = camera_jpeg(size=(320, 240), color=(30, 160, 60))
    [result] = staff.push_ok([rectification_mutation(world.own_finding.id, [sha256(after)])])
    assert result["status"] == "applied"
    settle(client)
    supervisor = world.headers(client, Role.SUPERVISOR)
    [queued] = client.get("/api/v1/reviews", headers=supervisor).json()["items"]
    assert queued["verdict"] is None  # nothing to compare yet

    assert staff.upload(sha256(after), after).status_code == 201
    verdict = wait_for(
        client, lambda: client.get("/api/v1/reviews", headers=supervisor).json()["items"][0]["verdict"]
    )
    assert verdict in {"pass", "flagged"}
    finding = client.get(f"/api/v1/findings/{world.own_finding.id}", headers=supervisor).json()
    assert "rectification.verified" in [step["action"] for step in finding["timeline"]]
