"""A rectification's after-photo is verified by a job; a re-sent before-photo is flagged."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import Session

from backend.domain.accounts.roles import Role
from backend.domain.findings.vocabulary import FindingStatus
from tests.conftest import ParkWorld
from tests.devices import Device, edit_mutation, rectification_mutation, settle
from tests.photos import sha256

pytest.importorskip("ultralytics", reason="the 'ai' extra is not installed")
pytestmark = pytest.mark.slow

PHOTO = (
    Path(__file__).resolve().parents[3].parent
    / "shared"
    / "datasets"
    / "ppe-sfchd"
    / "val"
    / "images"
    / "part2_000829.jpg"
)


def test_resending_the_before_photo_as_proof_is_flagged_on_the_timeline(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    if not PHOTO.exists():
        pytest.skip("dataset not found")
    data = PHOTO.read_bytes()
    inspector = Device(client, world.headers(client, Role.INSPECTOR))
    inspector.upload(sha256(data), data)
    inspector.push_ok(
        [edit_mutation("finding", world.own_finding.id, world.own_finding.version, photos=[sha256(data)])]
    )
    settle(client)
    world.own_finding.status = FindingStatus.DISPATCHED
    db.merge(world.own_finding)
    db.commit()

    staff = Device(client, world.headers(client, Role.ENTERPRISE_STAFF))
    recompressed = data + b"\x00\x00"  # other bytes, same picture: a lazy "after" photo
    staff.upload(sha256(recompressed), recompressed)
    [pushed] = staff.push_ok([rectification_mutation(world.own_finding.id, [sha256(recompressed)])])
    assert pushed["status"] == "applied"
    deadline = time.monotonic() + 120
    verified: list[dict[str, Any]] = []
    while time.monotonic() < deadline and not verified:
        settle(client)
        finding = client.get(f"/api/v1/findings/{world.own_finding.id}", headers=staff.headers).json()
        verified = [s for s in finding["timeline"] if s["action"] == "rectification.verified"]
        time.sleep(0.2)
    [step] = verified
    assert step["detail"]["verdict"] == "flagged"
    assert any("近似重复" in reason for reason in step["detail"]["reasons"])
    rectifications = [c for c in staff.pull_all() if c["entity"] == "rectification"]
    assert rectifications[-1]["data"]["verification"]["verdict"] == "flagged"
