// Everything the app keeps on the phone, in IndexedDB through Dexie. Nothing captured offline lives only in memory.
import Dexie from "dexie";

export const db = new Dexie("parksafe");

db.version(1).stores({
  // session, device id, pull cursor
  kv: "key",
  // mutations waiting for /sync/push: state pending | syncing | synced | conflict | rejected
  outbox: "mutation_id, record_id, entity, state, created_at",
  // photos taken on this phone, as blobs, until the server has them: state pending | uploaded | rejected
  photos: "sha256, state, created_at",
  // copies of server records from /sync/pull (enterprises, checklist items, findings, rectifications…)
  records: "[entity+id], entity, version",
  // thumbnails fetched for viewing, so ticket details show their photos offline too
  thumbs: "key",
});

export async function getKV(key, fallback = null) {
  const row = await db.kv.get(key);
  return row ? row.value : fallback;
}

export function setKV(key, value) {
  return db.kv.put({ key, value });
}

export function deleteKV(key) {
  return db.kv.delete(key);
}

// Drops every pulled copy and the cursor, so the next pull starts from the beginning. The outbox and
// the phone's own photos stay: nothing captured here is lost.
export function forgetPulled() {
  return db.transaction("rw", db.records, db.thumbs, db.kv, async () => {
    await db.records.clear();
    await db.thumbs.clear();
    await db.kv.put({ key: "cursor", value: null });
    await db.kv.delete("stats");
  });
}

export class StorageFullError extends Error {
  constructor(cause) {
    super("手机存储空间不足，内容未能保存。请先同步或清理手机空间后再点“保存”，已填写的内容仍保留在表单中。");
    this.name = "StorageFullError";
    this.cause = cause;
  }
}

function isQuotaError(error) {
  for (let e = error; e; e = e.inner || e.cause) {
    if (e.name === "QuotaExceededError" || e.name === "DataCloneError" && /quota/i.test(e.message)) return true;
  }
  return false;
}

// Runs a write transaction; a full disk becomes one clear StorageFullError and nothing is half-written.
export async function write(tables, work) {
  try {
    return await db.transaction("rw", tables, work);
  } catch (error) {
    if (isQuotaError(error)) throw new StorageFullError(error);
    throw error;
  }
}

export async function requestPersistentStorage() {
  if (navigator.storage && navigator.storage.persist) {
    try {
      return await navigator.storage.persist();
    } catch {
      return false;
    }
  }
  return false;
}
