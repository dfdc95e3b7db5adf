"""Logging in, tokens, and the brute-force limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
from litestar import Litestar
from litestar.testing import TestClient

from backend.domain.accounts.roles import Role
from backend.domain.accounts.tokens import issue_token
from backend.settings import Settings
from tests.conftest import ParkWorld
from tests.factories import DEFAULT_PASSWORD


def login(client: TestClient[Litestar], username: str, password: str, ip: str | None = None) -> object:
    headers = {"X-Forwarded-For": ip} if ip else None
    return client.post(
        "/api/v1/auth/login", json={"username": username, "password": password}, headers=headers
    )


def test_login_returns_bearer_token_and_user_per_contract(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    staff = world.users[Role.ENTERPRISE_STAFF]
    response = client.post(
        "/api/v1/auth/login", json={"username": staff.username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] > 0
    assert body["user"] == {
        "id": str(staff.id),
        "username": staff.username,
        "role": "enterprise_staff",
        "park_id": str(staff.park_id),
        "enterprise_id": str(world.own.id),
        "display_name": "",
    }
    me = client.get("/api/v1/enterprises", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200


def test_wrong_password_and_unknown_user_are_both_401(client: TestClient[Litestar], world: ParkWorld) -> None:
    wrong = client.post(
        "/api/v1/auth/login",
        json={"username": world.users[Role.INSPECTOR].username, "password": "not-the-password"},
    )
    unknown = client.post("/api/v1/auth/login", json={"username": "nobody", "password": "whatever1"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"]["code"] == unknown.json()["error"]["code"] == "invalid_credentials"


def test_repeated_failures_are_throttled_with_retry_after(
    client: TestClient[Litestar], world: ParkWorld, settings: Settings
) -> None:
    username = world.users[Role.INSPECTOR].username
    for _ in range(settings.login_max_failures):
        response = client.post("/api/v1/auth/login", json={"username": username, "password": "guess-guess"})
        assert response.status_code == 401
    blocked = client.post("/api/v1/auth/login", json={"username": username, "password": DEFAULT_PASSWORD})
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "too_many_login_attempts"
    assert int(blocked.headers["retry-after"]) > 0
    other_user = client.post(
        "/api/v1/auth/login",
        json={"username": world.users[Role.SUPERVISOR].username, "password": DEFAULT_PASSWORD},
    )
    assert other_user.status_code == 200


def test_successful_login_resets_the_failure_count(
    client: TestClient[Litestar], world: ParkWorld, settings: Settings
) -> None:
    username = world.users[Role.INSPECTOR].username
    for _ in range(settings.login_max_failures - 1):
        client.post("/api/v1/auth/login", json={"username": username, "password": "guess-guess"})
    assert (
        client.post(
            "/api/v1/auth/login", json={"username": username, "password": DEFAULT_PASSWORD}
        ).status_code
        == 200
    )
    for _ in range(settings.login_max_failures - 1):
        client.post("/api/v1/auth/login", json={"username": username, "password": "guess-guess"})
    assert (
        client.post(
            "/api/v1/auth/login", json={"username": username, "password": DEFAULT_PASSWORD}
        ).status_code
        == 200
    )


def test_expired_tampered_and_foreign_tokens_are_401(
    client: TestClient[Litestar], world: ParkWorld, settings: Settings
) -> None:
    user_id = world.users[Role.PARK_ADMIN].id
    expired = issue_token(user_id, settings.signing_key, 60, now=datetime.now(UTC) - timedelta(hours=1))
    valid = world.token(client, Role.PARK_ADMIN)
    header, payload, signature = valid.split(".")
    tampered = f"{header}.{payload}.{signature[::-1]}"
    forged = jwt.encode(
        {"sub": str(user_id), "iss": "parksafe", "exp": datetime.now(UTC) + timedelta(hours=1)},
        "another-key-another-key-another-key!",
        algorithm="HS256",
    )
    for token in (expired.access_token, tampered, forged, "not-a-jwt"):
        response = client.get("/api/v1/enterprises", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token
        assert response.json()["error"]["code"] == "invalid_token"
    assert (
        "过期"
        in client.get(
            "/api/v1/enterprises", headers={"Authorization": f"Bearer {expired.access_token}"}
        ).json()["error"]["message"]
    )


def test_missing_or_malformed_authorization_is_401(client: TestClient[Litestar], world: ParkWorld) -> None:
    assert client.get("/api/v1/enterprises").status_code == 401
    token = world.token(client, Role.PARK_ADMIN)
    for header in (token, f"Basic {token}", "Bearer "):
        response = client.get("/api/v1/enterprises", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.json()["error"]["code"] in {"invalid_token", "unauthorized"}


def test_deactivated_user_token_stops_working(
    client: TestClient[Litestar], world: ParkWorld, db: object
) -> None:
    from sqlmodel import Session

    assert isinstance(db, Session)
    headers = world.headers(client, Role.INSPECTOR)
    inspector = db.get(type(world.users[Role.INSPECTOR]), world.users[Role.INSPECTOR].id)
    assert inspector is not None
    inspector.is_active = False
    db.add(inspector)
    db.commit()
    assert client.get("/api/v1/enterprises", headers=headers).status_code == 401
