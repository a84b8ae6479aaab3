// Coverage map: grids shaded by the share of households visited in the date
// window, households as points (click one to open it), and beside the map a
// table per area with households, visited, coverage and visits per worker.
import { h, clear } from '../../dom.js';
import { t } from '../../i18n.js';
import { getJSON } from '../../api.js';
import { consolePage, onlineBox, filterForm, areaChoices, apiQuery, pct, table, withQuery, getConfig, whenAttached, problemText } from './common.js';
import { drawCoverage, SHADES, POINT_STYLES } from './leaflet-map.js';
import { errorBox } from '../common.js';

export const wide = true;

function legend() {
  let low = 0;
  const shades = SHADES.map(([limit, color]) => {
    const label = limit === Infinity ? `≥ ${pct(low)}` : `${pct(low)} – ${pct(limit)}`;
    low = limit;
    return h('li', {}, h('span', { class: 'swatch', style: { background: color } }), label);
  });
  const dots = Object.entries(POINT_STYLES).map(([state, s]) => h('li', {},
    h('span', { class: 'dot', style: { background: s.fillColor, borderColor: s.color } }), t(`map.point.${state}`)));
  return h('div', { class: 'legend' },
    h('p', { class: 'muted' }, t('map.legendGrids')), h('ul', { class: 'legend-list' }, shades),
    h('p', { class: 'muted' }, t('map.legendPoints')), h('ul', { class: 'legend-list' }, dots));
}

function workers(list) {
  if (!list || !list.length) return t('common.none');
  return h('ul', { class: 'workers' }, list.map((w) => h('li', {},
    `${w.name || t('map.unknownWorker')}: `, t('map.workerVisits', { visits: w.visits, households: w.households }))));
}

function coverageTable(report, params) {
  const rows = report.areas.map((a) => h('tr', { 'data-area-id': a.area_id },
    h('th', { scope: 'row' }, a.kind === 'grid' ? a.name : h('a', { href: withQuery('#/console/map', { ...params, area: a.area_id }) }, a.name)),
    h('td', { class: 'num', 'data-col': 'households' }, String(a.households)),
    h('td', { class: 'num', 'data-col': 'visited' }, String(a.visited)),
    h('td', { class: 'num', 'data-col': 'coverage' }, pct(a.coverage)),
    h('td', { 'data-col': 'workers' }, workers(a.visits_by_worker))));
  rows.push(h('tr', { class: 'total', 'data-total': '' },
    h('th', { scope: 'row' }, t('map.total')),
    h('td', { class: 'num', 'data-col': 'households' }, String(report.total.households)),
    h('td', { class: 'num', 'data-col': 'visited' }, String(report.total.visited)),
    h('td', { class: 'num', 'data-col': 'coverage' }, pct(report.total.coverage)),
    h('td', {})));
  return table([t('map.area'), { label: t('map.households'), num: true }, { label: t('map.visited'), num: true },
    { label: t('map.coverage'), num: true }, t('map.byWorker')], rows, { 'data-table': 'coverage' });
}

export async function render(params) {
  const choices = await areaChoices();
  const mapBox = h('div', { class: 'map-col' });
  const tableBox = h('div', { class: 'table-col' });
  let drawn = null;
  let gone = false;
  const q = apiQuery(params);

  const mapLoader = onlineBox(mapBox, async () => {
    const [config, areas, points] = await Promise.all([
      getConfig(), getJSON(`/api/areas/geojson${q}`), getJSON(`/api/reports/coverage.geojson${q}`)]);
    if (drawn) { drawn.map.remove(); drawn = null; }
    if (!(areas.features || []).length && !(points.features || []).length) return h('p', { class: 'empty' }, t('map.nothing'));
    const note = h('p', { class: 'notice', role: 'status', 'data-map-note': '', hidden: true });
    const counts = h('p', { class: 'muted', 'data-map-counts': '' });
    const container = h('div', { class: 'map', 'data-map': '', role: 'region', 'aria-label': t('map.label') });
    const wrap = h('div', {}, container, note, counts, legend());
    // Leaflet measures the box, so draw once it is on the page.
    whenAttached(container).then(() => drawCoverage(container, {
      areas, points, tileUrl: config.tile_url, tileAttribution: config.tile_attribution,
      onTileTrouble: () => { note.textContent = t('map.noTiles'); note.hidden = false; container.classList.add('no-tiles'); },
      onOpen: (id) => { location.hash = `#/h/${encodeURIComponent(id)}`; },
    })).then((res) => {
      if (gone) { res.map.remove(); return; }
      drawn = res;
      counts.textContent = t('map.counts', res.counts);
    }).catch((err) => { clear(wrap); wrap.append(errorBox(problemText(err))); });
    return wrap;
  });
  const tableLoader = onlineBox(tableBox, async () => coverageTable(await getJSON(`/api/reports/coverage${q}`), params));

  const el = consolePage(t('console.tab.map'), '#/console/map',
    filterForm('#/console/map', params, choices),
    h('div', { class: 'map-layout' }, mapBox, tableBox));
  return {
    el,
    destroy: () => {
      gone = true;
      mapLoader.stop();
      tableLoader.stop();
      if (drawn) drawn.map.remove();
    },
    title: t('console.tab.map'),
  };
}
