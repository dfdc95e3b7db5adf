// The freshest copy of a finding: the server's when online (with its timeline), else the pulled one.
import { getJSON, SCREEN_TIMEOUT_MS } from "../api.js";
import { db } from "../db.js";
import { record } from "../records.js";

// Online, a finding the server does not return is one this user may not see (or that never existed).
export const NOT_FOUND = "找不到这条隐患：可能无权查看，或尚未同步，请联网后再试。";

// The timeline last read online, kept beside the pulled records (and dropped with them when
// another user signs in); pull does not carry timelines.
const TIMELINE = "timeline";

async function keptTimeline(id) {
  return (await record(TIMELINE, id))?.data.steps || [];
}

export async function freshFinding(id) {
  const cached = await record("finding", id);
  if (!navigator.onLine) return { finding: cached, timeline: await keptTimeline(id) };
  try {
    const { id: _id, version, timeline = [], ...data } = await getJSON(`/api/v1/findings/${id}`, { timeout: SCREEN_TIMEOUT_MS });
    const finding = { entity: "finding", id, version, deleted: false, data };
    if (!cached || cached.version <= version) await db.records.put(finding);
    await db.records.put({ entity: TIMELINE, id, version, deleted: false, data: { steps: timeline } });
    return { finding, timeline };
  } catch {
    return { finding: cached, timeline: await keptTimeline(id) };
  }
}

// The supervisor's reason the enterprise must read after a rejection.
export function lastRejection(timeline) {
  const rejected = timeline.filter((entry) => entry.action === "finding.rejected");
  return rejected.length ? rejected[rejected.length - 1].detail?.comment || "" : null;
}
