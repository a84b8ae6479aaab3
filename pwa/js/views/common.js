// Pieces shared by several screens.
import { h } from '../dom.js';
import { t, fmtDate } from '../i18n.js';
import { getBlob } from '../db.js';
import { photoURL } from '../photos.js';

export function page(title, backHash, ...children) {
  return h('section', { class: 'page' },
    h('div', { class: 'page-head' },
      backHash ? h('a', { class: 'back', href: backHash, 'aria-label': t('common.back') }, '‹') : null,
      h('h2', {}, title)),
    ...children);
}

export function riskChip(risk) {
  if (!risk) return h('span', { class: 'chip' }, t('common.none'));
  return h('span', { class: `chip risk risk-${risk}`, 'data-risk': risk }, t(`risk.${risk}`));
}

export function statusChip(status) {
  return h('span', { class: `chip status status-${status || 'none'}` }, status ? t(`status.${status}`) : t('common.none'));
}

export function pendingMark(rec) {
  if (rec._rejected) return h('span', { class: 'chip warn' }, t('outbox.state.rejected'));
  if (rec._pending) return h('span', { class: 'chip pending' }, t('outbox.state.pending'));
  if (rec.conflicts) return h('span', { class: 'chip warn' }, t('outbox.state.conflict'));
  return null;
}

export function dl(rows) {
  return h('dl', { class: 'facts' }, rows.filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v ?? '')]));
}

export function householdLabel(hh) {
  if (!hh) return t('household.unknown');
  return [hh.address, hh.head_name].filter(Boolean).join(' · ') || t('household.unknown');
}

export function isOverdue(date) {
  return !!date && String(date).slice(0, 10) < new Date().toISOString().slice(0, 10);
}

export function dateText(date) {
  return date ? fmtDate(date) : t('common.none');
}

// A thumbnail from the local blob when we have it, else from the server.
export function photoThumb(id, alt) {
  const img = h('img', { class: 'thumb', alt: alt || t('photo.alt'), width: 96, height: 96 });
  (async () => {
    const blob = await getBlob(id);
    if (blob) img.src = URL.createObjectURL(blob);
    else img.src = await photoURL(id, 'thumb');
  })().catch(() => { img.classList.add('missing'); });
  return img;
}

export function empty(text) {
  return h('p', { class: 'empty' }, text);
}

export function errorBox(message) {
  return h('p', { class: 'error', role: 'alert' }, message);
}
