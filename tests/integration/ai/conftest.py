"""Shared set-up for the AI tests: real site photos from the PPE data set (val split)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import Session

from backend.db.models import Finding
from backend.domain.accounts.roles import Role
from backend.domain.findings.vocabulary import FindingStatus
from tests.conftest import ParkWorld
from tests.devices import Device, edit_mutation, rectification_mutation, settle
from tests.photos import sha256

DATASET = Path(__file__).resolve().parents[3].parent / "shared" / "datasets" / "ppe-sfchd" / "val" / "images"
WORKERS_WITHOUT_HELMETS = DATASET / "part2_000829.jpg"
FOUR_ENGINEERS_IN_SHIRTS = DATASET / "000252.jpg"


def wait_for(client: TestClient[Litestar], check: Any, timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        settle(client)
        if found := check():
            return found
        time.sleep(0.2)
    raise AssertionError("timed out")


@pytest.fixture
def flagged(client: TestClient[Litestar], world: ParkWorld, db: Session) -> dict[str, Any]:
    """A finding whose photo shows workers without helmets, rectified with the same picture re-sent."""
    if not WORKERS_WITHOUT_HELMETS.exists():
        pytest.skip("dataset not found")
    data = WORKERS_WITHOUT_HELMETS.read_bytes()
    inspector = Device(client, world.headers(client, Role.INSPECTOR))
    inspector.upload(sha256(data), data)
    inspector.push_ok(
        [edit_mutation("finding", world.own_finding.id, world.own_finding.version, photos=[sha256(data)])]
    )
    admin = world.headers(client, Role.PARK_ADMIN)
    finding = wait_for(
        client,
        lambda: (
            (f := client.get(f"/api/v1/findings/{world.own_finding.id}", headers=admin).json())["ai"] and f
        ),
    )
    db.expire_all()
    stored = db.get(Finding, world.own_finding.id)
    assert stored is not None
    stored.status = FindingStatus.DISPATCHED  # dispatched (the lifecycle is tested elsewhere)
    db.commit()
    staff = Device(client, world.headers(client, Role.ENTERPRISE_STAFF))
    again = data + b"\x00\x00"
    staff.upload(sha256(again), again)
    staff.push_ok([rectification_mutation(world.own_finding.id, [sha256(again)])])
    supervisor = world.headers(client, Role.SUPERVISOR)
    wait_for(client, lambda: client.get("/api/v1/reviews", headers=supervisor).json()["items"][0]["verdict"])
    return {"photo": sha256(data), "ai": finding["ai"], "supervisor": supervisor}
