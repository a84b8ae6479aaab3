// A small promise wrapper over IndexedDB. Schema changes go in the upgrade
// ladder below: each step runs once, in order, for every older version.

export const COLLECTIONS = ['households', 'visits', 'disputes', 'followups', 'photos'];
const NAME = 'doorstep';
const VERSION = 1;
let opening = null;

function upgrade(db, oldVersion) {
  if (oldVersion < 1) {
    for (const c of COLLECTIONS) db.createObjectStore(c, { keyPath: 'id' });
    const outbox = db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
    outbox.createIndex('id', 'id', { unique: true });
    outbox.createIndex('record', 'record_id');
    db.createObjectStore('uploads', { keyPath: 'id' });
    db.createObjectStore('blobs', { keyPath: 'id' });
    db.createObjectStore('meta');
    db.createObjectStore('drafts');
  }
  // if (oldVersion < 2) { ... next schema step ... }
}

export function open() {
  if (opening) return opening;
  opening = new Promise((resolve, reject) => {
    const req = indexedDB.open(NAME, VERSION);
    req.onupgradeneeded = (e) => upgrade(req.result, e.oldVersion);
    req.onsuccess = () => {
      const db = req.result;
      // Let a newer tab (new app version) upgrade instead of blocking it.
      db.onversionchange = () => { db.close(); opening = null; };
      resolve(db);
    };
    req.onerror = () => { opening = null; reject(req.error); };
    req.onblocked = () => console.warn('IndexedDB upgrade blocked by another tab');
  });
  return opening;
}

export function promisify(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

// Run fn inside one transaction; resolves with fn's result once committed.
export async function tx(stores, mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const t = db.transaction(stores, mode);
    let result;
    t.oncomplete = () => resolve(result);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error || new Error('transaction aborted'));
    Promise.resolve(fn(t)).then((r) => { result = r; }, (err) => { try { t.abort(); } catch (_) { /* done */ } reject(err); });
  });
}

export const get = (store, key) => tx([store], 'readonly', (t) => promisify(t.objectStore(store).get(key)));
export const getAll = (store) => tx([store], 'readonly', (t) => promisify(t.objectStore(store).getAll()));
export const put = (store, value, key) => tx([store], 'readwrite', (t) => promisify(t.objectStore(store).put(value, key)));
export const del = (store, key) => tx([store], 'readwrite', (t) => promisify(t.objectStore(store).delete(key)));
export const count = (store) => tx([store], 'readonly', (t) => promisify(t.objectStore(store).count()));

export const getMeta = (key) => get('meta', key);
export const setMeta = (key, value) => put('meta', value, key);

// Safari has refused Blobs in IndexedDB; keep an ArrayBuffer copy there.
export async function putBlob(id, blob) {
  try {
    await put('blobs', { id, blob, type: blob.type, size: blob.size });
  } catch (err) {
    const buf = await blob.arrayBuffer();
    await put('blobs', { id, buf, type: blob.type, size: blob.size });
  }
}

export async function getBlob(id) {
  const row = await get('blobs', id);
  if (!row) return null;
  if (row.blob) return row.blob;
  return new Blob([row.buf], { type: row.type });
}

export async function clearAll(keepMeta = []) {
  const db = await open();
  const names = Array.from(db.objectStoreNames);
  const kept = {};
  for (const k of keepMeta) kept[k] = await getMeta(k);
  await tx(names, 'readwrite', (t) => Promise.all(names.map((n) => promisify(t.objectStore(n).clear()))));
  for (const [k, v] of Object.entries(kept)) if (v !== undefined) await setMeta(k, v);
}
