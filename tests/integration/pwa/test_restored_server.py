"""A phone whose server was restored from a backup starts its copies again rather than keep ghosts."""

from __future__ import annotations

import time
from collections.abc import Callable

from playwright.sync_api import BrowserContext, expect

from tests.integration.pwa.conftest import log_in, open_app
from tests.integration.pwa.server import Server

GHOST_ID = "00000000-0000-4000-8000-00000000dead"

# What the phone would hold had the server handed out versions a restore took back: a cursor far
# ahead, and a finding the restored database never had.
PRETEND_THE_SERVER_WAS_RESTORED = """(ghost) => new Promise((resolve) => {
    const open = indexedDB.open("parksafe");
    open.onsuccess = () => {
        const tx = open.result.transaction(["kv", "records"], "readwrite");
        tx.objectStore("kv").put({ key: "cursor", value: "900000000" });
        tx.objectStore("records").put({ entity: "finding", id: ghost, version: 899999999, deleted: false,
            data: { description: "恢复前的幽灵隐患", status: "reported" } });
        tx.oncomplete = () => resolve(true);
    };
})"""

STORED = """() => new Promise((resolve) => {
    const open = indexedDB.open("parksafe");
    open.onsuccess = () => {
        const tx = open.result.transaction(["kv", "records"]);
        const cursor = tx.objectStore("kv").get("cursor");
        const records = tx.objectStore("records").getAll();
        tx.oncomplete = () => resolve({
            cursor: cursor.result && cursor.result.value,
            ids: records.result.map((r) => r.id),
            enterprises: records.result.filter((r) => r.entity === "enterprise").length,
        });
    };
})"""


def test_a_phone_ahead_of_a_restored_server_drops_its_copies_and_pulls_again(
    phone: Callable[[], BrowserContext], server: Server
) -> None:
    page = open_app(phone(), server)
    log_in(page, "inspector")
    before = page.evaluate(STORED)
    assert before["enterprises"] > 0

    page.evaluate(PRETEND_THE_SERVER_WAS_RESTORED, GHOST_ID)
    page.get_by_role("button", name="立即同步").click()

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # IndexedDB answers asynchronously: poll it from here
        after = page.evaluate(STORED)
        if GHOST_ID not in after["ids"] and after["enterprises"] and after["cursor"] is not None:
            break
        page.wait_for_timeout(200)
    assert GHOST_ID not in after["ids"]
    assert int(after["cursor"]) >= int(before["cursor"])  # the restored server's own position
    assert int(after["cursor"]) < 900000000
    assert after["enterprises"] == before["enterprises"]
    expect(page.get_by_role("status").filter(has_text="上次同步")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="同步失败")).to_have_count(0)
