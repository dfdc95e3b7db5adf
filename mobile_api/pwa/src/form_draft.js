// A form's unsaved input, kept while the user looks elsewhere (检查指引 in the middle of a report,
// the ticket list) and across a reload or the phone closing the app behind the camera. Per user
// (a shared phone) and per form; dropped once the form is saved. The photos themselves are already
// on the phone (IndexedDB, state "draft"): the draft keeps their hashes.
import { session } from "./session.js";

const key = (form) => `parksafe:draft:${session()?.user.id || "anonymous"}:${form}`;

export function loadDraft(form) {
  try {
    return JSON.parse(localStorage.getItem(key(form)) || "null");
  } catch {
    return null;
  }
}

export function saveDraft(form, value) {
  try {
    localStorage.setItem(key(form), JSON.stringify(value));
  } catch {
    // storage full or blocked: the form still works, only the draft is not kept
  }
}

export function clearDraft(form) {
  localStorage.removeItem(key(form));
}

// A choice the next form starts from (the enterprise of the last report: an inspector reports
// several hazards at one site), per user like the drafts.
const choiceKey = (name) => `parksafe:last:${session()?.user.id || "anonymous"}:${name}`;

export function rememberChoice(name, value) {
  try {
    localStorage.setItem(choiceKey(name), value);
  } catch {
    // storage full or blocked: the next form starts empty
  }
}

export function rememberedChoice(name) {
  return localStorage.getItem(choiceKey(name)) || "";
}
