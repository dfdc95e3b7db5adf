"""An inspector reports a hazard with no signal; nothing is lost, nothing is duplicated."""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Locator, Page, Request, Route, expect

from tests.integration.pwa.conftest import log_in, open_app, shot, wait_for_service_worker
from tests.integration.pwa.server import Server


def report(page: Page, enterprise: str, description: str, photo: Path) -> None:
    page.get_by_role("button", name="上报隐患").click()
    page.get_by_label("所属企业").select_option(label=enterprise)
    page.get_by_label("拍照").set_input_files(photo)
    expect(page.get_by_role("img", name="已选照片 1")).to_be_visible()
    page.get_by_label("隐患描述").fill(description)
    page.get_by_label("位置描述").fill("二号罐区东侧泵房")


def card(page: Page, description: str) -> Locator:
    return page.get_by_role("listitem").filter(has_text=description)


def test_a_finding_captured_offline_survives_a_closed_page_and_syncs_once_with_its_photo(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    context = phone()
    page = open_app(context, server)
    log_in(page, "inspector")
    wait_for_service_worker(page)
    enterprise = server.enterprise("E001")["name"]
    description = f"储罐区作业人员未佩戴安全帽 {uuid.uuid4().hex[:6]}"
    picture = photo(0)

    context.set_offline(True)
    report(page, enterprise, description, picture)
    shot(page, "inspector-report-offline")
    page.get_by_role("button", name="保存").click()
    expect(card(page, description).get_by_text("待同步")).to_be_visible()
    shot(page, "inspector-mine-offline")

    page.close()
    page = open_app(context, server, "#/mine")  # still offline: the service worker serves the shell
    expect(card(page, description).get_by_text("待同步")).to_be_visible()
    assert server.findings(description) == []

    context.set_offline(False)  # the app syncs by itself when the network returns
    expect(card(page, description).get_by_text("已同步")).to_be_visible(timeout=30_000)
    shot(page, "inspector-mine-synced")

    (stored,) = server.findings(description)
    sha256 = hashlib.sha256(picture.read_bytes()).hexdigest()
    assert stored["photos"] == [sha256]
    assert stored["missing_photos"] == []
    assert stored["location"]["text"] == "二号罐区东侧泵房"
    assert stored["location"]["lat"] == 38.9812
    assert server.call("HEAD", f"/api/v1/photos/{sha256}").status_code == 200

    page.get_by_role("button", name="立即同步").click()  # syncing again changes nothing
    expect(page.get_by_text("同步完成")).to_be_visible()
    assert len(server.findings(description)) == 1


def test_an_upload_cut_off_halfway_and_a_lost_push_reply_resume_without_duplicates(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    context = phone()
    page = open_app(context, server)
    log_in(page, "inspector")
    cut: list[str] = []

    def cut_first_photo_upload(route: Route) -> None:
        if route.request.method == "PUT" and not cut:
            cut.append(route.request.url)
            route.abort("connectionreset")  # the connection drops mid-upload
        else:
            route.continue_()

    def lose_first_push_reply(route: Route) -> None:
        if "push" not in cut:
            cut.append("push")
            route.fetch()  # the server applies the batch...
            route.abort("connectionreset")  # ...but the phone never hears back
        else:
            route.continue_()

    page.route("**/api/v1/photos/*", cut_first_photo_upload)
    page.route("**/api/v1/sync/push", lose_first_push_reply)
    description = f"动火作业现场未配备灭火器 {uuid.uuid4().hex[:6]}"
    picture = photo(1)
    report(page, server.enterprise("E002")["name"], description, picture)
    page.get_by_role("button", name="保存").click()
    sync = page.get_by_role("button", name="立即同步")
    # Retry as a user would: first the photo goes through, then the push the phone never heard back
    # from comes back as a duplicate; the finding ends up on the server once.
    for _ in range(4):
        expect(sync).to_be_enabled()
        # Wait out 同步中 (an automatic sync may be running) before reading the outcome.
        expect(card(page, description).get_by_text(re.compile("^(待同步|已同步)$"))).to_be_visible()
        if card(page, description).get_by_text("已同步").is_visible():
            break
        sync.click()
    expect(card(page, description).get_by_text("已同步")).to_be_visible()

    assert len(cut) == 2, cut
    (stored,) = server.findings(description)
    sha256 = hashlib.sha256(picture.read_bytes()).hexdigest()
    assert stored["photos"] == [sha256] and stored["missing_photos"] == []
    photo_bytes = server.call("GET", f"/api/v1/photos/{sha256}").content
    assert hashlib.sha256(photo_bytes).hexdigest() == sha256


def test_the_app_shell_opens_offline_after_the_first_visit(
    phone: Callable[[], BrowserContext], server: Server
) -> None:
    context = phone()
    page = open_app(context, server)
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    wait_for_service_worker(page)
    context.set_offline(True)
    page.reload()
    expect(page.get_by_label("用户名")).to_be_visible()
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    page.get_by_label("用户名").fill("inspector")
    page.get_by_label("密码").fill("Inspect@2026")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_have_text("登录需要联网，请连接网络后重试")
    shot(page, "login-offline")
    manifest = page.evaluate("fetch('/manifest.webmanifest').then(r => r.json())")
    assert manifest["name"].startswith("园安") and manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}


def test_after_sync_the_inspector_sees_what_the_ai_and_the_checklist_made_of_the_report(
    phone: Callable[[], BrowserContext], server: Server, workers_without_helmets: Path
) -> None:
    workers = workers_without_helmets
    page = open_app(phone(), server)
    log_in(page, "inspector")
    description = f"脚手架上三名工人没戴安全帽 {uuid.uuid4().hex[:6]}"
    report(page, server.enterprise("E001")["name"], description, workers)
    page.get_by_role("button", name="保存").click()
    expect(card(page, description).get_by_text("已同步")).to_be_visible(timeout=30_000)
    server.wait_for(description, lambda f: bool(f["ai"]) and bool(f["matches"]), timeout=60)

    page.get_by_role("button", name="立即同步").click()
    results = card(page, description).get_by_text(re.compile(r"AI 识别：未戴安全帽 \d+ 处.* · 匹配 XC-08-01"))
    expect(results).to_be_visible()
    results.click()
    expect(card(page, description).get_by_text("检查项 XC-08-01：作业人员未按规定佩戴安全帽")).to_be_visible()
    expect(card(page, description).get_by_role("img", name="隐患照片 1")).to_be_visible()
    expect(
        card(page, description).get_by_text(
            re.compile(r"隐患照片 1 · AI 识别：未戴安全帽 \d+ 处（最高置信度 \d+%）")
        )
    ).to_be_visible()
    shot(page, "inspector-report-results")

    # A sync (the app's own, every minute or when the network returns) redraws the list; the
    # inspector keeps reading the results they opened.
    card(page, description).get_by_text("检查项 XC-08-01").evaluate(
        "item => item.scrollIntoView({block: 'start'})"
    )
    reading_at = page.evaluate("window.scrollY")
    assert reading_at > 0
    drawn = card(page, description).element_handle()
    page.get_by_role("button", name="立即同步").click()
    page.wait_for_function("card => !card.isConnected", arg=drawn)  # the list was redrawn
    expect(card(page, description).get_by_text("检查项 XC-08-01：作业人员未按规定佩戴安全帽")).to_be_visible()
    expect(card(page, description).get_by_role("img", name="隐患照片 1")).to_be_visible()
    assert page.evaluate("window.scrollY") == reading_at


def test_the_photo_button_speaks_chinese_and_opens_the_camera(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    page = open_app(phone(), server)
    log_in(page, "inspector")
    page.get_by_role("button", name="上报隐患").click()
    button = page.get_by_text("拍照", exact=True)
    box = button.bounding_box()
    assert box is not None and box["height"] >= 48  # a thumb-sized target
    # The browser's own file control ("Choose Files", in the browser's language) is out of sight.
    native = page.get_by_label("拍照", exact=True).bounding_box()
    assert native is not None and native["width"] <= 1 and native["height"] <= 1
    with page.expect_file_chooser() as chooser:
        button.click()
    chooser.value.set_files(photo(3))
    expect(page.get_by_role("img", name="已选照片 1")).to_be_visible()


def test_after_a_report_is_pushed_the_phone_pulls_again_soon_for_what_the_server_makes_of_it(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    """AI boxes and matched items come from jobs that finish after the push: the phone asks again
    within seconds instead of at the next minute's sync."""
    page = open_app(phone(), server)
    log_in(page, "inspector")
    description = f"泵房地面油污未清理 {uuid.uuid4().hex[:6]}"
    report(page, server.enterprise("E001")["name"], description, photo(15))
    pulls: list[float] = []

    def note_pull(request: Request) -> None:
        if "/api/v1/sync/pull" in request.url:
            pulls.append(time.monotonic())

    page.on("request", note_pull)
    page.get_by_role("button", name="保存").click()
    expect(card(page, description).get_by_text("已同步")).to_be_visible(timeout=30_000)
    synced = time.monotonic()
    page.wait_for_timeout(9_000)
    assert any(moment > synced + 3 for moment in pulls), pulls  # the follow-up pull, well before a minute
