// 整改任务: enterprise staff's tickets (overdue first, then by deadline) and the rectification form.
import { StorageFullError } from "../db.js";
import { uuid } from "../api.js";
import { photosIn } from "../photos.js";
import { enterpriseNames, latestMutations, live, rectificationsOf } from "../records.js";
import { clearDraft, loadDraft, saveDraft } from "../form_draft.js";
import { discard, enqueue, STATE_LABELS, syncNow } from "../sync.js";
import { countdown, field, formatTime, h, mount, sendOnce, statusBadge, submitOnce, toast } from "../ui.js";
import { downloadNotice, gallery, legalBasis, rectificationHistory, summary } from "./finding_detail.js";
import { freshFinding, lastRejection, NOT_FOUND } from "./fresh.js";
import { needsPlan, planBadge, planForm } from "./governance.js";
import { MAX_PHOTOS, photoPicker } from "./photo_picker.js";

const OPEN = ["dispatched", "pending_verification"];

function urgency(finding) {
  const deadline = finding.data.deadline ? Date.parse(finding.data.deadline) : Infinity;
  return [finding.data.status === "dispatched" ? 0 : 1, deadline < Date.now() ? 0 : 1, deadline];
}

function compare(a, b) {
  const [x, y] = [urgency(a), urgency(b)];
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

export async function renderTickets(root) {
  const tickets = (await live("finding")).filter((f) => OPEN.includes(f.data.status) || needsPlan(f)).sort(compare);
  const sent = await latestMutations("rectification");
  // Still on its way to the server; a refused one is shown (with the reason) on the ticket itself.
  const waiting = new Set([...sent.values()].filter((m) => m.state === "pending" || m.state === "syncing").map((m) => m.data.finding_id));
  const refused = new Set([...sent.values()].filter((m) => m.state === "rejected").map((m) => m.data.finding_id));
  const reasons = await refusedPhotoReasons();
  const photosRefused = (id) => refusedPhotos([...sent.values()].filter((m) => m.data.finding_id === id), reasons).length;
  mount(root,
    h("h1", {}, "整改任务"),
    tickets.length
      ? h(
          "ul",
          { class: "cards" },
          tickets.map((ticket) => {
            const overdue = ticket.data.deadline && Date.parse(ticket.data.deadline) < Date.now();
            return h(
              "li",
              // Named in full (and by deadline): two hazards worded alike must not read as one.
              { class: `card${overdue ? " overdue" : ""}`, "aria-label": `整改任务：${ticket.data.description}${ticket.data.deadline ? `（整改期限 ${formatTime(ticket.data.deadline)}）` : ""}` },
              h("p", { class: "description" }, ticket.data.description),
              h(
                "p",
                { class: "states" },
                statusBadge(ticket.data.status),
                ticket.data.level === "major" ? h("span", { class: "badge major" }, "重大隐患") : null,
                needsPlan(ticket) ? planBadge(ticket) : null,
                ticket.data.status === "dispatched" ? h("span", { class: `badge ${overdue ? "overdue" : "deadline"}` }, countdown(ticket.data.deadline)) : null,
                // Sent back by the supervisor: the reason is on the ticket (pulled timeline).
                ticket.data.status === "dispatched" && lastRejection(ticket.data.timeline || []) !== null ? h("span", { class: "badge overdue" }, "整改被驳回，需重新整改") : null,
                waiting.has(ticket.id) ? h("span", { class: "badge sync-pending" }, "整改待同步") : null,
                refused.has(ticket.id) ? h("span", { class: "badge sync-rejected" }, "整改被拒绝") : null,
                photosRefused(ticket.id) ? h("span", { class: "badge error" }, `${photosRefused(ticket.id)} 张照片被拒收`) : null,
              ),
              h("button", { type: "button", onclick: () => (location.hash = `#/ticket/${ticket.id}`) }, "查看详情"),
            );
          }),
        )
      : h("p", { class: "empty" }, "暂无待整改的隐患。"),
  );
}

export async function renderTicket(root, id) {
  const { finding, timeline, fresh } = await freshFinding(id);
  if (!finding) {
    mount(root, h("p", { class: "empty" }, NOT_FOUND));
    return;
  }
  const names = await enterpriseNames();
  const sent = [...(await latestMutations("rectification")).values()].filter((m) => m.data.finding_id === id);
  const rejection = lastRejection(timeline);
  mount(root,
    h("button", { type: "button", class: "quiet", onclick: () => (location.hash = "#/tickets") }, "返回列表"),
    h("h1", {}, "整改任务"),
    summary(finding, names.get(finding.data.enterprise_id)),
    h("h2", {}, "隐患照片"),
    await gallery(finding.data.photos, "隐患照片", finding.data.ai),
    legalBasis(finding),
    // The order the enterprise was served: for staff the server renders the 指令书 alone, without the
    // park's penalty draft.
    finding.data.deadline && finding.data.penalty_draft && finding.data.status !== "reported"
      ? h("button", { type: "button", onclick: sendOnce(() => downloadNotice(id, "整改指令书")) }, "下载整改指令书（PDF）")
      : null,
  );
  if (needsPlan(finding)) {
    // Redrawn with where the plan now stands; the focus goes there, not back to <body>.
    const showAgain = async () => {
      root.replaceChildren();
      await renderTicket(root, id);
      const heading = root.querySelector(".plan h2") || root.querySelector("h1");
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    };
    mount(root, await planForm(id, showAgain, fresh ? timeline : null));
  }
  if (rejection !== null && finding.data.status === "dispatched") mount(root, h("p", { class: "error" }, `上次整改被驳回：${rejection}`));
  mount(root, await rectificationHistory(finding, await rectificationsOf(id)));
  const reasons = await refusedPhotoReasons();
  const refusedHere = refusedPhotos(sent, reasons);
  if (refusedHere.length) {
    mount(root,
      h("h2", {}, "被拒收的整改照片"),
      h("p", { class: "error" }, `整改照片被服务器拒收：${[...new Set(refusedHere.map((hash) => reasons.get(hash)))].join("；")}。请重新拍摄`),
      // Only a ticket back in 整改中 takes a new fix (the server refuses one while it awaits review).
      finding.data.status === "pending_verification" ? h("p", { class: "hint" }, "验收人员无法据此验收；驳回后可在本页重新拍照提交整改") : null,
      await gallery(refusedHere, "被拒收的整改照片"),
    );
  }
  const unsynced = sent.filter((m) => m.state !== "synced");
  for (const item of unsynced) {
    mount(root, h("p", { class: `badge sync-${item.state}` }, `整改${STATE_LABELS[item.state]}${item.error ? `：${item.error}` : ""}`));
    // A refused copy the ticket has moved past (another submission got there first) can only be let go.
    if (item.state === "rejected" && finding.data.status !== "dispatched") {
      mount(root, h("button", { type: "button", class: "quiet", onclick: async () => { await discard(item.mutation_id); root.replaceChildren(); await renderTicket(root, id); } }, "移除这条被拒绝的整改"));
    }
  }
  if (finding.data.status === "dispatched" && !unsynced.some((m) => m.state === "pending" || m.state === "syncing")) mount(root, rectificationForm(id, unsynced.find((m) => m.state === "rejected")));
}

// The photos of this user's the server refused, with its reason (photos.js).
async function refusedPhotoReasons() {
  return new Map((await photosIn("rejected")).map((photo) => [photo.sha256, photo.error]));
}

// Of the last fix this phone sent for a ticket, the photos the server refused: the ticket is where
// staff see them (an earlier fix's were superseded by the one retaken).
function refusedPhotos(sent, reasons) {
  const last = [...sent].sort((a, b) => a.created_at - b.created_at).at(-1);
  return (last?.data.photos || []).filter((hash) => reasons.has(hash));
}

function rectificationForm(findingId, rejected) {
  const form = `rectify:${findingId}`;
  const draft = loadDraft(form);
  const note = h("textarea", { name: "note", rows: 4, maxlength: 4000, required: true, placeholder: "写明采取的整改措施、完成时间、责任人" });
  note.value = draft?.note ?? rejected?.data.note ?? "";
  const keepDraft = () => saveDraft(form, { note: note.value, photos: picker.hashes() });
  const picker = photoPicker(draft?.photos || rejected?.data.photos || [], keepDraft);
  note.addEventListener("input", keepDraft);
  const message = h("p", { class: "error", role: "alert" });

  const recordId = rejected ? rejected.record_id : uuid();

  async function onSubmit() {
    // Told what is missing or wrong, and taken to it.
    const photos = picker.hashes().length;
    const missing = [
      [!note.value.trim(), note, "请填写整改说明"],
      [!photos, picker.input, "请拍摄整改后的照片"],
      [photos > MAX_PHOTOS, picker.input, `最多 ${MAX_PHOTOS} 张照片，请移除多余的 ${photos - MAX_PHOTOS} 张后再提交`],
    ].find(([absent]) => absent);
    if (missing) {
      missing[1].focus();
      return (message.textContent = missing[2]);
    }
    try {
      await enqueue("rectification", recordId, { finding_id: findingId, note: note.value.trim(), photos: picker.hashes() }, { replaces: rejected?.mutation_id });
    } catch (error) {
      message.textContent = error instanceof StorageFullError ? error.message : `保存失败：${error.message}`;
      return;
    }
    clearDraft(form);
    toast(navigator.onLine ? "整改已提交，正在同步" : "整改已保存在手机上，联网后自动同步", "ok");
    location.hash = "#/tickets";
    if (navigator.onLine) syncNow();
  }

  return h(
    "form",
    { class: "rectify", onsubmit: submitOnce(onSubmit), novalidate: true },
    h("h2", {}, "整改反馈"),
    field("整改说明", note),
    picker.element,
    message,
    h("button", { type: "submit", class: "primary" }, "提交整改"),
  );
}
