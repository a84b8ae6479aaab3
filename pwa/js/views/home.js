// Home: my areas with progress, the outbox at a glance, last sync, storage.
import { h } from '../dom.js';
import { t, fmtDateTime, fmtBytes } from '../i18n.js';
import { list, me, subtree } from '../store.js';
import { entries, uploads } from '../outbox.js';
import { status } from '../sync.js';
import { session, forgetSession } from '../session.js';
import { clearAll } from '../db.js';
import { page, empty } from './common.js';

function areaProgress(area, areas, households, visited) {
  const ids = subtree(areas, area.id);
  const mine = households.filter((x) => ids.has(x.area_id));
  const done = mine.filter((x) => visited.has(x.id)).length;
  return h('li', { class: 'area', 'data-area-id': area.id },
    h('div', { class: 'row' }, h('strong', {}, area.name), h('span', { class: 'muted' }, t(`areaKind.${area.kind}`))),
    h('progress', { max: String(Math.max(mine.length, 1)), value: String(done), 'aria-label': t('home.progressLabel', { name: area.name }) }),
    h('p', { class: 'muted' }, t('home.progress', { done, total: mine.length })));
}

async function storageBlock() {
  const box = h('div', { class: 'card' }, h('h3', {}, t('home.storage')));
  if (!navigator.storage || !navigator.storage.estimate) { box.append(h('p', {}, t('home.storageUnknown'))); return box; }
  const { usage = 0, quota = 0 } = await navigator.storage.estimate();
  box.append(h('p', {}, t('home.storageUse', { used: fmtBytes(usage), quota: fmtBytes(quota) })));
  const persisted = navigator.storage.persisted ? await navigator.storage.persisted() : false;
  const note = h('p', { class: 'muted', role: 'status' }, persisted ? t('home.persisted') : t('home.notPersisted'));
  box.append(note);
  if (!persisted && navigator.storage.persist) {
    const btn = h('button', { type: 'button', class: 'btn', onclick: async () => {
      const ok = await navigator.storage.persist();
      note.textContent = ok ? t('home.persisted') : t('home.persistRefused');
      if (ok) btn.remove();
    } }, t('home.persist'));
    box.append(btn);
  }
  return box;
}

function iphoneHint() {
  const ios = /iPhone|iPad|iPod/.test(navigator.userAgent);
  const standalone = navigator.standalone || window.matchMedia('(display-mode: standalone)').matches;
  if (!ios || standalone) return null;
  return h('div', { class: 'card hint-card' }, h('p', {}, t('home.iosHint')));
}

function signOut(pendingCount) {
  const out = h('div', { class: 'card' });
  const msg = h('p', { class: 'muted' });
  let armed = false;
  const btn = h('button', { type: 'button', class: 'btn btn-danger', onclick: async () => {
    if (pendingCount > 0 && !armed) { armed = true; msg.textContent = t('home.signOutUnsent', { count: pendingCount }); btn.textContent = t('home.signOutAnyway'); return; }
    // Tell the server when we can; a dead link must not trap the user.
    fetch('/api/auth/logout', { method: 'POST', headers: { Authorization: `Bearer ${session.token}` } }).catch(() => {});
    await clearAll(['lang']);
    if ('caches' in window) await caches.delete('doorstep-photos').catch(() => {});
    await forgetSession();
  } }, t('home.signOut'));
  out.append(msg, btn);
  return out;
}

export async function render() {
  const [info, households, visits, box, ups] = await Promise.all([me(), list('households'), list('visits'), entries(), uploads()]);
  const user = info.user || session.user || {};
  const areas = info.areas || [];
  const visited = new Set(visits.map((v) => v.household_id));
  const mineIds = user.area_ids || [];
  const myAreas = areas.filter((a) => mineIds.includes(a.id));
  const counts = {
    pending: box.filter((e) => e.state === 'pending').length,
    rejected: box.filter((e) => e.state === 'rejected').length,
    photos: ups.filter((u) => u.state !== 'failed').length,
    failed: ups.filter((u) => u.state === 'failed').length,
  };
  const pendingTotal = box.length + ups.length;
  const el = page(t('home.hello', { name: user.display_name || user.username || '' }), null,
    user.role ? h('p', { class: 'muted' }, t(`role.${user.role}`)) : null,
    iphoneHint(),
    h('div', { class: 'card' },
      h('h3', {}, t('home.outbox')),
      h('p', { class: 'big' }, t('home.unsent', { count: pendingTotal })),
      h('ul', { class: 'breakdown' },
        h('li', {}, t('home.byState.pending', { count: counts.pending })),
        h('li', {}, t('home.byState.photos', { count: counts.photos })),
        counts.rejected ? h('li', { class: 'warn' }, t('home.byState.rejected', { count: counts.rejected })) : null,
        counts.failed ? h('li', { class: 'warn' }, t('home.byState.failed', { count: counts.failed })) : null),
      h('p', { class: 'muted' }, status.lastSync ? t('sync.last', { time: fmtDateTime(status.lastSync) }) : t('sync.never')),
      h('a', { class: 'btn', href: '#/sync' }, t('home.openSync'))),
    h('div', { class: 'card' },
      h('h3', {}, t('home.areas')),
      myAreas.length ? h('ul', { class: 'areas' }, myAreas.map((a) => areaProgress(a, areas, households, visited))) : empty(t('home.noAreas')),
      h('a', { class: 'btn btn-primary', href: '#/households' }, t('home.openHouseholds'))),
    await storageBlock(),
    signOut(pendingTotal));
  return { el, live: true, title: t('nav.home') };
}
