// The freshest copy of a finding: the server's when online (with its timeline), else the pulled one.
import { getJSON, SCREEN_TIMEOUT_MS } from "../api.js";
import { db } from "../db.js";
import { record } from "../records.js";

// Online, a finding the server does not return is one this user may not see (or that never existed).
export const NOT_FOUND = "找不到这条隐患：可能无权查看，或尚未同步，请联网后再试。";

// Pulled findings carry their timeline in ``data``; the copy kept from a GET does too, or a
// finding viewed online would show 暂无记录 offline until the next pull. ``fresh``: the server's
// copy, read just now (a pulled timeline lacks the steps of a 治理方案 taken since the pull).
export async function freshFinding(id) {
  const cached = await record("finding", id);
  const kept = () => ({ finding: cached, timeline: cached?.data.timeline || [], fresh: false });
  if (!navigator.onLine) return kept();
  try {
    const { id: _id, version, ...data } = await getJSON(`/api/v1/findings/${id}`, { timeout: SCREEN_TIMEOUT_MS });
    const finding = { entity: "finding", id, version, deleted: false, data };
    if (!cached || cached.version <= version) await db.records.put(finding);
    return { finding, timeline: data.timeline || [], fresh: true };
  } catch {
    return kept();
  }
}

// The supervisor's reason the enterprise must read after a rejection.
export function lastRejection(timeline) {
  const rejected = timeline.filter((entry) => entry.action === "finding.rejected");
  return rejected.length ? rejected[rejected.length - 1].detail?.comment || "" : null;
}
