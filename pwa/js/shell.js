// The frame around every screen: header with sync state and outbox count,
// the view area, the bottom navigation, and the alert and update banners.
import { h, clear } from './dom.js';
import { t, LANGS, currentLang, setLang, fmtDateTime } from './i18n.js';
import { status, syncNow, syncEvents } from './sync.js';
import { total as outboxTotal } from './outbox.js';
import { session, signedIn } from './session.js';

export const shell = {};

function navButton(hash, key, extra = {}) {
  return h('button', { type: 'button', class: 'nav-item', 'data-nav': hash, onclick: () => { location.hash = hash; }, ...extra }, t(key));
}

export function buildShell(onLangChange) {
  const root = document.getElementById('app');
  clear(root);
  shell.status = h('p', { class: 'sync-status', role: 'status', 'aria-live': 'polite' });
  shell.count = h('span', { class: 'badge', 'data-outbox-count': '' }, '0');
  shell.syncBtn = h('button', { type: 'button', class: 'btn btn-small', 'data-action': 'sync-now', onclick: () => syncNow() }, t('sync.now'));
  const langSel = h('select', { class: 'lang', 'aria-label': t('lang.label'), onchange: async (e) => { await setLang(e.target.value); onLangChange(); } },
    LANGS.map((l) => h('option', { value: l, selected: l === currentLang() }, t(`lang.${l}`))));
  shell.header = h('header', { class: 'top' },
    h('div', { class: 'top-row' },
      h('h1', { class: 'app-title' }, t('app.name')),
      h('div', { class: 'top-actions' },
        h('span', { class: 'count-wrap', title: t('outbox.countLabel') }, h('span', { class: 'sr-only' }, t('outbox.countLabel')), shell.count),
        shell.syncBtn, langSel)),
    shell.status);
  shell.alert = h('div', { class: 'alert', role: 'alert' });
  shell.update = h('div', { class: 'update-banner', hidden: true });
  shell.main = h('main', { id: 'view', tabindex: '-1' });
  shell.nav = h('nav', { class: 'bottom-nav', 'aria-label': t('nav.label') },
    navButton('#/', 'nav.home'),
    navButton('#/households', 'nav.households', { 'data-action': 'households' }),
    navButton('#/followups', 'nav.followups'),
    navButton('#/sync', 'nav.sync'));
  shell.consoleNav = navButton('#/console', 'nav.console');
  root.append(shell.header, shell.update, shell.alert, shell.main, shell.nav);
  syncEvents.addEventListener('status', refreshStatus);
  syncEvents.addEventListener('outbox', refreshCount);
  syncEvents.addEventListener('data', refreshCount);
  refreshStatus();
  refreshCount();
  return shell;
}

export function setNavVisible(visible) {
  shell.nav.hidden = !visible;
  shell.syncBtn.hidden = !visible;
}

// The console is shown to supervisors and admins only.
export function setRole(role) {
  const show = ['supervisor', 'admin'].includes(role);
  if (show && !shell.consoleNav.isConnected) shell.nav.append(shell.consoleNav);
  if (!show) shell.consoleNav.remove();
}

export function markNav(hash) {
  for (const b of shell.nav.querySelectorAll('[data-nav]')) {
    const consoleScreen = b.dataset.nav === '#/console' && hash.startsWith('#/admin');
    const on = consoleScreen || b.dataset.nav === hash || (b.dataset.nav !== '#/' && hash.startsWith(b.dataset.nav));
    if (on) b.setAttribute('aria-current', 'page'); else b.removeAttribute('aria-current');
  }
}

export async function refreshCount() {
  const n = await outboxTotal();
  shell.count.textContent = String(n);
  shell.count.classList.toggle('zero', n === 0);
}

function refreshStatus() {
  let text;
  if (!signedIn()) text = '';
  else if (session.needsAuth || status.phase === 'auth') text = t('sync.needsAuth');
  else if (status.phase === 'pushing') text = t('sync.pushing', { done: status.progress.pushDone, total: status.progress.pushTotal });
  else if (status.phase === 'uploading') text = t('sync.uploading', { done: status.progress.photoDone, total: status.progress.photoTotal });
  else if (status.phase === 'pulling') text = t('sync.pulling');
  else if (status.phase === 'waiting') text = status.error === 'offline' ? t('sync.offline') : t('sync.retrying');
  else if (status.phase === 'error') text = t('sync.error', { message: status.error || '' });
  else if (status.lastSync) text = t('sync.last', { time: fmtDateTime(status.lastSync) });
  else text = t('sync.never');
  shell.status.textContent = text;
  shell.status.dataset.phase = status.phase;
}

export function showAlert(message) {
  clear(shell.alert);
  if (!message) return;
  shell.alert.append(h('p', {}, message),
    h('button', { type: 'button', class: 'btn btn-small', onclick: () => clear(shell.alert) }, t('common.dismiss')));
}

export function showUpdate(onReload) {
  clear(shell.update);
  shell.update.hidden = false;
  shell.update.append(h('p', {}, t('update.ready')),
    h('button', { type: 'button', class: 'btn btn-small', 'data-action': 'reload-update', onclick: onReload }, t('update.reload')));
}
