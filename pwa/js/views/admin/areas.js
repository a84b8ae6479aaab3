// Areas (admins): the tree with its counts, a new area under a parent, and a
// boundary uploaded as a GeoJSON file (Polygon, MultiPolygon or a Feature).
import { h, clear, field, select, readForm } from '../../dom.js';
import { t } from '../../i18n.js';
import { getJSON, postJSON, request } from '../../api.js';
import { consolePage, onlineBox, problemText } from '../console/common.js';

export const wide = true;
const KINDS = ['town', 'village', 'community', 'grid'];

export function flattenTree(nodes, depth = 0, out = []) {
  for (const n of nodes || []) {
    out.push({ ...n, depth });
    flattenTree(n.children, depth + 1, out);
  }
  return out;
}

function message(box, text, bad = false) {
  clear(box);
  box.append(h('p', { class: bad ? 'error' : 'muted', role: bad ? 'alert' : null }, text));
}

async function readGeoJSON(file) {
  const text = await file.text();
  try { return JSON.parse(text); } catch (_) {
    const err = new Error(t('areas.notJson', { name: file.name }));
    err.local = true;
    throw err;
  }
}

function boundaryForm(a, done) {
  const out = h('div', { role: 'status' });
  const file = h('input', { type: 'file', name: 'boundary', accept: '.geojson,.json,application/geo+json,application/json' });
  const form = h('form', { class: 'boundary', 'data-form': 'boundary', novalidate: true },
    field(t('areas.boundaryFile'), file),
    h('button', { type: 'submit', class: 'btn btn-small' }, t('areas.upload')),
    out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!file.files.length) { message(out, t('areas.chooseFile'), true); return; }
    try {
      const geojson = await readGeoJSON(file.files[0]);
      await request(`/api/areas/${encodeURIComponent(a.id)}/boundary`, { method: 'PUT', json: geojson });
      message(out, t('areas.boundarySaved', { name: a.name }));
      done();
    } catch (err) { message(out, err.local ? err.message : problemText(err), true); }
  });
  return form;
}

function areaItem(a, done) {
  return h('li', { 'data-area-id': a.id, 'data-code': a.code },
    h('div', { class: 'row' },
      h('strong', {}, `${'\u3000'.repeat(a.depth)}${a.name}`),
      h('span', { class: 'muted' }, `${t(`areaKind.${a.kind}`)} · ${a.code}`)),
    h('p', { class: 'muted' }, t('areas.counts', { households: a.households, disputes: a.disputes, open: a.open_disputes }), ' ',
      a.has_boundary ? h('span', { class: 'chip ok' }, t('areas.hasBoundary')) : h('span', { class: 'chip todo' }, t('areas.noBoundary'))),
    h('details', {}, h('summary', {}, t('areas.setBoundary')), boundaryForm(a, done)));
}

function createForm(areas, done) {
  const out = h('div', { role: 'status' });
  const file = h('input', { type: 'file', name: 'boundary_file', accept: '.geojson,.json,application/geo+json,application/json' });
  const form = h('form', { class: 'card', 'data-form': 'new-area', novalidate: true },
    h('h3', {}, t('areas.new')),
    field(t('areas.parent'), select('parent_id', [['', t('areas.noParent')], ...areas.map((a) => [a.id, `${'\u3000'.repeat(a.depth)}${a.name}`])])),
    field(t('areas.kind'), select('kind', KINDS.map((k) => [k, t(`areaKind.${k}`)]), 'grid')),
    field(t('areas.name'), h('input', { name: 'name', autocomplete: 'off' })),
    field(t('areas.code'), h('input', { name: 'code', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false' }), t('areas.codeHint')),
    field(t('areas.boundaryFile'), file, t('areas.boundaryOptional')),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('admin.create')),
    out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const data = readForm(form);
    if (!data.name.trim() || !data.code.trim()) { message(out, t('areas.needNameCode'), true); return; }
    const body = { kind: data.kind, name: data.name.trim(), code: data.code.trim(), parent_id: data.parent_id || null };
    try {
      if (file.files.length) body.boundary = await readGeoJSON(file.files[0]);
      const area = await postJSON('/api/areas', body);
      form.reset();
      message(out, t('areas.created', { name: area.name }));
      done();
    } catch (err) { message(out, err.local ? err.message : problemText(err), true); }
  });
  return form;
}

export async function render() {
  const listBox = h('div');
  const side = h('div');
  let loader = null;
  loader = onlineBox(listBox, async () => {
    const tree = await getJSON('/api/areas');
    const areas = flattenTree(tree.areas);
    const reload = () => loader.reload();
    clear(side);
    side.append(createForm(areas, reload));
    return h('ul', { class: 'tree card' }, areas.map((a) => areaItem(a, reload)));
  });
  const el = consolePage(t('console.tab.areas'), '#/admin/areas', h('div', { class: 'admin-layout' }, listBox, side));
  return { el, destroy: () => loader.stop(), title: t('console.tab.areas') };
}
