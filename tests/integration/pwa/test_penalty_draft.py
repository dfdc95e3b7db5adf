"""A park officer reads the drafted penalty on the finding: basis, measures, who decides, why."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, expect

from tests.integration.pwa.conftest import log_in, open_app
from tests.integration.pwa.server import Server


def test_a_fire_law_finding_shows_no_fine_yet_and_its_referral_to_the_fire_service(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    # 消防法第六十六条 fines only 逾期不改正, and 消防救援机构 decides (its 第七十条).
    description = f"包装车间电气线路私拉乱接，绝缘层老化破损 {uuid.uuid4().hex[:6]}"
    finding_id = server.report(description, photo(22))
    drafted = time.monotonic() + 60  # matching runs in the server's job worker after the sync
    while not server.call("GET", f"/api/v1/findings/{finding_id}").json().get("penalty_draft"):
        assert time.monotonic() < drafted, "the finding never got its penalty draft"
        time.sleep(0.5)

    admin = open_app(phone(), server)
    log_in(admin, "admin")
    admin.goto(f"{server.url}/#/findings/{finding_id}")
    expect(admin.get_by_text("处罚依据：《中华人民共和国消防法》第六十六条")).to_be_visible(timeout=30_000)
    expect(admin.get_by_text("罚款：暂不建议")).to_be_visible()
    expect(admin.get_by_text("处理措施：责令限期改正")).to_be_visible()
    expect(admin.get_by_text("处罚机关：消防救援机构（由园区移送）")).to_be_visible()
    admin.get_by_text("裁量说明").click()
    expect(admin.get_by_text("首次发现不予罚款", exact=False)).to_be_visible()


def test_the_basis_leads_with_the_item_and_the_articles_broken_and_folds_the_other_candidates(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    description = f"2#罐区巡检工没戴安全帽 {uuid.uuid4().hex[:6]}"
    finding_id = server.report(description, photo(25))
    server.wait_for(description, lambda f: bool(f["penalty_draft"]) and len(f["matches"]["checklist"]) > 1)

    admin = open_app(phone(), server, f"#/findings/{finding_id}")
    log_in(admin, "admin")
    basis = admin.locator("section.basis")
    expect(basis.get_by_text("检查项 XC-08-01：作业人员未按规定佩戴安全帽")).to_be_visible()
    expect(basis.get_by_text("违反：《中华人民共和国安全生产法》", exact=False)).to_be_visible()
    # amounts as the documents write them; 第一百零二条 has no floor: 五万元以下, not 0–50000
    expect(basis.get_by_text("罚款幅度：50,000元以下，建议 15,000元")).to_be_visible()
    others = basis.locator("details").filter(has_text="其他可能的检查项")
    expect(others.locator("li").first).to_be_hidden()  # folded until asked for
    others.locator("summary").click()
    expect(others.locator("li").first).to_be_visible()


def test_staff_download_their_rectification_order_from_the_ticket_and_never_the_penalty_draft(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    """The API serves staff the 责令限期整改指令书 alone; the ticket offered no way to get it."""
    description = f"3#罐区巡检工没戴安全帽 {uuid.uuid4().hex[:6]}"
    finding_id = server.report(description, photo(26))
    server.wait_for(description, lambda f: bool(f["penalty_draft"]) and len(f["matches"]["checklist"]) > 1)
    server.dispatch(finding_id)

    staff = open_app(phone(), server, f"#/ticket/{finding_id}")
    log_in(staff, "staff")
    with staff.expect_download() as download:
        staff.get_by_role("button", name="下载整改指令书（PDF）").click()
    assert download.value.suggested_filename == f"整改指令书-{finding_id[:8].upper()}.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    expect(staff.get_by_text("处罚依据")).to_have_count(0)
    expect(staff.get_by_role("button", name="下载处罚文书（PDF）")).to_have_count(0)


def test_the_expanders_of_the_basis_are_touch_targets(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    """其他可能的检查项, 相关法规条款 and 裁量说明 were 25.5 px tall: under the 44 px a thumb needs."""
    description = f"4#罐区巡检工没戴安全帽 {uuid.uuid4().hex[:6]}"
    finding_id = server.report(description, photo(27))
    server.wait_for(
        description,
        lambda f: (
            bool(f["penalty_draft"]) and len(f["matches"]["checklist"]) > 1 and f["matches"]["regulations"]
        ),
    )

    admin = open_app(phone(), server, f"#/findings/{finding_id}")
    log_in(admin, "admin")
    basis = admin.locator("section.basis")
    expect(basis.get_by_text("处罚依据", exact=False)).to_be_visible()
    for name in ("其他可能的检查项", "相关法规条款", "裁量说明"):
        expander = basis.locator("summary").filter(has_text=name)
        box = expander.bounding_box()
        assert box and box["height"] >= 44, (name, box)
