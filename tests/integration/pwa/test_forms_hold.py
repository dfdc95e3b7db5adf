"""A form holds what the user did: a double tap saves once (and sends any action once), an expired
login does not wipe it and is said once, a file that is not a photo is refused when picked, and
another user's screens stay closed."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Locator, Page, Route, expect

from tests.integration.pwa.conftest import HeldPulls, log_in, open_app, requests_to, wait_for_service_worker
from tests.integration.pwa.server import DEMO_PASSWORDS, Server
from tests.integration.pwa.test_inspector_offline import card, report

EXPIRED = json.dumps(
    {"error": {"code": "unauthorized", "message": "登录已过期 / token expired", "detail": None}}
)


def test_a_double_tap_on_save_reports_one_finding(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    page = open_app(phone(), server)
    log_in(page, "inspector")
    description = f"配电室门口堆放纸箱 {uuid.uuid4().hex[:6]}"
    report(page, server.enterprise("E002")["name"], description, photo(11))
    page.get_by_role("button", name="保存").dblclick()
    expect(card(page, description).get_by_text("已同步")).to_be_visible()
    expect(card(page, description)).to_have_count(1)
    assert len(server.findings(description)) == 1


def test_a_double_tap_on_an_action_button_sends_it_once(
    phone: Callable[[], BrowserContext], server: Server, fresh_photo: Callable[[int], Path]
) -> None:
    """Only a form's 保存 was guarded: 判定为重大隐患 graded twice (two audit steps), 下发整改 answered
    409 next to its success, 通过 answered 409."""
    suffix = uuid.uuid4().hex[:6]
    major = f"一级重大危险源液化烃罐区未实现紧急切断功能，紧急切断阀处于手动旁路状态 {suffix}"
    graded_id = server.report(major, fresh_photo(33))
    general = f"危化品仓库门口堆放纸箱，堵塞疏散通道 {suffix}"
    server.report(general, fresh_photo(34))
    fixed = f"配电室门口堆放杂物 {suffix}"
    fixed_id = server.fix_on_the_spot(fixed, fresh_photo(35), fresh_photo(36))
    server.wait_for(major, lambda f: (f.get("matches") or {}).get("major_hazard"))
    server.wait_for(fixed, lambda f: f["status"] == "pending_verification")

    admin = open_app(phone(), server)
    grades = requests_to(admin, "POST", "/level")
    dispatches = requests_to(admin, "POST", "/dispatch")
    log_in(admin, "admin")
    graded = admin.get_by_role("listitem").filter(has_text=major)
    graded.get_by_role("button", name="判定为重大隐患").dblclick()
    expect(graded.get_by_text("重大隐患：须先审定治理方案")).to_be_visible()
    expect(graded.get_by_text("判定失败")).to_have_count(0)
    assert len(grades) == 1
    steps = server.call("GET", f"/api/v1/findings/{graded_id}").json()["timeline"]
    assert [step["action"] for step in steps].count("finding.graded") == 1

    admin.get_by_role("listitem").filter(has_text=general).get_by_role("button", name="下发整改").dblclick()
    expect(admin.get_by_text("已下发，企业将收到整改通知")).to_be_visible()
    expect(admin.get_by_text("下发失败")).to_have_count(0)
    server.wait_for(general, lambda f: f["status"] == "dispatched")
    assert len(dispatches) == 1

    supervisor = open_app(phone(), server, f"#/review/{fixed_id}")
    reviews = requests_to(supervisor, "POST", "/review")
    log_in(supervisor, "supervisor")
    supervisor.get_by_label("验收意见").fill("现场复查合格")
    supervisor.get_by_role("button", name="通过").dblclick()
    expect(supervisor.get_by_role("heading", name="待验收")).to_be_visible()
    server.wait_for(fixed, lambda f: f["status"] == "closed")
    assert len(reviews) == 1


def expire_login(page: Page) -> tuple[Locator, Callable[[Route], None]]:
    """The server stops accepting the phone's token (expired or revoked) while the form is open and
    a sync runs: the 重新登录 dialog, and the route answering 401 (to unroute)."""

    def expired(route: Route) -> None:
        route.fulfill(status=401, content_type="application/json", body=EXPIRED)

    page.route("**/api/v1/**", expired)
    page.get_by_role("button", name="立即同步").click()
    relogin = page.get_by_role("dialog", name="重新登录")
    expect(relogin).to_be_visible()
    return relogin, expired


def test_an_expired_login_over_a_form_is_said_once_in_each_place(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    """The status line said it twice, the 重新登录 dialog twice, and a toast dimmed under the dialog."""
    page = open_app(phone(), server)
    log_in(page, "inspector")
    report(page, server.enterprise("E001")["name"], f"泵房地面油污未清理 {uuid.uuid4().hex[:6]}", photo(15))

    relogin, _ = expire_login(page)
    status = page.locator("#sync-status")
    expect(status).to_contain_text("登录已过期，请重新登录")
    expect(status).not_to_contain_text("正在同步")  # the run stopped by the 401 has ended
    assert status.inner_text().count("登录已过期") == 1, status.inner_text()
    assert relogin.inner_text().count("登录已过期") == 1, relogin.inner_text()
    assert page.locator("#toast").is_hidden()  # now: the toast came with the dialog (and left after 5 s)


def test_an_expired_login_while_reporting_keeps_the_form_and_saves_it_after_login(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    page = open_app(phone(), server)
    log_in(page, "inspector")
    description = f"甲类仓库防爆灯损坏 {uuid.uuid4().hex[:6]}"
    report(page, server.enterprise("E001")["name"], description, photo(12))

    relogin, expired = expire_login(page)
    page.unroute("**/api/v1/**", expired)
    relogin.get_by_label("密码").fill("Inspect@2026")
    relogin.get_by_role("button", name="登录").click()
    expect(relogin).to_have_count(0)

    expect(page.get_by_label("隐患描述")).to_have_value(description)
    expect(page.get_by_label("位置描述")).to_have_value("二号罐区东侧泵房")
    expect(page.get_by_role("img", name="已选照片 1")).to_be_visible()
    page.get_by_role("button", name="保存").click()
    expect(card(page, description).get_by_text("已同步")).to_be_visible()
    (stored,) = server.findings(description)
    assert len(stored["photos"]) == 1 and not stored["missing_photos"]


def test_escape_does_not_close_the_login_over_a_form_for_good(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    """Escape closed the 重新登录 dialog for good: the header offers nothing while the login is out."""
    page = open_app(phone(), server)
    log_in(page, "inspector")
    description = f"装置区防爆挠性管破损 {uuid.uuid4().hex[:6]}"
    report(page, server.enterprise("E001")["name"], description, photo(16))

    relogin, expired = expire_login(page)
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")  # a second Escape, which the browser may not let the page refuse
    expect(relogin).to_be_visible()
    page.unroute("**/api/v1/**", expired)
    relogin.get_by_label("密码").fill(DEMO_PASSWORDS["inspector"])
    relogin.get_by_role("button", name="登录").click()
    expect(relogin).to_have_count(0)
    expect(page.get_by_role("button", name="立即同步")).to_be_visible()


def test_after_logging_in_again_over_a_form_the_focus_is_back_where_it_was(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    """The 重新登录 dialog closed onto <body> (立即同步, tapped before it opened, was redrawn and is
    disabled while the sync after login runs): a screen reader lost its place in the form."""
    description = f"配电室电缆沟盖板缺失 {uuid.uuid4().hex[:6]}"
    finding_id = server.report(description, photo(17))
    server.dispatch(finding_id)
    page = open_app(phone(), server, f"#/ticket/{finding_id}")
    log_in(page, "staff")
    note = page.get_by_label("整改说明")
    note.fill("已补齐电缆沟盖板")

    def log_in_again(relogin: Locator) -> None:
        relogin.get_by_label("密码").fill(DEMO_PASSWORDS["staff"])
        relogin.get_by_role("button", name="登录").click()
        expect(relogin).to_have_count(0)

    relogin, expired = expire_login(page)  # the user tapped 立即同步 after typing
    page.unroute("**/api/v1/**", expired)
    log_in_again(relogin)
    expect(note).to_be_focused()

    expect(page.get_by_role("button", name="立即同步")).to_be_enabled()  # the sync after login is done
    page.route("**/api/v1/**", expired)
    page.evaluate("window.dispatchEvent(new Event('online'))")  # a sync starts while the user types
    expect(relogin).to_be_visible()
    page.unroute("**/api/v1/**", expired)
    log_in_again(relogin)
    expect(note).to_be_focused()
    expect(note).to_have_value("已补齐电缆沟盖板")


def test_a_file_that_is_not_a_photo_is_refused_when_picked(
    phone: Callable[[], BrowserContext], server: Server, tmp_path: Path
) -> None:
    fake = tmp_path / "fake.jpg"
    fake.write_bytes(b"%PDF-1.4 not a photo at all\n" * 40)
    page = open_app(phone(), server)
    log_in(page, "inspector")
    page.get_by_role("button", name="上报隐患").click()
    page.get_by_label("拍照").set_input_files(
        {"name": fake.name, "mimeType": "image/jpeg", "buffer": fake.read_bytes()}
    )
    expect(page.get_by_role("status").filter(has_text="无法读取这张照片")).to_be_visible()
    expect(page.get_by_role("img", name="已选照片 1")).to_have_count(0)


def test_a_photo_taken_offline_waits_for_its_own_user_on_a_shared_phone(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    context = phone()
    page = open_app(context, server)
    log_in(page, "inspector")
    wait_for_service_worker(page)
    description = f"储罐区呼吸阀锈蚀 {uuid.uuid4().hex[:6]}"
    context.set_offline(True)
    report(page, server.enterprise("E003")["name"], description, photo(13))
    page.get_by_role("button", name="保存").click()
    expect(card(page, description).get_by_text("待同步")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())  # 退出 asks: things are still waiting
    page.get_by_role("button", name="退出").click()

    context.set_offline(False)
    log_in(page, "supervisor")
    expect(page.get_by_role("status").filter(has_text="全部已同步")).to_be_visible()
    expect(page.get_by_text("登录已过期")).to_have_count(0)
    sha256 = hashlib.sha256(photo(13).read_bytes()).hexdigest()
    assert server.call("HEAD", f"/api/v1/photos/{sha256}").status_code == 404

    page.get_by_role("button", name="退出").click()
    log_in(page, "inspector")
    page.get_by_role("button", name="我的上报").click()
    expect(card(page, description).get_by_text("已同步")).to_be_visible()
    assert server.call("HEAD", f"/api/v1/photos/{sha256}").status_code == 200


def test_a_link_to_another_roles_screen_opens_the_users_own_home(
    phone: Callable[[], BrowserContext], server: Server
) -> None:
    page = open_app(phone(), server)
    log_in(page, "staff")
    page.evaluate("location.hash = '#/report'")
    expect(page.get_by_role("heading", name="整改任务")).to_be_visible()
    expect(page.get_by_label("隐患描述")).to_have_count(0)


def test_a_report_left_for_the_guide_and_a_fix_left_for_the_list_keep_what_was_typed(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    inspector = open_app(phone(), server)
    log_in(inspector, "inspector")
    description = f"装置区消防栓被杂物遮挡 {uuid.uuid4().hex[:6]}"
    enterprise = server.enterprise("E001")["name"]
    report(inspector, enterprise, description, photo(13))
    inspector.get_by_role("button", name="检查指引").click()  # what was that item called again?
    inspector.get_by_role("button", name="上报隐患").click()
    expect(inspector.get_by_label("隐患描述")).to_have_value(description)
    expect(inspector.get_by_label("位置描述")).to_have_value("二号罐区东侧泵房")
    expect(inspector.get_by_label("所属企业").locator("option:checked")).to_have_text(enterprise)
    expect(inspector.get_by_role("img", name="已选照片 1")).to_be_visible()
    inspector.get_by_role("button", name="保存").click()
    expect(card(inspector, description).get_by_text("已同步")).to_be_visible()
    inspector.get_by_role("button", name="上报隐患").click()
    expect(inspector.get_by_label("隐患描述")).to_have_value("")  # saved: the next report starts empty

    [finding] = server.findings(description)
    server.dispatch(finding["id"])
    staff = open_app(phone(), server)
    log_in(staff, "staff")
    staff.get_by_role("listitem").filter(has_text=description).get_by_role("button", name="查看详情").click()
    staff.get_by_label("整改说明").fill("已清理消防栓周边杂物")
    staff.get_by_label("拍照").set_input_files(photo(14))
    expect(staff.get_by_role("img", name="已选照片 1")).to_be_visible()
    staff.get_by_role("button", name="返回列表").click()
    staff.get_by_role("listitem").filter(has_text=description).get_by_role("button", name="查看详情").click()
    expect(staff.get_by_label("整改说明")).to_have_value("已清理消防栓周边杂物")
    expect(staff.get_by_role("img", name="已选照片 1")).to_be_visible()
    expect(staff.get_by_text("处罚依据")).to_have_count(0)  # the park's penalty draft is not the enterprise's


def test_a_report_opened_before_the_first_sync_fills_in_its_enterprises_when_they_arrive(
    phone: Callable[[], BrowserContext], server: Server
) -> None:
    """An inspector who taps 上报隐患 right after logging in on a new phone was left with
    暂无企业数据，请联网同步 (while online) until they opened the form again."""
    page = open_app(phone(), server)
    pulls = HeldPulls(page)  # the first pull is slow to come back
    page.get_by_label("用户名").fill("inspector")
    page.get_by_label("密码").fill(DEMO_PASSWORDS["inspector"])
    page.get_by_role("button", name="登录").click()
    page.get_by_role("button", name="上报隐患").click()
    enterprise = page.get_by_label("所属企业")
    expect(enterprise.locator("option")).to_have_text(["暂无企业数据，请联网同步"])
    page.get_by_label("隐患描述").fill("储罐区防火堤内有杂草")

    pulls.release()
    name = server.enterprise("E001")["name"]
    expect(enterprise.locator("option", has_text=name)).to_have_count(1)
    enterprise.select_option(label=name)
    expect(page.get_by_label("隐患描述")).to_have_value("储罐区防火堤内有杂草")
    expect(enterprise.locator("option").first).to_have_text("请选择企业")


def test_a_report_saved_while_a_sync_is_pulling_goes_up_when_that_sync_ends(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    """Saved while a run was past its push, a report waited for the next minute's timer."""
    page = open_app(phone(), server)
    log_in(page, "inspector")
    pulls = HeldPulls(page)
    page.get_by_role("button", name="立即同步").click()  # nothing to push: the run waits on its pull
    pulls.wait_until_sent()
    description = f"泵房地面有油污未清理 {uuid.uuid4().hex[:6]}"
    report(page, server.enterprise("E001")["name"], description, photo(12))
    page.get_by_role("button", name="保存").click()
    expect(card(page, description).get_by_text("待同步")).to_be_visible()
    pulls.release()
    expect(card(page, description).get_by_text("已同步")).to_be_visible(timeout=15_000)
