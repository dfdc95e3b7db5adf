"""Steps of the closed loop that several lifecycle tests take on the way to what they check."""

from __future__ import annotations

from datetime import datetime

from litestar import Litestar
from litestar.testing import TestClient

from backend.domain.accounts.roles import Role
from tests.conftest import ParkWorld
from tests.devices import Device, finding_mutation


def reported_and_dispatched(
    client: TestClient[Litestar],
    world: ParkWorld,
    deadline: datetime,
    description: str = "消防通道被货物占用",
) -> str:
    """An inspector reports a finding at ``world.own`` and the park dispatches it; its URL."""
    reported = finding_mutation(world.own.id, description)
    Device(client, world.headers(client, Role.INSPECTOR)).push_ok([reported])
    url = f"/api/v1/findings/{reported['id']}"
    dispatch = client.post(
        f"{url}/dispatch",
        json={"deadline": deadline.isoformat()},
        headers=world.headers(client, Role.PARK_ADMIN),
    )
    assert dispatch.status_code == 200, dispatch.text
    return url
