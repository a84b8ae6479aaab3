// The people working in my scope (GET /api/users), kept in IndexedDB meta so
// the dispute form can offer assignees offline and screens can show names.
import { getJSON } from './api.js';
import { getMeta, setMeta } from './db.js';

const KEY = 'people';
const FRESH_MS = 10 * 60 * 1000;
let memo = null;
let inflight = null;

export async function cachedPeople() {
  if (!memo) memo = (await getMeta(KEY)) || { at: 0, users: [] };
  return memo.users;
}

// Ask the server again; on any failure keep what we have (offline is normal).
export async function refreshPeople({ force = false, timeout = 10000 } = {}) {
  await cachedPeople();
  if (!force && Date.now() - memo.at < FRESH_MS) return memo.users;
  if (inflight) return inflight;
  inflight = (async () => {
    try {
      const data = await getJSON('/api/users', { timeout });
      memo = { at: Date.now(), users: data.users || [] };
      await setMeta(KEY, memo);
    } catch (_) { /* offline or refused: the cached list stays */ }
    inflight = null;
    return memo.users;
  })();
  return inflight;
}

// Active people first by name; the ones disabled stay out of choices.
export function choosable(users) {
  return users.filter((u) => !u.disabled)
    .sort((a, b) => String(a.display_name || a.username).localeCompare(String(b.display_name || b.username)));
}

export function nameOf(users, id) {
  if (!id) return '';
  const u = users.find((x) => x.id === id);
  return u ? (u.display_name || u.username) : '';
}

export function forget() {
  memo = null;
}
