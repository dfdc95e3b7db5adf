// 检查指引: what to check and how, from the checklist library pulled to the phone (works offline).
// Inspectors "don't know what to check or how": each item shows its 检查方法 and legal basis,
// and 按此项上报 opens the report form with the item already chosen. Enterprise staff read the guide
// to check their own plant, but findings are the park's to report: they get no report button.
import { live } from "../records.js";
import { session } from "../session.js";
import { roughMatches } from "../suggest.js";
import { field, h, mount } from "../ui.js";

export const PRESET_KEY = "parksafe.checklist";
const SHOWN = 60;

function matches(item, words) {
  const text = [item.data.code, item.data.title, item.data.method, ...(item.data.phrasings || [])].join(" ").toLowerCase();
  return words.every((word) => text.includes(word));
}

// Two-character pieces of a word: 可燃气体报警 → 可燃 燃气 气体 体报 报警 (Chinese has no spaces).
function pieces(word) {
  const clean = word.replace(/[\s\p{P}]/gu, "");
  if (clean.length < 2) return [clean];
  return Array.from({ length: clean.length - 1 }, (_, i) => clean.slice(i, i + 2));
}

// How much of the query a text names, 0 to 1: each word found whole counts 1, else the share of its
// pieces found. 可燃气体报警 in 可燃、有毒气体检测报警器 is 3 of 5 pieces.
function named(text, words) {
  const lower = text.toLowerCase().replace(/[\s\p{P}]/gu, "");
  const share = (word) => (lower.includes(word) ? 1 : pieces(word).filter((piece) => lower.includes(piece)).length / pieces(word).length);
  return words.reduce((sum, word) => sum + share(word), 0) / words.length;
}

// Best first: an item is about what its title names; a phrasing says how inspectors put it, and the
// 检查方法 may mention the query in passing (资金投入 mentions the 可燃气体报警器 it pays for).
function relevance(item, words) {
  const phrasings = item.data.phrasings || [];
  return [
    named(item.data.title, words),
    phrasings.filter((phrasing) => words.every((word) => phrasing.toLowerCase().includes(word))).length,
    Math.max(0, ...phrasings.map((phrasing) => named(phrasing, words))),
  ];
}

function byRelevance(words) {
  return (a, b) => {
    const [x, y] = [relevance(a, words), relevance(b, words)];
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return y[i] - x[i];
    return a.data.code.localeCompare(b.data.code);
  };
}

const RELATED = 20;

function card(item) {
  const data = item.data;
  return h(
    "li",
    { class: "card", "aria-label": `检查项 ${data.code}：${data.title}` },
    h("p", { class: "description" }, `${data.code} ${data.title}`),
    data.major_criterion ? h("p", { class: "badge major" }, `重大事故隐患判定标准第${data.major_criterion}项`) : null,
    h("p", { class: "method" }, h("strong", {}, "检查方法："), data.method),
    data.citations?.length ? h("p", { class: "hint" }, `依据：${data.citations.map((c) => c.citation || c).join("；")}`) : null,
    session()?.user.role === "enterprise_staff"
      ? null
      : h(
          "button",
          {
            type: "button",
            onclick: () => {
              sessionStorage.setItem(PRESET_KEY, data.code);
              location.hash = "#/report";
            },
          },
          "按此项上报",
        ),
  );
}

export async function renderGuide(root) {
  const items = (await live("checklist_item")).sort((a, b) => a.data.code.localeCompare(b.data.code));
  const search = h("input", { type: "search", name: "q", placeholder: "如：安全帽、动火、受限空间", autocomplete: "off" });
  const results = h("div", { class: "guide" });

  let shown = 0; // the latest search's number: an earlier one answering late draws nothing
  async function show() {
    const query = search.value.trim();
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    const searching = ++shown;
    if (words.length) {
      // Items that name every word, those whose title names the query first (whole, then most of its
      // pieces: 可燃、有毒气体检测报警器 before an item that mentions 可燃气体报警器 in an example);
      // then items worded otherwise (可燃气体报警 → 可燃和有毒气体检测报警装置), by shared pieces.
      const found = items.filter((item) => matches(item, words)).sort(byRelevance(words));
      const listed = new Set(found.map((item) => item.data.code));
      const byCode = new Map(items.map((item) => [item.data.code, item]));
      const related = (await roughMatches(query, RELATED)).map((match) => byCode.get(match.code)).filter((item) => item && !listed.has(item.data.code));
      if (searching !== shown) return;
      const status = related.length ? `找到 ${found.length} 项，另有相关 ${related.length} 项` : `找到 ${found.length} 项`;
      const more = related.length ? [h("h2", {}, "相关检查项"), h("ul", { class: "cards" }, related.map(card))] : [];
      results.replaceChildren(h("p", { class: "hint", role: "status" }, status), h("ul", { class: "cards" }, found.slice(0, SHOWN).map(card)), ...more);
      return;
    }
    const categories = new Map();
    for (const item of items) {
      const key = item.data.category;
      if (!categories.has(key)) categories.set(key, { name: item.data.category_name, items: [] });
      categories.get(key).items.push(item);
    }
    results.replaceChildren(
      // Where to start, for an inspector new to a plant (the categories alone do not say).
      h(
        "p",
        { class: "hint intro" },
        "JC 开头为基础管理类：查阅制度、台账、证照和记录，询问人员；XC 开头为现场管理类：到装置、罐区、仓库现场查看。标有“重大事故隐患判定标准”的检查项应优先检查。",
      ),
      ...[...categories.entries()].map(([code, category]) =>
        h("details", { class: "category" }, h("summary", {}, `${code} ${category.name}（${category.items.length} 项）`), h("ul", { class: "cards" }, category.items.map(card))),
      ),
    );
  }

  search.addEventListener("input", show);
  mount(
    root,
    h("h1", {}, "检查指引"),
    items.length ? field("搜索检查项", search) : h("p", { class: "empty" }, "检查表尚未同步，请联网后点“立即同步”。"),
    results,
  );
  show();
}
