// Dashboard: disputes by status, category and risk colour, resolution rate
// against the target, overdue open cases, follow-ups due, a weekly trend.
// Bars are plain elements sized in CSS pixels or percent; no chart library.
import { h } from '../../dom.js';
import { t, fmtDate } from '../../i18n.js';
import { getJSON } from '../../api.js';
import { CATEGORIES, RISKS, STATUSES } from '../../codes.js';
import { consolePage, onlineBox, filterForm, areaChoices, apiQuery, pct, withQuery } from './common.js';

export const wide = true;

function stat(label, value, attrs = {}, extra = null) {
  return h('div', { class: 'stat card', ...attrs }, h('p', { class: 'muted' }, label), h('p', { class: 'big' }, String(value)), extra);
}

// One horizontal bar per code, widths relative to the largest count.
function bars(title, codes, counts, labelOf, classOf = () => '', key) {
  const max = Math.max(1, ...codes.map((c) => counts[c] || 0));
  return h('div', { class: 'card', 'data-breakdown': key },
    h('h3', {}, title),
    h('ul', { class: 'bars' }, codes.map((c) => {
      const n = counts[c] || 0;
      return h('li', { 'data-code': c, 'data-count': String(n) },
        h('span', { class: 'bar-label' }, labelOf(c)),
        h('span', { class: 'bar-track' }, h('span', { class: `bar ${classOf(c)}`, style: { width: `${(n / max) * 100}%` } })),
        h('span', { class: 'bar-num' }, String(n)));
    })));
}

function rateCard(s) {
  const ok = s.resolution_rate >= s.resolution_target;
  return h('div', { class: 'card rate', 'data-rate': String(s.resolution_rate) },
    h('h3', {}, t('dash.rate')),
    h('p', { class: `big ${ok ? 'good' : 'overdue'}` }, pct(s.resolution_rate)),
    h('div', { class: 'rate-track', role: 'img', 'aria-label': t('dash.rateAgainst', { rate: pct(s.resolution_rate), target: pct(s.resolution_target) }) },
      h('span', { class: `rate-fill ${ok ? 'good' : 'bad'}`, style: { width: `${Math.min(1, s.resolution_rate) * 100}%` } }),
      h('span', { class: 'rate-target', style: { left: `${Math.min(1, s.resolution_target) * 100}%` } })),
    h('p', { class: 'muted' }, t('dash.target', { target: pct(s.resolution_target), resolved: s.resolved, total: s.total })));
}

function trend(weeks) {
  const max = Math.max(1, ...weeks.map((w) => Math.max(w.found, w.resolved)));
  return h('div', { class: 'card trend-card' },
    h('h3', {}, t('dash.weekly')),
    h('p', { class: 'legend-line' },
      h('span', { class: 'key key-found' }), t('dash.found'), ' ',
      h('span', { class: 'key key-resolved' }), t('dash.resolvedWeek')),
    h('ol', { class: 'trend' }, weeks.map((w) => h('li', {
      class: 'week', 'data-week': w.week,
      'aria-label': t('dash.weekLabel', { date: fmtDate(w.start), found: w.found, resolved: w.resolved }),
    },
    h('span', { class: 'week-bars' },
      h('span', { class: 'tbar found', style: { height: `${(w.found / max) * 100}%` } }),
      h('span', { class: 'tbar resolved', style: { height: `${(w.resolved / max) * 100}%` } })),
    h('span', { class: 'week-label' }, w.start.slice(5).replace('-', '/'))))));
}

function board(s, params) {
  return h('div', { class: 'dash-grid', 'data-total': String(s.total) },
    h('div', { class: 'stats' },
      stat(t('dash.total'), s.total, { 'data-stat': 'total' }),
      stat(t('dash.open'), (s.by_status.reported || 0) + (s.by_status.assigned || 0) + (s.by_status.in_mediation || 0), { 'data-stat': 'open' }),
      stat(t('dash.overdue'), s.overdue, { 'data-stat': 'overdue', class: `stat card${s.overdue ? ' overdue-card' : ''}` },
        s.overdue ? h('a', { href: withQuery('#/console/cases', { area: params.area, overdue: '1' }) }, t('dash.seeOverdue')) : null),
      stat(t('dash.followupsDue'), s.followups_due, { 'data-stat': 'followups' },
        s.followups_due ? h('a', { href: '#/followups' }, t('dash.seeFollowups')) : null)),
    rateCard(s),
    bars(t('dash.byRisk'), RISKS, s.by_risk, (c) => t(`risk.${c}`), (c) => `risk-${c}`, 'risk'),
    bars(t('dash.byStatus'), STATUSES, s.by_status, (c) => t(`status.${c}`), () => '', 'status'),
    bars(t('dash.byCategory'), CATEGORIES, s.by_category, (c) => t(`category.${c}`), () => '', 'category'),
    trend(s.weekly || []));
}

export async function render(params) {
  const choices = await areaChoices();
  const box = h('div', { class: 'console-body' });
  const loader = onlineBox(box, async () => {
    const s = await getJSON(`/api/reports/summary${apiQuery(params, { dates: false })}`);
    return board(s, params);
  });
  const el = consolePage(t('console.tab.dashboard'), '#/console',
    filterForm('#/console', params, choices, { dates: false }),
    box);
  return { el, destroy: () => loader.stop(), title: t('console.tab.dashboard') };
}
