// 待验收: the supervisor's queue of rectifications, before and after side by side with the AI check.
import { ApiError, chinese, getJSON, OfflineError, postJSON, SCREEN_TIMEOUT_MS } from "../api.js";
import { enterpriseNames, live, rectificationsOf } from "../records.js";
import { syncNow } from "../sync.js";
import { field, formatTime, h, localInputToISO, sendOnce, toast, mount } from "../ui.js";
import { gallery, legalBasis, summary } from "./finding_detail.js";
import { freshFinding, NOT_FOUND } from "./fresh.js";
import { timelineSection } from "./timeline.js";

// What a pass means (docs/verification.md): every check found nothing to flag.
const PASSED_CHECKS = ["未再识别到整改前的隐患", "与整改前为同一场景", "不是已有照片的重复或裁剪副本", "拍摄时间不早于下发整改"];
const VERDICTS = { pass: "AI 核验通过", flagged: "AI 核验存疑，请人工重点核对" };

// Online: the server's queue (AI-flagged first, then unchecked, then passed). Offline: the pulled copy.
async function queue() {
  if (navigator.onLine) {
    try {
      const page = await getJSON("/api/v1/reviews?limit=200", { timeout: SCREEN_TIMEOUT_MS });
      return page.items.map((item) => ({
        id: item.finding_id,
        description: item.description,
        enterprise: item.enterprise_name,
        submitted_at: item.submitted_at,
        verdict: item.verdict,
        waiting_for: item.waiting_for,
      }));
    } catch {
      // fall back to the pulled records
    }
  }
  const names = await enterpriseNames();
  const pending = (await live("finding")).filter((f) => f.data.status === "pending_verification");
  const rows = await Promise.all(
    pending.map(async (finding) => {
      const latest = (await rectificationsOf(finding.id)).at(-1);
      return {
        id: finding.id,
        description: finding.data.description,
        enterprise: names.get(finding.data.enterprise_id) || "",
        submitted_at: latest?.data.created_at || finding.data.updated_at,
        verdict: latest?.data.verification?.verdict || null,
      };
    }),
  );
  const rank = { flagged: 0, null: 1, pass: 2 };
  return rows.sort((a, b) => rank[a.verdict] - rank[b.verdict] || (a.submitted_at || "").localeCompare(b.submitted_at || ""));
}

export async function renderReviews(root) {
  const items = await queue();
  mount(
    root,
    h("h1", {}, "待验收"),
    items.length
      ? h(
          "ul",
          { class: "cards" },
          items.map((item) =>
            h(
              "li",
              { class: `card${item.verdict === "flagged" ? " overdue" : ""}`, "aria-label": `待验收：${item.description.slice(0, 24)}` },
              h("p", { class: "description" }, item.description),
              h("p", { class: "meta" }, `${item.enterprise} · 提交于 ${formatTime(item.submitted_at)}`),
              item.verdict ? h("p", { class: `badge verdict-${item.verdict}` }, VERDICTS[item.verdict] || item.verdict) : h("p", { class: "badge" }, item.waiting_for || "AI 核验中"),
              h("button", { type: "button", onclick: () => (location.hash = `#/review/${item.id}`) }, "审核"),
            ),
          ),
        )
      : h("p", { class: "empty" }, "没有待验收的整改。"),
  );
}

export async function renderReview(root, id) {
  if (navigator.onLine) await syncNow(); // the rectification may have arrived since the last pull
  const { finding, timeline } = await freshFinding(id);
  if (!finding) {
    mount(root, h("p", { class: "empty" }, NOT_FOUND));
    return;
  }
  const names = await enterpriseNames();
  const latest = (await rectificationsOf(id)).at(-1);
  const verification = latest?.data.verification;
  const comment = h("textarea", { name: "comment", rows: 3, maxlength: 2000, placeholder: "通过可不填；驳回须写明原因，企业会看到" });
  // A rejection may give the enterprise a new 整改期限; left empty, the dispatch deadline stands.
  // A fix on the spot (即查即改) was never dispatched: its rejection must set one.
  const needsDeadline = !finding.data.deadline;
  const newDeadline = h("input", { type: "datetime-local", name: "new_deadline" });
  const message = h("p", { class: "error", role: "alert" });

  async function markWrong(photo, detection) {
    try {
      await postJSON(`/api/v1/findings/${id}/ai-corrections`, { photo, kind: "wrong", label: detection.label, box: detection.box });
    } catch (error) {
      toast(error instanceof OfflineError ? "纠正需要联网" : `未能记录：${error.message}`, "error");
      return false;
    }
    toast("已记录：这个识别框有误，将用于改进模型", "ok");
    return true;
  }

  async function decide(decision) {
    message.textContent = "";
    if (decision === "reject" && !comment.value.trim()) return (message.textContent = "驳回时请写明原因");
    if (decision === "reject" && needsDeadline && !newDeadline.value) {
      newDeadline.focus();
      return (message.textContent = "这条隐患是即查即改的，没有整改期限：驳回时请设定整改期限");
    }
    const body = { decision, comment: comment.value.trim() };
    if (newDeadline.value) {
      if (decision === "approve") return (message.textContent = "通过时不需要新的整改期限，请清空后再点通过");
      body.deadline = localInputToISO(newDeadline.value);
    }
    try {
      await postJSON(`/api/v1/findings/${id}/review`, body);
    } catch (error) {
      if (error instanceof OfflineError) message.textContent = "验收需要联网，请连接网络后再试";
      // Moved on meanwhile (another supervisor decided): the generic line. Any other refusal
      // (photos_missing: the after-photos have not arrived) is the server's own words.
      else if (error instanceof ApiError && error.code === "illegal_transition") message.textContent = "这条隐患的状态已变化，请刷新后再看";
      else if (error instanceof ApiError && error.status === 409) message.textContent = error.message;
      else message.textContent = `操作失败：${error.message}`;
      return;
    }
    toast(decision === "approve" ? "已验收通过" : body.deadline ? "已驳回并设定新的整改期限，企业将收到通知" : "已驳回，企业将收到通知", "ok");
    await syncNow();
    location.hash = "#/reviews";
    return true;
  }

  mount(root,
    h("button", { type: "button", class: "quiet", onclick: () => (location.hash = "#/reviews") }, "返回列表"),
    h("h1", {}, "整改验收"),
    summary(finding, names.get(finding.data.enterprise_id)),
    h(
      "div",
      { class: "side-by-side" },
      h("section", {}, h("h2", {}, "整改前"), await gallery(finding.data.photos, "整改前", finding.data.ai, markWrong)),
      h("section", {}, h("h2", {}, "整改后"), latest ? await gallery(latest.data.photos, "整改后", latest.data.verification?.ai, markWrong) : h("p", { class: "hint" }, "尚未同步到整改记录")),
    ),
    latest ? h("p", { class: "note" }, `整改说明：${latest.data.note}`) : null,
    verification
      ? h("section", { class: `verification verdict-${verification.verdict}` }, h("h2", {}, VERDICTS[verification.verdict] || verification.verdict), h("ul", {}, (verification.reasons?.length ? [...new Set(verification.reasons.map(chinese))] : PASSED_CHECKS).map((r) => h("li", {}, r))))
      : h("p", { class: "hint" }, "AI 核验尚未完成"),
    legalBasis(finding),
    finding.data.status === "pending_verification"
      ? h(
          "form",
          { class: "decision", onsubmit: (event) => event.preventDefault() },
          field("验收意见", comment),
          needsDeadline
            ? field("整改期限", newDeadline, "驳回时必填：即查即改的隐患尚无整改期限")
            : field("新的整改期限", newDeadline, "驳回时可选：不填则沿用原整改期限"),
          message,
          h(
            "div",
            { class: "row", "data-one-request": true }, // one decision: 驳回 waits while 通过 is sent
            h("button", { type: "button", class: "primary", onclick: sendOnce(() => decide("approve")) }, "通过"),
            h("button", { type: "button", class: "danger", onclick: sendOnce(() => decide("reject")) }, "驳回"),
          ),
        )
      : h("p", { class: "hint" }, "这条隐患当前不在待验收状态。"),
    timelineSection(timeline.length ? timeline : finding.data.timeline),
  );
}
