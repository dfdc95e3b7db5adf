"""检查指引: an inspector without signal looks up what to check and how, then reports against that item."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, expect

from tests.integration.pwa.conftest import log_in, open_app, shot
from tests.integration.pwa.server import Server
from tests.integration.pwa.test_inspector_offline import card


def test_the_checklist_guide_works_offline_and_starts_a_report_on_the_chosen_item(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    context = phone()
    page = open_app(context, server)
    log_in(page, "inspector")
    context.set_offline(True)
    page.get_by_role("button", name="检查指引").click()
    expect(page.get_by_role("group").or_(page.locator("details")).first).to_be_visible()
    expect(page.get_by_text("JC 开头为基础管理类", exact=False)).to_be_visible()  # where to start
    page.get_by_label("搜索检查项").fill("安全帽")
    helmet = page.get_by_role("listitem", name="检查项 XC-08-01：作业人员未按规定佩戴安全帽")
    expect(helmet.get_by_text("检查方法：")).to_be_visible()
    expect(helmet).to_contain_text("下颏带")
    shot(page, "inspector-guide")

    helmet.get_by_role("button", name="按此项上报").click()
    expect(page.get_by_role("radio", name="XC-08-01 作业人员未按规定佩戴安全帽")).to_be_checked()
    description = f"2#罐区巡检工没戴帽子 {uuid.uuid4().hex[:6]}"
    page.get_by_label("所属企业").select_option(label=server.enterprise("E001")["name"])
    page.get_by_label("拍照").set_input_files(photo(9))
    page.get_by_label("隐患描述").fill(description)
    page.get_by_role("button", name="保存").click()
    expect(card(page, description).get_by_text("待同步")).to_be_visible()

    context.set_offline(False)
    expect(card(page, description).get_by_text("已同步")).to_be_visible(timeout=30_000)
    (stored,) = server.findings(description)
    assert stored["checklist_code"] == "XC-08-01"


def test_an_item_chosen_in_the_guide_stays_on_screen_while_the_description_changes(
    phone: Callable[[], BrowserContext], server: Server
) -> None:
    """It is sent with the report: a choice the inspector can no longer see must not be sent."""
    page = open_app(phone(), server)
    log_in(page, "inspector")
    page.get_by_role("button", name="检查指引").click()
    page.get_by_label("搜索检查项").fill("安全帽")
    helmet = page.get_by_role("listitem", name="检查项 XC-08-01：作业人员未按规定佩戴安全帽")
    helmet.get_by_role("button", name="按此项上报").click()
    page.get_by_label("隐患描述").fill("污水池旁可燃气体报警器不报警，探头被塑料袋包裹")
    suggestions = page.get_by_role("group", name="对应检查项")
    expect(suggestions.get_by_role("radio")).not_to_have_count(1)  # the description's items arrived
    expect(suggestions.get_by_role("radio", name="XC-08-01 作业人员未按规定佩戴安全帽")).to_be_checked()
    expect(suggestions).not_to_contain_text("null")


def test_enterprise_staff_read_the_guide_without_a_report_button(
    phone: Callable[[], BrowserContext], server: Server
) -> None:
    """Findings are the park's to report: the server refuses them from enterprise staff."""
    page = open_app(phone(), server)
    log_in(page, "staff")
    page.get_by_role("button", name="检查指引").click()
    page.get_by_label("搜索检查项").fill("安全帽")
    helmet = page.get_by_role("listitem", name="检查项 XC-08-01：作业人员未按规定佩戴安全帽")
    expect(helmet.get_by_text("检查方法：")).to_be_visible()
    expect(helmet.get_by_role("button", name="按此项上报")).to_have_count(0)


def test_searching_the_guide_finds_items_worded_otherwise_and_codes_in_any_case(
    phone: Callable[[], BrowserContext], server: Server
) -> None:
    """An inspector types 可燃气体报警; the item says 可燃和有毒有害气体…检测报警装置."""
    page = open_app(phone(), server)
    log_in(page, "inspector")
    page.get_by_role("button", name="检查指引").click()
    page.get_by_label("搜索检查项").fill("可燃气体报警")
    expect(page.get_by_role("heading", name="相关检查项")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="XC-05-03")).to_have_count(1)
    page.get_by_label("搜索检查项").fill("xc-08-01")
    expect(page.get_by_role("listitem", name="检查项 XC-08-01：作业人员未按规定佩戴安全帽")).to_be_visible()


def test_the_guide_lists_first_the_items_whose_title_names_the_search(
    phone: Callable[[], BrowserContext], server: Server
) -> None:
    """可燃气体报警 listed JC-04-02 (资金投入, whose example mentions a broken 可燃气体报警器) and
    JC-06-02 before XC-05-05, the item about 可燃、有毒气体检测报警器 themselves."""
    page = open_app(phone(), server)
    log_in(page, "inspector")
    page.get_by_role("button", name="检查指引").click()
    page.get_by_label("搜索检查项").fill("可燃气体报警")
    expect(page.get_by_role("heading", name="相关检查项")).to_be_visible()
    expect(page.get_by_role("listitem").first).to_have_accessible_name(re.compile(r"^检查项 XC-05-05："))


def test_a_report_rewritten_away_from_the_guides_item_can_drop_it_and_the_next_report_keeps_the_site(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    page = open_app(phone(), server)
    log_in(page, "inspector")
    page.get_by_role("button", name="检查指引").click()
    page.get_by_label("搜索检查项").fill("安全帽")
    helmet = page.get_by_role("listitem", name="检查项 XC-08-01：作业人员未按规定佩戴安全帽")
    helmet.get_by_role("button", name="按此项上报").click()
    site = server.enterprise("E001")["name"]
    page.get_by_label("所属企业").select_option(label=site)
    description = f"动火作业现场没人监护 {uuid.uuid4().hex[:6]}"
    page.get_by_label("隐患描述").fill(description)
    suggestions = page.get_by_role("group", name="对应检查项")
    expect(suggestions).to_contain_text("已选的 XC-08-01 不在当前描述的匹配结果中，请确认或改选")
    suggestions.get_by_role("radio", name="不选，由系统按描述匹配").check()
    page.get_by_label("拍照").set_input_files(photo(11))
    page.get_by_role("button", name="保存").click()
    stored = server.wait_for(description, lambda f: f["matches"] is not None and bool(f["matches"]))
    assert stored["checklist_code"] != "XC-08-01"

    page.get_by_role("button", name="上报隐患").click()
    expect(page.get_by_label("所属企业")).to_have_value(server.enterprise("E001")["id"])
