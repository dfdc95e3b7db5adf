"""The demo park as a visitor meets it: every documented login works and sees its scope."""

from __future__ import annotations

import json

from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import Session

from backend.domain.enterprises.credit_code import is_valid_credit_code
from backend.settings import Settings
from seed.loader import DEMO_FIXTURE, run_seed

FIXTURE = json.loads(DEMO_FIXTURE.read_text(encoding="utf-8"))


def test_demo_park_is_a_plausible_chemical_park() -> None:
    enterprises = FIXTURE["enterprises"]
    assert 8 <= len(enterprises) <= 10
    assert sum(e["major_hazard_source"] for e in enterprises) >= 3
    assert {"精细化工", "石油化工", "危险化学品仓储", "涂料", "农药"} <= {e["industry"] for e in enterprises}
    assert all(is_valid_credit_code(e["credit_code"]) for e in enterprises)
    assert {u["role"] for u in FIXTURE["users"]} == {
        "park_admin",
        "inspector",
        "supervisor",
        "enterprise_staff",
    }


def test_every_demo_login_works_and_sees_only_its_scope(
    client: TestClient[Litestar], db: Session, settings: Settings
) -> None:
    run_seed(db, settings, demo=True)
    db.commit()
    for user in FIXTURE["users"]:
        login = client.post(
            "/api/v1/auth/login", json={"username": user["username"], "password": user["password"]}
        )
        assert login.status_code == 200, user["username"]
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        listed = client.get("/api/v1/enterprises", headers=headers).json()
        if user["role"] == "enterprise_staff":
            assert [e["code"] for e in listed["items"]] == [user["enterprise"]]
        else:
            assert listed["total"] == len(FIXTURE["enterprises"])
