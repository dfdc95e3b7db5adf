"""Narrowing the list, the ledger and the statistics: park calendar days, overdue."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import Session

from backend.domain.accounts.roles import Role
from backend.domain.findings.vocabulary import FindingStatus, HazardLevel
from tests import factories
from tests.conftest import ParkWorld

NOVEMBER = {"observed_from": "2026-11-01", "observed_to": "2026-11-30"}


def seed_month_edges(db: Session, world: ParkWorld) -> dict[str, str]:
    """Findings just inside and just outside November in Beijing time (stored in UTC)."""
    moments = {
        "10月31日23:59": datetime(2026, 10, 31, 15, 59, tzinfo=UTC),
        "11月1日00:30": datetime(2026, 10, 31, 16, 30, tzinfo=UTC),
        "11月30日23:30": datetime(2026, 11, 30, 15, 30, tzinfo=UTC),
        "12月1日00:00": datetime(2026, 11, 30, 16, 0, tzinfo=UTC),
    }
    ids = {}
    for label, moment in moments.items():
        record = factories.finding(db, world.own, description=f"月度台账边界（{label}）", observed_at=moment)
        ids[label] = str(record.id)
    db.commit()
    return ids


def test_the_list_holds_the_findings_of_the_park_days_asked_for(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    ids = seed_month_edges(db, world)
    headers = world.headers(client, Role.PARK_ADMIN)
    november = client.get("/api/v1/findings", params={**NOVEMBER, "limit": 500}, headers=headers).json()
    inside = {ids["11月1日00:30"], ids["11月30日23:30"]}
    assert {item["id"] for item in november["items"]} & set(ids.values()) == inside
    assert november["total"] == len(november["items"])
    one_day = client.get(
        "/api/v1/findings",
        params={"observed_from": "2026-12-01", "observed_to": "2026-12-01"},
        headers=headers,
    ).json()
    assert [item["id"] for item in one_day["items"]] == [ids["12月1日00:00"]]


def test_a_monthly_ledger_names_its_days_and_holds_only_them(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    ids = seed_month_edges(db, world)
    response = client.get(
        "/api/v1/findings/export",
        params={**NOVEMBER, "format": "csv"},
        headers=world.headers(client, Role.PARK_ADMIN),
    )
    assert response.status_code == 200
    assert unquote(response.headers["content-disposition"]).endswith("隐患台账_2026-11-01至2026-11-30.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]
    edge_rows = [row for row in rows if any("月度台账边界" in cell for cell in row)]
    assert sorted(cell for row in edge_rows for cell in row if "月度台账边界" in cell) == [
        "月度台账边界（11月1日00:30）",
        "月度台账边界（11月30日23:30）",
    ]
    assert len(ids) == 4


def test_statistics_of_a_month_count_only_that_month(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    seed_month_edges(db, world)
    headers = world.headers(client, Role.PARK_ADMIN)
    whole = client.get("/api/v1/stats", headers=headers).json()
    november = client.get("/api/v1/stats", params=NOVEMBER, headers=headers).json()
    listed = client.get("/api/v1/findings", params=NOVEMBER, headers=headers).json()["total"]
    assert sum(november["by_status"].values()) == listed
    assert sum(whole["by_status"].values()) > listed


def test_a_period_that_ends_before_it_starts_or_is_no_date_is_a_clear_4xx(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    headers = world.headers(client, Role.PARK_ADMIN)
    for path in ("/api/v1/findings", "/api/v1/findings/export", "/api/v1/stats"):
        backwards = client.get(
            path, params={"observed_from": "2026-11-30", "observed_to": "2026-11-01"}, headers=headers
        )
        assert backwards.status_code == 422, path
        error = backwards.json()["error"]
        assert error["code"] == "invalid_input"
        assert "晚于截止日期" in error["message"]
        not_a_date = client.get(path, params={"observed_from": "2026-13-01"}, headers=headers)
        assert not_a_date.status_code == 400, path
        assert "observed_from" in not_a_date.text
        assert "observed_from: 不是有效的日期（应为 YYYY-MM-DD）" in not_a_date.json()["error"]["message"]


def test_a_day_at_either_end_of_the_calendar_is_refused_naming_the_range(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    headers = world.headers(client, Role.PARK_ADMIN)
    for path in ("/api/v1/findings", "/api/v1/findings/export", "/api/v1/stats"):
        for name, day in (("observed_from", "0001-01-01"), ("observed_to", "9999-12-31")):
            response = client.get(path, params={name: day}, headers=headers)
            assert response.status_code == 422, (path, name)
            error = response.json()["error"]
            assert error["message"].startswith(f"日期 {day} 超出可查询范围（2000-01-01 至 2099-12-31）")
            assert error["detail"] == {name: day}


def test_the_overdue_filter_reads_overdue_as_the_finding_does_now(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    past, future = datetime.now(UTC) - timedelta(hours=1), datetime.now(UTC) + timedelta(days=3)
    unmarked = factories.finding(db, world.own, status=FindingStatus.DISPATCHED, deadline=past)
    marked = factories.finding(db, world.own, status=FindingStatus.CLOSED, deadline=past, overdue=True)
    in_time = factories.finding(db, world.own, status=FindingStatus.DISPATCHED, deadline=future)
    db.commit()
    headers = world.headers(client, Role.PARK_ADMIN)

    def listed(value: str) -> set[str]:
        response = client.get("/api/v1/findings", params={"overdue": value, "limit": 500}, headers=headers)
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["items"]}

    assert listed("true") == {str(unmarked.id), str(marked.id)}
    assert str(in_time.id) in listed("false") and not listed("false") & listed("true")
    assert client.get("/api/v1/findings", params={"overdue": "maybe"}, headers=headers).status_code == 400


def test_a_filter_the_server_does_not_know_is_refused_not_ignored(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    """An integrator guessing from=/to= must not get the whole ledger back as if it were a month's."""
    headers = world.headers(client, Role.PARK_ADMIN)
    for path in ("/api/v1/findings", "/api/v1/findings/export", "/api/v1/stats"):
        response = client.get(path, params={"from": "2026-11-01", "to": "2026-11-30"}, headers=headers)
        assert response.status_code == 400, path
        error = response.json()["error"]
        assert error["code"] == "unknown_parameter"
        assert "不支持的查询参数：from、to" in error["message"]
        assert "observed_from" in error["detail"]["accepted"]


@pytest.mark.parametrize(
    ("path", "params", "unknown"),
    [
        ("/api/v1/findings", {"format": "csv"}, "format"),  # the ledger's, not the list's
        ("/api/v1/findings/export", {"limit": "1"}, "limit"),  # the ledger has every row
        ("/api/v1/stats", {"limit": "0"}, "limit"),
        ("/api/v1/notifications", {"enterprise_id": "not-a-uuid"}, "enterprise_id"),
        ("/api/v1/enterprises", {"status": "bogus"}, "status"),
        ("/api/v1/regulations", {"page": "2"}, "page"),
        ("/api/v1/reviews", {"sort": "oldest"}, "sort"),
        ("/api/v1/sync/pull", {"offset": "-1"}, "offset"),
    ],
)
def test_every_endpoint_refuses_a_parameter_it_does_not_take(
    client: TestClient[Litestar], world: ParkWorld, path: str, params: dict[str, str], unknown: str
) -> None:
    """Ignored, it would look like an answer: the whole list, unfiltered, for a filter guessed."""
    response = client.get(path, params=params, headers=world.headers(client, Role.PARK_ADMIN))
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "unknown_parameter" and error["detail"]["unknown"] == [unknown]


@pytest.mark.parametrize(
    ("path", "query", "repeated"),
    [
        ("/api/v1/findings", "status=reported&status=dispatched", "status"),
        ("/api/v1/findings", "status=open&status=closed", "status"),  # the first is not even a status
        ("/api/v1/regulations", "law=消防法&law=安全生产法", "law"),
        ("/api/v1/stats", "observed_from=2026-11-01&observed_from=2026-12-01", "observed_from"),
    ],
)
def test_a_parameter_given_twice_is_refused_not_read_as_its_last_value(
    client: TestClient[Litestar], world: ParkWorld, path: str, query: str, repeated: str
) -> None:
    """Two statuses asked would otherwise answer for the last alone, looking like both."""
    response = client.get(f"{path}?{query}", headers=world.headers(client, Role.PARK_ADMIN))
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "repeated_parameter" and error["detail"] == {"repeated": [repeated]}
    assert error["message"].startswith(f"查询参数只能给一次：{repeated}")


def test_a_value_that_is_not_one_of_the_choices_is_told_the_choices(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    headers = world.headers(client, Role.PARK_ADMIN)
    response = client.get("/api/v1/findings", params={"status": "open"}, headers=headers)
    assert response.status_code == 400
    error = response.json()["error"]
    statuses = [status.value for status in FindingStatus]
    assert f"status: 取值无效：'open'（可选值：{'、'.join(statuses)}）" in error["message"]
    assert f"(allowed: {', '.join(statuses)})" in error["message"]
    assert error["detail"][0]["allowed"] == statuses
    huge = client.get("/api/v1/stats", params={"level": "huge"}, headers=headers).json()["error"]
    assert huge["detail"][0]["allowed"] == [level.value for level in HazardLevel]


def test_a_parameter_without_a_name_is_named_as_such(client: TestClient[Litestar], world: ParkWorld) -> None:
    response = client.get("/api/v1/findings?=1", headers=world.headers(client, Role.PARK_ADMIN))
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("不支持的查询参数：（空名）")


def test_the_parameters_an_endpoint_takes_are_still_taken(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    headers = world.headers(client, Role.PARK_ADMIN)
    for path, params in [
        ("/api/v1/findings", {"limit": "5", "offset": "0", "status": "reported", "overdue": "false"}),
        ("/api/v1/findings/export", {"format": "csv", "observed_from": "2026-11-01"}),
        ("/api/v1/stats", {"enterprise_id": str(world.own.id)}),
        ("/api/v1/sync/pull", {"limit": "10"}),
        ("/api/v1/reviews", {"limit": "200"}),
        ("/api/v1/enterprises", {"limit": "1", "offset": "1"}),
    ]:
        assert client.get(path, params=params, headers=headers).status_code == 200, path
