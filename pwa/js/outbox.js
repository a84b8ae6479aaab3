// The queue of mutations not yet acknowledged by the server. An entry leaves
// only when a push result says applied or conflict (first time or replayed);
// a rejected one stays, with the server's message, until fixed or discarded.
import { tx, promisify, getAll, count as storeCount, del, get, put } from './db.js';
import { uuid, nowRfc3339 } from './util.js';

export const outboxEvents = new EventTarget();
const changed = () => outboxEvents.dispatchEvent(new Event('change'));

export async function enqueue(collection, recordId, op, fields, baseVersion = null) {
  const entry = {
    id: uuid(), collection, record_id: recordId, op,
    base_version: op === 'create' ? null : (baseVersion ?? 1),
    fields, at: nowRfc3339(), state: 'pending', error: null,
  };
  await put('outbox', entry);
  changed();
  return entry;
}

// Several mutations saved together (a visit, its disputes and photos) go in
// one transaction so a crash never leaves half a visit in the queue.
export async function enqueueMany(items, uploads = []) {
  const entries = items.map(([collection, recordId, op, fields, baseVersion]) => ({
    id: uuid(), collection, record_id: recordId, op,
    base_version: op === 'create' ? null : (baseVersion ?? 1),
    fields, at: nowRfc3339(), state: 'pending', error: null,
  }));
  await tx(['outbox', 'uploads'], 'readwrite', (t) => {
    const box = t.objectStore('outbox');
    for (const e of entries) box.put(e);
    for (const u of uploads) t.objectStore('uploads').put(u);
  });
  changed();
  return entries;
}

export async function entries() {
  return getAll('outbox');
}

export async function pendingEntries() {
  return (await entries()).filter((e) => e.state === 'pending');
}

export async function total() {
  const [m, u] = await Promise.all([storeCount('outbox'), storeCount('uploads')]);
  return m + u;
}

// Apply push results: acknowledged entries leave, and the local copy gets the
// server's version so the screen does not flicker until the next pull.
export async function acknowledge(results) {
  const summary = { applied: 0, conflicts: 0, rejected: 0 };
  const stores = ['outbox', 'households', 'visits', 'disputes', 'followups', 'photos'];
  await tx(stores, 'readwrite', async (t) => {
    const box = t.objectStore('outbox');
    for (const r of results) {
      const seq = await promisify(box.index('id').getKey(r.id));
      if (seq === undefined) continue;
      const entry = await promisify(box.get(seq));
      if (r.status === 'applied' || r.status === 'conflict') {
        box.delete(seq);
        const store = t.objectStore(entry.collection);
        const current = await promisify(store.get(entry.record_id));
        const fields = { ...entry.fields };
        for (const c of r.conflicts || []) fields[c.field] = c.server;
        store.put({ ...(current || {}), ...fields, id: entry.record_id, version: r.version ?? current?.version ?? 1, conflicts: (current?.conflicts || 0) + (r.conflicts || []).length });
        if (r.status === 'applied') summary.applied++; else summary.conflicts++;
      } else {
        entry.state = 'rejected';
        entry.error = r.error || { code: 'rejected', message: '' };
        box.put(entry);
        summary.rejected++;
      }
    }
  });
  changed();
  return summary;
}

// Mark a whole batch as needing attention (the server refused its shape).
export async function markRejected(seqs, error) {
  await tx(['outbox'], 'readwrite', async (t) => {
    const box = t.objectStore('outbox');
    for (const seq of seqs) {
      const e = await promisify(box.get(seq));
      if (e) { e.state = 'rejected'; e.error = error; box.put(e); }
    }
  });
  changed();
}

// A fixed mutation goes out again under a new id: the server remembers the
// old id with its rejection, so reusing it would only replay the rejection.
export async function resend(seq, fields) {
  const old = await get('outbox', seq);
  if (!old) return null;
  const fresh = { ...old, id: uuid(), fields, at: nowRfc3339(), state: 'pending', error: null };
  delete fresh.seq;
  await tx(['outbox'], 'readwrite', (t) => {
    t.objectStore('outbox').delete(seq);
    t.objectStore('outbox').put(fresh);
  });
  changed();
  return fresh;
}

export async function discard(seq) {
  await del('outbox', seq);
  changed();
}

export async function uploads() {
  return getAll('uploads');
}

export async function saveUpload(u) {
  await put('uploads', u);
}

export async function finishUpload(id) {
  await del('uploads', id);
  changed();
}

export async function discardUpload(id) {
  await del('uploads', id);
  changed();
}
