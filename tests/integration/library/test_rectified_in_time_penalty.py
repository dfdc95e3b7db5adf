"""首次发现且已及时整改 (the lower fine, rules/discretion.yaml) is said of a hazard that was put right:
fixed on the spot, or accepted on a proof sent within the deadline. A finding merely marked
即查即改 and not yet fixed, or one whose fix was sent back, is 首次发现; its notice does not tell the
enterprise it already fixed the hazard."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from backend.domain.accounts.roles import Role
from tests.conftest import ParkWorld
from tests.devices import Device, finding_mutation, rectification_mutation, settle
from tests.photos import camera_jpeg, sha256

PROMPT = "首次发现且已及时整改，从轻考虑"
FIXED_ON_THE_SPOT = "当场整改完毕（即查即改）"


def draft(client: TestClient[Litestar], world: ParkWorld, finding_id: str) -> dict[str, Any]:
    settle(client)
    headers = world.headers(client, Role.PARK_ADMIN)
    penalty: dict[str, Any] = client.get(f"/api/v1/findings/{finding_id}", headers=headers).json()[
        "penalty_draft"
    ]
    assert penalty is not None
    return penalty


def notice_text(client: TestClient[Litestar], world: ParkWorld, finding_id: str, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("make install installs poppler-utils")
    headers = world.headers(client, Role.PARK_ADMIN)
    response = client.get(f"/api/v1/findings/{finding_id}/penalty-draft.pdf", headers=headers)
    assert response.status_code == 200, response.text
    path = tmp_path / "notice.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.replace("\n", "")  # lines wrap anywhere


def reported(device: Device, world: ParkWorld, **extra: Any) -> tuple[str, str]:
    """A helmet finding with its photo; returns its id and a stored after-photo's hash."""
    before, after = camera_jpeg(color=(190, 40, 40)), camera_jpeg(color=(40, 160, 70))
    for photo in (before, after):
        assert device.upload(sha256(photo), photo).status_code == 201
    report = finding_mutation(world.own.id, photos=[sha256(before)], checklist_code="XC-08-01", **extra)
    [applied] = device.push_ok([report])
    assert applied["status"] == "applied", applied
    return str(report["id"]), sha256(after)


def test_a_fix_on_the_spot_is_weighed_once_it_is_made_and_no_longer_once_it_is_sent_back(
    client: TestClient[Litestar], world: ParkWorld, tmp_path: Path
) -> None:
    inspector = Device(client, world.headers(client, Role.INSPECTOR))
    finding_id, after = reported(inspector, world, handling="on_the_spot")
    assert PROMPT not in draft(client, world, finding_id)["rationale"]
    assert FIXED_ON_THE_SPOT not in notice_text(client, world, finding_id, tmp_path)

    [fixed] = inspector.push_ok([rectification_mutation(finding_id, [after])])
    assert fixed["status"] == "applied", fixed
    assert PROMPT in draft(client, world, finding_id)["rationale"]
    assert FIXED_ON_THE_SPOT in notice_text(client, world, finding_id, tmp_path)

    deadline = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    rejected = client.post(
        f"/api/v1/findings/{finding_id}/review",
        json={"decision": "reject", "comment": "现场仍有人未戴安全帽", "deadline": deadline.isoformat()},
        headers=world.headers(client, Role.SUPERVISOR),
    )
    assert rejected.status_code == 200, rejected.text
    assert PROMPT not in draft(client, world, finding_id)["rationale"]
    assert FIXED_ON_THE_SPOT not in notice_text(client, world, finding_id, tmp_path)


def test_a_proof_sent_within_the_deadline_and_accepted_is_weighed_as_rectified_in_time(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    inspector = Device(client, world.headers(client, Role.INSPECTOR))
    finding_id, _ = reported(inspector, world)
    deadline = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    dispatched = client.post(
        f"/api/v1/findings/{finding_id}/dispatch",
        json={"deadline": deadline.isoformat()},
        headers=world.headers(client, Role.PARK_ADMIN),
    )
    assert dispatched.status_code == 200, dispatched.text
    staff = Device(client, world.headers(client, Role.ENTERPRISE_STAFF))
    proof = camera_jpeg(color=(30, 90, 200))
    assert staff.upload(sha256(proof), proof).status_code == 201
    [rectified] = staff.push_ok([rectification_mutation(finding_id, [sha256(proof)])])
    assert rectified["status"] == "applied", rectified
    assert PROMPT not in draft(client, world, finding_id)["rationale"]  # not accepted yet

    approved = client.post(
        f"/api/v1/findings/{finding_id}/review",
        json={"decision": "approve", "comment": "已补发安全帽并培训"},
        headers=world.headers(client, Role.SUPERVISOR),
    )
    assert approved.status_code == 200, approved.text
    assert PROMPT in draft(client, world, finding_id)["rationale"]
