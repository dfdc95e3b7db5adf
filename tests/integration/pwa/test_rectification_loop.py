"""Park admin dispatches, enterprise staff rectify with after-photos, the supervisor approves: in the app."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

from tests.integration.pwa.conftest import log_in, open_app, refuse_photo_uploads, shot
from tests.integration.pwa.server import Server


def rectify_in_the_app(
    context: BrowserContext, server: Server, finding_id: str, description: str, note: str, after: Path
) -> Page:
    """Enterprise staff open the ticket from a link, describe the fix, photograph it and submit."""
    staff = open_app(context, server, f"#/ticket/{finding_id}")
    log_in(staff, "staff")
    staff.get_by_label("整改说明").fill(note)
    staff.get_by_label("拍照").set_input_files(after)
    expect(staff.get_by_role("img", name="已选照片 1")).to_be_visible()
    staff.get_by_role("button", name="提交整改").click()
    server.wait_for(description, lambda f: f["status"] == "pending_verification")
    return staff


def test_dispatch_rectify_and_approve_in_the_app(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    description = f"仓库内作业人员未戴安全帽 {uuid.uuid4().hex[:6]}"
    server.report(description, photo(2))

    admin = open_app(phone(), server)
    log_in(admin, "admin")
    expect(admin.get_by_role("heading", name="园区总览")).to_be_visible()
    # The first pull brings every finding the suite's shared server holds by now: it can take a while.
    expect(admin.locator("#sync-status")).to_contain_text("全部已同步", timeout=60_000)
    ticket = admin.get_by_role("listitem").filter(has_text=description)
    shot(admin, "admin-dashboard")
    ticket.get_by_role("button", name="下发整改").click()
    expect(admin.get_by_text("已下发，企业将收到整改通知")).to_be_visible()
    assert server.findings(description)[0]["status"] == "dispatched"

    staff_phone = phone()
    staff = open_app(staff_phone, server)
    log_in(staff, "staff")
    task = staff.get_by_role("listitem").filter(has_text=description)
    expect(task.get_by_text("剩余")).to_be_visible()
    shot(staff, "staff-tickets")
    task.get_by_role("button", name="查看详情").click()
    expect(staff.get_by_role("img", name="隐患照片 1")).to_be_visible()
    staff_phone.set_offline(True)  # the rectification form works without signal too
    staff.get_by_label("整改说明").fill("已组织班组安全教育，现场人员全部佩戴安全帽，设专人监护")
    staff.get_by_label("拍照").set_input_files(photo(3))
    expect(staff.get_by_role("img", name="已选照片 1")).to_be_visible()
    shot(staff, "staff-rectify")
    staff.get_by_role("button", name="提交整改").click()
    expect(
        staff.get_by_role("listitem").filter(has_text=description).get_by_text("整改待同步")
    ).to_be_visible()
    staff_phone.set_offline(False)
    server.wait_for(description, lambda f: f["status"] == "pending_verification")

    supervisor = open_app(phone(), server)
    log_in(supervisor, "supervisor")
    queued = supervisor.get_by_role("listitem").filter(has_text=description)
    queued.get_by_role("button", name="审核").click()
    expect(supervisor.get_by_role("img", name="整改前 1")).to_be_visible()
    expect(supervisor.get_by_role("img", name="整改后 1")).to_be_visible()
    expect(supervisor.get_by_text("整改说明：已组织班组安全教育")).to_be_visible()
    supervisor.get_by_label("验收意见").fill("现场复查合格")
    shot(supervisor, "supervisor-review")
    supervisor.get_by_role("button", name="通过").click()
    expect(supervisor.get_by_role("heading", name="待验收")).to_be_visible()
    closed = server.wait_for(description, lambda f: f["status"] == "closed")
    assert closed["acceptance_comment"] == "现场复查合格"


def test_a_sync_keeps_the_deadline_the_admin_picked_before_dispatching(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    first = f"危化品仓库通风设施损坏 {uuid.uuid4().hex[:6]}"
    server.report(first, photo(8))
    admin = open_app(phone(), server)
    log_in(admin, "admin")
    ticket = admin.get_by_role("listitem").filter(has_text=first)
    ticket.get_by_label("整改期限").fill("2027-01-15T17:30")

    later = f"装卸区静电接地线断开 {uuid.uuid4().hex[:6]}"
    server.report(later, photo(9))  # another inspector's report arrives with the next sync
    admin.get_by_role("button", name="立即同步").click()
    expect(admin.get_by_role("listitem").filter(has_text=later)).to_be_visible()  # the list was redrawn

    expect(ticket.get_by_label("整改期限")).to_have_value("2027-01-15T17:30")
    ticket.get_by_role("button", name="下发整改").click()
    dispatched = server.wait_for(first, lambda f: f["status"] == "dispatched")
    assert datetime.fromisoformat(dispatched["deadline"]) == datetime(2027, 1, 15, 9, 30, tzinfo=UTC)


def test_dispatching_needs_the_network_and_a_deadline_and_says_so(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    """下发整改 is an online action: nothing is queued, so the phone must not claim it was saved."""
    description = f"导热油炉房可燃气体报警器失效 {uuid.uuid4().hex[:6]}"
    server.report(description, photo(10))
    context = phone()
    admin = open_app(context, server)
    log_in(admin, "admin")
    ticket = admin.get_by_role("listitem").filter(has_text=description)
    ticket.get_by_text("照片、AI 识别与依据").click()  # what the admin dispatches on
    expect(ticket.get_by_role("img", name="隐患照片 1")).to_be_visible()
    ticket.get_by_label("整改期限").fill("")
    ticket.get_by_role("button", name="下发整改").click()
    expect(ticket.get_by_role("alert")).to_have_text("请填写整改期限")

    ticket.get_by_label("整改期限").fill("2099-01-15T17:30")
    context.set_offline(True)
    ticket.get_by_role("button", name="下发整改").click()
    expect(ticket.get_by_role("alert")).to_have_text("下发需要联网，请连接网络后再试")
    context.set_offline(False)
    assert server.findings(description)[0]["status"] == "reported"


def test_a_rejection_reaches_the_enterprise_with_its_reason(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    description = f"配电室门口堆放杂物 {uuid.uuid4().hex[:6]}"
    finding_id = server.report(description, photo(4))
    server.dispatch(finding_id)
    staff = rectify_in_the_app(phone(), server, finding_id, description, "杂物已清理", photo(5))

    supervisor = open_app(phone(), server, f"#/review/{finding_id}")
    log_in(supervisor, "supervisor")
    supervisor.get_by_role("button", name="驳回").click()
    expect(supervisor.get_by_role("alert")).to_have_text("驳回时请写明原因")
    supervisor.get_by_label("验收意见").fill("照片角度不同，看不出是否清理干净，请按原位置重新拍照")
    beijing = timezone(timedelta(hours=8))  # the phone's zone (Asia/Shanghai)
    second_deadline = (datetime.now(beijing) + timedelta(days=20)).replace(
        hour=18, minute=0, second=0, microsecond=0
    )
    supervisor.get_by_label("新的整改期限").fill(f"{second_deadline:%Y-%m-%dT%H:%M}")
    supervisor.get_by_role("button", name="通过").click()
    expect(supervisor.get_by_role("alert")).to_have_text("通过时不需要新的整改期限，请清空后再点通过")
    supervisor.get_by_role("button", name="驳回").click()
    expect(supervisor.get_by_text("已驳回并设定新的整改期限，企业将收到通知")).to_be_visible()
    rejected = server.wait_for(description, lambda f: f["status"] == "dispatched")
    assert datetime.fromisoformat(rejected["deadline"]) == second_deadline

    staff.goto(f"{server.url}/#/tickets")
    staff.reload()
    ticket = staff.get_by_role("listitem", name=f"整改任务：{description[:24]}")
    expect(
        ticket.get_by_text("整改被驳回，需重新整改")
    ).to_be_visible()  # marked in the list, not only inside
    ticket.get_by_role("button", name="查看详情").click()
    expect(staff.get_by_text("上次整改被驳回：照片角度不同")).to_be_visible()
    expect(staff.get_by_role("heading", name="整改 1 已驳回")).to_be_visible()  # the refused proof, marked
    expect(staff.get_by_label("整改说明")).to_be_visible()
    shot(staff, "staff-rejected")


def test_rejecting_a_fix_made_on_the_spot_asks_for_the_deadline_it_never_had(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    description = f"消防通道堆放纸箱 {uuid.uuid4().hex[:6]}"
    finding_id = server.fix_on_the_spot(description, photo(6), photo(7))
    server.wait_for(description, lambda f: f["status"] == "pending_verification")

    supervisor = open_app(phone(), server, f"#/review/{finding_id}")
    log_in(supervisor, "supervisor")
    supervisor.get_by_label("验收意见").fill("纸箱只是挪到了旁边，通道仍被占用")
    supervisor.get_by_role("button", name="驳回").click()
    expect(supervisor.get_by_role("alert")).to_have_text(
        "这条隐患是即查即改的，没有整改期限：驳回时请设定整改期限"
    )
    expect(supervisor.get_by_label("整改期限")).to_be_focused()
    assert server.findings(description)[0]["status"] == "pending_verification"  # nothing was sent

    beijing = timezone(timedelta(hours=8))
    deadline = (datetime.now(beijing) + timedelta(days=7)).replace(hour=17, minute=0, second=0, microsecond=0)
    supervisor.get_by_label("整改期限").fill(f"{deadline:%Y-%m-%dT%H:%M}")
    supervisor.get_by_role("button", name="驳回").click()
    expect(supervisor.get_by_text("已驳回并设定新的整改期限，企业将收到通知")).to_be_visible()
    rejected = server.wait_for(description, lambda f: f["status"] == "dispatched")
    assert datetime.fromisoformat(rejected["deadline"]) == deadline


def test_the_supervisor_marks_a_wrong_ai_box_from_the_review_screen(
    phone: Callable[[], BrowserContext], server: Server, workers_without_helmets: Path
) -> None:
    workers = workers_without_helmets
    description = f"卸车区人员未戴安全帽 {uuid.uuid4().hex[:6]}"
    finding_id = server.report(description, workers)
    server.wait_for(description, lambda f: bool(f["ai"]))
    server.dispatch(finding_id)
    # The same picture again as the 'after' photo: the lazy rectification the AI flags.
    rectify_in_the_app(phone(), server, finding_id, description, "已要求全员佩戴安全帽", workers)

    supervisor = open_app(phone(), server, f"#/review/{finding_id}")
    log_in(supervisor, "supervisor")
    # Where the model still sees the hazard on the after-photo, not only that it does.
    expect(supervisor.get_by_text(re.compile(r"^整改后 1 · AI 识别：未戴安全帽 \d+ 处"))).to_be_visible()
    supervisor.get_by_text("纠正 AI 识别").first.click()
    first_box = supervisor.get_by_role(
        "button", name=re.compile(r"^识别有误：1 ")
    ).first  # boxes are numbered
    first_box.click()
    expect(supervisor.get_by_text("已记录：这个识别框有误")).to_be_visible()
    expect(first_box).to_be_disabled()
    shot(supervisor, "supervisor-ai-correction")
    corrections = server.call("GET", f"/api/v1/findings/{finding_id}/ai-corrections", "supervisor").json()
    assert [c["kind"] for c in corrections["items"]] == ["wrong"]


def test_a_fix_sent_after_a_colleagues_is_refused_and_can_be_removed_from_the_ticket(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    """Two safety officers of one enterprise: one fixes the ticket offline, the other gets there first."""
    description = f"罐区防火堤排水阀常开 {uuid.uuid4().hex[:6]}"
    finding_id = server.report(description, photo(14))
    server.dispatch(finding_id)
    late_phone = phone()
    late = open_app(late_phone, server, f"#/ticket/{finding_id}")
    log_in(late, "staff")
    expect(late.get_by_label("整改说明")).to_be_visible()
    late_phone.set_offline(True)
    late.get_by_label("整改说明").fill("排水阀已关闭并挂牌")
    late.get_by_label("拍照").set_input_files(photo(15))
    expect(late.get_by_role("img", name="已选照片 1")).to_be_visible()
    late.get_by_role("button", name="提交整改").click()
    expect(late.get_by_role("status").filter(has_text="1 条记录")).to_be_visible()

    rectify_in_the_app(phone(), server, finding_id, description, "排水阀已关闭，加装铅封", photo(16))
    late_phone.set_offline(False)
    late.get_by_role("button", name="立即同步").click()
    expect(late.get_by_role("status").filter(has_text="1 条被拒绝")).to_be_visible()
    ticket = late.get_by_role("listitem").filter(has_text=description)
    expect(ticket.get_by_text("整改被拒绝")).to_be_visible()
    ticket.get_by_role("button", name="查看详情").click()
    expect(late.get_by_text("整改被拒绝：")).to_contain_text("不能提交整改")
    late.get_by_role("button", name="移除这条被拒绝的整改").click()
    expect(late.get_by_text("整改被拒绝")).to_have_count(0)
    expect(late.get_by_role("status").filter(has_text="被拒绝")).to_have_count(0)
    assert server.findings(description)[0]["status"] == "pending_verification"


def test_the_supervisor_is_told_what_the_ai_check_waits_for(
    phone: Callable[[], BrowserContext],
    server: Server,
    photo: Callable[[int], Path],
    fresh_photo: Callable[[int], Path],
) -> None:
    """The inspector's phone has not uploaded the hazard photo yet: no verdict, and the card says why."""
    description = f"配电箱门未关闭 {uuid.uuid4().hex[:6]}"
    finding_id = server.report(description, fresh_photo(4), upload=False)  # a photo the server never saw
    server.dispatch(finding_id)
    rectify_in_the_app(phone(), server, finding_id, description, "已关闭配电箱门并上锁", photo(5))

    supervisor = open_app(phone(), server)
    log_in(supervisor, "supervisor")
    queued = supervisor.get_by_role("listitem").filter(has_text=description)
    expect(queued.get_by_text("等待检查人员上传整改前照片（1 张未到），到齐后进行 AI 核验")).to_be_visible()


def test_approving_a_fix_whose_photos_have_not_arrived_says_why_in_the_servers_words(
    phone: Callable[[], BrowserContext],
    server: Server,
    photo: Callable[[int], Path],
    fresh_photo: Callable[[int], Path],
) -> None:
    """Every 409 read 这条隐患的状态已变化，请刷新后再看, though nothing had changed: the staff's phone
    had not uploaded the after-photo yet."""
    description = f"消防水泵房阀门锈蚀 {uuid.uuid4().hex[:6]}"
    finding_id = server.report(description, photo(17))
    server.dispatch(finding_id)
    still_on_the_phone = hashlib.sha256(fresh_photo(18).read_bytes()).hexdigest()
    fix = {"finding_id": finding_id, "note": "阀门已更换", "photos": [still_on_the_phone]}
    server.push("rectification", fix, "staff")
    server.wait_for(description, lambda f: f["status"] == "pending_verification")

    supervisor = open_app(phone(), server, f"#/review/{finding_id}")
    log_in(supervisor, "supervisor")
    supervisor.get_by_role("button", name="通过").click()
    expect(supervisor.get_by_role("alert")).to_have_text(re.compile("^整改照片尚未上传，暂不能验收通过"))
    assert server.findings(description)[0]["status"] == "pending_verification"


def test_a_photo_the_server_refuses_is_shown_to_staff_on_their_ticket(
    phone: Callable[[], BrowserContext], server: Server, fresh_photo: Callable[[int], Path]
) -> None:
    """The status line sent staff to 我的上报, a tab they do not have, and the ticket did not say it."""
    description = f"装置区安全警示标志缺失 {uuid.uuid4().hex[:6]}"
    finding_id = server.report(description, fresh_photo(19))
    server.dispatch(finding_id)
    staff = open_app(phone(), server, f"#/ticket/{finding_id}")
    log_in(staff, "staff")

    refuse_photo_uploads(staff)
    staff.get_by_label("整改说明").fill("已补设警示标志")
    staff.get_by_label("拍照").set_input_files(fresh_photo(20))
    expect(staff.get_by_role("img", name="已选照片 1")).to_be_visible()
    staff.get_by_role("button", name="提交整改").click()
    # Once the run the login started is over (its push may have gone before the fix was saved).
    staff.get_by_role("button", name="立即同步").click()
    server.wait_for(description, lambda f: f["status"] == "pending_verification")
    refused = staff.get_by_role("status").filter(has_text="张照片被服务器拒收")
    expect(refused).to_contain_text("1 张照片被服务器拒收，见“整改任务”")  # staff have no 我的上报
    ticket = staff.get_by_role("listitem").filter(has_text=description)
    expect(ticket.get_by_text("1 张照片被拒收")).to_be_visible()
    ticket.get_by_role("button", name="查看详情").click()
    expect(staff.get_by_text("整改照片被服务器拒收：无法解码的图片")).to_be_visible()
    expect(staff.get_by_role("img", name="被拒收的整改照片 1")).to_be_visible()


def test_tickets_worded_alike_are_named_apart(
    phone: Callable[[], BrowserContext], server: Server, photo: Callable[[int], Path]
) -> None:
    """Names were cut at 24 characters: two tickets worded alike read the same to a screen reader."""
    worded_alike = f"甲类仓库门口消防通道堆放纸箱，阻塞疏散通道 {uuid.uuid4().hex[:6]}"
    east, west = f"{worded_alike}，东侧", f"{worded_alike}，西侧"
    for index, description in enumerate((east, west)):
        server.dispatch(server.report(description, photo(23 + index)), days=3 + index)

    staff = open_app(phone(), server)
    log_in(staff, "staff")
    expect(staff.get_by_role("listitem", name=f"整改任务：{east}")).to_have_count(1)
    expect(staff.get_by_role("listitem", name=f"整改任务：{west}")).to_have_count(1)
