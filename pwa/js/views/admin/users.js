// Users (admins): create one with a role and areas; change role, areas or
// name, reset the password, disable or enable.
import { h, clear, field, select, readForm } from '../../dom.js';
import { t } from '../../i18n.js';
import { getJSON, postJSON, request } from '../../api.js';
import { consolePage, onlineBox, problemText } from '../console/common.js';
import { flattenTree } from './areas.js';

export const wide = true;
const ROLES = ['field_worker', 'mediator', 'supervisor', 'admin'];

function areaChecks(areas, chosen = []) {
  return h('div', { class: 'area-checks', role: 'group', 'aria-label': t('admin.areas') },
    areas.map((a) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: 'area_ids', value: a.id, 'data-group': '1', checked: chosen.includes(a.id) }),
      `${'\u3000'.repeat(a.depth)}${a.name}`)));
}

function message(box, text, bad = false) {
  clear(box);
  box.append(h('p', { class: bad ? 'error' : 'muted', role: bad ? 'alert' : null }, text));
}

function createForm(areas, done) {
  const out = h('div', { role: 'status' });
  const form = h('form', { class: 'card', 'data-form': 'new-user', novalidate: true },
    h('h3', {}, t('admin.newUser')),
    field(t('signin.username'), h('input', { name: 'username', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', required: true }), t('admin.usernameHint')),
    field(t('admin.displayName'), h('input', { name: 'display_name', autocomplete: 'off' })),
    field(t('admin.role'), select('role', ROLES.map((r) => [r, t(`role.${r}`)]), 'field_worker')),
    field(t('admin.password'), h('input', { name: 'password', type: 'password', autocomplete: 'new-password', minlength: 8 }), t('admin.passwordHint')),
    h('fieldset', {}, h('legend', {}, t('admin.areas')), areaChecks(areas)),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('admin.create')),
    out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const data = readForm(form);
    if (!data.username.trim() || data.password.length < 8) { message(out, t('admin.needUserAndPassword'), true); return; }
    const body = { username: data.username.trim(), role: data.role, password: data.password, area_ids: data.area_ids || [] };
    if (data.display_name.trim()) body.display_name = data.display_name.trim();
    try {
      const user = await postJSON('/api/users', body);
      form.reset();
      message(out, t('admin.created', { name: user.username }));
      done();
    } catch (err) { message(out, problemText(err), true); }
  });
  return form;
}

function userItem(u, areas, byId, done) {
  const out = h('div', { role: 'status' });
  const form = h('form', { 'data-form': 'edit-user', novalidate: true },
    field(t('admin.displayName'), h('input', { name: 'display_name', value: u.display_name || '', autocomplete: 'off' })),
    field(t('admin.role'), select('role', ROLES.map((r) => [r, t(`role.${r}`)]), u.role)),
    h('fieldset', {}, h('legend', {}, t('admin.areas')), areaChecks(areas, u.area_ids)),
    field(t('admin.newPassword'), h('input', { name: 'password', type: 'password', autocomplete: 'new-password' }), t('admin.passwordHint')),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'disabled', checked: u.disabled }), t('admin.disabled')),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.save')),
    out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const data = readForm(form);
    const patch = {};
    if (data.display_name.trim() && data.display_name.trim() !== u.display_name) patch.display_name = data.display_name.trim();
    if (data.role !== u.role) patch.role = data.role;
    const chosen = (data.area_ids || []).slice().sort();
    if (JSON.stringify(chosen) !== JSON.stringify([...u.area_ids].sort())) patch.area_ids = chosen;
    if (data.password) {
      if (data.password.length < 8) { message(out, t('admin.passwordHint'), true); return; }
      patch.password = data.password;
    }
    if (data.disabled !== u.disabled) patch.disabled = data.disabled;
    if (!Object.keys(patch).length) { message(out, t('admin.nothingChanged')); return; }
    try {
      await request(`/api/users/${encodeURIComponent(u.id)}`, { method: 'PATCH', json: patch });
      message(out, t('admin.saved'));
      done();
    } catch (err) { message(out, problemText(err), true); }
  });
  const names = u.area_ids.map((id) => byId.get(id)?.name || id.slice(0, 8)).join('、') || t('common.none');
  return h('li', { class: 'card', 'data-user-id': u.id, 'data-username': u.username },
    h('div', { class: 'row' },
      h('strong', {}, u.display_name || u.username),
      h('span', {}, h('span', { class: 'chip' }, t(`role.${u.role}`)), ' ', u.disabled ? h('span', { class: 'chip warn' }, t('admin.disabled')) : null)),
    h('p', { class: 'muted' }, `${u.username} · ${names}`),
    h('details', {}, h('summary', {}, t('admin.editUser')), form));
}

export async function render() {
  const listBox = h('div');
  const side = h('div');
  let loader = null;
  loader = onlineBox(listBox, async () => {
    const [{ users }, tree] = await Promise.all([getJSON('/api/users'), getJSON('/api/areas')]);
    const areas = flattenTree(tree.areas);
    const byId = new Map(areas.map((a) => [a.id, a]));
    const reload = () => loader.reload();
    clear(side);
    side.append(createForm(areas, reload));
    return [h('h3', {}, t('admin.userCount', { count: users.length })),
      h('ul', { class: 'cards' }, users.map((u) => userItem(u, areas, byId, reload)))];
  });
  const el = consolePage(t('console.tab.users'), '#/admin/users', h('div', { class: 'admin-layout' }, listBox, side));
  return { el, destroy: () => loader.stop(), title: t('console.tab.users') };
}
