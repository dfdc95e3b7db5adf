// The sync loop: photos (HEAD, then PUT), then push the outbox, then pull. Runs on reconnect,
// on a timer, at start and from the 立即同步 button; one run at a time.
import { ApiError, chinese, getJSON, OfflineError, postJSON, TimeoutError, uuid } from "./api.js";
import { db, forgetPulled, getKV, setKV, write } from "./db.js";
import { uploadPending } from "./photos.js";
import { mine } from "./records.js";
import { deviceId, session, token } from "./session.js";

const BATCH = 100;
const PULL_PAGE = 500;
const TIMER_MS = 60_000;

export const STATE_LABELS = {
  pending: "待同步",
  syncing: "同步中",
  synced: "已同步",
  conflict: "冲突",
  rejected: "被拒绝",
};

let running = null;
let lastError = null;

function emit(name, detail) {
  window.dispatchEvent(new CustomEvent(name, { detail }));
}

// What a run in progress is doing, for the status line; null when none runs.
let progress = null;

export function syncProgress() {
  return progress;
}

function report(step) {
  progress = step;
  emit("parksafe:sync", { running: true });
}

export function lastSyncError() {
  return lastError;
}

// What the phone may still change or withdraw: not yet sent, or sent and refused. One being pushed
// (syncing) or accepted (synced) is the server's now: it might yet be applied.
export const EDITABLE = ["pending", "rejected", "conflict"];

export class AlreadySentError extends Error {
  constructor() {
    super("这条已开始同步，不能再修改；同步完成后可在“我的上报”中查看");
  }
}

// The user withdraws an item not yet sent, or gives up one the server refused: it leaves the phone.
export async function discard(mutationId) {
  await db.transaction("rw", db.outbox, db.photos, async () => {
    const item = await db.outbox.get(mutationId);
    if (!item || !EDITABLE.includes(item.state)) return;
    await db.outbox.delete(mutationId);
    await forgetUnusedPhotos(item.data.photos || []);
  });
  emit("parksafe:changed");
}

// Photos of a withdrawn or replaced item that nothing else on the phone names are not uploaded:
// the inspector took them back. (Inside the caller's transaction over outbox and photos.)
async function forgetUnusedPhotos(hashes) {
  if (!hashes.length) return;
  const named = new Set((await db.outbox.toArray()).flatMap((item) => item.data?.photos || []));
  for (const hash of hashes) {
    const photo = await db.photos.get(hash);
    if (photo && !named.has(hash) && (photo.state === "pending" || photo.state === "rejected")) await db.photos.delete(hash);
  }
}

// Queues one mutation for the next push.
// Photos kept as drafts while the form was open become pending with it, in one transaction.
export async function enqueue(entity, recordId, data, { op = "upsert", baseVersion = null, replaces = null } = {}) {
  const item = {
    mutation_id: uuid(),
    entity,
    op,
    record_id: recordId,
    base_version: baseVersion,
    client_time: new Date().toISOString(),
    data,
    state: "pending",
    error: null,
    server: null,
    version: null,
    created_at: Date.now(),
    user_id: session()?.user.id ?? null,
  };
  await write([db.outbox, db.photos], async () => {
    const replaced = replaces ? await db.outbox.get(replaces) : null;
    if (replaced && !EDITABLE.includes(replaced.state)) throw new AlreadySentError();
    if (replaces) await db.outbox.delete(replaces);
    await db.outbox.put(item);
    if (replaced) await forgetUnusedPhotos(replaced.data.photos || []);
    for (const hash of data.photos || []) {
      const photo = await db.photos.get(hash);
      if (photo && photo.state === "draft") await db.photos.update(hash, { state: "pending" });
    }
  });
  emit("parksafe:changed");
  return item;
}

async function push() {
  await db.outbox.where("state").equals("syncing").modify({ state: "pending" });
  for (;;) {
    // Only the signed-in user's own items: another user's wait for them on this phone.
    const items = (await db.outbox.where("state").equals("pending").sortBy("created_at")).filter(mine);
    if (!items.length) return;
    const batch = items.slice(0, BATCH);
    await db.outbox.bulkUpdate(batch.map((item) => ({ key: item.mutation_id, changes: { state: "syncing" } })));
    emit("parksafe:changed");
    let response;
    try {
      response = await postJSON("/api/v1/sync/push", {
        device_id: await deviceId(),
        batch_id: uuid(),
        mutations: batch.map((item) => ({
          mutation_id: item.mutation_id,
          entity: item.entity,
          op: item.op,
          id: item.record_id,
          base_version: item.base_version,
          client_time: item.client_time,
          data: item.data,
        })),
      });
    } catch (error) {
      // Not answered: the server may or may not have applied it; mutation ids make the retry safe.
      await db.outbox.bulkUpdate(batch.map((item) => ({ key: item.mutation_id, changes: { state: "pending" } })));
      throw error;
    }
    // What the server makes of new records (AI boxes, matched items, the draft) comes from jobs
    // that finish seconds after the push: pull again soon rather than at the next minute's run.
    if (response.results.some((result) => result.status === "applied")) followUpSoon();
    await db.transaction("rw", db.outbox, async () => {
      for (const result of response.results) {
        const state = result.status === "applied" || result.status === "duplicate" ? "synced" : result.status;
        await db.outbox.update(result.mutation_id, {
          state,
          version: result.version ?? null,
          error: describeError(result.error),
          server: result.server ?? null,
        });
      }
    });
  }
}

const FIELD_LABELS = {
  enterprise_id: "所属企业",
  description: "隐患描述",
  photos: "照片",
  location: "位置",
  "location.text": "位置描述",
  "location.lat": "定位纬度",
  "location.lng": "定位经度",
  observed_at: "发现时间",
  checklist_code: "对应检查项",
  note: "整改说明",
  finding_id: "所属隐患",
  text: "评论内容",
};

// The server's rejection ({code, message, detail}) as one line the inspector can act on.
function describeError(error) {
  if (!error) return null;
  if (typeof error === "string") return error;
  const message = chinese(error.message) || error.code;
  const where = error.detail && (error.detail.field || error.detail.path);
  if (!where) return message;
  const label = FIELD_LABELS[where] || where;
  // The server names the place as a path ("数字不能大于 90.0（位置：location.lat）"): say it in words.
  const placed = `（位置：${where}）`;
  return message.includes(placed) ? message.replace(placed, `（${label}）`) : `${message}（${label}）`;
}

async function pull() {
  let cursor = await getKV("cursor");
  for (;;) {
    const query = new URLSearchParams({ limit: String(PULL_PAGE) });
    if (cursor) query.set("cursor", cursor);
    let page;
    try {
      page = await getJSON(`/api/v1/sync/pull?${query}`);
    } catch (error) {
      // The server was restored from a backup: its records, not this phone's newer copies, are the truth.
      if (!(cursor && error instanceof ApiError && error.code === "cursor_ahead")) throw error;
      await forgetPulled();
      cursor = null;
      continue;
    }
    await db.transaction("rw", db.records, db.kv, async () => {
      for (const change of page.changes) {
        const known = await db.records.get([change.entity, change.id]);
        if (!known || known.version <= change.version) await db.records.put(change);
      }
      await db.kv.put({ key: "cursor", value: page.cursor });
    });
    cursor = page.cursor;
    if (!page.has_more) return;
  }
}

export const LOGIN_EXPIRED = "登录已过期，请重新登录";

// What the status line says after a failed run; every failure is retried by the next run.
function syncFailure(error) {
  if (error instanceof TimeoutError) return "网络无响应，稍后自动重试";
  // The phone says it is online, yet nothing answered: its network or the server may be down.
  if (error instanceof OfflineError) return "无法连接服务器，稍后自动重试";
  if (error instanceof ApiError && error.status === 401) return LOGIN_EXPIRED;
  return `同步失败：${error.message}`;
}

async function run() {
  if (!token()) return { ok: false, reason: "login" };
  if (!navigator.onLine) return { ok: false, reason: "offline" };
  report("正在同步");
  try {
    await uploadPending((done, total) => report(`正在同步：上传照片 ${done}/${total}`));
    report("正在同步：提交记录");
    await push();
    report("正在同步：获取更新");
    await pull();
    lastError = null;
    await setKV("synced_at", new Date().toISOString());
    return { ok: true };
  } catch (error) {
    lastError = syncFailure(error);
    return { ok: false, reason: lastError };
  } finally {
    progress = null;
    emit("parksafe:sync", { running: false });
    emit("parksafe:changed");
  }
}

const FOLLOW_UP_MS = [5_000, 20_000];
let followUps = [];

function followUpSoon() {
  followUps.forEach(clearTimeout);
  followUps = FOLLOW_UP_MS.map((delay) => setTimeout(() => syncNow(), delay));
}

// Asked while a run is under way (a report saved while the run pulls), one more run follows it:
// the run may be past the push, and the report would wait for the next minute's timer.
let again = false;

export function syncNow() {
  if (running) {
    again = true;
    return running;
  }
  running = run().finally(() => {
    running = null;
    if (again) {
      again = false;
      syncNow();
    }
  });
  return running;
}

export function startAutoSync() {
  window.addEventListener("online", () => syncNow());
  setInterval(() => syncNow(), TIMER_MS);
  syncNow();
}
