"""The conflict policy of docs/sync.md, as devices experience it."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from backend.domain.accounts.roles import Role
from tests.conftest import ParkWorld
from tests.devices import Device, delete_mutation, edit_mutation, finding_mutation, settle


def two_devices(client: TestClient[Litestar], world: ParkWorld) -> tuple[Device, Device]:
    return (
        Device(client, world.headers(client, Role.INSPECTOR)),
        Device(client, world.headers(client, Role.PARK_ADMIN)),
    )


def reported(device: Device, world: ParkWorld) -> tuple[str, int]:
    mutation = finding_mutation(world.own.id, "消防通道被货物堵塞")
    [result] = device.push_ok([mutation])
    settle(device.client)  # matching writes to the new finding; done before the devices edit it
    return mutation["id"], int(result["version"])


def read(device: Device, finding_id: str) -> dict[str, Any]:
    body: dict[str, Any] = device.client.get(f"/api/v1/findings/{finding_id}", headers=device.headers).json()
    return body


def test_concurrent_edits_of_different_fields_both_land(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    phone, tablet = two_devices(client, world)
    finding_id, base = reported(phone, world)
    [first] = phone.push_ok([edit_mutation("finding", finding_id, base, measures="立即清理通道")])
    [second] = tablet.push_ok(
        [edit_mutation("finding", finding_id, base, responsible_person="仓储主管 赵明")]
    )
    assert (first["status"], second["status"]) == ("applied", "applied")
    finding = read(phone, finding_id)
    assert (finding["measures"], finding["responsible_person"]) == ("立即清理通道", "仓储主管 赵明")
    assert finding["version"] == second["version"] > first["version"]


def test_concurrent_edits_of_the_same_field_conflict_and_return_the_server_copy(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    phone, tablet = two_devices(client, world)
    finding_id, base = reported(phone, world)
    phone.push_ok([edit_mutation("finding", finding_id, base, description="消防通道被叉车和货物堵塞")])
    [result] = tablet.push_ok([edit_mutation("finding", finding_id, base, description="通道堵塞（已拍照）")])
    assert result["status"] == "conflict"
    assert result["error"]["detail"] == {"fields": ["description"]}
    assert result["server"]["data"]["description"] == "消防通道被叉车和货物堵塞"
    assert result["server"]["version"] > base
    assert result["version"] == result["server"]["version"]  # the base to rebase on
    assert read(phone, finding_id)["description"] == "消防通道被叉车和货物堵塞"
    # Rebased on the server copy, the same edit goes through.
    [retry] = tablet.push_ok(
        [edit_mutation("finding", finding_id, result["server"]["version"], description="通道堵塞（已拍照）")]
    )
    assert retry["status"] == "applied"


def test_sending_the_value_the_server_already_has_is_not_a_conflict(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    phone, tablet = two_devices(client, world)
    finding_id, base = reported(phone, world)
    phone.push_ok([edit_mutation("finding", finding_id, base, measures="设置警戒线")])
    [result] = tablet.push_ok([edit_mutation("finding", finding_id, base, measures="设置警戒线")])
    assert result["status"] == "applied"


def test_delete_is_a_tombstone_that_pull_delivers(client: TestClient[Litestar], world: ParkWorld) -> None:
    phone, tablet = two_devices(client, world)
    finding_id, base = reported(phone, world)
    tablet.pull_all()
    [deleted] = phone.push_ok([delete_mutation("finding", finding_id, base)])
    assert deleted["status"] == "applied"
    changes = [c for c in tablet.pull_all() if c["id"] == finding_id]
    assert changes and changes[-1]["deleted"] is True
    assert client.get(f"/api/v1/findings/{finding_id}", headers=phone.headers).status_code == 404


def test_edit_after_delete_is_a_conflict_showing_the_tombstone(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    phone, tablet = two_devices(client, world)
    finding_id, base = reported(phone, world)
    phone.push_ok([delete_mutation("finding", finding_id, base)])
    [result] = tablet.push_ok([edit_mutation("finding", finding_id, base, measures="已整改")])
    assert result["status"] == "conflict"
    assert result["server"]["deleted"] is True


def test_delete_after_someone_elses_edit_is_a_conflict_and_keeps_the_record(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    phone, tablet = two_devices(client, world)
    finding_id, base = reported(phone, world)
    tablet.push_ok([edit_mutation("finding", finding_id, base, measures="加装防护栏")])
    [result] = phone.push_ok([delete_mutation("finding", finding_id, base)])
    assert result["status"] == "conflict"
    assert read(phone, finding_id)["measures"] == "加装防护栏"


def test_a_device_may_edit_its_own_new_finding_within_the_same_batch(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    phone, _ = two_devices(client, world)
    created = finding_mutation(world.own.id, "配电箱门未关闭")
    results = phone.push_ok([created, edit_mutation("finding", created["id"], None, measures="已关闭并上锁")])
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert read(phone, created["id"])["measures"] == "已关闭并上锁"
