"""What the inspector sees when things go wrong: a rejected finding, an expired login, a full phone."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from playwright.sync_api import BrowserContext, Route, expect

from tests.integration.pwa.conftest import edit_session, log_in, open_app, shot, wait_for_service_worker
from tests.integration.pwa.server import Server
from tests.integration.pwa.test_inspector_offline import card, report


def test_a_rejected_finding_shows_why_and_can_be_edited_and_resent(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    page = open_app(phone(), server)
    log_in(page, "inspector")
    description = f"消防通道被车辆占用 {uuid.uuid4().hex[:6]}"

    corrupted: list[bool] = []

    def corrupt_first_push(route: Route) -> None:
        # A real server rejection: the batch arrives with an out-of-range coordinate the server refuses.
        if corrupted:
            route.continue_()
            return
        corrupted.append(True)
        body = json.loads(route.request.post_data or "{}")
        body["mutations"][0]["data"]["location"]["lat"] = 123.0
        route.continue_(post_data=json.dumps(body))

    page.route("**/api/v1/sync/push", corrupt_first_push)
    report(page, server.enterprise("E003")["name"], description, photo(6))
    page.get_by_role("button", name="保存").click()
    item = card(page, description)
    expect(item.get_by_text("被拒绝", exact=True)).to_be_visible()
    expect(item.get_by_text("被拒绝：")).to_have_text("被拒绝：数据不合法：数字不能大于 90.0（定位纬度）")
    expect(page.get_by_role("status").filter(has_text="1 条被拒绝，需修改后重新提交")).to_be_visible()
    shot(page, "inspector-rejected")
    assert server.findings(description) == []

    item.get_by_role("button", name="修改后重新提交").click()
    expect(page.get_by_label("隐患描述")).to_have_value(description)
    page.get_by_label("隐患描述").fill(f"{description}，阻碍消防车通行")
    page.get_by_role("button", name="保存").click()
    expect(card(page, description).get_by_text("已同步")).to_be_visible()
    (stored,) = server.findings(f"{description}，阻碍消防车通行")
    assert len(stored["photos"]) == 1


def test_a_refused_report_can_be_given_up_and_leaves_the_phone(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    page = open_app(phone(), server)
    log_in(page, "inspector")
    description = f"事故池被杂物填塞 {uuid.uuid4().hex[:6]}"

    def refuse(route: Route) -> None:  # a real server rejection, as above
        body = json.loads(route.request.post_data or "{}")
        body["mutations"][0]["data"]["location"]["lat"] = 123.0
        route.continue_(post_data=json.dumps(body))

    page.route("**/api/v1/sync/push", refuse)
    report(page, server.enterprise("E002")["name"], description, photo(9))
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status").filter(has_text="1 条被拒绝")).to_be_visible()
    page.unroute("**/api/v1/sync/push", refuse)

    page.once("dialog", lambda dialog: dialog.accept())
    card(page, description).get_by_role("button", name="放弃这条").click()
    expect(card(page, description)).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="被拒绝")).to_have_count(0)
    page.get_by_role("button", name="立即同步").click()
    expect(page.get_by_role("status").filter(has_text="全部已同步")).to_be_visible()
    assert server.findings(description) == []


def test_an_expired_login_mid_sync_asks_again_and_keeps_the_outbox(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    context = phone()
    page = open_app(context, server)
    log_in(page, "inspector")
    wait_for_service_worker(page)  # the reload below happens offline
    description = f"装卸区静电接地线断开 {uuid.uuid4().hex[:6]}"
    context.set_offline(True)
    report(page, server.enterprise("E001")["name"], description, photo(7))
    page.get_by_role("button", name="保存").click()
    expect(card(page, description).get_by_text("待同步")).to_be_visible()

    # The token the phone kept is no longer accepted by the server (expired or revoked).
    edit_session(page, token="expired")
    page.reload()
    context.set_offline(False)
    expect(page.get_by_text("登录已过期，请重新登录。未同步的内容仍保留在本机")).to_be_visible()
    shot(page, "inspector-login-expired")
    assert server.findings(description) == []

    page.get_by_label("密码").fill("Inspect@2026")
    page.get_by_role("button", name="登录").click()
    expect(card(page, description).get_by_text("已同步")).to_be_visible()
    assert len(server.findings(description)) == 1


# Chromium's quota override (CDP Storage.overrideQuotaForOrigin) does not bind an origin that already
# stores data, and a phone's disk cannot be filled here: this one test injects the browser's own
# QuotaExceededError into IndexedDB writes while window.diskFull is set.
DISK_FULL = """
const put = IDBObjectStore.prototype.put;
IDBObjectStore.prototype.put = function (...args) {
  if (window.diskFull) throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
  return put.apply(this, args);
};
"""


def test_a_full_phone_says_so_and_keeps_what_was_typed(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    context = phone()
    context.add_init_script(DISK_FULL)
    page = open_app(context, server)
    log_in(page, "inspector")
    page.get_by_role("button", name="上报隐患").click()
    page.get_by_label("所属企业").select_option(label=server.enterprise("E004")["name"])
    page.get_by_label("隐患描述").fill("罐区呼吸阀堵塞")
    page.evaluate("window.diskFull = true")
    page.get_by_label("拍照").set_input_files(photo(8))
    expect(page.get_by_role("status").filter(has_text="手机存储空间不足")).to_be_visible()
    shot(page, "inspector-storage-full")
    expect(page.get_by_role("img", name="已选照片 1")).to_have_count(0)

    page.evaluate("window.diskFull = false")  # space freed
    page.get_by_label("拍照").set_input_files(photo(8))
    expect(page.get_by_role("img", name="已选照片 1")).to_be_visible()
    page.evaluate("window.diskFull = true")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_contain_text("手机存储空间不足")
    expect(page.get_by_label("隐患描述")).to_have_value("罐区呼吸阀堵塞")

    page.evaluate("window.diskFull = false")
    page.get_by_role("button", name="保存").click()
    expect(card(page, "罐区呼吸阀堵塞").get_by_text("已同步")).to_be_visible()
    assert len(server.findings("罐区呼吸阀堵塞")) == 1


def test_an_incomplete_report_takes_the_inspector_to_what_is_missing_and_each_screen_starts_at_its_title(
    phone: Callable[[], BrowserContext], server: Server
) -> None:
    """A screen-reader user hears the new screen's title, and on a refused save, the field to fill."""
    page = open_app(phone(), server)
    log_in(page, "inspector")
    page.get_by_role("button", name="检查指引").click()
    expect(page.get_by_role("heading", name="检查指引")).to_be_focused()
    page.get_by_role("button", name="上报隐患").click()
    expect(page.get_by_role("heading", name="上报隐患")).to_be_focused()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_have_text("请选择所属企业")
    expect(page.get_by_label("所属企业")).to_be_focused()
    page.get_by_label("所属企业").select_option(label=server.enterprise("E001")["name"])
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_label("隐患描述")).to_be_focused()


def test_an_observed_time_more_than_a_day_ahead_is_refused_at_save(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    """The server refuses it after sync (over 24 hours ahead of its clock): the form says so first."""
    page = open_app(phone(), server)
    log_in(page, "inspector")
    description = f"罐区防火堤排水阀常开 {uuid.uuid4().hex[:6]}"
    report(page, server.enterprise("E001")["name"], description, photo(16))
    now = datetime.now(timezone(timedelta(hours=8)))  # the phone's zone, Asia/Shanghai
    page.get_by_label("发现时间").fill((now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_have_text("发现时间不能晚于现在，请核对后重新填写")
    expect(page.get_by_label("发现时间")).to_be_focused()
    expect(page.get_by_label("隐患描述")).to_have_value(description)  # nothing was saved

    # A phone clock a little ahead is the server's to judge (it allows a day): saved and synced.
    page.get_by_label("发现时间").fill((now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="保存").click()
    expect(card(page, description).get_by_text("已同步")).to_be_visible()


def test_more_than_twenty_photos_are_refused_at_save(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    """The server takes 20 photos a report and would refuse more only after sync."""
    page = open_app(phone(), server)
    log_in(page, "inspector")
    description = f"罐区防火堤多处破损 {uuid.uuid4().hex[:6]}"
    report(page, server.enterprise("E001")["name"], description, photo(62))
    page.get_by_label("拍照").set_input_files([photo(index) for index in range(63, 83)])
    expect(page.get_by_role("img", name="已选照片 21")).to_be_visible()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_have_text("最多 20 张照片，请移除多余的 1 张后再保存")
    expect(page.get_by_label("拍照")).to_be_focused()
    expect(page.get_by_label("隐患描述")).to_have_value(description)  # nothing was saved

    page.get_by_role("button", name="移除第 21 张", exact=True).click()
    page.get_by_role("button", name="保存").click()
    expect(card(page, description).get_by_text("已同步")).to_be_visible()


# Notes when the first "我的上报" screen is taken away: the sync after login redraws the list.
WATCH_TITLE = """
window.titleRedrawn = false;
new MutationObserver((records) => {
    for (const record of records) {
        for (const node of record.removedNodes) {
            if (node.querySelector?.("h1")?.textContent === "我的上报") window.titleRedrawn = true;
        }
    }
}).observe(document, { childList: true, subtree: true });
"""


def test_the_sync_after_login_leaves_the_focus_on_the_screens_title(
    phone: Callable[[], BrowserContext], server: Server
) -> None:
    """route() focused the title; the list redrawn by the sync dropped focus to <body>."""
    context = phone()
    context.add_init_script(WATCH_TITLE)
    page = open_app(context, server)
    log_in(page, "inspector")
    page.wait_for_function("window.titleRedrawn")
    expect(page.get_by_role("heading", name="我的上报")).to_be_focused()
