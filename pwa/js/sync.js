// The sync loop: push the outbox, upload photo bytes, pull changes. One run
// at a time; failures that may pass (network, 5xx, 429) retry with
// full-jitter backoff, anything else waits for a person.
import { request, getJSON, gzipJSON, ApiError, NetworkError, isRetryable } from './api.js';
import { tx, promisify, setMeta, getMeta, COLLECTIONS } from './db.js';
import { session, signedIn } from './session.js';
import * as outbox from './outbox.js';
import { uploadPhotos } from './sync-photos.js';
import { backoffDelay } from './util.js';
import { refreshPeople } from './people.js';

export const PUSH_BATCH = 500;
export const PULL_LIMIT = 500;
const PERIOD_MS = 3 * 60 * 1000;

export const syncEvents = new EventTarget();
export const status = {
  phase: 'idle', // idle | pushing | uploading | pulling | waiting | auth | error
  lastSync: null,
  error: null,
  nextRetryAt: null,
  sending: new Set(),
  uploading: new Map(),
  progress: { pushTotal: 0, pushDone: 0, photoTotal: 0, photoDone: 0, bytesTotal: 0, bytesSent: 0, pulled: 0 },
};

let running = null;
let again = false;
let attempt = 0;
let retryTimer = null;
let gzipOK = true;

function emit(type = 'status') { syncEvents.dispatchEvent(new Event(type)); }
function setPhase(phase, error = null) { status.phase = phase; status.error = error; emit(); }

export async function pushOnce(batch) {
  const body = { device_id: session.device_id, mutations: batch.map(({ id, collection, record_id, op, base_version, fields, at }) => ({ id, collection, record_id, op, base_version, fields, at })) };
  const [payload, headers] = gzipOK ? await gzipJSON(body) : [JSON.stringify(body), { 'Content-Type': 'application/json' }];
  try {
    const res = await request('/api/sync/push', { method: 'POST', body: payload, headers, timeout: 60000 });
    return res.json();
  } catch (err) {
    if (err instanceof ApiError && err.status === 415 && headers['Content-Encoding']) {
      gzipOK = false; // this server takes no gzip bodies: send plain JSON from now on
      return pushOnce(batch);
    }
    throw err;
  }
}

// Push a batch; on 400/413 split it so one bad mutation cannot hold the rest.
async function pushBatch(batch) {
  for (const e of batch) status.sending.add(e.seq);
  emit();
  try {
    const data = await pushOnce(batch);
    await outbox.acknowledge(data.results || []);
    if ((data.results || []).some((r) => r.status === 'conflict')) status.hadConflict = true;
    status.progress.pushDone += batch.length;
  } catch (err) {
    if (err instanceof ApiError && (err.status === 400 || err.status === 413 || err.status === 422)) {
      if (batch.length > 1) {
        const mid = Math.ceil(batch.length / 2);
        for (const e of batch) status.sending.delete(e.seq);
        await pushBatch(batch.slice(0, mid));
        await pushBatch(batch.slice(mid));
        return;
      }
      await outbox.markRejected([batch[0].seq], { code: `http_${err.status}`, message: err.message });
      status.progress.pushDone += 1;
      return;
    }
    throw err;
  } finally {
    for (const e of batch) status.sending.delete(e.seq);
    emit('data');
  }
}

async function pushAll() {
  let pending = await outbox.pendingEntries();
  status.progress.pushTotal = pending.length;
  status.progress.pushDone = 0;
  if (!pending.length) return;
  setPhase('pushing');
  while (pending.length) {
    await pushBatch(pending.slice(0, PUSH_BATCH));
    // Entries saved while we were pushing join the next batch.
    const done = new Set(pending.slice(0, PUSH_BATCH).map((e) => e.seq));
    pending = (await outbox.pendingEntries()).filter((e) => !done.has(e.seq));
    status.progress.pushTotal = status.progress.pushDone + pending.length;
  }
}

async function applyPage(page) {
  const stores = [...COLLECTIONS, 'meta'];
  await tx(stores, 'readwrite', (t) => {
    if (page.reset) for (const c of COLLECTIONS) t.objectStore(c).clear();
    for (const ch of page.changes || []) {
      if (!COLLECTIONS.includes(ch.collection) || !ch.record) continue;
      const store = t.objectStore(ch.collection);
      if (ch.record.removed) store.delete(ch.record.id);
      else store.put(ch.record);
    }
    t.objectStore('meta').put(page.cursor, 'cursor');
  });
}

async function pullAll(limit = PULL_LIMIT) {
  setPhase('pulling');
  status.progress.pulled = 0;
  let cursor = await getMeta('cursor');
  for (let guard = 0; guard < 10000; guard++) {
    const q = new URLSearchParams({ limit: String(limit) });
    if (cursor) q.set('cursor', cursor);
    const page = await getJSON(`/api/sync/pull?${q}`, { timeout: 60000 });
    await applyPage(page);
    status.progress.pulled += (page.changes || []).length;
    if ((page.changes || []).length || page.reset) emit('data');
    emit();
    if (!page.has_more || page.cursor === cursor) break;
    cursor = page.cursor;
  }
}

async function refreshMe() {
  const me = await getJSON('/api/me');
  await setMeta('me', me);
}

export async function refreshConflicts() {
  const data = await getJSON('/api/conflicts?status=open');
  await setMeta('conflicts', data.conflicts || []);
  emit('data');
  return data.conflicts || [];
}

async function once() {
  await pushAll();
  const photos = await uploadPhotos(status, emit, setPhase);
  await pullAll();
  await refreshMe();
  await refreshConflicts();
  await refreshPeople(); // at most every few minutes; a failure keeps the cached list
  status.lastSync = new Date().toISOString();
  await setMeta('lastSync', status.lastSync);
  if (photos.failed) throw photos.failed;
}

function scheduleRetry(err) {
  const wait = Math.max(backoffDelay(attempt), (err.retryAfter || 0) * 1000);
  attempt = Math.min(attempt + 1, 10);
  status.nextRetryAt = Date.now() + wait;
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => { retryTimer = null; run(); }, wait);
}

export function run() {
  if (!signedIn() || session.needsAuth) return Promise.resolve();
  if (running) { again = true; return running; }
  running = (async () => {
    let wakeLock = null;
    try {
      const work = await outbox.total();
      if ((work > 20 || status.keepAwake) && work > 0 && navigator.wakeLock) wakeLock = await navigator.wakeLock.request('screen').catch(() => null);
      do { again = false; await once(); } while (again);
      attempt = 0;
      status.nextRetryAt = null;
      setPhase('idle');
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setPhase('auth');
      else if (isRetryable(err)) { scheduleRetry(err); setPhase('waiting', err instanceof NetworkError ? 'offline' : err.message); }
      else setPhase('error', err.message || String(err));
    } finally {
      if (wakeLock) wakeLock.release().catch(() => {});
      running = null;
      emit('data');
    }
  })();
  return running;
}

// The button and the "back online" paths skip any backoff wait.
export function syncNow() {
  attempt = 0;
  clearTimeout(retryTimer);
  retryTimer = null;
  return run();
}

let saveTimer = null;
export function afterSave() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => run(), 300);
}

export async function start() {
  status.lastSync = (await getMeta('lastSync')) || null;
  window.addEventListener('online', () => syncNow());
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') run(); });
  setInterval(() => { if (document.visibilityState === 'visible') run(); }, PERIOD_MS);
  outbox.outboxEvents.addEventListener('change', () => emit('outbox'));
  run();
}

export function isRunning() { return !!running; }
