// Household register import (admins): upload a CSV (area code or name,
// address, head of household, lat, lon); the report lists every rejected row
// and why, and the good rows go in. The same file twice changes nothing.
import { h, clear, field } from '../../dom.js';
import { t } from '../../i18n.js';
import { request } from '../../api.js';
import { consolePage, problemText, table } from '../console/common.js';

export const wide = true;

function report(r) {
  return h('div', { class: 'card', 'data-import-report': '' },
    h('h3', {}, t('import.report')),
    h('p', { role: 'status', 'data-import-summary': '', 'data-rows': String(r.rows), 'data-applied': String(r.applied), 'data-unchanged': String(r.unchanged) },
      t('import.summary', { rows: r.rows, applied: r.applied, unchanged: r.unchanged, rejected: r.rejected.length })),
    r.rejected.length
      ? [h('p', { class: 'error' }, t('import.rejectedTitle', { count: r.rejected.length })),
        table([t('import.row'), t('import.why')], r.rejected.map((x) => h('tr', { 'data-rejected-row': String(x.row) },
          h('th', { scope: 'row' }, String(x.row)),
          h('td', {}, h('ul', { class: 'workers' }, x.errors.map((e) => h('li', {}, e)))))), { 'data-table': 'rejected' })]
      : h('p', { class: 'good' }, t('import.allGood')));
}

export async function render() {
  const out = h('div');
  const file = h('input', { type: 'file', name: 'register', accept: '.csv,text/csv' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', 'data-action': 'import' }, t('import.upload'));
  const form = h('form', { class: 'card', 'data-form': 'import', novalidate: true },
    h('p', {}, t('import.lead')),
    h('p', { class: 'hint' }, t('import.columns')),
    field(t('import.file'), file),
    submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(out);
    if (!file.files.length) { out.append(h('p', { class: 'error', role: 'alert' }, t('areas.chooseFile'))); return; }
    if (!navigator.onLine) { out.append(h('p', { class: 'notice', role: 'status', 'data-offline': '' }, t('console.offline'))); return; }
    submit.disabled = true;
    out.append(h('p', { class: 'muted', role: 'status' }, t('import.working', { name: file.files[0].name })));
    try {
      // The file's own bytes: the server reads UTF-8 (with or without BOM) or GB18030.
      const res = await request('/api/imports/households', {
        method: 'POST', body: file.files[0], headers: { 'Content-Type': 'text/csv' }, timeout: 10 * 60 * 1000,
      });
      clear(out);
      out.append(report(await res.json()));
    } catch (err) {
      clear(out);
      out.append(h('p', { class: 'error', role: 'alert' }, problemText(err)));
    } finally {
      submit.disabled = false;
    }
  });
  const el = consolePage(t('console.tab.import'), '#/admin/import', form, out);
  return { el, title: t('console.tab.import') };
}
