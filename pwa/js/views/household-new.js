// Adding a household found in the field (not in the register).
import { h, field, select, readForm, fillForm } from '../dom.js';
import { t } from '../i18n.js';
import { me } from '../store.js';
import { enqueue } from '../outbox.js';
import { afterSave } from '../sync.js';
import { getPosition, parseCoord } from '../geo.js';
import { useDraft } from '../drafts.js';
import { uuid } from '../util.js';
import { page, errorBox } from './common.js';

export async function render() {
  const info = await me();
  const scope = new Set(info.scope_area_ids || []);
  const grids = (info.areas || []).filter((a) => a.kind === 'grid' && (!scope.size || scope.has(a.id)));
  const draft = useDraft('household:new');
  const errors = h('div');
  const geoNote = h('p', { class: 'muted', role: 'status' }, t('geo.locating'));
  const lat = h('input', { name: 'lat', inputmode: 'decimal' });
  const lon = h('input', { name: 'lon', inputmode: 'decimal' });
  const form = h('form', { 'data-form': 'household', novalidate: true },
    field(t('household.grid'), select('area_id', grids.map((g) => [g.id, g.name]), grids[0]?.id, { required: true })),
    field(t('household.address'), h('input', { name: 'address', required: true, autocomplete: 'off' })),
    field(t('household.head'), h('input', { name: 'head_name', autocomplete: 'off' })),
    geoNote,
    h('div', { class: 'two' }, field(t('geo.lat'), lat), field(t('geo.lon'), lon)),
    errors,
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.save')));
  fillForm(form, await draft.load());
  form.addEventListener('input', () => draft.save(readForm(form)));
  getPosition().then((p) => {
    if (p.error) { geoNote.textContent = t(`geo.${p.error}`); return; }
    geoNote.textContent = t('geo.got', { accuracy: p.accuracy_m });
    if (!lat.value && !lon.value) { lat.value = p.lat; lon.value = p.lon; }
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    errors.textContent = '';
    const data = readForm(form);
    if (!data.address.trim()) { errors.append(errorBox(t('household.needAddress'))); return; }
    if (!data.area_id) { errors.append(errorBox(t('household.needGrid'))); return; }
    const id = uuid();
    const fields = { area_id: data.area_id, address: data.address.trim(), head_name: data.head_name.trim() };
    const la = parseCoord(data.lat, -90, 90);
    const lo = parseCoord(data.lon, -180, 180);
    if (la !== null && lo !== null) { fields.lat = la; fields.lon = lo; }
    await enqueue('households', id, 'create', fields);
    await draft.clear();
    afterSave();
    location.hash = `#/h/${id}`;
  });
  return { el: page(t('household.new'), '#/households', form), destroy: () => draft.release(), title: t('household.new') };
}
