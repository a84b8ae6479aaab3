// Exports: the dispute ledger and the periodic statistics table, as CSV (with
// a BOM, so Excel reads Chinese) or XLSX. The files need the Bearer token, so
// they are fetched here and saved from a blob URL.
import { h, clear } from '../../dom.js';
import { t } from '../../i18n.js';
import { consolePage, filterForm, areaChoices, apiQuery, download, problemText } from './common.js';

export const wide = true;

function pad(n) { return String(n).padStart(2, '0'); }

// The plans ask for statistics on the 14th and the 30th and monthly: offer
// those windows for the current month.
function periods() {
  const d = new Date();
  const ym = `${d.getFullYear()}-${pad(d.getMonth() + 1)}`;
  const last = new Date(d.getFullYear(), d.getMonth() + 1, 0).getDate();
  return [
    ['firstHalf', `${ym}-01`, `${ym}-14`],
    ['secondHalf', `${ym}-15`, `${ym}-${pad(last)}`],
    ['month', `${ym}-01`, `${ym}-${pad(last)}`],
  ];
}

export async function render(params) {
  const choices = await areaChoices();
  const status = h('div', { role: 'status', 'data-export-status': '' });
  const busy = new Set();

  const button = (label, path, name, key) => {
    const btn = h('button', { type: 'button', class: 'btn', 'data-export': key }, label);
    btn.addEventListener('click', async () => {
      if (busy.has(key)) return;
      clear(status);
      if (!navigator.onLine) { status.append(h('p', { class: 'notice', 'data-offline': '' }, t('console.offline'))); return; }
      busy.add(key);
      btn.disabled = true;
      try {
        const file = await download(path, name);
        status.append(h('p', { class: 'muted' }, t('exports.done', { name: file.name })));
      } catch (err) {
        status.append(h('p', { class: 'error', role: 'alert' }, problemText(err)));
      } finally {
        busy.delete(key);
        btn.disabled = false;
      }
    });
    return btn;
  };

  const areaOnly = apiQuery(params, { dates: false });
  const windowed = apiQuery(params);
  const el = consolePage(t('console.tab.exports'), '#/console/exports',
    filterForm('#/console/exports', params, choices),
    h('p', { class: 'hint' }, t('exports.periods'), ' ',
      periods().map(([key, from, to]) => [h('a', { href: `#/console/exports?${new URLSearchParams({ ...(params.area ? { area: params.area } : {}), from, to })}`, 'data-period': key }, t(`exports.period.${key}`)), ' '])),
    h('div', { class: 'card' },
      h('h3', {}, t('exports.ledger')),
      h('p', { class: 'muted' }, t('exports.ledgerHint')),
      h('div', { class: 'actions' },
        button(t('exports.csv'), `/api/exports/disputes.csv${areaOnly}`, 'disputes.csv', 'disputes-csv'),
        button(t('exports.xlsx'), `/api/exports/disputes.xlsx${areaOnly}`, 'disputes.xlsx', 'disputes-xlsx'))),
    h('div', { class: 'card' },
      h('h3', {}, t('exports.statistics')),
      h('p', { class: 'muted' }, params.from || params.to
        ? t('exports.window', { from: params.from || '…', to: params.to || '…' }) : t('exports.allTime')),
      h('div', { class: 'actions' },
        button(t('exports.csv'), `/api/exports/statistics.csv${windowed}`, 'statistics.csv', 'statistics-csv'),
        button(t('exports.xlsx'), `/api/exports/statistics.xlsx${windowed}`, 'statistics.xlsx', 'statistics-xlsx'))),
    status);
  return { el, title: t('console.tab.exports') };
}
