// 处理记录: a finding's steps as the audit trail holds them (server's GET, or the pulled copy offline),
// each in words a park user reads: who did what, and the note, comment or reason that came with it.
import { chinese } from "../api.js";
import { formatTime, h, LEVEL_LABELS } from "../ui.js";

// The detector's hazard codes as ai/models.yaml titles them.
const HAZARD_TITLES = { no_helmet: "未戴安全帽", no_wear: "未穿工作服" };
const quoted = (text) => (text ? `：${text}` : "");

const STEPS = {
  "finding.reported": () => "检查员上报隐患",
  "finding.edited": () => "隐患信息已修改",
  "finding.deleted": () => "隐患已删除",
  "finding.photos_complete": () => "隐患照片已全部上传",
  "finding.ai_detected": (d) =>
    d.hazard_codes?.length ? `AI 识别照片：发现隐患（${d.hazard_codes.map((code) => HAZARD_TITLES[code] || code).join("、")}）` : "AI 识别照片：未发现隐患",
  "finding.matched": (d) => `匹配检查项 ${(d.checklist || []).slice(0, 1).join("") || "—"}${d.penalty_basis ? `，处罚依据 ${d.penalty_basis}` : ""}`,
  "finding.graded": (d) => `园区判定为${LEVEL_LABELS[d.level] || d.level}${quoted(d.comment)}`,
  "finding.escalated": (d) => `督办${quoted(d.note)}`,
  "finding.reminded": (d) => `提醒企业${quoted(d.note)}`,
  "finding.dispatched": (d) => `下发整改，期限 ${formatTime(d.deadline)}`,
  "governance_plan.submitted": () => "企业提交重大隐患治理方案",
  "governance_plan.accepted": (d) => `治理方案审核通过${quoted(d.comment)}`,
  "governance_plan.returned": (d) => `治理方案退回修改${quoted(d.comment)}`,
  "rectification.submitted": (d) => `企业提交整改${quoted(d.rectification?.note)}`,
  "rectification.edited": (d) => `企业修改整改${quoted(d.note)}`,
  "rectification.verified": (d) =>
    d.verdict === "pass" ? "AI 核验通过" : `AI 核验存疑${quoted([...new Set((d.reasons || []).map(chinese))].join("；"))}`,
  "finding.rejected": (d) => `验收驳回${quoted(d.comment)}${d.deadline ? `（新的整改期限 ${formatTime(d.deadline)}）` : ""}`,
  "finding.approved": (d) => `验收通过${quoted(d.comment)}`,
  "finding.ai_corrected": (d) => (d.kind === "missing" ? "监管人员补标 AI 漏识别的目标" : "监管人员标记 AI 识别有误"),
  "comment.added": (d) => (d.deleted ? "备注（已删除）" : `备注${quoted(d.text)}${d.edited ? "（已编辑）" : ""}`),
};

export function describeStep(step) {
  const describe = STEPS[step.action];
  return describe ? describe(step.detail || {}) : null; // internal steps nobody needs to read are left out
}

export function timelineSection(steps = []) {
  let lastMatch = null;
  const rows = steps
    .map((step) => ({ step, text: describeStep(step) }))
    .filter((row) => {
      if (!row.text) return false;
      if (row.step.action !== "finding.matched") return true;
      // A re-match after the AI check that ends where the first did says nothing new.
      const repeated = row.text === lastMatch;
      lastMatch = row.text;
      return !repeated;
    });
  return h(
    "section",
    { class: "timeline", "aria-label": "处理记录" },
    h("h2", {}, "处理记录"),
    rows.length
      ? h("ol", {}, rows.map(({ step, text }) => h("li", {}, h("time", { datetime: step.at }, formatTime(step.at)), " ", text)))
      : h("p", { class: "hint" }, "暂无记录（联网后显示）"),
  );
}
