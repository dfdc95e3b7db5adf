"""A rectification's after-photo is verified by a job; a re-sent before-photo is flagged."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from backend.domain.accounts.roles import Role
from tests.conftest import ParkWorld
from tests.devices import Device

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
