// Entry point: load language and session, draw the shell, route by hash,
// register the service worker and start syncing.
import { loadLang, t } from './i18n.js';
import { loadSession, session, signedIn, authEvents } from './session.js';
import * as sync from './sync.js';
import { clear } from './dom.js';
import { buildShell, shell, setNavVisible, setRole, markNav, showUpdate, showAlert } from './shell.js';
import { flushDrafts } from './drafts.js';
import { resolveRoute } from './routes.js';

let current = null;
let rendering = 0;
let redrawTimer = null;

async function route() {
  const ticket = ++rendering;
  clearTimeout(redrawTimer); // a redraw queued for the previous screen
  const hash = location.hash || '#/';
  if (current && current.destroy) current.destroy();
  current = null;
  const needSignIn = !signedIn() || session.needsAuth;
  setNavVisible(!needSignIn);
  const role = session.user?.role;
  const { view, params } = resolveRoute(needSignIn ? '#/signin' : hash, role);
  setRole(needSignIn ? null : role);
  markNav(hash);
  let result;
  try {
    result = await view.render(params, { rerender: route });
  } catch (err) {
    console.error(err);
    showAlert(t('common.failed', { message: err.message || String(err) }));
    return;
  }
  if (ticket !== rendering) { if (result.destroy) result.destroy(); return; }
  clear(shell.main);
  // Console screens use a desktop's width; field screens stay one column.
  shell.main.classList.toggle('wide', !!view.wide);
  shell.main.append(result.el);
  current = result;
  document.title = `${result.title ? `${result.title} · ` : ''}${t('app.name')}`;
}

// List screens redraw when a sync brings new data; forms keep what is typed.
function onData() {
  if (current && current.refresh) { current.refresh(); return; }
  if (!current || !current.live) return;
  clearTimeout(redrawTimer);
  redrawTimer = setTimeout(() => {
    const y = window.scrollY;
    route().then(() => window.scrollTo(0, y));
  }, 150);
}

function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  let reloading = false;
  navigator.serviceWorker.addEventListener('controllerchange', () => { if (reloading) location.reload(); });
  const offer = (worker) => showUpdate(async () => {
    await flushDrafts();
    reloading = true;
    worker.postMessage({ type: 'SKIP_WAITING' });
  });
  navigator.serviceWorker.register('/sw.js').then((reg) => {
    if (reg.waiting && navigator.serviceWorker.controller) offer(reg.waiting);
    reg.addEventListener('updatefound', () => {
      const worker = reg.installing;
      if (!worker) return;
      worker.addEventListener('statechange', () => {
        if (worker.state === 'installed' && navigator.serviceWorker.controller) offer(worker);
      });
    });
    setInterval(() => reg.update().catch(() => {}), 30 * 60 * 1000);
  }).catch((err) => console.warn('service worker', err));
}

async function main() {
  await Promise.all([loadLang(), loadSession()]);
  const redraw = () => { buildShell(redraw); route(); };
  buildShell(redraw);
  window.addEventListener('hashchange', route);
  window.addEventListener('pagehide', () => { flushDrafts(); });
  sync.syncEvents.addEventListener('data', onData);
  sync.syncEvents.addEventListener('status', () => { if (sync.status.phase === 'auth') route(); });
  authEvents.addEventListener('change', () => route());
  await route();
  document.documentElement.dataset.ready = '1';
  performance.mark('doorstep-ready');
  registerServiceWorker();
  sync.start();
}

main().catch((err) => {
  console.error(err);
  document.body.textContent = String(err && err.message ? err.message : err);
});
