"""The rectification form says what is missing and takes staff to it, refuses what the server would
refuse after sync (more than 20 photos), and keeps the focus on a control as photos are removed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, expect

from tests.integration.pwa.conftest import log_in, open_app
from tests.integration.pwa.server import Server


def test_a_refused_fix_takes_the_staff_to_what_is_missing_and_more_than_twenty_photos_are_refused(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    """The server takes 20 photos a record: 21 were accepted here and refused only after sync."""
    description = f"甲类仓库防爆开关盒盖缺失 {uuid.uuid4().hex[:6]}"
    finding_id = server.report(description, photo(40))
    server.dispatch(finding_id)
    staff = open_app(phone(), server, f"#/ticket/{finding_id}")
    log_in(staff, "staff")
    submit = staff.get_by_role("button", name="提交整改")
    camera = staff.get_by_label("拍照")

    submit.click()
    expect(staff.get_by_role("alert")).to_have_text("请填写整改说明")
    expect(staff.get_by_label("整改说明")).to_be_focused()
    staff.get_by_label("整改说明").fill("已补装防爆开关盒盖并紧固")
    submit.click()
    expect(staff.get_by_role("alert")).to_have_text("请拍摄整改后的照片")
    expect(camera).to_be_focused()

    camera.set_input_files([photo(index) for index in range(41, 62)])
    expect(staff.get_by_role("img", name="已选照片 21")).to_be_visible()
    submit.click()
    expect(staff.get_by_role("alert")).to_have_text("最多 20 张照片，请移除多余的 1 张后再提交")
    expect(camera).to_be_focused()
    expect(staff.locator("#sync-status")).not_to_contain_text("待同步")  # nothing was queued

    # The removed photo's button goes: the focus moves to the next photo's, else to 拍照.
    staff.get_by_role("button", name="移除第 21 张", exact=True).click()
    expect(camera).to_be_focused()
    staff.get_by_role("button", name="移除第 1 张", exact=True).click()
    expect(staff.get_by_role("img", name="已选照片 20")).to_have_count(0)
    remove_first = staff.get_by_role("button", name="移除第 1 张", exact=True)
    expect(remove_first).to_be_focused()
    box = remove_first.bounding_box()
    assert box and box["height"] >= 44, box  # a touch target

    submit.click()
    server.wait_for(description, lambda f: f["status"] == "pending_verification")
