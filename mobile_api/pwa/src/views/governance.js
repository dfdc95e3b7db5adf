// 治理方案 of a major hazard: it cannot be dispatched until the enterprise has submitted a plan
// and the park accepted it (docs/lifecycle.md). Staff write the plan on their ticket; the park
// reads and accepts or returns it on its 待下发 card. Both need the network.
import { ApiError, getJSON, OfflineError, postJSON, SCREEN_TIMEOUT_MS } from "../api.js";
import { field, formatTime, h, mount, sendOnce, submitOnce, toast } from "../ui.js";

const SECTIONS = [
  ["target_tasks", "目标任务"],
  ["methods", "方法措施"],
  ["funding_materials", "经费物资"],
  ["organization_personnel", "机构人员"],
  ["time_limit", "时限要求"],
  ["safety_and_emergency", "安全措施和应急预案"],
];

const PLAN_STATES = { submitted: "已提交，待园区审核", accepted: "已通过审核", returned: "已退回，请修改后重新提交" };

// 隐患分级 on a 待下发 card: matching only suggests 重大隐患; the park decides. Offered when matching
// suggests it, or to undo a major grading, which needs its reason (the server refuses it without).
export function grading(finding, onGraded) {
  const major = finding.data.level === "major";
  const suggested = finding.data.matches?.major_hazard;
  if (!major && !suggested) return null;
  const message = h("p", { class: "error", role: "alert" });
  const reason = major ? h("textarea", { rows: 2, maxlength: 2000 }) : null;
  async function grade() {
    message.textContent = "";
    const body = { level: major ? "general" : "major" };
    if (major) {
      body.comment = reason.value.trim();
      if (!body.comment) {
        reason.focus();
        return (message.textContent = "改判为一般隐患时请写明理由");
      }
    }
    try {
      await postJSON(`/api/v1/findings/${finding.id}/level`, body);
    } catch (error) {
      message.textContent = error instanceof OfflineError ? "判定等级需要联网，请连接网络后再试" : `判定失败：${error.message}`;
      return;
    }
    toast(major ? "已改判为一般隐患" : "已判定为重大隐患，企业须先提交治理方案", "ok");
    onGraded();
    return true;
  }
  return h(
    "div",
    { class: "grading" },
    !major ? h("p", { class: "major" }, `可能构成重大隐患：${suggested.criterion}`) : null,
    major ? field("改判理由", reason, "改判为一般隐患时必填，记入隐患台账") : null,
    message,
    h("button", { type: "button", onclick: sendOnce(grade) }, major ? "改判为一般隐患" : "判定为重大隐患"),
  );
}

// A major finding not yet dispatched waits for its plan.
export function needsPlan(finding) {
  return finding.data.level === "major" && finding.data.status === "reported";
}

// Where the plan stands by a finding's timeline: null (none submitted), "submitted", "accepted" or
// "returned". A plan submitted or reviewed gives its finding a new version, so the next pull brings
// the finding again with the plan's step on its timeline; the pulled copy is as current as the
// last sync.
export function planStatus(timeline) {
  const steps = (timeline || []).filter((step) => step.action?.startsWith("governance_plan."));
  return steps.length ? steps.at(-1).action.slice("governance_plan.".length) : null;
}

const PLAN_BADGES = {
  submitted: ["deadline", "治理方案待审核"],
  accepted: ["status-closed", "治理方案已通过"],
  returned: ["overdue", "治理方案被退回，须重新提交"],
};

// A staff ticket's badge for its plan, by the pulled timeline.
export function planBadge(finding) {
  const [kind, text] = PLAN_BADGES[planStatus(finding.data.timeline)] || ["deadline", "须提交治理方案"];
  return h("span", { class: `badge ${kind}` }, text);
}

// The plan, null when none was submitted; throws OfflineError when it cannot be known. The server's
// timeline says whether there is one (``timeline``: the one just read, else it is asked for), so a
// finding without a plan is not asked for it: that answers 404, an error in the console each time.
async function loadPlan(findingId, timeline = null) {
  const steps = timeline || (await getJSON(`/api/v1/findings/${findingId}`, { timeout: SCREEN_TIMEOUT_MS })).timeline;
  if (!planStatus(steps)) return null;
  try {
    return await getJSON(`/api/v1/findings/${findingId}/governance-plan`, { timeout: SCREEN_TIMEOUT_MS });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

function planState(plan) {
  if (!plan) return h("p", { class: "hint" }, "尚未提交治理方案");
  return h(
    "p",
    { class: `badge plan-${plan.status}` },
    `治理方案${PLAN_STATES[plan.status] || plan.status}`,
    plan.review_comment ? `：${plan.review_comment}` : "",
  );
}

// Enterprise staff: the six parts of the plan, sent together. ``timeline``: the server's, read just
// now with the finding (null when the screen shows the pulled copy).
export async function planForm(findingId, onSubmitted, timeline = null) {
  const section = h("section", { class: "plan" }, h("h2", {}, "重大隐患治理方案"));
  let plan;
  try {
    plan = await loadPlan(findingId, timeline);
  } catch {
    return mount(section, h("p", { class: "hint" }, "治理方案需要联网查看和提交"));
  }
  mount(section, planState(plan));
  if (plan?.status === "accepted") return section;
  const inputs = SECTIONS.map(([name]) => h("textarea", { name, rows: 3, maxlength: 4000, required: true, value: plan?.[name] || "" }));
  const message = h("p", { class: "error", role: "alert" });
  async function submit() {
    message.textContent = "";
    const body = Object.fromEntries(SECTIONS.map(([name], index) => [name, inputs[index].value.trim()]));
    const missing = SECTIONS.filter(([name]) => !body[name]).map(([, label]) => label);
    if (missing.length) {
      inputs.find((input) => !input.value.trim()).focus(); // taken to the first one
      return (message.textContent = `请填写：${missing.join("、")}`);
    }
    try {
      await postJSON(`/api/v1/findings/${findingId}/governance-plan`, body);
    } catch (error) {
      message.textContent = error instanceof OfflineError ? "提交治理方案需要联网，请连接网络后再试" : `提交失败：${error.message}`;
      return;
    }
    toast("治理方案已提交，等待园区审核", "ok");
    onSubmitted();
  }
  return mount(section,
    h(
      "form",
      { onsubmit: submitOnce(submit), novalidate: true },
      SECTIONS.map(([, label], index) => field(label, inputs[index])),
      message,
      h("button", { type: "submit", class: "primary" }, plan ? "重新提交治理方案" : "提交治理方案"),
    ),
  );
}

// The park: read the plan behind one tap and accept or return it. ``onPlan(plan)``: told what was
// read (null: none submitted).
export function planReview(findingId, onPlan = null) {
  const details = h("details", { class: "plan" }, h("summary", {}, "治理方案"));
  function reload() {
    details.replaceChildren(h("summary", {}, "治理方案"));
    delete details.dataset.loaded;
    details.open = false;
    details.open = true;
  }
  details.addEventListener("toggle", async () => {
    if (!details.open || details.dataset.loaded) return;
    details.dataset.loaded = "1";
    let plan;
    try {
      plan = await loadPlan(findingId);
    } catch {
      delete details.dataset.loaded;
      return mount(details, h("p", { class: "hint" }, "治理方案需要联网查看"));
    }
    onPlan?.(plan);
    mount(details, planState(plan));
    if (!plan) return;
    mount(details, h("dl", {}, SECTIONS.map(([name, label]) => [h("dt", {}, label), h("dd", {}, plan[name])])));
    if (plan.submitted_at) mount(details, h("p", { class: "meta" }, `提交于 ${formatTime(plan.submitted_at)}`));
    if (plan.status !== "submitted") return;
    const comment = h("textarea", { name: "plan_comment", rows: 2, maxlength: 2000, placeholder: "通过可不填；退回须写明原因" });
    const message = h("p", { class: "error", role: "alert" });
    async function decide(decision) {
      message.textContent = "";
      if (decision === "return" && !comment.value.trim()) return (message.textContent = "退回须写明原因");
      try {
        await postJSON(`/api/v1/findings/${findingId}/governance-plan/review`, { decision, comment: comment.value.trim() });
      } catch (error) {
        message.textContent = error instanceof OfflineError ? "审核需要联网，请连接网络后再试" : `审核失败：${error.message}`;
        return;
      }
      toast(decision === "accept" ? "治理方案已通过，可以下发整改" : "治理方案已退回企业", "ok");
      reload();
      return true;
    }
    mount(details,
      field("审核意见", comment),
      message,
      h("div", { class: "row", "data-one-request": true },
        h("button", { type: "button", class: "primary", onclick: sendOnce(() => decide("accept")) }, "通过治理方案"),
        h("button", { type: "button", onclick: sendOnce(() => decide("return")) }, "退回治理方案"),
      ),
    );
  });
  return details;
}

// A major hazard's 下发整改 is offered once its plan is accepted: until then ``button`` is disabled
// (aria-disabled: still focusable, and described by ``reason``, which shows). What the pulled copy
// says (a plan's step brings the finding again with the next pull, which redraws the list); then
// whatever the 治理方案 panel reads. Returns the panel's ``onPlan``.
export function untilPlanAccepted(finding, button, reason) {
  const described = button.getAttribute("aria-describedby");
  function offer(accepted) {
    reason.hidden = accepted;
    if (accepted) button.removeAttribute("aria-disabled");
    else button.setAttribute("aria-disabled", "true");
    button.setAttribute("aria-describedby", accepted ? described : `${described} ${reason.id}`);
  }
  offer(planStatus(finding.data.timeline) === "accepted");
  return (plan) => offer(plan?.status === "accepted");
}
