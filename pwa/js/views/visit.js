// The visit form: outcome, notes, concerns, disputes found (link or create),
// photos and position. Saving never waits for the network or the GPS.
import { h, clear, field, select, readForm, fillForm } from '../dom.js';
import { t } from '../i18n.js';
import { one, list } from '../store.js';
import { enqueueMany } from '../outbox.js';
import { afterSave } from '../sync.js';
import { getPosition, parseCoord } from '../geo.js';
import { useDraft } from '../drafts.js';
import { uuid, nowRfc3339 } from '../util.js';
import { OUTCOMES, CATEGORIES, RISKS, STATUSES } from '../codes.js';
import { page, empty, errorBox, householdLabel } from './common.js';
import { photoPicker } from './photo-picker.js';

function disputeFieldset(i, onRemove) {
  const p = `nd${i}_`;
  return h('fieldset', { class: 'new-dispute', 'data-new-dispute': String(i) },
    h('legend', {}, t('visit.newDispute')),
    field(t('dispute.title'), h('input', { name: `${p}title`, required: true, autocomplete: 'off' })),
    field(t('dispute.category'), select(`${p}category`, CATEGORIES.map((c) => [c, t(`category.${c}`)]), 'neighbour')),
    field(t('dispute.risk'), select(`${p}risk`, RISKS.map((r) => [r, t(`risk.${r}`)]), 'blue')),
    field(t('dispute.status'), select(`${p}status`, STATUSES.map((s) => [s, t(`status.${s}`)]), 'reported'), t('visit.resolvedHint')),
    field(t('dispute.description'), h('textarea', { name: `${p}description`, rows: 3 })),
    h('button', { type: 'button', class: 'btn btn-small', onclick: onRemove }, t('visit.removeDispute')));
}

export async function render({ id }) {
  const [hh, disputes] = await Promise.all([one('households', id), list('disputes')]);
  if (!hh) return { el: page(t('household.unknown'), '#/households', empty(t('household.notFound'))) };
  const draft = useDraft(`visit:${id}`);
  const saved = (await draft.load()) || {};
  const state = { disputes: saved.disputes || [], photos: saved.photos || [], position: saved.position || null, seq: saved.seq || 0 };
  const cases = disputes.filter((d) => (d.household_ids || []).includes(id));
  const errors = h('div');
  const geoNote = h('p', { class: 'muted', role: 'status' });
  const newBox = h('div');
  let form;

  const persist = () => draft.save({ fields: readForm(form), disputes: state.disputes, photos: picker.photos, position: state.position, seq: state.seq });
  const picker = photoPicker({ photos: state.photos, onChange: () => persist() });

  function drawNew() {
    clear(newBox);
    for (const i of state.disputes) {
      newBox.append(disputeFieldset(i, () => { state.disputes = state.disputes.filter((x) => x !== i); drawNew(); persist(); }));
    }
  }

  form = h('form', { 'data-form': 'visit', novalidate: true },
    field(t('visit.outcome'), select('outcome', OUTCOMES.map((o) => [o, t(`outcome.${o}`)]), 'met', { required: true })),
    field(t('visit.notes'), h('textarea', { name: 'notes', rows: 4 })),
    field(t('visit.concerns'), h('textarea', { name: 'concerns', rows: 2 })),
    h('fieldset', {}, h('legend', {}, t('visit.disputes')),
      cases.length ? cases.map((d) => h('label', { class: 'check' },
        h('input', { type: 'checkbox', name: 'link', value: d.id, 'data-group': '1' }),
        d.title || t(`category.${d.category || 'other'}`))) : h('p', { class: 'muted' }, t('visit.noDisputes')),
      newBox,
      h('button', { type: 'button', class: 'btn', 'data-action': 'add-dispute', onclick: () => { state.disputes.push(++state.seq); drawNew(); persist(); } }, t('visit.addDispute'))),
    picker.el,
    h('fieldset', {}, h('legend', {}, t('geo.position')), geoNote,
      h('details', {}, h('summary', {}, t('geo.manual')),
        h('div', { class: 'two' }, field(t('geo.lat'), h('input', { name: 'lat', inputmode: 'decimal' })), field(t('geo.lon'), h('input', { name: 'lon', inputmode: 'decimal' }))))),
    errors,
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('visit.save')));
  drawNew();
  fillForm(form, saved.fields);
  form.addEventListener('input', persist);
  form.addEventListener('change', persist);

  const showPos = () => {
    const p = state.position;
    geoNote.textContent = p && !p.error ? t('geo.got', { accuracy: p.accuracy_m }) : p ? t(`geo.${p.error}`) : t('geo.locating');
  };
  showPos();
  if (!state.position || state.position.error) {
    getPosition().then((p) => { state.position = p; showPos(); persist(); });
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(errors);
    const data = readForm(form);
    for (const i of state.disputes) {
      if (!String(data[`nd${i}_title`] || '').trim()) { errors.append(errorBox(t('visit.needDisputeTitle'))); return; }
    }
    await picker.ready();
    const visitId = uuid();
    const items = [];
    const newIds = [];
    for (const i of state.disputes) {
      const did = uuid();
      newIds.push(did);
      const g = (k) => data[`nd${i}_${k}`];
      items.push(['disputes', did, 'create', {
        area_id: hh.area_id, household_ids: [id], title: g('title').trim(), description: g('description') || '',
        category: g('category'), risk: g('risk'), status: g('status'), parties: [],
      }]);
    }
    const pos = {};
    const la = parseCoord(data.lat, -90, 90);
    const lo = parseCoord(data.lon, -180, 180);
    if (la !== null && lo !== null) Object.assign(pos, { lat: la, lon: lo });
    else if (state.position && !state.position.error) Object.assign(pos, state.position);
    const visit = { household_id: id, visited_at: nowRfc3339(), outcome: data.outcome, notes: data.notes || '', ...pos };
    // Empty extras are left out: the server's defaults are the same, and every byte counts on 2G.
    if (data.concerns) visit.concerns = data.concerns;
    const found = [...(data.link || []), ...newIds];
    if (found.length) visit.dispute_ids = found;
    items.push(['visits', visitId, 'create', visit]);
    const uploads = [];
    for (const p of picker.photos) {
      items.push(['photos', p.id, 'create', { record: { collection: 'visits', id: visitId }, caption: '', taken_at: nowRfc3339(new Date(p.taken_at)), kind: p.kind || 'site', ...pos }]);
      uploads.push({ id: p.id, size: p.size, type: 'image/jpeg', url: null, offset: 0, state: 'pending' });
    }
    await enqueueMany(items, uploads);
    await draft.clear();
    afterSave();
    location.hash = `#/h/${encodeURIComponent(id)}`;
  });

  const el = page(t('visit.title'), `#/h/${encodeURIComponent(id)}`, h('p', { class: 'muted' }, householdLabel(hh)), form);
  return { el, destroy: () => draft.release(), title: t('visit.title') };
}
