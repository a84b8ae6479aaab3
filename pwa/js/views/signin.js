// Sign in (online once); after that the app starts offline. When a token
// expires, the same form asks again and nothing unsent is dropped.
import { h, field } from '../dom.js';
import { t } from '../i18n.js';
import { request, ApiError, NetworkError, getJSON } from '../api.js';
import { session, saveSession } from '../session.js';
import { total as outboxTotal } from '../outbox.js';
import { clearAll, setMeta } from '../db.js';
import { syncNow } from '../sync.js';
import { errorBox } from './common.js';
import { forget as forgetPeople, refreshPeople } from '../people.js';

function deviceName() {
  const ua = navigator.userAgent;
  const os = /iPhone|iPad|iPod/.test(ua) ? 'iOS' : /Android/.test(ua) ? 'Android' : /Windows/.test(ua) ? 'Windows' : /Mac/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : 'Web';
  const browser = /Edg\//.test(ua) ? 'Edge' : /Chrom/.test(ua) ? 'Chrome' : /Firefox/.test(ua) ? 'Firefox' : /Safari/.test(ua) ? 'Safari' : 'Browser';
  return `${os} ${browser}`;
}

export async function render() {
  const pending = await outboxTotal();
  const again = !!(session.needsAuth && session.user);
  const user = h('input', { name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false', value: again ? session.user.username : '' });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const errors = h('div');
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('signin.submit'));
  const form = h('form', { class: 'signin', 'data-form': 'signin', novalidate: true },
    again ? h('p', { class: 'notice' }, t('signin.again', { count: pending })) : h('p', { class: 'lead' }, t('signin.lead')),
    field(t('signin.username'), user),
    field(t('signin.password'), pass),
    errors,
    submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    errors.textContent = '';
    if (!user.value.trim() || !pass.value) { errors.append(errorBox(t('signin.missing'))); return; }
    submit.disabled = true;
    try {
      const body = { username: user.value.trim(), password: pass.value, device_name: deviceName() };
      // After an expired or refused token (not a sign-out) ask to keep this
      // phone's device, so its queued edits stay the same device's.
      if (again && session.device_id) body.device_id = session.device_id;
      const res = await request('/api/auth/login', { method: 'POST', auth: false, json: body });
      const data = await res.json();
      const previous = session.user;
      if (previous && previous.id !== data.user.id) {
        // Another person's unsent work must not be sent under this account.
        if (pending > 0) { errors.append(errorBox(t('signin.otherUser', { name: previous.username, count: pending }))); return; }
        await clearAll(['lang']);
      }
      await saveSession(data);
      forgetPeople();
      try { await setMeta('me', await getJSON('/api/me')); } catch (_) { /* the sync fetches it again */ }
      refreshPeople({ force: true });
      if (location.hash.startsWith('#/signin')) location.hash = '#/';
      syncNow();
    } catch (err) {
      let msg;
      if (err instanceof ApiError && err.status === 401) msg = t('signin.wrong');
      else if (err instanceof ApiError && err.status === 429) msg = t('signin.throttled', { seconds: err.retryAfter || 60 });
      else if (err instanceof NetworkError) msg = t('signin.offline');
      else msg = t('common.failed', { message: err.message });
      errors.append(errorBox(msg));
    } finally {
      submit.disabled = false;
    }
  });
  return { el: h('section', { class: 'page' }, h('h2', {}, t('signin.title')), form), title: t('signin.title') };
}
