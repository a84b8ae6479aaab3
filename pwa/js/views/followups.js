// Follow-up visits due: overdue first, then by date.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { list } from '../store.js';
import { today } from '../util.js';
import { page, empty, pendingMark, dateText } from './common.js';

export async function render() {
  const [followups, disputes] = await Promise.all([list('followups'), list('disputes')]);
  const byId = new Map(disputes.map((d) => [d.id, d]));
  const now = today();
  const open = followups.filter((f) => !f.done_at).sort((a, b) => String(a.due_on).localeCompare(String(b.due_on)));
  const done = followups.filter((f) => f.done_at).sort((a, b) => String(b.done_at).localeCompare(String(a.done_at))).slice(0, 20);
  const row = (f) => {
    const d = byId.get(f.dispute_id);
    const overdue = !f.done_at && f.due_on && f.due_on < now;
    return h('li', {}, h('a', { class: `card link-card${overdue ? ' overdue-card' : ''}`, href: `#/f/${encodeURIComponent(f.id)}`, 'data-followup-id': f.id },
      h('div', { class: 'row' }, h('strong', {}, d ? (d.title || t(`category.${d.category || 'other'}`)) : t('dispute.unknown')), pendingMark(f)),
      h('p', { class: overdue ? 'overdue' : 'muted' }, f.done_at ? t('followup.doneOn', { date: dateText(f.done_at) }) : t(overdue ? 'followup.overdue' : 'followup.dueOn', { date: dateText(f.due_on) }))));
  };
  const el = page(t('followups.title'), null,
    open.length ? h('ul', { class: 'cards' }, open.map(row)) : empty(t('followups.none')),
    done.length ? [h('h3', {}, t('followups.recent')), h('ul', { class: 'cards' }, done.map(row))] : null);
  return { el, live: true, title: t('followups.title') };
}
