"""Every response carries a request id; the OpenAPI document and /health answer without a login."""

from __future__ import annotations

import math
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar, get
from litestar.testing import TestClient
from sqlmodel import Session

from backend.db.migrate import current_head, known_revisions
from backend.settings import Settings
from mobile_api.app import create_app
from mobile_api.state import AppState

SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
CONTRACT_PATHS = {
    "/health": "get",
    "/api/v1/auth/login": "post",
    "/api/v1/enterprises": "get",
    "/api/v1/enterprises/{enterprise_id}": "get",
    "/api/v1/findings": "get",
    "/api/v1/findings/{finding_id}": "get",
}
UNREACHABLE_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"


def app_with(tmp_path: Path, database_url: str) -> Litestar:
    return create_app(
        Settings(
            _env_file=None,
            data_dir=tmp_path / "data",
            database_url=database_url,
            secret_key="test-signing-key-that-is-long-enough-for-hs256",
            job_backend="inprocess",
        )
    )


@pytest.fixture
def bare_client(tmp_path: Path) -> Iterator[TestClient[Litestar]]:
    """An app on an empty SQLite file: enough for answers that never read a table."""

    @get("/test-only/crash", sync_to_thread=False)
    def crash() -> None:
        raise RuntimeError("internal detail that must not leak")

    app = app_with(tmp_path, f"sqlite:///{tmp_path / 'empty.db'}")
    app.register(crash)
    with TestClient(app) as client:
        yield client


REQUESTS: list[tuple[str, str, dict[str, Any], int]] = [
    ("GET", "/health", {}, 503),  # the bare app's database was never migrated
    ("GET", "/schema/openapi.json", {}, 200),
    ("GET", "/", {}, 200),
    ("GET", "/api/v1/enterprises", {}, 401),
    ("GET", "/api/v1/findings", {"headers": {"Authorization": "Bearer not-a-jwt"}}, 401),
    (
        "POST",
        "/api/v1/auth/login",
        {"content": b"{oops", "headers": {"content-type": "application/json"}},
        400,
    ),
    ("GET", "/api/v1/nope", {}, 404),
    ("GET", "/nope.js", {}, 404),
    ("POST", "/health", {}, 405),
    ("DELETE", "/api/v1/enterprises", {}, 405),
    ("GET", "/test-only/crash", {}, 500),
]


@pytest.mark.parametrize(
    ("method", "path", "extra", "status"), REQUESTS, ids=[f"{s} {m} {p}" for m, p, _, s in REQUESTS]
)
def test_every_response_carries_a_generated_request_id(
    bare_client: TestClient[Litestar], method: str, path: str, extra: dict[str, Any], status: int
) -> None:
    response = bare_client.request(method, path, **extra)
    assert response.status_code == status, response.text
    assert SANE_ID.match(response.headers.get("x-request-id", "")), response.headers


def test_a_crash_is_a_500_envelope_with_request_id_and_no_internals(
    bare_client: TestClient[Litestar],
) -> None:
    response = bare_client.get("/test-only/crash")
    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "internal_error", "message": "服务器内部错误 / internal error", "detail": None}
    }
    assert "x-request-id" in response.headers
    assert "must not leak" not in response.text


def test_each_request_gets_its_own_generated_id(bare_client: TestClient[Litestar]) -> None:
    ids = {bare_client.get("/health").headers["x-request-id"] for _ in range(5)}
    assert len(ids) == 5


@pytest.mark.parametrize("sent", ["abc.DEF-123_x", str(uuid.uuid4()), "r" * 64, "nginx-7f3a9c"])
@pytest.mark.parametrize("path", ["/health", "/api/v1/enterprises", "/api/v1/nope"])
def test_a_sane_incoming_request_id_is_echoed(
    bare_client: TestClient[Litestar], sent: str, path: str
) -> None:
    response = bare_client.get(path, headers={"X-Request-ID": sent})
    assert response.headers["x-request-id"] == sent


@pytest.mark.parametrize(
    "sent", ["has spaces in it", "a" * 200, "r" * 65, "semi;colon", "<script>", "new\tline"]
)
def test_an_insane_incoming_request_id_is_replaced(bare_client: TestClient[Litestar], sent: str) -> None:
    response = bare_client.get("/health", headers={"X-Request-ID": sent})
    echoed = response.headers["x-request-id"]
    assert echoed != sent
    assert SANE_ID.match(echoed)


def test_openapi_document_lists_every_contract_path_without_login(bare_client: TestClient[Litestar]) -> None:
    response = bare_client.get("/schema/openapi.json")
    assert response.status_code == 200
    assert "json" in response.headers["content-type"]  # application/vnd.oai.openapi+json
    document = response.json()
    for path, method in CONTRACT_PATHS.items():
        assert method in document["paths"].get(path, {}), f"{method.upper()} {path} missing"
    assert document["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"


def test_health_is_ok_without_login_while_the_database_answers(client: TestClient[Litestar]) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert "x-request-id" in response.headers


def test_health_answers_head_probes_with_the_status_and_length_of_get(client: TestClient[Litestar]) -> None:
    """Uptime monitors and load balancers often probe with HEAD: a 405 would mark the server down."""
    probe = client.head("/health")
    assert probe.status_code == 200 and probe.content == b""
    assert probe.headers["content-length"] == str(len(client.get("/health").content))


def test_health_asks_the_database_at_most_once_a_second_while_it_answers(
    client: TestClient[Litestar],
) -> None:
    """Load balancers probe every replica many times a second; those probes must not load the database."""
    queries: list[str] = []
    engine = AppState.of(client.app).engine
    listener = lambda *args: queries.append(args[2])  # noqa: E731  (before_cursor_execute: statement)
    sa.event.listen(engine, "before_cursor_execute", listener)
    started = time.monotonic()
    try:
        statuses = {client.get("/health").status_code for _ in range(20)}
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    seconds = time.monotonic() - started
    assert statuses == {200}
    assert queries.count("SELECT 1") <= 1 + math.floor(seconds)  # once a second, however slow the machine


def test_health_is_503_envelope_when_the_database_is_unreachable(tmp_path: Path) -> None:
    with TestClient(app_with(tmp_path, UNREACHABLE_DATABASE)) as client:
        response = client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "detail"}
    assert body["error"]["code"] == "database_unavailable"
    assert "database" in body["error"]["message"]
    assert "x-request-id" in response.headers


def test_a_head_probe_of_an_unreachable_database_gets_503(tmp_path: Path) -> None:
    with TestClient(app_with(tmp_path, UNREACHABLE_DATABASE)) as client:
        assert client.head("/health").status_code == 503


def test_a_database_never_migrated_reads_as_not_ready_not_as_a_server_error(tmp_path: Path) -> None:
    """Deployed before `parksafe db upgrade` (a migration job still running): a load balancer must
    keep traffic away, and a request that gets through is told why, not answered with a 500."""
    with TestClient(app_with(tmp_path, f"sqlite:///{tmp_path / 'empty.db'}")) as client:
        health = client.get("/health")
        login = client.post("/api/v1/auth/login", json={"username": "admin", "password": "Admin@2026"})
    assert health.status_code == 503
    assert health.json()["error"]["code"] == "database_not_migrated"
    assert "parksafe db upgrade" in health.json()["error"]["message"]
    assert login.status_code == 503 and login.json()["error"]["code"] == "database_not_migrated"


def test_a_database_behind_is_not_ready_and_one_migrated_ahead_by_a_newer_release_still_serves(
    client: TestClient[Litestar], db: Session
) -> None:
    """During a rolling update the new release migrates first; the old replicas keep serving."""
    older = next(iter(known_revisions() - {current_head()}))
    try:
        db.execute(sa.text("UPDATE alembic_version SET version_num = :older"), {"older": older})
        db.commit()
        assert client.get("/health").json()["error"]["code"] == "database_not_migrated"
        db.execute(sa.text("UPDATE alembic_version SET version_num = 'f00dfacef00d'"))
        db.commit()
        assert client.get("/health").status_code == 200
    finally:
        db.execute(sa.text("UPDATE alembic_version SET version_num = :head"), {"head": current_head()})
        db.commit()
