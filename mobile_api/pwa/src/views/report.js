// 上报隐患: the inspector's snap-and-report form. Saved to the outbox first, synced when the network allows.
import { db, StorageFullError } from "../db.js";
import { uuid } from "../api.js";
import { enterprises, live } from "../records.js";
import { suggest } from "../suggest.js";
import { clearDraft, loadDraft, rememberChoice, rememberedChoice, saveDraft } from "../form_draft.js";
import { AlreadySentError, enqueue, syncNow } from "../sync.js";
import { field, h, isoToLocalInput, localInputToISO, mount, submitOnce, toast } from "../ui.js";
import { PRESET_KEY } from "./guide.js";
import { MAX_PHOTOS, photoPicker } from "./photo_picker.js";

// The server refuses a 发现时间 more than 24 hours ahead of its clock (a phone's clock may be a little off).
const FUTURE_LIMIT_MS = 24 * 3_600_000;

export async function renderReport(root, editingMutationId = null) {
  const editing = editingMutationId ? await db.outbox.get(editingMutationId) : null;
  // A new report picks up what was typed before the user looked elsewhere.
  const draft = editing ? null : loadDraft("report");
  const data = editing ? editing.data : draft || {};
  let companies = await enterprises();
  const startAt = editing || draft ? "" : rememberedChoice("enterprise"); // the site of the last report
  // One id per form: even a second save of the same form can only ever edit this one finding.
  const recordId = editing ? editing.record_id : uuid();

  const enterprise = h("select", { name: "enterprise_id", required: true }, enterpriseOptions(data.enterprise_id || startAt));

  function enterpriseOptions(chosen) {
    return [
      h("option", { value: "" }, companies.length ? "请选择企业" : "暂无企业数据，请联网同步"),
      ...companies.map((company) => h("option", { value: company.id, selected: company.id === chosen }, `${company.data.name}`)),
    ];
  }

  // Opened before the first sync after login brought the enterprises (or while one was renamed):
  // the list fills in when they arrive, keeping the choice; never while its picker is open.
  async function refreshEnterprises() {
    if (!enterprise.isConnected) return window.removeEventListener("parksafe:changed", refreshEnterprises);
    if (document.activeElement === enterprise) return enterprise.addEventListener("blur", refreshEnterprises, { once: true });
    companies = await enterprises();
    // Read after the wait: a pick made meanwhile stands. A draft's or an edit's enterprise, whose
    // option was not there yet, is the choice, not lost.
    const before = enterprise.value;
    const chosen = before || data.enterprise_id || startAt;
    enterprise.replaceChildren(...enterpriseOptions(chosen));
    if (enterprise.value !== before) {
      keepDraft(); // as a pick by hand would: the draft and the suggestions (第五项 depends on it)
      if (description.value) showSuggestions();
    }
  }
  window.addEventListener("parksafe:changed", refreshEnterprises);
  const picker = photoPicker(data.photos || [], keepDraft);
  const description = h("textarea", { name: "description", rows: 4, maxlength: 2000, required: true, placeholder: "例如：储罐区防火堤内有杂草，可燃物未清理" });
  description.value = data.description || "";
  const suggestions = h("fieldset", { class: "suggestions", hidden: true }, h("legend", {}, "对应检查项"));
  const preset = sessionStorage.getItem(PRESET_KEY);
  sessionStorage.removeItem(PRESET_KEY);
  let checklistCode = preset || data.checklist_code || null; // 按此项上报 wins over a draft's item
  const place = h("input", { name: "location", maxlength: 500, placeholder: "如：二号罐区东侧泵房", value: data.location?.text || "" });
  let coordinates = data.location && data.location.lat != null ? { lat: data.location.lat, lng: data.location.lng } : null;
  const coordinateText = h("span", { class: "hint" }, coordinates ? `已定位 ${coordinates.lat.toFixed(5)}, ${coordinates.lng.toFixed(5)}` : "");
  const observed = h("input", { type: "datetime-local", name: "observed_at", required: true, value: isoToLocalInput(data.observed_at || new Date()) });
  const message = h("p", { class: "error", role: "alert" });
  if (editing && editing.error) message.textContent = `上次提交被拒绝：${editing.error}`;
  if (editing && editing.state === "conflict") message.textContent = "服务器上的记录已被他人修改，请核对后重新保存";

  function keepDraft() {
    if (editing) return; // an edit's starting point is its outbox row
    saveDraft("report", {
      enterprise_id: enterprise.value,
      description: description.value,
      location: { text: place.value, ...(coordinates || {}) },
      photos: picker.hashes(),
      observed_at: localInputToISO(observed.value),
      checklist_code: checklistCode,
    });
  }
  for (const control of [enterprise, description, place, observed]) control.addEventListener("input", keepDraft);
  enterprise.addEventListener("change", keepDraft);
  enterprise.addEventListener("change", () => description.value && showSuggestions()); // 第五项 depends on it

  let typingTimer = null;
  description.addEventListener("input", () => {
    clearTimeout(typingTimer);
    typingTimer = setTimeout(showSuggestions, 300);
  });

  async function showSuggestions() {
    const chosen = companies.find((company) => company.id === enterprise.value);
    const result = await suggest(description.value, { majorHazardSource: chosen?.data.major_hazard_source });
    const items = result.checklist.map((item) => [item.code, item.title]);
    // An item chosen earlier (in 检查指引, or before the text changed) stays on screen, checked,
    // until another is picked: it is sent with the report, so it must never be invisible.
    let stale = null;
    if (checklistCode && !items.some(([code]) => code === checklistCode)) {
      const chosen = await checklistTitle(checklistCode);
      if (chosen) items.unshift([checklistCode, chosen]);
      // Chosen for an earlier text (or in 检查指引): say so, or a rewritten report goes out under it.
      if (chosen && description.value.trim().length >= 4) stale = h("p", { class: "hint warn" }, `已选的 ${checklistCode} 不在当前描述的匹配结果中，请确认或改选`);
    }
    const options = items.map(([code, title]) => suggestion(code, title, code === checklistCode));
    if (options.length) options.push(suggestion("", "不选，由系统按描述匹配", !checklistCode));
    const major = result.major_hazard ? h("p", { class: "major" }, `可能构成重大隐患：${result.major_hazard.criterion}`) : null;
    const source = result.offline ? h("p", { class: "hint" }, "离线：按本机检查表粗略匹配") : null;
    suggestions.replaceChildren(...[h("legend", {}, "对应检查项"), stale, ...options, major, source].filter(Boolean));
    suggestions.hidden = !options.length && !major;
  }

  function suggestion(code, title, checked) {
    const radio = h("input", { type: "radio", name: "checklist_code", value: code, checked, onchange: () => { checklistCode = code || null; keepDraft(); } });
    return h("label", { class: "suggestion" }, radio, h("span", {}, code ? `${code} ${title}` : title));
  }

  async function checklistTitle(code) {
    return (await live("checklist_item")).find((candidate) => candidate.data.code === code)?.data.title;
  }

  // Came from 检查指引: the item is already chosen before anything is typed.
  async function showChosen(code) {
    const title = await checklistTitle(code);
    if (!title) return;
    suggestions.replaceChildren(h("legend", {}, "对应检查项"), suggestion(code, title, true));
    suggestions.hidden = false;
  }

  function locate() {
    if (!navigator.geolocation) return toast("此设备不支持定位，请填写位置描述", "warn");
    coordinateText.textContent = "正在定位…";
    navigator.geolocation.getCurrentPosition(
      (position) => {
        coordinates = { lat: position.coords.latitude, lng: position.coords.longitude };
        coordinateText.textContent = `已定位 ${coordinates.lat.toFixed(5)}, ${coordinates.lng.toFixed(5)}`;
        keepDraft();
      },
      () => (coordinateText.textContent = "定位失败，请填写位置描述"),
      { enableHighAccuracy: true, timeout: 15_000 },
    );
  }

  async function onSave() {
    message.textContent = "";
    const finding = {
      enterprise_id: enterprise.value,
      description: description.value.trim(),
      location: { text: place.value.trim(), ...(coordinates || {}) },
      photos: picker.hashes(),
      observed_at: localInputToISO(observed.value),
      inspection_id: data.inspection_id || null,
    };
    if (checklistCode) finding.checklist_code = checklistCode;
    // Told what is missing or wrong, and taken to it.
    const missing = [
      [!finding.enterprise_id, enterprise, "请选择所属企业"],
      [finding.photos.length > MAX_PHOTOS, picker.input, `最多 ${MAX_PHOTOS} 张照片，请移除多余的 ${finding.photos.length - MAX_PHOTOS} 张后再保存`],
      [!finding.description, description, "请填写隐患描述"],
      [!finding.observed_at, observed, "请填写发现时间"],
      [Date.parse(finding.observed_at) > Date.now() + FUTURE_LIMIT_MS, observed, "发现时间不能晚于现在，请核对后重新填写"],
    ].find(([absent]) => absent);
    if (missing) {
      missing[1].focus();
      return (message.textContent = missing[2]);
    }
    const baseVersion = editing ? (editing.state === "conflict" ? editing.server?.version ?? editing.base_version : editing.base_version) : null;
    try {
      await enqueue("finding", recordId, finding, { baseVersion, replaces: editing?.mutation_id });
    } catch (error) {
      message.textContent = error instanceof StorageFullError || error instanceof AlreadySentError ? error.message : `保存失败：${error.message}`;
      return;
    }
    if (!editing) clearDraft("report");
    rememberChoice("enterprise", finding.enterprise_id);
    toast(navigator.onLine ? "已保存，正在同步" : "已保存在手机上，联网后自动同步", "ok");
    location.hash = "#/mine";
    if (navigator.onLine) syncNow();
  }

  mount(root,
    h("h1", {}, editing ? "修改隐患" : "上报隐患"),
    h(
      "form",
      { onsubmit: submitOnce(onSave), novalidate: true },
      field("所属企业", enterprise),
      picker.element,
      field("隐患描述", description, "边写边推荐检查项，选中后一并上报"),
      suggestions,
      field("位置描述", place),
      h("div", { class: "row" }, h("button", { type: "button", class: "quiet", onclick: locate }, "获取定位"), coordinateText),
      field("发现时间", observed),
      message,
      h("button", { type: "submit", class: "primary" }, "保存"),
    ),
  );
  if (description.value) showSuggestions();
  else if (checklistCode) showChosen(checklistCode);
  if (draft) toast("已恢复上次未保存的上报内容", "info");
  if (!editing && !coordinates) locate();
}
