// Case management: the disputes in my scope (this device's synced copy),
// filtered, selected one or many at a time, and changed with the bulk form.
import { h, clear, field, select } from '../../dom.js';
import { t } from '../../i18n.js';
import { list, me, areaMap, subtree } from '../../store.js';
import { syncNow } from '../../sync.js';
import { cachedPeople, refreshPeople, nameOf } from '../../people.js';
import { CATEGORIES, RISKS, STATUSES, OPEN_STATUSES } from '../../codes.js';
import { riskChip, statusChip, isOverdue, dateText, empty } from '../common.js';
import { consolePage, areaSelect, areaChoices, getConfig } from './common.js';
import { bulkPanel } from './bulk.js';

export const wide = true;
const MAX_ROWS = 500;
const RISK_ORDER = Object.fromEntries(RISKS.map((r, i) => [r, i]));

function matches(d, f, inArea) {
  if (inArea && !inArea.has(d.area_id)) return false;
  if (f.status === 'open' && !OPEN_STATUSES.includes(d.status)) return false;
  if (f.status && f.status !== 'open' && f.status !== 'all' && d.status !== f.status) return false;
  if (f.risk && d.risk !== f.risk) return false;
  if (f.category && d.category !== f.category) return false;
  if (f.overdue && !(OPEN_STATUSES.includes(d.status) && isOverdue(d.deadline))) return false;
  if (f.q) {
    const text = `${d.title || ''} ${d.office || ''} ${d.description || ''}`.toLowerCase();
    if (!text.includes(f.q.toLowerCase())) return false;
  }
  return true;
}

// Most urgent first: overdue, then by risk colour, then by deadline.
function urgency(a, b) {
  const oa = isOverdue(a.deadline) && OPEN_STATUSES.includes(a.status) ? 0 : 1;
  const ob = isOverdue(b.deadline) && OPEN_STATUSES.includes(b.status) ? 0 : 1;
  return oa - ob || (RISK_ORDER[a.risk] ?? 9) - (RISK_ORDER[b.risk] ?? 9)
    || String(a.deadline || '9999').localeCompare(String(b.deadline || '9999'));
}

function row(d, ctx) {
  const box = h('input', { type: 'checkbox', name: 'case', value: d.id, checked: ctx.selected.has(d.id), 'aria-label': t('cases.select', { title: d.title || d.id }) });
  box.addEventListener('change', () => { if (box.checked) ctx.selected.add(d.id); else ctx.selected.delete(d.id); ctx.changed(); });
  const late = OPEN_STATUSES.includes(d.status) && isOverdue(d.deadline);
  return h('li', { class: 'case-row', 'data-dispute-id': d.id },
    h('label', {}, box),
    h('div', { class: 'case-main' },
      h('a', { href: `#/d/${encodeURIComponent(d.id)}` }, d.title || t(`category.${d.category || 'other'}`)),
      h('div', { class: 'case-chips' }, riskChip(d.risk), statusChip(d.status), h('span', { class: 'muted' }, d.category ? t(`category.${d.category}`) : '')),
      h('div', { class: 'case-meta' },
        h('span', {}, ctx.areas.get(d.area_id)?.name || ''),
        h('span', { 'data-field': 'office' }, `${t('dispute.office')}: ${d.office || t('common.none')}`),
        h('span', { 'data-field': 'assignee' }, `${t('dispute.assignee')}: ${nameOf(ctx.people, d.assignee_id) || (d.assignee_id ? t('dispute.assigneeOther') : t('common.none'))}`),
        h('span', { class: late ? 'overdue' : '', 'data-field': 'deadline' }, `${t('dispute.deadline')}: ${dateText(d.deadline)}`))));
}

export async function render(params) {
  const [info, choices, config] = await Promise.all([me(), areaChoices(), getConfig().catch(() => ({ offices: {} }))]);
  // Assignees come from the server when it answers, else from the cache.
  const people = navigator.onLine ? await refreshPeople({ force: true, timeout: 5000 }) : await cachedPeople();
  const areas = areaMap(info.areas);
  const f = { area: params.area || '', status: params.status || 'open', risk: params.risk || '', category: params.category || '', overdue: params.overdue === '1', q: '' };
  const selected = new Set();
  const byId = new Map();
  let shown = [];
  const listBox = h('div');
  const counter = h('p', { class: 'muted', role: 'status', 'data-case-count': '' });
  const offline = h('p', { class: 'notice', role: 'status', 'data-offline': '', hidden: navigator.onLine }, t('cases.offline'));
  const all = h('input', { type: 'checkbox', name: 'select_all' });
  const bulk = bulkPanel({ offices: config.offices, people, byId, selected, onDone: () => syncNow() });

  // On a phone the form sits below the list; this bar leads to it.
  const barText = h('span');
  const bar = h('div', { class: 'selection-bar', hidden: true }, barText,
    h('button', { type: 'button', class: 'btn btn-primary btn-small', onclick: () => { bulk.el.scrollIntoView({ block: 'start' }); bulk.el.querySelector('select')?.focus(); } }, t('cases.toForm')));
  const changed = () => {
    counter.textContent = t('cases.count', { shown: shown.length, selected: selected.size });
    barText.textContent = t('cases.selected', { count: selected.size });
    bar.hidden = selected.size === 0;
    all.checked = shown.length > 0 && shown.every((d) => selected.has(d.id));
    bulk.update();
  };
  all.addEventListener('change', () => {
    for (const d of shown) { if (all.checked) selected.add(d.id); else selected.delete(d.id); }
    for (const box of listBox.querySelectorAll('input[name=case]')) box.checked = selected.has(box.value);
    changed();
  });

  async function draw() {
    const disputes = await list('disputes');
    byId.clear();
    for (const d of disputes) byId.set(d.id, d);
    // A case that left my scope cannot stay selected.
    for (const id of Array.from(selected)) if (!byId.has(id)) selected.delete(id);
    const inArea = f.area ? subtree(info.areas || [], f.area) : null;
    shown = disputes.filter((d) => matches(d, f, inArea)).sort(urgency);
    clear(listBox);
    if (!shown.length) listBox.append(empty(disputes.length ? t('cases.noMatch') : t('cases.none')));
    else {
      const ctx = { selected, areas, people, changed };
      listBox.append(h('ul', { class: 'case-list' }, shown.slice(0, MAX_ROWS).map((d) => row(d, ctx))));
      if (shown.length > MAX_ROWS) listBox.append(h('p', { class: 'muted' }, t('households.narrow', { count: shown.length - MAX_ROWS })));
    }
    changed();
  }

  const set = (key) => (e) => { f[key] = e.target.type === 'checkbox' ? e.target.checked : e.target.value; draw(); };
  const filters = h('div', { class: 'filters case-filters' },
    field(t('console.area'), areaSelect(choices, f.area, 'area'), null),
    field(t('dispute.status'), select('status', [['open', t('cases.open')], ['all', t('cases.all')], ...STATUSES.map((s) => [s, t(`status.${s}`)])], f.status)),
    field(t('dispute.risk'), select('risk', [['', t('cases.any')], ...RISKS.map((r) => [r, t(`risk.${r}`)])], f.risk)),
    field(t('dispute.category'), select('category', [['', t('cases.any')], ...CATEGORIES.map((c) => [c, t(`category.${c}`)])], f.category)),
    field(t('cases.search'), h('input', { type: 'search', name: 'q', autocomplete: 'off' })),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'overdue', checked: f.overdue }), t('cases.onlyOverdue')));
  for (const el of filters.querySelectorAll('select, input')) el.addEventListener(el.type === 'search' ? 'input' : 'change', set(el.name));

  const onNet = () => { offline.hidden = navigator.onLine; };
  window.addEventListener('online', onNet);
  window.addEventListener('offline', onNet);
  await draw();
  const el = consolePage(t('console.tab.cases'), '#/console/cases',
    offline,
    filters,
    h('div', { class: 'case-layout' },
      h('div', {}, h('label', { class: 'check' }, all, t('cases.selectAll')), counter, listBox, bar),
      bulk.el));
  return {
    el,
    refresh: draw,
    destroy: () => { window.removeEventListener('online', onNet); window.removeEventListener('offline', onNet); },
    title: t('console.tab.cases'),
  };
}
