// fetch with the bearer token and the contract's error envelope turned into ApiError.
import { expireToken, token } from "./session.js";

export class ApiError extends Error {
  constructor(status, code, message, detail) {
    super(message || `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

export class OfflineError extends Error {
  constructor() {
    super("网络不可用，已保存在手机上，联网后自动同步");
    this.name = "OfflineError";
  }
}

export async function request(path, { method = "GET", json, body, headers = {}, auth = true } = {}) {
  const init = { method, headers: { ...headers } };
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
    throw new OfflineError();
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

export async function getJSON(path) {
  return (await request(path)).json();
}

export async function postJSON(path, json) {
  return (await request(path, { method: "POST", json })).json();
}

export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
