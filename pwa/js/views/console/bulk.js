// The case management form: set office, assignee, deadline, status and
// follow-up class on the selected cases at once (POST /api/disputes/bulk).
import { h, clear, field, select } from '../../dom.js';
import { t } from '../../i18n.js';
import { postJSON } from '../../api.js';
import { STATUSES, FOLLOWUP_CLASSES } from '../../codes.js';
import { choosable } from '../../people.js';
import { problemText } from './common.js';

const KEEP = '';
const BY_CATEGORY = '*category';
const NOBODY = '*none';
const MAX_IDS = 1000;

// One request per office when each case gets its category's office.
function plan(ids, byId, set, office, offices) {
  if (office !== BY_CATEGORY) {
    const s = office ? { ...set, office } : set;
    return Object.keys(s).length ? [[ids, s]] : [];
  }
  const groups = new Map();
  for (const id of ids) {
    const name = offices[byId.get(id)?.category] || null;
    if (!groups.has(name)) groups.set(name, []);
    groups.get(name).push(id);
  }
  const out = [];
  for (const [name, group] of groups) {
    const s = name ? { ...set, office: name } : set;
    if (Object.keys(s).length) out.push([group, s]);
  }
  return out;
}

export function bulkPanel({ offices, people, byId, selected, onDone }) {
  const officeNames = Array.from(new Set(Object.values(offices || {}))).sort();
  const office = select('office', [[KEEP, t('cases.keep')], [BY_CATEGORY, t('cases.byCategory')], ...officeNames.map((o) => [o, o])]);
  const assignee = select('assignee_id', [[KEEP, t('cases.keep')], [NOBODY, t('cases.nobody')],
    ...choosable(people).map((u) => [u.id, `${u.display_name || u.username} · ${t(`role.${u.role}`)}`])]);
  const deadline = h('input', { type: 'date', name: 'deadline' });
  const status = select('status', [[KEEP, t('cases.keep')], ...STATUSES.map((s) => [s, t(`status.${s}`)])]);
  const klass = select('followup_class', [[KEEP, t('cases.keep')], ...FOLLOWUP_CLASSES.map((c) => [String(c), t(`followup.class${c}`)])]);
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', 'data-action': 'bulk-apply' });
  const out = h('div', { class: 'bulk-result' });
  let officeTouched = false;
  office.addEventListener('change', () => { officeTouched = true; });

  const form = h('form', { class: 'card bulk', 'data-form': 'bulk', novalidate: true },
    h('h3', {}, t('cases.bulkTitle')),
    field(t('dispute.office'), office, t('cases.officeHint')),
    field(t('dispute.assignee'), assignee),
    field(t('dispute.deadline'), deadline, t('cases.deadlineHint')),
    field(t('dispute.status'), status, t('cases.statusHint')),
    field(t('dispute.followup_class'), klass),
    submit,
    out);

  // The office defaults to the category's when none of the cases has one.
  function update() {
    const ids = Array.from(selected);
    submit.textContent = t('cases.apply', { count: ids.length });
    submit.disabled = ids.length === 0;
    if (!officeTouched) office.value = ids.length && ids.every((id) => !byId.get(id)?.office) ? BY_CATEGORY : KEEP;
  }

  function show(results) {
    clear(out);
    const count = (s) => results.filter((r) => r.status === s).length;
    out.append(h('p', { role: 'status', 'data-bulk-summary': '' },
      t('cases.result', { applied: count('applied'), conflicts: count('conflict'), rejected: count('rejected') })));
    const bad = results.filter((r) => r.status !== 'applied');
    if (bad.length) {
      out.append(h('ul', { class: 'result-list', role: 'alert' }, bad.map((r) => h('li', { 'data-result': r.status, 'data-dispute-id': r.id },
        h('strong', {}, byId.get(r.id)?.title || r.id.slice(0, 8)), ': ',
        r.status === 'conflict' ? t('cases.conflicted', { fields: (r.conflicts || []).map((c) => t(`dispute.${c.field}`)).join(', ') })
          : (r.error && r.error.message) || t('sync.rejectedNoMessage')))));
    }
    const followups = results.reduce((n, r) => n + (r.followups || []).length, 0);
    if (followups) out.append(h('p', { class: 'muted' }, t('cases.followupsScheduled', { count: followups })));
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(out);
    const ids = Array.from(selected);
    if (!ids.length) return;
    const set = {};
    if (assignee.value === NOBODY) set.assignee_id = null;
    else if (assignee.value) set.assignee_id = assignee.value;
    if (deadline.value) set.deadline = deadline.value;
    if (status.value) set.status = status.value;
    if (klass.value) set.followup_class = Number(klass.value);
    const calls = plan(ids, byId, set, office.value, offices || {});
    if (!calls.length) { out.append(h('p', { class: 'error', role: 'alert' }, t('cases.nothingToSet'))); return; }
    submit.disabled = true;
    const results = [];
    try {
      for (const [group, s] of calls) {
        for (let i = 0; i < group.length; i += MAX_IDS) {
          const res = await postJSON('/api/disputes/bulk', { ids: group.slice(i, i + MAX_IDS), set: s });
          results.push(...(res.results || []));
        }
      }
      show(results);
      onDone(results);
    } catch (err) {
      if (results.length) show(results);
      out.append(h('p', { class: 'error', role: 'alert' }, problemText(err)));
    } finally {
      submit.disabled = selected.size === 0;
    }
  });

  update();
  return { el: form, update };
}
