"""Rectifications pushed from enterprise devices: who may submit, what they move, what stays editable."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import Session

from backend.db.models import Rectification
from backend.domain.accounts.roles import Role
from backend.domain.findings.vocabulary import FindingStatus
from tests import factories
from tests.conftest import ParkWorld
from tests.devices import (
    Device,
    edit_mutation,
    jpeg_photo,
    rectification_mutation,
    settle,
)
from tests.integration.sync.pushing import device


def test_rectification_by_the_finding_enterprise_moves_it_to_pending_verification(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    world.own_finding.status = FindingStatus.DISPATCHED
    world.other_finding.status = FindingStatus.DISPATCHED
    db.add(world.own_finding)
    db.add(world.other_finding)
    db.commit()
    staff = device(client, world, Role.ENTERPRISE_STAFF)
    results = staff.push_ok(
        [
            rectification_mutation(world.other_finding.id, ["b" * 64]),
            rectification_mutation(world.own_finding.id, []),
            rectification_mutation(world.own_finding.id, ["c" * 64]),
            rectification_mutation(world.own_finding.id, ["d" * 64]),
        ]
    )
    assert [r["status"] for r in results] == ["rejected", "rejected", "applied", "rejected"]
    assert [r["error"]["code"] for r in (results[0], results[1], results[3])] == [
        "not_found",
        "photos_required",
        "illegal_transition",
    ]
    assert results[3]["error"]["detail"] == {"status": "pending_verification"}
    finding = client.get(f"/api/v1/findings/{world.own_finding.id}", headers=staff.headers).json()
    assert finding["status"] == "pending_verification"
    assert finding["timeline"][-1]["action"] == "rectification.submitted"


def test_a_submitted_rectification_is_edited_only_by_its_side_and_keeps_an_after_photo(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    world.own_finding.status = FindingStatus.DISPATCHED
    db.add(world.own_finding)
    db.commit()
    staff = device(client, world, Role.ENTERPRISE_STAFF)
    first = rectification_mutation(world.own_finding.id, ["c" * 64], note="已补发安全帽")
    staff.push_ok([first])
    stored = db.get(Rectification, uuid.UUID(first["id"]))
    assert stored is not None
    stored.verification = {"verdict": "pass", "reasons": []}  # as the AI verification leaves it
    db.add(stored)
    db.commit()

    inspector = device(client, world, Role.INSPECTOR)
    [rewritten] = inspector.push_ok(
        [edit_mutation("rectification", first["id"], None, note="改写的整改说明", photos=["f" * 64])]
    )
    assert rewritten["status"] == "rejected" and rewritten["error"]["code"] == "forbidden"
    [emptied] = staff.push_ok([edit_mutation("rectification", first["id"], None, photos=[])])
    assert emptied["status"] == "rejected" and emptied["error"]["code"] == "photos_required"
    db.expire_all()
    kept = db.get(Rectification, uuid.UUID(first["id"]))
    assert kept is not None and (kept.note, kept.photos) == ("已补发安全帽", ["c" * 64])

    [replaced] = staff.push_ok([edit_mutation("rectification", first["id"], kept.version, photos=["d" * 64])])
    assert replaced["status"] == "applied"
    db.expire_all()
    edited = db.get(Rectification, uuid.UUID(first["id"]))
    assert edited is not None and edited.photos == ["d" * 64]
    assert edited.verification is None  # the verdict on the old photo no longer stands
    timeline = client.get(f"/api/v1/findings/{world.own_finding.id}", headers=staff.headers).json()[
        "timeline"
    ]
    [change] = [step for step in timeline if step["action"] == "rectification.edited"]
    assert change["detail"] == {
        "rectification_id": first["id"],
        "photos": ["d" * 64],
    }  # what the supervisor now reviews


def test_rectification_of_a_finding_not_yet_dispatched_is_rejected(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    staff = device(client, world, Role.ENTERPRISE_STAFF)
    [result] = staff.push_ok([rectification_mutation(world.own_finding.id, ["e" * 64])])
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "illegal_transition"
    assert result["error"]["detail"] == {"status": "reported"}


def test_a_rectification_echoed_as_pulled_with_its_ai_verdict_is_edited(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    """The verdict is the server's: a phone that edits the note and sends the pulled record back
    whole is not trying to change it."""
    finding = factories.finding(
        db, world.own, status=FindingStatus.DISPATCHED, dispatched_at=datetime.now(UTC)
    )
    db.commit()
    staff = Device(client, world.headers(client, Role.ENTERPRISE_STAFF))
    sha, photo = jpeg_photo(41, (80, 60))
    assert staff.upload(sha, photo).status_code == 201
    [submitted] = staff.push_ok([rectification_mutation(finding.id, [sha])])
    settle(client)
    [pulled] = [c for c in staff.pull_all() if c["id"] == submitted["id"]]
    echo = {**pulled["data"], "note": "已补发安全帽，班组长签字确认"}
    [edited] = staff.push_ok([edit_mutation("rectification", submitted["id"], pulled["version"], **echo)])
    assert edited["status"] == "applied", edited
    [changed] = staff.push_ok(
        [edit_mutation("rectification", submitted["id"], edited["version"], verification={"verdict": "pass"})]
    )
    assert changed["status"] == "rejected" and changed["error"]["code"] == "server_owned_field"
