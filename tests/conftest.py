"""Shared fixtures. Database tests run once on SQLite and once on the local PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("PARKSAFE_LOG_LEVEL", "WARNING")
os.environ.setdefault("LITESTAR_WARN_IMPLICIT_SYNC_TO_THREAD", "0")

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from backend.db.engine import create_db_engine, create_session_factory
from backend.db.migrate import upgrade
from backend.db.models import Enterprise, Finding, User
from backend.domain.accounts.roles import Role
from backend.settings import Settings
from mobile_api.app import create_app
from tests import factories
from tests.databases import empty_all_tables, postgres_available, postgres_database, sqlite_database

pytest_plugins = ["tests.s3"]  # s3_endpoint, s3_bucket: moto's server over real HTTP

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database of each backend, shared by the session; tests empty it after use."""
    if request.param == "postgresql":
        if not postgres_available():
            if os.environ.get("CI"):
                pytest.fail("PostgreSQL is not reachable on 127.0.0.1:5432; CI must test it")
            pytest.skip("PostgreSQL not reachable")
        context = postgres_database()
    else:
        context = sqlite_database(tmp_path_factory.mktemp("sqlite"))
    with context as url:
        upgrade(url)
        yield url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Iterator[Settings]:
    yield Settings(
        _env_file=None,
        data_dir=tmp_path / "data",
        database_url=database_url,
        secret_key="test-signing-key-that-is-long-enough-for-hs256",
        job_backend="inprocess",
    )
    empty_all_tables(database_url)


@pytest.fixture
def session_factory(settings: Settings) -> Iterator[sessionmaker[Session]]:
    engine = create_db_engine(settings)
    yield create_session_factory(engine)
    engine.dispose()


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for arranging data; commit what the app should see."""
    with session_factory() as session:
        yield session


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app) as test_client:
        yield test_client


@dataclass
class ParkWorld:
    """Two enterprises and one user of each role; ``staff`` belongs to ``own``, not ``other``."""

    own: Enterprise
    other: Enterprise
    users: dict[Role, User]
    own_finding: Finding
    other_finding: Finding

    def token(self, client: TestClient[Litestar], role: Role) -> str:
        response = client.post(
            "/api/v1/auth/login",
            json={"username": self.users[role].username, "password": factories.DEFAULT_PASSWORD},
        )
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    def headers(self, client: TestClient[Litestar], role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(client, role)}"}


@pytest.fixture
def world(db: Session) -> ParkWorld:
    park = factories.park(db)
    own = factories.enterprise(db, park, name="滨江精细化工有限公司", major_hazard_source=True)
    other = factories.enterprise(db, park, name="华彩涂料科技有限公司")
    users = {
        role: factories.user(db, park, role, own if role is Role.ENTERPRISE_STAFF else None) for role in Role
    }
    world = ParkWorld(own, other, users, factories.finding(db, own), factories.finding(db, other))
    db.commit()
    return world
