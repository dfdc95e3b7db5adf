"""A major hazard from the phone: the park grades it, the enterprise writes its 治理方案, the park
accepts it and only then dispatches (docs/lifecycle.md)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, expect

from tests.integration.pwa.conftest import log_in, open_app, requests_to
from tests.integration.pwa.server import PLAN as PLAN_SENT
from tests.integration.pwa.server import Server

PLAN = {
    "目标任务": "15 日内恢复液化烃罐区紧急切断功能",
    "方法措施": "拆除手动旁路，紧急切断阀接入 SIS 并做联锁测试",
    "经费物资": "专项资金 8 万元，切断阀执行机构已到货",
    "机构人员": "设备副总牵头，仪表车间实施，安环部监督",
    "时限要求": "2026 年 12 月 20 日前完成",
    "安全措施和应急预案": "改造期间罐区限量储存，专人值守，执行泄漏应急预案",
}


def test_a_suggested_major_hazard_is_graded_planned_accepted_and_then_dispatched(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    description = (
        f"一级重大危险源液化烃罐区未实现紧急切断功能，紧急切断阀处于手动旁路状态 {uuid.uuid4().hex[:6]}"
    )
    server.report(description, photo(31))
    server.wait_for(description, lambda f: (f.get("matches") or {}).get("major_hazard"))

    admin = open_app(phone(), server)
    log_in(admin, "admin")
    card = admin.get_by_role("listitem").filter(has_text=description)
    expect(card.get_by_text("可能构成重大隐患")).to_be_visible()
    card.get_by_role("button", name="判定为重大隐患").click()
    expect(card.get_by_text("重大隐患：须先审定治理方案")).to_be_visible()
    assert server.findings(description)[0]["level"] == "major"

    staff = open_app(phone(), server)
    log_in(staff, "staff")
    ticket = staff.get_by_role("listitem").filter(has_text=description)
    expect(ticket.get_by_text("须提交治理方案")).to_be_visible()
    ticket.get_by_role("button", name="查看详情").click()
    staff.get_by_label("目标任务", exact=True).fill(PLAN["目标任务"])
    staff.get_by_role("button", name="提交治理方案").click()
    expect(staff.get_by_role("alert").filter(has_text="请填写")).to_have_text(
        "请填写：方法措施、经费物资、机构人员、时限要求、安全措施和应急预案"
    )
    expect(staff.get_by_label("方法措施", exact=True)).to_be_focused()  # taken to the first one missing
    for label, text in PLAN.items():
        staff.get_by_label(label, exact=True).fill(text)
    staff.get_by_role("button", name="提交治理方案").click()
    expect(staff.get_by_text("治理方案已提交，待园区审核")).to_be_visible()
    # The ticket is redrawn with the plan's state: the focus is there, not on <body>.
    expect(staff.get_by_role("heading", name="重大隐患治理方案")).to_be_focused()

    # The list is redrawn when the sync ends: wait for it, or the plan is accepted on a card that is
    # then swapped out for one whose panel loaded the plan before the acceptance.
    drawn = card.element_handle()
    admin.get_by_role("button", name="立即同步").click()
    admin.wait_for_function("card => !card.isConnected", arg=drawn)
    card = admin.get_by_role("listitem").filter(has_text=description)
    card.get_by_text("治理方案", exact=True).click()
    expect(card.get_by_text(PLAN["方法措施"])).to_be_visible()
    card.get_by_role("button", name="通过治理方案").click()
    expect(card.get_by_text("治理方案已通过审核")).to_be_visible()
    card.get_by_role("button", name="下发整改").click()
    server.wait_for(description, lambda f: f["status"] == "dispatched")


def test_downgrading_a_major_hazard_asks_for_the_reason_and_records_it(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    description = f"液氨储罐区可燃气体报警器失效，报警控制器显示故障 {uuid.uuid4().hex[:6]}"
    finding_id = server.report(description, photo(32))
    graded = server.call("POST", f"/api/v1/findings/{finding_id}/level", json={"level": "major"})
    assert graded.status_code == 200, graded.text

    admin = open_app(phone(), server)
    log_in(admin, "admin")
    card = admin.get_by_role("listitem").filter(has_text=description)
    card.get_by_role("button", name="改判为一般隐患").click()
    expect(card.get_by_role("alert")).to_have_text("改判为一般隐患时请写明理由")
    expect(card.get_by_label("改判理由")).to_be_focused()
    assert server.findings(description)[0]["level"] == "major"  # nothing was sent

    card.get_by_label("改判理由").fill("复核：报警器已更换并联调，定为一般隐患")
    card.get_by_role("button", name="改判为一般隐患").click()
    server.wait_for(description, lambda f: f["level"] == "general")
    timeline = server.call("GET", f"/api/v1/findings/{finding_id}").json()["timeline"]
    reasons = [s["detail"]["comment"] for s in timeline if s["action"] == "finding.graded"]
    assert reasons[-1] == "复核：报警器已更换并联调，定为一般隐患"


def test_dispatch_is_offered_once_the_plan_is_accepted_and_says_why_until_then(
    phone: Callable[[], BrowserContext], server: Server, fresh_photo: Callable[[int], Path]
) -> None:
    """下发整改 on a major hazard always answered 409 until the plan was accepted."""
    description = f"液化烃球罐区紧急切断阀气源被关闭，切断功能失效 {uuid.uuid4().hex[:6]}"
    finding_id = server.report(description, fresh_photo(37))
    server.grade_major(finding_id)

    admin = open_app(phone(), server)
    dispatches = requests_to(admin, "POST", "/dispatch")
    log_in(admin, "admin")
    card = admin.get_by_role("listitem").filter(has_text=description)
    dispatch = card.get_by_role("button", name="下发整改")
    expect(dispatch).to_be_disabled()
    expect(dispatch).to_have_accessible_description(re.compile("治理方案通过审核后才能下发整改"))
    expect(card.get_by_text("治理方案通过审核后才能下发整改")).to_be_visible()
    dispatch.click(force=True)  # a tap does nothing
    admin.wait_for_timeout(1000)  # what a tap would send goes at once
    expect(card.get_by_role("alert")).to_have_count(0)  # an empty message is not shown
    assert dispatches == []

    # Planned and accepted elsewhere: the next pull brings the finding again with the plan's step.
    server.plan_accepted(finding_id)
    admin.get_by_role("button", name="立即同步").click()
    expect(dispatch).to_be_enabled()
    expect(card.get_by_text("治理方案通过审核后才能下发整改")).to_be_hidden()
    dispatch.click()
    server.wait_for(description, lambda f: f["status"] == "dispatched")
    assert len(dispatches) == 1


def test_a_major_hazard_without_a_plan_is_opened_without_asking_for_the_plan(
    phone: Callable[[], BrowserContext], server: Server, fresh_photo: Callable[[int], Path]
) -> None:
    """GET …/governance-plan answers 404 while there is none, an error in the console every time; the
    finding's timeline already says there is none."""
    description = f"液氯储罐区有毒气体报警器全部停用 {uuid.uuid4().hex[:6]}"
    finding_id = server.report(description, fresh_photo(38))
    server.grade_major(finding_id)

    staff = open_app(phone(), server, f"#/ticket/{finding_id}")
    staff_asked = requests_to(staff, "GET", "/governance-plan")
    log_in(staff, "staff")
    expect(staff.get_by_text("尚未提交治理方案")).to_be_visible()
    expect(staff.get_by_role("button", name="提交治理方案")).to_be_visible()

    admin = open_app(phone(), server)
    admin_asked = requests_to(admin, "GET", "/governance-plan")
    log_in(admin, "admin")
    card = admin.get_by_role("listitem").filter(has_text=description)
    card.get_by_text("治理方案", exact=True).click()
    expect(card.get_by_text("尚未提交治理方案")).to_be_visible()
    assert staff_asked == [] and admin_asked == []


def test_the_staff_ticket_list_says_where_the_plan_stands(
    phone: Callable[[], BrowserContext], server: Server, fresh_photo: Callable[[int], Path]
) -> None:
    """The card said 须提交治理方案 after the plan was submitted, and after it was accepted."""
    description = f"液化烃装车栈台紧急切断阀失效 {uuid.uuid4().hex[:6]}"
    finding_id = server.report(description, fresh_photo(39))
    server.grade_major(finding_id)
    plan = f"/api/v1/findings/{finding_id}/governance-plan"

    staff = open_app(phone(), server)
    log_in(staff, "staff")
    ticket = staff.get_by_role("listitem").filter(has_text=description)
    expect(ticket.get_by_text("须提交治理方案")).to_be_visible()

    def after_sync(badge: str) -> None:
        staff.get_by_role("button", name="立即同步").click()
        expect(ticket.get_by_text(badge, exact=True)).to_be_visible()
        expect(ticket.get_by_text("须提交治理方案", exact=True)).to_have_count(0)

    assert server.call("POST", plan, "staff", json=PLAN_SENT).is_success
    after_sync("治理方案待审核")
    returned = server.call("POST", f"{plan}/review", json={"decision": "return", "comment": "应急预案不具体"})
    assert returned.is_success, returned.text
    after_sync("治理方案被退回，须重新提交")
    server.plan_accepted(finding_id)
    after_sync("治理方案已通过")
