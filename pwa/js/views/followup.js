// Record a follow-up visit (was the agreement kept?) or schedule one.
import { h, field, select, readForm, fillForm } from '../dom.js';
import { t } from '../i18n.js';
import { one, serverCopy } from '../store.js';
import { enqueue } from '../outbox.js';
import { afterSave } from '../sync.js';
import { useDraft } from '../drafts.js';
import { uuid, nowRfc3339, today } from '../util.js';
import { FOLLOWUP_DAYS } from '../codes.js';
import { page, empty, errorBox, dateText } from './common.js';

const KEPT = [['', 'followup.unknown'], ['true', 'followup.kept'], ['false', 'followup.broken']];
const keptValue = (v) => (v === 'true' ? true : v === 'false' ? false : null);

export async function render({ id, dispute }) {
  const creating = id === 'new';
  const f = creating ? null : await one('followups', id);
  if (!creating && !f) return { el: page(t('followup.title'), '#/followups', empty(t('followup.notFound'))) };
  const disputeId = creating ? dispute : f.dispute_id;
  const d = disputeId ? await one('disputes', disputeId) : null;
  const draft = useDraft(`followup:${id}:${disputeId || ''}`);
  const errors = h('div');
  const form = h('form', { 'data-form': 'followup', novalidate: true },
    d ? h('p', {}, h('a', { href: `#/d/${encodeURIComponent(d.id)}` }, d.title || t(`category.${d.category || 'other'}`))) : null,
    creating ? field(t('followup.due'), h('input', { name: 'due_on', type: 'date', value: today(FOLLOWUP_DAYS[d?.followup_class] || 30) }))
      : h('p', {}, t('followup.dueOn', { date: dateText(f.due_on) })),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'done', checked: !creating && !!f.done_at }), t('followup.doneNow')),
    field(t('followup.agreement'), select('agreement_kept', KEPT.map(([v, k]) => [v, t(k)]), f ? String(f.agreement_kept ?? '') : '')),
    field(t('followup.notes'), h('textarea', { name: 'notes', rows: 4, value: f?.notes || '' })),
    errors,
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.save')));
  fillForm(form, await draft.load());
  form.addEventListener('input', () => draft.save(readForm(form)));
  form.addEventListener('change', () => draft.save(readForm(form)));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const data = readForm(form);
    if (creating) {
      if (!disputeId) { errors.append(errorBox(t('dispute.notFound'))); return; }
      const fields = { dispute_id: disputeId, due_on: data.due_on || today(), notes: data.notes || '', agreement_kept: keptValue(data.agreement_kept) };
      if (data.done) fields.done_at = nowRfc3339();
      await enqueue('followups', uuid(), 'create', fields);
    } else {
      const changed = {};
      if (data.done && !f.done_at) changed.done_at = nowRfc3339();
      if (!data.done && f.done_at) changed.done_at = null;
      const kept = keptValue(data.agreement_kept);
      if (kept !== (f.agreement_kept ?? null)) changed.agreement_kept = kept;
      if ((data.notes || '') !== (f.notes || '')) changed.notes = data.notes || '';
      if (Object.keys(changed).length) {
        const base = await serverCopy('followups', id);
        await enqueue('followups', id, 'update', changed, base ? base.version : 1);
      }
    }
    await draft.clear();
    afterSave();
    location.hash = d ? `#/d/${encodeURIComponent(d.id)}` : '#/followups';
  });
  return { el: page(t(creating ? 'followup.add' : 'followup.title'), '#/followups', form), destroy: () => draft.release(), title: t('followup.title') };
}
