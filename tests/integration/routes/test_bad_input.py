"""Bad input gets a 4xx error envelope that names the problem: never a 5xx, never a partial write."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, SQLModel

from backend.db.models import AuditEvent, Enterprise, Finding, LoginFailure, User
from backend.domain.accounts.roles import Role
from backend.settings import Settings
from tests import factories
from tests.conftest import ParkWorld

LOGIN = "/api/v1/auth/login"
JSON = {"content-type": "application/json"}
WATCHED_TABLES: tuple[type[SQLModel], ...] = (User, Enterprise, Finding, LoginFailure, AuditEvent)


def row_counts(session_factory: sessionmaker[Session]) -> dict[str, int]:
    with session_factory() as session:
        return {
            model.__name__: session.scalar(sa.select(sa.func.count()).select_from(model)) or 0
            for model in WATCHED_TABLES
        }


def assert_envelope(
    response: Any, status: int, *, code: str | None = None, names: str = ""
) -> dict[str, Any]:
    """The contract's error body; ``names`` must appear in what the client is told."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "detail"}, body
    error: dict[str, Any] = body["error"]
    assert error["code"] and error["message"]
    if code is not None:
        assert error["code"] == code
    told = f"{error['message']} {json.dumps(error['detail'], ensure_ascii=False)}"
    assert names.lower() in told.lower(), f"{names!r} not named in {told!r}"
    return error


BAD_LOGIN_BODIES: list[tuple[str, bytes, str]] = [
    ("malformed_json", b'{username: "inspector"}', "malformed"),
    ("truncated_json", b'{"username": "inspector", ', "truncated"),
    ("username_is_a_number", json.dumps({"username": 123, "password": "long-enough"}).encode(), "username"),
    ("username_is_an_object", json.dumps({"username": {"$ne": ""}, "password": "x"}).encode(), "username"),
    ("password_missing", json.dumps({"username": "inspector"}).encode(), "password"),
    ("body_is_a_list", b'["inspector", "password"]', "object"),
    ("username_empty", json.dumps({"username": "", "password": "long-enough"}).encode(), "username"),
    ("username_10k_chars", json.dumps({"username": "u" * 10_000, "password": "pw"}).encode(), "username"),
    (
        "password_10k_chars",
        json.dumps({"username": "inspector", "password": "p" * 10_000}).encode(),
        "password",
    ),
]


@pytest.mark.parametrize(
    ("body", "named"), [(b, n) for _, b, n in BAD_LOGIN_BODIES], ids=[i for i, _, _ in BAD_LOGIN_BODIES]
)
def test_malformed_login_body_is_400_naming_the_problem_and_records_no_login_failure(
    client: TestClient[Litestar],
    world: ParkWorld,
    session_factory: sessionmaker[Session],
    body: bytes,
    named: str,
) -> None:
    before = row_counts(session_factory)
    response = client.post(LOGIN, content=body, headers=JSON)
    assert_envelope(response, 400, names=named)
    assert row_counts(session_factory) == before
    assert before["LoginFailure"] == 0


def test_empty_login_body_is_400_and_records_nothing(
    client: TestClient[Litestar], world: ParkWorld, session_factory: sessionmaker[Session]
) -> None:
    before = row_counts(session_factory)
    assert_envelope(client.post(LOGIN, content=b"", headers=JSON), 400)
    assert_envelope(client.post(LOGIN), 400)
    assert row_counts(session_factory) == before


def test_empty_login_body_is_explained_as_a_missing_body(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    error = assert_envelope(client.post(LOGIN, content=b"", headers=JSON), 400)
    told = f"{error['message']} {json.dumps(error['detail'])}".lower()
    assert any(word in told for word in ("empty", "missing", "required")), told


def test_body_over_the_size_limit_is_413_and_records_nothing(
    client: TestClient[Litestar], world: ParkWorld, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    credentials = json.dumps({"username": world.users[Role.INSPECTOR].username, "password": "wrong-one"})
    exactly_the_limit = credentials + " " * (settings.max_json_body_bytes - len(credentials.encode()))
    before = row_counts(session_factory)
    oversize = client.post(LOGIN, content=(exactly_the_limit + " ").encode(), headers=JSON)
    assert_envelope(oversize, 413, code="payload_too_large")
    assert oversize.json()["error"]["detail"] == {"max_bytes": settings.max_json_body_bytes}
    assert f"最多 {settings.max_json_body_bytes:,} 字节" in oversize.json()["error"]["message"]
    assert row_counts(session_factory) == before
    at_the_limit = client.post(LOGIN, content=exactly_the_limit.encode(), headers=JSON)
    assert_envelope(at_the_limit, 401, code="invalid_credentials")


def test_deeply_nested_json_is_a_4xx_not_a_crash(client: TestClient[Litestar], world: ParkWorld) -> None:
    depth = 100_000  # 200 KB, well under the body limit
    response = client.post(LOGIN, content=b"[" * depth + b"]" * depth, headers=JSON)
    assert_envelope(response, 400)


SQLISH = ["' OR 1=1 --", "admin'--", '" OR ""="', "'; DROP TABLE user_account; --"]


@pytest.mark.parametrize("injection", SQLISH)
def test_sql_like_credentials_simply_fail_login(
    client: TestClient[Litestar], world: ParkWorld, session_factory: sessionmaker[Session], injection: str
) -> None:
    real = world.users[Role.INSPECTOR].username
    before = row_counts(session_factory)
    for credentials in (
        {"username": injection, "password": injection},
        {"username": real + injection, "password": factories.DEFAULT_PASSWORD},
        {"username": real, "password": injection},
    ):
        assert_envelope(client.post(LOGIN, json=credentials), 401, code="invalid_credentials")
    after = row_counts(session_factory)
    assert after == before | {"LoginFailure": before["LoginFailure"] + 3}
    assert (
        client.post(LOGIN, json={"username": real, "password": factories.DEFAULT_PASSWORD}).status_code == 200
    )


def test_nul_byte_in_username_is_a_4xx_on_every_database(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    response = client.post(LOGIN, json={"username": "inspector\x00", "password": "long-enough"})
    assert 400 <= response.status_code < 500, response.text
    assert_envelope(response, response.status_code)


BAD_QUERIES = [
    ("status=bogus", "status"),
    ("status=' OR 1=1 --", "status"),
    ("level=bogus", "level"),
    ("enterprise_id=nope", "enterprise_id"),
    ("offset=-1", "offset"),
    ("limit=0", "limit"),
    ("limit=abc", "limit"),
    ("limit=501", "limit"),
]


@pytest.mark.parametrize(("query", "named"), BAD_QUERIES)
def test_bad_list_query_is_400_naming_the_parameter(
    client: TestClient[Litestar], world: ParkWorld, query: str, named: str
) -> None:
    response = client.get(f"/api/v1/findings?{query}", headers=world.headers(client, Role.PARK_ADMIN))
    assert_envelope(response, 400, code="validation_error", names=named)


def test_negative_offset_on_enterprises_is_400(client: TestClient[Litestar], world: ParkWorld) -> None:
    response = client.get("/api/v1/enterprises?offset=-1", headers=world.headers(client, Role.PARK_ADMIN))
    assert_envelope(response, 400, code="validation_error", names="offset")


@pytest.mark.parametrize("path", ["/api/v1/enterprises", "/api/v1/findings"])
def test_offset_beyond_a_64_bit_integer_is_400(
    client: TestClient[Litestar], world: ParkWorld, path: str
) -> None:
    response = client.get(f"{path}?offset={2**63}", headers=world.headers(client, Role.PARK_ADMIN))
    assert_envelope(response, 400, names="offset")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/enterprises/not-a-uuid",
        "/api/v1/findings/12345",
        "/api/v1/findings/%27%20OR%201%3D1%20--",
        f"/api/v1/findings/{str(uuid.uuid4())[:-1]}",
    ],
)
def test_non_uuid_record_id_is_400_naming_the_path_parameter(
    client: TestClient[Litestar], world: ParkWorld, path: str
) -> None:
    response = client.get(path, headers=world.headers(client, Role.PARK_ADMIN))
    error = assert_envelope(response, 400, code="invalid_path_id", names="UUID")
    assert error["detail"]["path_parameter"] in ("enterprise_id", "finding_id")


def test_non_uuid_id_in_an_action_path_is_400_and_changes_nothing(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    admin = world.headers(client, Role.PARK_ADMIN)
    response = client.post(
        "/api/v1/findings/not-a-uuid/dispatch", json={"deadline": "2026-12-31T00:00:00Z"}, headers=admin
    )
    assert_envelope(response, 400, code="invalid_path_id", names="finding_id")
    assert (
        client.get(f"/api/v1/findings/{world.own_finding.id}", headers=admin).json()["status"] == "reported"
    )


@pytest.mark.parametrize(
    "path", ["/api/v1/nope", "/api/v1/enterprises/x/y/z", "/api", "/nope", "/nope/deeper.json"]
)
def test_unknown_route_is_404_envelope(client: TestClient[Litestar], world: ParkWorld, path: str) -> None:
    assert_envelope(client.get(path, headers=world.headers(client, Role.PARK_ADMIN)), 404, code="not_found")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/api/v1/enterprises"),
        ("POST", "/api/v1/findings"),
        ("PATCH", "/api/v1/enterprises/{enterprise}"),
        ("PUT", "/api/v1/findings/{finding}"),
        ("GET", LOGIN),
        ("POST", "/health"),
    ],
)
def test_wrong_method_is_405_envelope_and_changes_nothing(
    client: TestClient[Litestar],
    world: ParkWorld,
    session_factory: sessionmaker[Session],
    method: str,
    path: str,
) -> None:
    url = path.format(enterprise=world.own.id, finding=world.own_finding.id)
    headers = world.headers(client, Role.PARK_ADMIN)
    before = row_counts(session_factory)
    response = client.request(method, url, headers=headers, json={"description": "overwritten?"})
    assert_envelope(response, 405, code="method_not_allowed")
    assert row_counts(session_factory) == before


def test_absurd_bearer_tokens_are_401_not_5xx(client: TestClient[Litestar], world: ParkWorld) -> None:
    for token in ("t" * 10_000, "a.b.c", "' OR 1=1 --", "eyJhbGciOiJub25lIn0.e30."):
        response = client.get("/api/v1/findings", headers={"Authorization": f"Bearer {token}"})
        assert_envelope(response, 401, code="invalid_token")


def test_what_is_wrong_is_said_in_chinese_first_with_the_english_beside_it(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    supervisor = world.headers(client, Role.SUPERVISOR)
    review = client.post(
        f"/api/v1/findings/{world.own_finding.id}/review", json={"decision": "maybe"}, headers=supervisor
    )
    error = assert_envelope(review, 400, code="validation_error", names="maybe")
    chinese, english = error["message"].split(" / ", 1)
    assert "取值无效：'maybe'" in chinese and "Invalid enum value 'maybe'" in english

    inspector = world.headers(client, Role.INSPECTOR)
    mutation = {
        "mutation_id": str(uuid.uuid4()),
        "entity": "finding",
        "op": "upsert",
        "id": str(uuid.uuid4()),
        "data": {
            "enterprise_id": str(world.own.id),
            "description": "罐区未戴安全帽",
            "photos": ["a" * 64] * 21,
        },
    }
    pushed = client.post(
        "/api/v1/sync/push",
        json={"device_id": "p1", "batch_id": str(uuid.uuid4()), "mutations": [mutation]},
        headers=inspector,
    )
    [result] = pushed.json()["results"]
    assert result["status"] == "rejected"
    assert result["error"]["message"].startswith(
        "数据不合法：列表长度不能超过 20（位置：photos） / invalid data:"
    )


@pytest.mark.parametrize(
    ("action", "field", "choices"),
    [
        ("review", "decision", ["approve", "reject"]),
        ("governance-plan/review", "decision", ["accept", "return"]),
        ("level", "level", ["general", "major"]),
        ("ai-corrections", "kind", ["wrong", "missing"]),
    ],
)
def test_a_body_value_that_is_not_one_of_the_choices_is_told_the_choices(
    client: TestClient[Litestar], world: ParkWorld, action: str, field: str, choices: list[str]
) -> None:
    """A supervisor who typed 通过 instead of approve learns the words the endpoint takes."""
    response = client.post(
        f"/api/v1/findings/{world.own_finding.id}/{action}",
        json={field: "通过"},
        headers=world.headers(client, Role.SUPERVISOR),
    )
    error = assert_envelope(response, 400, code="validation_error", names="通过")
    assert f"{field}: 取值无效：'通过'（可选值：{'、'.join(choices)}）" in error["message"]
    assert f"(allowed: {', '.join(choices)})" in error["message"]
    assert error["detail"][0]["allowed"] == choices


def test_a_role_refused_an_endpoint_is_told_so_once(client: TestClient[Litestar], world: ParkWorld) -> None:
    refused = client.get("/api/v1/notifications", headers=world.headers(client, Role.INSPECTOR))
    error = assert_envelope(refused, 403, code="forbidden")
    assert error["message"] == "当前角色无权执行此操作 / role not allowed"
