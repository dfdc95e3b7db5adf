"""A phone passed from one enterprise's staff to another's keeps nothing of the first enterprise."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import BrowserContext, expect

from tests.integration.pwa.conftest import log_in, open_app
from tests.integration.pwa.server import Server

COUNT_FINDINGS = """() => new Promise((resolve) => {
    const open = indexedDB.open("parksafe");
    open.onsuccess = () => {
        const request = open.result.transaction("records").objectStore("records").getAll();
        request.onsuccess = () => resolve(request.result.filter((r) => r.entity === "finding").map((r) => r.id));
    };
})"""


def test_the_next_user_of_a_shared_phone_sees_nothing_the_last_one_pulled(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    description = f"E001 储罐区阀门泄漏 {uuid.uuid4().hex[:6]}"
    finding_id = server.report(description, photo(10))  # at E001, the demo 'staff' user's
    deadline = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    assert server.call(
        "POST", f"/api/v1/findings/{finding_id}/dispatch", json={"deadline": deadline}
    ).is_success

    page = open_app(phone(), server)
    log_in(page, "staff")
    expect(page.get_by_role("listitem").filter(has_text=description)).to_be_visible()
    assert finding_id in page.evaluate(COUNT_FINDINGS)
    page.get_by_role("button", name="退出").click()

    log_in(page, "staff2")  # another enterprise (E002), same phone
    expect(page.get_by_role("heading", name="整改任务")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text=description)).to_have_count(0)
    assert finding_id not in page.evaluate(COUNT_FINDINGS)


def test_the_header_names_who_is_signed_in_by_role_and_name(
    phone: Callable[[], BrowserContext], server: Server
) -> None:
    """On a shared phone the next user must see at a glance whose session this is."""
    page = open_app(phone(), server)
    log_in(page, "inspector")
    expect(page.locator("header .who")).to_have_text("检查员 李检查")
