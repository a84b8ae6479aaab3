// Create or edit a dispute. An edit becomes one update mutation carrying only
// the fields the user changed, with the version last seen from the server.
import { h, clear, field, select, readForm, fillForm } from '../dom.js';
import { t } from '../i18n.js';
import { one, serverCopy, me } from '../store.js';
import { enqueue } from '../outbox.js';
import { afterSave } from '../sync.js';
import { session } from '../session.js';
import { useDraft } from '../drafts.js';
import { uuid } from '../util.js';
import { CATEGORIES, RISKS, STATUSES, HANDLINGS, FOLLOWUP_CLASSES } from '../codes.js';
import { page, empty, errorBox } from './common.js';
import { parseCoord } from '../geo.js';
import { cachedPeople, refreshPeople, choosable } from '../people.js';

const TEXT = ['title', 'description', 'office', 'outcome', 'location'];

function partyRow(i, onRemove) {
  return h('fieldset', { class: 'party', 'data-party': String(i) },
    h('legend', {}, t('dispute.party')),
    field(t('party.name'), h('input', { name: `p${i}_name`, autocomplete: 'off' })),
    field(t('party.role'), h('input', { name: `p${i}_role`, autocomplete: 'off' })),
    field(t('party.phone'), h('input', { name: `p${i}_phone`, type: 'tel', autocomplete: 'off' })),
    h('button', { type: 'button', class: 'btn btn-small', onclick: onRemove }, t('dispute.removeParty')));
}

function toForm(d) {
  const out = {};
  for (const k of [...TEXT, 'category', 'risk', 'status', 'handling', 'assignee_id', 'deadline']) out[k] = d[k] ?? '';
  out.followup_class = d.followup_class ? String(d.followup_class) : '';
  out.lat = d.lat ?? '';
  out.lon = d.lon ?? '';
  (d.parties || []).forEach((p, i) => { out[`p${i}_name`] = p.name || ''; out[`p${i}_role`] = p.role || ''; out[`p${i}_phone`] = p.phone || ''; });
  return out;
}

function fromForm(data, partyIds) {
  const out = {};
  for (const k of TEXT) out[k] = (data[k] || '').trim();
  out.category = data.category;
  out.risk = data.risk;
  out.status = data.status;
  out.handling = data.handling || null;
  out.assignee_id = data.assignee_id || null;
  out.deadline = data.deadline || null;
  out.followup_class = data.followup_class ? Number(data.followup_class) : null;
  out.lat = parseCoord(data.lat, -90, 90);
  out.lon = parseCoord(data.lon, -180, 180);
  out.parties = partyIds.map((i) => ({ name: (data[`p${i}_name`] || '').trim(), role: (data[`p${i}_role`] || '').trim(), phone: (data[`p${i}_phone`] || '').trim() }))
    .filter((p) => p.name || p.role || p.phone);
  return out;
}

// Me first, then the people in my scope (cached for offline use); a current
// assignee the list does not know stays selectable.
async function assigneeOptions(currentId) {
  let users = await cachedPeople();
  if (!users.length && navigator.onLine) users = await refreshPeople({ timeout: 4000 });
  else refreshPeople();
  const meId = session.user?.id;
  const out = [['', t('common.none')], ...(meId ? [[meId, t('dispute.assigneeMe')]] : [])];
  for (const u of choosable(users)) {
    if (u.id !== meId) out.push([u.id, `${u.display_name || u.username} · ${t(`role.${u.role}`)}`]);
  }
  if (currentId && !out.some(([id]) => id === currentId)) out.push([currentId, t('dispute.assigneeOther')]);
  return out;
}

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export async function render({ id, household }) {
  const editing = !!id && id !== 'new';
  const current = editing ? await one('disputes', id) : null;
  if (editing && !current) return { el: page(t('dispute.unknown'), '#/', empty(t('dispute.notFound'))) };
  const hh = !editing && household ? await one('households', household) : null;
  const info = await me();
  const draft = useDraft(editing ? `dispute:${id}` : `dispute:new:${household || ''}`);
  const saved = await draft.load();
  const initial = saved ? saved.fields : toForm(current || { category: 'neighbour', risk: 'blue', status: 'reported', parties: [] });
  const state = { parties: saved ? saved.parties : (current?.parties || []).map((_, i) => i), seq: saved ? saved.seq : (current?.parties || []).length };
  const partyBox = h('div');
  const errors = h('div');
  const grids = (info.areas || []).filter((a) => a.kind === 'grid');
  const assignees = await assigneeOptions(current?.assignee_id);
  let form;
  const persist = () => draft.save({ fields: readForm(form), parties: state.parties, seq: state.seq });
  function drawParties() {
    clear(partyBox);
    for (const i of state.parties) partyBox.append(partyRow(i, () => { state.parties = state.parties.filter((x) => x !== i); drawParties(); persist(); }));
  }
  form = h('form', { 'data-form': 'dispute', novalidate: true },
    !editing && !hh ? field(t('household.grid'), select('area_id', grids.map((g) => [g.id, g.name]), grids[0]?.id)) : null,
    field(t('dispute.title'), h('input', { name: 'title', autocomplete: 'off' })),
    field(t('dispute.category'), select('category', CATEGORIES.map((c) => [c, t(`category.${c}`)]))),
    field(t('dispute.risk'), select('risk', RISKS.map((r) => [r, t(`risk.${r}`)]), undefined, { class: 'risk-select' })),
    field(t('dispute.status'), select('status', STATUSES.map((s) => [s, t(`status.${s}`)]))),
    field(t('dispute.handling'), select('handling', [['', t('common.none')], ...HANDLINGS.map((x) => [x, t(`handling.${x}`)])])),
    field(t('dispute.description'), h('textarea', { name: 'description', rows: 4 })),
    h('fieldset', {}, h('legend', {}, t('dispute.parties')), partyBox,
      h('button', { type: 'button', class: 'btn', 'data-action': 'add-party', onclick: () => { state.parties.push(state.seq++); drawParties(); persist(); } }, t('dispute.addParty'))),
    field(t('dispute.office'), h('input', { name: 'office', autocomplete: 'off' })),
    field(t('dispute.assignee'), select('assignee_id', assignees)),
    field(t('dispute.deadline'), h('input', { name: 'deadline', type: 'date' })),
    field(t('dispute.followup_class'), select('followup_class', [['', t('common.none')], ...FOLLOWUP_CLASSES.map((c) => [String(c), t(`followup.class${c}`)])])),
    field(t('dispute.outcome'), h('textarea', { name: 'outcome', rows: 3 })),
    field(t('dispute.location'), h('input', { name: 'location', autocomplete: 'off' })),
    h('div', { class: 'two' }, field(t('geo.lat'), h('input', { name: 'lat', inputmode: 'decimal' })), field(t('geo.lon'), h('input', { name: 'lon', inputmode: 'decimal' }))),
    errors,
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.save')));
  drawParties();
  fillForm(form, initial);
  form.addEventListener('input', persist);
  form.addEventListener('change', persist);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(errors);
    const data = readForm(form);
    const next = fromForm(data, state.parties);
    if (!next.title) { errors.append(errorBox(t('dispute.needTitle'))); return; }
    let recordId = id;
    if (editing) {
      // Compare against the record put through the same form round trip, so
      // an absent field and an empty input count as equal.
      const before = fromForm(toForm(current), (current.parties || []).map((_, i) => i));
      const changed = {};
      for (const [k, v] of Object.entries(next)) if (!same(v, before[k])) changed[k] = v;
      if (!Object.keys(changed).length) { location.hash = `#/d/${encodeURIComponent(id)}`; await draft.clear(); return; }
      const base = await serverCopy('disputes', id);
      await enqueue('disputes', id, 'update', changed, base ? base.version : 1);
    } else {
      recordId = uuid();
      const fields = Object.fromEntries(Object.entries(next).filter(([, v]) => v !== null));
      fields.area_id = hh ? hh.area_id : data.area_id;
      fields.household_ids = hh ? [hh.id] : [];
      if (!fields.area_id) { errors.append(errorBox(t('household.needGrid'))); return; }
      await enqueue('disputes', recordId, 'create', fields);
    }
    await draft.clear();
    afterSave();
    location.hash = `#/d/${encodeURIComponent(recordId)}`;
  });
  const back = editing ? `#/d/${encodeURIComponent(id)}` : hh ? `#/h/${encodeURIComponent(hh.id)}` : '#/';
  return { el: page(editing ? t('dispute.editTitle') : t('dispute.new'), back, form), destroy: () => draft.release(), title: t('dispute.editTitle') };
}
