"""Pulling changes: reference data included, scoped, paged without gaps."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient

from backend.domain.accounts.roles import Role
from tests.conftest import ParkWorld
from tests.devices import Device, comment_mutation, edit_mutation, finding_mutation, settle


def test_first_pull_brings_enterprises_and_findings_the_caller_may_see(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    inspector = Device(client, world.headers(client, Role.INSPECTOR))
    staff = Device(client, world.headers(client, Role.ENTERPRISE_STAFF))
    inspector.push_ok([comment_mutation(world.own_finding.id), comment_mutation(world.other_finding.id)])

    park_view = inspector.pull_all()
    enterprises = {c["data"]["code"]: c["data"]["name"] for c in park_view if c["entity"] == "enterprise"}
    assert enterprises == {world.own.code: world.own.name, world.other.code: world.other.name}
    assert {c["entity"] for c in park_view} >= {"enterprise", "finding", "comment"}

    own_view = staff.pull_all()
    assert {c["id"] for c in own_view if c["entity"] == "enterprise"} == {str(world.own.id)}
    assert {c["id"] for c in own_view if c["entity"] == "finding"} == {str(world.own_finding.id)}
    assert all(
        c["data"]["finding_id"] == str(world.own_finding.id) for c in own_view if c["entity"] == "comment"
    )


def test_pages_follow_each_other_without_gaps_or_repeats(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    phone = Device(client, world.headers(client, Role.INSPECTOR))
    phone.push_ok([finding_mutation(world.own.id, f"隐患{n}") for n in range(23)])
    settle(client)  # matching jobs re-version the findings; compare two pulls of one state
    paged = phone.pull_all(limit=5)
    versions = [c["version"] for c in paged]
    assert versions == sorted(versions)
    assert len(versions) == len(set(versions))
    everything = Device(client, phone.headers).pull_all(limit=1000)
    assert [c["version"] for c in everything] == versions


def test_a_pull_from_the_latest_cursor_is_empty_until_something_changes(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    phone = Device(client, world.headers(client, Role.INSPECTOR))
    phone.pull_all()
    assert phone.pull_all() == []
    phone.push_ok([comment_mutation(world.own_finding.id, "复查")])
    [change] = phone.pull_all()
    assert change["entity"] == "comment"
    assert change["data"]["text"] == "复查"


def test_a_cursor_the_server_never_handed_out_is_409_telling_the_device_to_start_again(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    """After a restore from backup the database is behind every phone; pulling on from a phone's
    cursor would silently skip whatever changed up to it."""
    phone = Device(client, world.headers(client, Role.INSPECTOR))
    phone.pull_all()
    latest = int(phone.cursor or 0)
    response = client.get("/api/v1/sync/pull", params={"cursor": str(latest + 500)}, headers=phone.headers)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "cursor_ahead"
    assert "重新同步" in error["message"]
    assert error["detail"]["cursor"] == str(latest + 500)
    assert latest <= int(error["detail"]["server_version"]) < latest + 500
    assert (
        client.get("/api/v1/sync/pull", params={"cursor": str(latest)}, headers=phone.headers).status_code
        == 200
    )


def test_invalid_cursor_and_limit_are_clear_4xx(client: TestClient[Litestar], world: ParkWorld) -> None:
    headers = world.headers(client, Role.INSPECTOR)
    for params in (
        {"cursor": "abc"},
        {"cursor": "-5"},
        {"cursor": "²"},
        {"cursor": "١٢"},
        {"cursor": "０"},
        {"limit": 0},
        {"limit": 100000},
    ):
        response = client.get("/api/v1/sync/pull", params=params, headers=headers)
        assert 400 <= response.status_code < 500, params
        assert response.json()["error"]["code"] in {"invalid_input", "validation_error"}


def test_a_finding_moved_to_another_enterprise_leaves_the_first_ones_phones(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    inspector = Device(client, world.headers(client, Role.INSPECTOR))
    staff = Device(client, world.headers(client, Role.ENTERPRISE_STAFF))
    finding = finding_mutation(world.own.id, "储罐区防火堤内堆放杂物（企业选错）")
    [created] = inspector.push_ok([finding])
    settle(client)
    assert finding["id"] in {c["id"] for c in staff.pull_all() if not c["deleted"]}

    def move_to(enterprise_id: object, base: int) -> int:
        [moved] = inspector.push_ok(
            [edit_mutation("finding", finding["id"], base, enterprise_id=str(enterprise_id))]
        )
        assert moved["status"] == "applied", moved
        settle(client)  # a pull mid-job reads only up to the job's uncommitted version
        return int(moved["version"])

    moved_version = move_to(world.other.id, created["version"])
    [gone] = [c for c in staff.pull_all() if c["id"] == finding["id"]]
    assert gone["deleted"] and gone["data"] == {}  # nothing of it now that it is another enterprise's
    park_view = Device(client, inspector.headers).pull_all()
    assert not any(c["deleted"] for c in park_view if c["id"] == finding["id"])  # the park still sees it

    move_to(world.own.id, moved_version)
    back = [c for c in staff.pull_all() if c["id"] == finding["id"]]
    assert back and not max(back, key=lambda c: c["version"])["deleted"]  # the newer version wins again


def test_pulled_findings_carry_their_timeline_as_get_shows_it(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    """An inspector offline still sees what happened to a finding: reported, then matched."""
    phone = Device(client, world.headers(client, Role.INSPECTOR))
    report = finding_mutation(world.own.id, "储罐区两名作业人员未佩戴安全帽")
    phone.push_ok([report])
    settle(client)
    [pulled] = [c for c in phone.pull_all() if c["id"] == report["id"]]
    shown = client.get(f"/api/v1/findings/{report['id']}", headers=phone.headers).json()
    assert [step["action"] for step in pulled["data"]["timeline"]] == ["finding.reported", "finding.matched"]
    assert [(s["action"], s["actor_id"]) for s in pulled["data"]["timeline"]] == [
        (s["action"], s["actor_id"]) for s in shown["timeline"]
    ]
    assert pulled["data"]["timeline"][0]["actor_id"] == str(world.users[Role.INSPECTOR].id)
