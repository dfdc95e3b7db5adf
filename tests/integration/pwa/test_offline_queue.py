"""What an inspector queued offline stays theirs to fix, withdraw and keep adding to, and the phone
says truthfully what is waiting, even when the login has run out or the user has logged out."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, Route, expect

from tests.integration.pwa.conftest import (
    edit_session,
    log_in,
    open_app,
    refuse_photo_uploads,
    wait_for_service_worker,
)
from tests.integration.pwa.server import Server
from tests.integration.pwa.test_inspector_offline import card, report

pytestmark = pytest.mark.slow


# The login the phone kept ran out hours ago (a shift that starts the morning after logging in).
def sync_status(page: Page) -> Locator:
    return page.locator("#sync-status")


def offline_inspector(phone: Callable[[], BrowserContext], server: Server) -> tuple[BrowserContext, Page]:
    context = phone()
    page = open_app(context, server)
    log_in(page, "inspector")
    wait_for_service_worker(page)
    context.set_offline(True)
    return context, page


def save_report(page: Page, server: Server, description: str, picture: Path) -> None:
    report(page, server.enterprise("E001")["name"], description, picture)
    page.get_by_role("button", name="保存").click()
    expect(card(page, description).get_by_text("待同步")).to_be_visible()


def test_a_queued_report_can_be_corrected_or_withdrawn_before_it_is_sent(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    context, page = offline_inspector(phone, server)
    tag = uuid.uuid4().hex[:6]
    typo, withdrawn = f"罐区防火堤有裂逢 {tag}", f"拍错了的一条 {tag}"
    save_report(page, server, typo, photo(20))
    save_report(page, server, withdrawn, photo(21))

    card(page, typo).get_by_role("button", name="修改").click()
    expect(page.get_by_role("heading", name="修改隐患")).to_be_visible()
    corrected = f"罐区防火堤有裂缝 {tag}"
    page.get_by_label("隐患描述").fill(corrected)
    page.get_by_role("button", name="保存").click()
    expect(card(page, corrected).get_by_text("待同步")).to_be_visible()
    expect(card(page, typo)).to_have_count(0)

    page.once("dialog", lambda dialog: dialog.accept())
    card(page, withdrawn).get_by_role("button", name="删除").click()
    expect(card(page, withdrawn)).to_have_count(0)
    expect(sync_status(page)).to_contain_text("1 条记录、1 张照片待同步")  # its photo is not sent either

    context.set_offline(False)
    expect(card(page, corrected).get_by_text("已同步")).to_be_visible(timeout=30_000)
    assert len(server.findings(corrected)) == 1
    assert server.findings(typo) == []
    assert server.findings(withdrawn) == []
    # Sent is the server's: no more 修改 or 删除 on the phone's copy.
    expect(card(page, corrected).get_by_role("button", name="修改")).to_have_count(0)
    # Each card's 查看详情 is described by its report, so a screen reader tells them apart.
    expect(card(page, corrected).get_by_role("button", name="查看详情")).to_have_accessible_description(
        corrected
    )


def test_a_login_that_runs_out_offline_does_not_stop_the_inspector_working(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    context, page = offline_inspector(phone, server)
    first = f"装置区巡检工未戴安全帽 {uuid.uuid4().hex[:6]}"
    save_report(page, server, first, photo(22))
    edit_session(page, expires_at="2020-01-01T00:00:00Z")
    page.reload()  # still offline

    expect(card(page, first).get_by_text("待同步")).to_be_visible()
    expect(sync_status(page)).to_contain_text("登录已过期：可继续离线记录，联网后重新登录即可同步")
    second = f"泵房可燃气体报警器不亮 {uuid.uuid4().hex[:6]}"
    save_report(page, server, second, photo(23))

    context.set_offline(False)  # back in coverage: log in, and both go
    expect(page.get_by_text("登录已过期，请重新登录。未同步的内容仍保留在本机")).to_be_visible()
    assert server.findings(first) == [] and server.findings(second) == []
    page.get_by_label("用户名").fill("inspector")
    page.get_by_label("密码").fill("Inspect@2026")
    page.get_by_role("button", name="登录").click()
    expect(card(page, second).get_by_text("已同步")).to_be_visible(timeout=30_000)
    expect(card(page, first).get_by_text("已同步")).to_be_visible()
    assert len(server.findings(first)) == 1 and len(server.findings(second)) == 1


def test_after_logging_out_the_phone_still_says_what_waits_for_its_author(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    _, page = offline_inspector(phone, server)
    save_report(page, server, f"消防栓被货物挡住 {uuid.uuid4().hex[:6]}", photo(24))
    messages: list[str] = []

    def accept(dialog: object) -> None:
        messages.append(dialog.message)  # type: ignore[attr-defined]
        dialog.accept()  # type: ignore[attr-defined]

    page.once("dialog", accept)
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_label("用户名")).to_be_focused()  # 退出 went with the header: not <body>
    assert "现在离线，重新登录需要联网" in messages[0]
    expect(sync_status(page)).to_contain_text("本机有1 条记录、1 张照片待同步，登录后继续同步")
    expect(sync_status(page)).not_to_contain_text("全部已同步")


def test_a_photo_the_server_refuses_is_not_shown_as_on_its_way(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    context = phone()
    page = open_app(context, server)
    log_in(page, "inspector")
    refuse_photo_uploads(page)
    description = f"罐区防火堤内有杂草 {uuid.uuid4().hex[:6]}"
    report(page, server.enterprise("E001")["name"], description, photo(25))
    page.get_by_role("button", name="保存").click()
    expect(card(page, description).get_by_text("已同步")).to_be_visible(timeout=30_000)
    expect(card(page, description).get_by_text("1 张照片被拒收")).to_be_visible()
    expect(card(page, description).get_by_text("照片被服务器拒收：无法解码的图片")).to_be_visible()
    expect(card(page, description).get_by_text("待上传")).to_have_count(0)
    expect(sync_status(page)).to_contain_text("1 张照片被服务器拒收")
    expect(sync_status(page)).not_to_contain_text("全部已同步")


def test_a_sync_in_progress_says_so_and_drops_the_last_runs_error(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    context, page = offline_inspector(phone, server)
    description = f"装卸区静电夹未夹 {uuid.uuid4().hex[:6]}"
    save_report(page, server, description, photo(26))

    def unavailable(route: Route) -> None:
        if route.request.method == "PUT":
            route.fulfill(
                status=503,
                content_type="application/json",
                body='{"error": {"code": "unavailable", "message": "服务器暂时出错", "detail": null}}',
            )
        else:
            route.continue_()

    page.route("**/api/v1/photos/*", unavailable)
    context.set_offline(False)
    expect(sync_status(page)).to_contain_text("同步失败")
    page.unroute("**/api/v1/photos/*")

    held: list[Route] = []  # the upload waits until the status line has been read

    def hold(route: Route) -> None:
        if route.request.method == "PUT":
            held.append(route)
        else:
            route.continue_()

    page.route("**/api/v1/photos/*", hold)
    page.get_by_role("button", name="立即同步").click()
    expect(sync_status(page)).to_contain_text("正在同步：上传照片 1/1")
    expect(sync_status(page)).not_to_contain_text("同步失败")
    while not held:  # the line is written before the upload starts
        page.wait_for_timeout(100)
    for route in held:
        route.continue_()
    page.unroute("**/api/v1/photos/*")
    expect(card(page, description).get_by_text("已同步")).to_be_visible(timeout=30_000)
    expect(sync_status(page)).to_contain_text("全部已同步")


def test_back_in_coverage_the_phone_asks_once_which_photos_to_send_instead_of_once_per_photo(
    phone: Callable[[], BrowserContext], server: Server, fresh_photo: Callable[[int], Path]
) -> None:
    """On a weak signal every round trip counts, and a HEAD per new photo logged a 404 each."""
    context, page = offline_inspector(phone, server)
    tag = uuid.uuid4().hex[:6]
    first, second = f"泵房地面油污 {tag}", f"配电室门未关 {tag}"
    save_report(page, server, first, fresh_photo(26))
    save_report(page, server, second, fresh_photo(27))
    asked: list[str] = []
    page.on("request", lambda request: asked.append(f"{request.method} {request.url}"))
    context.set_offline(False)
    expect(card(page, second).get_by_text("已同步")).to_be_visible(timeout=30_000)
    photo_calls = [call for call in asked if "/api/v1/photos/" in call]
    assert [call for call in photo_calls if call.startswith("HEAD")] == []
    assert len([call for call in photo_calls if call.startswith("POST") and call.endswith("/missing")]) == 1
    assert len([call for call in photo_calls if call.startswith("PUT")]) == 2
    assert server.findings(first) and server.findings(second)
