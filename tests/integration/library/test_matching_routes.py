"""Matching, the law library and penalty notices over HTTP."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import Session

from backend.domain.accounts.roles import Role
from regulations.library import load_library
from rules.checklist_loader import default_checklist
from seed.libraries import seed_checklist, seed_regulations
from tests.conftest import ParkWorld
from tests.devices import Device, finding_mutation, settle


@pytest.fixture
def law_library(db: Session) -> None:
    """The law library stored as seed stores it, for the search endpoints to read."""
    seed_regulations(db, load_library())
    db.commit()


def test_match_answers_per_contract_with_a_major_hazard(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    response = client.post(
        "/api/v1/match",
        json={"text": "电工没有特种作业证就在配电室干活", "limit": 3},
        headers=world.headers(client, Role.INSPECTOR),
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"checklist", "regulations", "major_hazard"}
    assert len(body["checklist"]) == 3
    assert set(body["checklist"][0]) == {"code", "title", "score"}
    assert all(set(r) == {"citation", "law", "article", "score", "excerpt"} for r in body["regulations"])
    assert all(r["citation"].startswith("《") for r in body["regulations"])
    major = body["major_hazard"]
    assert major is not None
    assert major["citation"].startswith(
        "《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）》第"
    )
    assert major["criterion"].split("、")[0] in major["citation"]


def test_the_form_may_say_whether_the_enterprise_holds_a_major_hazard_source(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    """判定标准第五项 is about 一级、二级重大危险源 tank farms: offered only where there may be one."""
    headers = world.headers(client, Role.INSPECTOR)

    def criterion(**flag: bool) -> str | None:
        body = {"text": "罐区紧急切断阀处于手动旁路", "limit": 3, **flag}
        major = client.post("/api/v1/match", json=body, headers=headers).json()["major_hazard"]
        return None if major is None else str(major["citation"])

    assert "第五项" in (criterion() or "")  # unknown enterprise: the suggestion stands
    assert "第五项" in (criterion(major_hazard_source=True) or "")
    assert "第五项" not in (criterion(major_hazard_source=False) or "")


def test_an_everyday_finding_is_not_called_a_major_hazard(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    response = client.post(
        "/api/v1/match",
        json={"text": "厂区道路旁的警示牌褪色看不清"},
        headers=world.headers(client, Role.INSPECTOR),
    )
    assert response.status_code == 200
    assert response.json()["major_hazard"] is None


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"text": ""}, 400),
        ({"text": "   "}, 422),
        ({"text": "x" * 2001}, 400),
        ({"text": "没戴安全帽", "limit": 0}, 400),
        ({"text": "没戴安全帽", "limit": 99}, 400),
        ({}, 400),
    ],
)
def test_bad_match_requests_are_clear_4xx(
    client: TestClient[Litestar], world: ParkWorld, body: dict[str, Any], status: int
) -> None:
    response = client.post("/api/v1/match", json=body, headers=world.headers(client, Role.INSPECTOR))
    assert response.status_code == status, response.text
    assert set(response.json()) == {"error"}


def test_emoji_and_mixed_scripts_still_match(client: TestClient[Litestar], world: ParkWorld) -> None:
    response = client.post(
        "/api/v1/match",
        json={"text": "😡工人No安全帽!!! 在2#罐区 helmet"},
        headers=world.headers(client, Role.INSPECTOR),
    )
    assert response.status_code == 200
    assert any("安全帽" in item["title"] for item in response.json()["checklist"][:3])


def test_regulations_are_searchable_and_readable(
    client: TestClient[Litestar], world: ParkWorld, law_library: None
) -> None:
    headers = world.headers(client, Role.ENTERPRISE_STAFF)
    found = client.get("/api/v1/regulations", params={"q": "未采取措施消除事故隐患"}, headers=headers).json()
    assert found["total"] >= 1
    article = next(a for a in found["items"] if a["citation"] == "《中华人民共和国安全生产法》第一百零二条")
    assert article["penalty"]["tiers"][0]["max_yuan"] == 50000
    assert article["source"]
    one = client.get(f"/api/v1/regulations/{article['id']}", headers=headers).json()
    assert one["text"].startswith("生产经营单位未采取措施消除事故隐患的")
    for wildcard in ("第%条", "安全_产"):  # searched as typed, not as SQL LIKE patterns
        literal = client.get("/api/v1/regulations", params={"q": wildcard}, headers=headers).json()
        assert literal["total"] == 0 or literal["related"], literal
    percent = client.get("/api/v1/regulations", params={"q": "%"}, headers=headers).json()["items"]
    assert percent and all("%" in a["text"] or "%" in a["citation"] for a in percent)  # 25%LEL and the like


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("消防法 第二十八条", "《中华人民共和国消防法》第二十八条"),  # the short name and the article
        ("消防法 第28条", "《中华人民共和国消防法》第二十八条"),  # the number as typed on a phone
        ("中华人民共和国安全生产法 102", "《中华人民共和国安全生产法》第一百零二条"),
        ("危化品条例 第八十条", "《危险化学品安全管理条例》第八十条"),  # the library's short name
        ("消防法第28条", "《中华人民共和国消防法》第二十八条"),  # no space between law and article
        ("安全生产法第一百零二条", "《中华人民共和国安全生产法》第一百零二条"),
        ("危化品条例第二十条", "《危险化学品安全管理条例》第二十条"),
        (
            "《中华人民共和国消防法》第二十八条第一款",
            "《中华人民共和国消防法》第二十八条",
        ),  # a pasted citation
        ("消防法第28條", "《中华人民共和国消防法》第二十八条"),  # traditional 條
    ],
)
def test_an_article_is_found_by_law_name_and_number_as_operators_type_them(
    client: TestClient[Litestar], world: ParkWorld, law_library: None, q: str, expected: str
) -> None:
    found = client.get("/api/v1/regulations", params={"q": q}, headers=world.headers(client, Role.INSPECTOR))
    body = found.json()
    assert [a["citation"] for a in body["items"]][:1] == [expected], body["items"][:3]
    assert body["related"] is False


def test_an_article_the_library_lacks_is_not_answered_with_unrelated_ones(
    client: TestClient[Litestar], world: ParkWorld, law_library: None
) -> None:
    """安全生产法第六十三条 is not in the library: 18 articles 'bearing on' the words would look like it."""
    headers = world.headers(client, Role.INSPECTOR)
    for q in ("安全生产法 第六十三条", "消防法第1000条"):
        found = client.get("/api/v1/regulations", params={"q": q}, headers=headers).json()
        assert (found["total"], found["related"]) == (0, False), (q, found["items"][:2])


def test_the_law_filter_takes_the_short_name_or_the_full_title(
    client: TestClient[Litestar], world: ParkWorld, law_library: None
) -> None:
    headers = world.headers(client, Role.INSPECTOR)
    by_name = client.get(
        "/api/v1/regulations", params={"law": "消防法", "limit": 500}, headers=headers
    ).json()
    assert by_name["total"] >= 10
    for title in ("中华人民共和国消防法", "中华人民共和国消防法（2021年修正）"):
        by_title = client.get(
            "/api/v1/regulations", params={"law": title, "limit": 500}, headers=headers
        ).json()
        assert by_title["items"] == by_name["items"], title


def test_a_description_no_article_holds_word_for_word_finds_the_articles_bearing_on_it(
    client: TestClient[Litestar], world: ParkWorld, law_library: None
) -> None:
    found = client.get(
        "/api/v1/regulations", params={"q": "堵塞消防通道"}, headers=world.headers(client, Role.INSPECTOR)
    ).json()
    assert found["related"] is True
    assert "《中华人民共和国消防法》第二十八条" in [a["citation"] for a in found["items"][:5]]


def test_checklist_items_reach_devices_through_pull(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    seed_checklist(db, default_checklist(), load_library())
    db.commit()
    changes = Device(client, world.headers(client, Role.ENTERPRISE_STAFF)).pull_all(limit=1000)
    items = [c for c in changes if c["entity"] == "checklist_item"]
    assert len(items) == len(default_checklist().items)
    helmet = next(c["data"] for c in items if "安全帽" in c["data"]["title"])
    assert helmet["method"] and helmet["citations"]


def wait_for_draft(device: Device, finding_id: str, timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        finding: dict[str, Any] = device.client.get(
            f"/api/v1/findings/{finding_id}", headers=device.headers
        ).json()
        if finding["penalty_draft"]:
            return finding
        time.sleep(0.2)
    raise AssertionError("the finding never got its legal basis")


def test_a_synced_finding_gets_matches_a_penalty_draft_and_a_pdf_notice(
    client: TestClient[Litestar], world: ParkWorld, tmp_path: Path
) -> None:
    phone = Device(client, world.headers(client, Role.INSPECTOR))
    mutation = finding_mutation(world.own.id, "2号罐区东侧动火作业没办动火作业票")
    phone.push_ok([mutation])
    finding = wait_for_draft(phone, mutation["id"])
    assert "动火" in finding["matches"]["checklist"][0]["title"]
    draft = finding["penalty_draft"]
    assert draft["penalty_basis"].startswith("《中华人民共和国")
    low, high = draft["fine_range_yuan"]
    assert low <= draft["suggested_fine_yuan"] <= high
    assert draft["rationale"]
    assert "finding.matched" in [step["action"] for step in finding["timeline"]]

    pdf = client.get(f"/api/v1/findings/{mutation['id']}/penalty-draft.pdf", headers=phone.headers)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    number = mutation["id"][:8].upper()  # the documents' 〔年〕号 names the file: downloads never collide
    assert pdf.headers["content-disposition"].endswith(quote(f"处罚文书-{number}.pdf"))
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils not installed: make install installs it")
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    compact = text.replace(" ", "").replace("\n", "")
    assert "责令限期整改指令书" in compact
    assert world.own.name in compact
    assert draft["penalty_basis"] in compact
    assert f"{high:,}元" in compact
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 10_000


def test_a_no_finding_note_gets_suggestions_but_no_penalty_draft(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    phone = Device(client, world.headers(client, Role.INSPECTOR))
    note = finding_mutation(world.own.id, "检查完毕 现场整体良好 未发现问题")
    named = finding_mutation(world.own.id, "罐区")
    phone.push_ok([note, named])
    settle(client)
    for mutation in (note, named):
        finding = client.get(f"/api/v1/findings/{mutation['id']}", headers=phone.headers).json()
        assert "finding.matched" in [step["action"] for step in finding["timeline"]]
        assert finding["penalty_draft"] is None
        assert finding["matches"]["major_hazard"] is None


def test_no_draft_means_no_notice(client: TestClient[Litestar], world: ParkWorld) -> None:
    response = client.get(
        f"/api/v1/findings/{world.own_finding.id}/penalty-draft.pdf",
        headers=world.headers(client, Role.PARK_ADMIN),
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "no_penalty_draft"
