// What every role sees of one finding: photos with AI boxes, matched clauses, the penalty draft.
import { getBlob } from "../api.js";
import { photoURL } from "../photos.js";
import { enterpriseNames } from "../records.js";
import { session } from "../session.js";
import { countdown, download, formatTime, h, LEVEL_LABELS, sendOnce, statusBadge, toast, mount } from "../ui.js";

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs, text) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, value);
  if (text) element.textContent = text;
  return element;
}

// Boxes are numbered on the photo, so a correction names the one it means ("3 已戴安全帽 82%").
function boxName(index, detection) {
  return `${index + 1} ${detection.title || detection.label} ${Math.round(detection.confidence * 100)}%`;
}

// One photo; where the model found something, its boxes are drawn over it in the image's own pixels.
// ``onWrong(hash, detection)``: where given (the supervisor's review), each box gets a button to
// mark it wrong; the correction feeds the learning loop (parksafe ai export-dataset). It returns
// true once recorded: the button then stays disabled.
export async function figure(hash, caption, aiResults = [], onWrong = null) {
  const result = aiResults.find((r) => r.photo === hash && r.detections?.length);
  const url = await photoURL(hash, result ? "original" : "thumb");
  const frame = h("div", { class: "frame" }, url ? h("img", { src: url, alt: caption }) : h("span", { class: "missing" }, "照片尚未上传"));
  if (result && url) {
    const overlay = svg("svg", { viewBox: `0 0 ${result.width} ${result.height}`, class: "boxes", "aria-hidden": "true", preserveAspectRatio: "none" });
    const labels = [];
    for (const [index, d] of result.detections.entries()) {
      const [x1, y1, x2, y2] = d.box;
      const kind = d.hazard_code ? "hazard" : "ok"; // compliant workers in green, hazards in red
      const rightHalf = x1 > result.width / 2; // labels of boxes near the right edge end at the box
      overlay.append(svg("rect", { x: x1, y: y1, width: x2 - x1, height: y2 - y1, class: kind }));
      const text = svg("text", { x: rightHalf ? x2 - 4 : x1 + 4, y: y1, class: kind, "text-anchor": rightHalf ? "end" : "start" });
      labels.push({ text, top: y1, full: boxName(index, d), short: String(index + 1) });
      overlay.append(text);
    }
    // Labels stay about 12 screen pixels tall whatever the photo's size and the screen's: the
    // font is set in the photo's pixels, so it follows the scale the photo is shown at. Where the
    // photo is shown too small for every name (17 workers in a half-width photo), boxes carry their
    // number only; the list under the photo names them. A label with no room above its box goes inside.
    const fit = () => {
      if (!overlay.clientWidth) return;
      const fontSize = (12 * result.width) / overlay.clientWidth;
      const compact = overlay.clientWidth < 70 * labels.length;
      overlay.style.fontSize = `${fontSize}px`;
      for (const { text, top, full, short } of labels) {
        text.textContent = compact ? short : full;
        text.setAttribute("dy", top < fontSize * 1.2 ? "1.1em" : "-0.3em");
      }
    };
    new ResizeObserver(fit).observe(overlay);
    frame.append(overlay);
  }
  const corrections =
    onWrong && result
      ? h(
          "details",
          { class: "corrections" },
          h("summary", {}, `纠正 AI 识别（${result.detections.length} 个框）`),
          result.detections.map((d, index) =>
            h("button", { type: "button", class: "quiet small", onclick: sendOnce(() => onWrong(hash, d)) }, `识别有误：${boxName(index, d)}`),
          ),
        )
      : null;
  return h("figure", {}, frame, h("figcaption", {}, caption, result && url ? ` · AI 识别：${hazardSummary(result.detections)}` : ""), corrections);
}

// The hazards among detections by kind (as users read it), with how many boxes and the surest:
// a crowded site photo has a dozen boxes, most of them people who are compliant.
export function hazardsByKind(detections) {
  const hazards = new Map();
  for (const d of detections.filter((detection) => detection.hazard_code)) {
    const name = d.title || d.label;
    const seen = hazards.get(name) || { count: 0, best: 0 };
    hazards.set(name, { count: seen.count + 1, best: Math.max(seen.best, d.confidence) });
  }
  return hazards;
}

// Every box is drawn on the photo (hazards red, the rest green); the caption names the hazards
// and counts the other boxes, so the numbers on the photo add up.
function hazardSummary(detections) {
  const hazards = hazardsByKind(detections);
  const compliant = detections.filter((d) => !d.hazard_code).length;
  const others = compliant ? `另有合规目标 ${compliant} 个（绿框）` : "";
  if (!hazards.size) return others ? `未发现隐患；${others}` : "未发现隐患";
  const named = [...hazards].map(([name, { count, best }]) => `${name} ${count} 处（最高置信度 ${Math.round(best * 100)}%）`).join("、");
  return others ? `${named}；${others}` : named;
}

// A finding's photos with their boxes and its legal basis behind one tap, loaded on first opening;
// a list refresh that reopens the panel awaits ``load`` (main.js).
export function evidencePanel(finding, summaryText) {
  const details = h("details", { class: "results" }, h("summary", {}, summaryText));
  details.load = async () => {
    if (details.dataset.loaded) return;
    details.dataset.loaded = "yes";
    mount(details, await gallery(finding.data.photos, "隐患照片", finding.data.ai), legalBasis(finding));
  };
  details.addEventListener("toggle", () => details.open && details.load());
  return details;
}

// The rectifications submitted for a finding, oldest first, each marked with what became of it:
// every one but the last was rejected (a rejection sends the finding back to rectification).
export async function rectificationHistory(finding, rectifications) {
  const status = finding.data.status;
  const parts = [];
  for (const [index, rectification] of rectifications.entries()) {
    const last = index === rectifications.length - 1;
    const outcome = !last || status === "dispatched" ? "已驳回" : status === "closed" ? "已通过验收" : "待验收";
    parts.push(
      h("h2", {}, `整改 ${index + 1} `, h("span", { class: `badge outcome-${outcome}` }, outcome)),
      h("p", {}, rectification.data.note),
      await gallery(rectification.data.photos, "整改照片", rectification.data.verification?.ai),
    );
  }
  return parts;
}

// ``aiResults``: a finding's ``ai``, or a verification's (the after-photos').
export async function gallery(hashes, prefix, aiResults = [], onWrong = null) {
  if (!hashes.length) return h("p", { class: "hint" }, `无${prefix}`);
  return h("div", { class: "gallery" }, await Promise.all(hashes.map((hash, i) => figure(hash, `${prefix} ${i + 1}`, aiResults, onWrong))));
}

// Names the enterprises a finding opened before the first pull could not name, in place: a redraw
// would take away what the user was typing on the screen.
export async function fillEnterpriseNames(root) {
  const unnamed = [...root.querySelectorAll("dd[data-enterprise-id]")];
  if (!unnamed.length) return;
  const names = await enterpriseNames();
  for (const dd of unnamed) {
    const name = names.get(dd.dataset.enterpriseId);
    if (!name) continue;
    dd.textContent = name;
    dd.removeAttribute("data-enterprise-id");
  }
}

export function summary(finding, enterpriseName) {
  const data = finding.data;
  return h(
    "div",
    { class: "summary" },
    h("p", { class: "description" }, data.description),
    h(
      "p",
      { class: "states" },
      statusBadge(data.status),
      h("span", { class: `badge ${data.level}` }, LEVEL_LABELS[data.level] || data.level),
      data.overdue ? h("span", { class: "badge overdue" }, "已逾期") : null,
      data.escalation_level ? h("span", { class: "badge escalated" }, `督办 ${data.escalation_level} 级`) : null,
    ),
    h(
      "dl",
      {},
      // Unknown until the first pull brings the enterprises: filled in then (fillEnterpriseNames).
      h("dt", {}, "企业"), h("dd", enterpriseName ? {} : { "data-enterprise-id": data.enterprise_id }, enterpriseName || "—"),
      h("dt", {}, "位置"), h("dd", {}, data.location?.text || "—"),
      h("dt", {}, "发现时间"), h("dd", {}, formatTime(data.observed_at)),
      // A countdown only while the enterprise still owes the fix.
      h("dt", {}, "整改期限"), h("dd", {}, !data.deadline ? "—" : data.status === "dispatched" ? `${formatTime(data.deadline)}（${countdown(data.deadline)}）` : formatTime(data.deadline)),
    ),
  );
}

export function legalBasis(finding) {
  const matches = finding.data.matches || {};
  const draft = finding.data.penalty_draft;
  // The item the finding is filed under (the inspector's choice, else the best match) and the
  // articles it breaks lead; the matcher's other candidates and articles wait behind a summary.
  const candidates = matches.checklist || [];
  const chosen = candidates.find((item) => item.code === finding.data.checklist_code) || candidates[0];
  const others = candidates.filter((item) => item !== chosen);
  const articles = matches.regulations || [];
  const lead = [];
  if (chosen) lead.push(h("li", {}, `检查项 ${chosen.code}：${chosen.title}`));
  if (draft?.violated?.length) lead.push(h("li", {}, `违反：${draft.violated.join("、")}`));
  const section = h("section", { class: "basis" }, h("h2", {}, "依据"), lead.length ? h("ul", {}, lead) : h("p", { class: "hint" }, "尚未匹配到条款"));
  if (others.length) mount(section, h("details", {}, h("summary", {}, `其他可能的检查项（${others.length}）`), h("ul", {}, others.map((item) => h("li", {}, `检查项 ${item.code}：${item.title}`)))));
  if (articles.length) mount(section, h("details", {}, h("summary", {}, `相关法规条款（${articles.length}）`), h("ul", {}, articles.map((item) => h("li", {}, item.citation, item.excerpt ? h("q", {}, item.excerpt) : null)))));
  if (matches.major_hazard) mount(section, h("p", { class: "major" }, `重大隐患判定：${matches.major_hazard.criterion}（${matches.major_hazard.citation}）`));
  // The penalty draft is the park's enforcement work before legal review, not the enterprise's to read.
  if (draft && session()?.user.role !== "enterprise_staff") {
    mount(section,
      h("p", {}, `处罚依据：${draft.penalty_basis || "—"}`),
      draft.fine_range_yuan ? h("p", {}, `罚款幅度：${fineRange(draft.fine_range_yuan)}，建议 ${yuan(draft.suggested_fine_yuan)}`) : h("p", {}, "罚款：暂不建议"),
      draft.measures?.length ? h("p", {}, `处理措施：${draft.measures.join("；")}`) : null,
      draft.authority && draft.authority !== "应急管理部门" ? h("p", {}, `处罚机关：${draft.authority}（由园区移送）`) : null,
      draft.rationale ? h("details", {}, h("summary", {}, "裁量说明"), h("p", {}, draft.rationale)) : null,
      draft.review_note ? h("p", { class: "hint" }, draft.review_note) : null,
      h("button", { type: "button", onclick: sendOnce(() => downloadNotice(finding.id, "处罚文书")) }, "下载处罚文书（PDF）"),
    );
  }
  return section;
}

// The park's 处罚文书; for enterprise staff the server renders the 责令限期整改指令书 alone.
export async function downloadNotice(findingId, title) {
  try {
    const blob = await getBlob(`/api/v1/findings/${findingId}/penalty-draft.pdf`);
    download(blob, `${title}-${findingId.slice(0, 8).toUpperCase()}.pdf`); // the documents' number
  } catch (error) {
    toast(`文书下载失败：${error.message}`, "error");
  }
}

// Amounts as the documents write them (regulations/penalty.py yuan): 65,000元; a range with no
// floor as the law words it, 50,000元以下, not 0–50000.
function yuan(amount) {
  return `${Number(amount).toLocaleString("en-US")}元`;
}

function fineRange([low, high]) {
  return low ? `${yuan(low)}以上${yuan(high)}以下` : `${yuan(high)}以下`;
}
