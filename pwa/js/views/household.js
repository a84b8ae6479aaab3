// One household: its facts, visits and disputes, and the way to a new visit.
import { h } from '../dom.js';
import { t, fmtDateTime } from '../i18n.js';
import { one, list, me, areaMap } from '../store.js';
import { page, dl, empty, riskChip, statusChip, pendingMark, householdLabel } from './common.js';

export async function render({ id }) {
  const [hh, visits, disputes, info] = await Promise.all([one('households', id), list('visits'), list('disputes'), me()]);
  if (!hh) return { el: page(t('household.unknown'), '#/households', empty(t('household.notFound'))) };
  const areas = areaMap(info.areas);
  const mine = visits.filter((v) => v.household_id === id).sort((a, b) => String(b.visited_at).localeCompare(String(a.visited_at)));
  const cases = disputes.filter((d) => (d.household_ids || []).includes(id));
  const el = page(householdLabel(hh), '#/households',
    dl([
      [t('household.address'), hh.address],
      [t('household.head'), hh.head_name],
      [t('household.grid'), areas.get(hh.area_id)?.name || ''],
      hh.lat != null ? [t('geo.position'), `${hh.lat}, ${hh.lon}`] : null,
    ]),
    pendingMark(hh),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'btn btn-primary', 'data-action': 'new-visit', onclick: () => { location.hash = `#/h/${encodeURIComponent(id)}/visit`; } }, t('visit.new')),
      h('a', { class: 'btn', href: `#/d/new?household=${encodeURIComponent(id)}` }, t('dispute.new'))),
    h('h3', {}, t('household.visits')),
    mine.length ? h('ul', { class: 'cards' }, mine.map((v) => h('li', { class: 'card', 'data-visit-id': v.id },
      h('div', { class: 'row' }, h('strong', {}, t(`outcome.${v.outcome}`)), h('span', { class: 'muted' }, fmtDateTime(v.visited_at))),
      v.notes ? h('p', { class: 'notes' }, v.notes) : null,
      v.concerns ? h('p', { class: 'notes' }, t('visit.concerns'), ': ', v.concerns) : null,
      pendingMark(v)))) : empty(t('household.noVisits')),
    h('h3', {}, t('household.disputes')),
    cases.length ? h('ul', { class: 'cards' }, cases.map((d) => h('li', {},
      h('a', { class: 'card link-card', href: `#/d/${encodeURIComponent(d.id)}`, 'data-dispute-id': d.id },
        h('div', { class: 'row' }, h('strong', {}, d.title || t(`category.${d.category || 'other'}`)), riskChip(d.risk)),
        h('div', { class: 'row' }, statusChip(d.status), pendingMark(d)))))) : empty(t('household.noDisputes')));
  return { el, live: true, title: householdLabel(hh) };
}
