"""Uploading photos by content hash, as a phone with a flaky connection does."""

from __future__ import annotations

import io

import numpy as np
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from PIL import Image

from backend.domain.accounts.roles import Role
from tests.conftest import ParkWorld
from tests.devices import Device
from tests.photos import camera_jpeg, png_bomb, sha256


def inspector(client: TestClient[Litestar], world: ParkWorld) -> Device:
    return Device(client, world.headers(client, Role.INSPECTOR))


def test_upload_stores_once_and_reports_exif_time_and_gps(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    phone = inspector(client, world)
    data = camera_jpeg()
    digest = sha256(data)
    assert client.head(f"/api/v1/photos/{digest}", headers=phone.headers).status_code == 404
    first = phone.upload(digest, data)
    assert first.status_code == 201, first.text
    assert first.json() == {
        "sha256": digest,
        "width": 60,
        "height": 40,
        "content_type": "image/jpeg",
        "bytes": len(data),
        "taken_at": "2026-11-20T01:30:00Z",  # camera local time, Beijing (+08:00)
        "gps": {"lat": 32.05, "lng": 119.42},
    }
    again = phone.upload(digest, data)
    assert again.status_code == 200
    assert again.json() == first.json()
    head = client.head(f"/api/v1/photos/{digest}", headers=phone.headers)
    assert head.status_code == 200
    assert head.headers["content-length"] == str(len(data))  # what GET sends, as HTTP says HEAD tells
    assert head.headers["content-type"] == "image/jpeg"
    assert client.get(f"/api/v1/photos/{digest}", headers=phone.headers).content == data


@pytest.mark.parametrize(
    ("taken", "offset", "stored"),
    [
        ("9999:12:31 23:59:59", "-12:00", None),  # past the calendar's end once moved to UTC
        ("0001:01:01 00:00:00", "+14:00", None),  # before its start
        ("1970:01:01 08:00:00", None, None),  # a camera whose clock was never set
        ("2099:01:01 08:00:00", "+08:00", None),  # one set decades ahead
        ("2026:11:20 09:30:00", "+99:00", "2026-11-20T01:30:00Z"),  # no such zone: Beijing time assumed
    ],
)
def test_a_camera_time_that_cannot_be_true_is_ignored_not_a_500(
    client: TestClient[Litestar], world: ParkWorld, taken: str, offset: str | None, stored: str | None
) -> None:
    phone = inspector(client, world)
    data = camera_jpeg(taken=taken, offset=offset)
    response = phone.upload(sha256(data), data)
    assert response.status_code == 201, response.text
    assert response.json()["taken_at"] == stored
    assert response.json()["gps"] == {"lat": 32.05, "lng": 119.42}  # the rest of the EXIF still counts


@pytest.mark.parametrize(
    ("refs", "gps"),
    [
        (("N", "E"), {"lat": 32.05, "lng": 119.42}),
        (("S", "W"), {"lat": -32.05, "lng": -119.42}),
        (("Q", "E"), None),  # no such hemisphere: the position is unknown, not guessed
        (("N", "X"), None),
    ],
)
def test_gps_hemisphere_letters_other_than_nsew_leave_the_position_unknown(
    client: TestClient[Litestar], world: ParkWorld, refs: tuple[str, str], gps: dict[str, float] | None
) -> None:
    phone = inspector(client, world)
    data = camera_jpeg(gps_refs=refs)
    response = phone.upload(sha256(data), data)
    assert response.status_code == 201, response.text
    assert response.json()["gps"] == gps
    assert response.json()["taken_at"] == "2026-11-20T01:30:00Z"


def test_type_is_sniffed_from_the_bytes_not_the_header(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    phone = inspector(client, world)
    data = camera_jpeg()
    response = phone.upload(sha256(data), data, content_type="image/png")
    assert response.status_code == 201
    assert response.json()["content_type"] == "image/jpeg"


def test_bad_uploads_get_the_contract_status_and_store_nothing(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    phone = inspector(client, world)
    good = camera_jpeg()
    text = "这不是图片".encode() * 20
    truncated = good[: len(good) // 2]
    bomb = png_bomb()
    cases = [
        (sha256(good), b"other bytes", 400, "hash_mismatch"),
        (sha256(text), text, 415, "not_an_image"),
        (sha256(truncated), truncated, 422, "undecodable_image"),
        (sha256(bomb), bomb, 422, "too_many_pixels"),
        ("NOT-A-HASH", good, 400, "invalid_hash"),
    ]
    for digest, body, status, code in cases:
        response = phone.upload(digest, body)
        assert response.status_code == status, (code, response.text)
        assert response.json()["error"]["code"] == code
        if len(digest) == 64:
            assert client.head(f"/api/v1/photos/{digest}", headers=phone.headers).status_code == 404


def test_phone_photos_with_bytes_after_the_image_are_accepted(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    """Samsung cameras append a trailer after the JPEG's end marker, Google's Motion Photos a
    short video: the photo itself is whole."""
    phone = inspector(client, world)
    photo = camera_jpeg(size=(320, 240))
    random = np.random.default_rng(0).bytes(4096)
    samsung = photo + b"\x00\x00SEFH" + random + b"SEFT"
    motion_photo = camera_jpeg(size=(320, 240), color=(10, 200, 10)) + b"\x00\x00\x00\x18ftypmp42" + random
    for data in (samsung, motion_photo):
        response = phone.upload(sha256(data), data)
        assert response.status_code == 201, response.text
        assert (response.json()["width"], response.json()["height"]) == (320, 240)


def test_a_progressive_jpeg_cut_off_in_its_scans_is_refused(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    phone = inspector(client, world)
    buffer = io.BytesIO()
    noise = np.random.default_rng(1).integers(0, 255, (240, 320, 3), dtype=np.uint8)
    Image.fromarray(noise).save(buffer, "JPEG", progressive=True, quality=90)
    cut = buffer.getvalue()[: len(buffer.getvalue()) * 3 // 4]
    response = phone.upload(sha256(cut), cut)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "undecodable_image"


def test_upload_over_the_size_limit_is_413(
    client: TestClient[Litestar], world: ParkWorld, app: Litestar
) -> None:
    phone = inspector(client, world)
    limit = app.state.parksafe.settings.photo_max_bytes
    big = camera_jpeg() + b"\x00" * limit
    response = phone.upload(sha256(big), big)
    assert response.status_code == 413
    assert response.json()["error"]["detail"] == {"limit_bytes": limit}


def test_thumbnail_is_upright_and_small(client: TestClient[Litestar], world: ParkWorld) -> None:
    phone = inspector(client, world)
    data = camera_jpeg(size=(800, 400), orientation=6)  # camera held sideways: display rotated 90°
    digest = sha256(data)
    stored = phone.upload(digest, data).json()
    assert (stored["width"], stored["height"]) == (400, 800)  # as displayed, as the AI's boxes are
    response = client.get(f"/api/v1/photos/{digest}", params={"size": "thumb"}, headers=phone.headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(response.content)) as thumb:
        assert thumb.size == (160, 320)


def test_photo_is_served_only_to_who_may_see_a_finding_using_it(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    phone = inspector(client, world)
    data = camera_jpeg(color=(10, 200, 10))
    digest = sha256(data)
    phone.upload(digest, data)
    staff = world.headers(client, Role.ENTERPRISE_STAFF)
    supervisor = world.headers(client, Role.SUPERVISOR)
    # Not used by any finding yet: only the uploader may fetch it.
    assert client.get(f"/api/v1/photos/{digest}", headers=supervisor).status_code == 404
    from tests.devices import edit_mutation

    phone.push_ok(
        [edit_mutation("finding", world.other_finding.id, world.other_finding.version, photos=[digest])]
    )
    assert client.get(f"/api/v1/photos/{digest}", headers=supervisor).status_code == 200
    # It belongs to another enterprise's finding: the staff user cannot tell it exists.
    denied = client.get(f"/api/v1/photos/{digest}", headers=staff)
    assert denied.status_code == 404
    assert denied.json()["error"]["code"] == "not_found"
