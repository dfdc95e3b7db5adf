// 隐患详情: where a notification's link lands (#/findings/{id}). Enterprise staff get their ticket,
// a supervisor a fix waiting for review; everyone else reads the finding as it stands.
import { enterpriseNames, rectificationsOf } from "../records.js";
import { session } from "../session.js";
import { h, mount } from "../ui.js";
import { gallery, legalBasis, rectificationHistory, summary } from "./finding_detail.js";
import { freshFinding, NOT_FOUND } from "./fresh.js";
import { timelineSection } from "./timeline.js";
import { renderReview } from "./review.js";
import { renderTicket } from "./tickets.js";

export async function renderFinding(root, id) {
  const role = session()?.user.role;
  if (role === "enterprise_staff") return renderTicket(root, id);
  const { finding, timeline } = await freshFinding(id);
  if (!finding) {
    mount(root, h("p", { class: "empty" }, NOT_FOUND));
    return;
  }
  if (role === "supervisor" && finding.data.status === "pending_verification") return renderReview(root, id);
  const names = await enterpriseNames();
  mount(root,
    h("h1", {}, "隐患详情"),
    summary(finding, names.get(finding.data.enterprise_id)),
    h("h2", {}, "隐患照片"),
    await gallery(finding.data.photos, "隐患照片", finding.data.ai),
    legalBasis(finding),
  );
  mount(root, await rectificationHistory(finding, await rectificationsOf(id)));
  mount(root, timelineSection(timeline.length ? timeline : finding.data.timeline)); // offline: the pulled copy's
}
