// A dispute: every field, risk as its colour, parties, photos, a timeline of
// visits, follow-ups and changes, and the way to edit or add photos.
import { h } from '../dom.js';
import { t, fmtDateTime } from '../i18n.js';
import { one, list } from '../store.js';
import { entries, enqueueMany } from '../outbox.js';
import { afterSave } from '../sync.js';
import { session } from '../session.js';
import { nowRfc3339 } from '../util.js';
import { PHOTO_KINDS } from '../codes.js';
import { page, dl, empty, riskChip, statusChip, pendingMark, householdLabel, isOverdue, dateText, photoThumb } from './common.js';
import { photoPicker } from './photo-picker.js';
import { cachedPeople, nameOf } from '../people.js';
import { getJSON } from '../api.js';

const fieldNames = (names) => names.map((k) => t(`dispute.${k}`)).join(', ');

// `changes`, when the server could be asked, is the case's history: who changed which fields.
function timeline(d, visits, followups, box, changes = null) {
  const events = [];
  if (d.created_at) events.push([d.created_at, t('timeline.created')]);
  for (const v of visits) events.push([v.visited_at, t('timeline.visit', { outcome: t(`outcome.${v.outcome}`) })]);
  for (const f of followups) {
    if (f.done_at) events.push([f.done_at, t('timeline.followupDone', { kept: f.agreement_kept === true ? t('followup.kept') : f.agreement_kept === false ? t('followup.broken') : t('followup.unknown') })]);
    else events.push([f.due_on, t('timeline.followupDue')]);
  }
  if (changes) {
    for (const c of changes) {
      if (c.op !== 'update') continue;
      const who = [c.user_name, c.device_name].filter(Boolean).join(' · ');
      if (c.fields.length) events.push([c.at || c.received_at, t('timeline.change', { fields: fieldNames(c.fields), who })]);
      if (c.conflicts.length) events.push([c.at || c.received_at, t('timeline.clash', { fields: fieldNames(c.conflicts), who })]);
    }
  } else if (d.updated_at && d.version > 1) events.push([d.updated_at, t('timeline.updated', { version: d.version })]);
  for (const e of box) events.push([e.at, t(e.state === 'rejected' ? 'timeline.rejected' : 'timeline.pending', { fields: fieldNames(Object.keys(e.fields)) })]);
  events.sort((a, b) => String(b[0]).localeCompare(String(a[0])));
  return h('ol', { class: 'timeline' }, events.map(([when, what]) => h('li', {}, h('span', { class: 'muted' }, fmtDateTime(when)), ' ', what)));
}

function addPhotos(d, done) {
  const box = h('div', { class: 'card' });
  const picker = photoPicker({ photos: [], kinds: PHOTO_KINDS, onChange: () => {} });
  const save = h('button', { type: 'button', class: 'btn', onclick: async () => {
    await picker.ready();
    if (!picker.photos.length) return;
    const items = picker.photos.map((p) => ['photos', p.id, 'create', { record: { collection: 'disputes', id: d.id }, caption: '', taken_at: nowRfc3339(new Date(p.taken_at)), kind: p.kind || 'site' }]);
    const uploads = picker.photos.map((p) => ({ id: p.id, size: p.size, type: 'image/jpeg', url: null, offset: 0, state: 'pending' }));
    await enqueueMany(items, uploads);
    afterSave();
    done();
  } }, t('photo.save'));
  box.append(picker.el, save);
  return { el: box, picker };
}

export async function render({ id }, ctx = {}) {
  const [d, households, visits, followups, photos, box, people] = await Promise.all([
    one('disputes', id), list('households'), list('visits'), list('followups'), list('photos'), entries(), cachedPeople()]);
  if (!d) return { el: page(t('dispute.unknown'), '#/', empty(t('dispute.notFound'))) };
  const hhs = households.filter((x) => (d.household_ids || []).includes(x.id));
  const back = hhs[0] ? `#/h/${encodeURIComponent(hhs[0].id)}` : '#/';
  const myVisits = visits.filter((v) => (v.dispute_ids || []).includes(id));
  const myFollowups = followups.filter((f) => f.dispute_id === id);
  const myPhotos = photos.filter((p) => p.record && p.record.collection === 'disputes' && p.record.id === id);
  const pending = box.filter((e) => e.collection === 'disputes' && e.record_id === id);
  const adder = addPhotos(d, () => ctx.rerender && ctx.rerender());
  const history = h('div', { 'data-timeline': '' }, timeline(d, myVisits, myFollowups, pending));
  const el = page(d.title || t(`category.${d.category || 'other'}`), back,
    h('div', { class: `risk-bar risk-${d.risk || 'none'}` }, riskChip(d.risk), statusChip(d.status), pendingMark(d)),
    d.conflicts ? h('p', { class: 'notice' }, t('dispute.hasConflicts', { count: d.conflicts }), ' ', h('a', { href: '#/sync' }, t('nav.sync'))) : null,
    dl([
      [t('dispute.category'), d.category ? t(`category.${d.category}`) : ''],
      [t('dispute.handling'), d.handling ? t(`handling.${d.handling}`) : t('common.none')],
      [t('dispute.office'), d.office],
      [t('dispute.assignee'), !d.assignee_id ? t('common.none') : d.assignee_id === session.user?.id ? t('dispute.assigneeMe') : nameOf(people, d.assignee_id) || t('dispute.assigneeOther')],
      [t('dispute.deadline'), h('span', { class: isOverdue(d.deadline) && ['reported', 'assigned', 'in_mediation'].includes(d.status) ? 'overdue' : '' }, dateText(d.deadline))],
      [t('dispute.followup_class'), d.followup_class ? t(`followup.class${d.followup_class}`) : t('common.none')],
      [t('dispute.location'), d.location],
      d.lat != null ? [t('geo.position'), `${d.lat}, ${d.lon}`] : null,
      [t('dispute.households'), hhs.map(householdLabel).join('; ')],
    ]),
    h('h3', {}, t('dispute.description')), h('p', { class: 'notes' }, d.description || t('common.none')),
    d.outcome ? [h('h3', {}, t('dispute.outcome')), h('p', { class: 'notes' }, d.outcome)] : null,
    h('h3', {}, t('dispute.parties')),
    (d.parties || []).length ? h('ul', { class: 'cards' }, d.parties.map((p) => h('li', { class: 'card' },
      h('strong', {}, p.name || ''), ' ', h('span', { class: 'muted' }, p.role || ''), p.phone ? h('p', {}, h('a', { href: `tel:${p.phone}` }, p.phone)) : null))) : empty(t('dispute.noParties')),
    h('div', { class: 'actions' },
      h('a', { class: 'btn btn-primary', href: `#/d/${encodeURIComponent(id)}/edit`, 'data-action': 'edit-dispute' }, t('dispute.edit')),
      h('a', { class: 'btn', href: `#/f/new?dispute=${encodeURIComponent(id)}` }, t('followup.add'))),
    h('h3', {}, t('dispute.photos')),
    myPhotos.length ? h('ul', { class: 'thumbs' }, myPhotos.map((p) => h('li', {}, photoThumb(p.id), h('span', { class: 'muted' }, t(`kind.${p.kind || 'other'}`))))) : empty(t('dispute.noPhotos')),
    adder.el,
    h('h3', {}, t('dispute.timeline')),
    history);
  // Online, the server's history says who changed what; offline the phone's own view stays.
  getJSON(`/api/records/disputes/${encodeURIComponent(id)}/history`)
    .then((r) => history.replaceChildren(timeline(d, myVisits, myFollowups, pending, r.history)))
    .catch(() => {});
  // Redraw on new data, but not under photos being added.
  return { el, get live() { return adder.picker.photos.length === 0; }, title: d.title };
}
