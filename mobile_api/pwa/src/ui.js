// Small DOM helpers: no framework, every control built with its Chinese accessible name.

export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2).toLowerCase(), value);
    else if (name === "class") element.className = value;
    else if (name === "value") element.value = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

let fieldCount = 0;

// A labelled form field: <label for> names the control for screen readers and tests.
export function field(label, control, hint = null) {
  const id = control.id || `f${++fieldCount}`;
  control.id = id;
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hint ? h("p", { class: "hint" }, hint) : null);
}

export function toast(message, kind = "info") {
  const box = document.getElementById("toast");
  box.textContent = message;
  box.className = `toast ${kind}`;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (box.hidden = true), 5000);
}

export function formatTime(value) {
  if (!value) return "—";
  return new Date(value).toLocaleString("zh-CN", { hour12: false, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
}

// "剩余 2 天 3 小时" or "已逾期 5 小时"
export function countdown(deadline, now = Date.now()) {
  if (!deadline) return "未设期限";
  const ms = Date.parse(deadline) - now;
  const hours = Math.floor(Math.abs(ms) / 3_600_000);
  const minutes = Math.max(1, Math.floor(Math.abs(ms) / 60_000)); // never "0 小时"
  const text = hours >= 24 ? `${Math.floor(hours / 24)} 天 ${hours % 24} 小时` : hours >= 1 ? `${hours} 小时` : `${minutes} 分钟`;
  return ms >= 0 ? `剩余 ${text}` : `已逾期 ${text}`;
}

export const STATUS_LABELS = {
  reported: "已上报",
  dispatched: "整改中",
  pending_verification: "待验收",
  closed: "已验收",
};

export const LEVEL_LABELS = { general: "一般隐患", major: "重大隐患" };

export function statusBadge(status) {
  return h("span", { class: `badge status-${status}` }, STATUS_LABELS[status] || status || "未同步");
}

// Turns a datetime-local value (phone's local time) into RFC 3339 with the zone.
export function localInputToISO(value) {
  return value ? new Date(value).toISOString() : null;
}

export function isoToLocalInput(date) {
  const d = new Date(date);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// A form's submit handler that runs once at a time: a double tap on 保存 while the first is still
// saving does nothing, so one report never becomes two. The submit button shows it is busy.
export function submitOnce(handler) {
  let running = false;
  return async (event) => {
    event.preventDefault();
    if (running) return;
    running = true;
    const buttons = [...event.currentTarget.querySelectorAll("button[type=submit]")];
    for (const button of buttons) button.disabled = true;
    try {
      await handler(event);
    } finally {
      running = false;
      for (const button of buttons) button.disabled = false;
    }
  };
}

// An action button's click handler that sends one request at a time: a double tap while the first is
// on its way does nothing (a second 下发整改 would answer 409 next to the success, a second 识别有误
// record the same correction twice). The button is marked aria-disabled (it keeps its focus, where
// ``disabled`` would drop it) and aria-busy meanwhile; buttons inside an element marked
// ``data-one-request`` (通过 / 驳回) wait for each other. The handler returns true when the action is
// done: the button stays disabled (the redraw that follows replaces it). Anything else (a failure,
// a field to fill first) offers it again. A button marked aria-disabled from the start (an action
// not available yet) does nothing either.
const sending = new WeakSet();

export function sendOnce(handler) {
  return async (event) => {
    const button = event.currentTarget;
    const group = button.closest("[data-one-request]") || button;
    if (sending.has(group) || button.getAttribute("aria-disabled") === "true") return;
    sending.add(group);
    const buttons = group === button ? [button] : [...group.querySelectorAll("button")];
    const before = buttons.map((each) => each.getAttribute("aria-disabled"));
    for (const each of buttons) each.setAttribute("aria-disabled", "true");
    button.setAttribute("aria-busy", "true");
    let done = false;
    try {
      done = (await handler(event)) === true;
    } finally {
      sending.delete(group);
      button.removeAttribute("aria-busy");
      if (!done) buttons.forEach((each, index) => (before[index] === null ? each.removeAttribute("aria-disabled") : each.setAttribute("aria-disabled", before[index])));
    }
  };
}

// Element.append would print "null" for a skipped optional child; this skips it.
export function mount(parent, ...children) {
  parent.append(...children.flat(Infinity).filter((child) => child !== null && child !== undefined && child !== false));
  return parent;
}
