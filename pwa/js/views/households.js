// Households in my scope, grouped by grid, with search and a not-visited filter.
import { h, clear, field, debounce } from '../dom.js';
import { t } from '../i18n.js';
import { list, me, areaMap } from '../store.js';
import { page, empty, pendingMark } from './common.js';

const STATE_KEY = 'doorstep.hhFilter';
const MAX_ROWS = 600;

function loadState() {
  try { return JSON.parse(sessionStorage.getItem(STATE_KEY)) || {}; } catch (_) { return {}; }
}

function item(hh, visited) {
  return h('li', {},
    h('a', { class: 'hh-item', href: `#/h/${encodeURIComponent(hh.id)}`, 'data-household-id': hh.id },
      h('span', { class: 'hh-main' },
        h('span', { class: 'hh-address' }, hh.address || t('household.noAddress')),
        h('span', { class: 'hh-head muted' }, hh.head_name || '')),
      h('span', { class: 'hh-side' },
        pendingMark(hh),
        h('span', { class: `chip ${visited ? 'ok' : 'todo'}` }, visited ? t('households.visited') : t('households.notVisited')))));
}

export async function render() {
  const state = { q: '', notVisited: false, ...loadState() };
  const results = h('div', { class: 'hh-results' });
  const counter = h('p', { class: 'muted', role: 'status' });

  async function draw() {
    const [households, visits, info] = await Promise.all([list('households'), list('visits'), me()]);
    const areas = areaMap(info.areas);
    const visited = new Set(visits.map((v) => v.household_id));
    const q = state.q.trim().toLowerCase();
    const shown = households.filter((x) => {
      if (state.notVisited && visited.has(x.id)) return false;
      if (!q) return true;
      return `${x.address || ''} ${x.head_name || ''}`.toLowerCase().includes(q);
    });
    const groups = new Map();
    for (const x of shown) {
      if (!groups.has(x.area_id)) groups.set(x.area_id, []);
      groups.get(x.area_id).push(x);
    }
    clear(results);
    counter.textContent = t('households.count', { shown: shown.length, total: households.length });
    if (!households.length) { results.append(empty(t('households.none'))); return; }
    if (!shown.length) { results.append(empty(t('households.noMatch'))); return; }
    let rows = 0;
    const sorted = Array.from(groups.entries()).sort(([a], [b]) => String(areas.get(a)?.name || a).localeCompare(String(areas.get(b)?.name || b)));
    for (const [areaId, items] of sorted) {
      if (rows >= MAX_ROWS) break;
      items.sort((a, b) => String(a.address || '').localeCompare(String(b.address || ''), undefined, { numeric: true }));
      const done = items.filter((x) => visited.has(x.id)).length;
      const slice = items.slice(0, MAX_ROWS - rows);
      rows += slice.length;
      results.append(h('section', { class: 'grid-group', 'data-area-id': areaId },
        h('h3', {}, areas.get(areaId)?.name || t('households.otherArea'), ' ', h('span', { class: 'muted' }, t('home.progress', { done, total: items.length }))),
        h('ul', { class: 'hh-list' }, slice.map((x) => item(x, visited.has(x.id))))));
    }
    if (rows < shown.length) results.append(h('p', { class: 'muted' }, t('households.narrow', { count: shown.length - rows })));
  }

  const save = () => sessionStorage.setItem(STATE_KEY, JSON.stringify(state));
  const redraw = debounce(() => draw(), 150);
  const search = h('input', { type: 'search', name: 'q', value: state.q, autocomplete: 'off', oninput: (e) => { state.q = e.target.value; save(); redraw(); } });
  const filter = h('input', { type: 'checkbox', name: 'not_visited', checked: state.notVisited, onchange: (e) => { state.notVisited = e.target.checked; save(); draw(); } });
  const el = page(t('households.title'), null,
    h('div', { class: 'toolbar' },
      field(t('households.search'), search),
      h('label', { class: 'check' }, filter, t('households.onlyNotVisited')),
      h('a', { class: 'btn', href: '#/households/new' }, t('households.add'))),
    counter,
    results);
  await draw();
  return { el, refresh: draw, title: t('households.title') };
}
