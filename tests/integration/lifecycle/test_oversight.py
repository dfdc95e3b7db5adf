"""Oversight views: statistics and the ledger export as a park office uses them."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from litestar import Litestar
from litestar.testing import TestClient
from openpyxl import load_workbook
from sqlmodel import Session

from backend.domain.accounts.roles import Role
from backend.domain.findings.vocabulary import FindingStatus, HazardLevel
from backend.domain.oversight.export import HEADERS
from tests import factories
from tests.conftest import ParkWorld
from tests.devices import Device, edit_mutation

OBSERVED = datetime(2026, 8, 3, 9, 0, tzinfo=UTC)


def seed_ledger(db: Session, world: ParkWorld) -> None:
    factories.finding(
        db,
        world.own,
        level=HazardLevel.MAJOR,
        status=FindingStatus.DISPATCHED,
        overdue=True,
        escalation_level=2,
        checklist_code="JC-01",
        observed_at=OBSERVED,
        deadline=OBSERVED + timedelta(days=7),
        responsible_person="王海涛",
        cost_yuan=Decimal("12500.50"),
    )
    factories.finding(
        db,
        world.own,
        checklist_code="JC-01",
        status=FindingStatus.CLOSED,
        observed_at=OBSERVED + timedelta(days=5),  # found again on a later walk-through
        accepted_at=OBSERVED + timedelta(days=5, hours=30),
        acceptance_comment="复查合格",
    )
    db.commit()


def test_xlsx_export_opens_with_chinese_headers_and_one_row_per_finding(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    seed_ledger(db, world)
    response = client.get(
        "/api/v1/findings/export", params={"format": "xlsx"}, headers=world.headers(client, Role.PARK_ADMIN)
    )
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert len(rows) == 1 + 4  # the world's two findings and the two seeded here
    major = next(row for row in rows[1:] if row[5] == "重大")
    assert (major[1], major[10], major[16], major[13]) == (world.own.name, "整改中", "是", "王海涛")
    assert (major[15], major[17]) == (12500.5, 2)  # numbers a spreadsheet can sum, not text
    assert {row[10] for row in rows[1:]} == {"已上报", "整改中", "已验收"}


def test_csv_export_is_filtered_and_scoped(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    seed_ledger(db, world)
    staff = client.get(
        "/api/v1/findings/export",
        params={"format": "csv"},
        headers=world.headers(client, Role.ENTERPRISE_STAFF),
    )
    table = list(csv.reader(io.StringIO(staff.content.decode("utf-8-sig"))))
    assert table[0] == HEADERS
    assert {row[1] for row in table[1:]} == {world.own.name}
    closed_only = client.get(
        "/api/v1/findings/export",
        params={"format": "csv", "status": "closed"},
        headers=world.headers(client, Role.PARK_ADMIN),
    )
    rows = list(csv.reader(io.StringIO(closed_only.content.decode("utf-8-sig"))))[1:]
    assert [row[10] for row in rows] == ["已验收"]
    assert (
        client.get(
            "/api/v1/findings/export",
            params={"format": "pdf"},
            headers=world.headers(client, Role.PARK_ADMIN),
        ).status_code
        == 400
    )


def test_stats_count_open_overdue_escalated_time_to_close_and_repeats(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    seed_ledger(db, world)
    stats = client.get("/api/v1/stats", headers=world.headers(client, Role.PARK_ADMIN)).json()
    assert stats["open_by_level"] == {"general": 2, "major": 1}
    assert stats["by_status"] == {"reported": 2, "dispatched": 1, "closed": 1}
    assert (stats["overdue"], stats["escalated"]) == (1, 1)
    assert stats["median_hours_to_close"] == 30.0
    assert stats["repeat_offenders"] == [
        {"enterprise_id": str(world.own.id), "name": world.own.name, "checklist_code": "JC-01", "count": 2}
    ]
    q3 = next(row for row in stats["quarters"] if row["period"] == "2026-Q3")
    assert (q3["found"], q3["major_found"], q3["closed"]) == (2, 1, 1)
    own_only = client.get("/api/v1/stats", headers=world.headers(client, Role.ENTERPRISE_STAFF)).json()
    assert [row["name"] for row in own_only["by_enterprise"]] == [world.own.name]


def test_two_spots_of_one_item_on_one_day_are_not_a_repeat(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    for minutes in (0, 40):
        factories.finding(
            db, world.own, checklist_code="JC-02", observed_at=OBSERVED + timedelta(minutes=minutes)
        )
    db.commit()
    stats = client.get("/api/v1/stats", headers=world.headers(client, Role.PARK_ADMIN)).json()
    assert stats["repeat_offenders"] == []


def test_a_repeat_counts_the_item_matching_named_as_escalation_does(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    matched = {"checklist": [{"code": "JC-03", "title": "", "score": 80.0}], "regulations": []}
    for days in (0, 2):
        factories.finding(db, world.own, matches=matched, observed_at=OBSERVED + timedelta(days=days))
    db.commit()
    stats = client.get("/api/v1/stats", headers=world.headers(client, Role.PARK_ADMIN)).json()
    assert stats["repeat_offenders"] == [
        {"enterprise_id": str(world.own.id), "name": world.own.name, "checklist_code": "JC-03", "count": 2}
    ]


def test_the_ledger_never_hands_a_spreadsheet_a_formula_or_a_control_character(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    formula = '=HYPERLINK("http://evil.example","点击查看")'
    factories.finding(db, world.own, description=formula)
    # A row stored before control characters were refused at the door (PostgreSQL takes \x01).
    factories.finding(db, world.own, description="泵房\x01漏油")
    db.commit()
    admin = world.headers(client, Role.PARK_ADMIN)
    as_csv = client.get("/api/v1/findings/export", params={"format": "csv"}, headers=admin)
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    descriptions = {row[3] for row in csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig")))}
    assert "'" + formula in descriptions and formula not in descriptions
    assert "泵房漏油" in descriptions
    as_xlsx = client.get("/api/v1/findings/export", params={"format": "xlsx"}, headers=admin)
    assert as_xlsx.status_code == 200
    cells = {
        row[3].value: row[3].data_type
        for row in load_workbook(io.BytesIO(as_xlsx.content)).active.iter_rows()
    }
    assert cells[formula] == "s"  # text, not a formula
    assert "泵房漏油" in cells


def test_a_finding_is_overdue_the_moment_its_deadline_passes_not_at_the_next_escalation_run(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    """The escalation run marks 超期 every few minutes; readers see it at once, and a phone's edit
    that echoes the earlier overdue=false it pulled is still applied."""
    just_passed = factories.finding(
        db,
        world.own,
        status=FindingStatus.DISPATCHED,
        deadline=datetime.now(UTC) - timedelta(minutes=1),
        description="罐区围堰排水阀常开",
    )
    factories.finding(
        db, world.own, status=FindingStatus.DISPATCHED, deadline=datetime.now(UTC) + timedelta(days=1)
    )
    db.commit()
    admin = world.headers(client, Role.PARK_ADMIN)
    finding = client.get(f"/api/v1/findings/{just_passed.id}", headers=admin).json()
    assert finding["overdue"] is True
    assert client.get("/api/v1/stats", headers=admin).json()["overdue"] == 1

    echo = {
        **{k: finding[k] for k in ("enterprise_id", "description", "location", "photos")},
        "overdue": False,
    }
    phone = Device(client, world.headers(client, Role.INSPECTOR))
    [edited] = phone.push_ok(
        [
            edit_mutation(
                "finding",
                just_passed.id,
                finding["version"],
                **{**echo, "description": "罐区围堰排水阀常开，已关闭"},
            )
        ]
    )
    assert edited["status"] == "applied", edited
