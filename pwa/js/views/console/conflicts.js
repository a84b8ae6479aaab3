// Conflict inbox: open conflicts in my scope with the three values, who, when
// and from which device; resolve by choosing a value or writing a new one.
import { h, clear, field, select } from '../../dom.js';
import { t, fmtDateTime } from '../../i18n.js';
import { getJSON, postJSON, ApiError } from '../../api.js';
import { one } from '../../store.js';
import { session } from '../../session.js';
import { refreshConflicts, syncNow } from '../../sync.js';
import { refreshPeople, cachedPeople, nameOf } from '../../people.js';
import { empty } from '../common.js';
import { STATUSES, RISKS, CATEGORIES, HANDLINGS, OUTCOMES } from '../../codes.js';
import { consolePage, onlineBox, problemText } from './common.js';

export const wide = true;

const show = (v) => (v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));
// Fields holding a code: shown by their label, chosen from a list.
const CODES = { status: STATUSES, risk: RISKS, category: CATEGORIES, handling: HANDLINGS, outcome: OUTCOMES };
const shown = (fieldName, v) => (CODES[fieldName] && CODES[fieldName].includes(v) ? t(`${fieldName}.${v}`) : show(v));

// Typed back like the values in the conflict: text stays text, anything else is JSON.
export function parseValue(raw, c) {
  const sample = [c.server, c.client, c.base].find((v) => v !== null && v !== undefined);
  if (sample === undefined || typeof sample === 'string') return raw === '' ? null : raw;
  if (typeof sample === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw new Error(t('conflicts.badNumber'));
    return n;
  }
  try { return JSON.parse(raw); } catch (_) { throw new Error(t('conflicts.badJson')); }
}

function recordLabel(rec, c) {
  if (!rec) return c.record_id.slice(0, 8);
  return rec.title || rec.address || rec.notes || rec.due_on || c.record_id.slice(0, 8);
}

function valueBox(label, v, which, fieldName) {
  return h('div', { class: 'value', 'data-value': which, 'data-raw': show(v) }, h('strong', {}, label), h('span', { 'data-text': '' }, shown(fieldName, v)));
}

function editor(c) {
  const codes = CODES[c.field];
  if (codes) return select('value', [['', t('common.none')], ...codes.map((x) => [x, t(`${c.field}.${x}`)])], c.server ?? '');
  const text = typeof c.server === 'string' ? c.server : c.server == null ? '' : JSON.stringify(c.server);
  return h(text.length > 60 ? 'textarea' : 'input', { name: 'value', value: text });
}

function item(c, ctx) {
  const status = h('div', { role: 'status' });
  const input = editor(c);
  const li = h('li', { class: 'card item state-conflict', 'data-conflict-id': c.id, 'data-record-id': c.record_id });
  async function resolve(value) {
    clear(status);
    for (const b of li.querySelectorAll('button')) b.disabled = true;
    try {
      await postJSON(`/api/conflicts/${encodeURIComponent(c.id)}/resolve`, { value });
      ctx.resolved(c, value);
    } catch (err) {
      const text = err instanceof ApiError && err.status === 409 ? t('conflicts.already') : problemText(err);
      status.append(h('p', { class: 'error', role: 'alert' }, text));
      for (const b of li.querySelectorAll('button')) b.disabled = false;
      if (err instanceof ApiError && err.status === 409) ctx.reload();
    }
  }
  const edit = h('form', { class: 'fix', 'data-form': 'resolve', novalidate: true },
    field(t('conflicts.edit'), input),
    h('button', { type: 'submit', class: 'btn', 'data-action': 'resolve-edited' }, t('conflicts.useEdited')));
  edit.addEventListener('submit', (e) => {
    e.preventDefault();
    clear(status);
    let value;
    try { value = parseValue(input.value, c); } catch (err) { status.append(h('p', { class: 'error', role: 'alert' }, err.message)); return; }
    resolve(value);
  });
  const href = c.collection === 'disputes' ? `#/d/${encodeURIComponent(c.record_id)}` : c.collection === 'households' ? `#/h/${encodeURIComponent(c.record_id)}` : null;
  const label = recordLabel(ctx.records.get(c.id), c);
  li.append(
    h('div', { class: 'row' },
      h('strong', {}, `${t(`collection.${c.collection}`)} · `, href ? h('a', { href }, label) : label),
      h('span', { class: 'chip warn' }, t(`dispute.${c.field}`) !== `dispute.${c.field}` ? t(`dispute.${c.field}`) : c.field)),
    h('p', { class: 'muted' }, t('conflicts.who', {
      name: nameOf(ctx.people, c.user_id) || (c.user_id || '').slice(0, 8),
      when: fmtDateTime(c.created_at),
      device: ctx.devices.get(c.device_id) || (c.device_id || '').slice(0, 8),
    })),
    h('div', { class: 'values' },
      valueBox(t('conflict.base'), c.base, 'base', c.field),
      valueBox(t('conflicts.server'), c.server, 'server', c.field),
      valueBox(t('conflicts.client'), c.client, 'client', c.field)),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'btn btn-primary', 'data-action': 'keep-server', onclick: () => resolve(c.server) }, t('conflicts.keepServer')),
      h('button', { type: 'button', class: 'btn', 'data-action': 'use-client', onclick: () => resolve(c.client) }, t('conflicts.useClient')),
      show(c.base) !== show(c.server) && show(c.base) !== show(c.client)
        ? h('button', { type: 'button', class: 'btn', 'data-action': 'use-base', onclick: () => resolve(c.base) }, t('conflicts.useBase')) : null),
    edit,
    status);
  return li;
}

async function deviceNames() {
  if (session.user?.role !== 'admin') return new Map();
  try {
    const { devices } = await getJSON('/api/devices');
    return new Map(devices.map((d) => [d.id, `${d.name} (${d.username})`]));
  } catch (_) { return new Map(); }
}

export async function render() {
  const box = h('div');
  const done = h('p', { class: 'muted', role: 'status', 'data-resolved': '' });
  let loader = null;
  const load = async () => {
    const [{ conflicts, has_more: more }, people, devices] = await Promise.all([
      getJSON('/api/conflicts?status=open'), refreshPeople().catch(() => cachedPeople()), deviceNames()]);
    const records = new Map();
    await Promise.all(conflicts.map(async (c) => records.set(c.id, await one(c.collection, c.record_id).catch(() => null))));
    if (!conflicts.length) return empty(t('conflicts.none'));
    const ctx = {
      people, devices, records,
      reload: () => loader.reload(),
      resolved: (c, value) => {
        box.querySelector(`[data-conflict-id="${CSS.escape(c.id)}"]`)?.remove();
        done.textContent = t('conflicts.done', { field: c.field, value: shown(c.field, value) });
        if (!box.querySelector('[data-conflict-id]')) {
          // The server sends the oldest 2,000; when there were more, the next ones come with a reload.
          if (more) { loader.reload(); } else { clear(box); box.append(empty(t('conflicts.none'))); }
        }
        refreshConflicts().catch(() => {});
        syncNow();
      },
    };
    const count = t(more ? 'conflicts.countMore' : 'conflicts.count', { count: conflicts.length });
    return [h('p', { class: 'muted' }, count),
      h('ul', { class: 'cards' }, conflicts.map((c) => item(c, ctx)))];
  };
  loader = onlineBox(box, load);
  const el = consolePage(t('console.tab.conflicts'), '#/console/conflicts', done, box);
  return { el, destroy: () => loader.stop(), title: t('console.tab.conflicts') };
}
