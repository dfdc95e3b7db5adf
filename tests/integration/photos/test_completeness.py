"""Findings that arrive before their photos: shown as missing, linked once the last arrives."""

from __future__ import annotations

import time

from litestar import Litestar
from litestar.testing import TestClient

from backend.domain.accounts.roles import Role
from tests.conftest import ParkWorld
from tests.devices import Device, finding_mutation
from tests.photos import camera_jpeg, sha256


def timeline_actions(device: Device, finding_id: str) -> list[str]:
    finding = device.client.get(f"/api/v1/findings/{finding_id}", headers=device.headers).json()
    return [step["action"] for step in finding["timeline"]]


def wait_for_action(device: Device, finding_id: str, action: str, timeout: float = 10.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        actions = timeline_actions(device, finding_id)
        if action in actions:
            return actions
        time.sleep(0.1)
    raise AssertionError(f"{action} never happened")


def test_missing_photos_shrink_as_they_arrive_and_completion_runs_once(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    phone = Device(client, world.headers(client, Role.INSPECTOR))
    first, second = camera_jpeg(color=(1, 2, 3)), camera_jpeg(color=(200, 100, 50))
    hashes = [sha256(first), sha256(second)]
    mutation = finding_mutation(world.own.id, photos=hashes)
    phone.push_ok([mutation])
    url = f"/api/v1/findings/{mutation['id']}"
    assert client.get(url, headers=phone.headers).json()["missing_photos"] == hashes

    phone.upload(hashes[0], first)
    assert client.get(url, headers=phone.headers).json()["missing_photos"] == [hashes[1]]
    phone.upload(hashes[1], second)
    assert client.get(url, headers=phone.headers).json()["missing_photos"] == []

    actions = wait_for_action(phone, mutation["id"], "finding.photos_complete")
    phone.upload(hashes[1], second)  # a retried upload
    phone.push_ok([mutation])  # a retried push
    time.sleep(0.5)
    assert timeline_actions(phone, mutation["id"]).count("finding.photos_complete") == 1
    assert actions.count("finding.photos_complete") == 1


def test_photos_uploaded_before_the_finding_complete_it_on_arrival(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    phone = Device(client, world.headers(client, Role.INSPECTOR))
    data = camera_jpeg(color=(9, 9, 9))
    phone.upload(sha256(data), data)
    mutation = finding_mutation(world.own.id, photos=[sha256(data)])
    phone.push_ok([mutation])
    finding = client.get(f"/api/v1/findings/{mutation['id']}", headers=phone.headers).json()
    assert finding["missing_photos"] == []
    wait_for_action(phone, mutation["id"], "finding.photos_complete")
