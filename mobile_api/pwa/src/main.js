// App shell: header with sync state and the 立即同步 button, role tabs, hash routes.
import { registerSW } from "virtual:pwa-register";
import "./style.css";
import { db, getKV, requestPersistentStorage } from "./db.js";
import { photosIn } from "./photos.js";
import { mine } from "./records.js";
import { loadSession, logout, session, token } from "./session.js";
import { lastSyncError, LOGIN_EXPIRED, startAutoSync, syncNow, syncProgress } from "./sync.js";
import { formatTime, h, mount, toast } from "./ui.js";
import { renderDashboard } from "./views/dashboard.js";
import { renderFinding } from "./views/finding.js";
import { fillEnterpriseNames } from "./views/finding_detail.js";
import { renderGuide } from "./views/guide.js";
import { renderLogin } from "./views/login.js";
import { renderMine } from "./views/mine.js";
import { renderReport } from "./views/report.js";
import { renderReview, renderReviews } from "./views/review.js";
import { renderTicket, renderTickets } from "./views/tickets.js";

// Who is signed in, as the header names them.
const ROLE_NAMES = { park_admin: "园区管理员", inspector: "检查员", supervisor: "监管审核员", enterprise_staff: "企业安全员" };

const TABS = {
  inspector: [["#/report", "上报隐患"], ["#/mine", "我的上报"], ["#/guide", "检查指引"]],
  park_admin: [["#/dashboard", "总览"], ["#/report", "上报隐患"], ["#/mine", "我的上报"]],
  supervisor: [["#/reviews", "待验收"], ["#/mine", "我的上报"], ["#/guide", "检查指引"]],
  enterprise_staff: [["#/tickets", "整改任务"], ["#/guide", "检查指引"]],
};

// Where a user reads which of their photos the server refused: staff send rectifications only.
const REFUSALS_SHOWN = { enterprise_staff: "整改任务" };

const HOME = { inspector: "#/mine", park_admin: "#/dashboard", supervisor: "#/reviews", enterprise_staff: "#/tickets" };

const REPORTERS = ["inspector", "park_admin", "supervisor"];
const EVERYONE = Object.keys(HOME);

// Each screen with the roles it is for: a typed or stale link to another role's screen goes home
// instead of offering a form the server would refuse.
const ROUTES = [
  [/^#\/report(?:\/([\w-]+))?$/, renderReport, REPORTERS],
  [/^#\/mine$/, renderMine, REPORTERS],
  [/^#\/tickets$/, renderTickets, ["enterprise_staff"]],
  [/^#\/ticket\/([\w-]+)$/, renderTicket, ["enterprise_staff"]],
  [/^#\/reviews$/, renderReviews, ["supervisor"]],
  [/^#\/review\/([\w-]+)$/, renderReview, ["supervisor"]],
  [/^#\/dashboard$/, renderDashboard, ["park_admin"]],
  [/^#\/guide$/, renderGuide, EVERYONE],
  [/^#\/findings\/([\w-]+)$/, renderFinding, EVERYONE], // the link in notifications
];

const view = () => document.getElementById("view");
let syncing = false;

// Reports and rectifications waiting, and the photos still to upload, counted apart: an inspector
// with two reports of one photo each has two things waiting, not four.
// ``refused``: reports the server refused or found in conflict, waiting for the user to correct them.
// Signed out, everything the phone holds counts: it waits for its author to sign in again.
async function pending() {
  const signedIn = Boolean(session()?.user);
  const outbox = (await db.outbox.where("state").anyOf("pending", "syncing", "rejected", "conflict").toArray()).filter((item) => !signedIn || mine(item));
  const records = outbox.filter((item) => item.state === "pending" || item.state === "syncing").length;
  const photos = signedIn ? (await photosIn("pending")).length : await db.photos.where("state").equals("pending").count();
  const refusedPhotos = signedIn ? (await photosIn("rejected")).length : 0;
  return { records, refused: outbox.length - records, photos, refusedPhotos };
}

function waitingText({ records, photos, refusedPhotos = 0 }) {
  if (records && photos) return `${records} 条记录、${photos} 张照片待同步`;
  if (records) return `${records} 条记录待同步`;
  if (photos) return `${photos} 张照片待上传`;
  return refusedPhotos ? "记录已同步" : "全部已同步";
}

async function renderStatus() {
  const line = document.getElementById("sync-status");
  if (!line) return;
  const waiting = await pending();
  const syncedAt = await getKV("synced_at");
  const parts = [navigator.onLine ? "在线" : "离线"];
  const user = session()?.user;
  const anything = waiting.records || waiting.photos;
  if (!user) parts.push(anything ? `本机有${waitingText(waiting)}，登录后继续同步` : "本机没有待同步的内容");
  else parts.push(waitingText(waiting));
  const expired = Boolean(user && !token());
  if (expired) parts.push(navigator.onLine ? "登录已过期，请重新登录" : "登录已过期：可继续离线记录，联网后重新登录即可同步");
  if (waiting.refused) parts.push(`${waiting.refused} 条被拒绝，需修改后重新提交`);
  if (waiting.refusedPhotos) parts.push(`${waiting.refusedPhotos} 张照片被服务器拒收，见“${REFUSALS_SHOWN[user?.role] || "我的上报"}”`);
  if (syncedAt) parts.push(`上次同步 ${formatTime(syncedAt)}`);
  // A run in progress says what it does; the last run's error stands only until the next one starts.
  // A run stopped by the expired login is said once, above.
  if (syncProgress()) parts.push(syncProgress());
  else if (lastSyncError() && !(expired && lastSyncError() === LOGIN_EXPIRED)) parts.push(lastSyncError());
  line.textContent = parts.join(" · ");
}

function renderChrome() {
  const user = session()?.user;
  const header = document.getElementById("header");
  header.replaceChildren();
  mount(
    header,
    h("div", { class: "brand" }, h("strong", {}, "园安"), user ? h("span", { class: "who" }, `${ROLE_NAMES[user.role] || ""} ${user.display_name || user.username}`.trim()) : null),
    user && working()
      ? h(
          "div",
          { class: "actions" },
          token()
            ? h("button", { type: "button", id: "sync-button", onclick: onSyncClick, disabled: syncing, "aria-busy": String(syncing) }, "立即同步")
            : null,
          h("button", { type: "button", class: "quiet", onclick: onLogout }, "退出"),
        )
      : null,
    h("p", { id: "sync-status", role: "status", "aria-live": "polite" }),
  );
  const nav = document.getElementById("tabs");
  const tabs = user && working() ? TABS[user.role] || [] : [];
  nav.replaceChildren(
    ...tabs.map(([href, label]) =>
      h(
        "button",
        { type: "button", class: location.hash.startsWith(href) ? "tab current" : "tab", "aria-current": location.hash.startsWith(href) ? "page" : null, onclick: () => (location.hash = href) },
        label,
      ),
    ),
  );
  nav.hidden = !tabs.length;
  renderStatus();
}

async function onSyncClick() {
  const result = await syncNow();
  if (result.ok) toast("同步完成", "ok");
  else if (result.reason === "offline") toast("当前离线，联网后会自动同步", "warn");
  // An expired login is said by the login screen or the 重新登录 dialog, not by a toast besides.
  else if (result.reason !== "login" && token()) toast(result.reason, "error");
}

async function onLogout() {
  const waiting = await pending();
  const offline = navigator.onLine ? "" : "现在离线，重新登录需要联网。";
  if ((waiting.records || waiting.photos) && !confirm(`${waitingText(waiting)}，退出后仍保留在本机，下次登录继续同步。${offline}确定退出？`)) return;
  await logout();
  location.hash = "#/login";
  await route();
  view().querySelector("input[name=username]")?.focus(); // the 退出 button went with the header
}

// Every call starts a new generation; only the newest render may show. A refresh renders
// off-screen and takes the place of the old screen when ready, so a list being redrawn never
// blanks or jumps; a navigation shows the new screen at once. A refresh returns false when it
// did not show (superseded, or the user started typing meanwhile).
let generation = 0;
let navigation = 0; // a refresh does not take a navigation's place: its screen's title still gets focus

export async function route({ refresh = false } = {}) {
  const current = ++generation;
  const screen = refresh ? navigation : ++navigation;
  renderChrome();
  const user = session()?.user;
  if (!user || !working()) {
    // Never wipe a login form the user is typing into.
    if (!view().querySelector("[data-screen=login]")) view().replaceChildren(renderLogin({ onLoggedIn }));
    return false;
  }
  if (!location.hash || location.hash === "#/login") {
    location.replace(HOME[user.role] || "#/report");
    return false;
  }
  for (const [pattern, render, roles] of ROUTES) {
    const match = location.hash.match(pattern);
    if (match && roles.includes(user.role)) {
      const root = h("section", { class: "screen" });
      if (!refresh) view().replaceChildren(root);
      await render(root, ...match.slice(1));
      // A pull that landed while the screen was being drawn found nothing to name yet.
      await fillEnterpriseNames(root);
      if (!refresh) {
        // A screen reader starts the new screen at its title, not back at the top of the page. A
        // refresh (the sync after login) that overtook this render swapped in its copy: its title.
        const title = view().querySelector("h1");
        if (title && screen === navigation && !editing()) {
          title.tabIndex = -1;
          title.focus({ preventScroll: true });
        }
        return true;
      }
      if (current !== generation || editing()) return false;
      await carryOver(view(), root);
      if (current !== generation || editing()) return false;
      const reading = window.scrollY;
      const place = focusedPlace();
      view().replaceChildren(root);
      refocus(place, root);
      window.scrollTo(0, reading);
      return true;
    }
  }
  location.replace(HOME[user.role]);
  return false;
}

// A signed-in user works on; one whose login expired works on while offline (reports are kept and
// sync once they log in again), and is asked to log in once the network is back.
function working() {
  return Boolean(token()) || !navigator.onLine;
}

// A field on the screen has focus (a picker may be open): no redraw under the user's thumb.
function editing() {
  const focused = document.activeElement;
  return Boolean(focused && view().contains(focused) && focused.matches("input, textarea, select"));
}

// What the user did to the old screen, as it is now, onto the redrawn one: the panels they
// opened (with their content loaded, so nothing collapses) and what they typed into a card
// (a dispatch deadline).
async function carryOver(old, root) {
  const opened = new Set([...old.querySelectorAll("[data-id] details[open]")].map(cardKey));
  const typed = new Map([...old.querySelectorAll("[data-id] [name]")].map((field) => [cardKey(field), field.value]));
  for (const field of root.querySelectorAll("[data-id] [name]")) {
    if (typed.has(cardKey(field))) field.value = typed.get(cardKey(field));
  }
  const reopened = [...root.querySelectorAll("[data-id] details")].filter((d) => opened.has(cardKey(d)));
  for (const details of reopened) details.open = true;
  await Promise.all(reopened.map((details) => details.load?.()));
}

// Where the focus is on the screen (the title route() focused, a card's button), to find again on
// the redrawn screen: swapping the screen takes the focused node away, and focus would fall back to
// <body>, losing a screen reader's place. Null when the focus is elsewhere (the header, a tab).
function focusedPlace() {
  const focused = document.activeElement;
  if (!focused || focused === view() || !view().contains(focused)) return null;
  return { tag: focused.tagName, card: cardOf(focused), name: focused.getAttribute("name"), text: focused.textContent.trim() };
}

function refocus(place, root) {
  if (!place) return;
  const same = [...root.querySelectorAll(place.tag)].find(
    (element) => cardOf(element) === place.card && element.getAttribute("name") === place.name && element.textContent.trim() === place.text,
  );
  const target = same || root.querySelector("h1"); // gone from the list (dispatched, say): the title
  if (!target) return;
  if (target.tagName === "H1") target.tabIndex = -1;
  target.focus({ preventScroll: true });
}

// The card an element is in: its record's id, or the list item's name.
function cardOf(element) {
  const card = element.closest("[data-id], li[aria-label]");
  return card ? card.dataset.id || card.getAttribute("aria-label") : null;
}

// A panel or field within a record's card, the same in the old and the redrawn list.
function cardKey(element) {
  return `${element.closest("[data-id]").dataset.id} ${element.getAttribute("name") || element.className}`;
}

async function onLoggedIn() {
  // A new hash is shown by the hashchange listener; a deep link the login interrupted, here.
  if (!location.hash || location.hash === "#/login") location.hash = HOME[session().user.role] || "#/report";
  else await route();
  // List screens then show what the first pull brought through the refresh every sync triggers.
  await syncNow();
}

window.addEventListener("hashchange", () => route());
// Lists refresh when sync changes what they show; forms are never re-rendered under the user's thumb.
const LIVE_SCREENS = /^#\/(mine|tickets|reviews|dashboard)$/;
let refreshQueued = false;
function refreshLiveScreen() {
  renderStatus();
  if (!token() || !LIVE_SCREENS.test(location.hash) || refreshQueued) return;
  refreshQueued = true;
  setTimeout(async () => {
    refreshQueued = false;
    if (!token() || !LIVE_SCREENS.test(location.hash)) return;
    // Not while the user types; and a redraw the user overtook (typing, or a newer render) is retried.
    if (editing() || !(await route({ refresh: true }))) setTimeout(refreshLiveScreen, 1000);
  }, 150);
}

window.addEventListener("parksafe:changed", refreshLiveScreen);
window.addEventListener("parksafe:changed", () => fillEnterpriseNames(view()).catch(() => {}));  // best effort
window.addEventListener("parksafe:sync", (event) => {
  syncing = event.detail.running;
  const button = document.getElementById("sync-button");
  if (button) {
    button.disabled = event.detail.running;
    button.setAttribute("aria-busy", String(event.detail.running));
  }
  renderStatus();
});
window.addEventListener("online", () => {
  if (!session()?.user || token()) return renderStatus();
  // Back in coverage with an expired login: log in (over a form being filled in, which stays).
  if (view().querySelector("form") && !view().querySelector("[data-screen=login]")) logInOverForm();
  else route();
});
window.addEventListener("offline", () => {
  if (session()?.user && !token()) route();  // the login screen gives way to offline work
  else renderStatus();
});
window.addEventListener("parksafe:auth-required", () => {
  // Over a form, the 重新登录 dialog says it (a toast would sit dimmed under its backdrop).
  if (view().querySelector("form") && !view().querySelector("[data-screen=login]")) return logInOverForm();
  toast("登录已过期，请重新登录；未同步的内容仍保留在本机", "warn");
  route();
});

// A form the user is filling in stays as it is: the login opens over it, and closes when done,
// giving the focus back to where the user was on the form.
function logInOverForm() {
  const returnTo = document.activeElement;
  renderChrome();
  if (document.getElementById("relogin")) return;
  const dialog = h("dialog", { id: "relogin", "aria-label": "重新登录" });
  mount(
    dialog,
    renderLogin({
      note: "登录已过期，请重新登录。已填写的内容不会丢失，未同步的内容仍保留在本机。",
      onLoggedIn: async () => {
        dialog.close();
        dialog.remove();
        renderChrome();
        focusAgain(returnTo);
        await syncNow();
      },
    }),
  );
  // Online, the header offers nothing until the user logs in: Escape must not close the dialog for
  // good. It is refused, and a close the browser forces anyway (Escape again) opens it again.
  // Offline the user may close it and work on; back online, it opens again.
  dialog.addEventListener("cancel", (event) => navigator.onLine && event.preventDefault());
  dialog.addEventListener("close", () => {
    if (token() || !dialog.isConnected) return;
    if (navigator.onLine) dialog.showModal();
    else dialog.remove();
  });
  document.body.append(dialog);
  dialog.showModal();
}

// The control the user last focused on the screen (a field of the form), for the focus to return to
// after the 重新登录 dialog when what had it before is gone or outside the screen (立即同步, redrawn
// and disabled while the sync after login runs).
let lastFocused = null;
document.addEventListener("focusin", (event) => {
  if (view()?.contains(event.target)) lastFocused = event.target;
});

function focusAgain(element) {
  const target = [element, lastFocused].find((each) => each?.isConnected && view().contains(each)) || view().querySelector("h1");
  if (!target) return;
  if (target.tagName === "H1") target.tabIndex = -1;
  target.focus({ preventScroll: true });
}

// A new version waits until the user chooses to load it: a reload mid-form would lose what was typed.
const updateSW = registerSW({
  immediate: true,
  onNeedRefresh() {
    const banner = document.getElementById("update");
    banner.hidden = false;
    banner.replaceChildren(
      h("span", {}, "园安有新版本。"),
      h("button", { type: "button", class: "small", onclick: () => updateSW(true) }, "更新应用"),
    );
  },
});

(async () => {
  await loadSession();
  await requestPersistentStorage();
  await route();
  startAutoSync();
})();
