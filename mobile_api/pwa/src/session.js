// The signed-in user and token, kept in IndexedDB so the app opens signed in without a network.
import { deleteKV, forgetPulled, getKV, setKV } from "./db.js";

let current = null;

export async function loadSession() {
  current = await getKV("session");
  if (current && current.expires_at && Date.parse(current.expires_at) < Date.now()) current = { ...current, token: null };
  return current;
}

export function session() {
  return current;
}

export function token() {
  return current && current.token;
}

export async function saveLogin(response) {
  current = {
    token: response.access_token,
    user: response.user,
    expires_at: new Date(Date.now() + response.expires_in * 1000).toISOString(),
  };
  await setKV("session", current);
  // A different user on a shared phone must not see what the last one pulled: their copies go,
  // and the next pull starts from the beginning with the new user's scope. (Unsynced outbox items
  // stay, tagged with their author, and are pushed only when that user signs in again.)
  const lastUser = await getKV("last_user_id");
  if (lastUser && lastUser !== response.user.id) await forgetPulled();
  await setKV("last_user_id", response.user.id);
  return current;
}

// A 401 keeps the user (and the outbox) but drops the token: the login screen asks again.
export async function expireToken() {
  if (!current) return;
  current = { ...current, token: null };
  await setKV("session", current);
}

export async function logout() {
  current = null;
  await deleteKV("session");
}

export async function deviceId() {
  let id = await getKV("device_id");
  if (!id) {
    id = `pwa-${crypto.randomUUID ? crypto.randomUUID() : Date.now().toString(36)}`;
    await setKV("device_id", id);
  }
  return id;
}
