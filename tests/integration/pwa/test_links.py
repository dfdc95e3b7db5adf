"""The link in every notification (`#/findings/{id}`) opens that finding for whoever taps it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, expect

from tests.integration.pwa.conftest import log_in, open_app, wait_for_service_worker
from tests.integration.pwa.server import Server


def test_a_notification_link_opens_the_ticket_for_staff_and_the_finding_for_the_park(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    description = f"甲类仓库门口消防通道堆放纸箱 {uuid.uuid4().hex[:6]}"
    finding_id = server.report(description, photo(21))
    server.dispatch(finding_id)

    staff = open_app(phone(), server, f"#/findings/{finding_id}")
    log_in(staff, "staff")  # signing in from the link keeps it
    expect(staff.get_by_role("heading", name="整改任务")).to_be_visible()
    expect(staff.get_by_text(description)).to_be_visible()
    expect(staff.get_by_role("button", name="提交整改")).to_be_visible()

    admin = open_app(phone(), server)
    log_in(admin, "admin")
    admin.goto(f"{server.url}/#/findings/{finding_id}")  # already signed in
    expect(admin.get_by_role("heading", name="隐患详情")).to_be_visible()
    expect(admin.get_by_text(description)).to_be_visible()
    expect(admin.get_by_text("整改中").first).to_be_visible()

    # Signing in from the link: the finding is fetched before the first pull brings the enterprises;
    # their name fills in when it lands, without reopening the page.
    late = open_app(phone(), server, f"#/findings/{finding_id}")
    log_in(late, "admin")
    expect(late.get_by_role("heading", name="隐患详情")).to_be_visible()
    expect(late.locator(".summary dd").first).to_have_text(server.enterprise("E001")["name"])

    stranger = open_app(phone(), server, f"#/findings/{finding_id}")
    log_in(stranger, "staff2")  # another enterprise: not theirs to see
    expect(stranger.get_by_text("找不到这条隐患")).to_be_visible()


def test_the_finding_shows_what_happened_to_it_in_words_with_each_decisions_reason(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    description = f"储罐区防火堤内堆放杂物 {uuid.uuid4().hex[:6]}"
    finding_id = server.report(description, photo(22))
    graded = server.call(
        "POST",
        f"/api/v1/findings/{finding_id}/level",
        json={"level": "general", "comment": "现场核实为一般隐患"},
    )
    assert graded.status_code == 200, graded.text
    server.dispatch(finding_id)

    admin = open_app(phone(), server)
    log_in(admin, "admin")
    # Dispatched, it has left 待下发 and is followed under 整改跟踪 on 总览.
    followed = admin.get_by_role("listitem", name=f"整改跟踪：{description[:24]}")
    followed.get_by_role("button", name="查看详情").click()
    expect(admin.get_by_role("heading", name="隐患详情")).to_be_visible()
    history = admin.get_by_role("region", name="处理记录")
    expect(history.get_by_role("listitem").filter(has_text="检查员上报隐患")).to_have_count(1)
    expect(history.get_by_text("园区判定为一般隐患：现场核实为一般隐患")).to_be_visible()
    expect(history.get_by_text("下发整改，期限")).to_be_visible()
    steps = history.get_by_role("listitem").all_inner_texts()
    assert [i for i, text in enumerate(steps) if "上报" in text] < [
        i for i, text in enumerate(steps) if "下发" in text
    ]


def test_the_history_read_online_is_there_offline_and_says_each_match_once(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    description = f"装卸区静电接地线断开 {uuid.uuid4().hex[:6]}"
    finding_id = server.report(description, photo(24))
    server.wait_for(description, lambda f: bool(f["matches"]) and bool(f["ai"]))
    context = phone()
    admin = open_app(context, server, f"#/findings/{finding_id}")
    log_in(admin, "admin")
    history = admin.get_by_role("region", name="处理记录")
    expect(history.get_by_text("检查员上报隐患")).to_be_visible()
    lines = history.get_by_role("listitem").all_inner_texts()
    matched = [line.split(" ", 2)[-1] for line in lines if "匹配检查项" in line]
    assert len(matched) == len(set(matched)), lines

    wait_for_service_worker(admin)
    expect(admin.locator("#sync-status")).to_contain_text("全部已同步")
    admin.reload()  # read again online after the sync: the copy the phone keeps is this GET's
    expect(history.get_by_text("检查员上报隐患")).to_be_visible()
    context.set_offline(True)  # on site, out of coverage: the record of what happened is still there
    admin.reload()
    expect(admin.get_by_role("region", name="处理记录").get_by_text("检查员上报隐患")).to_be_visible()
