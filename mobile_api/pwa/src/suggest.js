// Live checklist suggestions while the inspector types: the server's matcher online,
// a bigram overlap over the pulled checklist offline (rougher, but never empty-handed).
import { postJSON, SCREEN_TIMEOUT_MS } from "./api.js";
import { live } from "./records.js";

function bigrams(text) {
  const clean = text.replace(/[\s\p{P}]/gu, "");
  const grams = new Set();
  for (let i = 0; i < clean.length - 1; i++) grams.add(clean.slice(i, i + 2));
  return grams;
}

let offlineIndex = null;

// The pulled checklist's items that share enough two-character pieces with ``text``, best first.
export async function roughMatches(text, limit) {
  if (!offlineIndex) {
    offlineIndex = (await live("checklist_item")).map((item) => ({
      code: item.data.code,
      title: item.data.title,
      grams: bigrams([item.data.title, ...(item.data.phrasings || [])].join(" ")),
    }));
  }
  const query = bigrams(text);
  if (!query.size) return [];
  return offlineIndex
    .map((item) => {
      let shared = 0;
      for (const gram of query) if (item.grams.has(gram)) shared++;
      return { code: item.code, title: item.title, score: Math.round((100 * shared) / query.size) };
    })
    .filter((item) => item.score >= 20)
    .sort((a, b) => b.score - a.score)
    .slice(0, limit);
}

// Built on first use; rebuilt after each sync, which may have brought (or been the first to bring)
// the checklist: typing before the first pull finished must not leave an empty index for good.
window.addEventListener("parksafe:sync", (event) => {
  if (!event.detail.running) offlineIndex = null;
});

// ``majorHazardSource``: whether the chosen enterprise holds a 重大危险源 (undefined: none chosen).
export async function suggest(text, { limit = 5, majorHazardSource } = {}) {
  if (text.trim().length < 2) return { checklist: [], major_hazard: null, offline: !navigator.onLine };
  if (navigator.onLine) {
    try {
      const body = { text, limit, ...(typeof majorHazardSource === "boolean" ? { major_hazard_source: majorHazardSource } : {}) };
      const result = await postJSON("/api/v1/match", body, { timeout: SCREEN_TIMEOUT_MS });
      return { checklist: result.checklist, major_hazard: result.major_hazard, offline: false };
    } catch {
      // fall through to the cached checklist
    }
  }
  return { checklist: await roughMatches(text, limit), major_hazard: null, offline: true };
}
