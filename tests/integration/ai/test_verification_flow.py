"""A rectification's after-photo is verified by a job; a re-sent before-photo is flagged."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from PIL import Image
from sqlmodel import Session

from backend.db.models import Finding
from backend.domain.accounts.roles import Role
from backend.domain.findings.vocabulary import FindingStatus
from tests import factories
from tests.conftest import ParkWorld
from tests.devices import Device, edit_mutation, rectification_mutation, settle
from tests.integration.ai.conftest import FOUR_ENGINEERS_IN_SHIRTS, WORKERS_WITHOUT_HELMETS, wait_for
from tests.photos import camera_jpeg, sha256

pytest.importorskip("ultralytics", reason="the 'ai' extra is not installed")
pytestmark = pytest.mark.slow


def test_resending_the_before_photo_as_proof_is_flagged_on_the_timeline(
    client: TestClient[Litestar], world: ParkWorld, flagged: dict[str, Any]
) -> None:
    staff = Device(client, world.headers(client, Role.ENTERPRISE_STAFF))
    finding = client.get(f"/api/v1/findings/{world.own_finding.id}", headers=staff.headers).json()
    [step] = [s for s in finding["timeline"] if s["action"] == "rectification.verified"]
    assert step["detail"]["verdict"] == "flagged"
    assert "整改后照片与整改前照片相同 / reused photo" in step["detail"]["reasons"]
    nearest = next(v for k, v in step["detail"]["scores"].items() if k.startswith("nearest_earlier_photo:"))
    assert nearest["source"] == "整改前照片" and len(nearest["photo"]) == 12  # never a whole hash
    rectifications = [c for c in staff.pull_all() if c["entity"] == "rectification"]
    assert rectifications[-1]["data"]["verification"]["verdict"] == "flagged"


def test_a_rectification_pushed_before_its_photo_is_verified_when_the_photo_arrives(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    """Offline, the phone pushes the record first and uploads the photo on the next good signal."""
    stored = db.get(Finding, world.own_finding.id)
    assert stored is not None
    stored.status = FindingStatus.DISPATCHED
    db.commit()
    staff = Device(client, world.headers(client, Role.ENTERPRISE_STAFF))
    after = camera_jpeg(size=(320, 240), color=(30, 160, 60))
    [result] = staff.push_ok([rectification_mutation(world.own_finding.id, [sha256(after)])])
    assert result["status"] == "applied"
    settle(client)
    supervisor = world.headers(client, Role.SUPERVISOR)
    [queued] = client.get("/api/v1/reviews", headers=supervisor).json()["items"]
    assert queued["verdict"] is None  # nothing to compare yet

    assert staff.upload(sha256(after), after).status_code == 201
    verdict = wait_for(
        client, lambda: client.get("/api/v1/reviews", headers=supervisor).json()["items"][0]["verdict"]
    )
    assert verdict in {"pass", "flagged"}
    finding = client.get(f"/api/v1/findings/{world.own_finding.id}", headers=supervisor).json()
    assert "rectification.verified" in [step["action"] for step in finding["timeline"]]


def test_one_proof_photo_sent_for_two_findings_is_flagged_and_an_unsent_burst_shot_is_not(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    """The same file as proof for a second hazard is the fake the check exists for; a second shot
    the phone uploaded but never used as proof is nobody's earlier photo."""
    if not FOUR_ENGINEERS_IN_SHIRTS.exists():
        pytest.skip("dataset not found")
    proof = FOUR_ENGINEERS_IN_SHIRTS.read_bytes()
    burst = Image.open(io.BytesIO(proof)).convert("RGB")
    buffer = io.BytesIO()
    burst.save(buffer, "JPEG", quality=70)  # the phone's second shot: other bytes, the same picture
    first, second = (
        factories.finding(db, enterprise, status=FindingStatus.DISPATCHED, dispatched_at=datetime.now(UTC))
        for enterprise in (world.own, world.own)
    )
    db.commit()
    staff = Device(client, world.headers(client, Role.ENTERPRISE_STAFF))
    for data in (proof, buffer.getvalue()):
        assert staff.upload(sha256(data), data).status_code == 201
    supervisor = world.headers(client, Role.SUPERVISOR)

    def reasons_for(finding_id: object) -> list[str]:
        staff.push_ok([rectification_mutation(finding_id, [sha256(proof)])])
        step = wait_for(
            client,
            lambda: next(
                (
                    s
                    for s in client.get(f"/api/v1/findings/{finding_id}", headers=supervisor).json()[
                        "timeline"
                    ]
                    if s["action"] == "rectification.verified"
                ),
                None,
            ),
        )
        return list(step["detail"]["reasons"])

    assert not any("reused photo" in reason for reason in reasons_for(first.id))
    assert f"整改后照片与隐患 {str(first.id)[:8].upper()} 的照片相同 / reused photo" in reasons_for(second.id)


def test_a_rectification_sent_before_the_inspectors_photo_arrives_is_verified_against_it_when_it_does(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    """The inspector's phone may upload the hazard photo days after the record. Judged against
    no photo, a re-sent copy of it passed; the verdict waits for it instead, and says so."""
    if not WORKERS_WITHOUT_HELMETS.exists():
        pytest.skip("dataset not found")
    before = WORKERS_WITHOUT_HELMETS.read_bytes()
    inspector = Device(client, world.headers(client, Role.INSPECTOR))
    inspector.push_ok(
        [edit_mutation("finding", world.own_finding.id, world.own_finding.version, photos=[sha256(before)])]
    )
    stored = db.get(Finding, world.own_finding.id)
    assert stored is not None
    stored.status = FindingStatus.DISPATCHED
    db.commit()
    staff = Device(client, world.headers(client, Role.ENTERPRISE_STAFF))
    again = before + b"\x00\x00"  # the same picture, other bytes
    assert staff.upload(sha256(again), again).status_code == 201
    staff.push_ok([rectification_mutation(world.own_finding.id, [sha256(again)])])
    settle(client)
    supervisor = world.headers(client, Role.SUPERVISOR)
    [queued] = client.get("/api/v1/reviews", headers=supervisor).json()["items"]
    assert queued["verdict"] is None
    assert queued["waiting_for"] == "等待检查人员上传整改前照片（1 张未到），到齐后进行 AI 核验"

    assert inspector.upload(sha256(before), before).status_code == 201
    item = wait_for(
        client,
        lambda: (i := client.get("/api/v1/reviews", headers=supervisor).json()["items"][0])["verdict"] and i,
    )
    assert item["verdict"] == "flagged"
    assert "整改后照片与整改前照片相同 / reused photo" in item["reasons"]
    assert item["waiting_for"] is None


def test_a_proof_photo_taken_from_another_enterprises_finding_is_flagged_without_naming_that_finding(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    """Enterprise staff read the verdict too; that finding is out of their scope (contract: 404)."""
    if not FOUR_ENGINEERS_IN_SHIRTS.exists():
        pytest.skip("dataset not found")
    photo = FOUR_ENGINEERS_IN_SHIRTS.read_bytes()
    inspector = Device(client, world.headers(client, Role.INSPECTOR))
    assert inspector.upload(sha256(photo), photo).status_code == 201
    inspector.push_ok(
        [
            edit_mutation(
                "finding", world.other_finding.id, world.other_finding.version, photos=[sha256(photo)]
            )
        ]
    )
    settle(client)
    stored = db.get(Finding, world.own_finding.id)
    assert stored is not None
    stored.status = FindingStatus.DISPATCHED
    db.commit()
    staff = Device(client, world.headers(client, Role.ENTERPRISE_STAFF))
    staff.upload(sha256(photo), photo)
    staff.push_ok([rectification_mutation(world.own_finding.id, [sha256(photo)])])
    step = wait_for(
        client,
        lambda: next(
            (
                s
                for s in client.get(f"/api/v1/findings/{world.own_finding.id}", headers=staff.headers).json()[
                    "timeline"
                ]
                if s["action"] == "rectification.verified"
            ),
            None,
        ),
    )
    assert step["detail"]["verdict"] == "flagged"
    assert "整改后照片与另一企业隐患的照片相同 / reused photo" in step["detail"]["reasons"]
    assert str(world.other_finding.id)[:8].upper() not in str(step["detail"])


def test_a_before_photo_never_analysed_is_analysed_by_the_verification_instead_of_waiting_for_ever(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    """Detection on it failed, or ran before the AI was installed: the verdict still comes, and
    judges the fix against the hazards the photo shows."""
    if not WORKERS_WITHOUT_HELMETS.exists():
        pytest.skip("dataset not found")
    before = WORKERS_WITHOUT_HELMETS.read_bytes()
    inspector = Device(client, world.headers(client, Role.INSPECTOR))
    assert inspector.upload(sha256(before), before).status_code == 201
    settle(client)
    stored = db.get(Finding, world.own_finding.id)
    assert stored is not None
    stored.photos = [sha256(before)]  # written as an older release left it: stored, never analysed
    stored.status = FindingStatus.DISPATCHED
    db.commit()
    staff = Device(client, world.headers(client, Role.ENTERPRISE_STAFF))
    again = before + b"\x00\x00"
    assert staff.upload(sha256(again), again).status_code == 201
    staff.push_ok([rectification_mutation(world.own_finding.id, [sha256(again)])])
    supervisor = world.headers(client, Role.SUPERVISOR)
    item = wait_for(
        client,
        lambda: (i := client.get("/api/v1/reviews", headers=supervisor).json()["items"][0])["verdict"] and i,
    )
    assert item["verdict"] == "flagged"
    assert any(reason.startswith("整改后照片仍识别到隐患：未戴安全帽") for reason in item["reasons"])
    assert item["ai"], "the before-photo's detections are on the finding now"


def test_a_strip_sent_as_proof_gets_a_verdict_for_the_supervisor_not_an_endless_wait(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    """A 4000×4 JPEG crashed the scene comparison on every retry: the queue said AI 核验进行中 for
    ever and the proof escaped the check."""
    if not WORKERS_WITHOUT_HELMETS.exists():
        pytest.skip("dataset not found")
    before = WORKERS_WITHOUT_HELMETS.read_bytes()
    inspector = Device(client, world.headers(client, Role.INSPECTOR))
    assert inspector.upload(sha256(before), before).status_code == 201
    inspector.push_ok(
        [edit_mutation("finding", world.own_finding.id, world.own_finding.version, photos=[sha256(before)])]
    )
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 4), (90, 90, 90)).save(buffer, "JPEG")
    queued = verdict_on_proof(client, world, db, buffer.getvalue())
    assert queued["verdict"] == "flagged" and queued["waiting_for"] is None
    assert any("过小或过窄（4000×4 像素）" in reason for reason in queued["reasons"]), queued


def test_photos_the_comparison_cannot_analyse_are_flagged_for_a_person(
    client: TestClient[Litestar], world: ParkWorld, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fault injection, not a mock of a part: no photo known now makes the comparison fail, and
    whatever does next must leave a verdict rather than an endless AI 核验进行中."""

    def cannot_analyse(*_: object, **__: object) -> None:
        raise ValueError("an image OpenCV cannot read")

    monkeypatch.setattr("ai.verification.verify", cannot_analyse)
    queued = verdict_on_proof(client, world, db, camera_jpeg(size=(320, 240), color=(30, 160, 60)))
    assert queued["verdict"] == "flagged"
    assert queued["reasons"] == [
        "AI 未能分析这些照片，请人工核对整改前后照片 / AI could not analyse the photos"
    ]


def verdict_on_proof(
    client: TestClient[Litestar], world: ParkWorld, db: Session, proof: bytes
) -> dict[str, Any]:
    """The supervisor's queue entry for the world's own finding, dispatched and answered by staff
    with ``proof``, once it has an AI verdict."""
    stored = db.get(Finding, world.own_finding.id)
    assert stored is not None
    stored.status = FindingStatus.DISPATCHED
    db.commit()
    staff = Device(client, world.headers(client, Role.ENTERPRISE_STAFF))
    assert staff.upload(sha256(proof), proof).status_code == 201
    staff.push_ok([rectification_mutation(world.own_finding.id, [sha256(proof)])])
    supervisor = world.headers(client, Role.SUPERVISOR)
    [queued] = wait_for(
        client,
        lambda: [
            q for q in client.get("/api/v1/reviews", headers=supervisor).json()["items"] if q["verdict"]
        ],
    )
    return dict(queued)
