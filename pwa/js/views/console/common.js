// Pieces shared by the supervisor console screens: the tab bar, the area and
// date filters kept in the hash, and loading that says so when offline.
import { h, clear, append, field, select } from '../../dom.js';
import { t } from '../../i18n.js';
import { getJSON, request, ApiError, NetworkError } from '../../api.js';
import { session } from '../../session.js';
import { getMeta, setMeta } from '../../db.js';
import { me } from '../../store.js';
import { errorBox } from '../common.js';

export const CONSOLE_ROLES = ['supervisor', 'admin'];

const TABS = [
  ['#/console', 'console.tab.dashboard'],
  ['#/console/map', 'console.tab.map'],
  ['#/console/cases', 'console.tab.cases'],
  ['#/console/conflicts', 'console.tab.conflicts'],
  ['#/console/exports', 'console.tab.exports'],
];
const ADMIN_TABS = [
  ['#/admin/users', 'console.tab.users'],
  ['#/admin/devices', 'console.tab.devices'],
  ['#/admin/areas', 'console.tab.areas'],
  ['#/admin/import', 'console.tab.import'],
];

function tabs(active) {
  const all = session.user?.role === 'admin' ? [...TABS, ...ADMIN_TABS] : TABS;
  return h('nav', { class: 'console-tabs', 'aria-label': t('console.tabsLabel') },
    all.map(([hash, key]) => h('a', { href: hash, 'aria-current': hash === active ? 'page' : null, 'data-tab': hash }, t(key))));
}

export function consolePage(title, active, ...children) {
  return h('section', { class: 'page console', 'data-console': active.replace(/^#\//, '') },
    h('div', { class: 'page-head' }, h('h2', {}, title)),
    tabs(active),
    ...children);
}

// What a failed call means to the person at the screen.
export function problemText(err) {
  if (err instanceof NetworkError || !navigator.onLine) return t('console.offlineAction');
  if (err instanceof ApiError && err.status === 403) return t('console.forbidden');
  return t('common.failed', { message: err.message || String(err) });
}

function offlineNotice(retry) {
  return h('div', { class: 'notice offline-notice', role: 'status', 'data-offline': '' },
    h('p', {}, t('console.offline')),
    h('button', { type: 'button', class: 'btn btn-small', onclick: retry }, t('console.retry')));
}

// Fill `box` with what `load` builds. These screens read the server, not the
// phone's copy: offline they say so (and try again once back online).
export function onlineBox(box, load) {
  let stopped = false;
  let ticket = 0;
  const run = async () => {
    const mine = ++ticket;
    clear(box);
    if (!navigator.onLine) { box.append(offlineNotice(run)); return; }
    box.append(h('p', { class: 'muted', role: 'status', 'data-loading': '' }, t('console.loading')));
    try {
      const content = await load();
      if (stopped || mine !== ticket) return;
      clear(box);
      append(box, [content]);
    } catch (err) {
      if (stopped || mine !== ticket) return;
      console.warn(err);
      clear(box);
      if (err instanceof NetworkError || !navigator.onLine) box.append(offlineNotice(run));
      else box.append(errorBox(problemText(err)), h('button', { type: 'button', class: 'btn btn-small', onclick: run }, t('console.retry')));
    }
  };
  const onOnline = () => run();
  window.addEventListener('online', onOnline);
  run();
  return { reload: run, stop() { stopped = true; window.removeEventListener('online', onOnline); } };
}

// The server's settings for the app: offices per category, target, tiles.
let config = null;
export async function getConfig() {
  if (config) return config;
  try {
    config = await getJSON('/api/config');
    await setMeta('config', config);
  } catch (err) {
    const saved = await getMeta('config');
    if (!saved) throw err;
    config = saved;
  }
  return config;
}

// My areas as select options, indented by depth in the tree.
export async function areaChoices() {
  const info = await me();
  const areas = info.areas || [];
  const byParent = new Map();
  const ids = new Set(areas.map((a) => a.id));
  for (const a of areas) {
    const p = ids.has(a.parent_id) ? a.parent_id : null;
    if (!byParent.has(p)) byParent.set(p, []);
    byParent.get(p).push(a);
  }
  const out = [];
  const walk = (parent, depth) => {
    for (const a of (byParent.get(parent) || []).sort((x, y) => String(x.code).localeCompare(String(y.code)))) {
      out.push({ ...a, depth });
      walk(a.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

export function areaSelect(choices, value, name = 'area') {
  return select(name, [['', t('console.allAreas')], ...choices.map((a) => [a.id, `${'\u3000'.repeat(a.depth)}${a.name}`])], value || '');
}

// Area and date window, kept in the hash so a reload or a link keeps them.
export function filterForm(base, params, choices, { dates = true } = {}) {
  const area = areaSelect(choices, params.area);
  const from = h('input', { type: 'date', name: 'from', value: params.from || '' });
  const to = h('input', { type: 'date', name: 'to', value: params.to || '' });
  const form = h('form', { class: 'filters', 'data-form': 'filters', novalidate: true },
    field(t('console.area'), area),
    dates ? field(t('console.from'), from) : null,
    dates ? field(t('console.to'), to) : null,
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('console.apply')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    location.hash = withQuery(base, { area: area.value, from: dates ? from.value : '', to: dates ? to.value : '' });
  });
  return form;
}

export function withQuery(base, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `${base}?${s}` : base;
}

// Query string for the report API from the screen's filters.
export function apiQuery(params, { dates = true } = {}) {
  const q = new URLSearchParams();
  if (params.area) q.set('area_id', params.area);
  if (dates && params.from) q.set('from', params.from);
  if (dates && params.to) q.set('to', params.to);
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function pct(x) {
  return `${(Math.round((Number(x) || 0) * 1000) / 10).toFixed(1)}%`;
}

export function table(headers, rows, attrs = {}) {
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'data', ...attrs },
      h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col', class: x.num ? 'num' : null }, x.label ?? x)))),
      h('tbody', {}, rows)));
}

// A file from an authenticated endpoint: fetch with the token, then save the
// blob under the server's file name.
export async function download(path, fallbackName) {
  const res = await request(path, { timeout: 120000 });
  const blob = await res.blob();
  const disposition = res.headers.get('Content-Disposition') || '';
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  const name = match ? decodeURIComponent(match[1]) : fallbackName;
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return { name, size: blob.size };
}

// Resolves once `el` is in the document (Leaflet measures its container).
export function whenAttached(el, timeout = 10000) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const check = () => {
      if (el.isConnected) resolve(el);
      else if (performance.now() - start > timeout) reject(new Error('not shown'));
      else requestAnimationFrame(check);
    };
    check();
  });
}

export function twoStep(button, label, confirmLabel, action) {
  let armed = false;
  button.textContent = label;
  button.addEventListener('click', async () => {
    if (!armed) { armed = true; button.textContent = confirmLabel; return; }
    armed = false;
    button.textContent = label;
    await action();
  });
  return button;
}
