// Leaflet, loaded only when a map screen opens (the app shell stays small),
// and the coverage map drawn with it: grids shaded by coverage, households as
// points. Tiles are a backdrop only: when none load, grids and points still
// show on the plain background of the map box.
import { h } from '../../dom.js';
import { t } from '../../i18n.js';
import { NetworkError } from '../../api.js';
import { pct } from './common.js';

const BASE = '/vendor/leaflet';
let loading = null;

function loadCss() {
  const old = document.querySelector('link[data-leaflet]');
  if (old) return Promise.resolve();
  return new Promise((resolve) => {
    const link = h('link', { rel: 'stylesheet', href: `${BASE}/leaflet.css`, 'data-leaflet': '' });
    // A missing stylesheet makes an uglier map, not a broken screen.
    link.addEventListener('load', () => resolve());
    link.addEventListener('error', () => resolve());
    document.head.append(link);
  });
}

function loadScript() {
  return new Promise((resolve, reject) => {
    const script = h('script', { src: `${BASE}/leaflet.js`, 'data-leaflet': '' });
    script.addEventListener('load', () => (window.L ? resolve(window.L) : reject(new Error('Leaflet did not start'))));
    script.addEventListener('error', () => { script.remove(); reject(new NetworkError('Leaflet could not be loaded')); });
    document.head.append(script);
  });
}

export function loadLeaflet() {
  if (window.L && window.L.map) return loadCss().then(() => window.L);
  if (!loading) {
    loading = Promise.all([loadScript(), loadCss()]).then(([L]) => L);
    loading.catch(() => { loading = null; });
  }
  return loading;
}

// Coverage buckets, red (nobody visited) to green (everyone).
export const SHADES = [
  [0.2, '#d73027'], [0.4, '#fc8d59'], [0.6, '#fee08b'], [0.8, '#91cf60'], [Infinity, '#1a9850'],
];
export function shade(coverage) {
  return SHADES.find(([limit]) => (Number(coverage) || 0) < limit)[1];
}

export const POINT_STYLES = {
  visited: { color: '#14532d', fillColor: '#22a34a', fillOpacity: 0.95 },
  nobody: { color: '#8a4b00', fillColor: '#f5a623', fillOpacity: 0.95 },
  not: { color: '#374151', fillColor: '#ffffff', fillOpacity: 0.9 },
};

export function pointState(props) {
  if (!props.visited) return 'not';
  return props.outcome === 'nobody_home' ? 'nobody' : 'visited';
}

function gridTip(p) {
  return h('div', {}, h('strong', {}, p.name || ''), h('br'),
    t('map.gridTip', { visited: p.visited, households: p.households, coverage: pct(p.coverage) }));
}

function pointTip(p) {
  return h('div', {}, p.address || t('household.unknown'), h('br'), t(`map.point.${pointState(p)}`));
}

// Draw into `container` (already in the page). Returns { map, counts }.
export async function drawCoverage(container, { areas, points, tileUrl, tileAttribution, onTileTrouble, onOpen }) {
  const L = await loadLeaflet();
  const map = L.map(container, { attributionControl: false, zoomControl: false, zoomSnap: 0.5, maxZoom: 19 });
  L.control.zoom({ zoomInTitle: t('map.zoomIn'), zoomOutTitle: t('map.zoomOut') }).addTo(map);
  if (tileUrl) {
    const tiles = L.tileLayer(tileUrl, { maxZoom: 19 });
    let told = false;
    tiles.on('tileerror', () => { if (!told) { told = true; onTileTrouble(); } });
    tiles.addTo(map);
    // Leaflet writes attributions as HTML: the configured credit goes in as text.
    const credit = document.createElement('span');
    credit.textContent = tileAttribution || '';
    if (credit.textContent) L.control.attribution({ prefix: false }).addAttribution(credit.innerHTML).addTo(map);
  } else onTileTrouble();

  const features = areas.features || [];
  const outlines = L.geoJSON({ type: 'FeatureCollection', features: features.filter((f) => f.properties.kind !== 'grid') }, {
    interactive: false,
    style: () => ({ className: 'area-outline', color: '#1f2937', weight: 2, dashArray: '6 4', fill: false }),
  }).addTo(map);
  const grids = L.geoJSON({ type: 'FeatureCollection', features: features.filter((f) => f.properties.kind === 'grid') }, {
    style: (f) => ({ className: 'grid-shape', color: '#334155', weight: 1, fillColor: shade(f.properties.coverage), fillOpacity: 0.5 }),
    onEachFeature: (f, layer) => {
      layer.bindTooltip(gridTip(f.properties), { sticky: true });
      layer.on('add', () => {
        const el = layer.getElement && layer.getElement();
        if (el) { el.setAttribute('data-area-id', f.properties.id); el.setAttribute('data-coverage', String(f.properties.coverage)); }
      });
    },
  }).addTo(map);

  // Thousands of points draw faster on a canvas; fewer stay SVG elements,
  // which a keyboardless click and a test can both find.
  const list = (points.features || []).filter((f) => f.geometry && f.geometry.type === 'Point');
  const renderer = list.length > 4000 ? L.canvas({ padding: 0.3 }) : undefined;
  const dots = L.featureGroup();
  for (const f of list) {
    const [lon, lat] = f.geometry.coordinates;
    const state = pointState(f.properties);
    const marker = L.circleMarker([lat, lon], { renderer, radius: 6, weight: 1.5, className: `hh-point hh-${state}`, ...POINT_STYLES[state] });
    marker.bindTooltip(pointTip(f.properties));
    marker.on('click', () => onOpen(f.properties.id));
    marker.on('add', () => {
      const el = marker.getElement && marker.getElement();
      if (el) { el.setAttribute('data-household-id', f.properties.id); el.setAttribute('data-state', state); }
    });
    dots.addLayer(marker);
  }
  dots.addTo(map);

  const bounds = L.latLngBounds([]);
  for (const layer of [outlines, grids, dots]) {
    const b = layer.getBounds();
    if (b.isValid()) bounds.extend(b);
  }
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16] });
  else map.setView([30, 120], 5);
  container.dataset.grids = String(grids.getLayers().length);
  container.dataset.points = String(list.length);
  container.dataset.drawn = '1';
  return { map, counts: { grids: grids.getLayers().length, points: list.length } };
}
