// Sync: progress of the current run (counts and bytes), every item still on
// this phone with its state, rejected ones with the server's message and a
// way to fix and resend, and open conflicts with both values.
import { h, clear, field, append } from '../dom.js';
import { t, fmtBytes, fmtDateTime } from '../i18n.js';
import { entries, uploads, resend, discard, discardUpload } from '../outbox.js';
import { status, syncEvents, syncNow, refreshConflicts } from '../sync.js';
import { getMeta } from '../db.js';
import { postJSON } from '../api.js';
import { session } from '../session.js';
import { page, empty, errorBox } from './common.js';

const show = (v) => (v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

function label(e) {
  const f = e.fields || {};
  const what = f.title || f.address || (f.outcome ? t(`outcome.${f.outcome}`) : '') || f.notes || e.record_id.slice(0, 8);
  return `${t(`collection.${e.collection}`)} · ${t(`op.${e.op}`)} · ${String(what).slice(0, 60)}`;
}

function fixForm(e) {
  const inputs = {};
  const msg = (e.error && e.error.message) || '';
  const rows = Object.entries(e.fields).map(([k, v]) => {
    const input = h(typeof v === 'string' && v.length > 60 ? 'textarea' : 'input', { name: k, value: typeof v === 'string' ? v : JSON.stringify(v) });
    inputs[k] = input;
    if (msg.includes(k)) input.setAttribute('aria-invalid', 'true');
    return field(k, input);
  });
  const form = h('form', { class: 'fix', 'data-form': 'fix', novalidate: true }, rows,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'btn btn-primary', 'data-action': 'resend' }, t('sync.resend')),
      h('button', { type: 'button', class: 'btn btn-danger', 'data-action': 'discard', onclick: async () => { await discard(e.seq); } }, t('sync.discard'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const fields = {};
    for (const [k, old] of Object.entries(e.fields)) {
      const raw = inputs[k].value;
      if (typeof old === 'string') fields[k] = raw;
      else { try { fields[k] = JSON.parse(raw); } catch (_) { fields[k] = raw; } }
    }
    await resend(e.seq, fields);
    syncNow();
  });
  return form;
}

function entryItem(e) {
  const state = status.sending.has(e.seq) ? 'sending' : e.state;
  return h('li', { class: `card item state-${state}`, 'data-mutation-id': e.id, 'data-state': state },
    h('div', { class: 'row' }, h('span', {}, label(e)), h('span', { class: 'chip' }, t(`outbox.state.${state}`))),
    h('p', { class: 'muted' }, fmtDateTime(e.at)),
    e.state === 'rejected' ? [h('p', { class: 'error', role: 'alert', 'data-error': '' }, (e.error && e.error.message) || t('sync.rejectedNoMessage')), fixForm(e)] : null);
}

function uploadItem(u) {
  const up = status.uploading.get(u.id);
  const state = u.state === 'failed' ? 'failed' : up ? 'uploading' : 'photo';
  return h('li', { class: `card item state-${state}`, 'data-upload-id': u.id, 'data-state': state },
    h('div', { class: 'row' },
      h('span', {}, t('collection.photos'), ' ', fmtBytes(u.size)),
      h('span', { class: 'chip' }, up ? t('outbox.state.uploading', { n: up.index, m: up.total }) : t(`outbox.state.${state}`))),
    up ? h('progress', { max: String(up.size || 1), value: String(up.sent) }) : null,
    u.state === 'failed' ? [h('p', { class: 'error', role: 'alert' }, (u.error && u.error.message) || ''),
      h('button', { type: 'button', class: 'btn btn-danger', onclick: () => discardUpload(u.id) }, t('sync.discard'))] : null);
}

function conflictItem(c, canResolve, after) {
  const item = h('li', { class: 'card item state-conflict', 'data-conflict-id': c.id, 'data-record-id': c.record_id },
    h('div', { class: 'row' }, h('strong', {}, `${t(`collection.${c.collection}`)} · ${c.field}`), h('span', { class: 'chip warn' }, t('outbox.state.conflict'))),
    h('dl', { class: 'facts' },
      h('dt', {}, t('conflict.server')), h('dd', { 'data-value': 'server' }, show(c.server)),
      h('dt', {}, t('conflict.client')), h('dd', { 'data-value': 'client' }, show(c.client)),
      h('dt', {}, t('conflict.base')), h('dd', { 'data-value': 'base' }, show(c.base))),
    h('p', { class: 'muted' }, fmtDateTime(c.created_at)));
  if (canResolve) {
    const pick = (value) => async () => {
      try { await postJSON(`/api/conflicts/${encodeURIComponent(c.id)}/resolve`, { value }); await after(); } catch (err) { item.append(errorBox(err.message)); }
    };
    item.append(h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'btn', onclick: pick(c.server) }, t('conflict.keepServer')),
      h('button', { type: 'button', class: 'btn', onclick: pick(c.client) }, t('conflict.useClient'))));
  } else item.append(h('p', { class: 'muted' }, t('conflict.waiting')));
  return item;
}

export async function render() {
  const progressBox = h('div', { class: 'card' });
  const listBox = h('div');
  const conflictBox = h('div');
  const canResolve = ['supervisor', 'admin'].includes(session.user?.role);

  function drawProgress() {
    const p = status.progress;
    clear(progressBox);
    append(progressBox, [
      h('h3', {}, t(`sync.phase.${status.phase}`)),
      h('p', {}, t('sync.mutations', { done: p.pushDone, total: p.pushTotal })),
      h('progress', { max: String(p.pushTotal || 1), value: String(p.pushDone) }),
      h('p', {}, t('sync.photos', { done: p.photoDone, total: p.photoTotal })),
      h('p', {}, t('sync.bytes', { sent: fmtBytes(p.bytesSent), total: fmtBytes(p.bytesTotal) })),
      h('progress', { max: String(p.bytesTotal || 1), value: String(p.bytesSent) }),
      status.phase === 'error' ? errorBox(status.error || '') : null,
      status.nextRetryAt && status.phase === 'waiting' ? h('p', { class: 'muted' }, t('sync.nextTry', { time: fmtDateTime(new Date(status.nextRetryAt)) })) : null,
      h('p', { class: 'muted' }, status.lastSync ? t('sync.last', { time: fmtDateTime(status.lastSync) }) : t('sync.never'))]);
  }

  async function drawLists(first = false) {
    const [box, ups, conflicts] = await Promise.all([entries(), uploads(), getMeta('conflicts')]);
    // Typing may have started while the lists were being read: keep the fix.
    if (!first && (fixing || listBox.contains(document.activeElement))) return;
    clear(listBox);
    clear(conflictBox);
    listBox.append(h('h3', {}, t('sync.pending', { count: box.length + ups.length })));
    if (!box.length && !ups.length) listBox.append(empty(t('sync.nothing')));
    else listBox.append(h('ul', { class: 'cards' }, box.map(entryItem), ups.map(uploadItem)));
    const open = conflicts || [];
    conflictBox.append(h('h3', {}, t('sync.conflicts', { count: open.length })));
    if (open.length) conflictBox.append(h('ul', { class: 'cards' }, open.map((c) => conflictItem(c, canResolve, async () => { await refreshConflicts(); drawLists(); }))));
    else conflictBox.append(empty(t('sync.noConflicts')));
  }

  // Redraw the list only when nobody is typing a fix into it.
  let fixing = false;
  listBox.addEventListener('input', () => { fixing = true; });
  listBox.addEventListener('submit', () => { fixing = false; }, true);
  listBox.addEventListener('click', (e) => { if (e.target.closest('[data-action=discard]')) fixing = false; }, true);
  const onStatus = () => drawProgress();
  const onData = () => { if (!fixing && !listBox.contains(document.activeElement)) drawLists(); };
  syncEvents.addEventListener('status', onStatus);
  syncEvents.addEventListener('outbox', onData);
  syncEvents.addEventListener('data', onData);
  drawProgress();
  await drawLists(true);
  refreshConflicts().then(() => onData()).catch(() => {});
  status.keepAwake = true;
  const el = page(t('sync.title'), null,
    progressBox,
    h('button', { type: 'button', class: 'btn btn-primary', onclick: () => syncNow() }, t('sync.start')),
    listBox, conflictBox);
  return {
    el,
    refresh: () => {},
    destroy: () => {
      status.keepAwake = false;
      syncEvents.removeEventListener('status', onStatus);
      syncEvents.removeEventListener('outbox', onData);
      syncEvents.removeEventListener('data', onData);
    },
    title: t('sync.title'),
  };
}
