// fetch with the bearer token and the contract's error envelope turned into ApiError.
import { expireToken, token } from "./session.js";

// The server's messages are bilingual, "中文 / English": users read the Chinese half.
export function chinese(message) {
  const cut = message ? message.indexOf(" / ") : -1;
  return cut > 0 ? message.slice(0, cut) : message;
}

export class ApiError extends Error {
  constructor(status, code, message, detail) {
    super(chinese(message) || (status >= 500 ? "服务器暂时出错，稍后会自动重试" : `请求失败（HTTP ${status}）`));
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

export class OfflineError extends Error {
  constructor(message = "网络不可用，请联网后再试") {
    super(message);
    this.name = "OfflineError";
  }
}

// A weak signal can keep the phone "online" while nothing comes back: such a request is given up
// after a while and treated as offline, so no screen or sync waits for it for ever.
export class TimeoutError extends OfflineError {
  constructor() {
    super("网络响应超时，请稍后再试");
    this.name = "TimeoutError";
  }
}

export const TIMEOUT_MS = 30_000;
// Screens that have a local copy to show give the network less time before showing it.
export const SCREEN_TIMEOUT_MS = 8_000;

// ``timeout`` covers the reply and reading its body (getJSON, getBlob).
export async function request(path, { method = "GET", json, body, headers = {}, auth = true, timeout = TIMEOUT_MS } = {}) {
  // Signed out (or between users on a shared phone): nothing is sent, and it is not an expired login.
  if (auth && !token()) throw new ApiError(401, "unauthorized", "请先登录");
  const controller = new AbortController();
  // A plain timer, not AbortSignal.timeout(): the browser tests drive it with a fake clock.
  setTimeout(() => controller.abort(), timeout);
  const init = { method, headers: { ...headers }, signal: controller.signal };
  if (auth && token()) init.headers.Authorization = `Bearer ${token()}`;
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers["Content-Type"] = "application/json";
  } else if (body !== undefined) {
    init.body = body;
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw controller.signal.aborted ? new TimeoutError() : new OfflineError();
  }
  if (response.status === 401 && auth) {
    await expireToken();
    window.dispatchEvent(new CustomEvent("parksafe:auth-required"));
  }
  if (!response.ok && method !== "HEAD") {
    let envelope = null;
    try {
      envelope = (await response.json()).error;
    } catch {
      envelope = null;
    }
    throw new ApiError(response.status, envelope && envelope.code, envelope && envelope.message, envelope && envelope.detail);
  }
  return response;
}

// A body cut off by the timeout reads as a TimeoutError too.
async function body(response, read) {
  try {
    return await read(response);
  } catch (error) {
    throw error.name === "AbortError" ? new TimeoutError() : error;
  }
}

export async function getJSON(path, options = {}) {
  return body(await request(path, options), (response) => response.json());
}

export async function postJSON(path, json, options = {}) {
  return body(await request(path, { ...options, method: "POST", json }), (response) => response.json());
}

export async function getBlob(path, options = {}) {
  return body(await request(path, options), (response) => response.blob());
}

export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
