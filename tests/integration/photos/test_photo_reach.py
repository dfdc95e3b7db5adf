"""A photo is attached only by someone who could already see it: attaching one to a record lets
everyone who sees the record fetch it, the attacher included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import Session

from backend.db.models import Finding
from backend.domain.accounts.roles import Role
from backend.domain.findings.vocabulary import FindingStatus
from tests import factories
from tests.conftest import ParkWorld
from tests.devices import Device, delete_mutation, edit_mutation, finding_mutation, rectification_mutation
from tests.photos import camera_jpeg, sha256


def dispatched_ticket(db: Session, world: ParkWorld) -> Finding:
    """A finding of staff's own enterprise, dispatched to them for rectification."""
    ticket = factories.finding(
        db, world.own, status=FindingStatus.DISPATCHED, deadline=datetime.now(UTC) + timedelta(days=3)
    )
    db.commit()
    return ticket


def test_staff_cannot_reach_another_enterprises_photo_by_naming_it_in_their_rectification(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    inspector = Device(client, world.headers(client, Role.INSPECTOR))
    theirs = camera_jpeg(size=(80, 60), color=(10, 120, 200))
    assert inspector.upload(sha256(theirs), theirs).status_code == 201
    inspector.push_ok([finding_mutation(world.other.id, "乙企业罐区未戴安全帽", photos=[sha256(theirs)])])

    mine = dispatched_ticket(db, world)
    staff = Device(client, world.headers(client, Role.ENTERPRISE_STAFF))
    [refused] = staff.push_ok([rectification_mutation(mine.id, [sha256(theirs)])])
    assert refused["status"] == "rejected"
    assert refused["error"]["code"] == "photo_not_found"
    assert client.get(f"/api/v1/photos/{sha256(theirs)}", headers=staff.headers).status_code == 404

    own_photo = camera_jpeg(size=(80, 60), color=(200, 60, 10))
    assert staff.upload(sha256(own_photo), own_photo).status_code == 201
    [applied] = staff.push_ok([rectification_mutation(mine.id, [sha256(own_photo)])])
    assert applied["status"] == "applied"
    # Nor by swapping it in afterwards.
    [swapped] = staff.push_ok(
        [
            edit_mutation(
                "rectification", applied["id"], applied["version"], photos=[sha256(own_photo), sha256(theirs)]
            )
        ]
    )
    assert swapped["status"] == "rejected" and swapped["error"]["code"] == "photo_not_found"
    assert client.get(f"/api/v1/photos/{sha256(theirs)}", headers=staff.headers).status_code == 404


def test_a_photo_not_uploaded_yet_or_already_on_a_finding_in_scope_may_be_named(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    """Phones push records before photos; and a fix photographed like the hazard names its photo."""
    inspector = Device(client, world.headers(client, Role.INSPECTOR))
    before = camera_jpeg(size=(80, 60), color=(90, 90, 20))
    assert inspector.upload(sha256(before), before).status_code == 201
    [reported] = inspector.push_ok(
        [finding_mutation(world.own.id, "甲企业未戴安全帽", photos=[sha256(before)])]
    )
    dispatched = client.post(
        f"/api/v1/findings/{reported['id']}/dispatch",
        json={"deadline": (datetime.now(UTC) + timedelta(days=3)).isoformat()},
        headers=world.headers(client, Role.PARK_ADMIN),
    )
    assert dispatched.status_code == 200, dispatched.text
    staff = Device(client, world.headers(client, Role.ENTERPRISE_STAFF))
    later = sha256(camera_jpeg(size=(80, 60), color=(1, 2, 3)))
    [applied] = staff.push_ok([rectification_mutation(reported["id"], [sha256(before), later])])
    assert applied["status"] == "applied", applied


def test_the_photos_of_a_deleted_finding_are_no_longer_served_to_its_enterprise(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    """A finding deleted because it named the wrong enterprise stops exposing its site photos there."""
    inspector = Device(client, world.headers(client, Role.INSPECTOR))
    photo = camera_jpeg(size=(80, 60), color=(30, 160, 90))
    assert inspector.upload(sha256(photo), photo).status_code == 201
    [reported] = inspector.push_ok(
        [finding_mutation(world.own.id, "储罐区未戴安全帽（企业选错）", photos=[sha256(photo)])]
    )
    staff = Device(client, world.headers(client, Role.ENTERPRISE_STAFF))
    assert client.get(f"/api/v1/photos/{sha256(photo)}", headers=staff.headers).status_code == 200

    [deleted] = inspector.push_ok([delete_mutation("finding", reported["id"], reported["version"])])
    assert deleted["status"] == "applied"
    for size in ("", "?size=thumb", "?size=annotated"):
        assert client.get(f"/api/v1/photos/{sha256(photo)}{size}", headers=staff.headers).status_code == 404
    # Nor may staff attach it to their rectification now.
    ticket = dispatched_ticket(db, world)
    [refused] = staff.push_ok([rectification_mutation(ticket.id, [sha256(photo)])])
    assert refused["status"] == "rejected" and refused["error"]["code"] == "photo_not_found"
    # Its uploader keeps it.
    assert client.get(f"/api/v1/photos/{sha256(photo)}", headers=inspector.headers).status_code == 200


def test_whoever_sends_a_stored_photos_bytes_may_use_it_and_others_are_not_told_it_exists(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    """The same file sent from two phones (a photo forwarded in a work chat): the second sender
    holds its bytes, so the 200 'already stored' means they can use it."""
    inspector = Device(client, world.headers(client, Role.INSPECTOR))
    shared = camera_jpeg(size=(80, 60), color=(140, 20, 160))
    assert inspector.upload(sha256(shared), shared).status_code == 201
    staff = Device(client, world.headers(client, Role.ENTERPRISE_STAFF))
    url = f"/api/v1/photos/{sha256(shared)}"
    # Not theirs yet: it reads as not stored, so their phone uploads it instead of skipping it.
    assert client.head(url, headers=staff.headers).status_code == 404
    assert client.get(url, headers=staff.headers).status_code == 404

    assert staff.upload(sha256(shared), shared).status_code == 200
    assert client.head(url, headers=staff.headers).status_code == 200
    assert client.get(url, headers=staff.headers).status_code == 200
    ticket = dispatched_ticket(db, world)
    [result] = staff.push_ok([rectification_mutation(ticket.id, [sha256(shared)])])
    assert result["status"] == "applied", result["error"]
    assert client.head(url, headers=inspector.headers).status_code == 200  # the first sender keeps it


def test_a_phone_asks_once_which_of_its_photos_to_upload_and_is_told_as_head_would(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    inspector = Device(client, world.headers(client, Role.INSPECTOR))
    staff = Device(client, world.headers(client, Role.ENTERPRISE_STAFF))
    mine, theirs, new = (camera_jpeg(size=(64, 48), color=(10 * n, 90, 30)) for n in (1, 2, 3))
    assert staff.upload(sha256(mine), mine).status_code == 201
    assert inspector.upload(sha256(theirs), theirs).status_code == 201  # out of staff's sight
    asked = [sha256(new), sha256(mine), sha256(theirs), sha256(new)]
    answer = client.post("/api/v1/photos/missing", json={"sha256": asked}, headers=staff.headers)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"missing": [sha256(new), sha256(theirs)]}
    for sha, head in ((sha256(new), 404), (sha256(mine), 200), (sha256(theirs), 404)):
        assert client.head(f"/api/v1/photos/{sha}", headers=staff.headers).status_code == head

    refusals: list[dict[str, list[str]]] = [
        {"sha256": ["NOT-A-HASH"]},
        {"sha256": []},
        {"sha256": [sha256(new)] * 501},
        {"hashes": []},
    ]
    for bad in refusals:
        refused = client.post("/api/v1/photos/missing", json=bad, headers=staff.headers)
        assert refused.status_code == 400, bad
        assert refused.json()["error"]["code"] == "validation_error"
    upper = client.post(
        "/api/v1/photos/missing", json={"sha256": [sha256(new).upper()]}, headers=staff.headers
    )
    assert upper.json()["error"]["message"].startswith(
        "请求参数不合法：sha256[0]: 应为 64 位小写十六进制 SHA-256 值"
    ), upper.text


def test_a_rejected_proof_stays_in_view_of_the_park_after_a_new_one_while_a_replaced_photo_does_not(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    """The supervisor compares a new proof with the one refused, and the timeline shows both."""
    ticket = dispatched_ticket(db, world)
    staff = Device(client, world.headers(client, Role.ENTERPRISE_STAFF))
    refused, second, replaced, third = (
        camera_jpeg(size=(80, 60), color=(c, 90, 40)) for c in (20, 80, 140, 200)
    )
    for photo in (refused, second, replaced, third):
        assert staff.upload(sha256(photo), photo).status_code == 201
    [first_fix] = staff.push_ok([rectification_mutation(ticket.id, [sha256(refused)])])
    assert first_fix["status"] == "applied"
    supervisor = world.headers(client, Role.SUPERVISOR)
    review = client.post(
        f"/api/v1/findings/{ticket.id}/review",
        json={"decision": "reject", "comment": "照片看不出已整改"},
        headers=supervisor,
    )
    assert review.status_code == 200, review.text
    [second_fix] = staff.push_ok([rectification_mutation(ticket.id, [sha256(replaced), sha256(second)])])
    assert second_fix["status"] == "applied"
    [edited] = staff.push_ok(
        [
            edit_mutation(
                "rectification",
                second_fix["id"],
                second_fix["version"],
                photos=[sha256(second), sha256(third)],
            )
        ]
    )
    assert edited["status"] == "applied"
    for role in (Role.SUPERVISOR, Role.INSPECTOR, Role.PARK_ADMIN):
        headers = world.headers(client, role)
        reach = {
            name: client.get(f"/api/v1/photos/{sha256(photo)}", headers=headers).status_code
            for name, photo in (
                ("refused", refused),
                ("second", second),
                ("third", third),
                ("replaced", replaced),
            )
        }
        assert reach == {"refused": 200, "second": 200, "third": 200, "replaced": 404}, role
