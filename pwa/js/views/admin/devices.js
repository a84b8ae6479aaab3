// Devices (admins): every signed-in phone or browser with its last contact;
// a lost phone is revoked here and its token stops working at once.
import { h, clear } from '../../dom.js';
import { t, fmtDateTime } from '../../i18n.js';
import { getJSON, request } from '../../api.js';
import { session } from '../../session.js';
import { consolePage, onlineBox, problemText, table, twoStep } from '../console/common.js';

export const wide = true;

function deviceRow(d, status, reload) {
  const mine = d.id === session.device_id;
  const revoke = d.revoked_at ? null : twoStep(h('button', { type: 'button', class: 'btn btn-small btn-danger', 'data-action': 'revoke' }),
    t('devices.revoke'), mine ? t('devices.revokeMine') : t('devices.revokeSure'), async () => {
      clear(status);
      try {
        await request(`/api/devices/${encodeURIComponent(d.id)}`, { method: 'DELETE' });
        status.append(h('p', { class: 'muted' }, t('devices.revoked', { name: d.name, user: d.username })));
        reload();
      } catch (err) { status.append(h('p', { class: 'error', role: 'alert' }, problemText(err))); }
    });
  return h('tr', { 'data-device-id': d.id, 'data-username': d.username },
    h('th', { scope: 'row' }, d.username),
    h('td', {}, d.name, mine ? [' ', h('span', { class: 'chip' }, t('devices.this'))] : null),
    h('td', {}, fmtDateTime(d.last_seen_at)),
    h('td', {}, d.revoked_at ? h('span', { class: 'chip warn' }, t('devices.revokedOn', { time: fmtDateTime(d.revoked_at) }))
      : h('span', { class: 'muted' }, t('devices.until', { time: fmtDateTime(d.expires_at) }))),
    h('td', {}, revoke));
}

export async function render() {
  const box = h('div');
  const status = h('div', { role: 'status' });
  let loader = null;
  loader = onlineBox(box, async () => {
    const { devices } = await getJSON('/api/devices');
    // Most recently seen first: a lost phone is usually one in recent use.
    devices.sort((a, b) => String(b.last_seen_at).localeCompare(String(a.last_seen_at)));
    const live = devices.filter((d) => !d.revoked_at).length;
    return [h('p', { class: 'muted' }, t('devices.count', { count: devices.length, live })),
      table([t('devices.user'), t('devices.name'), t('devices.lastSeen'), t('devices.state'), ''],
        devices.map((d) => deviceRow(d, status, () => loader.reload())), { 'data-table': 'devices' })];
  });
  const el = consolePage(t('console.tab.devices'), '#/admin/devices', status, box);
  return { el, destroy: () => loader.stop(), title: t('console.tab.devices') };
}
