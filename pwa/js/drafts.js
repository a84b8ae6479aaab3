// Form drafts live in IndexedDB from the first keystroke, so a reload (the
// "new version ready" button, a crash, the OS killing the tab) loses nothing.
import { get, put, del } from './db.js';
import { debounce } from './dom.js';

const live = new Set();

export function useDraft(key) {
  let latest = null;
  const write = debounce(() => (latest ? put('drafts', latest, key) : Promise.resolve()), 250);
  const handle = {
    load: () => get('drafts', key),
    save(data) { latest = data; write(); },
    flush: () => write.flush(),
    async clear() { latest = null; live.delete(handle); await del('drafts', key); },
    release() { live.delete(handle); return write.flush(); },
  };
  live.add(handle);
  return handle;
}

export async function flushDrafts() {
  await Promise.all(Array.from(live, (d) => d.flush()));
}
