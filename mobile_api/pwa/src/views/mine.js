// 我的上报: every finding this user reported, with its sync state on this phone and its status on the server.
import { photosIn } from "../photos.js";
import { enterpriseNames, latestMutations, live } from "../records.js";
import { session } from "../session.js";
import { discard, STATE_LABELS } from "../sync.js";
import { formatTime, h, statusBadge, mount } from "../ui.js";
import { evidencePanel, hazardsByKind } from "./finding_detail.js";

export async function renderMine(root) {
  const me = session().user.id;
  const names = await enterpriseNames();
  const mutations = await latestMutations("finding");
  const pulled = new Map((await live("finding")).filter((f) => f.data.reported_by === me).map((f) => [f.id, f]));
  const ids = new Set([...mutations.keys(), ...pulled.keys()]);
  const refusedPhotos = new Map((await photosIn("rejected")).map((photo) => [photo.sha256, photo.error]));
  const rows = [...ids].map((id) => ({ id, mutation: mutations.get(id), server: pulled.get(id), refusedPhotos }));
  rows.sort((a, b) => sortKey(b).localeCompare(sortKey(a)));

  mount(root,
    h("h1", {}, "我的上报"),
    rows.length ? h("ul", { class: "cards" }, rows.map((row) => card(row, names))) : h("p", { class: "empty" }, session()?.user.role === "supervisor" ? "还没有上报的隐患。可在“检查指引”中找到检查项后按此项上报。" : "还没有上报的隐患。点“上报隐患”开始。"),
  );
  const photosWaiting = await photosIn("rejected");
  if (photosWaiting.length) mount(root, h("p", { class: "error" }, `${photosWaiting.length} 张照片被服务器拒收：${photosWaiting.map((p) => p.error).join("；")}`));
}

function sortKey(row) {
  return row.mutation?.client_time || row.server?.data.observed_at || "";
}

function card({ id, mutation, server, refusedPhotos }, names) {
  // The phone's own copy is newer until it is synced; afterwards the server's copy is the truth.
  const local = mutation && mutation.state !== "synced";
  const data = local || !server ? mutation.data : server.data;
  const state = mutation ? mutation.state : "synced";
  const refused = (server?.data.missing_photos || []).filter((sha) => refusedPhotos.has(sha));
  const title = data.description.length > 24 ? `${data.description.slice(0, 24)}…` : data.description;
  return h(
    "li",
    { class: `card sync-${state}`, "aria-label": `隐患：${title}`, "data-id": id },
    h("p", { class: "description", id: describedBy(id) }, data.description),
    h("p", { class: "meta" }, `${names.get(data.enterprise_id) || "未知企业"} · ${formatTime(data.observed_at)}`),
    h(
      "p",
      { class: "states" },
      h("span", { class: `badge sync-${state}` }, STATE_LABELS[state] || state),
      server ? statusBadge(server.data.status) : null,
      server && server.data.level === "major" ? h("span", { class: "badge major" }, "重大隐患") : null,
      ...missingPhotoBadges(server, refused),
    ),
    refusalNote(refused, refusedPhotos),
    server && !local ? whatTheServerFound(server) : null,
    server && !local ? detailButton(id) : null,
    mutation && mutation.state === "rejected" ? h("p", { class: "error" }, `被拒绝：${mutation.error}`) : null,
    mutation && mutation.state === "conflict" ? h("p", { class: "error" }, "冲突：服务器上的记录已被修改，请核对后重新提交") : null,
    mutation && mutation.state === "pending" ? pendingActions(mutation) : null,
    mutation && (mutation.state === "rejected" || mutation.state === "conflict")
      ? h(
          "div",
          { class: "row" },
          h("button", { type: "button", onclick: () => (location.hash = `#/report/${mutation.mutation_id}`) }, "修改后重新提交"),
          h("button", { type: "button", class: "quiet", onclick: () => giveUp(mutation) }, "放弃这条"),
        )
      : null,
  );
}

// A missing photo the server refused will never arrive: said apart from those still on their way.
function missingPhotoBadges(server, refused) {
  const waiting = (server?.data.missing_photos?.length || 0) - refused.length;
  return [
    waiting ? h("span", { class: "badge warn" }, `${waiting} 张照片待上传`) : null,
    refused.length ? h("span", { class: "badge error" }, `${refused.length} 张照片被拒收`) : null,
  ];
}

function refusalNote(refused, reasons) {
  if (!refused.length) return null;
  return h("p", { class: "error" }, `照片被服务器拒收：${[...new Set(refused.map((sha) => reasons.get(sha)))].join("；")}`);
}

// What the server made of a synced report: the AI's hazard count and best checklist match at a
// glance; the photos with their boxes and the legal basis behind one tap (loaded on opening).
function whatTheServerFound(finding) {
  const hazards = hazardsByKind((finding.data.ai || []).flatMap((r) => r.detections || []));
  const seen = [...hazards].map(([name, { count }]) => `${name} ${count} 处`).join("、");
  const best = finding.data.matches?.checklist?.[0];
  if (!seen && !best) return null;
  return evidencePanel(finding, [seen ? `AI 识别：${seen}` : null, best ? `匹配 ${best.code} ${best.title}` : null].filter(Boolean).join(" · "));
}

// 隐患详情: the finding as the server holds it, with its 处理记录.
export function detailButton(id) {
  return h("button", { type: "button", class: "quiet", "aria-describedby": describedBy(id), onclick: () => (location.hash = `#/findings/${id}`) }, "查看详情");
}

// A card's buttons keep their short names (查看详情, 下发整改) and are described by the card's
// description, so a screen reader tells one card's button from the next.
export function describedBy(id) {
  return `description-${id}`;
}

// Not sent yet: a wrong enterprise or a typo noticed before the signal returns is fixed or withdrawn here.
function pendingActions(mutation) {
  const edit = Boolean(mutation.base_version);
  return h(
    "div",
    { class: "row" },
    h("button", { type: "button", onclick: () => (location.hash = `#/report/${mutation.mutation_id}`) }, "修改"),
    h("button", { type: "button", class: "quiet", onclick: () => withdraw(mutation, edit) }, edit ? "撤销这次修改" : "删除"),
  );
}

async function withdraw(mutation, edit) {
  const what = edit ? "这次修改将撤销，不再提交" : "这条上报将从手机上删除，不再提交";
  if (!confirm(`${what}。确定？`)) return;
  await discard(mutation.mutation_id);
}

async function giveUp(mutation) {
  const what = mutation.base_version ? "修改" : "上报";
  if (!confirm(`放弃后，这条未被接受的${what}将从手机上删除，不再提交。确定放弃？`)) return;
  await discard(mutation.mutation_id);
}
