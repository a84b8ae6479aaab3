// Photos: downscale on the phone (a 4 MB camera file travels as ~300 KB),
// hash with SHA-256 (the photo's id), then a tus 1.0.0 upload that resumes
// from the offset the server reports. The first chunk rides on the creation
// POST (creation-with-upload), so a photo under a chunk takes one request.
import { request, ApiError } from './api.js';
import { saveUpload } from './outbox.js';

export const MAX_EDGE = 1600;
export const QUALITY = 0.8;
// Busy scenes (gravel, foliage) come out large at 0.8; step down once for them.
const LARGE = 320 * 1024;
const QUALITY_LARGE = 0.68;
// The server keeps the bytes of a cut request, so a bigger chunk loses
// nothing on a bad link and saves round trips on a slow one.
export const CHUNK = 1024 * 1024;
const TUS = { 'Tus-Resumable': '1.0.0' };

async function decode(file) {
  try {
    return await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch (_) {
    // Older engines: decode through an <img> element instead.
    const url = URL.createObjectURL(file);
    try {
      const img = new Image();
      img.src = url;
      await img.decode();
      return img;
    } finally {
      URL.revokeObjectURL(url);
    }
  }
}

function encode(source, w, h, quality = QUALITY) {
  if (typeof OffscreenCanvas !== 'undefined') {
    const canvas = new OffscreenCanvas(w, h);
    canvas.getContext('2d').drawImage(source, 0, 0, w, h);
    return canvas.convertToBlob({ type: 'image/jpeg', quality });
  }
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  canvas.getContext('2d').drawImage(source, 0, 0, w, h);
  return new Promise((resolve, reject) => canvas.toBlob(
    (b) => (b ? resolve(b) : reject(new Error('encode failed'))), 'image/jpeg', quality));
}

export async function sha256Hex(buf) {
  const digest = await crypto.subtle.digest('SHA-256', buf);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function processFile(file) {
  const source = await decode(file);
  const sw = source.width || source.naturalWidth;
  const sh = source.height || source.naturalHeight;
  const scale = Math.min(1, MAX_EDGE / Math.max(sw, sh));
  const w = Math.max(1, Math.round(sw * scale));
  const h = Math.max(1, Math.round(sh * scale));
  let blob = await encode(source, w, h);
  if (blob.size > LARGE) blob = await encode(source, w, h, QUALITY_LARGE);
  if (source.close) source.close();
  const id = await sha256Hex(await blob.arrayBuffer());
  return { id, blob, width: w, height: h, originalSize: file.size };
}

const b64 = (s) => btoa(unescape(encodeURIComponent(s)));

async function serverOffset(url) {
  const res = await request(url, { method: 'HEAD', headers: TUS });
  return Number(res.headers.get('Upload-Offset')) || 0;
}

// Upload one photo's bytes. `u` is the uploads row (id, url, offset), kept in
// IndexedDB after every step so a cut link or a closed app resumes later.
export async function uploadPhoto(u, blob, onBytes = () => {}) {
  let offset = 0;
  if (u.url) {
    try {
      offset = await serverOffset(u.url);
    } catch (err) {
      if (!(err instanceof ApiError) || (err.status !== 404 && err.status !== 410)) throw err;
      u.url = null;
    }
  }
  if (!u.url) {
    // A cut POST leaves no Location to resume from: the next try starts a new
    // upload, so at most one chunk is sent twice.
    const first = blob.slice(0, CHUNK);
    const res = await request('/api/uploads', {
      method: 'POST',
      headers: {
        ...TUS,
        'Upload-Length': String(blob.size),
        'Upload-Metadata': `sha256 ${b64(u.id)},filetype ${b64(blob.type || 'image/jpeg')},filename ${b64(`${u.id.slice(0, 12)}.jpg`)}`,
        'Content-Type': 'application/offset+octet-stream',
      },
      body: first,
      timeout: 120000,
    });
    const loc = new URL(res.headers.get('Location'), location.href);
    u.url = loc.pathname + loc.search;
    const held = Number(res.headers.get('Upload-Offset'));
    offset = Number.isFinite(held) && held >= 0 && held <= blob.size ? held : first.size;
    onBytes(offset);
  }
  u.offset = offset;
  await saveUpload(u);
  let resynced = false;
  while (offset < blob.size) {
    const chunk = blob.slice(offset, offset + CHUNK);
    let res;
    try {
      res = await request(u.url, {
        method: 'PATCH',
        headers: { ...TUS, 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' },
        body: chunk,
        timeout: 120000,
      });
    } catch (err) {
      // 409: our offset disagrees with the server's; ask it once and go on.
      if (err instanceof ApiError && err.status === 409 && !resynced) {
        resynced = true;
        offset = await serverOffset(u.url);
        continue;
      }
      throw err;
    }
    const next = Number(res.headers.get('Upload-Offset'));
    const advanced = Number.isFinite(next) && next > offset ? next : offset + chunk.size;
    onBytes(advanced - offset);
    offset = advanced;
    u.offset = offset;
    await saveUpload(u);
  }
}

// Load a server photo with the Bearer token; the service worker caches it.
const urlCache = new Map();
export async function photoURL(id, size) {
  const key = `${id}:${size || ''}`;
  if (urlCache.has(key)) return urlCache.get(key);
  const res = await request(`/api/photos/${id}${size ? `?size=${size}` : ''}`);
  const url = URL.createObjectURL(await res.blob());
  urlCache.set(key, url);
  return url;
}
