// Photos: compressed on the phone, keyed by SHA-256 like the server, kept as blobs until uploaded.
import imageCompression from "browser-image-compression";
import { sha256 } from "js-sha256";
import { ApiError, getBlob, postJSON, request, TIMEOUT_MS } from "./api.js";
import { db, write } from "./db.js";
import { session } from "./session.js";

// The server accepts up to 20 MB; 2.5 MB keeps a 2560 px photo sharp and a slow uplink bearable.
const MAX_BYTES = 2.5 * 1024 * 1024;
const MAX_SIDE = 2560;
const ACCEPTED = ["image/jpeg", "image/png", "image/webp"];

async function digest(blob) {
  const buffer = await blob.arrayBuffer();
  if (crypto.subtle) {
    const hash = await crypto.subtle.digest("SHA-256", buffer);
    return [...new Uint8Array(hash)].map((b) => b.toString(16).padStart(2, "0")).join("");
  }
  return sha256(buffer); // plain-HTTP intranet: no WebCrypto outside secure contexts
}

// The photos this user took (or, from before photos had owners, anybody's): uploaded under their own login only.
function ownPhoto(photo) {
  return !photo.user_id || photo.user_id === session()?.user.id;
}

export async function photosIn(state) {
  return (await db.photos.where("state").equals(state).toArray()).filter(ownPhoto);
}

async function dimensions(blob) {
  try {
    const bitmap = await createImageBitmap(blob);
    const size = [bitmap.width, bitmap.height];
    bitmap.close();
    return size;
  } catch {
    return [0, 0];
  }
}

// Shrinks only what is too big; EXIF (capture time, GPS) is kept for JPEG, which is what phone cameras write.
export async function prepare(file) {
  if (!ACCEPTED.includes(file.type)) throw new Error(`不支持的图片格式：${file.type || "未知"}，请拍摄 JPEG/PNG/WebP 照片`);
  const [width, height] = await dimensions(file);
  if (!width || !height) throw new Error("无法读取这张照片（文件损坏或不是图片），请重新拍摄");
  if (file.size <= MAX_BYTES && Math.max(width, height) <= MAX_SIDE) return file;
  return imageCompression(file, {
    maxSizeMB: MAX_BYTES / 1024 / 1024,
    maxWidthOrHeight: MAX_SIDE,
    useWebWorker: false, // the worker script would come from a CDN; the park intranet has none
    preserveExif: true,
    initialQuality: 0.85,
  });
}

// Stores the photo as a draft (uploaded only once its form is saved) and returns its hash.
export async function keepPhoto(file) {
  const blob = await prepare(file);
  const hash = await digest(blob);
  await write([db.photos], async () => {
    if (!(await db.photos.get(hash))) {
      await db.photos.put({ sha256: hash, blob, type: blob.type || file.type, state: "draft", error: null, created_at: Date.now(), user_id: session()?.user.id });
    }
  });
  return hash;
}

// A photo of several megabytes on a slow uplink (16 kB/s) still gets through; a stalled one is retried.
function uploadTimeout(bytes) {
  return TIMEOUT_MS + bytes / 16;
}

const ASK_AT_ONCE = 500; // the server's limit per question

// Of these photos, the ones the server lacks (or that this user may not use): one question for
// the whole queue; a server without that question is asked with a HEAD per photo.
async function missingOf(photos) {
  const missing = new Set();
  for (let start = 0; start < photos.length; start += ASK_AT_ONCE) {
    const batch = photos.slice(start, start + ASK_AT_ONCE).map((photo) => photo.sha256);
    try {
      const answer = await postJSON("/api/v1/photos/missing", { sha256: batch });
      for (const sha of answer.missing) missing.add(sha);
    } catch (error) {
      if (error.status !== 404 && error.status !== 405) throw error;
      for (const sha of batch) {
        const head = await request(`/api/v1/photos/${sha}`, { method: "HEAD" });
        if (head.status === 401) throw new ApiError(401, "unauthorized", "登录已过期");
        if (head.status !== 200) missing.add(sha);
      }
    }
  }
  return missing;
}

// Ask which are missing, PUT those. An upload cut off halfway stored nothing (the server hashes
// before it keeps), so the next run just sends it again; the hash makes a second arrival a no-op.
export async function uploadPending(onProgress = () => {}) {
  const pending = await photosIn("pending");
  if (!pending.length) return;
  const missing = await missingOf(pending);
  for (const [index, photo] of pending.entries()) {
    onProgress(index + 1, pending.length);
    if (missing.has(photo.sha256)) {
      try {
        await request(`/api/v1/photos/${photo.sha256}`, {
          method: "PUT",
          body: photo.blob,
          headers: { "Content-Type": photo.type },
          timeout: uploadTimeout(photo.blob.size),
        });
      } catch (error) {
        if (error.status && error.status >= 400 && error.status < 500 && error.status !== 401) {
          await db.photos.update(photo.sha256, { state: "rejected", error: error.message });
          continue;
        }
        throw error;
      }
    }
    await db.photos.update(photo.sha256, { state: "uploaded", error: null });
  }
}

const urls = new Map();

async function remember(key, blob) {
  try {
    await db.thumbs.put({ key, blob });
  } catch {
    // a full disk only costs the offline copy of a picture we can fetch again
  }
}

// An object URL for a photo: the phone's own copy, a cached thumbnail, or fetched with the token.
export async function photoURL(hash, size = "thumb") {
  const key = `${hash}:${size}`;
  if (urls.has(key)) return urls.get(key);
  let blob = (await db.photos.get(hash))?.blob || (await db.thumbs.get(key))?.blob;
  if (!blob) {
    const suffix = size === "original" ? "" : `?size=${size}`;
    try {
      blob = await getBlob(`/api/v1/photos/${hash}${suffix}`);
      await remember(key, blob);
    } catch {
      return null;
    }
  }
  const url = URL.createObjectURL(blob);
  urls.set(key, url);
  return url;
}
