"""Photo hazard recognition with the committed PPE weights on real site photos (no network).

The photos come from the labelled dataset beside the repository (../shared/datasets);
they are read in place, never copied into the repository.
"""

from __future__ import annotations

import io
import itertools
import time
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from PIL import Image

from backend.domain.accounts.roles import Role
from tests.conftest import ParkWorld
from tests.devices import Device, edit_mutation, finding_mutation, settle
from tests.integration.ai.conftest import DATASET, FOUR_ENGINEERS_IN_SHIRTS, WORKERS_WITHOUT_HELMETS
from tests.photos import camera_jpeg, sha256

pytest.importorskip("ultralytics", reason="the 'ai' extra is not installed")
pytestmark = pytest.mark.slow


@pytest.fixture
def site_photo() -> bytes:
    if not WORKERS_WITHOUT_HELMETS.exists():
        pytest.skip(f"dataset not found at {DATASET}")
    return WORKERS_WITHOUT_HELMETS.read_bytes()


def detect(client: TestClient[Litestar], world: ParkWorld, data: bytes) -> Any:
    return client.post(
        "/api/v1/ai/detect",
        content=data,
        headers={**world.headers(client, Role.INSPECTOR), "content-type": "image/jpeg"},
    )


def test_workers_without_helmets_are_detected_with_hazard_codes(
    client: TestClient[Litestar], world: ParkWorld, site_photo: bytes
) -> None:
    response = detect(client, world, site_photo)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model"]["name"] == "ppe-yolo11n"
    with Image.open(io.BytesIO(site_photo)) as image:
        assert (body["width"], body["height"]) == image.size
    no_helmets = [d for d in body["detections"] if d["label"] == "no_helmet"]
    assert no_helmets, body["detections"]
    for detection in body["detections"]:
        x1, y1, x2, y2 = detection["box"]
        assert 0 <= x1 < x2 <= body["width"] and 0 <= y1 < y2 <= body["height"]
        assert 0 < detection["confidence"] <= 1
    assert all(d["hazard_code"] == "no_helmet" for d in no_helmets)
    assert all(d["title"] == "未戴安全帽" for d in no_helmets)  # what users read, from ai/models.yaml


def test_each_worker_is_counted_once(client: TestClient[Litestar], world: ParkWorld) -> None:
    """Four engineers in shirts: four clothing boxes, one a worker, not a second, overlapping box on
    one of them (ultralytics' default overlap, IoU 0.7, left one; the registry's 0.5 merges it)."""
    if not FOUR_ENGINEERS_IN_SHIRTS.exists():
        pytest.skip(f"dataset not found at {DATASET}")
    body = detect(client, world, FOUR_ENGINEERS_IN_SHIRTS.read_bytes()).json()
    clothing = [d["box"] for d in body["detections"] if d["label"] in {"no_wear", "wear"}]
    assert len(clothing) == 4, body["detections"]
    assert sum(d["label"] == "no_wear" for d in body["detections"]) >= 3  # the shirts are seen as such
    left_to_right = sorted(clothing)
    for left, right in itertools.pairwise(left_to_right):
        assert left[0] < right[0] and left[2] < right[2]  # side by side, none inside another


def test_boxes_refer_to_the_upright_image_of_an_exif_rotated_photo(
    client: TestClient[Litestar], world: ParkWorld, site_photo: bytes
) -> None:
    with Image.open(io.BytesIO(site_photo)) as image:
        width, height = image.size
        stored_sideways = image.transpose(Image.Transpose.ROTATE_90)  # what a phone held sideways stores
        exif = Image.Exif()
        exif[0x0112] = 6  # "rotate 90° clockwise to display"
        buffer = io.BytesIO()
        stored_sideways.save(buffer, "JPEG", exif=exif, quality=95)
    body = detect(client, world, buffer.getvalue()).json()
    assert (body["width"], body["height"]) == (width, height)
    assert any(d["label"] == "no_helmet" for d in body["detections"])


def test_a_phone_sized_sideways_photo_gets_the_boxes_of_the_small_one_in_its_own_pixels(
    client: TestClient[Litestar], world: ParkWorld, site_photo: bytes
) -> None:
    """A 12-megapixel-class photo is decoded at a reduced JPEG scale for the detector; the boxes
    still come back in the full upright photo's pixels, where the small photo's boxes scaled up lie."""
    small = detect(client, world, site_photo).json()
    with Image.open(io.BytesIO(site_photo)) as image:
        factor = 4
        large = image.resize((image.width * factor, image.height * factor), Image.Resampling.BICUBIC)
        exif = Image.Exif()
        exif[0x0112] = 8  # "rotate 90° counter-clockwise to display"
        buffer = io.BytesIO()
        large.transpose(Image.Transpose.ROTATE_270).save(buffer, "JPEG", exif=exif, quality=92)
    body = detect(client, world, buffer.getvalue()).json()
    assert (body["width"], body["height"]) == (small["width"] * factor, small["height"] * factor)
    [best_small] = [d for d in small["detections"] if d["label"] == "no_helmet"][:1]
    matching = [
        d
        for d in body["detections"]
        if d["label"] == "no_helmet"
        and all(
            abs(a - b * factor) < 0.05 * body["width"]
            for a, b in zip(d["box"], best_small["box"], strict=True)
        )
    ]
    assert matching, (best_small, body["detections"])


@pytest.mark.parametrize("mode", ["L", "RGBA", "CMYK", "I;16"])
def test_unusual_image_modes_are_analysed_not_refused(
    client: TestClient[Litestar], world: ParkWorld, site_photo: bytes, mode: str
) -> None:
    with Image.open(io.BytesIO(site_photo)) as image:
        converted = image.convert("L").convert("I;16") if mode == "I;16" else image.convert(mode)
        buffer = io.BytesIO()
        converted.save(buffer, "PNG" if mode in {"RGBA", "I;16", "L"} else "JPEG")
    response = client.post(
        "/api/v1/ai/detect", content=buffer.getvalue(), headers=world.headers(client, Role.INSPECTOR)
    )
    assert response.status_code == 200, response.text
    assert response.json()["width"] == converted.width


def test_non_images_and_truncated_files_are_clear_4xx(
    client: TestClient[Litestar], world: ParkWorld, site_photo: bytes
) -> None:
    assert detect(client, world, b"not an image at all").status_code == 415
    truncated = detect(client, world, site_photo[: len(site_photo) // 2])
    assert truncated.status_code == 422
    assert truncated.json()["error"]["code"] == "undecodable_image"


def test_detection_runs_on_a_synced_finding_and_feeds_its_legal_basis(
    client: TestClient[Litestar], world: ParkWorld, site_photo: bytes
) -> None:
    phone = Device(client, world.headers(client, Role.INSPECTOR))
    digest = sha256(site_photo)
    mutation = finding_mutation(world.own.id, "装置区巡检拍照", photos=[digest])
    phone.push_ok([mutation])
    phone.upload(digest, site_photo)
    deadline = time.monotonic() + 120
    finding: dict[str, Any] = {}
    while time.monotonic() < deadline:
        finding = client.get(f"/api/v1/findings/{mutation['id']}", headers=phone.headers).json()
        codes = [c["code"] for c in finding["matches"].get("checklist", [])]
        if finding["ai"] and {"XC-08-01", "XC-08-02"} <= set(codes[:2]):  # matched again after detection
            break
        time.sleep(0.5)
    [result] = finding["ai"]
    assert result["photo"] == digest
    assert any(d["hazard_code"] == "no_helmet" for d in result["detections"])
    # The description names no hazard: what the detector saw (no_helmet, no_wear) leads the
    # suggestions: 未按规定佩戴安全帽 and 未按规定穿戴劳动防护用品.
    assert {c["code"] for c in finding["matches"]["checklist"][:2]} == {"XC-08-01", "XC-08-02"}
    assert finding["penalty_draft"] is not None
    actions = [step["action"] for step in finding["timeline"]]
    assert actions.count("finding.ai_detected") == 1


def test_a_photo_removed_before_dispatch_takes_its_detections_and_their_suggestions_with_it(
    client: TestClient[Litestar], world: ParkWorld, site_photo: bytes
) -> None:
    """The inspector took the wrong photo and removes it: its boxes must not stay on the finding,
    nor 未按规定佩戴安全帽 at the top of its suggestions because of it."""
    phone = Device(client, world.headers(client, Role.INSPECTOR))
    digest = sha256(site_photo)
    mutation = finding_mutation(world.own.id, "装置区巡检拍照", photos=[digest])
    phone.push_ok([mutation])
    phone.upload(digest, site_photo)
    settle(client)
    url = f"/api/v1/findings/{mutation['id']}"
    finding = client.get(url, headers=phone.headers).json()
    assert finding["ai"] and "XC-08-01" in [c["code"] for c in finding["matches"]["checklist"][:2]]

    [result] = phone.push_ok([edit_mutation("finding", mutation["id"], finding["version"], photos=[])])
    assert result["status"] == "applied", result
    settle(client)
    finding = client.get(url, headers=phone.headers).json()
    assert finding["photos"] == [] and finding["ai"] == []
    assert "XC-08-01" not in [c["code"] for c in finding["matches"]["checklist"][:2]]


def test_a_photo_added_later_and_uploaded_after_the_edit_is_analysed_too(
    client: TestClient[Litestar], world: ParkWorld, site_photo: bytes
) -> None:
    """The inspector adds a second photo to a finding already analysed, and the photo reaches the
    server only after the edit: its arrival completes the new set, so it is analysed as well."""
    phone = Device(client, world.headers(client, Role.INSPECTOR))
    first = camera_jpeg(color=(10, 20, 30))
    phone.upload(sha256(first), first)
    mutation = finding_mutation(world.own.id, "装置区巡检拍照", photos=[sha256(first)])
    phone.push_ok([mutation])
    settle(client)
    url = f"/api/v1/findings/{mutation['id']}"
    finding = client.get(url, headers=phone.headers).json()
    assert [r["photo"] for r in finding["ai"]] == [sha256(first)]

    photos = [sha256(first), sha256(site_photo)]
    [edited] = phone.push_ok([edit_mutation("finding", mutation["id"], finding["version"], photos=photos)])
    assert edited["status"] == "applied", edited
    assert client.get(url, headers=phone.headers).json()["missing_photos"] == [sha256(site_photo)]
    phone.upload(sha256(site_photo), site_photo)
    settle(client)
    finding = client.get(url, headers=phone.headers).json()
    assert sorted(r["photo"] for r in finding["ai"]) == sorted(photos)
    assert "XC-08-01" in [c["code"] for c in finding["matches"]["checklist"][:2]]  # what it showed counts


def test_a_stored_photo_that_cannot_be_decoded_is_marked_failed_with_the_reason(
    world: ParkWorld, session_factory: Any, settings: Any, db: Any
) -> None:
    """Intake refuses broken photos, but storage can rot: detection records why and moves on."""
    from backend.db.models import Finding
    from backend.domain.photos.detection_service import detect_on_finding
    from backend.domain.photos.service import original_key
    from backend.storage import create_object_store

    store = create_object_store(settings)
    broken = b"\xff\xd8\xff\xe0" + b"\x00" * 64  # a JPEG header and nothing decodable
    store.put_bytes(original_key(sha256(broken)), broken, "image/jpeg")
    finding = db.get(Finding, world.own_finding.id)
    finding.photos = [sha256(broken)]
    db.commit()

    assert detect_on_finding(session_factory, store, settings.resolved_data_dir, finding.id)
    db.expire_all()
    [result] = db.get(Finding, world.own_finding.id).ai
    assert result["photo"] == sha256(broken) and result["detections"] == []
    assert "照片无法识别" in result["error"]
    # Analysed once: a second run does not try again.
    assert detect_on_finding(session_factory, store, settings.resolved_data_dir, finding.id)
    db.expire_all()
    assert len(db.get(Finding, world.own_finding.id).ai) == 1


def test_loading_the_detector_leaves_photo_intake_answering_422_for_undecodable_bytes(
    client: TestClient[Litestar], world: ParkWorld, settings: Any, site_photo: bytes
) -> None:
    """ultralytics patches PIL.Image.open to pip-install a HEIF plugin on the first unreadable file;
    loading a model must not leave that patch behind (a download at run time, and a 500)."""
    from ai.detection import get_detectors

    get_detectors(settings.resolved_data_dir)
    detect(client, world, site_photo)  # the model has run in this process
    broken = b"\xff\xd8\xff\xe0" + b"\x00" * 64
    response = client.put(
        f"/api/v1/photos/{sha256(broken)}",
        content=broken,
        headers={**world.headers(client, Role.INSPECTOR), "content-type": "image/jpeg"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"]
