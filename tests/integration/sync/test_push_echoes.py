"""Devices echo what they pulled: server-owned fields sent back unchanged are not attempts to set them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from litestar import Litestar
from litestar.testing import TestClient

from tests.conftest import ParkWorld
from tests.devices import (
    Device,
    edit_mutation,
    finding_mutation,
    new_id,
    settle,
)
from tests.integration.sync.pushing import device


def test_server_owned_fields_cannot_be_set_but_may_be_echoed(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    phone = device(client, world)
    created = finding_mutation(world.own.id)
    [applied] = phone.push_ok([created])
    results = phone.push_ok(
        [
            {
                **finding_mutation(world.own.id),
                "data": {**finding_mutation(world.own.id)["data"], "status": "closed"},
            },
            {
                "mutation_id": new_id(),
                "entity": "finding",
                "op": "upsert",
                "id": created["id"],
                "base_version": applied["version"],
                "data": {"level": "major"},
            },
            {
                "mutation_id": new_id(),
                "entity": "finding",
                "op": "upsert",
                "id": created["id"],
                "base_version": applied["version"],
                "data": {"status": "reported", "measures": "立即停止作业"},
            },
        ]
    )
    assert [r["status"] for r in results] == ["rejected", "rejected", "applied"]
    assert results[0]["error"]["detail"] == {"fields": ["status"]}
    assert results[1]["error"]["code"] == "server_owned_field"


def test_times_echoed_from_the_findings_api_are_the_same_times(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    """GET writes ``…Z``, pull writes ``…+00:00``, a browser's toISOString() keeps milliseconds: the
    same instant sent back is an echo, not an attempt to change it."""
    phone = device(client, world)
    report = finding_mutation(world.own.id, "泵房地面油污未清理")
    phone.push_ok([report])
    settle(client)
    shown = client.get(f"/api/v1/findings/{report['id']}", headers=phone.headers).json()
    created = datetime.fromisoformat(shown["created_at"])
    for written in (
        shown["created_at"],
        created.isoformat(),
        created.astimezone(timezone(timedelta(hours=8))).isoformat(),
    ):
        [result] = phone.push_ok(
            [
                edit_mutation(
                    "finding", report["id"], shown["version"], created_at=written, measures="已安排清理"
                )
            ]
        )
        assert result["status"] == "applied", (written, result["error"])
        settle(client)
        shown = client.get(f"/api/v1/findings/{report['id']}", headers=phone.headers).json()
    an_hour_later = (created + timedelta(hours=1)).isoformat()
    [moved] = phone.push_ok(
        [edit_mutation("finding", report["id"], shown["version"], created_at=an_hour_later)]
    )
    assert moved["status"] == "rejected" and moved["error"]["code"] == "server_owned_field"


def test_a_finding_echoed_as_pulled_with_photos_still_missing_is_edited(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    """A device may send back the whole record it pulled: the photo it has not uploaded yet
    (``missing_photos``) and the steps so far (``timeline``) are views, not an attempt to set them."""
    phone = device(client, world)
    report = finding_mutation(world.own.id, "储罐区两名作业人员未佩戴安全帽", photos=["b" * 64])
    phone.push_ok([report])
    settle(client)
    for stale in ({}, {"missing_photos": [], "timeline": [], "status_label": "旧"}):
        [pulled] = [c for c in Device(client, phone.headers).pull_all() if c["id"] == report["id"]]
        assert pulled["data"]["missing_photos"] == ["b" * 64] and pulled["data"]["timeline"]
        data = {**pulled["data"], **stale, "description": f"{pulled['data']['description']}，已制止"}
        edit = edit_mutation("finding", report["id"], pulled["version"], **data)
        [result] = phone.push_ok([edit])
        assert result["status"] == "applied", result["error"]
        # The edit asks for matching again: a pull while that job commits reads up to the counter
        # committed when its page started, so the record shows in the next pull, not this one.
        settle(client)


def test_an_echo_of_server_fields_changed_since_the_pull_is_not_an_attempt_to_set_them(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    """A phone pulls a finding; matching then rewrites its ``matches`` (another phone changed the
    description). The first phone's edit of another field echoes the older matches: it merges."""
    phone, other = device(client, world), device(client, world)
    report = finding_mutation(world.own.id, "储罐区两名作业人员未佩戴安全帽")
    phone.push_ok([report])
    settle(client)
    [pulled] = [c for c in phone.pull_all() if c["id"] == report["id"]]
    [moved] = other.push_ok(
        [edit_mutation("finding", report["id"], pulled["version"], description="配电室门口堆放易燃纸箱")]
    )
    assert moved["status"] == "applied"
    settle(client)
    now = client.get(f"/api/v1/findings/{report['id']}", headers=phone.headers).json()
    assert now["matches"] != pulled["data"]["matches"]

    echo = {**pulled["data"], "measures": "已责令立即整改"}
    [result] = phone.push_ok([edit_mutation("finding", report["id"], pulled["version"], **echo)])
    assert result["status"] == "conflict", result
    assert result["error"]["detail"]["fields"] == ["description"]

    echo.pop("description")
    [result] = phone.push_ok([edit_mutation("finding", report["id"], pulled["version"], **echo)])
    assert result["status"] == "applied", result["error"]
    merged = client.get(f"/api/v1/findings/{report['id']}", headers=phone.headers).json()
    assert (merged["description"], merged["measures"]) == ("配电室门口堆放易燃纸箱", "已责令立即整改")
    assert merged["matches"] == now["matches"]


def test_a_status_sent_with_the_latest_version_is_still_refused(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    phone = device(client, world)
    report = finding_mutation(world.own.id)
    phone.push_ok([report])
    settle(client)
    [pulled] = [c for c in phone.pull_all() if c["id"] == report["id"]]
    [result] = phone.push_ok(
        [edit_mutation("finding", report["id"], pulled["version"], **{**pulled["data"], "status": "closed"})]
    )
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "server_owned_field"
    assert result["error"]["detail"] == {"fields": ["status"]}
