// Reads over the pulled records and the outbox: what each screen lists, offline as well as online.
import { db } from "./db.js";
import { session } from "./session.js";

export async function live(entity) {
  return (await db.records.where("entity").equals(entity).toArray()).filter((record) => !record.deleted);
}

export async function record(entity, id) {
  const found = await db.records.get([entity, id]);
  return found && !found.deleted ? found : null;
}

export async function enterprises() {
  return (await live("enterprise")).sort((a, b) => (a.data.code || "").localeCompare(b.data.code || ""));
}

// Enterprise id → name, for screens that name a finding's enterprise.
export async function enterpriseNames() {
  return new Map((await enterprises()).map((e) => [e.id, e.data.name]));
}

export async function rectificationsOf(findingId) {
  return (await live("rectification"))
    .filter((r) => r.data.finding_id === findingId)
    .sort((a, b) => (a.data.created_at || "").localeCompare(b.data.created_at || ""));
}

// Outbox items carry their author: on a shared phone each user sees and pushes only their own.
export function mine(item) {
  return !item.user_id || item.user_id === session()?.user.id;
}

// The newest outbox item per record (the signed-in user's): what the phone last did to it and how that went.
export async function latestMutations(entity) {
  const items = (await db.outbox.where("entity").equals(entity).sortBy("created_at")).filter(mine);
  const latest = new Map();
  for (const item of items) latest.set(item.record_id, item);
  return latest;
}
