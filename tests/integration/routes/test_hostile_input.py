"""Input no honest client sends still gets a 4xx naming the problem, never a 500.

Found by probing a running server: bytes that are not UTF-8, control characters, times at
the ends of the calendar, and a correction on a photo that never arrived.
"""

from __future__ import annotations

import uuid

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import Session

from backend.domain.accounts.roles import Role
from tests import factories
from tests.conftest import ParkWorld
from tests.integration.routes.test_bad_input import assert_envelope

JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (None, "/api/v1/auth/login"),
        (Role.INSPECTOR, "/api/v1/match"),
        (Role.INSPECTOR, "/api/v1/sync/push"),
        (Role.PARK_ADMIN, "/api/v1/findings/{finding}/dispatch"),
    ],
)
def test_a_body_that_is_not_utf8_is_400_naming_the_encoding(
    client: TestClient[Litestar], world: ParkWorld, role: Role | None, path: str
) -> None:
    headers = {**JSON, **(world.headers(client, role) if role else {})}
    response = client.post(
        path.format(finding=world.own_finding.id),
        content=b'{"text": "\xe6\xbc", "username": "\xff\xfe"}',
        headers=headers,
    )
    assert_envelope(response, 400, code="bad_request", names="UTF-8")


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (b'{"device_id": "phone-1", ', "truncated"),
        (b'{"device_id": "\\ud800"}', "JSON"),  # half a UTF-16 pair: msgspec calls it truncated
        (b'{"device_id": "phone-1"}}', "trailing"),
    ],
)
def test_a_body_that_is_not_json_is_400_saying_so_in_chinese(
    client: TestClient[Litestar], world: ParkWorld, body: bytes, named: str
) -> None:
    headers = {**JSON, **world.headers(client, Role.INSPECTOR)}
    response = client.post("/api/v1/sync/push", content=body, headers=headers)
    error = assert_envelope(response, 400, code="bad_request", names=named)
    assert "不是有效的 JSON" in error["message"]


def test_control_characters_in_a_body_or_a_query_are_400_naming_where(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    headers = world.headers(client, Role.INSPECTOR)
    in_body = client.post("/api/v1/match", json={"text": "泵房\x01漏油"}, headers=headers)
    assert_envelope(in_body, 400, code="validation_error", names="body.text")
    # Handlers read their body as JSON whatever the Content-Type says; so does the check.
    as_text = client.post(
        "/api/v1/match",
        content='{"text": "泵房\\u0000漏油"}'.encode(),
        headers={**headers, "content-type": "text/plain"},
    )
    assert_envelope(as_text, 400, code="validation_error", names="body.text")
    in_query = client.get("/api/v1/regulations", params={"q": "安全帽\x00"}, headers=headers)
    nul_message = assert_envelope(in_query, 400, code="validation_error", names="query.q")["message"]
    assert nul_message.count("文本含有控制字符") == 1 and nul_message.count("text contains control") == 1
    assert client.post("/api/v1/match", json={"text": "泵房漏油\n第二行"}, headers=headers).status_code == 200


def test_validation_messages_name_the_parameter_source_plainly(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    response = client.get("/api/v1/findings?limit=abc", headers=world.headers(client, Role.PARK_ADMIN))
    message = assert_envelope(response, 400, names="limit")["message"]
    assert "(query)" in message and "ParamType" not in message


@pytest.mark.parametrize(
    ("deadline", "named"),
    [("9999-12-31T23:59:59-12:00", "5 年"), ("0001-01-01T00:00:00+14:00", "deadline must be in the future")],
)
def test_a_deadline_at_the_ends_of_the_calendar_is_422_and_the_finding_stays_reported(
    client: TestClient[Litestar], world: ParkWorld, deadline: str, named: str
) -> None:
    admin = world.headers(client, Role.PARK_ADMIN)
    path = f"/api/v1/findings/{world.own_finding.id}"
    response = client.post(f"{path}/dispatch", json={"deadline": deadline}, headers=admin)
    assert_envelope(response, 422, names=named)
    assert client.get(path, headers=admin).json()["status"] == "reported"


def test_correcting_a_photo_that_was_never_uploaded_is_422(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    never_uploaded = uuid.uuid4().hex * 2
    finding = factories.finding(db, world.own, photos=[never_uploaded])
    db.commit()
    response = client.post(
        f"/api/v1/findings/{finding.id}/ai-corrections",
        json={"photo": never_uploaded, "kind": "missing", "label": "no_helmet", "box": [0, 0, 10, 10]},
        headers=world.headers(client, Role.SUPERVISOR),
    )
    assert_envelope(response, 422, names="photo")
