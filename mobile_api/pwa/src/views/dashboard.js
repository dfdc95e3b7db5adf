// 总览 for park admins: statistics, findings waiting to be dispatched (with a deadline), export.
import { getBlob, getJSON, OfflineError, postJSON, SCREEN_TIMEOUT_MS } from "../api.js";
import { getKV, setKV } from "../db.js";
import { enterpriseNames, live } from "../records.js";
import { syncNow } from "../sync.js";
import { evidencePanel } from "./finding_detail.js";
import { grading, planReview, untilPlanAccepted } from "./governance.js";
import { countdown, download, field, formatTime, h, isoToLocalInput, localInputToISO, sendOnce, STATUS_LABELS, statusBadge, toast, mount } from "../ui.js";
import { describedBy, detailButton } from "./mine.js";

const DEFAULT_DAYS = 7;
const EXPORT_TIMEOUT_MS = 120_000;

function tile(label, value, kind = "") {
  return h("div", { class: `tile ${kind}` }, h("span", { class: "value" }, String(value)), h("span", { class: "label" }, label));
}

function statsView(stats, offlineAt, missing = "统计需要联网加载。") {
  if (!stats) return [h("p", { class: "hint" }, missing)];
  const open = Object.values(stats.open_by_level).reduce((a, b) => a + b, 0);
  return [
    offlineAt ? h("p", { class: "hint" }, `离线显示 ${formatTime(offlineAt)} 的数据`) : null,
    h(
      "div",
      { class: "tiles" },
      tile("未闭环隐患", open),
      tile("重大隐患", stats.open_by_level.major || 0, "major"),
      tile("已逾期", stats.overdue, "overdue"),
      tile("督办中", stats.escalated, "escalated"),
    ),
    h("p", { class: "hint" }, `闭环用时中位数：${stats.median_hours_to_close == null ? "—" : `${stats.median_hours_to_close} 小时`}`),
    h(
      "table",
      { class: "by-status" },
      h("caption", {}, "按状态"),
      h("tbody", {}, Object.entries(stats.by_status).map(([status, count]) => h("tr", {}, h("th", { scope: "row" }, STATUS_LABELS[status] || status), h("td", {}, count)))),
    ),
  ].filter(Boolean);
}

// The copy from the last visit first, then the server's figures; the screen never waits for them.
async function showStats(box) {
  const cached = await getKV("stats");
  if (cached) box.replaceChildren(...statsView(cached.stats, null));
  const stats = await freshStats();
  // Without fresh figures: the copy from the last visit, dated.
  const shown = stats ? statsView(stats, null) : statsView(cached?.stats, cached?.at, navigator.onLine ? "统计暂时无法加载，稍后再试。" : undefined);
  box.replaceChildren(...shown);
  box.setAttribute("aria-busy", "false");
}

// The server's figures, kept for the next visit; null offline or when they do not come in time.
async function freshStats() {
  if (!navigator.onLine) return null;
  try {
    const stats = await getJSON("/api/v1/stats", { timeout: SCREEN_TIMEOUT_MS });
    await setKV("stats", { stats, at: new Date().toISOString() });
    return stats;
  } catch {
    return null;
  }
}

export async function renderDashboard(root) {
  const stats = h("div", { class: "stats", "aria-busy": "true" }, h("p", { class: "hint" }, "正在加载统计…"));
  mount(
    root,
    h("h1", {}, "园区总览"),
    stats,
    h(
      "div",
      { class: "row" },
      h("button", { type: "button", onclick: sendOnce(() => exportLedger("xlsx")) }, "导出台账（Excel）"),
      h("button", { type: "button", class: "quiet", onclick: sendOnce(() => exportLedger("csv")) }, "导出台账（CSV）"),
    ),
    h("h2", {}, "待下发整改"),
    await dispatchList(),
    h("h2", {}, "整改跟踪"),
    await followUpList(),
  );
  showStats(stats);
}

async function dispatchList() {
  const names = await enterpriseNames();
  const waiting = (await live("finding")).filter((f) => f.data.status === "reported").sort((a, b) => a.data.observed_at.localeCompare(b.data.observed_at));
  if (!waiting.length) return h("p", { class: "empty" }, "没有待下发的隐患。");
  return h(
    "ul",
    { class: "cards" },
    waiting.map((finding) => {
      const deadline = h("input", { type: "datetime-local", name: "deadline", required: true, value: isoToLocalInput(Date.now() + DEFAULT_DAYS * 86_400_000) });
      const message = h("p", { class: "error", role: "alert" });
      async function dispatch() {
        message.textContent = "";
        const due = localInputToISO(deadline.value);
        if (!due) return (message.textContent = "请填写整改期限");
        if (Date.parse(due) <= Date.now()) return (message.textContent = "整改期限须晚于现在");
        try {
          await postJSON(`/api/v1/findings/${finding.id}/dispatch`, { deadline: due });
        } catch (error) {
          message.textContent = error instanceof OfflineError ? "下发需要联网，请连接网络后再试" : `下发失败：${error.message}`;
          return;
        }
        toast("已下发，企业将收到整改通知", "ok");
        await syncNow();
        return true;
      }
      const major = finding.data.level === "major";
      const send = h("button", { type: "button", class: "primary", "aria-describedby": describedBy(finding.id), onclick: sendOnce(dispatch) }, "下发整改");
      // A major hazard is dispatched once its 治理方案 is accepted (409 before): until then 下发整改
      // is shown disabled, with the reason beside it and in its description.
      const reason = major ? h("p", { class: "hint", id: `plan-needed-${finding.id}` }, "治理方案通过审核后才能下发整改") : null;
      const planShown = major ? untilPlanAccepted(finding, send, reason) : null;
      return h(
        "li",
        { class: "card", "aria-label": `待下发：${finding.data.description.slice(0, 24)}`, "data-id": finding.id },
        h("p", { class: "description", id: describedBy(finding.id) }, finding.data.description),
        h("p", { class: "meta" }, `${names.get(finding.data.enterprise_id) || ""} · ${formatTime(finding.data.observed_at)}`),
        evidencePanel(finding, "照片、AI 识别与依据"), // what the admin dispatches on
        major ? h("p", { class: "badge major" }, "重大隐患：须先审定治理方案") : null,
        major ? planReview(finding.id, planShown) : null,
        grading(finding, syncNow),
        field("整改期限", deadline),
        message,
        reason,
        send,
        detailButton(finding.id),
      );
    }),
  );
}

// 整改跟踪: what the park dispatched and is waiting on, overdue first; each opens its 隐患详情.
async function followUpList() {
  const names = await enterpriseNames();
  const open = (await live("finding"))
    .filter((f) => f.data.status === "dispatched" || f.data.status === "pending_verification")
    .sort((a, b) => (a.data.deadline || "").localeCompare(b.data.deadline || ""));
  if (!open.length) return h("p", { class: "empty" }, "没有整改中的隐患。");
  return h(
    "ul",
    { class: "cards" },
    open.map((finding) => {
      const overdue = finding.data.status === "dispatched" && finding.data.deadline && Date.parse(finding.data.deadline) < Date.now();
      return h(
        "li",
        { class: `card${overdue ? " overdue" : ""}`, "aria-label": `整改跟踪：${finding.data.description.slice(0, 24)}` },
        h("p", { class: "description", id: describedBy(finding.id) }, finding.data.description),
        h("p", { class: "meta" }, names.get(finding.data.enterprise_id) || ""),
        h(
          "p",
          { class: "states" },
          statusBadge(finding.data.status),
          finding.data.status === "dispatched" ? h("span", { class: `badge ${overdue ? "overdue" : "deadline"}` }, countdown(finding.data.deadline)) : null,
          finding.data.escalation_level ? h("span", { class: "badge escalated" }, `督办 ${finding.data.escalation_level} 级`) : null,
        ),
        detailButton(finding.id),
      );
    }),
  );
}

async function exportLedger(format) {
  if (!navigator.onLine) return toast("导出台账需要联网，请连接网络后再试", "warn");
  try {
    const blob = await getBlob(`/api/v1/findings/export?format=${format}`, { timeout: EXPORT_TIMEOUT_MS });
    download(blob, `隐患台账.${format}`);
  } catch (error) {
    toast(`导出失败：${error.message}`, "error");
  }
}
