"""A weak signal: the phone says it is online but the server's replies never arrive.

Playwright's clock stands in for the wait (the app gives a request up after a time), so the
tests do not sleep through it; everything else runs in real time against the real server.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Locator, Page, Route, expect

from tests.integration.pwa.conftest import log_in
from tests.integration.pwa.server import Server
from tests.integration.pwa.test_inspector_offline import card, report

REQUEST_TIMEOUT_MS = 30_000  # api.js TIMEOUT_MS
SCREEN_TIMEOUT_MS = 8_000  # api.js SCREEN_TIMEOUT_MS


def never_answer(route: Route) -> None:
    """Leave the request hanging, as a dead connection that still looks open does."""


def open_with_clock(context: BrowserContext, server: Server) -> Page:
    page = context.new_page()
    page.clock.install()  # time still runs; fast_forward jumps over a wait
    page.goto(server.url)
    return page


def wait_out(page: Page, milliseconds: int, shown: Locator) -> None:
    """Jump the page's clock past the app's timeout until ``shown`` appears: a screen refresh that a
    sync started just after a jump sets a timer of its own, which the next jump passes."""
    for _ in range(3):
        page.clock.fast_forward(milliseconds)
        try:
            expect(shown).to_be_visible(timeout=2_000)
            return
        except AssertionError:
            continue
    expect(shown).to_be_visible(timeout=1)


def test_the_dashboard_lists_findings_to_dispatch_while_statistics_never_arrive(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    description = f"罐区防火堤内堆放杂物 {uuid.uuid4().hex[:6]}"
    server.report(description, photo(6))
    admin = open_with_clock(phone(), server)
    admin.route("**/api/v1/stats", never_answer)
    log_in(admin, "admin")

    expect(admin.get_by_role("heading", name="园区总览")).to_be_visible()
    ticket = admin.get_by_role("listitem").filter(has_text=description)
    expect(ticket.get_by_role("button", name="下发整改")).to_be_visible()
    expect(admin.get_by_text("正在加载统计…")).to_be_visible()

    wait_out(admin, SCREEN_TIMEOUT_MS + 1_000, admin.get_by_text("统计暂时无法加载，稍后再试。"))
    ticket.get_by_role("button", name="下发整改").click()  # the list works without them
    expect(admin.get_by_text("已下发，企业将收到整改通知")).to_be_visible()
    server.wait_for(description, lambda finding: finding["status"] == "dispatched")


def test_a_push_whose_reply_never_arrives_is_given_up_and_delivered_once_by_the_next_sync(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    page = open_with_clock(phone(), server)
    log_in(page, "inspector")
    stalled: list[str] = []

    def apply_but_never_reply(route: Route) -> None:
        if not stalled:
            stalled.append(route.request.url)
            route.fetch()  # the server applies the batch; its reply is lost on the way
        else:
            route.continue_()

    page.route("**/api/v1/sync/push", apply_but_never_reply)
    description = f"消防通道被车辆占用 {uuid.uuid4().hex[:6]}"
    report(page, server.enterprise("E001")["name"], description, photo(7))
    page.get_by_role("button", name="保存").click()  # saving starts a sync
    sync = page.get_by_role("button", name="立即同步")
    expect(card(page, description).get_by_text("同步中")).to_be_visible()
    expect(sync).to_be_disabled()

    wait_out(page, REQUEST_TIMEOUT_MS + 1_000, card(page, description).get_by_text("待同步"))
    expect(page.get_by_role("status")).to_contain_text("网络无响应，稍后自动重试")
    expect(sync).to_be_enabled()

    sync.click()
    expect(page.get_by_text("同步完成")).to_be_visible()
    expect(card(page, description).get_by_text("已同步")).to_be_visible()
    assert stalled, "the push never went out"
    assert len(server.findings(description)) == 1
