"""Who sees what: every /api/v1 endpoint × every role, then the list contract (shape, filters, paging).

The matrix is a table: adding an endpoint is adding one ``Row`` (a guard test fails until you do).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import Session

from backend.domain.accounts.roles import Role
from backend.domain.findings.vocabulary import FindingStatus, HazardLevel
from backend.settings import Settings
from mobile_api.app import create_app
from tests import factories
from tests.conftest import ParkWorld

Caller = Role | Literal["anonymous"]
ANONYMOUS: Caller = "anonymous"
CALLERS: tuple[Caller, ...] = (*Role, ANONYMOUS)
PARK_ROLES = (Role.PARK_ADMIN, Role.INSPECTOR, Role.SUPERVISOR)
Target = Literal["own", "other", "nowhere", "-"]
Body = Callable[[ParkWorld, Caller], dict[str, Any]]


def credentials_of(world: ParkWorld, caller: Caller) -> dict[str, Any]:
    """Each role logs in as itself; the anonymous caller has no account at all."""
    if caller == ANONYMOUS:
        return {"username": "nobody-at-all", "password": "no-such-password"}
    return {"username": world.users[Role(caller)].username, "password": factories.DEFAULT_PASSWORD}


@dataclass(frozen=True)
class Row:
    """One endpoint called on one target record, and the status each kind of caller gets."""

    method: str
    route: str  # as OpenAPI writes it; {enterprise_id} / {finding_id} are filled from ``target``
    target: Target
    park: int
    staff: int
    anonymous: int = 401
    body: Body | None = None
    supervisor: int | None = None  # when the supervisor's answer differs from the other park roles'
    admin: int | None = None  # when the park admin's answer differs from the other park roles'

    def expected(self, caller: Caller) -> int:
        if caller == ANONYMOUS:
            return self.anonymous
        if caller is Role.PARK_ADMIN and self.admin is not None:
            return self.admin
        if caller is Role.SUPERVISOR and self.supervisor is not None:
            return self.supervisor
        return self.staff if caller is Role.ENTERPRISE_STAFF else self.park


# An AI correction naming a photo that is not the finding's.
CORRECTION_TARGETS: list[tuple[Target, int]] = [("own", 422), ("other", 422), ("nowhere", 404)]
NOT_ITS_PHOTO: dict[str, Any] = {
    "photo": "0" * 64,
    "kind": "missing",
    "label": "no_helmet",
    "box": [1, 1, 20, 20],
}

ENDPOINTS: list[Row] = [
    Row("POST", "/api/v1/auth/login", "-", park=200, staff=200, body=credentials_of),
    Row("GET", "/api/v1/enterprises", "-", park=200, staff=200),
    Row("GET", "/api/v1/enterprises/{enterprise_id}", "own", park=200, staff=200),
    Row("GET", "/api/v1/enterprises/{enterprise_id}", "other", park=200, staff=404),
    Row("GET", "/api/v1/enterprises/{enterprise_id}", "nowhere", park=404, staff=404),
    Row("GET", "/api/v1/findings", "-", park=200, staff=200),
    Row("GET", "/api/v1/findings/{finding_id}", "own", park=200, staff=200),
    Row("GET", "/api/v1/findings/{finding_id}", "other", park=200, staff=404),
    Row("GET", "/api/v1/findings/{finding_id}", "nowhere", park=404, staff=404),
    # A reported finding: park roles may dispatch it; reviewing it is illegal now (409) for the supervisor.
    Row(
        "POST",
        "/api/v1/findings/{finding_id}/dispatch",
        "own",
        park=200,
        staff=403,
        body=lambda w, c: tomorrow(),
    ),
    Row(
        "POST",
        "/api/v1/findings/{finding_id}/dispatch",
        "other",
        park=200,
        staff=403,
        body=lambda w, c: tomorrow(),
    ),
    Row(
        "POST",
        "/api/v1/findings/{finding_id}/dispatch",
        "nowhere",
        park=404,
        staff=403,
        body=lambda w, c: tomorrow(),
    ),
    # Grading a reported finding: park roles only; another enterprise's finding is no secret to them.
    Row(
        "POST",
        "/api/v1/findings/{finding_id}/level",
        "own",
        park=200,
        staff=403,
        body=lambda w, c: {"level": "general"},
    ),
    Row(
        "POST",
        "/api/v1/findings/{finding_id}/level",
        "other",
        park=200,
        staff=403,
        body=lambda w, c: {"level": "general"},
    ),
    Row(
        "POST",
        "/api/v1/findings/{finding_id}/level",
        "nowhere",
        park=404,
        staff=403,
        body=lambda w, c: {"level": "general"},
    ),
    Row(
        "POST",
        "/api/v1/findings/{finding_id}/review",
        "own",
        park=403,
        staff=403,
        supervisor=409,
        body=lambda w, c: {"decision": "approve"},
    ),
    Row(
        "POST",
        "/api/v1/findings/{finding_id}/review",
        "other",
        park=403,
        staff=403,
        supervisor=409,
        body=lambda w, c: {"decision": "approve"},
    ),
    Row("POST", "/api/v1/sync/push", "-", park=200, staff=200, body=lambda w, c: comment_batch(w)),
    Row("GET", "/api/v1/sync/pull", "-", park=200, staff=200),
    Row("GET", "/api/v1/stats", "-", park=200, staff=200),
    Row("GET", "/api/v1/notifications", "-", park=403, staff=403, admin=200),
    Row("POST", "/api/v1/match", "-", park=200, staff=200, body=lambda w, c: {"text": "作业人员没戴安全帽"}),
    Row("POST", "/api/v1/ai/detect", "-", park=415, staff=415, body=lambda w, c: {"not": "an image"}),
    Row("GET", "/api/v1/regulations", "-", park=200, staff=200),
    Row("GET", "/api/v1/regulations/{article_id}", "nowhere", park=404, staff=404),
    # The world's findings have no legal basis drafted yet: no notice for anyone.
    Row("GET", "/api/v1/findings/{finding_id}/penalty-draft.pdf", "own", park=404, staff=404),
    Row("GET", "/api/v1/findings/{finding_id}/penalty-draft.pdf", "other", park=404, staff=404),
    # The world's findings are general: no plan exists, and none may be submitted or reviewed (409).
    Row("GET", "/api/v1/findings/{finding_id}/governance-plan", "own", park=404, staff=404),
    Row("GET", "/api/v1/findings/{finding_id}/governance-plan", "other", park=404, staff=404),
    Row(
        "POST",
        "/api/v1/findings/{finding_id}/governance-plan",
        "own",
        park=403,
        staff=409,
        body=lambda w, c: PLAN,
    ),
    Row(
        "POST",
        "/api/v1/findings/{finding_id}/governance-plan",
        "other",
        park=403,
        staff=404,
        body=lambda w, c: PLAN,
    ),
    Row(
        "POST",
        "/api/v1/findings/{finding_id}/governance-plan/review",
        "own",
        park=409,
        staff=403,
        body=lambda w, c: {"decision": "accept"},
    ),
    Row("GET", "/api/v1/findings/export", "-", park=200, staff=200),
    Row("GET", "/api/v1/reviews", "-", park=403, staff=403, supervisor=200, admin=200),
    Row("GET", "/api/v1/findings/{finding_id}/ai-corrections", "own", park=200, staff=200),
    Row("GET", "/api/v1/findings/{finding_id}/ai-corrections", "other", park=200, staff=404),
    Row("GET", "/api/v1/findings/{finding_id}/ai-corrections", "nowhere", park=404, staff=404),
    # The photo is not one of the finding's: the supervisor gets past scope and is told so (422).
    *(
        Row(
            "POST",
            "/api/v1/findings/{finding_id}/ai-corrections",
            target,
            park=403,
            staff=403,
            supervisor=supervisor,
            body=lambda w, c: NOT_ITS_PHOTO,
        )
        for target, supervisor in CORRECTION_TARGETS
    ),
    # Photos of real findings are covered per role in tests/integration/photos; here: unknown hashes.
    Row("GET", "/api/v1/photos/{sha256}", "nowhere", park=404, staff=404),
    Row("HEAD", "/api/v1/photos/{sha256}", "nowhere", park=404, staff=404),
    Row("POST", "/api/v1/photos/missing", "-", park=200, staff=200, body=lambda w, c: {"sha256": ["0" * 64]}),
    Row(
        "PUT",
        "/api/v1/photos/{sha256}",
        "nowhere",
        park=400,
        staff=400,
        body=lambda w, c: {"not": "an image"},
    ),
]
LIST_PATHS = ["/api/v1/enterprises", "/api/v1/findings"]


PLAN: dict[str, str] = dict.fromkeys(
    [
        "target_tasks",
        "methods",
        "funding_materials",
        "organization_personnel",
        "time_limit",
        "safety_and_emergency",
    ],
    "按期完成整改",
)


def tomorrow() -> dict[str, Any]:
    return {"deadline": (datetime.now(UTC) + timedelta(days=1)).isoformat()}


def comment_batch(world: ParkWorld) -> dict[str, Any]:
    return {
        "device_id": "matrix-device",
        "batch_id": str(uuid.uuid4()),
        "mutations": [
            {
                "mutation_id": str(uuid.uuid4()),
                "entity": "comment",
                "op": "upsert",
                "id": str(uuid.uuid4()),
                "data": {"finding_id": str(world.own_finding.id), "text": "请尽快整改"},
            }
        ],
    }


def target_ids(world: ParkWorld, target: Target) -> dict[str, Any]:
    if target == "own":
        return {"enterprise_id": world.own.id, "finding_id": world.own_finding.id}
    if target == "other":
        return {"enterprise_id": world.other.id, "finding_id": world.other_finding.id}
    return {
        "enterprise_id": uuid.uuid4(),
        "finding_id": uuid.uuid4(),
        "sha256": uuid.uuid4().hex * 2,
        "article_id": uuid.uuid4(),
    }


def headers_for(client: TestClient[Litestar], world: ParkWorld, caller: Caller) -> dict[str, str]:
    return {} if caller == ANONYMOUS else world.headers(client, Role(caller))


def assert_error_envelope(body: Any) -> dict[str, Any]:
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    assert set(error) == {"code", "message", "detail"}, error
    assert error["code"] and error["message"]
    return error


@pytest.mark.parametrize("caller", CALLERS, ids=str)
@pytest.mark.parametrize("row", ENDPOINTS, ids=lambda r: f"{r.method} {r.route} [{r.target}]")
def test_each_caller_gets_the_status_the_scope_rules_give(
    client: TestClient[Litestar], world: ParkWorld, row: Row, caller: Caller
) -> None:
    ids = target_ids(world, row.target)
    response = client.request(
        row.method,
        row.route.format(**ids),
        headers=headers_for(client, world, caller),
        json=row.body(world, caller) if row.body else None,
    )
    assert response.status_code == row.expected(caller), response.text
    if row.method == "HEAD":
        assert response.content == b""
        return
    if response.status_code == 200 and not response.headers["content-type"].startswith("application/json"):
        return  # a file download (the ledger export)
    body = response.json()
    if response.status_code >= 400:
        error = assert_error_envelope(body)
        out_of_scope = row.target == "nowhere" or (row.target == "other" and caller is Role.ENTERPRISE_STAFF)
        if response.status_code == 404 and out_of_scope:
            assert error["code"] == "not_found"  # out of scope reads exactly like nonexistent
    elif "{" in row.route and "items" not in body:  # one record (not a list under it): the one asked for
        id_name = row.route.rsplit("{", 1)[1].split("}")[0]
        assert body["id"] == str(ids[id_name])
    elif "user" in body:
        assert body["user"]["role"] == caller


def test_the_matrix_covers_every_api_v1_endpoint(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'unused.db'}",
        secret_key="test-signing-key-that-is-long-enough-for-hs256",
    )
    with TestClient(create_app(settings)) as client:
        paths: dict[str, dict[str, Any]] = client.get("/schema/openapi.json").json()["paths"]
    served = {
        (method.upper(), route)
        for route, item in paths.items()
        if route.startswith("/api/v1/")
        for method in item
        if method in {"get", "post", "put", "patch", "delete", "head"}
    }
    assert served, "the OpenAPI document lists no /api/v1 endpoint"
    assert served <= {(row.method, row.route) for row in ENDPOINTS}, "add a Row for each new endpoint"


@pytest.mark.parametrize("role", PARK_ROLES, ids=str)
def test_park_roles_see_every_enterprise_and_finding_of_the_park(
    client: TestClient[Litestar], world: ParkWorld, role: Role
) -> None:
    headers = world.headers(client, role)
    enterprises = client.get("/api/v1/enterprises", headers=headers).json()
    findings = client.get("/api/v1/findings", headers=headers).json()
    assert enterprises["total"] == 2
    assert {e["id"] for e in enterprises["items"]} == {str(world.own.id), str(world.other.id)}
    assert findings["total"] == 2
    assert {f["id"] for f in findings["items"]} == {str(world.own_finding.id), str(world.other_finding.id)}


def test_enterprise_staff_lists_only_their_own_enterprise_and_its_findings(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    headers = world.headers(client, Role.ENTERPRISE_STAFF)
    enterprises = client.get("/api/v1/enterprises", headers=headers).json()
    findings = client.get("/api/v1/findings", headers=headers).json()
    assert enterprises["total"] == 1
    assert [e["id"] for e in enterprises["items"]] == [str(world.own.id)]
    assert enterprises["items"][0]["name"] == world.own.name
    assert findings["total"] == 1
    assert [(f["id"], f["enterprise_id"]) for f in findings["items"]] == [
        (str(world.own_finding.id), str(world.own.id))
    ]


@pytest.mark.parametrize("collection", ["enterprises", "findings"])
def test_enterprise_staff_cannot_tell_another_enterprises_record_from_a_missing_one(
    client: TestClient[Litestar], world: ParkWorld, collection: str
) -> None:
    headers = world.headers(client, Role.ENTERPRISE_STAFF)
    hidden = world.other.id if collection == "enterprises" else world.other_finding.id
    missing = uuid.uuid4()
    foreign = client.get(f"/api/v1/{collection}/{hidden}", headers=headers)
    nonexistent = client.get(f"/api/v1/{collection}/{missing}", headers=headers)
    assert foreign.status_code == nonexistent.status_code == 404
    assert assert_error_envelope(foreign.json())["code"] == "not_found"
    # The only difference allowed is the id the caller typed in.
    assert foreign.text.replace(str(hidden), "<id>") == nonexistent.text.replace(str(missing), "<id>")
    assert foreign.headers["content-type"] == nonexistent.headers["content-type"]


@pytest.fixture
def ledger(world: ParkWorld, db: Session) -> dict[str, uuid.UUID]:
    """Besides the two reported general findings: a dispatched major one (own), a closed one (other)."""
    major = factories.finding(db, world.own, status=FindingStatus.DISPATCHED, level=HazardLevel.MAJOR)
    closed = factories.finding(db, world.other, status=FindingStatus.CLOSED)
    db.commit()
    return {
        "own_reported": world.own_finding.id,
        "other_reported": world.other_finding.id,
        "own_major_dispatched": major.id,
        "other_closed": closed.id,
    }


def listed(client: TestClient[Litestar], headers: dict[str, str], query: str) -> set[str]:
    response = client.get(f"/api/v1/findings?{query}", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"])
    return {item["id"] for item in body["items"]}


def test_finding_filters_narrow_the_list(
    client: TestClient[Litestar], world: ParkWorld, ledger: dict[str, uuid.UUID]
) -> None:
    headers = world.headers(client, Role.INSPECTOR)
    ids = {name: str(value) for name, value in ledger.items()}
    assert listed(client, headers, "status=reported") == {ids["own_reported"], ids["other_reported"]}
    assert listed(client, headers, "status=closed") == {ids["other_closed"]}
    assert listed(client, headers, "level=major") == {ids["own_major_dispatched"]}
    assert listed(client, headers, f"enterprise_id={world.other.id}") == {
        ids["other_reported"],
        ids["other_closed"],
    }
    assert listed(client, headers, f"status=reported&enterprise_id={world.own.id}") == {ids["own_reported"]}
    assert listed(client, headers, f"enterprise_id={uuid.uuid4()}") == set()


def test_filters_never_widen_enterprise_staffs_scope(
    client: TestClient[Litestar], world: ParkWorld, ledger: dict[str, uuid.UUID]
) -> None:
    headers = world.headers(client, Role.ENTERPRISE_STAFF)
    assert listed(client, headers, f"enterprise_id={world.other.id}") == set()
    assert listed(client, headers, "status=closed") == set()
    assert listed(client, headers, "level=major") == {str(ledger["own_major_dispatched"])}


@pytest.mark.parametrize("path", LIST_PATHS)
def test_lists_answer_items_total_limit_offset_with_default_limit_50(
    client: TestClient[Litestar], world: ParkWorld, path: str
) -> None:
    response = client.get(path, headers=world.headers(client, Role.PARK_ADMIN))
    assert response.status_code == 200
    body = response.json()
    assert {"items", "total", "limit", "offset"} <= set(body)
    assert (body["total"], body["limit"], body["offset"]) == (2, 50, 0)
    assert isinstance(body["items"], list)


def test_default_limit_returns_fifty_of_a_longer_list(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    for _ in range(50):
        factories.finding(db, world.own)
    db.commit()
    body = client.get("/api/v1/findings", headers=world.headers(client, Role.PARK_ADMIN)).json()
    assert (len(body["items"]), body["total"], body["limit"]) == (50, 52, 50)


@pytest.mark.parametrize("path", LIST_PATHS)
def test_limit_above_500_is_refused_and_500_is_accepted(
    client: TestClient[Litestar], world: ParkWorld, path: str
) -> None:
    headers = world.headers(client, Role.PARK_ADMIN)
    refused = client.get(f"{path}?limit=501", headers=headers)
    assert refused.status_code == 400
    error = assert_error_envelope(refused.json())
    assert "limit" in f"{error['message']} {error['detail']}"
    accepted = client.get(f"{path}?limit=500", headers=headers)
    assert accepted.status_code == 200
    assert accepted.json()["limit"] == 500


def test_offset_pages_through_findings_without_gaps_or_repeats(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    for _ in range(5):
        factories.finding(db, world.other)
    db.commit()
    headers = world.headers(client, Role.SUPERVISOR)
    everything = listed(client, headers, "limit=500")
    seen: list[str] = []
    for offset in (0, 3, 6):
        page = client.get(f"/api/v1/findings?limit=3&offset={offset}", headers=headers).json()
        assert (page["total"], page["limit"], page["offset"]) == (7, 3, offset)
        seen += [item["id"] for item in page["items"]]
    assert len(seen) == len(set(seen)) == 7
    assert set(seen) == everything
    past_the_end = client.get("/api/v1/findings?offset=7", headers=headers).json()
    assert (past_the_end["items"], past_the_end["total"]) == ([], 7)


def test_offset_pages_through_enterprises(client: TestClient[Litestar], world: ParkWorld) -> None:
    headers = world.headers(client, Role.PARK_ADMIN)
    first = client.get("/api/v1/enterprises?limit=1", headers=headers).json()
    second = client.get("/api/v1/enterprises?limit=1&offset=1", headers=headers).json()
    assert first["total"] == second["total"] == 2
    assert len(first["items"]) == len(second["items"]) == 1
    assert {first["items"][0]["id"], second["items"][0]["id"]} == {str(world.own.id), str(world.other.id)}
